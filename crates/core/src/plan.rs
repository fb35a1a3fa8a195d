//! Every certificate a topology needs: for each Edge pool its external and internal
//! certificates, for each Front End pool its Default / web services certificate, for each Director
//! pool its own, and for each site the reverse proxy's. Each plan gives the subject, the SANs in
//! order with the reason for each, the kind of CA, where the certificate is assigned, the
//! public-CA limits that apply, and Microsoft's page each rule comes from (docs/plan.md,
//! docs/requirements.md).

use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::deployment::Deployment;
use crate::error::Error;
use crate::names::normalize_fqdn;
use crate::topology::Topology;

/// A kind of certificate of the deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificateKind {
    /// The Edge pool's external certificate (the PIC table).
    EdgeExternal,
    /// The Edge pool's internal certificate.
    EdgeInternal,
    /// A Front End pool's (or Standard Edition server's) Default and web services certificate.
    FrontEnd,
    /// The reverse proxy's certificate for a site's external web services.
    ReverseProxy,
    /// A Director pool's certificate.
    Director,
}

impl CertificateKind {
    /// The name in `picert plan`'s output: `edge-external`.
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateKind::EdgeExternal => "edge-external",
            CertificateKind::EdgeInternal => "edge-internal",
            CertificateKind::FrontEnd => "front-end",
            CertificateKind::ReverseProxy => "reverse-proxy",
            CertificateKind::Director => "director",
        }
    }
}

impl CertificateKind {
    /// Every kind, in `picert plan`'s order.
    pub const ALL: [CertificateKind; 5] = [
        CertificateKind::EdgeExternal,
        CertificateKind::EdgeInternal,
        CertificateKind::FrontEnd,
        CertificateKind::ReverseProxy,
        CertificateKind::Director,
    ];

    /// The kind of CA that issues this kind of certificate.
    pub fn ca(self) -> CaKind {
        match self {
            CertificateKind::EdgeExternal | CertificateKind::ReverseProxy => CaKind::Public,
            _ => CaKind::Enterprise,
        }
    }

    /// What a topology lacks when it has no certificate of this kind.
    fn absent(self) -> &'static str {
        match self {
            CertificateKind::EdgeExternal => "no Edge pool with an Access Edge external FQDN",
            CertificateKind::EdgeInternal => "no Edge pool",
            CertificateKind::FrontEnd => "no Front End pool or Standard Edition server",
            CertificateKind::ReverseProxy => "no pool with external web services",
            CertificateKind::Director => "no Director pool",
        }
    }

    /// What one certificate of this kind is for: a pool, or for the reverse proxy a site.
    fn per(self) -> &'static str {
        match self {
            CertificateKind::ReverseProxy => "site",
            _ => "pool",
        }
    }
}

impl std::str::FromStr for CertificateKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CertificateKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown certificate kind '{s}' ({})",
                    CertificateKind::ALL.map(|k| k.as_str()).join(", ")
                )
            })
    }
}

impl fmt::Display for CertificateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which CA issues a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaKind {
    /// A public CA: clients and partners outside the organisation must trust it.
    Public,
    /// The organisation's enterprise CA (or a public one): only domain-joined clients and
    /// servers see it.
    Enterprise,
}

impl fmt::Display for CaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CaKind::Public => "public",
            CaKind::Enterprise => "enterprise",
        })
    }
}

/// A SAN of a planned certificate, with the reason it is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedName {
    /// The DNS name, normalised (lower case, A-labels).
    pub name: String,
    /// Why it is there.
    pub why: String,
}

/// One certificate the topology needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificatePlan {
    /// Its kind.
    pub kind: CertificateKind,
    /// The pool it is for (for the reverse proxy: the site's first external web services FQDN's
    /// pool).
    pub pool: String,
    /// The site.
    pub site: String,
    /// The subject CN.
    pub subject: String,
    /// The SANs, in order.
    pub sans: Vec<PlannedName>,
    /// The kind of CA.
    pub ca: CaKind,
    /// Where it is assigned.
    pub assigned: &'static str,
    /// The public-CA limits that apply (none for an enterprise CA's certificate).
    pub limits: Vec<&'static str>,
    /// Where the rules come from (the tags of docs/requirements.md).
    pub sources: Vec<&'static str>,
}

/// The public-CA validity limits (CA/Browser Forum Baseline Requirements 6.3.2, ballot SC-081).
const VALIDITY: &str = "validity at most 200 days if issued from 2026-03-15, 100 days from 2027-03-15, 47 days from 2029-03-15 (CA/B Forum BR 6.3.2, SC-081)";
/// The client EKU in public certificates (Chrome Root Program policy 1.8).
const SERVER_EKU_ONLY: &str =
    "serverAuth only in certificates issued from 2027-03-15 (Chrome Root Program policy 1.8)";

const EDGE_ASSIGNED: &str =
    "Set-CsCertificate -Type AccessEdgeExternal,DataEdgeExternal,AudioVideoAuthentication, on every Edge server of the pool (same certificate and key)";
const INTERNAL_ASSIGNED: &str =
    "Set-CsCertificate -Type Internal, on every Edge server of the pool";
const FRONT_END_ASSIGNED: &str =
    "Set-CsCertificate -Type Default,WebServicesInternal,WebServicesExternal, on every server of the pool";
const PROXY_ASSIGNED: &str =
    "the reverse proxy's HTTPS listener (not Set-CsCertificate): IIS ARR, Web Application Proxy or another proxy";

struct Names {
    origin: String,
    list: Vec<PlannedName>,
}

impl Names {
    fn new(origin: &str) -> Names {
        Names {
            origin: origin.to_string(),
            list: Vec::new(),
        }
    }

    /// Adds `name` unless it is already there (the first reason stays).
    fn add(&mut self, name: &str, why: impl Into<String>) -> Result<(), Error> {
        let name =
            normalize_fqdn(name.trim().trim_end_matches('.')).map_err(|e| Error::Topology {
                path: self.origin.clone(),
                message: format!("'{name}' cannot be a certificate name: {e}"),
            })?;
        if !self.list.iter().any(|n| n.name == name) {
            self.list.push(PlannedName {
                name,
                why: why.into(),
            });
        }
        Ok(())
    }
}

/// Every certificate `deployment` needs, Edge pools first, then Front End pools, Directors and
/// the reverse proxies. `origin` names the file in errors (a name the name rules refuse).
pub fn plan(deployment: &Deployment, origin: &str) -> Result<Vec<CertificatePlan>, Error> {
    let mut plans = Vec::new();
    let public_limits = |edge: bool| {
        let mut l = vec![VALIDITY];
        if edge {
            l.push(SERVER_EKU_ONLY);
        }
        l
    };
    for pool in &deployment.edge_pools {
        let topology = Topology::from_deployment(deployment, Some(&pool.fqdn), origin)?;
        let expectations = topology.expectations()?;
        if let Some(subject) = expectations.access_edge.clone() {
            plans.push(CertificatePlan {
                kind: CertificateKind::EdgeExternal,
                pool: pool.fqdn.clone(),
                site: pool.site.clone(),
                subject,
                sans: expectations
                    .plan
                    .entries()
                    .iter()
                    .map(|e| PlannedName {
                        name: e.name.clone(),
                        why: e.source.to_string(),
                    })
                    .collect(),
                ca: CaKind::Public,
                assigned: EDGE_ASSIGNED,
                limits: public_limits(true),
                sources: vec!["PIC-table", "MS-external", "SfB-edge"],
            });
        }
        let mut names = Names::new(origin);
        names.add(
            &pool.fqdn,
            "the subject name again; Microsoft requires no SAN here",
        )?;
        plans.push(CertificatePlan {
            kind: CertificateKind::EdgeInternal,
            pool: pool.fqdn.clone(),
            site: pool.site.clone(),
            subject: names.list[0].name.clone(),
            sans: names.list,
            ca: CaKind::Enterprise,
            assigned: INTERNAL_ASSIGNED,
            limits: Vec::new(),
            sources: vec!["SfB-edge", "SfB-env"],
        });
    }
    for pool in deployment.front_end_pools.iter().filter(|p| !p.director) {
        let mut names = Names::new(origin);
        names.add(&pool.fqdn, "pool FQDN (subject name)")?;
        for m in &pool.machines {
            names.add(m, "server FQDN")?;
        }
        names.add(
            pool.internal_web.as_deref().unwrap_or(&pool.fqdn),
            "internal web services FQDN",
        )?;
        for u in &deployment.simple_urls {
            if let Some(host) = u.host() {
                names.add(host, format!("simple URL {} ({})", u.component, u.domain))?;
            }
        }
        for d in &deployment.sip_domains {
            names.add(
                &format!("lyncdiscoverinternal.{d}"),
                format!("Autodiscover inside, SIP domain {d}"),
            )?;
        }
        for d in &deployment.sip_domains {
            names.add(
                &format!("sip.{d}"),
                format!("automatic client sign-in inside, SIP domain {d}"),
            )?;
        }
        plans.push(CertificatePlan {
            kind: CertificateKind::FrontEnd,
            pool: pool.fqdn.clone(),
            site: pool.site.clone(),
            subject: names.list[0].name.clone(),
            sans: names.list,
            ca: CaKind::Enterprise,
            assigned: FRONT_END_ASSIGNED,
            limits: Vec::new(),
            sources: vec!["SfB-env"],
        });
    }
    for pool in deployment.front_end_pools.iter().filter(|p| p.director) {
        let mut names = Names::new(origin);
        names.add(&pool.fqdn, "Director pool FQDN (subject name)")?;
        for m in &pool.machines {
            names.add(m, "server FQDN")?;
        }
        if let Some(external) = &pool.external_web {
            names.add(external, "the Director's external web services FQDN")?;
        }
        plans.push(CertificatePlan {
            kind: CertificateKind::Director,
            pool: pool.fqdn.clone(),
            site: pool.site.clone(),
            subject: names.list[0].name.clone(),
            sans: names.list,
            ca: CaKind::Enterprise,
            assigned: FRONT_END_ASSIGNED,
            limits: Vec::new(),
            sources: vec!["SfB-env"],
        });
    }
    for site in &deployment.sites {
        let pools: Vec<_> = deployment
            .front_end_pools
            .iter()
            .filter(|p| p.site == site.name && p.external_web.is_some())
            .collect();
        // The subject: a Front End pool's external web services FQDN before a Director's.
        let Some(first) = pools.iter().find(|p| !p.director).or_else(|| pools.first()) else {
            continue;
        };
        let mut names = Names::new(origin);
        let web = |p: &crate::deployment::FrontEndPool| {
            format!(
                "external web services FQDN of {} {}",
                if p.director { "Director" } else { "pool" },
                p.fqdn
            )
        };
        names.add(
            first.external_web.as_deref().unwrap_or_default(),
            web(first),
        )?;
        for p in &pools {
            names.add(p.external_web.as_deref().unwrap_or_default(), web(p))?;
        }
        for u in deployment
            .simple_urls
            .iter()
            .filter(|u| matches!(&*u.component, "Meet" | "Dialin"))
        {
            if let Some(host) = u.host() {
                names.add(host, format!("simple URL {} ({})", u.component, u.domain))?;
            }
        }
        for d in &deployment.sip_domains {
            names.add(
                &format!("lyncdiscover.{d}"),
                format!("Autodiscover from outside, SIP domain {d}"),
            )?;
        }
        plans.push(CertificatePlan {
            kind: CertificateKind::ReverseProxy,
            pool: first.fqdn.clone(),
            site: site.name.clone(),
            subject: names.list[0].name.clone(),
            sans: names.list,
            ca: CaKind::Public,
            assigned: PROXY_ASSIGNED,
            limits: public_limits(false),
            sources: vec!["SfB-env", "MS-external"],
        });
    }
    Ok(plans)
}

/// Why one certificate cannot be chosen from a topology's plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The topology needs no certificate of this kind.
    #[error("{path}: the topology has no {kind} certificate ({})", kind.absent())]
    Absent {
        /// The file.
        path: String,
        /// The kind asked for.
        kind: CertificateKind,
    },
    /// Several certificates of this kind and none chosen.
    #[error("{path}: the topology has {} {kind} certificates, choose one by its {}: {}", pools.len(), kind.per(), pools.join("; "))]
    Choose {
        /// The file.
        path: String,
        /// The kind asked for.
        kind: CertificateKind,
        /// Each certificate's pool and site.
        pools: Vec<String>,
    },
    /// No certificate of this kind for the pool (or site) asked for.
    #[error("{path}: no {kind} certificate for {asked}; the topology has {}", pools.join("; "))]
    Unknown {
        /// The file.
        path: String,
        /// The kind asked for.
        kind: CertificateKind,
        /// The pool or site asked for.
        asked: String,
        /// Each certificate's pool and site.
        pools: Vec<String>,
    },
    /// A TOML topology that names no XML topology cannot plan this kind.
    #[error("{path}: the {kind} certificate is planned from the XML topology, and this TOML topology names none (topology_xml)")]
    NeedsXml {
        /// The file.
        path: String,
        /// The kind asked for.
        kind: CertificateKind,
    },
}

/// A certificate plan in one line, for choosing: its pool and site.
fn summary(p: &CertificatePlan) -> String {
    format!("{} (site {}, subject {})", p.pool, p.site, p.subject)
}

/// The certificate of `kind` in `plans`: the only one, or the one of the pool `pool` (its FQDN,
/// case-insensitive; for the reverse proxy, which serves a site, the site's name too).
/// `origin` names the file in errors.
pub fn choose<'a>(
    plans: &'a [CertificatePlan],
    kind: CertificateKind,
    pool: Option<&str>,
    origin: &str,
) -> Result<&'a CertificatePlan, PlanError> {
    let of_kind: Vec<&CertificatePlan> = plans.iter().filter(|p| p.kind == kind).collect();
    let pools = || of_kind.iter().map(|p| summary(p)).collect();
    match (pool, &of_kind[..]) {
        (_, []) => Err(PlanError::Absent {
            path: origin.into(),
            kind,
        }),
        (None, [one]) => Ok(one),
        (None, _) => Err(PlanError::Choose {
            path: origin.into(),
            kind,
            pools: pools(),
        }),
        (Some(asked), _) => {
            let want = asked.trim().trim_end_matches('.');
            of_kind
                .iter()
                .find(|p| p.pool.eq_ignore_ascii_case(want))
                .or_else(|| {
                    of_kind.iter().find(|p| {
                        kind == CertificateKind::ReverseProxy && p.site.eq_ignore_ascii_case(want)
                    })
                })
                .copied()
                .ok_or_else(|| PlanError::Unknown {
                    path: origin.into(),
                    kind,
                    asked: asked.into(),
                    pools: pools(),
                })
        }
    }
}

/// One certificate of a topology file and the settings for its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedCertificate {
    /// The certificate, as `picert plan` lists it.
    pub plan: CertificatePlan,
    /// The settings a request takes besides the names: a TOML file's own fields (subject,
    /// key type, hash, template, friendly name, Windows release, product), with the product of
    /// the XML when the TOML names none. An XML file gives only its product.
    pub settings: Topology,
}

/// Reads a topology file (the XML itself, or a TOML file that names one in `topology_xml`),
/// plans its certificates and takes the one of `kind` (see [`choose`]).
pub fn load_certificate(
    path: &Path,
    kind: CertificateKind,
    pool: Option<&str>,
) -> Result<PlannedCertificate, Error> {
    let shown = path.display().to_string();
    let bytes = crate::deployment::read_capped(path, &shown)?;
    let (decoded, _) = crate::text::decode(&bytes).map_err(|e| Error::Topology {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let text = std::str::from_utf8(&decoded).map_err(|_| Error::Topology {
        path: shown.clone(),
        message: "the file is not UTF-8 text".into(),
    })?;
    let (deployment, xml_shown, mut settings) = if crate::deployment::looks_like_xml(text) {
        let deployment = Deployment::parse_bytes(&bytes, &shown)?;
        (deployment, shown, Topology::default())
    } else {
        let own = Topology::from_toml(text, &shown)?;
        let Some(xml) = own.topology_xml.clone() else {
            return Err(PlanError::NeedsXml { path: shown, kind }.into());
        };
        let xml_path = path.parent().unwrap_or(Path::new("")).join(&xml);
        let xml_shown = xml_path.display().to_string();
        let bytes = crate::deployment::read_capped(&xml_path, &xml_shown)?;
        (Deployment::parse_bytes(&bytes, &xml_shown)?, xml_shown, own)
    };
    // A TOML file's Edge pool is the pool of the Edge certificates.
    let edge = matches!(
        kind,
        CertificateKind::EdgeExternal | CertificateKind::EdgeInternal
    );
    let pool = pool.or(settings.edge_pool.as_deref().filter(|_| edge));
    let plans = plan(&deployment, &xml_shown)?;
    let chosen = choose(&plans, kind, pool, &xml_shown)?.clone();
    if settings.product.is_none() {
        settings.product = deployment.product();
    }
    Ok(PlannedCertificate {
        plan: chosen,
        settings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::TextEncoding;

    fn multi() -> Deployment {
        Deployment::parse_bytes(
            include_bytes!("../../../fixtures/topology/multi.tbxml"),
            "multi.tbxml",
        )
        .unwrap()
    }

    fn names(p: &CertificatePlan) -> Vec<&str> {
        p.sans.iter().map(|n| n.name.as_str()).collect()
    }

    #[test]
    fn every_certificate_of_the_multi_site_topology() {
        let plans = plan(&multi(), "multi.tbxml").unwrap();
        let kinds: Vec<_> = plans
            .iter()
            .map(|p| (p.kind.as_str(), p.subject.as_str(), p.ca))
            .collect();
        assert_eq!(
            kinds,
            [
                ("edge-external", "sip.contoso.com", CaKind::Public),
                (
                    "edge-internal",
                    "edgepool-red.contoso.com",
                    CaKind::Enterprise
                ),
                ("edge-external", "sip-eu.contoso.com", CaKind::Public),
                (
                    "edge-internal",
                    "edgepool-dub.contoso.com",
                    CaKind::Enterprise
                ),
                ("front-end", "fepool-red.contoso.com", CaKind::Enterprise),
                ("front-end", "se-dub.contoso.com", CaKind::Enterprise),
                ("director", "dirpool-red.contoso.com", CaKind::Enterprise),
                ("reverse-proxy", "webext-red.contoso.com", CaKind::Public),
                ("reverse-proxy", "webext-dub.contoso.com", CaKind::Public),
            ]
        );
        assert_eq!(
            names(&plans[2]),
            [
                "sip-eu.contoso.com",
                "webconf-eu.contoso.com",
                "sip.contoso.com",
                "sip.fabrikam.com"
            ]
        );
        assert_eq!(names(&plans[3]), ["edgepool-dub.contoso.com"]);
        assert_eq!(
            names(&plans[4]),
            [
                "fepool-red.contoso.com",
                "fe-red1.contoso.com",
                "fe-red2.contoso.com",
                "webint-red.contoso.com",
                "dialin.contoso.com",
                "meet.contoso.com",
                "meet.fabrikam.com",
                "admin.contoso.com",
                "lyncdiscoverinternal.contoso.com",
                "lyncdiscoverinternal.fabrikam.com",
                "sip.contoso.com",
                "sip.fabrikam.com",
            ]
        );
        assert_eq!(
            plans[4].sans[10].why,
            "automatic client sign-in inside, SIP domain contoso.com"
        );
        assert_eq!(
            names(&plans[6]),
            [
                "dirpool-red.contoso.com",
                "dir-red1.contoso.com",
                "webext-dir.contoso.com"
            ]
        );
        assert_eq!(
            names(&plans[7]),
            [
                "webext-red.contoso.com",
                "webext-dir.contoso.com",
                "dialin.contoso.com",
                "meet.contoso.com",
                "meet.fabrikam.com",
                "lyncdiscover.contoso.com",
                "lyncdiscover.fabrikam.com",
            ]
        );
        assert_eq!(
            plans[7].sans[1].why,
            "external web services FQDN of Director dirpool-red.contoso.com"
        );
        assert!(plans[0].limits.iter().any(|l| l.contains("2027-03-15")));
        assert!(
            plans[4].limits.is_empty(),
            "no public-CA limit on an enterprise certificate"
        );
        assert!(plans[0]
            .assigned
            .starts_with("Set-CsCertificate -Type AccessEdgeExternal"));
    }

    #[test]
    fn one_certificate_is_chosen_by_kind_and_pool() {
        let plans = plan(&multi(), "multi.tbxml").unwrap();
        let one = choose(&plans, CertificateKind::Director, None, "multi.tbxml").unwrap();
        assert_eq!(one.pool, "dirpool-red.contoso.com");
        let fe = choose(
            &plans,
            CertificateKind::FrontEnd,
            Some("SE-DUB.contoso.com."),
            "multi.tbxml",
        )
        .unwrap();
        assert_eq!(fe.subject, "se-dub.contoso.com");
        // The reverse proxy serves a site: its name chooses too.
        let rp = choose(
            &plans,
            CertificateKind::ReverseProxy,
            Some("dublin"),
            "multi.tbxml",
        )
        .unwrap();
        assert_eq!(rp.subject, "webext-dub.contoso.com");
        let e = choose(&plans, CertificateKind::FrontEnd, None, "multi.tbxml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "multi.tbxml: the topology has 2 front-end certificates, choose one by its pool: fepool-red.contoso.com (site Redmond, subject fepool-red.contoso.com); se-dub.contoso.com (site Dublin, subject se-dub.contoso.com)"
        );
        let e = choose(
            &plans,
            CertificateKind::EdgeInternal,
            Some("fepool-red.contoso.com"),
            "multi.tbxml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("multi.tbxml: no edge-internal certificate for fepool-red.contoso.com; the topology has edgepool-red.contoso.com (site Redmond"),
            "{e}"
        );
        let no_director: Vec<_> = plans
            .iter()
            .filter(|p| p.kind != CertificateKind::Director)
            .cloned()
            .collect();
        assert_eq!(
            choose(&no_director, CertificateKind::Director, None, "t.xml")
                .unwrap_err()
                .to_string(),
            "t.xml: the topology has no director certificate (no Director pool)"
        );
        assert_eq!(
            "Front-End".parse::<CertificateKind>(),
            Ok(CertificateKind::FrontEnd)
        );
        assert!("edge"
            .parse::<CertificateKind>()
            .unwrap_err()
            .contains("edge-external, edge-internal, front-end, reverse-proxy, director"));
        assert_eq!(CertificateKind::ReverseProxy.ca(), CaKind::Public);
        assert_eq!(CertificateKind::Director.ca(), CaKind::Enterprise);
    }

    #[test]
    fn a_certificate_is_loaded_from_the_xml_or_the_toml_that_names_it() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let xml = fixtures.join("topology/multi.tbxml");
        let got = load_certificate(&xml, CertificateKind::Director, None).unwrap();
        assert_eq!(got.plan.subject, "dirpool-red.contoso.com");
        assert_eq!(got.settings.product, Some(crate::Product::Sfb2019));
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(&xml, dir.path().join("multi.tbxml")).unwrap();
        let toml = dir.path().join("edge.toml");
        std::fs::write(
            &toml,
            "topology_xml = \"multi.tbxml\"\nedge_pool = \"edgepool-dub.contoso.com\"\nkey_type = \"rsa3072\"\n[subject]\norganization = \"Contoso\"\n",
        )
        .unwrap();
        // The TOML's Edge pool chooses the Edge certificates, and its settings come along.
        let got = load_certificate(&toml, CertificateKind::EdgeInternal, None).unwrap();
        assert_eq!(got.plan.subject, "edgepool-dub.contoso.com");
        assert_eq!(got.settings.key_type, Some(crate::KeyType::Rsa3072));
        // It does not choose a Front End pool.
        let e = load_certificate(&toml, CertificateKind::FrontEnd, None).unwrap_err();
        assert!(matches!(e, Error::Plan(PlanError::Choose { .. })), "{e}");
        let e = load_certificate(
            &fixtures.join("contoso.toml"),
            CertificateKind::FrontEnd,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.ends_with("contoso.toml: the front-end certificate is planned from the XML topology, and this TOML topology names none (topology_xml)"),
            "{e}"
        );
    }

    #[test]
    fn a_name_the_rules_refuse_is_named() {
        let text = std::str::from_utf8(include_bytes!("../../../fixtures/topology/multi.tbxml"))
            .unwrap()
            .replace("webext-dub.contoso.com", "webext_dub..contoso.com");
        let d = Deployment::parse(&text, TextEncoding::Utf8, "t.tbxml").unwrap();
        let e = plan(&d, "t.tbxml").unwrap_err().to_string();
        assert!(
            e.starts_with("t.tbxml: 'webext_dub..contoso.com' cannot be a certificate name: "),
            "{e}"
        );
    }
}
