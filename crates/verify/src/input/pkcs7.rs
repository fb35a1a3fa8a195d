//! PKCS#7 (CMS) bundles, as Windows CAs answer: the certificates of a SignedData, read with
//! the `cms` crate's types.
//!
//! The certificates are kept as the bytes the file holds, in the order it holds them, and are
//! not decoded here: the audit reads each one (x509-parser, webpki) as it reads a PEM file's.
//! `cms`'s own `SignedData` would decode each into an `x509_cert::Certificate`, which refuses
//! certificates the audit reads and reports on (a UTCTime without seconds, a GeneralizedTime
//! with a fraction, a version 4, a UniversalString: 17 of zlint's test certificates), sorts the
//! set under DER rules, and need not encode back to the same bytes (a GeneralizedTime before
//! 2050 becomes a UTCTime, a default written out is dropped), which would break the signature.
//! So the SignedData below is `cms`'s, field for field, with the certificate set (and the CRLs,
//! which picert does not read) taken as the DER elements they are.

use ::der::asn1::AnyRef;
use ::der::{Decode, Encode, Sequence, Tag, Tagged};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{DigestAlgorithmIdentifiers, EncapsulatedContentInfo, SignerInfos};

use super::{Contents, InputError};

/// The content type of a SignedData (RFC 5652).
pub(super) const SIGNED_DATA: ::der::oid::ObjectIdentifier =
    ::der::oid::db::rfc5911::ID_SIGNED_DATA;

/// `SignedData` (RFC 5652 section 5.1) as [`cms::signed_data::SignedData`] has it, with
/// `certificates [0] IMPLICIT CertificateSet` and `crls [1] IMPLICIT RevocationInfoChoices`
/// kept as their elements, in file order.
#[derive(Sequence)]
struct SignedData<'a> {
    #[allow(dead_code)]
    version: CmsVersion,
    #[allow(dead_code)]
    digest_algorithms: DigestAlgorithmIdentifiers,
    #[allow(dead_code)]
    encap_content_info: EncapsulatedContentInfo,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    certificates: Option<Vec<AnyRef<'a>>>,
    #[allow(dead_code)]
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    crls: Option<Vec<AnyRef<'a>>>,
    #[allow(dead_code)]
    signer_infos: SignerInfos,
}

fn malformed(what: &str, e: ::der::Error) -> InputError {
    // The error's kind only: its byte position counts from the start of the part being read,
    // not of the file.
    InputError::WrongDer(format!("a malformed PKCS#7 bundle ({what}: {})", e.kind()))
}

/// `ContentInfo { contentType signedData, [0] EXPLICIT SignedData { ..., [0] IMPLICIT
/// certificates OPTIONAL, ... } }`: the certificates (the `certificate` choice of
/// `CertificateChoices`, a SEQUENCE; other choices are passed over), in file order (the audit
/// builds the chain whatever the order).
pub(super) fn certificates(der: &[u8], contents: &mut Contents) -> Result<(), InputError> {
    let info = ContentInfo::from_der(der).map_err(|e| malformed("its ContentInfo", e))?;
    if info.content_type != SIGNED_DATA {
        return Err(InputError::WrongDer(format!(
            "a PKCS#7 structure of type {}, not signedData",
            info.content_type
        )));
    }
    let signed: SignedData<'_> = info
        .content
        .decode_as()
        .map_err(|e| malformed("its SignedData", e))?;
    let before = contents.certificates.len();
    for choice in signed.certificates.iter().flatten() {
        if choice.tag() == Tag::Sequence {
            // The header written again, the value as the file holds it: DER has one way to
            // write a length, and the SignedData was read under DER rules, so these are the
            // file's bytes.
            let bytes = choice.to_der().map_err(|e| malformed("a certificate", e))?;
            contents.certificates.push(bytes.into());
        }
    }
    if contents.certificates.len() == before {
        return Err(InputError::EmptyPkcs7);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ::der::TagNumber;

    use super::*;

    fn pki(name: &str) -> Vec<u8> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pki");
        std::fs::read(root.join(name)).unwrap()
    }

    /// One DER element, encoded by the der crate.
    fn tlv(tag: Tag, body: &[u8]) -> Vec<u8> {
        AnyRef::new(tag, body).unwrap().to_der().unwrap()
    }

    fn context(number: u32, body: &[u8]) -> Vec<u8> {
        tlv(
            Tag::ContextSpecific {
                constructed: true,
                number: TagNumber(number),
            },
            body,
        )
    }

    fn content_info(content_type: ::der::oid::ObjectIdentifier, content: &[u8]) -> Vec<u8> {
        tlv(
            Tag::Sequence,
            &[content_type.to_der().unwrap(), context(0, content)].concat(),
        )
    }

    /// A certificates-only SignedData, as `openssl crl2pkcs7` and Windows CAs write it, holding
    /// `certificates` in the order given (a SET OF in DER would be sorted; PKCS#7 writers do not
    /// sort it).
    fn bundle(certificates: &[&[u8]]) -> Vec<u8> {
        let signed = tlv(
            Tag::Sequence,
            &[
                tlv(Tag::Integer, &[1]),
                tlv(Tag::Set, &[]),
                tlv(
                    Tag::Sequence,
                    &::der::oid::db::rfc5911::ID_DATA.to_der().unwrap(),
                ),
                context(0, &certificates.concat()),
                tlv(Tag::Set, &[]),
            ]
            .concat(),
        );
        content_info(SIGNED_DATA, &signed)
    }

    fn read(der: &[u8]) -> Result<Vec<Vec<u8>>, InputError> {
        let mut contents = Contents::default();
        certificates(der, &mut contents)?;
        Ok(contents
            .certificates
            .iter()
            .map(|c| c.as_ref().to_vec())
            .collect())
    }

    fn pem_certificates(name: &str) -> Vec<Vec<u8>> {
        super::super::read_contents(&pki(name))
            .unwrap()
            .certificates
            .iter()
            .map(|c| c.as_ref().to_vec())
            .collect()
    }

    /// good.p7b holds the chain of good.pem: the same certificates, byte for byte, in the same
    /// order (leaf first, which is not the order DER would sort them in).
    #[test]
    fn the_fixture_bundle_holds_the_pem_chain_as_written() {
        let from_p7b = read(&pki("good.p7b")).unwrap();
        assert_eq!(from_p7b, pem_certificates("good.pem"));
        assert_eq!(from_p7b.len(), 2);
        let mut sorted = from_p7b.clone();
        sorted.sort();
        assert_ne!(sorted, from_p7b, "the fixture is not in DER set order");
    }

    /// Several certificates come back in the order and with the bytes the file holds, in every
    /// order they can be written in.
    #[test]
    fn several_certificates_keep_their_order_and_bytes() {
        let chain = pem_certificates("good.pem");
        let root = pem_certificates("public-root.pem");
        let other = pem_certificates("private-root.pem");
        let certificates = [chain, root, other].concat();
        let all: Vec<&[u8]> = certificates.iter().map(Vec::as_slice).collect();
        assert_eq!(all.len(), 4);
        let orders: [[usize; 4]; 4] = [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]];
        for order in orders {
            let given: Vec<&[u8]> = order.iter().map(|&i| all[i]).collect();
            let got = read(&bundle(&given)).unwrap();
            assert_eq!(got, given, "order {order:?}");
        }
        // The same certificate twice is read twice (the audit sorts out duplicates).
        let twice = read(&bundle(&[all[0], all[1], all[0]])).unwrap();
        assert_eq!(twice, [all[0], all[1], all[0]]);
    }

    /// Truncated anywhere, or garbage where the SignedData or a certificate should be: refused
    /// in one line that says it is a malformed PKCS#7 bundle, never a panic.
    #[test]
    fn truncated_or_garbage_bundles_are_refused_in_one_line() {
        let good = pki("good.p7b");
        for len in 0..good.len() {
            let err = read(&good[..len]).unwrap_err().to_string();
            assert!(
                err.starts_with("a malformed PKCS#7 bundle (its ContentInfo: "),
                "{len}: {err}"
            );
            assert!(!err.contains('\n'), "{err}");
        }
        let garbage = content_info(SIGNED_DATA, &tlv(Tag::Sequence, b"not a SignedData"));
        let err = read(&garbage).unwrap_err().to_string();
        assert!(
            err.starts_with("a malformed PKCS#7 bundle (its SignedData: "),
            "{err}"
        );
        // A certificate cut short: its length runs past the certificate set.
        let cert = pem_certificates("good.pem").remove(0);
        let err = read(&bundle(&[&cert, &cert[..cert.len() - 10]]))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("a malformed PKCS#7 bundle (its SignedData: "),
            "{err}"
        );
        // A SEQUENCE that is no certificate is handed on as written, as from a PEM block: the
        // certificate reader names it.
        let fake = tlv(Tag::Sequence, &tlv(Tag::Integer, &[7]));
        assert_eq!(
            read(&bundle(&[&cert, &fake])).unwrap(),
            [cert.clone(), fake]
        );
        // Random bytes under the PEM label reach this reader directly.
        let err = super::super::read_contents(
            b"-----BEGIN PKCS7-----\nMIIBAgMEBQYHCAkKCwwNDg8Q\n-----END PKCS7-----\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("a malformed PKCS#7 bundle ("), "{err}");
    }

    /// No certificate, or another content type: said as before.
    #[test]
    fn empty_bundles_and_other_content_types_are_named() {
        assert_eq!(read(&bundle(&[])).unwrap_err(), InputError::EmptyPkcs7);
        let data = content_info(
            ::der::oid::db::rfc5911::ID_DATA,
            &tlv(Tag::OctetString, b"x"),
        );
        assert_eq!(
            read(&data).unwrap_err().to_string(),
            "a PKCS#7 structure of type 1.2.840.113549.1.7.1, not signedData"
        );
    }
}
