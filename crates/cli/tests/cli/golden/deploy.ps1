# Deploys the Edge external certificate on every Edge server of the pool.
# Written by picert on YYYY-MM-DD. Read it before running it: picert has not run it.
#
#   certificate  C=US, ST=WA, L=Redmond, O=Contoso, CN=sip.contoso.com
#   names        sip.contoso.com, webcon.contoso.com, sip.fabrikam.com
#   chain        sip.contoso.com -> picert Test Issuing CA
#   expires      2026-09-30T00:00:00Z
#   thumbprint   A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E
#   file         edge.pfx
#   Edge servers from the topology: edge1.perimeter.contoso.com, edge2.perimeter.contoso.com
#
# On each Edge server it:
#   1. imports the PKCS#12 file into Cert:\LocalMachine\My (the password is asked once,
#      as a SecureString; it is not in this file);
#   2. checks that the certificate now in the store has the thumbprint above;
#   3. assigns it to the Access Edge and Web Conferencing Edge external interfaces
#      (Set-CsCertificate -Type AccessEdgeExternal,DataEdgeExternal);
#   4. stages it for A/V authentication with -Roll -EffectiveDate: A/V tokens signed with
#      the old certificate stay valid for 8 hours (the default token lifetime), so the new
#      one takes over no sooner than 8 hours from now, and, as Microsoft advises, at the
#      old certificate's expiry minus those 8 hours; one date for the whole pool;
#   5. shows Get-CsCertificate.
#
# Run it as a local administrator, in the Skype for Business (or Lync) Server Management
# Shell or a shell that can load its module. For Edge servers other than this computer it
# uses PowerShell remoting: Edge servers sit outside the internal domain, so remoting needs
# HTTPS or the TrustedHosts list, and -Credential (about_Remote_Troubleshooting).
#
#   .\deploy.ps1                                  # the servers below (-EdgeServers)
#   .\deploy.ps1 -EdgeServers edge1.perimeter.local -Credential (Get-Credential)
#   .\deploy.ps1 -AudioVideoEffectiveDate (Get-Date).AddHours(8)

[CmdletBinding(SupportsShouldProcess = $true)]
param(
    # The Edge servers of the pool; empty: this computer.
    [string[]] $EdgeServers = @('edge1.perimeter.contoso.com', 'edge2.perimeter.contoso.com'),
    # The PKCS#12 file picert wrote.
    [string] $PfxPath = (Join-Path $PSScriptRoot 'edge.pfx'),
    # When A/V authentication moves to the new certificate; by default worked out from
    # the current A/V certificate of the first server (its expiry minus 8 hours, and no
    # sooner than 8 hours from now).
    [Nullable[datetime]] $AudioVideoEffectiveDate = $null,
    # For remoting to the Edge servers.
    [System.Management.Automation.PSCredential] $Credential = $null
)

$ErrorActionPreference = 'Stop'
$Thumbprint = 'A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E'
$TokenLifetime = New-TimeSpan -Hours 8

if (-not (Test-Path -LiteralPath $PfxPath)) {
    throw "The PKCS#12 file $PfxPath is not there: copy it beside this script, or give -PfxPath."
}
$PfxBytes = [System.IO.File]::ReadAllBytes((Resolve-Path -LiteralPath $PfxPath).Path)
$Password = Read-Host -AsSecureString -Prompt "Password of $(Split-Path -Leaf $PfxPath)"

# Runs on each Edge server (here, or through remoting).
$Deploy = {
    param([byte[]] $PfxBytes, [securestring] $Password, [string] $Thumbprint,
          [Nullable[datetime]] $EffectiveDate, [bool] $OnlyPlan)
    $ErrorActionPreference = 'Stop'
    foreach ($module in 'SkypeForBusiness', 'Lync') {
        if (Get-Module -ListAvailable -Name $module) { Import-Module $module; break }
    }
    if (-not (Get-Command Set-CsCertificate -ErrorAction SilentlyContinue)) {
        throw "$env:COMPUTERNAME has neither the SkypeForBusiness nor the Lync module: run this on an Edge server."
    }
    $av = Get-CsCertificate -Type AudioVideoAuthentication -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($OnlyPlan) { return $av }
    # 1. Import (the key is not marked exportable).
    $file = Join-Path $env:TEMP ('picert-' + [guid]::NewGuid().ToString() + '.pfx')
    try {
        [System.IO.File]::WriteAllBytes($file, $PfxBytes)
        Import-PfxCertificate -FilePath $file -CertStoreLocation Cert:\LocalMachine\My -Password $Password | Out-Null
    } finally {
        Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue
    }
    # 2. The certificate picert bundled, and no other.
    if (-not (Test-Path -LiteralPath "Cert:\LocalMachine\My\$Thumbprint")) {
        throw "${env:COMPUTERNAME}: no certificate with thumbprint $Thumbprint in Cert:\LocalMachine\My after the import."
    }
    # 3. The external Edge interfaces.
    Set-CsCertificate -Type AccessEdgeExternal,DataEdgeExternal -Thumbprint $Thumbprint
    # 4. A/V authentication, staged (or assigned, when the server has no A/V certificate yet).
    if ($av -and $EffectiveDate) {
        Set-CsCertificate -Type AudioVideoAuthentication -Thumbprint $Thumbprint -Roll -EffectiveDate $EffectiveDate
    } else {
        Set-CsCertificate -Type AudioVideoAuthentication -Thumbprint $Thumbprint
    }
    # 5. What the server now uses.
    Get-CsCertificate
}

$here = @($env:COMPUTERNAME, 'localhost', [System.Net.Dns]::GetHostEntry($env:COMPUTERNAME).HostName)
function Invoke-OnEdge([string] $Server, [object[]] $Arguments) {
    if (-not $Server -or $here -contains $Server -or $Server.Split('.')[0] -eq $env:COMPUTERNAME) {
        & $Deploy @Arguments
    } elseif ($Credential) {
        Invoke-Command -ComputerName $Server -Credential $Credential -ScriptBlock $Deploy -ArgumentList $Arguments
    } else {
        Invoke-Command -ComputerName $Server -ScriptBlock $Deploy -ArgumentList $Arguments
    }
}

$targets = if ($EdgeServers.Count -gt 0) { $EdgeServers } else { @('') }

# One A/V effective date for the pool, from the first server's current A/V certificate.
if (-not $AudioVideoEffectiveDate) {
    $current = Invoke-OnEdge $targets[0] @($null, $null, $Thumbprint, $null, $true)
    $earliest = (Get-Date).Add($TokenLifetime)
    if ($current -and $current.NotAfter) {
        $AudioVideoEffectiveDate = ([datetime] $current.NotAfter).Subtract($TokenLifetime)
        if ($AudioVideoEffectiveDate -lt $earliest) { $AudioVideoEffectiveDate = $earliest }
    }
}
if ($AudioVideoEffectiveDate) {
    Write-Host "A/V authentication moves to the new certificate on $AudioVideoEffectiveDate (every server)."
}

foreach ($server in $targets) {
    $name = if ($server) { $server } else { $env:COMPUTERNAME }
    if ($PSCmdlet.ShouldProcess($name, "import and assign certificate $Thumbprint")) {
        Write-Host "== $name"
        Invoke-OnEdge $server @($PfxBytes, $Password, $Thumbprint, $AudioVideoEffectiveDate, $false)
    }
}
Write-Host "Done. When every server is on the new certificate, the old A/V one can go:"
Write-Host '  Remove-CsCertificate -Type AudioVideoAuthentication -Previous'
