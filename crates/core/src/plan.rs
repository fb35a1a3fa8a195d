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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
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
    /// No certificate of the pool asked for, of any kind.
    #[error("{path}: no certificate of the topology is for {asked}; it has {}", pools.join("; "))]
    NoPool {
        /// The file.
        path: String,
        /// The pool or site asked for.
        asked: String,
        /// Each certificate's kind, pool and site.
        pools: Vec<String>,
    },
    /// The topology needs no certificate at all.
    #[error("{path}: the topology needs no certificate (no Edge, Front End or Director pool)")]
    Empty {
        /// The file.
        path: String,
    },
    /// A TOML topology that names neither an XML topology nor an Edge name to connect to.
    #[error("{path}: names no Edge server or service to read a certificate from (access_edge, webconf_edge, edge_servers) and no XML topology that would (topology_xml)")]
    NoXml {
        /// The file.
        path: String,
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
    let (xml, mut settings) = read_topology(path)?;
    let Some((deployment, xml_shown)) = xml else {
        return Err(PlanError::NeedsXml {
            path: path.display().to_string(),
            kind,
        }
        .into());
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

/// The SIP port of Front End, Director and Edge servers when the topology names none.
pub const SIP_TLS_PORT: u16 = 5061;
/// The reverse proxy's HTTPS port when the topology names no published port.
pub const HTTPS_PORT: u16 = 443;

/// One place a certificate of the plan is served: a TLS endpoint, as a client reaches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServedAt {
    /// The certificate's kind.
    pub kind: CertificateKind,
    /// The certificate's pool, as its plan names it.
    pub pool: String,
    /// The certificate's site.
    pub site: String,
    /// The host to connect to (normalised: lower case, no root dot).
    pub host: String,
    /// The port.
    pub port: u16,
    /// The service that listens there.
    pub service: &'static str,
}

impl ServedAt {
    /// `host:port`.
    pub fn label(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

fn host(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// Where each certificate of `plans` is served in `deployment`, in the plans' order, each
/// `host:port` once (the first certificate that names it keeps it):
///
/// - edge-external: the Access Edge external FQDN at its client port, the Web Conferencing Edge
///   external FQDN at its port, and the Access Edge FQDN at the federation port when that differs
///   from the client port. The A/V Edge is not among them: it speaks TURN, not TLS, and
///   authenticates with the certificate without presenting it;
/// - edge-internal: every Edge server at the internal SIP port (5061 unless the topology says);
/// - front-end and director: every server of the pool at its SIP port (5061 unless the topology
///   says);
/// - reverse-proxy: the external web services FQDN of every pool of the site, at the published
///   HTTPS port (443 unless the topology says).
pub fn served_at<'a>(
    deployment: &Deployment,
    plans: impl IntoIterator<Item = &'a CertificatePlan>,
) -> Vec<ServedAt> {
    let mut out: Vec<ServedAt> = Vec::new();
    for p in plans {
        let mut add = |name: &str, port: u16, service: &'static str| {
            let host = host(name);
            if host.is_empty() || out.iter().any(|s| s.host == host && s.port == port) {
                return;
            }
            out.push(ServedAt {
                kind: p.kind,
                pool: p.pool.clone(),
                site: p.site.clone(),
                host,
                port,
                service,
            });
        };
        let same = |a: &str| a.eq_ignore_ascii_case(&p.pool);
        match p.kind {
            CertificateKind::EdgeExternal | CertificateKind::EdgeInternal => {
                let Some(pool) = deployment.edge_pools.iter().find(|e| same(&e.fqdn)) else {
                    continue;
                };
                if p.kind == CertificateKind::EdgeInternal {
                    for m in &pool.machines {
                        add(
                            m,
                            pool.internal_port.unwrap_or(SIP_TLS_PORT),
                            "Edge server, internal SIP",
                        );
                    }
                    continue;
                }
                if let Some(a) = &pool.access_edge {
                    add(&a.fqdn, a.port, "Access Edge, clients");
                }
                if let Some(w) = &pool.webconf_edge {
                    add(&w.fqdn, w.port, "Web Conferencing Edge");
                }
                if let (Some(a), Some(port)) = (&pool.access_edge, pool.federation_port) {
                    add(&a.fqdn, port, "Access Edge, federation");
                }
            }
            CertificateKind::FrontEnd | CertificateKind::Director => {
                let Some(pool) = deployment.front_end_pools.iter().find(|f| same(&f.fqdn)) else {
                    continue;
                };
                let service = if p.kind == CertificateKind::Director {
                    "Director server, SIP"
                } else {
                    "Front End server, SIP"
                };
                for m in &pool.machines {
                    add(m, pool.sip_port.unwrap_or(SIP_TLS_PORT), service);
                }
            }
            CertificateKind::ReverseProxy => {
                let site = &p.site;
                // The subject's pool first, as the plan names it.
                let mut pools: Vec<_> = deployment
                    .front_end_pools
                    .iter()
                    .filter(|f| &f.site == site && f.external_web.is_some())
                    .collect();
                pools.sort_by_key(|f| !same(&f.fqdn));
                for f in pools {
                    if let Some(web) = &f.external_web {
                        add(
                            web,
                            f.external_web_port.unwrap_or(HTTPS_PORT),
                            "reverse proxy, external web services",
                        );
                    }
                }
            }
        }
    }
    out
}

/// The certificates of `plans` a run is about: of `kind` (every kind when `None`), of the pool
/// `pool` (the reverse proxy's: its pool or its site's name; every pool when `None`), the Edge
/// certificates of the Edge pool `edge_pool` when no `pool` is given. `origin` names the file
/// in errors: a kind the topology has none of, a pool it does not have.
pub fn select<'a>(
    plans: &'a [CertificatePlan],
    kind: Option<CertificateKind>,
    pool: Option<&str>,
    edge_pool: Option<&str>,
    origin: &str,
) -> Result<Vec<&'a CertificatePlan>, PlanError> {
    if let (Some(kind), Some(_)) = (kind, pool) {
        return choose(plans, kind, pool, origin).map(|one| vec![one]);
    }
    let is_edge = |k: CertificateKind| {
        matches!(
            k,
            CertificateKind::EdgeExternal | CertificateKind::EdgeInternal
        )
    };
    let edge_pool = edge_pool.filter(|_| pool.is_none() && kind.is_none_or(is_edge));
    if let Some(asked) = edge_pool {
        // The Edge pool exists: every Edge pool has an internal certificate.
        choose(
            plans,
            kind.unwrap_or(CertificateKind::EdgeInternal),
            Some(asked),
            origin,
        )?;
    }
    let of_pool = |p: &CertificatePlan, asked: &str| {
        let asked = asked.trim().trim_end_matches('.');
        p.pool.eq_ignore_ascii_case(asked)
            || (p.kind == CertificateKind::ReverseProxy && p.site.eq_ignore_ascii_case(asked))
    };
    let chosen: Vec<&CertificatePlan> = plans
        .iter()
        .filter(|p| kind.is_none_or(|k| p.kind == k))
        .filter(|p| pool.is_none_or(|asked| of_pool(p, asked)))
        .filter(|p| !is_edge(p.kind) || edge_pool.is_none_or(|asked| of_pool(p, asked)))
        .collect();
    if !chosen.is_empty() {
        return Ok(chosen);
    }
    Err(match (kind, pool) {
        (Some(kind), _) => PlanError::Absent {
            path: origin.into(),
            kind,
        },
        (None, Some(asked)) => PlanError::NoPool {
            path: origin.into(),
            asked: asked.into(),
            pools: plans
                .iter()
                .map(|p| format!("{} {}", p.kind, summary(p)))
                .collect(),
        },
        (None, None) => PlanError::Empty {
            path: origin.into(),
        },
    })
}

/// The certificates a topology file plans (the XML itself, or a TOML file that names one in
/// `topology_xml`) and where each is served ([`served_at`]), as [`select`] chooses them; a TOML
/// file's `edge_pool` chooses the Edge certificates when `edge_pool` is `None`. The names and
/// ports are the XML's: a TOML file's own names go into a request, not here.
pub fn load_served(
    path: &Path,
    kind: Option<CertificateKind>,
    pool: Option<&str>,
    edge_pool: Option<&str>,
) -> Result<Vec<ServedAt>, Error> {
    let (xml, settings) = read_topology(path)?;
    let Some((deployment, xml_shown)) = xml else {
        return served_by_toml(&settings, kind, pool.or(edge_pool), path);
    };
    let edge_pool = edge_pool.or(settings.edge_pool.as_deref());
    let plans = plan(&deployment, &xml_shown)?;
    let chosen = select(&plans, kind, pool, edge_pool, &xml_shown)?;
    Ok(served_at(&deployment, chosen))
}

/// Where a TOML topology without `topology_xml` says its Edge certificates are served: the
/// external one at the Access Edge FQDN on the remote users' port (443) and the federation port
/// (5061) and at the Web Conferencing Edge FQDN (443), the internal one at each of
/// `edge_servers` (5061): the default ports, since such a file names none. Its pool is the
/// file's `edge_pool` when it names one, else `-`; other kinds need the XML topology.
fn served_by_toml(
    settings: &Topology,
    kind: Option<CertificateKind>,
    pool: Option<&str>,
    path: &Path,
) -> Result<Vec<ServedAt>, Error> {
    let shown = path.display().to_string();
    if let Some(k) = kind.filter(|k| {
        !matches!(
            k,
            CertificateKind::EdgeExternal | CertificateKind::EdgeInternal
        )
    }) {
        return Err(PlanError::NeedsXml {
            path: shown,
            kind: k,
        }
        .into());
    }
    let own_pool = settings.edge_pool.clone().unwrap_or_else(|| "-".into());
    if let Some(asked) = pool.filter(|p| !p.eq_ignore_ascii_case(&own_pool)) {
        return Err(PlanError::NoPool {
            path: shown,
            asked: asked.into(),
            pools: vec![format!("edge-external {own_pool}")],
        }
        .into());
    }
    let mut out: Vec<ServedAt> = Vec::new();
    let mut add = |kind: CertificateKind, name: &str, port: u16, service: &'static str| {
        let host = host(name);
        if host.is_empty() || out.iter().any(|s| s.host == host && s.port == port) {
            return;
        }
        out.push(ServedAt {
            kind,
            pool: own_pool.clone(),
            site: String::new(),
            host,
            port,
            service,
        });
    };
    let wants = |k: CertificateKind| kind.is_none_or(|asked| asked == k);
    if wants(CertificateKind::EdgeExternal) {
        if let Some(a) = &settings.access_edge {
            add(
                CertificateKind::EdgeExternal,
                a,
                HTTPS_PORT,
                "Access Edge, clients",
            );
            add(
                CertificateKind::EdgeExternal,
                a,
                SIP_TLS_PORT,
                "Access Edge, federation",
            );
        }
        if let Some(w) = &settings.webconf_edge {
            add(
                CertificateKind::EdgeExternal,
                w,
                HTTPS_PORT,
                "Web Conferencing Edge",
            );
        }
    }
    if wants(CertificateKind::EdgeInternal) {
        for server in settings.edge_servers.iter().flatten() {
            add(
                CertificateKind::EdgeInternal,
                server,
                SIP_TLS_PORT,
                "Edge server, internal SIP",
            );
        }
    }
    if out.is_empty() {
        return Err(PlanError::NoXml { path: shown }.into());
    }
    Ok(out)
}

/// A topology file read: the XML topology (the file itself, or the one a TOML file names) with
/// the name it is shown by, and a TOML file's own settings (none for an XML file).
fn read_topology(path: &Path) -> Result<(Option<(Deployment, String)>, Topology), Error> {
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
    if crate::deployment::looks_like_xml(text) {
        let deployment = Deployment::parse_bytes(&bytes, &shown)?;
        return Ok((Some((deployment, shown)), Topology::default()));
    }
    let own = Topology::from_toml(text, &shown)?;
    let Some(xml) = own.topology_xml.clone() else {
        return Ok((None, own));
    };
    let xml_path = path.parent().unwrap_or(Path::new("")).join(&xml);
    let xml_shown = xml_path.display().to_string();
    let bytes = crate::deployment::read_capped(&xml_path, &xml_shown)?;
    let deployment = Deployment::parse_bytes(&bytes, &xml_shown)?;
    Ok((Some((deployment, xml_shown)), own))
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

    fn targets(served: &[ServedAt]) -> Vec<(&str, &str, String)> {
        served
            .iter()
            .map(|s| (s.kind.as_str(), s.pool.as_str(), s.label()))
            .collect()
    }

    #[test]
    fn every_certificate_is_served_where_the_topology_says() {
        let d = multi();
        let plans = plan(&d, "multi.tbxml").unwrap();
        let served = served_at(&d, &plans);
        let red = "edgepool-red.contoso.com";
        let dub = "edgepool-dub.contoso.com";
        assert_eq!(
            targets(&served),
            [
                ("edge-external", red, "sip.contoso.com:443".into()),
                ("edge-external", red, "webconf.contoso.com:443".into()),
                ("edge-external", red, "sip.contoso.com:5061".into()),
                ("edge-internal", red, "edge-red1.contoso.com:5061".into()),
                ("edge-internal", red, "edge-red2.contoso.com:5061".into()),
                // The federation port is the client port here: one target.
                ("edge-external", dub, "sip-eu.contoso.com:5061".into()),
                ("edge-external", dub, "webconf-eu.contoso.com:443".into()),
                ("edge-internal", dub, "edge-dub1.contoso.com:5061".into()),
                (
                    "front-end",
                    "fepool-red.contoso.com",
                    "fe-red1.contoso.com:5061".into()
                ),
                (
                    "front-end",
                    "fepool-red.contoso.com",
                    "fe-red2.contoso.com:5061".into()
                ),
                (
                    "front-end",
                    "se-dub.contoso.com",
                    "se-dub.contoso.com:5061".into()
                ),
                (
                    "director",
                    "dirpool-red.contoso.com",
                    "dir-red1.contoso.com:5061".into()
                ),
                (
                    "reverse-proxy",
                    "fepool-red.contoso.com",
                    "webext-red.contoso.com:443".into()
                ),
                (
                    "reverse-proxy",
                    "fepool-red.contoso.com",
                    "webext-dir.contoso.com:443".into()
                ),
                (
                    "reverse-proxy",
                    "se-dub.contoso.com",
                    "webext-dub.contoso.com:443".into()
                ),
            ]
        );
        assert!(
            !served.iter().any(|s| s.host.starts_with("av")),
            "the A/V Edge speaks TURN, not TLS"
        );
        assert_eq!(served[2].service, "Access Edge, federation");
        assert_eq!(served[13].site, "Redmond");
    }

    #[test]
    fn the_ports_are_the_topologys_and_a_target_is_listed_once() {
        let text = std::str::from_utf8(include_bytes!("../../../fixtures/topology/multi.tbxml"))
            .unwrap()
            .replace("\r\n", "\n")
            // One external FQDN for the Access and Web Conferencing Edges, on one port.
            .replace("\"webconf.contoso.com\"", "\"SIP.contoso.com.\"")
            .replace(
                "InterfaceSide=\"Internal\" InterfaceNumber=\"1\" Port=\"5061\"",
                "InterfaceSide=\"Internal\" InterfaceNumber=\"1\" Port=\"5071\"",
            )
            .replace(
                "InterfaceSide=\"Primary\" InterfaceNumber=\"1\" Port=\"5061\"",
                "InterfaceSide=\"Primary\" InterfaceNumber=\"1\" Port=\"5081\"",
            )
            .replace(
                "</Ports>\n          <WebService xmlns=\"urn:schema:Microsoft.Rtc.Management.Deploy.ServiceRoles.2008\">\n            <InternalSettings Host=\"webint-red.contoso.com\" />",
                "<Port Owner=\"urn:component:OCSWebSite\" Usage=\"WebSite\" InterfaceSide=\"External\" InterfaceNumber=\"1\" Port=\"4443\" Protocol=\"Https\" ConfiguredPort=\"8443\" /></Ports><WebService><InternalSettings Host=\"webint-red.contoso.com\" />",
            );
        assert!(text.contains("ConfiguredPort"));
        let d = Deployment::parse(&text, TextEncoding::Utf8, "t.tbxml").unwrap();
        let plans = plan(&d, "t.tbxml").unwrap();
        let chosen = select(&plans, None, Some("EDGEPOOL-RED.contoso.com."), None, "t").unwrap();
        assert_eq!(
            targets(&served_at(&d, chosen))
                .iter()
                .map(|t| t.2.as_str())
                .collect::<Vec<_>>(),
            [
                "sip.contoso.com:443",
                "sip.contoso.com:5061",
                "edge-red1.contoso.com:5071",
                "edge-red2.contoso.com:5071"
            ]
        );
        let fe = select(&plans, Some(CertificateKind::FrontEnd), None, None, "t").unwrap();
        assert_eq!(fe.len(), 2, "every pool of the kind");
        assert_eq!(served_at(&d, fe)[0].label(), "fe-red1.contoso.com:5081");
        let rp = select(
            &plans,
            Some(CertificateKind::ReverseProxy),
            Some("redmond"),
            None,
            "t",
        )
        .unwrap();
        assert_eq!(
            targets(&served_at(&d, rp))
                .iter()
                .map(|t| t.2.as_str())
                .collect::<Vec<_>>(),
            ["webext-red.contoso.com:8443", "webext-dir.contoso.com:443"],
            "each pool's published port"
        );
    }

    #[test]
    fn certificates_are_selected_by_kind_pool_and_edge_pool() {
        let plans = plan(&multi(), "multi.tbxml").unwrap();
        let kinds = |chosen: Vec<&CertificatePlan>| {
            chosen
                .iter()
                .map(|p| format!("{} {}", p.kind, p.pool))
                .collect::<Vec<_>>()
        };
        assert_eq!(select(&plans, None, None, None, "m").unwrap().len(), 9);
        // The Edge pool narrows the Edge certificates only.
        let got = kinds(select(&plans, None, None, Some("edgepool-dub.contoso.com"), "m").unwrap());
        assert_eq!(got.len(), 7, "{got:?}");
        assert!(got.contains(&"edge-external edgepool-dub.contoso.com".to_string()));
        assert!(!got.iter().any(|k| k.contains("edgepool-red")));
        // A pool narrows every kind; a site names the reverse proxy's.
        assert_eq!(
            kinds(select(&plans, None, Some("Dublin"), None, "m").unwrap()),
            ["reverse-proxy se-dub.contoso.com"]
        );
        assert_eq!(
            kinds(select(&plans, None, Some("se-dub.contoso.com"), None, "m").unwrap()),
            [
                "front-end se-dub.contoso.com",
                "reverse-proxy se-dub.contoso.com"
            ]
        );
        let e = select(&plans, None, Some("nowhere.contoso.com"), None, "m")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("m: no certificate of the topology is for nowhere.contoso.com; it has edge-external edgepool-red.contoso.com (site Redmond"),
            "{e}"
        );
        let e = select(&plans, None, None, Some("fepool-red.contoso.com"), "m")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("m: no edge-internal certificate for fepool-red.contoso.com"),
            "{e}"
        );
        let none: Vec<_> = plans
            .iter()
            .filter(|p| p.kind != CertificateKind::Director)
            .cloned()
            .collect();
        assert_eq!(
            select(&none, Some(CertificateKind::Director), None, None, "m")
                .unwrap_err()
                .to_string(),
            "m: the topology has no director certificate (no Director pool)"
        );
    }

    #[test]
    fn targets_are_loaded_from_the_xml_or_the_toml_that_names_it() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(
            fixtures.join("topology/multi.tbxml"),
            dir.path().join("multi.tbxml"),
        )
        .unwrap();
        let toml = dir.path().join("edge.toml");
        std::fs::write(
            &toml,
            "topology_xml = \"multi.tbxml\"\nedge_pool = \"edgepool-dub.contoso.com\"\n",
        )
        .unwrap();
        let got = load_served(&toml, Some(CertificateKind::EdgeExternal), None, None).unwrap();
        assert_eq!(
            got.iter().map(ServedAt::label).collect::<Vec<_>>(),
            ["sip-eu.contoso.com:5061", "webconf-eu.contoso.com:443"],
            "the TOML's Edge pool"
        );
        let got = load_served(
            &toml,
            Some(CertificateKind::EdgeExternal),
            None,
            Some("edgepool-red.contoso.com"),
        )
        .unwrap();
        assert_eq!(got[0].label(), "sip.contoso.com:443", "the one asked for");
        // A TOML topology of its own: its Edge names at the default ports.
        let got = load_served(&fixtures.join("contoso.toml"), None, None, None).unwrap();
        assert_eq!(
            got.iter()
                .map(|s| format!("{} {} {}", s.kind, s.pool, s.label()))
                .collect::<Vec<_>>(),
            [
                "edge-external - sip.contoso.com:443",
                "edge-external - sip.contoso.com:5061",
                "edge-external - webcon.contoso.com:443",
            ]
        );
        let own = dir.path().join("own.toml");
        std::fs::write(
            &own,
            "access_edge = \"sip.contoso.com\"\nedge_pool = \"edgepool.contoso.com\"\nedge_servers = [\"edge1.contoso.com\", \"edge2.contoso.com\"]\n",
        )
        .unwrap();
        let got = load_served(&own, Some(CertificateKind::EdgeInternal), None, None).unwrap();
        assert_eq!(
            got.iter()
                .map(|s| format!("{} {}", s.pool, s.label()))
                .collect::<Vec<_>>(),
            [
                "edgepool.contoso.com edge1.contoso.com:5061",
                "edgepool.contoso.com edge2.contoso.com:5061"
            ]
        );
        let e = load_served(&own, None, Some("other.contoso.com"), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("other.contoso.com"), "{e}");
        let e = load_served(&own, Some(CertificateKind::FrontEnd), None, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("own.toml: the front-end certificate is planned from the XML topology, and this TOML topology names none (topology_xml)"),
            "{e}"
        );
        let bare = dir.path().join("bare.toml");
        std::fs::write(&bare, "sip_domains = [\"contoso.com\"]\n").unwrap();
        let e = load_served(&bare, None, None, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("bare.toml: names no Edge server or service to read a certificate from (access_edge, webconf_edge, edge_servers) and no XML topology that would (topology_xml)"),
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
