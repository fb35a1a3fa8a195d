//! Test helpers: facts for a plain good request.

use crate::facts::{csr_facts, Facts};

pub fn sample_facts() -> Facts {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["sip.contoso.com".into()]).unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "sip.contoso.com");
    let csr = params.serialize_request(&key).unwrap();
    csr_facts(csr.der()).unwrap()
}
