//! Argument groups shared by several commands, each defined once: the topology flags, what an
//! audit expects and trusts, output formats, secrets and live connections.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use picert_core::pfx::PfxEncryption;
use picert_core::plan::{load_certificate, CertificateKind, PlannedCertificate};
use picert_core::{Field, Note, Origin, Product, Timestamp, Topology, WindowsServer};
use picert_verify::{AuditOptions, Severity};

use picert_core::renewal::{plan_certificate_request, plan_request_allowing, Allow, GivenKey};
use picert_core::{CurrentCertificate, PrivateKey, RenewalError, RequestPlan, SettingError};
use picert_probe::{ClientIdentity, ConnectOptions, Target};
use picert_verify::input::InputError;
use picert_verify::renewal::{read_in_service, CurrentError};
use picert_verify::CertificateDer;
use zeroize::Zeroizing;

use crate::hints;
use crate::secrets::{self, PASSPHRASE_ENV, PFX_PASSWORD_ENV};
use crate::{read_file, CliError};

/// The topology flags, over a topology file.
#[derive(Args, Debug, Default, Clone)]
pub struct TopologyArgs {
    /// Topology file: picert's TOML, Topology Builder's .tbxml or Get-CsTopology -AsXml's XML
    /// (see docs/topology.md). Flags override its fields.
    #[arg(long, value_name = "FILE")]
    pub topology: Option<PathBuf>,
    /// The Edge pool of an XML topology, by its FQDN (case-insensitive); needed when the
    /// topology has several
    #[arg(long, value_name = "FQDN", requires = "topology")]
    pub edge_pool: Option<String>,
    /// Access Edge external FQDN (the subject name)
    #[arg(long, value_name = "FQDN")]
    pub access_edge: Option<String>,
    /// Web Conferencing Edge external FQDN
    #[arg(long, value_name = "FQDN")]
    pub webconf: Option<String>,
    /// A/V Edge external FQDN (recorded; never a SAN)
    #[arg(long, value_name = "FQDN")]
    pub av: Option<String>,
    /// SIP domain, primary first (repeat for each)
    #[arg(long = "sip-domain", value_name = "DOMAIN")]
    pub sip_domains: Vec<String>,
    /// Extra SAN name after the SIP domains (repeat for each)
    #[arg(long = "extra-san", value_name = "FQDN")]
    pub extra_sans: Vec<String>,
    /// Public IM Connectivity with AOL is deployed: the client EKU is required (AOL's PIC ended
    /// in June 2014)
    #[arg(long, conflicts_with = "no_aol")]
    pub aol: bool,
    /// AOL is not deployed, whatever the topology file says
    #[arg(long)]
    pub no_aol: bool,
    /// The Edge's Windows Server release: 2008r2, 2012, 2012r2, 2016, 2019, 2022, 2025
    /// (decides the PKCS#12 protection; TLS 1.3 is expected from 2022)
    #[arg(long, value_name = "RELEASE", value_parser = parse_windows)]
    pub windows: Option<WindowsServer>,
    /// The server product: lync2013, sfb2015, sfb2019, sfbse (SfB 2015 takes no ECC key)
    #[arg(long, value_name = "PRODUCT", value_parser = parse_product)]
    pub product: Option<Product>,
}

fn parse_windows(s: &str) -> Result<WindowsServer, String> {
    s.parse()
        .map_err(|e: picert_core::platform::PlatformNameError| e.to_string())
}

fn parse_product(s: &str) -> Result<Product, String> {
    s.parse()
        .map_err(|e: picert_core::platform::PlatformNameError| e.to_string())
}

impl TopologyArgs {
    /// The topology file (if any) with these flags over it.
    pub fn resolve(&self) -> Result<Topology, CliError> {
        let base = match &self.topology {
            Some(path) => Topology::load_pool(path, self.edge_pool.as_deref())?,
            None => Topology::default(),
        };
        Ok(base.overlay(self.flags()))
    }

    /// The flags alone, as a topology, each value labelled with its flag for messages.
    pub fn flags(&self) -> Topology {
        let mut t = Topology {
            access_edge: self.access_edge.clone(),
            webconf_edge: self.webconf.clone(),
            av_edge: self.av.clone(),
            sip_domains: (!self.sip_domains.is_empty()).then(|| self.sip_domains.clone()),
            extra_sans: (!self.extra_sans.is_empty()).then(|| self.extra_sans.clone()),
            aol: if self.aol {
                Some(true)
            } else if self.no_aol {
                Some(false)
            } else {
                None
            },
            windows: self.windows,
            product: self.product,
            ..Topology::default()
        };
        for (field, flag, set) in [
            (Field::AccessEdge, "--access-edge", t.access_edge.is_some()),
            (Field::WebconfEdge, "--webconf", t.webconf_edge.is_some()),
            (Field::AvEdge, "--av", t.av_edge.is_some()),
            (Field::SipDomains, "--sip-domain", t.sip_domains.is_some()),
            (Field::ExtraSans, "--extra-san", t.extra_sans.is_some()),
            (Field::Windows, "--windows", t.windows.is_some()),
            (Field::Product, "--product", t.product.is_some()),
        ] {
            if set {
                t.origins.set(field, None, Origin::Given(flag.into()));
            }
        }
        t
    }

    /// The same expectations as flags, to repeat in a next-step hint.
    pub fn as_flags(&self) -> String {
        let mut hint = match &self.topology {
            Some(file) => format!(" --topology {}", file.display()),
            None => String::new(),
        };
        for (flag, value) in [
            ("--edge-pool", &self.edge_pool),
            ("--access-edge", &self.access_edge),
            ("--webconf", &self.webconf),
        ] {
            if let Some(v) = value {
                hint.push_str(&format!(" {flag} {v}"));
            }
        }
        for d in &self.sip_domains {
            hint.push_str(&format!(" --sip-domain {d}"));
        }
        for e in &self.extra_sans {
            hint.push_str(&format!(" --extra-san {e}"));
        }
        if self.aol {
            hint.push_str(" --aol");
        }
        if self.no_aol {
            hint.push_str(" --no-aol");
        }
        if let Some(w) = self.windows {
            hint.push_str(&format!(" --windows {}", w.as_str()));
        }
        if let Some(p) = self.product {
            hint.push_str(&format!(" --product {}", p.as_str()));
        }
        hint
    }
}

/// Which certificate of the topology a command is about (request, audit).
#[derive(Args, Debug, Clone)]
pub struct CertificateArgs {
    /// The certificate, as picert plan lists it: edge-external (the PIC table's), edge-internal,
    /// front-end, reverse-proxy or director; the kinds other than edge-external are planned
    /// from an XML topology (or a TOML one with topology_xml)
    #[arg(
        long = "certificate",
        value_name = "KIND",
        default_value = "edge-external",
        value_parser = parse_kind
    )]
    pub kind: CertificateKind,
    /// The pool of that certificate, by its FQDN (the reverse proxy's: its pool or its site's
    /// name); needed when the topology has several. For the Edge certificates it is the Edge
    /// pool, as --edge-pool
    #[arg(long, value_name = "FQDN", requires = "topology")]
    pub pool: Option<String>,
}

fn same_pool(a: &str, b: &str) -> bool {
    a.trim()
        .trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim().trim_end_matches('.'))
}

/// Parses `--certificate`.
pub fn parse_kind(s: &str) -> Result<CertificateKind, String> {
    s.parse()
}

/// The certificate chosen: the topology's Edge external certificate (the topology flags, the
/// Edge pool taken from `--pool` when given), or one of the plan with its settings.
pub enum Chosen {
    /// The Edge external certificate of these topology flags.
    Edge(TopologyArgs),
    /// A certificate of the plan, its settings with the flags over them.
    Planned(Box<PlannedCertificate>),
}

impl CertificateArgs {
    /// The certificate these flags and `topology` choose.
    pub fn choose(&self, topology: &TopologyArgs) -> Result<Chosen, CliError> {
        let kind = self.kind;
        let edge = matches!(
            kind,
            CertificateKind::EdgeExternal | CertificateKind::EdgeInternal
        );
        if let (Some(p), Some(e)) = (&self.pool, &topology.edge_pool) {
            if !same_pool(p, e) {
                return Err(CliError::usage(format!(
                    "--pool {p} and --edge-pool {e} name different pools: give one"
                )));
            }
        }
        if topology.edge_pool.is_some() && !edge {
            return Err(CliError::usage(format!(
                "--edge-pool chooses an Edge pool; the {kind} certificate's pool is chosen with --pool"
            )));
        }
        let pool = self.pool.clone().or_else(|| topology.edge_pool.clone());
        if kind == CertificateKind::EdgeExternal {
            return Ok(Chosen::Edge(TopologyArgs {
                edge_pool: pool,
                ..topology.clone()
            }));
        }
        let Some(path) = &topology.topology else {
            return Err(CliError::usage(format!(
                "--certificate {kind} is planned from a topology: give --topology FILE (an XML topology, or a TOML one with topology_xml)"
            )));
        };
        let edge_flags: Vec<&str> = [
            (topology.access_edge.is_some(), "--access-edge"),
            (topology.webconf.is_some(), "--webconf"),
            (topology.av.is_some(), "--av"),
            (!topology.sip_domains.is_empty(), "--sip-domain"),
            (!topology.extra_sans.is_empty(), "--extra-san"),
            (topology.aol, "--aol"),
            (topology.no_aol, "--no-aol"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, flag)| *flag)
        .collect();
        if !edge_flags.is_empty() {
            return Err(CliError::usage(format!(
                "{} describe the Edge external certificate; the {kind} certificate's names come from the plan of {}: drop {}",
                edge_flags.join(", "),
                path.display(),
                if edge_flags.len() == 1 { "it" } else { "them" }
            )));
        }
        let mut planned = load_certificate(path, kind, pool.as_deref())?;
        planned.settings = planned.settings.overlay(topology.flags());
        Ok(Chosen::Planned(Box::new(planned)))
    }

    /// The same choice as flags, to repeat in a next-step hint (nothing for the default).
    pub fn as_flags(&self, pool: Option<&str>) -> String {
        if self.kind == CertificateKind::EdgeExternal {
            return String::new();
        }
        match pool {
            Some(p) => format!(" --certificate {} --pool {p}", self.kind),
            None => format!(" --certificate {}", self.kind),
        }
    }
}

/// What an audit expects and trusts: shared by every command that audits.
#[derive(Args, Debug, Clone)]
pub struct ExpectationArgs {
    #[command(flatten)]
    pub topology: TopologyArgs,
    /// Trusted roots (PEM or DER) replacing the built-in Mozilla roots, for tests or a lab CA
    #[arg(long, value_name = "FILE")]
    pub trust_store: Option<PathBuf>,
    /// Audit time, RFC 3339 (2026-06-01T00:00:00Z) or a date (2026-06-01) [default: now]
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub at: Option<Timestamp>,
    /// Warn when fewer days than this are left before expiry
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub warn_days: u32,
}

impl ExpectationArgs {
    /// The library's options for these flags, with the topology resolved.
    pub fn options(&self, chain_files: &[PathBuf]) -> Result<AuditOptions, CliError> {
        Ok(AuditOptions {
            topology: self.topology.resolve()?,
            trust_store: self.trust_store.clone(),
            chain_files: chain_files.to_vec(),
            at: self.at,
            warn_days: Some(self.warn_days),
            pfx_password: None,
            certificate: None,
        })
    }

    /// The library's options for the certificate `certificate` chooses: the topology's Edge
    /// external certificate as [`ExpectationArgs::options`], or one of the plan.
    pub fn options_for(
        &self,
        chain_files: &[PathBuf],
        certificate: &CertificateArgs,
    ) -> Result<AuditOptions, CliError> {
        match certificate.choose(&self.topology)? {
            Chosen::Edge(topology) => ExpectationArgs {
                topology,
                ..self.clone()
            }
            .options(chain_files),
            Chosen::Planned(planned) => Ok(AuditOptions {
                topology: planned.settings.clone(),
                certificate: Some(planned.plan.clone()),
                ..self.options_without_topology(chain_files)
            }),
        }
    }

    fn options_without_topology(&self, chain_files: &[PathBuf]) -> AuditOptions {
        AuditOptions {
            topology: Topology::default(),
            trust_store: self.trust_store.clone(),
            chain_files: chain_files.to_vec(),
            at: self.at,
            warn_days: Some(self.warn_days),
            pfx_password: None,
            certificate: None,
        }
    }
}

/// Report format of the commands that report.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Text for people
    Human,
    /// One JSON document on standard output
    Json,
}

/// When to colour the output.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set
    Auto,
    /// Always
    Always,
    /// Never
    Never,
}

/// The certificate in service and the key of a request (request, acme): the renewal's inputs.
#[derive(Args, Debug, Clone, Default)]
pub struct RenewalArgs {
    /// Renewal: take the subject, the SANs in their order, the EKUs and the key size from the
    /// certificate in service (PEM, DER, PKCS#7 or PKCS#12); names the topology adds are
    /// appended, none is dropped
    #[arg(long, value_name = "FILE")]
    pub from_cert: Option<PathBuf>,
    /// With --from-cert: keep the key of the certificate in service (it must match it)
    #[arg(
        long,
        value_name = "KEYFILE",
        requires = "from_cert",
        conflicts_with = "key"
    )]
    pub reuse_key: Option<PathBuf>,
    /// Use this existing private key (PKCS#8, PKCS#1 or SEC1; PEM or DER) instead of
    /// generating one
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Passphrase for reading an encrypted --key or --reuse-key, and for encrypting a new key
    /// file (also: PICERT_KEY_PASSPHRASE)
    #[arg(long, value_name = "FILE")]
    pub key_passphrase_file: Option<PathBuf>,
}

impl RenewalArgs {
    /// The key file given (`--key` or `--reuse-key`).
    pub fn key_file(&self) -> Option<&PathBuf> {
        self.key.as_ref().or(self.reuse_key.as_ref())
    }

    /// The certificate in service, read once: its leaf and what a renewal takes from it.
    pub fn in_service(
        &self,
        pfx_password: Option<&str>,
    ) -> Result<Option<(CertificateDer<'static>, CurrentCertificate)>, CliError> {
        let Some(path) = &self.from_cert else {
            return Ok(None);
        };
        let bytes = read_file(path)?;
        read_in_service(&bytes, pfx_password)
            .map(Some)
            .map_err(|e| match e {
                CurrentError::Input(InputError::Pkcs12PasswordNeeded) => CliError::input(
                    path,
                    "a PKCS#12 (.pfx) file: give its password with --password-file or PICERT_PFX_PASSWORD, or give the certificate as PEM, DER or .p7b",
                ),
                CurrentError::NoCertificate => CliError::input(
                    path,
                    "holds no certificate: --from-cert takes the certificate in service",
                ),
                other => CliError::input(path, other),
            })
    }

    /// The key passphrase and the key given, opened with it. Opening a given key takes an
    /// empty passphrase (the key may have one); a passphrase for a new key file may not be
    /// empty.
    pub fn key(&self) -> Result<(Option<Zeroizing<String>>, Option<PrivateKey>), CliError> {
        let file = self.key_passphrase_file.as_deref();
        let Some(path) = self.key_file() else {
            let passphrase = secrets::read_non_empty(file, PASSPHRASE_ENV, "key passphrase")?;
            return Ok((passphrase, None));
        };
        let passphrase = secrets::read(file, PASSPHRASE_ENV)?;
        let key =
            PrivateKey::from_bytes(&read_file(path)?, passphrase.as_ref().map(|p| p.as_bytes()))
                .map_err(|e| CliError::input(path, hints::core(&e)))?;
        Ok((passphrase, Some(key)))
    }

    /// The request plan for a certificate of the plan, with `settings` and the key given;
    /// `force` lets an ECC key through for Skype for Business Server 2015.
    pub fn plan_certificate(
        &self,
        certificate: &picert_core::plan::CertificatePlan,
        settings: Topology,
        key: Option<&PrivateKey>,
        force: bool,
    ) -> Result<RequestPlan, CliError> {
        let allow = Allow {
            cng_key_on_sfb2015: force,
        };
        plan_certificate_request(certificate, settings, key.map(GivenKey::Use), allow).map_err(
            |e| match (&e, self.key_file()) {
                (picert_core::Error::Setting(SettingError::KeyTypeMismatch { .. }), Some(path)) => {
                    CliError::input(path, hints::core(&e))
                }
                _ => e.into(),
            },
        )
    }

    /// The request plan for `topology`, the certificate in service and the key given;
    /// `force` lets an ECC key through for Skype for Business Server 2015. An error about the
    /// key or a name of the certificate in service names that file.
    pub fn plan(
        &self,
        topology: Topology,
        current: Option<&CurrentCertificate>,
        key: Option<&PrivateKey>,
        force: bool,
    ) -> Result<RequestPlan, CliError> {
        let given = key.map(|k| {
            if self.reuse_key.is_some() {
                GivenKey::Reuse(k)
            } else {
                GivenKey::Use(k)
            }
        });
        let allow = Allow {
            cng_key_on_sfb2015: force,
        };
        plan_request_allowing(topology, current, given, allow).map_err(|e| {
            match (&e, self.key_file(), &self.from_cert) {
                (picert_core::Error::Renewal(RenewalError::KeyDoesNotMatch), Some(path), _)
                | (
                    picert_core::Error::Setting(SettingError::KeyTypeMismatch { .. }),
                    Some(path),
                    _,
                ) => CliError::input(path, hints::core(&e)),
                (picert_core::Error::Renewal(RenewalError::NameRefused(_)), _, Some(path)) => {
                    CliError::input(path, hints::core(&e))
                }
                _ => e.into(),
            }
        })
    }
}

/// How a PKCS#12 file written for Windows is protected (bundle, acme).
#[derive(Args, Debug, Clone, Default)]
pub struct PfxFormArgs {
    /// 3DES and a SHA-1 MAC, which every Windows Server imports [default: AES-256 when the
    /// topology's windows is 2019 or later, else this]
    #[arg(long, conflicts_with = "modern")]
    pub legacy: bool,
    /// AES-256 and a SHA-256 MAC, which Windows Server 2019 and later import
    #[arg(long)]
    pub modern: bool,
}

impl PfxFormArgs {
    /// The protection asked for, if any.
    pub fn asked(&self) -> Option<PfxEncryption> {
        if self.legacy {
            Some(PfxEncryption::Legacy)
        } else if self.modern {
            Some(PfxEncryption::Modern)
        } else {
            None
        }
    }

    /// The protection to write for `topology`'s platform, and the library's note about it.
    pub fn choose(&self, topology: &Topology) -> Result<(PfxEncryption, Option<Note>), CliError> {
        let platform = topology.platform()?;
        Ok(PfxEncryption::choose(self.asked(), &platform))
    }
}

/// The password of PKCS#12 inputs.
#[derive(Args, Debug, Clone, Default)]
pub struct PfxPasswordArgs {
    /// Password of PKCS#12 (.pfx) inputs, first line of this file (also: PICERT_PFX_PASSWORD)
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

impl PfxPasswordArgs {
    /// The password, from the file or the environment, if given.
    pub fn read(&self) -> Result<Option<String>, CliError> {
        Ok(secrets::read(self.password_file.as_deref(), PFX_PASSWORD_ENV)?.map(|p| p.to_string()))
    }
}

/// How to reach live endpoints.
#[derive(Args, Debug, Clone)]
pub struct ConnectArgs {
    /// Seconds to wait for each connection and handshake
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,
    /// Present this certificate (PEM, with its intermediates) when the server asks for one, as
    /// a partner Edge does
    #[arg(
        long,
        value_name = "FILE",
        requires = "client_key",
        conflicts_with = "client_pfx"
    )]
    pub client_cert: Option<PathBuf>,
    /// The key of --client-cert (PKCS#8, PKCS#1 or SEC1; passphrase: --key-passphrase-file or
    /// PICERT_KEY_PASSPHRASE)
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
    /// Present the certificate and key of this PKCS#12 file (password: --password-file or
    /// PICERT_PFX_PASSWORD)
    #[arg(long, value_name = "FILE")]
    pub client_pfx: Option<PathBuf>,
    /// Passphrase of an encrypted --client-key, first line of this file (also:
    /// PICERT_KEY_PASSPHRASE)
    #[arg(long, value_name = "FILE")]
    pub key_passphrase_file: Option<PathBuf>,
}

impl ConnectArgs {
    /// The timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout.max(1))
    }

    /// The certificate to present when a server asks for one, if given.
    /// The `--connect` targets, parsed, and the client identity to present to them (read only
    /// when there is a target).
    pub fn targets(
        &self,
        connect: &[String],
        pfx: &PfxPasswordArgs,
    ) -> Result<(Vec<Target>, Option<ClientIdentity>), CliError> {
        let targets = connect
            .iter()
            .map(|t| {
                t.parse::<Target>()
                    .map_err(|e| CliError::usage(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let client = if targets.is_empty() {
            None
        } else {
            self.identity(pfx)?
        };
        Ok((targets, client))
    }

    pub fn identity(&self, pfx: &PfxPasswordArgs) -> Result<Option<ClientIdentity>, CliError> {
        if let Some(path) = &self.client_pfx {
            let password = pfx.read()?.ok_or_else(|| {
                CliError::input(
                    path,
                    "a PKCS#12 (.pfx) file: give its password with --password-file or PICERT_PFX_PASSWORD",
                )
            })?;
            let bytes = read_file(path)?;
            return ClientIdentity::from_pkcs12(&bytes, &password)
                .map(Some)
                .map_err(|e| CliError::input(path, e));
        }
        let (Some(cert), Some(key_path)) = (&self.client_cert, &self.client_key) else {
            return Ok(None);
        };
        // It only opens the key: an empty passphrase is taken, as the key may have one.
        let passphrase = secrets::read(self.key_passphrase_file.as_deref(), PASSPHRASE_ENV)?;
        let key = PrivateKey::from_bytes(
            &read_file(key_path)?,
            passphrase.as_ref().map(|p| p.as_bytes()),
        )
        .map_err(|e| CliError::input(key_path, hints::core(&e)))?;
        ClientIdentity::new(&read_file(cert)?, &key)
            .map(Some)
            .map_err(|e| CliError::input(cert, e))
    }

    /// The library's connection options, for a server name.
    pub fn options(
        &self,
        server_name: Option<String>,
        client: Option<ClientIdentity>,
    ) -> ConnectOptions {
        ConnectOptions {
            server_name,
            timeout: self.timeout(),
            address: None,
            client,
            probe_versions: true,
        }
    }
}

/// Parses `--fail-on`.
pub fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

/// Parses a time flag.
pub fn parse_time(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse(s).map_err(|e| e.to_string())
}
