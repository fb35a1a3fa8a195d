//! The topology's tests.

use std::path::Path;

use super::parse::closest;
use super::*;
use crate::deployment::Deployment;
use crate::notes::Note;

fn contoso() -> Topology {
    Topology::from_toml(
        "access_edge = 'sip.contoso.com'\nwebconf_edge = 'webcon.contoso.com'\nsip_domains = ['contoso.com', 'fabrikam.com']\naol = true\n",
        "contoso.toml",
    )
    .unwrap()
}

#[test]
fn overlay_prefers_flags() {
    let flags = Topology {
        aol: Some(false),
        sip_domains: Some(vec!["x.example".into()]),
        ..Default::default()
    };
    let merged = contoso().overlay(flags);
    assert_eq!(merged.aol, Some(false));
    assert_eq!(merged.sip_domains.unwrap(), ["x.example"]);
    assert_eq!(merged.access_edge.as_deref(), Some("sip.contoso.com"));
}

#[test]
fn toml_rejects_unknown_keys_and_wrong_types() {
    assert!(Topology::from_toml("acces_edge = 'x'", "t.toml").is_err());
    assert!(Topology::from_toml("aol = 'yes'", "t.toml").is_err());
    let t = Topology::from_toml("key_type = 'ecdsa-p384'\nhash = 'sha384'", "t.toml").unwrap();
    assert_eq!(t.key_type, Some(KeyType::EcdsaP384));
}

#[test]
fn a_partial_topology_gives_partial_expectations() {
    let full = contoso().expectations().unwrap();
    assert!(full.names_complete);
    assert!(full.aol);
    let partial = Topology {
        access_edge: Some("SIP.contoso.com".into()),
        ..Topology::default()
    }
    .expectations()
    .unwrap();
    assert!(!partial.names_complete);
    assert_eq!(partial.access_edge.as_deref(), Some("sip.contoso.com"));
    assert_eq!(partial.plan.names(), ["sip.contoso.com"]);
    let bad = Topology {
        sip_domains: Some(vec!["*.contoso.com".into()]),
        ..Topology::default()
    };
    assert!(matches!(
        bad.expectations(),
        Err(Error::Name {
            field: Field::SipDomains,
            ..
        })
    ));
}

#[test]
fn a_misspelt_field_names_the_one_meant() {
    let e = Topology::from_toml(
        "access_edge = 'sip.contoso.com'\nsip_domain = ['contoso.com']\n",
        "edge.toml",
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "edge.toml: line 2: unknown field `sip_domain`: did you mean `sip_domains`?"
    );
    let e = Topology::from_toml(
        "[subject]\ncountry = 'US'\norganisation = 'Contoso'\n",
        "edge.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.ends_with("unknown field `organisation`: did you mean `organization`?"),
        "{e}"
    );
    let e = Topology::from_toml("[subject]\ncountry = 'US'\nwindows = '2019'\n", "edge.toml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "edge.toml: line 3: `windows` is inside the [subject] table: top-level fields go before [subject]"
    );
    let e = Topology::from_toml("colour = 'blue'\n", "edge.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown field `colour`; the fields are access_edge, "),
        "{e}"
    );
}

/// A swap of neighbours is one edit (as in "hsah"): with plain Levenshtein it is two, and
/// short fields would get no suggestion.
#[test]
fn did_you_mean_counts_a_swap_as_one_edit() {
    assert_eq!(closest("hsah", FIELDS), Some("hash"));
    assert_eq!(closest("rpdouct", FIELDS), Some("product"));
    assert_eq!(closest("Access-Egde", FIELDS), Some("access_edge"));
    assert_eq!(
        closest("organisation", SUBJECT_FIELDS),
        Some("organization")
    );
    // Too far, or too short to guess from.
    assert_eq!(closest("hshs", FIELDS), None);
    assert_eq!(closest("aoll", FIELDS), None);
    assert_eq!(closest("colour", FIELDS), None);
}

#[test]
fn a_bad_value_names_its_file_and_line_or_its_flag() {
    let text = "access_edge = 'sip.contoso.com'\nsip_domains = [\n  'contoso.com',\n  '*.fabrikam.com',\n]\n";
    let t = Topology::from_toml(text, "edge.toml").unwrap();
    let e = t.expectations().unwrap_err().to_string();
    assert!(
        e.starts_with("edge.toml:4: sip_domains: '*.fabrikam.com' is a wildcard"),
        "{e}"
    );
    // A flag over the file: the flag's label, given by the caller.
    let mut flags = Topology {
        webconf_edge: Some("webcon..contoso.com".into()),
        ..Topology::default()
    };
    flags
        .origins
        .set(Field::WebconfEdge, None, Origin::Given("--webconf".into()));
    let e = t
        .clone()
        .overlay(flags)
        .expectations()
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("--webconf: 'webcon..contoso.com' has an empty label"),
        "{e}"
    );
    // A list replaced by flags no longer points into the file.
    let mut flags = Topology {
        sip_domains: Some(vec!["contoso.com".into(), "*.x.com".into()]),
        ..Topology::default()
    };
    flags.origins.set(
        Field::SipDomains,
        None,
        Origin::Given("--sip-domain".into()),
    );
    let e = t.overlay(flags).expectations().unwrap_err().to_string();
    assert!(e.starts_with("--sip-domain: '*.x.com'"), "{e}");
}

#[test]
fn slips_are_noted_not_refused() {
    let text = "access_edge = 'sip.contoso.com.'\nwebconf_edge = 'SIP.contoso.com'\nsip_domains = ['contoso.com', 'sip.tailspintoys.com']\n";
    let t = Topology::from_toml(text, "edge.toml").unwrap();
    let exp = t.expectations().unwrap();
    assert_eq!(exp.access_edge.as_deref(), Some("sip.contoso.com"));
    assert_eq!(
        exp.plan.names(),
        ["sip.contoso.com", "sip.sip.tailspintoys.com"],
        "the Web Conferencing name merged into the subject's SAN"
    );
    let notes: Vec<String> = t.notes().iter().map(|n| n.to_string()).collect();
    assert_eq!(notes.len(), 3, "{notes:#?}");
    assert_eq!(
        notes[0],
        "'sip.contoso.com.' (edge.toml:1) ends with the root's dot; certificates carry names without it, so it is used as sip.contoso.com"
    );
    assert_eq!(
        notes[1],
        "the SIP domain sip.tailspintoys.com (edge.toml:3) gives the SAN sip.sip.tailspintoys.com: if the SIP domain is tailspintoys.com, give that (picert adds the sip. prefix itself)"
    );
    assert!(
        notes[2].contains("Web Conferencing Edge name is the Access Edge name (sip.contoso.com)")
    );
    assert!(t.notes()[1].is_warning() && !t.notes()[0].is_warning());
    // Two dots, or a dot alone, are still refused by the name rules.
    for bad in ["sip.contoso.com..", "."] {
        let t = Topology {
            access_edge: Some(bad.into()),
            ..Topology::default()
        };
        assert!(t.expectations().is_err(), "{bad}");
    }
    // `sip.com` as a SIP domain is a domain, not a SIP name.
    let t = Topology {
        sip_domains: Some(vec!["sip.com".into()]),
        ..Topology::default()
    };
    assert!(t.notes().is_empty());
}

#[test]
fn windows_and_product_are_checked_together() {
    let t = Topology::from_toml("windows = '2016'\nproduct = 'lync2013'\n", "edge.toml").unwrap();
    assert_eq!(
        t.expectations().unwrap_err().to_string(),
        "Lync Server 2013 does not run on Windows Server 2016: Microsoft lists Windows Server 2008 R2, Windows Server 2012 and Windows Server 2012 R2"
    );
    let t = Topology::from_toml("windows = '2022'\nproduct = 'sfb2019'\n", "edge.toml").unwrap();
    let exp = t.expectations().unwrap();
    assert!(matches!(t.notes()[..], [Note::PlatformCaveat { .. }]));
    assert_eq!(exp.platform.windows, Some(WindowsServer::W2022));
    let e = Topology::from_toml("windows = '2003'\n", "edge.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown Windows Server version '2003'"), "{e}");
    let e = Topology::from_toml("product = 'ocs'\n", "edge.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown product 'ocs'"), "{e}");
}

#[test]
fn topology_files_as_windows_saves_them() {
    let dir = std::env::temp_dir().join(format!("picert-topology-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = "access_edge = \"sip.contoso.com\"\r\nsip_domains = [\"contoso.com\"]\r\nfriendly_name = \"Périphérie\"\r\n";
    let mut le = vec![0xff, 0xfe];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(text.as_bytes());
    for (name, bytes) in [("le.toml", le.clone()), ("bom.toml", bom)] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let t = Topology::load(&path).unwrap();
        assert_eq!(t.friendly_name.as_deref(), Some("Périphérie"), "{name}");
    }
    let path = dir.join("nobom.toml");
    std::fs::write(&path, &le[2..]).unwrap();
    let e = Topology::load(&path).unwrap_err().to_string();
    assert!(e.contains("UTF-16 text without a byte-order mark"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/topology")
        .join(name)
}

#[test]
fn an_xml_topology_gives_its_edge_pool() {
    for file in [
        "multi.tbxml",
        "multi-published.xml",
        "multi-utf16le.tbxml",
        "multi-published-utf16le.xml",
    ] {
        let path = fixture(file);
        let e = Topology::load(&path).unwrap_err();
        assert!(
            matches!(&e, Error::Pool(crate::deployment::PoolError::Choose { pools, .. }) if pools.len() == 2),
            "{file}: {e}"
        );
        let t = Topology::load_pool(&path, Some("EDGEPOOL-DUB.contoso.com")).unwrap();
        assert_eq!(
            t.access_edge.as_deref(),
            Some("sip-eu.contoso.com"),
            "{file}"
        );
        assert_eq!(t.webconf_edge.as_deref(), Some("webconf-eu.contoso.com"));
        assert_eq!(t.av_edge.as_deref(), Some("av-eu.contoso.com"));
        assert_eq!(
            t.sip_domains.as_deref().unwrap(),
            ["contoso.com", "fabrikam.com"]
        );
        assert_eq!(
            t.edge_servers.as_deref().unwrap(),
            ["edge-dub1.contoso.com"]
        );
        assert_eq!(t.product, Some(Product::Sfb2019));
        let exp = t.expectations().unwrap();
        assert_eq!(
            exp.plan.names(),
            [
                "sip-eu.contoso.com",
                "webconf-eu.contoso.com",
                "sip.contoso.com",
                "sip.fabrikam.com"
            ]
        );
        let notes: Vec<String> = t.notes().iter().map(|n| n.to_string()).collect();
        if file.contains("utf16le") {
            assert_eq!(notes.len(), 1, "{notes:?}");
            assert!(notes[0].ends_with("the file is UTF-16LE text with a byte-order mark (as Windows PowerShell 5.1's > and Out-File write it); it was read as that text"), "{notes:?}");
        } else {
            assert!(notes.is_empty(), "{notes:?}");
        }
    }
}

#[test]
fn a_bad_name_in_the_xml_points_at_its_line() {
    let text = std::fs::read_to_string(fixture("multi-published.xml"))
        .unwrap()
        .replace(
            "ConfiguredFqdn=\"webconf-eu.contoso.com\"",
            "ConfiguredFqdn=\"*.contoso.com\"",
        );
    let line = text
        .lines()
        .position(|l| l.contains("*.contoso.com"))
        .unwrap()
        + 1;
    let d = Deployment::parse(&text, crate::text::TextEncoding::Utf8, "t.xml").unwrap();
    let t = Topology::from_deployment(&d, Some("edgepool-dub.contoso.com"), "t.xml").unwrap();
    let e = t.expectations().unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "t.xml:{line}: webconf_edge: '*.contoso.com' is a wildcard"
        )),
        "{e}"
    );
}

#[test]
fn a_toml_file_names_the_xml_and_keeps_its_own_settings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("multi.tbxml"), dir.path().join("multi.tbxml")).unwrap();
    let toml = dir.path().join("edge.toml");
    std::fs::write(
        &toml,
        "topology_xml = \"multi.tbxml\"\nedge_pool = \"edgepool-red.contoso.com\"\naol = true\nwindows = \"2022\"\ntemplate = \"EdgeTemplate\"\nwebconf_edge = \"meetings.contoso.com\"\n\n[subject]\norganization = \"Contoso\"\ncountry = \"US\"\n",
    )
    .unwrap();
    let t = Topology::load(&toml).unwrap();
    assert_eq!(t.access_edge.as_deref(), Some("sip.contoso.com"));
    assert_eq!(
        t.webconf_edge.as_deref(),
        Some("meetings.contoso.com"),
        "the TOML's own value goes over the XML's"
    );
    assert_eq!(
        t.edge_servers.as_deref().unwrap(),
        ["edge-red1.contoso.com", "edge-red2.contoso.com"]
    );
    assert_eq!(t.aol, Some(true));
    assert_eq!(t.windows, Some(WindowsServer::W2022));
    assert_eq!(t.product, Some(Product::Sfb2019));
    assert_eq!(t.template.as_deref(), Some("EdgeTemplate"));
    assert_eq!(
        t.subject.as_ref().unwrap().organization.as_deref(),
        Some("Contoso")
    );
    // The pool given by the caller goes over the file's.
    let t = Topology::load_pool(&toml, Some("edgepool-dub.contoso.com")).unwrap();
    assert_eq!(t.access_edge.as_deref(), Some("sip-eu.contoso.com"));
    // A pool without an XML to take it from.
    std::fs::write(&toml, "edge_pool = \"edgepool-red.contoso.com\"\n").unwrap();
    let e = Topology::load(&toml).unwrap_err().to_string();
    assert!(e.ends_with("edge.toml: the Edge pool edgepool-red.contoso.com is chosen, but this TOML topology names no XML topology (topology_xml) to take it from"), "{e}");
    let e = Topology::load_pool(&fixture("../contoso.toml"), Some("x.contoso.com"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("names no XML topology"), "{e}");
    // A missing XML file is named.
    std::fs::write(&toml, "topology_xml = \"gone.tbxml\"\n").unwrap();
    let e = Topology::load(&toml).unwrap_err().to_string();
    assert!(e.ends_with("gone.tbxml: no such file or directory"), "{e}");
    // A TOML that names an XML with several pools and no choice.
    std::fs::write(&toml, "topology_xml = \"multi.tbxml\"\n").unwrap();
    assert!(matches!(
        Topology::load(&toml),
        Err(Error::Pool(crate::deployment::PoolError::Choose { .. }))
    ));
}

#[test]
fn bad_xml_topologies_are_one_line_errors() {
    for (file, says) in [
        ("bad/not-topology.xml", "not a topology"),
        ("bad/truncated.tbxml", "the file is truncated"),
        ("bad/dtd.xml", "declares a DTD"),
        ("bad/noedge.xml", "defines no Edge pool"),
    ] {
        let e = Topology::load(&fixture(file)).unwrap_err().to_string();
        assert!(
            e.contains(file) && e.contains(says) && !e.contains('\n'),
            "{file}: {e}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.tbxml");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(crate::deployment::MAX_XML_BYTES + 1)
        .unwrap();
    let e = Topology::load(&path).unwrap_err().to_string();
    assert!(e.contains("larger than 16 MiB"), "{e}");
    // A TOML file over 1 MiB is still refused as TOML.
    let path = dir.path().join("big.toml");
    std::fs::write(&path, format!("# {}\n", "x".repeat(1024 * 1024))).unwrap();
    let e = Topology::load(&path).unwrap_err().to_string();
    assert!(e.contains("larger than 1 MiB"), "{e}");
}

/// The field names serde's derive gives the TOML parser for `T`, caught from the
/// `deserialize_struct` call it makes: what a file may hold, learnt apart from `FIELDS`.
fn serde_fields<'de, T: serde::Deserialize<'de>>() -> &'static [&'static str] {
    struct Catch(Option<&'static [&'static str]>);
    #[derive(Debug)]
    struct Caught;
    impl std::fmt::Display for Caught {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("caught")
        }
    }
    impl std::error::Error for Caught {}
    impl serde::de::Error for Caught {
        fn custom<M: std::fmt::Display>(_: M) -> Caught {
            Caught
        }
    }
    impl<'de> serde::Deserializer<'de> for &mut Catch {
        type Error = Caught;
        fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Caught> {
            Err(Caught)
        }
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Caught> {
            self.0 = Some(fields);
            Err(Caught)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut catch = Catch(None);
    assert!(T::deserialize(&mut catch).is_err());
    catch.0.expect("a struct deserializes as a struct")
}

/// The first column of the table that follows `heading` in docs/topology.md, each name without
/// its backticks or a table's brackets.
fn documented(heading: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/topology.md");
    let docs = std::fs::read_to_string(&path).unwrap();
    let from = docs
        .find(heading)
        .unwrap_or_else(|| panic!("{heading:?} in {path:?}"));
    docs[from..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|row| {
            let cell = row.split('|').nth(1).unwrap().trim();
            cell.trim_matches('`')
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string()
        })
        .collect()
}

#[test]
fn every_field_is_in_fields_and_documented() {
    // Every field a topology file may hold (serde's own list, `origins` skipped) is in FIELDS,
    // in the struct's order, and FIELDS names no other.
    assert_eq!(serde_fields::<Topology>(), FIELDS);
    assert_eq!(serde_fields::<SubjectFields>(), SUBJECT_FIELDS);
    // The reference in docs/topology.md has a row for each, and none for a field that is not.
    let mut fields: Vec<&str> = FIELDS.to_vec();
    let mut rows = documented("\n## Fields\n");
    fields.sort_unstable();
    rows.sort_unstable();
    assert_eq!(rows, fields, "the Fields table of docs/topology.md");
    let mut subject = SUBJECT_FIELDS.to_vec();
    let mut rows = documented("`[subject]` holds the subject fields");
    subject.sort_unstable();
    rows.sort_unstable();
    assert_eq!(rows, subject, "the [subject] table of docs/topology.md");
    // A traced field is named by the Field of its own name, and each Field is traced.
    for (name, field) in TRACED {
        assert_eq!(field.as_str(), *name);
        assert!(FIELDS.contains(name), "{name}");
    }
    let every = [
        Field::AccessEdge,
        Field::WebconfEdge,
        Field::AvEdge,
        Field::SipDomains,
        Field::ExtraSans,
        Field::EdgeServers,
        Field::Windows,
        Field::Product,
    ];
    for field in every {
        // Exhaustive: a new Field fails to compile here until it is in `every`.
        match field {
            Field::AccessEdge
            | Field::WebconfEdge
            | Field::AvEdge
            | Field::SipDomains
            | Field::ExtraSans
            | Field::EdgeServers
            | Field::Windows
            | Field::Product => {}
        }
        assert!(TRACED.iter().any(|(_, f)| *f == field), "{field}");
    }
    assert_eq!(TRACED.len(), every.len());
}

#[test]
fn origins_equality_is_real_and_topology_equality_leaves_it_out() {
    let file = |line| Origin::File {
        path: "edge.toml".into(),
        line,
    };
    let mut a = Origins::default();
    a.set(Field::AccessEdge, None, file(1));
    a.set(Field::SipDomains, Some(0), file(2));
    // The same origins recorded in another order are the same.
    let mut b = Origins::default();
    b.set(Field::SipDomains, Some(0), file(2));
    b.set(Field::AccessEdge, None, file(1));
    assert_eq!(a, b);
    // Another line, another label, an origin more or fewer: not the same.
    let mut c = b.clone();
    c.set(Field::AccessEdge, None, file(3));
    assert_ne!(a, c);
    let mut c = b.clone();
    c.set(
        Field::AccessEdge,
        None,
        Origin::Given("--access-edge".into()),
    );
    assert_ne!(a, c);
    let mut c = b.clone();
    c.set(Field::SipDomains, Some(1), file(2));
    assert_ne!(a, c);
    assert_ne!(c, a);
    assert_ne!(a, Origins::default());
    // A converted file is part of the origins.
    let mut c = b.clone();
    c.converted("edge.toml", crate::text::TextEncoding::Utf16Le);
    assert_ne!(a, c);

    // Topologies: the same settings from a file and from flags are equal, their origins not.
    let text = "access_edge = 'sip.contoso.com'\nsip_domains = ['contoso.com']\n";
    let from_file = Topology::from_toml(text, "edge.toml").unwrap();
    let mut from_flags = Topology {
        access_edge: Some("sip.contoso.com".into()),
        sip_domains: Some(vec!["contoso.com".into()]),
        ..Topology::default()
    };
    from_flags.origins.set(
        Field::AccessEdge,
        None,
        Origin::Given("--access-edge".into()),
    );
    assert_eq!(from_file, from_flags);
    assert_ne!(from_file.origins, from_flags.origins);
    assert_eq!(
        from_file.origins,
        Topology::from_toml(text, "edge.toml").unwrap().origins
    );
    // A setting apart is a topology apart.
    from_flags.aol = Some(false);
    assert_ne!(from_file, from_flags);
    assert!(!from_flags.is_empty());
    let mut labelled = Topology::default();
    labelled
        .origins
        .set(Field::Windows, None, Origin::Given("--windows".into()));
    assert!(labelled.is_empty(), "origins alone set nothing");
}
