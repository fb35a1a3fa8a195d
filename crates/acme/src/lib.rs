//! picert-acme: unattended issuance and renewal of the Edge Server external certificate over
//! ACME (RFC 8555), with dns-01 challenges (an Edge has no web server for http-01).
//!
//! The request is picert-core's: the PIC table's subject and SANs in their order (or, for a
//! renewal, the names of the certificate in service), signed by a key picert-core generates or
//! reuses; picert-verify audits what the CA returns. The ACME protocol is instant-acme's, over
//! picert's own HTTP client (aws-lc-rs, the roots picert chooses, bounded in time and retries).
//!
//! - [`AcmeOptions`]: the CA, the account, EAB, timeouts.
//! - [`issue`]: account, order, challenges through a [`ChallengeDns`] (such as
//!   [`CommandHook`]), the CSR, the chain.
//! - [`run`]: the whole job `picert acme` does: [`issue`], the audit, and the files (the chain,
//!   the key, a PKCS#12 file) written together or not at all.
//! - [`recover`]: the set in place put right after an interruption, from the generations
//!   [`run`] keeps beside it.
//! - [`status`]: the generations kept and whether the files in place are the committed one's,
//!   read only (what [`recover`] would repair, said instead of done).
//! - [`renewal_due`]: whether the certificate in service is due (a third of its lifetime left,
//!   or the CA's ACME Renewal Information window, RFC 9773).
//!
//! Nothing here prints: progress is reported through a callback ([`Progress`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod account;
mod due;
mod error;
mod generations;
mod hook;
mod http;
mod inplace;
mod issue;
mod job;
mod paths;
mod status;
mod stop;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::CertificateDer;

pub use due::{renewal_due, Due};
pub use error::{problem_text, AcmeError};
pub use generations::{recover, InPlace, Role};
pub use hook::{ChallengeDns, CommandHook, DeployError, DeployHook, HookError};
pub use issue::{issue, Issued};
pub use job::{
    check_plan, dry_run, run, AcmeJob, AcmeOutcome, DeployScriptOutput, DryRunOutcome, PfxOutput,
};
pub use status::{status, status_of_chain, FileStatus, GenerationStatus, StoreStatus};

/// Let's Encrypt's production directory.
pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";
/// Let's Encrypt's staging directory.
pub const LETS_ENCRYPT_STAGING: &str = "https://acme-staging-v02.api.letsencrypt.org/directory";

/// The directory URL for a name (`letsencrypt`, `letsencrypt-staging`) or a URL.
pub fn directory_url(name_or_url: &str) -> String {
    match name_or_url.to_ascii_lowercase().as_str() {
        "letsencrypt" | "lets-encrypt" | "le" => LETS_ENCRYPT.into(),
        "letsencrypt-staging" | "lets-encrypt-staging" | "le-staging" => {
            LETS_ENCRYPT_STAGING.into()
        }
        _ => name_or_url.to_string(),
    }
}

/// External Account Binding (RFC 8555 7.3.4): what commercial CAs' ACME endpoints require.
#[derive(Clone)]
pub struct Eab {
    /// The key identifier the CA gave.
    pub kid: String,
    /// The HMAC key, decoded (CAs hand it out in base64url; see [`Eab::from_base64`]).
    pub hmac: zeroize::Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Eab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Eab")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Eab {
    /// From the key identifier and the HMAC key as CAs give it (base64url, padded or not;
    /// standard base64 is accepted too).
    pub fn from_base64(kid: &str, hmac: &str) -> Result<Eab, AcmeError> {
        use base64::Engine;
        let text = hmac.trim();
        let engines = [
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
            base64::engine::general_purpose::URL_SAFE,
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::STANDARD_NO_PAD,
        ];
        let key = engines
            .iter()
            .find_map(|e| e.decode(text).ok())
            .filter(|k| !k.is_empty())
            .ok_or(AcmeError::EabKey)?;
        Ok(Eab {
            kid: kid.trim().to_string(),
            hmac: zeroize::Zeroizing::new(key),
        })
    }
}

/// Where and how to get a certificate.
#[derive(Debug, Clone)]
pub struct AcmeOptions {
    /// The CA's directory URL.
    pub directory: String,
    /// Extra roots trusted for the ACME server's own TLS (a lab CA, a test server); Mozilla's
    /// roots are always trusted.
    pub directory_roots: Vec<CertificateDer<'static>>,
    /// The account key file: an ECDSA P-256 key in PKCS#8 PEM, created (0600, never
    /// overwritten) with a new account when missing.
    pub account_key: PathBuf,
    /// Contact e-mail addresses.
    pub contact: Vec<String>,
    /// The CA's terms of service are agreed to.
    pub agree_tos: bool,
    /// External Account Binding, when the CA requires it.
    pub eab: Option<Eab>,
    /// An ACME profile to ask for; `None` picks Let's Encrypt's `classic` when offered (it
    /// keeps the subject CN the table needs), else the CA's default.
    pub profile: Option<String>,
    /// The wait between publishing the challenges and asking the CA to validate them.
    pub propagation_wait: Duration,
    /// The longest one step may take: an HTTP exchange, a DNS hook run. Polls for validation
    /// and issuance wait up to four times this.
    pub timeout: Duration,
    /// Set (by a signal handler of the caller's) to stop the run where stopping is safe: the
    /// records published are withdrawn, and a switch to a new set is finished or not begun.
    pub interrupt: Option<Arc<AtomicBool>>,
}

impl AcmeOptions {
    /// Options for `directory` (a URL or a name) and an account key file, with the defaults:
    /// no contact, terms not agreed, no EAB, no wait, 30 seconds per step.
    pub fn new(directory: &str, account_key: PathBuf) -> AcmeOptions {
        AcmeOptions {
            directory: directory_url(directory),
            directory_roots: Vec::new(),
            account_key,
            contact: Vec::new(),
            agree_tos: false,
            eab: None,
            profile: None,
            propagation_wait: Duration::ZERO,
            timeout: Duration::from_secs(30),
            interrupt: None,
        }
    }

    fn is_lets_encrypt(&self) -> bool {
        self.directory == LETS_ENCRYPT || self.directory == LETS_ENCRYPT_STAGING
    }
}

/// What happens, as it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// The account is ready: created now (with its key written), or found.
    Account {
        /// The account URL.
        url: String,
        /// Created by this run.
        created: bool,
    },
    /// The order is placed.
    Order {
        /// The names, in the request's order.
        names: Vec<String>,
        /// The profile asked for.
        profile: Option<String>,
    },
    /// A name the CA had already validated for this account: no challenge.
    AlreadyValid {
        /// The name.
        name: String,
    },
    /// A challenge record was published.
    Published {
        /// `_acme-challenge.` and the name.
        record: String,
    },
    /// Waiting for the records to propagate.
    Waiting {
        /// How long.
        seconds: u64,
    },
    /// Every name is validated.
    Validated,
    /// A challenge record could not be withdrawn (the certificate is not affected).
    NotWithdrawn {
        /// What the hook said.
        error: String,
    },
    /// The CA issued the certificate.
    Issued,
    /// Whether the set in place (the chain, the key, the PKCS#12 file) belongs together: the
    /// key is the certificate's and the PKCS#12 file holds both. Said before the order, of the
    /// set the run will replace (`new` false), and once the new set is written (`new` true).
    SetInPlace {
        /// The set just written.
        new: bool,
        /// The files checked, when they belong together.
        files: Vec<String>,
        /// Why they do not, naming the file.
        mismatch: Option<String>,
    },
    /// A new generation of the set is written (not yet in use).
    GenerationWritten {
        /// Its folder.
        dir: String,
    },
    /// The committed generation is now this one: the one atomic step.
    Switched {
        /// The store folder.
        store: String,
        /// The generation.
        generation: u32,
    },
    /// A file of the committed generation is in place.
    Placed {
        /// The file.
        file: String,
    },
    /// The files in place are the committed generation's, each as written.
    GenerationInPlace {
        /// The store folder.
        store: String,
        /// The committed generation.
        generation: u32,
        /// Its certificate's thumbprint.
        thumbprint: String,
        /// The files in place.
        files: Vec<String>,
    },
    /// A set an interruption left split was completed from the committed generation.
    Repaired {
        /// The store folder.
        store: String,
        /// The committed generation.
        generation: u32,
        /// Its certificate's thumbprint.
        thumbprint: String,
        /// Each file written again, with what it held.
        files: Vec<String>,
    },
    /// A generation an interrupted run wrote but never switched to was removed.
    Discarded {
        /// The store folder.
        store: String,
        /// The generation.
        generation: u32,
    },
    /// The deploy hook ran, and succeeded, for the new set.
    Deployed {
        /// The program.
        program: String,
    },
    /// The CA's renewal information could not be asked for; the lifetime rule decided.
    RenewalInfoUnavailable {
        /// Why.
        error: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_names_and_eab_keys() {
        assert_eq!(directory_url("letsencrypt"), LETS_ENCRYPT);
        assert_eq!(directory_url("LetsEncrypt-Staging"), LETS_ENCRYPT_STAGING);
        assert_eq!(
            directory_url("https://ca.example/dir"),
            "https://ca.example/dir"
        );
        let eab = Eab::from_base64("kid-1", "Iwc2HmxBJ2O5oRLKF_YYDrYjTcjX2ZlE1n1_3jE0nmY").unwrap();
        assert_eq!(eab.hmac.len(), 32);
        assert!(!format!("{eab:?}").contains("hmac"), "the key is not shown");
        assert!(matches!(
            Eab::from_base64("k", "%%%"),
            Err(AcmeError::EabKey)
        ));
        assert!(AcmeOptions::new("letsencrypt", "k".into()).is_lets_encrypt());
    }
}
