//! The ACME account and its key file: found again with the key on later runs; created on the
//! first (with the contact, the terms and the External Account Binding), its key then written
//! as picert writes every key (0600, complete or not at all, never over an existing file).

use instant_acme::{Account, ExternalAccountKey, Key, NewAccount};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::error::{from_acme, nonce_retry, AcmeError};
use crate::http::AcmeHttp;
use crate::{AcmeOptions, Progress};

fn builder(options: &AcmeOptions) -> Result<instant_acme::AccountBuilder, AcmeError> {
    let http = AcmeHttp::new(
        &options.directory,
        &options.directory_roots,
        options.timeout,
    )
    .map_err(|e| AcmeError::Setup(format!("the ACME server's extra roots: {e}")))?;
    Ok(Account::builder_with_http(Box::new(http)))
}

fn key_error(options: &AcmeOptions, why: impl Into<String>) -> AcmeError {
    AcmeError::AccountKey {
        path: options.account_key.display().to_string(),
        why: why.into(),
    }
}

/// The account for `options.account_key`: found, or created now.
pub(crate) async fn account(
    options: &AcmeOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Account, AcmeError> {
    let contacts: Vec<String> = options
        .contact
        .iter()
        .map(|c| format!("mailto:{c}"))
        .collect();
    let contacts: Vec<&str> = contacts.iter().map(String::as_str).collect();
    if options.account_key.exists() {
        let bytes = std::fs::read(&options.account_key)
            .map_err(|e| key_error(options, picert_core::io_message(&e)))?;
        let der = PrivatePkcs8KeyDer::from_pem_slice(&bytes).map_err(|_| {
            key_error(
                options,
                "not an ACME account key (an ECDSA P-256 key in PKCS#8 PEM, PRIVATE KEY)",
            )
        })?;
        let key = || {
            Key::from_pkcs8_der(der.clone_key())
                .map(|k| (k, PrivateKeyDer::Pkcs8(der.clone_key())))
                .map_err(|_| key_error(options, "an ACME account key must be ECDSA P-256"))
        };
        // The account this key opened (onlyReturnExisting), else a new one for the key.
        match nonce_retry!(
            builder(options)?
                .from_key(key()?, options.directory.clone())
                .await
        ) {
            Ok((account, _)) => {
                progress(Progress::Account {
                    url: account.id().to_string(),
                    created: false,
                });
                return Ok(account);
            }
            Err(instant_acme::Error::Api(p))
                if p.r#type
                    .as_deref()
                    .is_some_and(|t| t.ends_with(":accountDoesNotExist")) => {}
            Err(e) => {
                return Err(from_acme(
                    options,
                    "looking up the account (directory, newAccount)",
                    e,
                ))
            }
        }
        if options.eab.is_some() {
            return Err(AcmeError::EabNeedsNewKey {
                path: options.account_key.display().to_string(),
            });
        }
        let (account, _) = nonce_retry!(
            builder(options)?
                .create_from_key(key()?, options.directory.clone())
                .await
        )
        .map_err(|e| {
            match from_acme(options, "creating the account (directory, newAccount)", e) {
                AcmeError::EabRequired => AcmeError::EabNeedsNewKey {
                    path: options.account_key.display().to_string(),
                },
                other => other,
            }
        })?;
        if !contacts.is_empty() {
            nonce_retry!(account.update_contacts(&contacts).await)
                .map_err(|e| from_acme(options, "setting the account's contact (account)", e))?;
        }
        progress(Progress::Account {
            url: account.id().to_string(),
            created: true,
        });
        return Ok(account);
    }
    // No key yet: a new account and its new key, then the key in its file.
    picert_core::store::ensure_parent(&options.account_key)?;
    let eab = options
        .eab
        .as_ref()
        .map(|e| ExternalAccountKey::new(e.kid.clone(), &e.hmac));
    let (account, credentials) = nonce_retry!(
        builder(options)?
            .create(
                &NewAccount {
                    contact: &contacts,
                    terms_of_service_agreed: options.agree_tos,
                    only_return_existing: false,
                },
                options.directory.clone(),
                eab.as_ref(),
            )
            .await
    )
    .map_err(|e| from_acme(options, "creating the account (directory, newAccount)", e))?;
    let text = zeroize::Zeroizing::new(pem_encode(
        "PRIVATE KEY",
        credentials.private_key().secret_pkcs8_der(),
    ));
    picert_core::store::write_all(
        &[picert_core::store::Output {
            path: options.account_key.clone(),
            contents: text.as_bytes(),
            secret: true,
        }],
        false,
    )?;
    progress(Progress::Account {
        url: account.id().to_string(),
        created: true,
    });
    Ok(account)
}

/// PEM with 64-column base64 lines.
fn pem_encode(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_keys_are_written_as_pkcs8_pem() {
        let (_, der) = Key::generate_pkcs8().unwrap();
        let pem = pem_encode("PRIVATE KEY", der.secret_pkcs8_der());
        assert!(pem.lines().all(|l| l.len() <= 64));
        let back = PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes()).unwrap();
        assert_eq!(back.secret_pkcs8_der(), der.secret_pkcs8_der());
        assert!(Key::from_pkcs8_der(back).is_ok());
    }
}
