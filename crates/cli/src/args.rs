//! Argument groups shared by several commands, each defined once: the topology flags, what an
//! audit expects and trusts, output formats, secrets and live connections.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use picert_core::{Timestamp, Topology};
use picert_verify::{AuditOptions, Severity};

use picert_core::PrivateKey;
use picert_verify::live::{ClientIdentity, ConnectOptions};

use crate::hints;
use crate::secrets::{self, PASSPHRASE_ENV, PFX_PASSWORD_ENV};
use crate::{read_file, CliError};

/// The topology flags, over a topology file.
#[derive(Args, Debug, Default, Clone)]
pub struct TopologyArgs {
    /// Topology file (TOML; see docs/topology.md). Flags override its fields.
    #[arg(long, value_name = "FILE")]
    pub topology: Option<PathBuf>,
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
}

impl TopologyArgs {
    /// The topology file (if any) with these flags over it.
    pub fn resolve(&self) -> Result<Topology, CliError> {
        let base = match &self.topology {
            Some(path) => Topology::load(path)?,
            None => Topology::default(),
        };
        Ok(base.overlay(self.flags()))
    }

    /// The flags alone, as a topology.
    pub fn flags(&self) -> Topology {
        Topology {
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
            ..Topology::default()
        }
    }

    /// The same expectations as flags, to repeat in a next-step hint.
    pub fn as_flags(&self) -> String {
        let mut hint = match &self.topology {
            Some(file) => format!(" --topology {}", file.display()),
            None => String::new(),
        };
        for (flag, value) in [
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
        hint
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
        })
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
        let passphrase = secrets::read_non_empty(
            self.key_passphrase_file.as_deref(),
            PASSPHRASE_ENV,
            "key passphrase",
        )?;
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
