//! Every certificate a topology needs: for each Edge pool its external and internal
//! certificates, for each Front End pool its Default / web services certificate, for each Director
//! pool its own, and for each site the reverse proxy's. Each plan gives the subject, the SANs in
//! order with the reason for each, the kind of CA, where the certificate is assigned, the
//! public-CA limits that apply, and Microsoft's page each rule comes from (docs/plan.md,
//! docs/requirements.md).

use std::fmt;

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
            ]
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
