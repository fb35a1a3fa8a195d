//! Real topology files, saved by Topology Builder or published with `Publish-CsTopology`, from
//! the peer corpus (not in the repository). Every test here is `#[ignore]` and reads them from the
//! folder named by `PICERT_PEER_CORPUS` (its `topology/` subfolder):
//!
//! ```text
//! PICERT_PEER_CORPUS=/path/to/peer cargo test -p picert-core --test topology_peer -- --ignored
//! ```

use std::path::PathBuf;

use picert_core::deployment::{Deployment, XmlFormat};
use picert_core::text::TextEncoding;
use picert_core::{Product, Topology};

/// The corpus's `topology/` folder, from `PICERT_PEER_CORPUS`; a clear failure when it is not set.
fn corpus() -> PathBuf {
    let Some(dir) = std::env::var_os("PICERT_PEER_CORPUS") else {
        panic!(
            "PICERT_PEER_CORPUS is not set: point it at the peer corpus folder (with topology/), for example \
             PICERT_PEER_CORPUS=/path/to/peer cargo test -p picert-core --test topology_peer -- --ignored"
        );
    };
    let dir = PathBuf::from(dir).join("topology");
    assert!(
        dir.is_dir(),
        "{} is not a folder: PICERT_PEER_CORPUS does not hold the topology corpus",
        dir.display()
    );
    dir
}

#[test]
#[ignore = "needs PICERT_PEER_CORPUS"]
fn automatedlab_contoso_tbxml() {
    let path = corpus().join("automatedlab-contoso.tbxml");
    let d = Deployment::load(&path).unwrap();
    assert_eq!(d.format, XmlFormat::TopologyBuilder);
    assert_eq!(d.encoding, TextEncoding::Utf8Bom);
    assert_eq!(d.sip_domains, ["contoso.com"]);
    assert_eq!(d.sites.len(), 1);
    assert_eq!(d.sites[0].name, "Contoso");
    assert_eq!(d.edge_pools.len(), 1);
    let edge = &d.edge_pools[0];
    assert_eq!(edge.fqdn, "edgepool.contoso.com");
    assert_eq!(
        edge.machines,
        [
            "xedge1.contoso.com",
            "xedge2.contoso.com",
            "xedge3.contoso.com"
        ]
    );
    for name in [&edge.access_edge, &edge.webconf_edge, &edge.av_edge] {
        assert_eq!(name.as_ref().unwrap().fqdn, "ExternalEdge.contoso.com");
    }
    assert_eq!(edge.access_edge.as_ref().unwrap().port, 5061);
    assert_eq!(edge.webconf_edge.as_ref().unwrap().port, 444);
    assert_eq!(edge.av_edge.as_ref().unwrap().port, 443);
    assert_eq!(edge.federation_port, Some(5061));
    let fe = &d.front_end_pools[0];
    assert_eq!(fe.fqdn, "frontendpool.contoso.com");
    assert_eq!(fe.machines.len(), 4);
    assert!(!fe.director);
    assert_eq!(fe.external_web.as_deref(), Some("frontendpool.contoso.com"));
    assert!(d
        .simple_urls
        .iter()
        .any(|u| u.component == "Meet" && u.host() == Some("meet.contoso.com")));
    assert_eq!(d.product(), Some(Product::Sfb2015));

    // One pool: no choice needed; the single external name gives one SAN for the Access and
    // Web Conferencing Edge, then the SIP domain's sip. name.
    let t = Topology::load(&path).unwrap();
    let exp = t.expectations().unwrap();
    assert_eq!(
        exp.plan.names(),
        ["externaledge.contoso.com", "sip.contoso.com"]
    );
    assert_eq!(t.product, Some(Product::Sfb2015));
}

#[test]
#[ignore = "needs PICERT_PEER_CORPUS"]
fn rlevchenko_published_without_edge() {
    let path = corpus().join("rlevchenko-published-noedge.xml");
    let d = Deployment::load(&path).unwrap();
    assert_eq!(d.format, XmlFormat::Published);
    assert_eq!(d.sip_domains, ["tenant.rlevchenko.com"]);
    assert_eq!(d.sites[0].name, "Tenant");
    assert!(d.edge_pools.is_empty());
    assert_eq!(d.front_end_pools.len(), 1);
    let fe = &d.front_end_pools[0];
    assert_eq!(fe.fqdn, "poolfe.tenant.rlevchenko.com");
    assert_eq!(fe.machines, ["SKYPE-FE-01.tenant.rlevchenko.com"]);
    assert_eq!(
        fe.external_web.as_deref(),
        Some("poolfe.tenant.rlevchenko.com")
    );
    let e = Topology::load(&path).unwrap_err().to_string();
    assert!(e.contains("defines no Edge pool"), "{e}");
}

#[test]
#[ignore = "needs PICERT_PEER_CORPUS"]
fn the_plan_of_the_real_files() {
    use picert_core::plan::{plan, CertificateKind};
    let d = Deployment::load(&corpus().join("automatedlab-contoso.tbxml")).unwrap();
    let plans = plan(&d, "automatedlab-contoso.tbxml").unwrap();
    let kinds: Vec<_> = plans.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            CertificateKind::EdgeExternal,
            CertificateKind::EdgeInternal,
            CertificateKind::FrontEnd,
            CertificateKind::ReverseProxy
        ]
    );
    let fe: Vec<_> = plans[2].sans.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(fe[0], "frontendpool.contoso.com");
    assert!(
        fe.contains(&"xfrontend4.contoso.com") && fe.contains(&"lyncdiscoverinternal.contoso.com")
    );
    let d = Deployment::load(&corpus().join("rlevchenko-published-noedge.xml")).unwrap();
    let plans = plan(&d, "rlevchenko-published-noedge.xml").unwrap();
    let kinds: Vec<_> = plans.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [CertificateKind::FrontEnd, CertificateKind::ReverseProxy]
    );
    assert_eq!(plans[1].subject, "poolfe.tenant.rlevchenko.com");
}
