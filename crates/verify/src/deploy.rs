//! The deployment, as a PowerShell script the administrator reads before running it: on each
//! Edge server of the pool, import the PKCS#12 file into `Cert:\LocalMachine\My`, check the
//! thumbprint, assign the certificate to the external Edge services, stage it for A/V
//! authentication, and show the result.
//!
//! The steps follow Microsoft's procedure: every Edge server of a pool gets the same
//! certificate and key ("you export the certificate with the private key to each Edge Server
//! and assign the certificate to each Edge Server service", Lync Server 2013, Plan for Edge
//! Server certificates); `Set-CsCertificate -Type AccessEdgeExternal,DataEdgeExternal` assigns
//! it; A/V authentication tokens issued with the old certificate stay valid for 8 hours by
//! default, so `AudioVideoAuthentication` is staged with `-Roll -EffectiveDate`, no sooner
//! than 8 hours ahead and, by Microsoft's guidance, at the old certificate's expiry minus that
//! token lifetime, one date for the whole pool ("Stage AV and OAuth certificates in Skype for
//! Business Server using -Roll in Set-CsCertificate").
//!
//! The password is never in the script: it asks for it once, as a SecureString.

use picert_core::Timestamp;

use crate::bundle::PreparedBundle;

/// What the script deploys, and where.
#[derive(Debug, Clone)]
pub struct DeployScript<'a> {
    /// The bundle written (its thumbprint, chain and audit).
    pub bundle: &'a PreparedBundle,
    /// The PKCS#12 file's name; the script looks for it in its own folder unless told
    /// otherwise (`-PfxPath`).
    pub pfx_file_name: &'a str,
    /// The Edge servers of the pool (from the topology); the script's `-EdgeServers` parameter
    /// replaces them. Empty: the script deploys on the computer it runs on.
    pub edge_servers: &'a [String],
    /// When the script was written (the date goes in its header): the wall clock of the run,
    /// not the time the certificate was audited at.
    pub made: Timestamp,
}

/// A string as a PowerShell single-quoted literal.
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl DeployScript<'_> {
    /// The script, with Windows line ends (CRLF) and a UTF-8 byte-order mark, which Windows
    /// PowerShell 5.1 needs to read anything but ASCII as UTF-8.
    pub fn render(&self) -> Vec<u8> {
        let text = self.text();
        let mut out = Vec::with_capacity(text.len() + 64);
        out.extend_from_slice(b"\xef\xbb\xbf");
        for line in text.lines() {
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    /// The script as text with `\n` line ends (what [`DeployScript::render`] writes).
    pub fn text(&self) -> String {
        let b = self.bundle;
        let r = &b.report;
        let subject = r.subject.as_deref().unwrap_or("?");
        let not_after = r
            .not_after
            .map(|t| t.rfc3339())
            .unwrap_or_else(|| "?".into());
        let servers = if self.edge_servers.is_empty() {
            "@()".to_string()
        } else {
            format!(
                "@({})",
                self.edge_servers
                    .iter()
                    .map(|s| quoted(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let from_topology = if self.edge_servers.is_empty() {
            "the topology names none (edge_servers), so by default the script deploys on this computer"
                .to_string()
        } else {
            format!("from the topology: {}", self.edge_servers.join(", "))
        };
        let mut s = String::new();
        let mut line = |l: &str| {
            s.push_str(l);
            s.push('\n');
        };
        line("# Deploys the Edge external certificate on every Edge server of the pool.");
        line(&format!(
            "# Written by picert on {}. Read it before running it: picert has not run it.",
            self.made.date()
        ));
        line("#");
        line(&format!("#   certificate  {subject}"));
        line(&format!("#   names        {}", r.dns_names.join(", ")));
        line(&format!("#   chain        {}", b.names.join(" -> ")));
        line(&format!("#   expires      {not_after}"));
        line(&format!("#   thumbprint   {}", b.thumbprint));
        line(&format!("#   file         {}", self.pfx_file_name));
        line(&format!("#   Edge servers {from_topology}"));
        line("#");
        line("# On each Edge server it:");
        line("#   1. imports the PKCS#12 file into Cert:\\LocalMachine\\My (the password is asked once,");
        line("#      as a SecureString; it is not in this file);");
        line("#   2. checks that the certificate now in the store has the thumbprint above;");
        line("#   3. assigns it to the Access Edge and Web Conferencing Edge external interfaces");
        line("#      (Set-CsCertificate -Type AccessEdgeExternal,DataEdgeExternal);");
        line("#   4. stages it for A/V authentication with -Roll -EffectiveDate: A/V tokens signed with");
        line("#      the old certificate stay valid for 8 hours (the default token lifetime), so the new");
        line("#      one takes over no sooner than 8 hours from now, and, as Microsoft advises, at the");
        line("#      old certificate's expiry minus those 8 hours; one date for the whole pool;");
        line("#   5. shows Get-CsCertificate.");
        line("#");
        line("# Run it as a local administrator, in the Skype for Business (or Lync) Server Management");
        line("# Shell or a shell that can load its module. For Edge servers other than this computer it");
        line("# uses PowerShell remoting: Edge servers sit outside the internal domain, so remoting needs");
        line("# HTTPS or the TrustedHosts list, and -Credential (about_Remote_Troubleshooting).");
        line("#");
        line(if self.edge_servers.is_empty() {
            "#   .\\deploy.ps1                                  # this computer (-EdgeServers is empty)"
        } else {
            "#   .\\deploy.ps1                                  # the servers below (-EdgeServers)"
        });
        line("#   .\\deploy.ps1 -EdgeServers edge1.perimeter.local -Credential (Get-Credential)");
        line("#   .\\deploy.ps1 -AudioVideoEffectiveDate (Get-Date).AddHours(8)");
        line("");
        line("[CmdletBinding(SupportsShouldProcess = $true)]");
        line("param(");
        line("    # The Edge servers of the pool; empty: this computer.");
        line(&format!("    [string[]] $EdgeServers = {servers},"));
        line("    # The PKCS#12 file picert wrote.");
        line(&format!(
            "    [string] $PfxPath = (Join-Path $PSScriptRoot {}),",
            quoted(self.pfx_file_name)
        ));
        line("    # When A/V authentication moves to the new certificate; by default worked out from");
        line("    # the current A/V certificate of the first server (its expiry minus 8 hours, and no");
        line("    # sooner than 8 hours from now).");
        line("    [Nullable[datetime]] $AudioVideoEffectiveDate = $null,");
        line("    # For remoting to the Edge servers.");
        line("    [System.Management.Automation.PSCredential] $Credential = $null");
        line(")");
        line("");
        line("$ErrorActionPreference = 'Stop'");
        line(&format!("$Thumbprint = {}", quoted(&b.thumbprint)));
        line("$TokenLifetime = New-TimeSpan -Hours 8");
        line("");
        line("if (-not (Test-Path -LiteralPath $PfxPath)) {");
        line("    throw \"The PKCS#12 file $PfxPath is not there: copy it beside this script, or give -PfxPath.\"");
        line("}");
        line(
            "$PfxBytes = [System.IO.File]::ReadAllBytes((Resolve-Path -LiteralPath $PfxPath).Path)",
        );
        line("$Password = Read-Host -AsSecureString -Prompt \"Password of $(Split-Path -Leaf $PfxPath)\"");
        line("");
        line("# Runs on each Edge server (here, or through remoting).");
        line("$Deploy = {");
        line("    param([byte[]] $PfxBytes, [securestring] $Password, [string] $Thumbprint,");
        line("          [Nullable[datetime]] $EffectiveDate, [bool] $OnlyPlan)");
        line("    $ErrorActionPreference = 'Stop'");
        line("    foreach ($module in 'SkypeForBusiness', 'Lync') {");
        line(
            "        if (Get-Module -ListAvailable -Name $module) { Import-Module $module; break }",
        );
        line("    }");
        line("    if (-not (Get-Command Set-CsCertificate -ErrorAction SilentlyContinue)) {");
        line("        throw \"$env:COMPUTERNAME has neither the SkypeForBusiness nor the Lync module: run this on an Edge server.\"");
        line("    }");
        line("    $av = Get-CsCertificate -Type AudioVideoAuthentication -ErrorAction SilentlyContinue | Select-Object -First 1");
        line("    if ($OnlyPlan) { return $av }");
        line("    # 1. Import (the key is not marked exportable).");
        line("    $file = Join-Path $env:TEMP ('picert-' + [guid]::NewGuid().ToString() + '.pfx')");
        line("    try {");
        line("        [System.IO.File]::WriteAllBytes($file, $PfxBytes)");
        line("        Import-PfxCertificate -FilePath $file -CertStoreLocation Cert:\\LocalMachine\\My -Password $Password | Out-Null");
        line("    } finally {");
        line("        Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue");
        line("    }");
        line("    # 2. The certificate picert bundled, and no other.");
        line("    if (-not (Test-Path -LiteralPath \"Cert:\\LocalMachine\\My\\$Thumbprint\")) {");
        line("        throw \"${env:COMPUTERNAME}: no certificate with thumbprint $Thumbprint in Cert:\\LocalMachine\\My after the import.\"");
        line("    }");
        line("    # 3. The external Edge interfaces.");
        line("    Set-CsCertificate -Type AccessEdgeExternal,DataEdgeExternal -Thumbprint $Thumbprint");
        line("    # 4. A/V authentication, staged (or assigned, when the server has no A/V certificate yet).");
        line("    if ($av -and $EffectiveDate) {");
        line("        Set-CsCertificate -Type AudioVideoAuthentication -Thumbprint $Thumbprint -Roll -EffectiveDate $EffectiveDate");
        line("    } else {");
        line("        Set-CsCertificate -Type AudioVideoAuthentication -Thumbprint $Thumbprint");
        line("    }");
        line("    # 5. What the server now uses.");
        line("    Get-CsCertificate");
        line("}");
        line("");
        line("$here = @($env:COMPUTERNAME, 'localhost', [System.Net.Dns]::GetHostEntry($env:COMPUTERNAME).HostName)");
        line("function Invoke-OnEdge([string] $Server, [object[]] $Arguments) {");
        line("    if (-not $Server -or $here -contains $Server -or $Server.Split('.')[0] -eq $env:COMPUTERNAME) {");
        line("        & $Deploy @Arguments");
        line("    } elseif ($Credential) {");
        line("        Invoke-Command -ComputerName $Server -Credential $Credential -ScriptBlock $Deploy -ArgumentList $Arguments");
        line("    } else {");
        line("        Invoke-Command -ComputerName $Server -ScriptBlock $Deploy -ArgumentList $Arguments");
        line("    }");
        line("}");
        line("");
        line("$targets = if ($EdgeServers.Count -gt 0) { $EdgeServers } else { @('') }");
        line("");
        line("# One A/V effective date for the pool, from the first server's current A/V certificate.");
        line("if (-not $AudioVideoEffectiveDate) {");
        line("    $current = Invoke-OnEdge $targets[0] @($null, $null, $Thumbprint, $null, $true)");
        line("    $earliest = (Get-Date).Add($TokenLifetime)");
        line("    if ($current -and $current.NotAfter) {");
        line("        $AudioVideoEffectiveDate = ([datetime] $current.NotAfter).Subtract($TokenLifetime)");
        line("        if ($AudioVideoEffectiveDate -lt $earliest) { $AudioVideoEffectiveDate = $earliest }");
        line("    }");
        line("}");
        line("if ($AudioVideoEffectiveDate) {");
        line("    Write-Host \"A/V authentication moves to the new certificate on $AudioVideoEffectiveDate (every server).\"");
        line("}");
        line("");
        line("foreach ($server in $targets) {");
        line("    $name = if ($server) { $server } else { $env:COMPUTERNAME }");
        line("    if ($PSCmdlet.ShouldProcess($name, \"import and assign certificate $Thumbprint\")) {");
        line("        Write-Host \"== $name\"");
        line("        Invoke-OnEdge $server @($PfxBytes, $Password, $Thumbprint, $AudioVideoEffectiveDate, $false)");
        line("    }");
        line("}");
        line("Write-Host \"Done. When every server is on the new certificate, the old A/V one can go:\"");
        line("Write-Host '  Remove-CsCertificate -Type AudioVideoAuthentication -Previous'");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::InputReport;

    fn bundle() -> PreparedBundle {
        PreparedBundle {
            chain: vec![],
            names: vec!["sip.contoso.com".into(), "Issuing CA".into()],
            thumbprint: "A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E".into(),
            report: InputReport {
                subject: Some("CN=sip.contoso.com".into()),
                dns_names: vec!["sip.contoso.com".into(), "webcon.contoso.com".into()],
                not_after: Some(Timestamp::from_date(2026, 9, 30)),
                ..InputReport::default()
            },
        }
    }

    #[test]
    fn every_step_is_there_and_no_password() {
        let b = bundle();
        let servers = vec!["edge1.perimeter.local".to_string(), "o'brien.local".into()];
        let script = DeployScript {
            bundle: &b,
            pfx_file_name: "edge.pfx",
            edge_servers: &servers,
            made: Timestamp::from_date(2026, 6, 1),
        };
        let text = script.text();
        for needed in [
            "Import-PfxCertificate -FilePath $file -CertStoreLocation Cert:\\LocalMachine\\My -Password $Password",
            "Read-Host -AsSecureString",
            "$Thumbprint = 'A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E'",
            "Test-Path -LiteralPath \"Cert:\\LocalMachine\\My\\$Thumbprint\"",
            "Set-CsCertificate -Type AccessEdgeExternal,DataEdgeExternal -Thumbprint $Thumbprint",
            "Set-CsCertificate -Type AudioVideoAuthentication -Thumbprint $Thumbprint -Roll -EffectiveDate $EffectiveDate",
            "Get-CsCertificate\n",
            "[string[]] $EdgeServers = @('edge1.perimeter.local', 'o''brien.local'),",
            "(Join-Path $PSScriptRoot 'edge.pfx')",
        ] {
            assert!(text.contains(needed), "missing: {needed}");
        }
        assert!(!text.to_ascii_lowercase().contains("convertto-securestring"));
        assert!(!text.contains("-AsPlainText"));
        let bytes = script.render();
        assert!(bytes.starts_with(b"\xef\xbb\xbf# Deploys"));
        assert!(bytes.ends_with(b"-Previous'\r\n"));
        assert_eq!(
            bytes.windows(2).filter(|w| w == b"\r\n").count(),
            text.lines().count()
        );
    }

    /// PowerShell reads `"$name: ..."` as a drive-qualified variable and fails to parse the
    /// script: a variable followed by a colon must be written `${name}:`.
    #[test]
    fn no_variable_runs_into_a_colon() {
        let b = bundle();
        let text = DeployScript {
            bundle: &b,
            pfx_file_name: "edge.pfx",
            edge_servers: &[],
            made: Timestamp::from_date(2026, 6, 1),
        }
        .text();
        for (i, _) in text.match_indices('$') {
            let rest = &text[i + 1..];
            let rest = rest.strip_prefix("env:").unwrap_or(rest);
            let name_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            assert!(
                name_len == 0 || !rest[name_len..].starts_with(':'),
                "a variable runs into a colon: {}",
                &text[i..(i + 40).min(text.len())]
            );
        }
    }

    #[test]
    fn without_servers_it_deploys_here() {
        let b = bundle();
        let text = DeployScript {
            bundle: &b,
            pfx_file_name: "edge.pfx",
            edge_servers: &[],
            made: Timestamp::from_date(2026, 6, 1),
        }
        .text();
        assert!(text.contains("[string[]] $EdgeServers = @(),"));
        assert!(text.contains("the topology names none (edge_servers)"));
        assert!(text.contains("# this computer (-EdgeServers is empty)"));
        assert!(!text.contains("the servers below"), "there are none");
    }

    #[test]
    fn the_header_has_the_date_it_was_written() {
        let b = bundle();
        let servers = vec!["edge1.perimeter.local".to_string()];
        let text = DeployScript {
            bundle: &b,
            pfx_file_name: "edge.pfx",
            edge_servers: &servers,
            made: Timestamp::from_date(2027, 1, 15).plus_seconds(3600),
        }
        .text();
        assert!(text.contains("\n# Written by picert on 2027-01-15. Read it before"));
        assert!(text.contains("# the servers below (-EdgeServers)"));
    }
}
