//! Reading a topology: picert's TOML, an XML topology's Edge pool, or a TOML file over the XML
//! it names.

use std::path::Path;

use crate::deployment::Deployment;
use crate::error::{Error, Field, Origin};

use super::{Located, Topology, FIELDS, SUBJECT_FIELDS};

impl Topology {
    /// Parses a topology from TOML text. `origin` names the file in error messages.
    pub fn from_toml(text: &str, origin: &str) -> Result<Topology, Error> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let mut topology: Topology = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|span| line_of(span.start));
            let message = one_line(e.message());
            let message = unknown_field_message(&message).unwrap_or(message);
            Error::Topology {
                path: origin.to_string(),
                message: match line {
                    Some(l) => format!("line {l}: {message}"),
                    None => message,
                },
            }
        })?;
        if let Ok(located) = toml::from_str::<Located>(text) {
            let at = |span: std::ops::Range<usize>| Origin::File {
                path: origin.to_string(),
                line: line_of(span.start),
            };
            located.record(&mut topology.origins, at);
        }
        Ok(topology)
    }

    /// Reads and parses a topology file: picert's TOML, or the XML of Topology Builder or
    /// `Get-CsTopology -AsXml` (told apart by content) with its only Edge pool.
    pub fn load(path: &Path) -> Result<Topology, Error> {
        Topology::load_pool(path, None)
    }

    /// Reads a topology file, as [`Topology::load`], taking the Edge pool `edge_pool` (its FQDN,
    /// case-insensitive) from an XML topology: the file itself, or the one a TOML file names in
    /// `topology_xml` (`edge_pool` here goes over the TOML's).
    pub fn load_pool(path: &Path, edge_pool: Option<&str>) -> Result<Topology, Error> {
        let shown = path.display().to_string();
        let bytes = crate::deployment::read_capped(path, &shown)?;
        // Notepad's UTF-8 byte-order mark and PowerShell's UTF-16 are read as the text they are.
        let (decoded, encoding) = crate::text::decode(&bytes).map_err(|e| Error::Topology {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let text = std::str::from_utf8(&decoded).map_err(|_| Error::Topology {
            path: shown.clone(),
            message: "the file is not UTF-8 text".into(),
        })?;
        if crate::deployment::looks_like_xml(text) {
            let deployment = Deployment::parse(text, encoding, &shown)?;
            return Topology::from_deployment(&deployment, edge_pool, &shown);
        }
        // A TOML topology is a few hundred bytes; refuse anything absurd.
        const MAX_TOPOLOGY_BYTES: usize = 1024 * 1024;
        if bytes.len() > MAX_TOPOLOGY_BYTES {
            return Err(Error::Topology {
                path: shown,
                message: "the file is larger than 1 MiB; a topology file is a few lines".into(),
            });
        }
        let mut own = Topology::from_toml(text, &shown)?;
        own.origins.converted(&shown, encoding);
        let Some(xml) = own.topology_xml.clone() else {
            if let Some(pool) = edge_pool.or(own.edge_pool.as_deref()) {
                return Err(Error::Topology {
                    path: shown,
                    message: format!("the Edge pool {pool} is chosen, but this TOML topology names no XML topology (topology_xml) to take it from"),
                });
            }
            return Ok(own);
        };
        let xml_path = path.parent().unwrap_or(Path::new("")).join(&xml);
        let xml_shown = xml_path.display().to_string();
        let bytes = crate::deployment::read_capped(&xml_path, &xml_shown)?;
        let deployment = Deployment::parse_bytes(&bytes, &xml_shown)?;
        let pool = edge_pool.or(own.edge_pool.as_deref());
        let derived = Topology::from_deployment(&deployment, pool, &xml_shown)?;
        // The overlay keeps the converted files of both, the XML's first.
        Ok(derived.overlay(own))
    }

    /// The Edge pool `edge_pool` of an XML topology (the only one when `None`) as a topology:
    /// its Access Edge, Web Conferencing Edge and A/V Edge external FQDNs, the SIP domains, its
    /// servers, and the product its `ServiceVersion` names. `origin` names the file.
    pub fn from_deployment(
        deployment: &Deployment,
        edge_pool: Option<&str>,
        origin: &str,
    ) -> Result<Topology, Error> {
        let pool = deployment.edge_pool(edge_pool, origin)?;
        let at = |line: usize| Origin::File {
            path: origin.to_string(),
            line,
        };
        let mut t = Topology {
            access_edge: pool.access_edge.as_ref().map(|n| n.fqdn.clone()),
            webconf_edge: pool.webconf_edge.as_ref().map(|n| n.fqdn.clone()),
            av_edge: pool.av_edge.as_ref().map(|n| n.fqdn.clone()),
            sip_domains: (!deployment.sip_domains.is_empty())
                .then(|| deployment.sip_domains.clone()),
            edge_servers: (!pool.machines.is_empty()).then(|| pool.machines.clone()),
            product: pool
                .service_version
                .and_then(|v| v.product())
                .or_else(|| deployment.product()),
            ..Topology::default()
        };
        for (field, name) in [
            (Field::AccessEdge, &pool.access_edge),
            (Field::WebconfEdge, &pool.webconf_edge),
            (Field::AvEdge, &pool.av_edge),
        ] {
            if let Some(n) = name {
                t.origins.set(field, None, at(n.line));
            }
        }
        t.origins
            .set(Field::SipDomains, None, at(deployment.sip_domains_line));
        t.origins.set(Field::EdgeServers, None, at(pool.line));
        if t.product.is_some() {
            t.origins.set(Field::Product, None, at(pool.line));
        }
        t.origins.converted(origin, deployment.encoding);
        Ok(t)
    }
}

/// The field meant by a misspelt one, when one is close enough: by the optimal string alignment
/// distance (insertions, deletions, substitutions, and swaps of neighbours).
pub(super) fn closest<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = unknown.to_ascii_lowercase().replace('-', "_");
    known
        .iter()
        .map(|k| (strsim::osa_distance(&lower, k), *k))
        .filter(|(d, k)| *d <= 3 && *d < k.len() / 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// toml's message for an unknown field lists every field; name the closest one instead.
fn unknown_field_message(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let name = &rest[..rest.find('`')?];
    let known = if rest.contains("`country`") {
        SUBJECT_FIELDS
    } else {
        FIELDS
    };
    if known == SUBJECT_FIELDS && FIELDS.contains(&name) {
        return Some(format!(
            "`{name}` is inside the [subject] table: top-level fields go before [subject]"
        ));
    }
    Some(match closest(name, known) {
        Some(k) => format!("unknown field `{name}`: did you mean `{k}`?"),
        None => format!(
            "unknown field `{name}`; the fields are {} (docs/topology.md)",
            known.join(", ")
        ),
    })
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
