//! `picert topology` through the binary: the text, the JSON and the equivalent TOML of the XML
//! topology fixtures, and its refusals.

use std::fs;
use std::path::PathBuf;

use crate::common::{no_panic, picert, read_csr, root};

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/topology").join(name)
}

#[test]
fn the_text_shows_every_pool_with_its_names() {
    for file in ["multi.tbxml", "multi-published-utf16le.xml"] {
        let out = picert()
            .arg("topology")
            .arg(fixture(file))
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        for said in [
            "ServiceVersion 8 (Skype for Business Server 2019)",
            "  SIP domains            contoso.com (default), fabrikam.com\n",
            "  sites                  Redmond (1), Dublin (2)\n",
            "\nEdge pool edgepool-dub.contoso.com (site Dublin)\n  servers                edge-dub1.contoso.com\n  Access Edge            sip-eu.contoso.com port 5061\n  Web Conferencing Edge  webconf-eu.contoso.com port 443\n  A/V Edge               av-eu.contoso.com port 443\n  federation port        5061\n",
            "\nDirector pool dirpool-red.contoso.com (site Redmond)\n",
            "  external web services  webext-red.contoso.com\n",
        ] {
            assert!(text.contains(said), "{file}: {said:?} in\n{text}");
        }
        assert_eq!(
            text.contains("Simple URLs"),
            file.ends_with(".tbxml"),
            "{file}"
        );
    }
}

#[test]
fn the_json_is_one_document() {
    let out = picert()
        .arg("topology")
        .arg(fixture("multi-published.xml"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["product"], "sfb2019");
    assert_eq!(v["edge_pools"][0]["fqdn"], "edgepool-red.contoso.com");
    assert_eq!(v["edge_pools"][0]["federation_port"], 5061);
    assert_eq!(v["front_end_pools"][1]["director"], true);
    assert_eq!(v["sip_domains"][0], "contoso.com");
}

#[test]
fn the_equivalent_toml_gives_the_same_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = picert()
        .arg("topology")
        .arg(fixture("multi.tbxml"))
        .args([
            "--format",
            "toml",
            "--edge-pool",
            "edgepool-dub.contoso.com",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let toml = dir.path().join("edge.toml");
    fs::write(&toml, &out.stdout).unwrap();
    let mut sans = Vec::new();
    for (topology, pool) in [
        (toml, None),
        (fixture("multi.tbxml"), Some("edgepool-dub.contoso.com")),
    ] {
        let out_dir = dir.path().join(sans.len().to_string());
        let mut c = picert();
        c.args(["request", "--topology"]).arg(&topology);
        if let Some(pool) = pool {
            c.args(["--edge-pool", pool]);
        }
        c.arg("--out-dir").arg(&out_dir).assert().success();
        sans.push(read_csr(&out_dir.join("sip-eu.contoso.com.csr")).dns_sans);
    }
    assert_eq!(sans[0], sans[1]);
    assert_eq!(sans[0][0], "sip-eu.contoso.com");
}

#[test]
fn refusals_exit_2_in_one_line() {
    for (args, says) in [
        (
            vec![
                fixture("multi.tbxml").display().to_string(),
                "--format".into(),
                "toml".into(),
            ],
            "the topology has 2 Edge pools, choose one",
        ),
        (
            vec![
                fixture("bad/noedge.xml").display().to_string(),
                "--format".into(),
                "toml".into(),
            ],
            "defines no Edge pool",
        ),
        (
            vec![fixture("bad/dtd.xml").display().to_string()],
            "declares a DTD",
        ),
        (
            vec![fixture("bad/truncated.tbxml").display().to_string()],
            "the file is truncated",
        ),
        (
            vec![root().join("fixtures/contoso.toml").display().to_string()],
            "the file is not XML",
        ),
    ] {
        let out = picert().arg("topology").args(&args).output().unwrap();
        no_panic(&out.stderr);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&args[0]) && stderr.contains(says),
            "{says}: {stderr}"
        );
        assert!(out.stdout.is_empty());
    }
    let out = picert()
        .arg("topology")
        .arg(fixture("multi.tbxml"))
        .args(["--edge-pool", "edgepool-red.contoso.com"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--edge-pool chooses the pool for --format toml"));
    // A topology without an Edge pool is still shown.
    let out = picert()
        .arg("topology")
        .arg(fixture("bad/noedge.xml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("\nno Edge pool\n"));
}

#[test]
fn plan_lists_every_certificate() {
    let out = picert()
        .arg("plan")
        .arg(fixture("multi-published.xml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(": 9 certificates\n"), "{text}");
    for said in [
        "edge-external  Dublin   edgepool-dub.contoso.com  public      sip-eu.contoso.com\n",
        "director       Redmond  dirpool-red.contoso.com   enterprise  dirpool-red.contoso.com\n",
        "  SAN 4. sip.fabrikam.com (SIP domain fabrikam.com)\n",
        "  SAN 3. lyncdiscover.contoso.com (Autodiscover from outside, SIP domain contoso.com)\n",
        "  SAN 7. sip.contoso.com (automatic client sign-in inside, SIP domain contoso.com)\n",
        "  SAN 8. sip.fabrikam.com (automatic client sign-in inside, SIP domain fabrikam.com)\n",
    ] {
        assert!(text.contains(said), "{said:?} in\n{text}");
    }
    let out = picert()
        .arg("plan")
        .arg(fixture("multi.tbxml"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let certs = v["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 9);
    assert_eq!(certs[0]["kind"], "edge-external");
    assert_eq!(certs[0]["ca"], "public");
    assert_eq!(certs[0]["sans"][1]["name"], "webconf.contoso.com");
    assert_eq!(certs[7]["kind"], "reverse-proxy");
    assert_eq!(certs[7]["sans"][2]["name"], "dialin.contoso.com");
    for bad in ["bad/dtd.xml", "bad/truncated.tbxml"] {
        let out = picert().arg("plan").arg(fixture(bad)).output().unwrap();
        no_panic(&out.stderr);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    }
}
