//! Test support for picert: the bodies of the fuzz targets (so that the fuzzers and the corpus
//! replay in the normal test suite run the same code), and real servers on loopback for the
//! live, federation and ACME tests. The tests themselves are under `tests/`.
#![forbid(unsafe_code)]

#[cfg(feature = "servers")]
pub mod servers;

/// What each fuzz target does with its input. None of them may panic, whatever the bytes.
pub mod fuzzing {
    use picert_core::{EdgeProfile, PrivateKey, Topology};
    use picert_verify::Auditor;

    /// 2026-06-01T00:00:00Z: a fixed audit time, so that runs are reproducible.
    const AT: picert_core::Timestamp = picert_core::Timestamp::from_date(2026, 6, 1);

    /// Input detection and parsing, with a PKCS#12 password.
    pub fn parse_input(data: &[u8]) {
        if let Ok(contents) =
            picert_verify::input::read_contents_with_password(data, Some("password"))
        {
            for cert in &contents.certificates {
                let _ = picert_verify::facts::certificate_facts(cert);
            }
            for csr in &contents.requests {
                let _ = picert_verify::facts::csr_facts(csr);
            }
        }
    }

    /// The whole audit: reading, the chain check against Mozilla's roots, every rule.
    pub fn audit(data: &[u8]) {
        let topology = Topology {
            access_edge: Some("sip.contoso.com".into()),
            webconf_edge: Some("webcon.contoso.com".into()),
            sip_domains: Some(vec!["contoso.com".into(), "fabrikam.com".into()]),
            aol: Some(true),
            ..Topology::default()
        };
        let auditor = Auditor::new()
            .expectations(topology.expectations().ok())
            .at(AT);
        for report in auditor.audit_bytes("fuzz", data) {
            let _ = serde_json::to_string(&report);
            assert!(
                report.results.is_some() != report.error.is_some(),
                "results or an error, not both"
            );
            for r in report.results.iter().flatten() {
                assert!(
                    r.status != picert_verify::Status::Fatal,
                    "fatal rule {}: {:?}",
                    r.rule,
                    r.detail
                );
            }
        }
    }

    /// The topology parser, profile validation and the INF writer.
    pub fn topology(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let Ok(topology) = Topology::from_toml(text, "fuzz.toml") else {
            return;
        };
        let _ = topology.expectations();
        if let Ok(profile) = EdgeProfile::from_topology(topology) {
            let _ = profile.san_plan();
            let _ = picert_core::inf::render_inf(&profile);
        }
    }

    /// The topology XML reader (Topology Builder's and `Get-CsTopology -AsXml`'s), each Edge
    /// pool as a topology, and the plan of every certificate.
    pub fn topology_xml(data: &[u8]) {
        let Ok(deployment) = picert_core::deployment::Deployment::parse_bytes(data, "fuzz.xml")
        else {
            return;
        };
        for pool in &deployment.edge_pools {
            if let Ok(topology) =
                Topology::from_deployment(&deployment, Some(&pool.fqdn), "fuzz.xml")
            {
                let _ = topology.expectations();
                let _ = EdgeProfile::from_topology(topology);
            }
        }
        let _ = picert_core::plan::plan(&deployment, "fuzz.xml");
    }

    /// Private key reading, with and without a passphrase.
    pub fn private_key(data: &[u8]) {
        let _ = PrivateKey::from_bytes(data, None);
        let _ = PrivateKey::from_bytes(data, Some(b"password"));
    }

    /// A TLS 1.0/1.1 server's first flight as picert reads it, whole and in small pieces.
    pub fn tls_first_flight(data: &[u8]) {
        picert_probe::tls::fuzz_first_flight(data);
    }
}
