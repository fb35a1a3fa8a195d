//! The libraries' typed errors, worded for this command line: where a flag or a variable
//! fixes the problem, the message names it.

use picert_core::deployment::PoolError;
use picert_core::plan::PlanError;
use picert_core::{Error, KeyError, Missing, RenewalError, SettingError};
use picert_verify::input::InputError;
use picert_verify::{Failure, InputReport};

/// A picert-core error, with the flag that fixes it.
pub fn core(e: &Error) -> String {
    match e {
        Error::Missing(Missing::AccessEdge) => {
            "missing the Access Edge external FQDN (access_edge in the topology, or --access-edge)"
                .into()
        }
        Error::Missing(Missing::SipDomain) => {
            "missing at least one SIP domain (sip_domains in the topology, or --sip-domain)".into()
        }
        Error::Exists(path) => {
            format!("{path}: already exists; picert never overwrites a file without --force")
        }
        Error::Setting(SettingError::HashNotForKey { key, fixed, asked }) => {
            format!("{key} signs with {fixed}; --hash {asked} cannot be used with it")
        }
        Error::Setting(SettingError::TemplateExtensionWithoutTemplate) => {
            "--template-extension needs a template name, but the template is 'none'".into()
        }
        Error::Setting(SettingError::KeyTypeMismatch { key, asked }) => format!(
            "the key is {key}, but the key type asked for (--key-type or key_type in the topology) is {asked}"
        ),
        Error::Setting(SettingError::CngKeyForSfb2015 { .. }) => format!(
            "{e} (--key-type rsa2048 or key_type in the topology; --force goes ahead anyway)"
        ),
        Error::Key(KeyError::PassphraseNeeded) => {
            "the key is encrypted: give its passphrase with --key-passphrase-file or PICERT_KEY_PASSPHRASE".into()
        }
        Error::Renewal(RenewalError::KeyDoesNotMatch) => {
            "this key does not match the certificate in service (--reuse-key keeps that certificate's key)"
                .into()
        }
        Error::Pool(PoolError::Choose { .. } | PoolError::Unknown { .. }) => {
            format!("{e} (--edge-pool FQDN, or edge_pool in a TOML topology)")
        }
        Error::Plan(PlanError::Choose { .. } | PlanError::Unknown { .. }) => {
            format!("{e} (--pool FQDN)")
        }
        other => other.to_string(),
    }
}

/// A reading error, with the flag that fixes it.
pub fn input(e: &InputError) -> String {
    match e {
        InputError::Pkcs12PasswordNeeded => {
            "a PKCS#12 (.pfx) file: give its password with --password-file or PICERT_PFX_PASSWORD"
                .into()
        }
        other => other.to_string(),
    }
}

/// Rewords a failure for this command line.
pub fn failure(f: &Failure) -> Failure {
    match f {
        Failure::Input(e) => Failure::Other(input(e)),
        other => other.clone(),
    }
}

/// Rewords a report's error for this command line.
pub fn report(mut report: InputReport) -> InputReport {
    report.error = report.error.as_ref().map(failure);
    report
}
