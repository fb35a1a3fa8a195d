//! The renewal request `picert request --from-cert` builds: the certificate in service and the
//! topology in, the new request's subject and SANs in their order out, with what changed.
//!
//!     cargo run -p picert-verify --example renewal -- fixtures/pki/wrong-san-order.pem \
//!         fixtures/contoso.toml

use picert_core::{plan_request, Topology};
use picert_verify::renewal::read_current;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(cert), topology) = (args.first(), args.get(1)) else {
        return Err("usage: renewal CERTIFICATE [TOPOLOGY]".into());
    };
    // The names, subject, EKUs and key of the certificate in service (PEM, DER, PKCS#7; a
    // PKCS#12 file would need its password as the second argument of read_current).
    let current = read_current(&std::fs::read(cert)?, None)?;
    let topology = match topology {
        Some(t) => Topology::load(t.as_ref())?,
        None => Topology::default(),
    };
    // Every name of the certificate in service is kept, in its order; the subject comes first;
    // the names the topology adds follow. No key is given: a new one would be generated.
    let plan = plan_request(topology, Some(&current), None)?;
    println!("subject  {}", plan.profile.subject_line());
    for (i, entry) in plan.profile.san_plan().entries().iter().enumerate() {
        println!("SAN {}    {} ({})", i + 1, entry.name, entry.source);
    }
    println!(
        "EKU      {}",
        if plan.profile.client_eku {
            "serverAuth, clientAuth"
        } else {
            "serverAuth"
        }
    );
    for note in &plan.notes {
        println!("note     {note}");
    }
    Ok(())
}
