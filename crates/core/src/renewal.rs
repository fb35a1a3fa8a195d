//! Planning a request: the topology, the key given (if any), and for a renewal the certificate
//! in service, reconciled into one [`EdgeProfile`] and the [`Note`]s that say what changed.
//!
//! The renewal policy: the subject is always SAN 1; every name of the certificate in service is
//! kept in its order and the names the topology adds come after them; the subject fields, EKUs
//! and key type of the certificate in service are kept unless the topology or the caller says
//! otherwise; AOL declared off drops the client EKU; a key to reuse must be the certificate's.

use crate::algorithms::KeyType;
use crate::error::{Error, RenewalError, SettingError};
use crate::key::{KeyKind, PrivateKey};
use crate::names::normalize_fqdn;
use crate::notes::Note;
use crate::plan::CertificatePlan;
use crate::platform::Product;
use crate::profile::EdgeProfile;
use crate::san::{SanEntry, SanPlan, SanSource};
use crate::topology::{SubjectFields, Topology};

/// What a renewal takes from the certificate in service. picert-verify reads it from a
/// certificate file (`picert_verify::renewal::read_current`); any other source will do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CurrentCertificate {
    /// The subject's CN, when it has exactly one.
    pub common_name: Option<String>,
    /// The DNS SANs, in their order.
    pub dns_names: Vec<String>,
    /// The subject's other fields.
    pub subject: SubjectFields,
    /// The EKU includes clientAuth.
    pub client_eku: bool,
    /// The key type, when it is one picert makes.
    pub key_type: Option<KeyType>,
    /// The certificate's public key, as a DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
}

/// How a given key is used.
#[derive(Debug, Clone, Copy)]
pub enum GivenKey<'a> {
    /// A key to sign the request with (it decides the key type when none is asked for).
    Use(&'a PrivateKey),
    /// Renewal: the certificate in service's key, which must match it.
    Reuse(&'a PrivateKey),
}

impl<'a> GivenKey<'a> {
    fn key(self) -> &'a PrivateKey {
        match self {
            GivenKey::Use(k) | GivenKey::Reuse(k) => k,
        }
    }
}

/// What a caller allows that picert otherwise refuses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allow {
    /// An ECC key (a CNG key on Windows) for Skype for Business Server 2015, which does not
    /// support CNG certificates: refused unless allowed, and noted when allowed.
    pub cng_key_on_sfb2015: bool,
}

/// The profile to request and what the caller should know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestPlan {
    /// The validated profile.
    pub profile: EdgeProfile,
    /// What changed or deserves a second look, in the order it was found.
    pub notes: Vec<Note>,
}

/// The key type of a key picert reads.
pub fn key_type_of(kind: KeyKind) -> KeyType {
    match kind {
        KeyKind::EcdsaP256 => KeyType::EcdsaP256,
        KeyKind::EcdsaP384 => KeyType::EcdsaP384,
        KeyKind::Rsa(3072) => KeyType::Rsa3072,
        KeyKind::Rsa(4096) => KeyType::Rsa4096,
        KeyKind::Rsa(_) => KeyType::Rsa2048,
    }
}

/// Plans a request from `topology` (a file with flags over it), for a renewal of `current` when
/// given, signed with `key` when given.
///
/// ```
/// use picert_core::renewal::{plan_request, CurrentCertificate};
/// use picert_core::{Note, Topology};
/// let current = CurrentCertificate {
///     common_name: Some("sip.contoso.com".into()),
///     dns_names: vec!["sip.fabrikam.com".into(), "sip.contoso.com".into()],
///     ..CurrentCertificate::default()
/// };
/// let topology = Topology { sip_domains: Some(vec!["contoso.com".into()]), ..Topology::default() };
/// let plan = plan_request(topology, Some(&current), None)?;
/// assert_eq!(plan.profile.san_plan().names(), ["sip.contoso.com", "sip.fabrikam.com"]);
/// assert!(plan.notes.iter().any(|n| matches!(n, Note::SubjectMovedFirst { .. })));
/// # Ok::<(), picert_core::Error>(())
/// ```
pub fn plan_request(
    topology: Topology,
    current: Option<&CurrentCertificate>,
    key: Option<GivenKey<'_>>,
) -> Result<RequestPlan, Error> {
    plan_request_allowing(topology, current, key, Allow::default())
}

/// [`plan_request`], allowing what `allow` says.
pub fn plan_request_allowing(
    topology: Topology,
    current: Option<&CurrentCertificate>,
    key: Option<GivenKey<'_>>,
    allow: Allow,
) -> Result<RequestPlan, Error> {
    plan_inner(topology, current, key, allow, None)
}

/// Plans the request of one certificate of the plan ([`crate::plan::load_certificate`]): its
/// subject and SANs in the plan's order, the server EKU only, and `settings` for the rest
/// (subject fields, key type, hash, template, friendly name), signed with `key` when given.
pub fn plan_certificate_request(
    certificate: &CertificatePlan,
    settings: Topology,
    key: Option<GivenKey<'_>>,
    allow: Allow,
) -> Result<RequestPlan, Error> {
    plan_inner(settings, None, key, allow, Some(certificate))
}

fn plan_inner(
    topology: Topology,
    current: Option<&CurrentCertificate>,
    key: Option<GivenKey<'_>>,
    allow: Allow,
    certificate: Option<&CertificatePlan>,
) -> Result<RequestPlan, Error> {
    let topology_given = !topology.is_empty();
    let mut notes = topology.notes();
    let mut topology = topology;
    // Names the rules refuse stop a renewal before anything else is decided.
    let current = current.map(normalized).transpose()?;
    let current = current.as_ref();
    if let Some(cur) = current {
        let mut taken = Topology {
            access_edge: cur
                .common_name
                .clone()
                .or_else(|| cur.dns_names.first().cloned()),
            sip_domains: Some(sip_domains_of(cur)),
            client_eku: cur.client_eku.then_some(true),
            key_type: cur.key_type,
            subject: Some(cur.subject.clone()),
            ..Topology::default()
        };
        // AOL declared off drops the client EKU of the certificate in service, unless the
        // client EKU is asked for explicitly.
        if taken.client_eku == Some(true)
            && topology.aol == Some(false)
            && topology.client_eku != Some(true)
        {
            taken.client_eku = None;
            notes.push(Note::ClientEkuDropped);
        }
        topology = taken.overlay(topology);
    }
    if let Some(given) = key {
        let k = given.key();
        if let (Some(cur), GivenKey::Reuse(_)) = (current, given) {
            if k.spki_der()? != cur.spki_der {
                return Err(RenewalError::KeyDoesNotMatch.into());
            }
        }
        match topology.key_type {
            Some(asked) if !k.matches(asked) => {
                return Err(SettingError::KeyTypeMismatch {
                    key: k.kind(),
                    asked,
                }
                .into())
            }
            Some(_) => {}
            None => topology.key_type = Some(key_type_of(k.kind())),
        }
    }
    let mut profile = match certificate {
        Some(c) => EdgeProfile::for_certificate(c, topology)?,
        None => EdgeProfile::from_topology(topology)?,
    };
    if profile.platform.product == Some(Product::Sfb2015)
        && !profile.key_type.is_rsa()
        && !allow.cng_key_on_sfb2015
    {
        return Err(SettingError::CngKeyForSfb2015 {
            key: profile.key_type,
        }
        .into());
    }
    if let Some(cur) = current {
        let (plan, renewal_notes) = renewal_sans(cur, &profile, topology_given);
        profile.fixed_sans = Some(plan);
        notes.extend(renewal_notes);
    }
    notes.extend(profile.notes());
    Ok(RequestPlan { profile, notes })
}

/// The certificate's names, normalised as picert writes them.
fn normalized(cur: &CurrentCertificate) -> Result<CurrentCertificate, Error> {
    let normalize =
        |n: &str| normalize_fqdn(n).map_err(|e| Error::Renewal(RenewalError::NameRefused(e)));
    Ok(CurrentCertificate {
        common_name: cur.common_name.as_deref().map(normalize).transpose()?,
        dns_names: cur
            .dns_names
            .iter()
            .map(|n| normalize(n))
            .collect::<Result<_, _>>()?,
        ..cur.clone()
    })
}

/// The SIP domains a certificate serves: those of its `sip.` SANs, else the CN's parent domain.
fn sip_domains_of(cur: &CurrentCertificate) -> Vec<String> {
    let mut domains: Vec<String> = cur
        .dns_names
        .iter()
        .filter_map(|n| n.strip_prefix("sip."))
        .map(str::to_string)
        .collect();
    if domains.is_empty() {
        if let Some((_, parent)) = cur.common_name.as_deref().and_then(|c| c.split_once('.')) {
            domains.push(parent.to_string());
        }
    }
    domains
}

/// Renewal's SAN list: the subject first, then the certificate's names in their order, then
/// what the topology adds; with the notes on what differs from the topology.
fn renewal_sans(
    cur: &CurrentCertificate,
    profile: &EdgeProfile,
    topology_given: bool,
) -> (SanPlan, Vec<Note>) {
    let sans = &cur.dns_names;
    let cn = cur.common_name.clone();
    let subject = SanEntry {
        name: profile.access_edge.clone(),
        source: SanSource::Subject,
    };
    let cert_plan =
        SanPlan::from_entries(
            std::iter::once(subject).chain(sans.iter().map(|n| SanEntry {
                name: n.clone(),
                source: SanSource::CurrentCertificate,
            })),
        );
    let wanted = profile.san_plan();
    let mut notes = Vec::new();
    if sans.first() != Some(&profile.access_edge) && sans.contains(&profile.access_edge) {
        notes.push(Note::SubjectMovedFirst {
            name: profile.access_edge.clone(),
        });
    }
    if topology_given {
        for e in wanted.entries() {
            if !sans.contains(&e.name) {
                notes.push(Note::NameAdded {
                    name: e.name.clone(),
                    source: e.source.clone(),
                });
            }
        }
        for n in sans {
            if !wanted.names().contains(&n.as_str()) {
                notes.push(Note::NameKept { name: n.clone() });
            }
        }
        if let Some(cn) = cn {
            if cn != profile.access_edge {
                notes.push(Note::SubjectChanged {
                    from: cn,
                    to: profile.access_edge.clone(),
                });
            }
        }
    }
    (SanPlan::merged(&cert_plan, &wanted), notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current() -> CurrentCertificate {
        CurrentCertificate {
            common_name: Some("sip.contoso.com".into()),
            dns_names: vec![
                "sip.contoso.com".into(),
                "webcon.contoso.com".into(),
                "sip.litwareinc.com".into(),
            ],
            subject: SubjectFields {
                organization: Some("Contoso".into()),
                ..SubjectFields::default()
            },
            client_eku: true,
            key_type: Some(KeyType::Rsa2048),
            spki_der: vec![1, 2, 3],
        }
    }

    #[test]
    fn keeps_every_name_in_order_and_notes_the_differences() {
        let topology = Topology::from_toml(
            "access_edge = 'sip.contoso.com'\nwebconf_edge = 'webcon.contoso.com'\nsip_domains = ['contoso.com', 'fabrikam.com']\nextra_sans = ['lync.contoso.com']\n",
            "t.toml",
        )
        .unwrap();
        let plan = plan_request(topology, Some(&current()), None).unwrap();
        assert_eq!(
            plan.profile.san_plan().names(),
            [
                "sip.contoso.com",
                "webcon.contoso.com",
                "sip.litwareinc.com",
                "sip.fabrikam.com",
                "lync.contoso.com"
            ]
        );
        assert_eq!(
            plan.profile.subject.organization.as_deref(),
            Some("Contoso")
        );
        assert!(plan.profile.client_eku, "kept from the certificate");
        assert!(plan.notes.contains(&Note::NameKept {
            name: "sip.litwareinc.com".into()
        }));
        assert!(plan.notes.contains(&Note::NameAdded {
            name: "lync.contoso.com".into(),
            source: SanSource::Extra
        }));
        assert!(plan.notes.contains(&Note::ClientEku { aol: false }));
    }

    #[test]
    fn a_new_subject_comes_first_and_aol_off_drops_the_client_eku() {
        let topology = Topology {
            access_edge: Some("access.contoso.com".into()),
            aol: Some(false),
            ..Topology::default()
        };
        let plan = plan_request(topology, Some(&current()), None).unwrap();
        assert_eq!(plan.profile.san_plan().names()[0], "access.contoso.com");
        assert!(!plan.profile.client_eku);
        assert_eq!(plan.notes[0], Note::ClientEkuDropped);
        assert!(plan.notes.contains(&Note::SubjectChanged {
            from: "sip.contoso.com".into(),
            to: "access.contoso.com".into()
        }));
        // Without a topology there is nothing to compare with: no added/kept notes.
        let plan = plan_request(Topology::default(), Some(&current()), None).unwrap();
        assert!(!plan
            .notes
            .iter()
            .any(|n| matches!(n, Note::NameKept { .. } | Note::NameAdded { .. })));
    }

    #[test]
    fn keys_decide_the_type_and_a_reused_key_must_match() {
        let key = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
        let topology = Topology {
            access_edge: Some("sip.contoso.com".into()),
            sip_domains: Some(vec!["contoso.com".into()]),
            ..Topology::default()
        };
        let plan = plan_request(topology.clone(), None, Some(GivenKey::Use(&key))).unwrap();
        assert_eq!(plan.profile.key_type, KeyType::EcdsaP256);
        assert!(plan.notes.contains(&Note::EccKey {
            key: KeyType::EcdsaP256,
            product: None
        }));
        let mut asked = topology.clone();
        asked.key_type = Some(KeyType::Rsa2048);
        assert!(matches!(
            plan_request(asked, None, Some(GivenKey::Use(&key))),
            Err(Error::Setting(SettingError::KeyTypeMismatch { .. }))
        ));
        assert!(matches!(
            plan_request(topology, Some(&current()), Some(GivenKey::Reuse(&key))),
            Err(Error::Renewal(RenewalError::KeyDoesNotMatch))
        ));
        let mut cur = current();
        cur.spki_der = key.spki_der().unwrap();
        cur.key_type = Some(KeyType::EcdsaP256);
        assert!(plan_request(Topology::default(), Some(&cur), Some(GivenKey::Reuse(&key))).is_ok());
    }

    #[test]
    fn a_name_the_rules_refuse_stops_the_renewal() {
        let mut cur = current();
        cur.dns_names.push("*.contoso.com".into());
        assert!(matches!(
            plan_request(Topology::default(), Some(&cur), None),
            Err(Error::Renewal(RenewalError::NameRefused(_)))
        ));
    }

    #[test]
    fn an_ecc_key_is_refused_for_sfb2015_unless_allowed() {
        let topology = Topology {
            access_edge: Some("sip.contoso.com".into()),
            sip_domains: Some(vec!["contoso.com".into()]),
            key_type: Some(KeyType::EcdsaP256),
            product: Some(Product::Sfb2015),
            ..Topology::default()
        };
        let e = plan_request(topology.clone(), None, None).unwrap_err();
        assert!(matches!(
            e,
            Error::Setting(SettingError::CngKeyForSfb2015 { .. })
        ));
        assert!(e
            .to_string()
            .contains("Skype for Business Server 2015 does not support CNG certificates"));
        // A given ECC key is the same key.
        let key = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
        let mut no_type = topology.clone();
        no_type.key_type = None;
        assert!(plan_request(no_type, None, Some(GivenKey::Use(&key))).is_err());
        let allowed = plan_request_allowing(
            topology.clone(),
            None,
            None,
            Allow {
                cng_key_on_sfb2015: true,
            },
        )
        .unwrap();
        let note = allowed
            .notes
            .iter()
            .find(|n| matches!(n, Note::EccKey { .. }))
            .unwrap();
        assert!(note
            .to_string()
            .contains("goes ahead only because it was forced"));
        // Another product: a warning that names it.
        let mut other = topology;
        other.product = Some(Product::Sfb2019);
        let plan = plan_request(other, None, None).unwrap();
        assert!(plan.notes.iter().any(|n| n.is_warning()
            && n.to_string()
                .contains("Skype for Business Server 2019 takes CNG")));
    }
}
