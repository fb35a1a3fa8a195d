//! What an audit can check a certificate against, derived from a topology that may be partial.

use crate::error::{Error, Field};
use crate::plan::{CaKind, CertificateKind, CertificatePlan};
use crate::platform::Platform;
use crate::san::{SanEntry, SanPlan, SanSource};

use super::Topology;

/// What an audit can check a certificate against, derived from a (possibly partial) topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    /// The expected subject CN, when known.
    pub access_edge: Option<String>,
    /// Whether PIC with AOL is on (the client EKU is then required).
    pub aol: bool,
    /// The expected SAN names in the table's order.
    pub plan: SanPlan,
    /// True when the topology names the Access Edge and at least one SIP domain: enough to say
    /// that a name outside the plan does not belong (a partial topology cannot).
    pub names_complete: bool,
    /// The Edge's Windows release and product, as far as the topology says.
    pub platform: Platform,
    /// The kind of certificate expected: the Edge external certificate unless a certificate of
    /// the plan was chosen; the PIC table's own rules apply to that kind only.
    pub kind: CertificateKind,
    /// The pool of the certificate chosen from the plan (none for a topology's Edge external
    /// certificate).
    pub pool: Option<String>,
}

impl Expectations {
    /// What an audit expects of one certificate of the plan: its subject, its SANs in the plan's
    /// order (every name known, so a name outside it does not belong), no AOL (the client EKU
    /// is the Edge external certificate's), and the platform `settings` names.
    pub fn for_certificate(
        certificate: &CertificatePlan,
        settings: &Topology,
    ) -> Result<Expectations, Error> {
        Ok(Expectations {
            access_edge: Some(certificate.subject.clone()),
            aol: false,
            plan: planned_sans(certificate),
            names_complete: true,
            platform: settings.platform()?,
            kind: certificate.kind,
            pool: Some(certificate.pool.clone()),
        })
    }

    /// Whether this kind of certificate comes from a public CA.
    pub fn public_ca(&self) -> bool {
        self.kind.ca() == CaKind::Public
    }
}

/// The SANs of a planned certificate, with the plan's reasons.
pub(crate) fn planned_sans(certificate: &CertificatePlan) -> SanPlan {
    SanPlan::from_entries(certificate.sans.iter().map(|n| SanEntry {
        name: n.name.clone(),
        source: SanSource::Planned(n.why.clone()),
    }))
}

impl Topology {
    /// The names the audit expects, from whatever this topology sets (it need not be complete
    /// enough to build a request). Names are normalised; a bad name is an error, and so is a
    /// product on a Windows release it does not run on.
    pub fn expectations(&self) -> Result<Expectations, Error> {
        let access_edge = self.name(Field::AccessEdge, self.access_edge.as_deref())?;
        let webconf_edge = self.name(Field::WebconfEdge, self.webconf_edge.as_deref())?;
        let sip_domains = self.names(Field::SipDomains, self.sip_domains.as_deref())?;
        let extra_sans = self.names(Field::ExtraSans, self.extra_sans.as_deref())?;
        let plan = SanPlan::new(
            access_edge.as_deref(),
            webconf_edge.as_deref(),
            &sip_domains,
            self.primary_sip_only.unwrap_or(false),
            &extra_sans,
        );
        let platform = self.platform()?;
        Ok(Expectations {
            names_complete: access_edge.is_some() && !sip_domains.is_empty(),
            access_edge,
            aol: self.aol.unwrap_or(false),
            plan,
            platform,
            kind: CertificateKind::EdgeExternal,
            pool: None,
        })
    }
}
