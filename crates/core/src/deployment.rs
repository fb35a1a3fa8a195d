//! The topology as Microsoft's tools write it: the Topology Builder file (`.tbxml`, "Save a copy
//! of topology") and the published topology (`Get-CsTopology -AsXml`, the file
//! `Publish-CsTopology` takes), read into a [`Deployment`]: its sites, Edge pools, Front End
//! pools and Directors, SIP domains, simple URLs and product.
//!
//! The format is told by the root element, never by the file's extension. The XML is read by
//! roxmltree with DTDs refused (topology files have none, and a DTD is how entity expansion and
//! external entities get in); the file is capped at [`MAX_XML_BYTES`].

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use roxmltree::{Document, Node};
use serde::Serialize;

use crate::error::Error;
use crate::platform::Product;
use crate::text::TextEncoding;

/// The largest topology XML file picert reads. Real files are tens to hundreds of kilobytes.
pub const MAX_XML_BYTES: u64 = 16 * 1024 * 1024;

/// The most XML nodes (elements, text, comments) picert builds a tree of: a real topology has a
/// few thousand; the cap keeps a file of millions of tiny elements from taking gigabytes.
pub const MAX_XML_NODES: u32 = 1_000_000;

/// Which of Microsoft's two topology files was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlFormat {
    /// Topology Builder's file (root `TopologyBuilder`), "Save a copy of topology".
    TopologyBuilder,
    /// The published topology (root `Topology`), as `Get-CsTopology -AsXml` writes it.
    Published,
}

impl fmt::Display for XmlFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            XmlFormat::TopologyBuilder => "Topology Builder file",
            XmlFormat::Published => "published topology (Get-CsTopology -AsXml)",
        })
    }
}

/// A `ServiceVersion` attribute: 7 in Skype for Business Server 2015 files, 8 in 2019 files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ServiceVersion(pub u32);

impl ServiceVersion {
    /// The product this version stands for, when picert knows it (7 and 8); any other number is
    /// left unnamed rather than guessed.
    pub fn product(self) -> Option<Product> {
        match self.0 {
            7 => Some(Product::Sfb2015),
            8 => Some(Product::Sfb2019),
            _ => None,
        }
    }
}

impl fmt::Display for ServiceVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.product() {
            Some(p) => write!(f, "ServiceVersion {} ({p})", self.0),
            None => write!(
                f,
                "ServiceVersion {} (a version picert does not know the product of)",
                self.0
            ),
        }
    }
}

/// A central site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    /// `SiteId`.
    pub id: String,
    /// The site's name (`Name`), or its id when it has none.
    pub name: String,
}

/// An Edge service's external name and port (`Ports/Port` with `InterfaceSide="External"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalName {
    /// `ConfiguredFqdn`.
    pub fqdn: String,
    /// `Port`.
    pub port: u16,
    /// The line of the `Port` element.
    #[serde(skip)]
    pub line: usize,
}

/// An Edge pool: the cluster of an `EdgeServer` service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdgePool {
    /// The pool's FQDN (the cluster's; its only server's when it has one server without a name
    /// of its own).
    pub fqdn: String,
    /// The site's name.
    pub site: String,
    /// The servers' FQDNs, in the file's order.
    pub machines: Vec<String>,
    /// Access Edge (`urn:component:AccessEdge`, `SipClient`).
    pub access_edge: Option<ExternalName>,
    /// Web Conferencing Edge (`urn:component:DataEdge`, `PsomClient`).
    pub webconf_edge: Option<ExternalName>,
    /// A/V Edge (`urn:component:MediaRelayEdge`, `TURNServer`; the TCP port when there are
    /// several).
    pub av_edge: Option<ExternalName>,
    /// The federation port (`AccessEdge`, `SipServer`, `Mtls`, external side).
    pub federation_port: Option<u16>,
    /// The internal SIP port (`AccessEdge`, `SipServer`, `Mtls`, internal side), where the
    /// servers present the internal certificate.
    pub internal_port: Option<u16>,
    /// The Edge service's `ServiceVersion`.
    pub service_version: Option<ServiceVersion>,
    /// The line of the cluster.
    #[serde(skip)]
    pub line: usize,
}

/// A Front End pool or a Director pool: the cluster of a `Registrar` service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrontEndPool {
    /// The pool's FQDN.
    pub fqdn: String,
    /// The site's name.
    pub site: String,
    /// The servers' FQDNs.
    pub machines: Vec<String>,
    /// `RegistrarService@IsDirector`: a Director pool.
    pub director: bool,
    /// `WebService/ExternalSettings@Host`: the external web services FQDN.
    pub external_web: Option<String>,
    /// `WebService/InternalSettings@Host`, when the file sets one.
    pub internal_web: Option<String>,
    /// The SIP port of the servers (`Registrar`, `SipServer`, `Mtls`, primary side).
    pub sip_port: Option<u16>,
    /// The published port of the external web services (`WebSite`, `Https`, external side,
    /// `ConfiguredPort`): where the reverse proxy listens.
    pub external_web_port: Option<u16>,
    /// The Registrar service's `ServiceVersion`.
    pub service_version: Option<ServiceVersion>,
}

/// A simple URL (`SimpleUrlConfiguration/SimpleUrl`; Topology Builder files only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimpleUrl {
    /// `Component`: `Meet`, `Dialin` or `Cscp` (the administrative URL).
    pub component: String,
    /// `Domain` (`*` for every domain).
    pub domain: String,
    /// `ActiveUrl`.
    pub url: String,
}

impl SimpleUrl {
    /// The host of the URL (`meet.contoso.com` in `https://meet.contoso.com/abc`).
    pub fn host(&self) -> Option<&str> {
        let rest = self.url.split_once("://").map_or(&*self.url, |(_, r)| r);
        let host = rest.split(['/', ':', '?', '#']).next()?;
        (!host.is_empty()).then_some(host)
    }
}

/// A topology read from Topology Builder's or `Get-CsTopology -AsXml`'s XML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deployment {
    /// Which file it is.
    #[serde(serialize_with = "as_text")]
    pub format: XmlFormat,
    /// How its text was encoded.
    #[serde(serialize_with = "as_text")]
    pub encoding: TextEncoding,
    /// The central sites.
    pub sites: Vec<Site>,
    /// The Edge pools, in the file's order.
    pub edge_pools: Vec<EdgePool>,
    /// The Front End and Director pools, in the file's order.
    pub front_end_pools: Vec<FrontEndPool>,
    /// The SIP domains, the default one first.
    pub sip_domains: Vec<String>,
    /// The line of `InternalDomains`.
    #[serde(skip)]
    pub sip_domains_line: usize,
    /// The simple URLs.
    pub simple_urls: Vec<SimpleUrl>,
    /// Every `ServiceVersion` in the file, lowest first.
    pub service_versions: Vec<ServiceVersion>,
}

/// Why an Edge pool cannot be chosen from a topology.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PoolError {
    /// The topology defines no Edge pool.
    #[error("{path}: the topology defines no Edge pool (no service with RoleName=\"EdgeServer\"), so it gives no Edge certificate")]
    NoEdgePool {
        /// The file.
        path: String,
    },
    /// Several pools and none chosen.
    #[error("{path}: the topology has {} Edge pools, choose one: {}", pools.len(), list(pools))]
    Choose {
        /// The file.
        path: String,
        /// Each pool: FQDN, site, Access Edge FQDN.
        pools: Vec<PoolSummary>,
    },
    /// The pool asked for is not in the topology.
    #[error("{path}: no Edge pool {asked}; the topology has {}", list(pools))]
    Unknown {
        /// The file.
        path: String,
        /// The pool asked for.
        asked: String,
        /// The pools there are.
        pools: Vec<PoolSummary>,
    },
}

/// An Edge pool in one line: its FQDN, site and Access Edge FQDN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSummary {
    /// The pool's FQDN.
    pub fqdn: String,
    /// Its site.
    pub site: String,
    /// Its Access Edge external FQDN.
    pub access_edge: Option<String>,
}

impl fmt::Display for PoolSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (site {}, Access Edge {})",
            self.fqdn,
            self.site,
            self.access_edge.as_deref().unwrap_or("not set")
        )
    }
}

fn list(pools: &[PoolSummary]) -> String {
    pools
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

fn as_text<T: fmt::Display, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

/// True when the text (already decoded) is XML rather than TOML: its first character other
/// than white space is `<`.
pub(crate) fn looks_like_xml(text: &str) -> bool {
    text.trim_start().starts_with('<')
}

fn bad(path: &str, message: impl Into<String>) -> Error {
    Error::Topology {
        path: path.to_string(),
        message: message.into(),
    }
}

/// Line and column (from 1) of the end of `text`.
fn end_position(text: &str) -> (usize, usize) {
    let line = text.matches('\n').count() + 1;
    let last = text.rsplit('\n').next().unwrap_or("");
    (line, last.chars().count() + 1)
}

fn xml_error(path: &str, text: &str, e: &roxmltree::Error) -> Error {
    use roxmltree::Error as X;
    match e {
        X::DtdDetected => bad(
            path,
            "the XML declares a DTD (<!DOCTYPE ...>) and may declare entities; topology files have none, and picert refuses them rather than expand or fetch anything",
        ),
        X::NodesLimitReached => bad(
            path,
            format!("the XML has more than {MAX_XML_NODES} nodes; a topology has a few thousand"),
        ),
        X::UnexpectedEndOfStream | X::UnclosedRootNode => {
            let (line, column) = end_position(text);
            bad(
                path,
                format!("the XML ends at line {line}, column {column} before its elements are closed: the file is truncated"),
            )
        }
        other => {
            let pos = other.pos();
            let message = other.to_string();
            let message = message
                .strip_suffix(&format!(" at {}:{}", pos.row, pos.col))
                .unwrap_or(&message)
                .to_string();
            bad(
                path,
                format!(
                    "line {}, column {}: the XML is not well-formed: {message}",
                    pos.row, pos.col
                ),
            )
        }
    }
}

fn children<'a, 'i>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &'a str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

fn path_of<'a, 'i>(node: Node<'a, 'i>, names: &[&'a str]) -> Vec<Node<'a, 'i>> {
    let mut nodes = vec![node];
    for name in names {
        nodes = nodes.into_iter().flat_map(|n| children(n, name)).collect();
    }
    nodes
}

/// A cluster as both formats give it, before its role is known.
struct Cluster {
    fqdn: String,
    site: String,
    machines: Vec<String>,
    line: usize,
}

/// A service as both formats give it.
struct Service<'a, 'i> {
    node: Node<'a, 'i>,
    role: &'a str,
    cluster: String,
    version: Option<ServiceVersion>,
}

impl Deployment {
    /// Reads a topology XML file: the size capped, the text decoded as Windows writes it.
    pub fn load(path: &Path) -> Result<Deployment, Error> {
        let shown = path.display().to_string();
        let bytes = read_capped(path, &shown)?;
        Deployment::parse_bytes(&bytes, &shown)
    }

    /// Parses a topology XML file's bytes: UTF-8 with or without a byte-order mark, or UTF-16
    /// with one. `origin` names the file in errors.
    pub fn parse_bytes(bytes: &[u8], origin: &str) -> Result<Deployment, Error> {
        let (decoded, encoding) =
            crate::text::decode(bytes).map_err(|e| bad(origin, e.to_string()))?;
        let text =
            std::str::from_utf8(&decoded).map_err(|_| bad(origin, "the file is not UTF-8 text"))?;
        Deployment::parse(text, encoding, origin)
    }

    /// Parses topology XML text. `origin` names the file in errors.
    pub fn parse(text: &str, encoding: TextEncoding, origin: &str) -> Result<Deployment, Error> {
        if !looks_like_xml(text) {
            return Err(bad(
                origin,
                "the file is not XML: a topology XML file starts with <?xml, <TopologyBuilder or <Topology",
            ));
        }
        let options = roxmltree::ParsingOptions {
            allow_dtd: false,
            nodes_limit: MAX_XML_NODES,
            ..roxmltree::ParsingOptions::default()
        };
        let doc =
            Document::parse_with_options(text, options).map_err(|e| xml_error(origin, text, &e))?;
        let line = |n: Node| doc.text_pos_at(n.range().start).row as usize;
        let root = doc.root_element();
        let (format, partial) = match root.tag_name().name() {
            "TopologyBuilder" => {
                let partial = path_of(root, &["NewTopology", "PartialTopology"])
                    .into_iter()
                    .next()
                    .ok_or_else(|| {
                        bad(origin, "a Topology Builder file without NewTopology/PartialTopology")
                    })?;
                (XmlFormat::TopologyBuilder, partial)
            }
            "Topology" => (XmlFormat::Published, root),
            other => {
                return Err(bad(
                    origin,
                    format!("the XML's root element is <{other}>, not a topology (Topology Builder's <TopologyBuilder> or Get-CsTopology -AsXml's <Topology>)"),
                ))
            }
        };
        let attr = |n: Node<'_, '_>, a: &str| n.attribute(a).map(str::trim).map(str::to_string);

        // SIP domains, the default first.
        let domains = child(partial, "InternalDomains");
        let default = domains.and_then(|d| attr(d, "DefaultDomain"));
        let mut sip_domains: Vec<String> = default.into_iter().collect();
        for d in domains
            .into_iter()
            .flat_map(|d| children(d, "InternalDomain"))
        {
            if let Some(name) = attr(d, "Name") {
                if !sip_domains.iter().any(|s| s.eq_ignore_ascii_case(&name)) {
                    sip_domains.push(name);
                }
            }
        }

        let simple_urls = path_of(partial, &["SimpleUrlConfiguration", "SimpleUrl"])
            .into_iter()
            .filter_map(|u| {
                Some(SimpleUrl {
                    component: attr(u, "Component")?,
                    domain: attr(u, "Domain").unwrap_or_else(|| "*".into()),
                    url: attr(u, "ActiveUrl")?,
                })
            })
            .collect();

        // Sites and clusters.
        let mut sites = Vec::new();
        let mut clusters: HashMap<String, Cluster> = HashMap::new();
        let mut cluster_order: Vec<String> = Vec::new();
        let site_name = |s: Node| {
            let id = attr(s, "SiteId").unwrap_or_default();
            let name = child(s, "Name")
                .and_then(|n| n.text())
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map_or_else(|| id.clone(), str::to_string);
            Site { id, name }
        };
        let machine_names = |c: Node, machines: Vec<Node>| {
            let fqdn = attr(c, "Fqdn");
            machines
                .into_iter()
                .filter_map(|m| attr(m, "Fqdn").or_else(|| fqdn.clone()))
                .collect::<Vec<_>>()
        };
        match format {
            XmlFormat::TopologyBuilder => {
                for s in path_of(partial, &["CentralSites", "CentralSite"]) {
                    let site = site_name(s);
                    for c in path_of(s, &["Clusters", "Cluster"]) {
                        let Some(id) = attr(c, "UniqueId") else {
                            continue;
                        };
                        let machines = machine_names(c, path_of(c, &["Machines", "Machine"]));
                        let Some(fqdn) = attr(c, "Fqdn").or_else(|| machines.first().cloned())
                        else {
                            continue;
                        };
                        let key = id.to_ascii_lowercase();
                        if clusters.contains_key(&key) {
                            continue;
                        }
                        cluster_order.push(key.clone());
                        clusters.insert(
                            key,
                            Cluster {
                                fqdn,
                                site: site.name.clone(),
                                machines,
                                line: line(c),
                            },
                        );
                    }
                    sites.push(site);
                }
            }
            XmlFormat::Published => {
                for s in path_of(partial, &["Sites", "CentralSite"]) {
                    sites.push(site_name(s));
                }
                for c in path_of(partial, &["Clusters", "Cluster"]) {
                    let Some(id) = child(c, "ClusterId") else {
                        continue;
                    };
                    let site_id = attr(id, "SiteId").unwrap_or_default();
                    let key = format!("{site_id}:{}", attr(id, "Number").unwrap_or_default());
                    let machines = machine_names(c, children(c, "Machine").collect());
                    let Some(fqdn) = attr(c, "Fqdn").or_else(|| machines.first().cloned()) else {
                        continue;
                    };
                    let site = sites
                        .iter()
                        .find(|s| s.id == site_id)
                        .map_or(site_id, |s| s.name.clone());
                    if clusters.contains_key(&key) {
                        continue;
                    }
                    cluster_order.push(key.clone());
                    clusters.insert(
                        key,
                        Cluster {
                            fqdn,
                            site,
                            machines,
                            line: line(c),
                        },
                    );
                }
            }
        }

        // Services.
        let mut services = Vec::new();
        for s in path_of(partial, &["Services", "Service"]) {
            let version = s
                .attribute("ServiceVersion")
                .and_then(|v| v.trim().parse().ok())
                .map(ServiceVersion);
            let (role, cluster) = match format {
                XmlFormat::TopologyBuilder => (
                    s.attribute("RoleName"),
                    attr(s, "InstalledOn").map(|c| c.to_ascii_lowercase()),
                ),
                XmlFormat::Published => (
                    child(s, "ServiceId").and_then(|i| i.attribute("RoleName")),
                    path_of(s, &["InstalledOn", "ClusterId"]).first().map(|c| {
                        format!(
                            "{}:{}",
                            attr(*c, "SiteId").unwrap_or_default(),
                            attr(*c, "Number").unwrap_or_default()
                        )
                    }),
                ),
            };
            if let (Some(role), Some(cluster)) = (role, cluster) {
                services.push(Service {
                    node: s,
                    role,
                    cluster,
                    version,
                });
            }
        }
        let mut service_versions: Vec<ServiceVersion> =
            services.iter().filter_map(|s| s.version).collect();
        service_versions.sort();
        service_versions.dedup();

        let mut edge_pools = Vec::new();
        let mut front_end_pools = Vec::new();
        for key in &cluster_order {
            let cluster = &clusters[key];
            let on = || services.iter().filter(|s| &s.cluster == key);
            if let Some(edge) = on().find(|s| s.role == "EdgeServer") {
                edge_pools.push(edge_pool(cluster, edge, line));
            }
            if let Some(registrar) = on().find(|s| s.role == "Registrar") {
                let director = child(registrar.node, "RegistrarService")
                    .and_then(|r| r.attribute("IsDirector"))
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
                let web = on()
                    .find(|s| s.role == "WebServices")
                    .and_then(|w| child(w.node, "WebService"));
                let host = |side: &str| {
                    web.and_then(|w| child(w, side))
                        .and_then(|s| attr(s, "Host"))
                        .filter(|h| !h.is_empty())
                };
                let external_web_port = on()
                    .find(|s| s.role == "WebServices")
                    .into_iter()
                    .flat_map(|w| path_of(w.node, &["Ports", "Port"]))
                    .find(|p| {
                        p.attribute("Usage") == Some("WebSite")
                            && p.attribute("InterfaceSide") == Some("External")
                            && p.attribute("Protocol") == Some("Https")
                    })
                    .and_then(|p| port_of(p, "ConfiguredPort"));
                front_end_pools.push(FrontEndPool {
                    fqdn: cluster.fqdn.clone(),
                    site: cluster.site.clone(),
                    machines: cluster.machines.clone(),
                    director,
                    external_web: host("ExternalSettings"),
                    internal_web: host("InternalSettings"),
                    sip_port: path_of(registrar.node, &["Ports", "Port"])
                        .into_iter()
                        .find(|p| {
                            p.attribute("Owner") == Some("urn:component:Registrar")
                                && p.attribute("Usage") == Some("SipServer")
                                && p.attribute("InterfaceSide") == Some("Primary")
                                && p.attribute("Protocol") == Some("Mtls")
                        })
                        .and_then(|p| port_of(p, "Port")),
                    external_web_port,
                    service_version: registrar.version,
                });
            }
        }

        Ok(Deployment {
            format,
            encoding,
            sites,
            edge_pools,
            front_end_pools,
            sip_domains,
            sip_domains_line: domains.map_or(1, line),
            simple_urls,
            service_versions,
        })
    }

    /// The Edge pool whose FQDN is `asked` (case-insensitive, a trailing root dot ignored), or
    /// the only one when `asked` is `None`. `origin` names the file in errors.
    pub fn edge_pool(&self, asked: Option<&str>, origin: &str) -> Result<&EdgePool, PoolError> {
        let summaries = || self.edge_pools.iter().map(EdgePool::summary).collect();
        match (asked, &self.edge_pools[..]) {
            (_, []) => Err(PoolError::NoEdgePool {
                path: origin.into(),
            }),
            (None, [one]) => Ok(one),
            (None, _) => Err(PoolError::Choose {
                path: origin.into(),
                pools: summaries(),
            }),
            (Some(asked), pools) => {
                let want = asked.trim().trim_end_matches('.');
                pools
                    .iter()
                    .find(|p| p.fqdn.eq_ignore_ascii_case(want))
                    .ok_or_else(|| PoolError::Unknown {
                        path: origin.into(),
                        asked: asked.into(),
                        pools: summaries(),
                    })
            }
        }
    }

    /// The product the file's `ServiceVersion`s name, when they all name the same known one.
    pub fn product(&self) -> Option<Product> {
        match &self.service_versions[..] {
            [one] => one.product(),
            _ => None,
        }
    }
}

/// The picert TOML topology equivalent to a topology's fields: what [`Topology::load`] gives
/// when a TOML file holds it. The fields the XML cannot say (AOL, subject, template, key type,
/// Windows release) are left for the administrator, with a comment naming them.
///
/// [`Topology::load`]: crate::Topology::load
pub fn equivalent_toml(topology: &crate::Topology, heading: &str) -> Result<String, Error> {
    #[derive(Serialize)]
    struct Equivalent<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        access_edge: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        webconf_edge: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        av_edge: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        sip_domains: Option<&'a [String]>,
        #[serde(skip_serializing_if = "Option::is_none")]
        edge_servers: Option<&'a [String]>,
        #[serde(skip_serializing_if = "Option::is_none")]
        product: Option<&'static str>,
    }
    let body = toml::to_string(&Equivalent {
        access_edge: topology.access_edge.as_deref(),
        webconf_edge: topology.webconf_edge.as_deref(),
        av_edge: topology.av_edge.as_deref(),
        sip_domains: topology.sip_domains.as_deref(),
        edge_servers: topology.edge_servers.as_deref(),
        product: topology.product.map(Product::as_str),
    })
    .map_err(|e| crate::error::encoding("the TOML topology")(e.to_string()))?;
    let mut out = String::new();
    for line in heading.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(
        "# What the XML cannot say is left to set: aol, [subject] (organization, locality,\n",
    );
    out.push_str("# state, country), template, key_type, windows (docs/topology.md).\n\n");
    out.push_str(&body);
    Ok(out)
}

impl EdgePool {
    /// The pool in one line.
    pub fn summary(&self) -> PoolSummary {
        PoolSummary {
            fqdn: self.fqdn.clone(),
            site: self.site.clone(),
            access_edge: self.access_edge.as_ref().map(|a| a.fqdn.clone()),
        }
    }
}

/// A port attribute (`Port`, `ConfiguredPort`) of a `Port` element, when it is a number.
fn port_of(port: Node, attribute: &str) -> Option<u16> {
    port.attribute(attribute)?.trim().parse().ok()
}

fn edge_pool(cluster: &Cluster, edge: &Service, line: impl Fn(Node) -> usize) -> EdgePool {
    let ports: Vec<Node> = path_of(edge.node, &["Ports", "Port"])
        .into_iter()
        .filter(|p| p.attribute("InterfaceSide") == Some("External"))
        .collect();
    let find = |owner: &str, usage: &str| {
        ports
            .iter()
            .filter(|p| p.attribute("Owner") == Some(owner) && p.attribute("Usage") == Some(usage))
            .collect::<Vec<_>>()
    };
    let named = |ports: Vec<&Node>| {
        let p = ports
            .iter()
            .find(|p| p.attribute("Protocol") == Some("Tcp"))
            .or(ports.first())?;
        Some(ExternalName {
            fqdn: p
                .attribute("ConfiguredFqdn")
                .map(str::trim)
                .filter(|f| !f.is_empty())?
                .to_string(),
            port: p.attribute("Port")?.trim().parse().ok()?,
            line: line(**p),
        })
    };
    let federation_port = find("urn:component:AccessEdge", "SipServer")
        .into_iter()
        .find(|p| p.attribute("Protocol") == Some("Mtls"))
        .and_then(|p| port_of(*p, "Port"));
    let internal_port = path_of(edge.node, &["Ports", "Port"])
        .into_iter()
        .find(|p| {
            p.attribute("InterfaceSide") == Some("Internal")
                && p.attribute("Owner") == Some("urn:component:AccessEdge")
                && p.attribute("Usage") == Some("SipServer")
                && p.attribute("Protocol") == Some("Mtls")
        })
        .and_then(|p| port_of(p, "Port"));
    EdgePool {
        fqdn: cluster.fqdn.clone(),
        site: cluster.site.clone(),
        machines: cluster.machines.clone(),
        access_edge: named(find("urn:component:AccessEdge", "SipClient")),
        webconf_edge: named(find("urn:component:DataEdge", "PsomClient")),
        av_edge: named(find("urn:component:MediaRelayEdge", "TURNServer")),
        federation_port,
        internal_port,
        service_version: edge.version,
        line: cluster.line,
    }
}

/// The file's bytes, refused past [`MAX_XML_BYTES`] without reading more than one byte over.
pub(crate) fn read_capped(path: &Path, shown: &str) -> Result<Vec<u8>, Error> {
    let read_error = |e: std::io::Error| Error::Read {
        path: shown.to_string(),
        message: crate::io_message(&e),
    };
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            std::fs::File::open(path).map_err(read_error)?,
            MAX_XML_BYTES + 1,
        ),
        &mut bytes,
    )
    .map_err(read_error)?;
    if bytes.len() as u64 > MAX_XML_BYTES {
        return Err(bad(
            shown,
            format!(
                "the file is larger than {} MiB; a topology file is at most a few hundred kilobytes",
                MAX_XML_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TBXML: &[u8] = include_bytes!("../../../fixtures/topology/multi.tbxml");
    const TBXML_LE: &[u8] = include_bytes!("../../../fixtures/topology/multi-utf16le.tbxml");
    const PUBLISHED: &[u8] = include_bytes!("../../../fixtures/topology/multi-published.xml");
    const PUBLISHED_LE: &[u8] =
        include_bytes!("../../../fixtures/topology/multi-published-utf16le.xml");

    fn parse(bytes: &[u8]) -> Deployment {
        Deployment::parse_bytes(bytes, "multi").unwrap()
    }

    fn without_lines(mut d: Deployment) -> Deployment {
        d.sip_domains_line = 0;
        for p in &mut d.edge_pools {
            p.line = 0;
            for n in [&mut p.access_edge, &mut p.webconf_edge, &mut p.av_edge]
                .into_iter()
                .flatten()
            {
                n.line = 0;
            }
        }
        d.encoding = TextEncoding::Utf8;
        d
    }

    #[test]
    fn both_formats_give_the_multi_site_deployment() {
        for (bytes, format) in [
            (TBXML, XmlFormat::TopologyBuilder),
            (PUBLISHED, XmlFormat::Published),
        ] {
            let d = parse(bytes);
            assert_eq!(d.format, format);
            assert_eq!(d.encoding, TextEncoding::Utf8);
            let sites: Vec<_> = d.sites.iter().map(|s| (&*s.id, &*s.name)).collect();
            assert_eq!(sites, [("1", "Redmond"), ("2", "Dublin")], "{format}");
            assert_eq!(
                d.sip_domains,
                ["contoso.com", "fabrikam.com"],
                "default first"
            );
            assert_eq!(d.edge_pools.len(), 2);
            let red = &d.edge_pools[0];
            assert_eq!(red.fqdn, "edgepool-red.contoso.com");
            assert_eq!(red.site, "Redmond");
            assert_eq!(
                red.machines,
                ["edge-red1.contoso.com", "edge-red2.contoso.com"]
            );
            let name = |n: &Option<ExternalName>| n.as_ref().map(|n| (n.fqdn.clone(), n.port));
            assert_eq!(
                name(&red.access_edge),
                Some(("sip.contoso.com".into(), 443))
            );
            assert_eq!(
                name(&red.webconf_edge),
                Some(("webconf.contoso.com".into(), 443))
            );
            assert_eq!(
                name(&red.av_edge),
                Some(("av.contoso.com".into(), 443)),
                "the TCP port of the A/V Edge"
            );
            assert_eq!(red.federation_port, Some(5061));
            assert_eq!(red.internal_port, Some(5061));
            assert_eq!(red.service_version, Some(ServiceVersion(8)));
            let dub = &d.edge_pools[1];
            assert_eq!(dub.site, "Dublin");
            assert_eq!(dub.machines, ["edge-dub1.contoso.com"]);
            assert_eq!(
                name(&dub.access_edge),
                Some(("sip-eu.contoso.com".into(), 5061))
            );
            let fe: Vec<_> = d
                .front_end_pools
                .iter()
                .map(|p| {
                    (
                        &*p.fqdn,
                        &*p.site,
                        p.director,
                        p.external_web.as_deref(),
                        p.machines.len(),
                    )
                })
                .collect();
            assert_eq!(
                fe,
                [
                    (
                        "fepool-red.contoso.com",
                        "Redmond",
                        false,
                        Some("webext-red.contoso.com"),
                        2
                    ),
                    (
                        "dirpool-red.contoso.com",
                        "Redmond",
                        true,
                        Some("webext-dir.contoso.com"),
                        1
                    ),
                    (
                        "se-dub.contoso.com",
                        "Dublin",
                        false,
                        Some("webext-dub.contoso.com"),
                        1
                    ),
                ]
            );
            assert_eq!(
                d.front_end_pools[2].machines,
                ["se-dub.contoso.com"],
                "a single server without its own name is the cluster's"
            );
            assert_eq!(d.front_end_pools[0].sip_port, Some(5061));
            assert_eq!(
                d.front_end_pools[0].external_web_port, None,
                "no published port in the file: the reverse proxy's default"
            );
            assert_eq!(
                d.front_end_pools[0].internal_web.as_deref(),
                Some("webint-red.contoso.com")
            );
            assert_eq!(d.product(), Some(Product::Sfb2019));
        }
        let tb = parse(TBXML);
        let urls: Vec<_> = tb
            .simple_urls
            .iter()
            .map(|u| (&*u.component, &*u.domain, u.host()))
            .collect();
        assert_eq!(
            urls,
            [
                ("Dialin", "*", Some("dialin.contoso.com")),
                ("Meet", "contoso.com", Some("meet.contoso.com")),
                ("Meet", "fabrikam.com", Some("meet.fabrikam.com")),
                ("Cscp", "*", Some("admin.contoso.com")),
            ]
        );
        assert!(
            parse(PUBLISHED).simple_urls.is_empty(),
            "the published topology has none"
        );
        // The two formats describe the same deployment.
        let mut published = without_lines(parse(PUBLISHED));
        published.format = XmlFormat::TopologyBuilder;
        published.simple_urls = tb.simple_urls.clone();
        assert_eq!(without_lines(tb), published);
    }

    #[test]
    fn utf16_copies_read_as_their_text() {
        for (le, utf8) in [(TBXML_LE, TBXML), (PUBLISHED_LE, PUBLISHED)] {
            let d = parse(le);
            assert_eq!(d.encoding, TextEncoding::Utf16Le);
            assert_eq!(without_lines(d), without_lines(parse(utf8)));
        }
        let mut be = vec![0xfe, 0xff];
        let text = std::str::from_utf8(PUBLISHED).unwrap();
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(parse(&be).encoding, TextEncoding::Utf16Be);
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(PUBLISHED);
        assert_eq!(parse(&bom).edge_pools.len(), 2);
    }

    #[test]
    fn lines_point_into_the_file() {
        let d = parse(TBXML);
        let text = std::str::from_utf8(TBXML).unwrap();
        let line = |n: usize| text.lines().nth(n - 1).unwrap();
        let access = d.edge_pools[0].access_edge.as_ref().unwrap();
        assert!(line(access.line).contains("ConfiguredFqdn=\"sip.contoso.com\""));
        assert!(line(d.sip_domains_line).contains("<InternalDomains"));
        assert!(line(d.edge_pools[1].line).contains("Fqdn=\"edgepool-dub.contoso.com\""));
    }

    #[test]
    fn an_edge_pool_is_chosen_by_its_fqdn() {
        let d = parse(TBXML);
        let e = d.edge_pool(None, "multi.tbxml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "multi.tbxml: the topology has 2 Edge pools, choose one: edgepool-red.contoso.com (site Redmond, Access Edge sip.contoso.com); edgepool-dub.contoso.com (site Dublin, Access Edge sip-eu.contoso.com)"
        );
        let dub = d
            .edge_pool(Some("EdgePool-Dub.Contoso.com."), "multi.tbxml")
            .unwrap();
        assert_eq!(dub.fqdn, "edgepool-dub.contoso.com");
        let e = d
            .edge_pool(Some("edgepool-nyc.contoso.com"), "multi.tbxml")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("multi.tbxml: no Edge pool edgepool-nyc.contoso.com; the topology has edgepool-red.contoso.com (site Redmond"),
            "{e}"
        );
    }

    fn error(bytes: &[u8]) -> String {
        Deployment::parse_bytes(bytes, "t.xml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn bad_files_are_refused_in_one_line() {
        let e = error(include_bytes!(
            "../../../fixtures/topology/bad/not-topology.xml"
        ));
        assert!(
            e.starts_with("t.xml: the XML's root element is <configuration>, not a topology"),
            "{e}"
        );
        let truncated = include_bytes!("../../../fixtures/topology/bad/truncated.tbxml");
        let e = error(truncated);
        let text = std::str::from_utf8(truncated).unwrap();
        let lines = text.matches('\n').count() + 1;
        let column = text.rsplit('\n').next().unwrap().chars().count() + 1;
        assert_eq!(
            e,
            format!("t.xml: the XML ends at line {lines}, column {column} before its elements are closed: the file is truncated")
        );
        let e = error(include_bytes!("../../../fixtures/topology/bad/dtd.xml"));
        assert!(
            e.starts_with("t.xml: the XML declares a DTD (<!DOCTYPE ...>)"),
            "{e}"
        );
        let e = error(b"<Topology>\n  <Sites></Site>\n</Topology>");
        assert!(
            e == "t.xml: line 2, column 10: the XML is not well-formed: expected 'Sites' tag, not 'Site'",
            "{e}"
        );
        assert!(!e.contains('\n'));
        let none = parse(include_bytes!("../../../fixtures/topology/bad/noedge.xml"));
        assert!(none.edge_pools.is_empty());
        assert_eq!(none.front_end_pools.len(), 3);
        assert_eq!(
            none.edge_pool(None, "noedge.xml").unwrap_err().to_string(),
            "noedge.xml: the topology defines no Edge pool (no service with RoleName=\"EdgeServer\"), so it gives no Edge certificate"
        );
        let mut nobom = Vec::new();
        nobom.extend("<Topology/>".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(error(&nobom).contains("UTF-16 text without a byte-order mark"));
    }

    #[test]
    fn every_truncation_is_an_error_of_one_line_not_a_panic() {
        for bytes in [TBXML, PUBLISHED_LE] {
            for end in (0..bytes.len() - 20).step_by(61) {
                let e = Deployment::parse_bytes(&bytes[..end], "t.xml")
                    .unwrap_err()
                    .to_string();
                assert!(e.starts_with("t.xml: ") && !e.contains('\n'), "{end}: {e}");
            }
        }
    }

    #[test]
    fn millions_of_nodes_are_refused() {
        let mut text = String::from("<Topology>");
        text.push_str(&"<a/>".repeat(MAX_XML_NODES as usize + 1));
        text.push_str("</Topology>");
        let e = error(text.as_bytes());
        assert_eq!(
            e,
            "t.xml: the XML has more than 1000000 nodes; a topology has a few thousand"
        );
    }

    #[test]
    fn a_file_over_the_cap_is_not_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.xml");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_XML_BYTES + 1).unwrap();
        let e = Deployment::load(&path).unwrap_err().to_string();
        assert!(e.ends_with("huge.xml: the file is larger than 16 MiB; a topology file is at most a few hundred kilobytes"), "{e}");
        file.set_len(10).unwrap();
        assert!(Deployment::load(&path).is_err());
    }

    #[test]
    fn the_equivalent_toml_reads_back_as_the_same_topology() {
        let d = parse(TBXML);
        let t = crate::Topology::from_deployment(&d, Some("edgepool-red.contoso.com"), "multi")
            .unwrap();
        let text =
            equivalent_toml(&t, "from multi.tbxml\nEdge pool edgepool-red.contoso.com").unwrap();
        assert!(text.starts_with("# from multi.tbxml\n# Edge pool edgepool-red.contoso.com\n"));
        let back = crate::Topology::from_toml(&text, "back.toml").unwrap();
        assert_eq!(back, t);
        assert_eq!(back.product, Some(Product::Sfb2019));
        assert_eq!(
            back.edge_servers.unwrap(),
            ["edge-red1.contoso.com", "edge-red2.contoso.com"]
        );
        assert!(
            Deployment::parse("access_edge = 'x'", TextEncoding::Utf8, "t.toml")
                .unwrap_err()
                .to_string()
                .starts_with("t.toml: the file is not XML")
        );
    }

    #[test]
    fn the_json_form_leaves_out_lines() {
        let v = serde_json::to_value(parse(PUBLISHED)).unwrap();
        assert_eq!(v["format"], "published topology (Get-CsTopology -AsXml)");
        assert_eq!(
            v["edge_pools"][1]["access_edge"]["fqdn"],
            "sip-eu.contoso.com"
        );
        assert_eq!(v["edge_pools"][1]["access_edge"]["port"], 5061);
        assert_eq!(v["service_versions"][0], 8);
        assert!(v["edge_pools"][0].get("line").is_none());
    }

    #[test]
    fn service_versions_are_named_only_when_known() {
        assert_eq!(ServiceVersion(7).product(), Some(Product::Sfb2015));
        assert_eq!(ServiceVersion(8).product(), Some(Product::Sfb2019));
        assert_eq!(ServiceVersion(6).product(), None);
        assert_eq!(
            ServiceVersion(9).to_string(),
            "ServiceVersion 9 (a version picert does not know the product of)"
        );
        assert_eq!(
            ServiceVersion(8).to_string(),
            "ServiceVersion 8 (Skype for Business Server 2019)"
        );
    }
}
