//! When the certificate in service is due for renewal: once a third or less of its lifetime is
//! left (for a 200-day certificate, 66 days and 16 hours before it expires; for a 47-day one,
//! 15 days and 16 hours), or as soon as the CA's ACME Renewal Information (RFC 9773) says its
//! window has opened.

use picert_core::Timestamp;
use rustls_pki_types::CertificateDer;

use crate::error::{from_acme, AcmeError};
use crate::{AcmeOptions, Progress};

/// Whether to renew now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// Renew now; why.
    Now(String),
    /// Not yet: when, and why then.
    Later {
        /// When renewal becomes due.
        at: Timestamp,
        /// Why then.
        reason: String,
    },
}

/// The time a third of the lifetime is left.
pub(crate) fn third_left(not_before: Timestamp, not_after: Timestamp) -> Timestamp {
    let lifetime = not_after.unix() - not_before.unix();
    not_after.plus_seconds(-lifetime / 3)
}

/// By the lifetime alone.
pub(crate) fn by_lifetime(not_before: Timestamp, not_after: Timestamp, now: Timestamp) -> Due {
    let at = third_left(not_before, not_after);
    // Rounded: CAs end a 90-day certificate a second early (RFC 5280 counts notAfter in).
    let days = (not_after.unix() - not_before.unix() + 43_200).div_euclid(86_400);
    if now >= at {
        Due::Now(format!(
            "a third or less of its {days}-day lifetime is left (since {}; it expires {})",
            at.date(),
            not_after.date()
        ))
    } else {
        Due::Later {
            at,
            reason: format!(
                "when a third of its {days}-day lifetime is left; it expires {}",
                not_after.date()
            ),
        }
    }
}

/// The window the CA suggests, against `now` and the lifetime rule.
pub(crate) fn with_window(lifetime: Due, start: Timestamp, end: Timestamp, now: Timestamp) -> Due {
    match lifetime {
        due @ Due::Now(_) => due,
        _ if now >= start => Due::Now(format!(
            "the CA's renewal window opened on {} (it closes {})",
            start.date(),
            end.date()
        )),
        Due::Later { at, .. } if start < at => Due::Later {
            at: start,
            reason: format!("when the CA's renewal window opens (until {})", end.date()),
        },
        later => later,
    }
}

/// Whether `certificate` (the certificate in service) is due at `now`: by its lifetime, and,
/// when the account key exists and the CA's directory offers it, by its ACME Renewal
/// Information. Without an account key no account is created just to ask.
pub fn renewal_due(
    options: &AcmeOptions,
    certificate: &CertificateDer<'_>,
    now: Timestamp,
    progress: &mut dyn FnMut(Progress),
) -> Result<Due, AcmeError> {
    let facts = picert_verify::facts::certificate_facts(certificate)
        .map_err(|e| AcmeError::Setup(format!("the certificate in service: {e}")))?;
    let (Some(nb), Some(na)) = (facts.not_before, facts.not_after) else {
        return Err(AcmeError::Setup(
            "the certificate in service has no validity period".into(),
        ));
    };
    let lifetime = by_lifetime(nb, na, now);
    if matches!(lifetime, Due::Now(_)) || !options.account_key.exists() {
        return Ok(lifetime);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AcmeError::Setup(format!("cannot start the ACME client: {e}")))?;
    let asked = runtime.block_on(crate::stop::unless_asked(
        options,
        "before renewal information was read: nothing was written",
        async {
            let account = crate::account::account(options, &mut *progress).await?;
            let id = instant_acme::CertificateIdentifier::try_from(certificate)
                .map_err(|e| AcmeError::Setup(format!("the certificate in service: {e}")))?;
            match account.renewal_info(&id).await {
                Ok((info, _)) => {
                    let ts = |t: time::OffsetDateTime| Timestamp::from_unix(t.unix_timestamp());
                    Ok(Some((
                        ts(info.suggested_window.start),
                        ts(info.suggested_window.end),
                    )))
                }
                // No renewalInfo in the directory: the lifetime decides.
                Err(instant_acme::Error::Unsupported(_)) => Ok(None),
                Err(e) => Err(from_acme(
                    options,
                    "asking for renewal information (renewalInfo)",
                    e,
                )),
            }
        },
    ));
    match asked {
        Ok(Some((start, end))) => Ok(with_window(lifetime, start, end, now)),
        Ok(None) => Ok(lifetime),
        // The CA cannot be asked today (down, refusing, not trusted): the lifetime rule, which
        // says "not yet", stands; a daily job does not fail on a day with nothing to do. A
        // problem with the account key itself is still an error.
        Err(
            e @ (AcmeError::Unreachable { .. }
            | AcmeError::UntrustedServer { .. }
            | AcmeError::Ca(_)
            | AcmeError::Timeout(_)),
        ) => {
            progress(Progress::RenewalInfoUnavailable {
                error: e.to_string(),
            });
            Ok(lifetime)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_third_of_the_lifetime_and_the_cas_window() {
        let nb = Timestamp::from_date(2026, 4, 1);
        let na = nb.plus_days(200).plus_seconds(-1);
        let at = third_left(nb, na);
        assert_eq!(at.date(), "2026-08-12");
        assert!(matches!(
            by_lifetime(nb, na, Timestamp::from_date(2026, 8, 12)),
            Due::Later { .. }
        ));
        let Due::Now(why) = by_lifetime(nb, na, Timestamp::from_date(2026, 8, 13)) else {
            panic!()
        };
        assert!(
            why.starts_with("a third or less of its 200-day lifetime is left (since 2026-08-12"),
            "{why}"
        );
        // 47 days: due 16 days before the end.
        let short = nb.plus_days(47);
        assert_eq!(nb.days_until(third_left(nb, short)), 31);
        // A window that opens early (a revocation coming) makes it due now; one that opens
        // later than the lifetime rule does not delay it.
        let early = with_window(
            by_lifetime(nb, na, Timestamp::from_date(2026, 6, 1)),
            Timestamp::from_date(2026, 5, 30),
            Timestamp::from_date(2026, 6, 2),
            Timestamp::from_date(2026, 6, 1),
        );
        assert!(
            matches!(early, Due::Now(ref why) if why.contains("renewal window opened on 2026-05-30"))
        );
        let soon = with_window(
            by_lifetime(nb, na, Timestamp::from_date(2026, 6, 1)),
            Timestamp::from_date(2026, 7, 1),
            Timestamp::from_date(2026, 7, 3),
            Timestamp::from_date(2026, 6, 1),
        );
        assert!(matches!(soon, Due::Later { at, .. } if at.date() == "2026-07-01"));
        let late = with_window(
            by_lifetime(nb, na, Timestamp::from_date(2026, 6, 1)),
            Timestamp::from_date(2026, 9, 1),
            Timestamp::from_date(2026, 9, 3),
            Timestamp::from_date(2026, 6, 1),
        );
        assert!(matches!(late, Due::Later { at, .. } if at.date() == "2026-08-12"));
    }
}
