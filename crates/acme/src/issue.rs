//! One issuance: the order for the request's names, every dns-01 challenge published first and
//! then validated together, the CSR picert-core builds, and the chain the CA returns.

use std::time::Duration;

use instant_acme::{
    AuthorizationStatus, ChallengeStatus, ChallengeType, Identifier, NewOrder, OrderStatus,
    RetryPolicy,
};
use picert_core::{build_request, PrivateKey, RequestPlan};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use crate::account::account;
use crate::error::{from_acme, is_bad_nonce, nonce_retry, problem_text, AcmeError, NONCE_ATTEMPTS};
use crate::hook::ChallengeDns;
use crate::stop::{asked, unless_asked};
use crate::{AcmeOptions, Progress};

/// What an interruption before issuance leaves: the records are withdrawn before it is said.
const BEFORE_ISSUANCE: &str =
    "before the certificate was issued: nothing was written, and every record published was withdrawn";

/// What the CA issued.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The leaf, then the intermediates, as the CA sent them.
    pub chain: Vec<CertificateDer<'static>>,
    /// The same as PEM, as the CA sent it.
    pub chain_pem: String,
    /// The account URL.
    pub account: String,
    /// The order URL.
    pub order: String,
    /// The profile the CA applied, when it says.
    pub profile: Option<String>,
}

/// The profile to ask for: the one given, else Let's Encrypt's `classic` when the directory
/// lists it (it keeps a subject CN; `tlsserver` has none), else none.
pub(crate) fn choose_profile(options: &AcmeOptions, offered: &[String]) -> Option<String> {
    if let Some(p) = &options.profile {
        return Some(p.clone());
    }
    (options.is_lets_encrypt() && offered.iter().any(|p| p == "classic")).then(|| "classic".into())
}

/// Issues the certificate `plan` describes, signed with `key`: places the order, publishes
/// every challenge with `dns`, waits, asks the CA to validate them all, withdraws them, sends
/// the CSR and fetches the chain. Nothing is written here but the account key of a new account.
pub fn issue(
    options: &AcmeOptions,
    plan: &RequestPlan,
    key: &PrivateKey,
    dns: &dyn ChallengeDns,
    progress: &mut dyn FnMut(Progress),
) -> Result<Issued, AcmeError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AcmeError::Setup(format!("cannot start the ACME client: {e}")))?;
    runtime.block_on(issue_async(options, plan, key, dns, progress))
}

async fn issue_async(
    options: &AcmeOptions,
    plan: &RequestPlan,
    key: &PrivateKey,
    dns: &dyn ChallengeDns,
    progress: &mut dyn FnMut(Progress),
) -> Result<Issued, AcmeError> {
    let account = unless_asked(options, BEFORE_ISSUANCE, account(options, progress)).await?;
    let names: Vec<String> = plan
        .profile
        .san_plan()
        .names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let identifiers: Vec<Identifier> = names.iter().cloned().map(Identifier::Dns).collect();
    let offered: Vec<String> = account.profiles().map(|p| p.name.to_string()).collect();
    let profile = choose_profile(options, &offered);
    let mut new_order = NewOrder::new(&identifiers);
    if let Some(p) = &profile {
        new_order = new_order.profile(p);
    }
    let mut order = unless_asked(options, BEFORE_ISSUANCE, async {
        nonce_retry!(account.new_order(&new_order).await)
            .map_err(|e| from_acme(options, "placing the order (newOrder)", e))
    })
    .await?;
    progress(Progress::Order {
        names: names.clone(),
        profile: profile.clone(),
    });

    // Every authorization read first (a refused nonce asks again for the ones not read yet).
    unless_asked(
        options,
        BEFORE_ISSUANCE,
        read_authorizations(options, &mut order),
    )
    .await?;
    // Every challenge published first.
    let mut published: Vec<(String, String)> = Vec::new();
    let publish = async {
        let mut authorizations = order.authorizations();
        while let Some(authorization) = authorizations.next().await {
            let mut authorization = authorization
                .map_err(|e| from_acme(options, "reading the authorizations (authorization)", e))?;
            let name = match &authorization.identifier().identifier {
                Identifier::Dns(name) => name.clone(),
                other => format!("{other:?}"),
            };
            match authorization.status {
                AuthorizationStatus::Valid => {
                    progress(Progress::AlreadyValid { name });
                    continue;
                }
                AuthorizationStatus::Pending => {}
                other => {
                    return Err(AcmeError::Ca(format!(
                        "the authorization for {name} is {other:?}"
                    )))
                }
            }
            let challenge = authorization
                .challenge(ChallengeType::Dns01)
                .ok_or_else(|| AcmeError::NoDns01(name.clone()))?;
            let record = format!("_acme-challenge.{}", name.trim_start_matches("*."));
            let value = challenge.key_authorization().dns_value();
            if asked(options) {
                return Err(AcmeError::Interrupted(BEFORE_ISSUANCE.into()));
            }
            dns.add(&record, &value)?;
            progress(Progress::Published {
                record: record.clone(),
            });
            published.push((record, value));
        }
        Ok::<(), AcmeError>(())
    }
    .await;
    let outcome = match publish {
        // Interrupted while waiting (for propagation, for the CA): the records are still
        // withdrawn below.
        Ok(()) => {
            unless_asked(
                options,
                BEFORE_ISSUANCE,
                validate(options, &mut order, published.is_empty(), progress),
            )
            .await
        }
        Err(e) => Err(e),
    };
    // Withdrawn whatever happened; a failure to withdraw is said, not fatal.
    for (record, value) in &published {
        if let Err(e) = dns.remove(record, value) {
            progress(Progress::NotWithdrawn {
                error: e.to_string(),
            });
        }
    }
    outcome?;

    let request = build_request(&plan.profile, key)?;
    let chain_pem = unless_asked(options, BEFORE_ISSUANCE, async {
        nonce_retry!(order.finalize_csr(&request.csr_der).await)
            .map_err(|e| from_acme(options, "sending the request (finalize)", e))?;
        nonce_retry!(order.poll_certificate(&policy(options)).await).map_err(|e| {
            from_acme(
                options,
                "waiting for the certificate (order, certificate)",
                e,
            )
        })
    })
    .await?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| AcmeError::Ca(format!("the certificate the CA sent is not PEM: {e}")))?;
    if chain.is_empty() {
        return Err(AcmeError::Ca("the CA sent no certificate".into()));
    }
    progress(Progress::Issued);
    let state = order.state().profile.clone();
    Ok(Issued {
        chain,
        chain_pem,
        account: account.id().to_string(),
        order: order.url().to_string(),
        profile: state.or(profile),
    })
}

/// Reads the state of every authorization of the order (kept in the order: later passes over
/// them ask nothing), each refused nonce asked again.
async fn read_authorizations(
    options: &AcmeOptions,
    order: &mut instant_acme::Order,
) -> Result<(), AcmeError> {
    let mut attempt = 1;
    'again: loop {
        let mut authorizations = order.authorizations();
        while let Some(authorization) = authorizations.next().await {
            if let Err(e) = authorization {
                if is_bad_nonce(&e) && attempt < NONCE_ATTEMPTS {
                    attempt += 1;
                    continue 'again;
                }
                return Err(from_acme(
                    options,
                    "reading the authorizations (authorization)",
                    e,
                ));
            }
        }
        return Ok(());
    }
}

fn policy(options: &AcmeOptions) -> RetryPolicy {
    RetryPolicy::new()
        .initial_delay(Duration::from_millis(250))
        .backoff(2.0)
        .timeout(options.timeout * 4)
}

/// Waits for propagation, asks the CA to validate every pending challenge, and waits for the
/// order to be ready; on failure, names each name the CA refused and why.
async fn validate(
    options: &AcmeOptions,
    order: &mut instant_acme::Order,
    nothing_pending: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), AcmeError> {
    if !nothing_pending {
        if !options.propagation_wait.is_zero() {
            progress(Progress::Waiting {
                seconds: options.propagation_wait.as_secs(),
            });
            tokio::time::sleep(options.propagation_wait).await;
        }
        // A CA may validate a challenge as soon as it is asked, and then refuse to be asked
        // for the next ones once one has failed (Pebble answers 403 "unauthorized"): when a
        // challenge is invalid by then, the names are named as after a failed poll; any other
        // refusal (a rate limit, a CA's own failure) is said as the CA said it.
        let mut refused = None;
        let mut authorizations = order.authorizations();
        while let Some(authorization) = authorizations.next().await {
            let mut authorization = authorization
                .map_err(|e| from_acme(options, "reading the authorizations (authorization)", e))?;
            if authorization.status != AuthorizationStatus::Pending {
                continue;
            }
            if let Some(mut challenge) = authorization.challenge(ChallengeType::Dns01) {
                match nonce_retry!(challenge.set_ready().await) {
                    Ok(()) => {}
                    Err(e @ instant_acme::Error::Api(_)) => {
                        refused = Some(e);
                        break;
                    }
                    Err(e) => {
                        return Err(from_acme(options, "asking for validation (challenge)", e))
                    }
                }
            }
        }
        if let Some(e) = refused {
            let failures = invalid_challenges(order).await;
            return Err(if failures.is_empty() {
                from_acme(options, "asking for validation (challenge)", e)
            } else {
                AcmeError::Validation(failures)
            });
        }
    }
    let status = nonce_retry!(order.poll_ready(&policy(options)).await);
    match status {
        Ok(OrderStatus::Ready) => {
            progress(Progress::Validated);
            Ok(())
        }
        Ok(other) => Err(refusals(order, format!("the order is {other:?}")).await),
        Err(instant_acme::Error::Api(problem)) => {
            Err(refusals(order, problem_text(&problem)).await)
        }
        Err(e) => Err(from_acme(options, "waiting for validation (order)", e)),
    }
}

/// Each name whose challenge the CA refused, with the CA's reason; `fallback` when none says.
async fn refusals(order: &mut instant_acme::Order, fallback: String) -> AcmeError {
    let mut failures = invalid_challenges(order).await;
    if failures.is_empty() {
        failures.push(("the order".into(), fallback));
    }
    AcmeError::Validation(failures)
}

/// Each `_acme-challenge.<name>` whose dns-01 challenge the CA holds invalid, with its reason.
async fn invalid_challenges(order: &mut instant_acme::Order) -> Vec<(String, String)> {
    let mut failures = Vec::new();
    let mut authorizations = order.authorizations();
    while let Some(Ok(mut authorization)) = authorizations.next().await {
        let _ = authorization.refresh().await;
        let name = match &authorization.identifier().identifier {
            Identifier::Dns(name) => name.clone(),
            other => format!("{other:?}"),
        };
        for challenge in &authorization.challenges {
            if challenge.r#type == ChallengeType::Dns01
                && challenge.status == ChallengeStatus::Invalid
            {
                let why = challenge
                    .error
                    .as_ref()
                    .map(problem_text)
                    .unwrap_or_else(|| "refused".into());
                failures.push((format!("_acme-challenge.{name}"), why));
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lets_encrypt_gets_classic_when_it_offers_it() {
        let le = AcmeOptions::new("letsencrypt", "k".into());
        let offered = vec!["classic".to_string(), "tlsserver".to_string()];
        assert_eq!(choose_profile(&le, &offered).as_deref(), Some("classic"));
        assert_eq!(choose_profile(&le, &[]), None);
        let other = AcmeOptions::new("https://ca.example/dir", "k".into());
        assert_eq!(choose_profile(&other, &offered), None);
        let mut asked = other.clone();
        asked.profile = Some("tlsserver".into());
        assert_eq!(choose_profile(&asked, &[]).as_deref(), Some("tlsserver"));
    }
}
