//! Reading inputs: PEM or DER certificates (a leaf and its chain in any order), PKCS#7
//! bundles, PKCS#12 (`.pfx`) files given their password, and PKCS#10 requests (including
//! Windows' `NEW CERTIFICATE REQUEST` label).
//!
//! PEM blocks are split with the `pem` crate (already in the build through rcgen): the
//! rustls-pki-types reader skips labels it does not know, and both Windows' request label and
//! `PKCS7` are among them.

use asn1_rs::{Any, Class, FromDer, Tag};
use rustls_pki_types::{CertificateDer, CertificateSigningRequestDer};
use x509_parser::prelude::*;

/// The largest input picert reads: a certificate chain or a request is a few kilobytes, and a
/// PKCS#12 file rarely more than a hundred.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// The most certificates one file may hold (a chain is a handful; a trust store a few hundred).
pub const MAX_CERTIFICATES: usize = 2000;

/// Reads at most `limit` bytes; more is [`InputError::TooLarge`], found without reading the rest.
pub fn read_limited(
    reader: impl std::io::Read,
    limit: u64,
) -> std::io::Result<Result<Vec<u8>, InputError>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(Err(InputError::TooLarge(limit)));
    }
    Ok(Ok(bytes))
}

/// Reads a file of at most `limit` bytes. The buffer starts at 8 KiB, which holds a chain or a
/// request in one read; no `stat` is made (a system call per file counts when auditing
/// thousands).
pub fn read_path_limited(
    path: &std::path::Path,
    limit: u64,
) -> std::io::Result<Result<Vec<u8>, InputError>> {
    let file = std::fs::File::open(path)?;
    read_limited_with_capacity(file, limit, 8192)
}

fn read_limited_with_capacity(
    reader: impl std::io::Read,
    limit: u64,
    capacity: usize,
) -> std::io::Result<Result<Vec<u8>, InputError>> {
    use std::io::Read;
    let mut bytes = Vec::with_capacity(capacity);
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(Err(InputError::TooLarge(limit)));
    }
    Ok(Ok(bytes))
}

/// What one file holds.
#[derive(Debug, Default, Clone)]
pub struct Contents {
    /// Certificates, in file order.
    pub certificates: Vec<CertificateDer<'static>>,
    /// Requests, in file order.
    pub requests: Vec<CertificateSigningRequestDer<'static>>,
    /// Other PEM blocks found beside them and not read, described (`a private key (PRIVATE
    /// KEY)`): a report names them rather than skip them in silence.
    pub skipped: Vec<String>,
    /// How the file was read when it was not plain PEM or DER (UTF-16 text, base64 without
    /// its PEM armour), one sentence each: a report says so.
    pub notes: Vec<String>,
}

/// Why a file could not be read as certificates or requests. Displays as one sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// Zero bytes.
    #[error("the file is empty")]
    Empty,
    /// Only white space.
    #[error("the file holds only white space")]
    Blank,
    /// A PEM block could not be decoded.
    #[error("bad PEM: {0}")]
    Pem(String),
    /// PEM blocks were found, none of them a certificate or request.
    #[error("holds {0}, not a certificate or certificate request")]
    WrongPem(String),
    /// DER that is something else.
    #[error("{0}")]
    WrongDer(String),
    /// Neither PEM nor DER.
    #[error("not a certificate or request: no PEM block and not DER")]
    Unrecognised,
    /// Text that cannot be decoded (UTF-16 without a byte-order mark).
    #[error(transparent)]
    Text(#[from] picert_core::text::TextError),
    /// A PKCS#7 bundle without certificates.
    #[error("the PKCS#7 bundle holds no certificate")]
    EmptyPkcs7,
    /// Larger than [`MAX_INPUT_BYTES`].
    #[error("the file is larger than {} MiB, far more than any certificate, chain or request", .0 / (1024 * 1024))]
    TooLarge(u64),
    /// More certificates than [`MAX_CERTIFICATES`].
    #[error("holds {0} certificates; picert audits one certificate with its chain per file (at most {max})", max = MAX_CERTIFICATES)]
    TooManyCertificates(usize),
    /// A PKCS#12 file that could not be opened.
    #[error("{0}")]
    Pkcs12(String),
    /// A PKCS#12 file, and no password was given to open it.
    #[error("a PKCS#12 (.pfx) file, and no password was given to open it")]
    Pkcs12PasswordNeeded,
    /// Only a private key (PEM label, or DER PKCS#8/PKCS#1).
    #[error("{}", match .0 {
        Some(label) => format!("holds a private key ({label}), not a certificate or certificate request"),
        None => "a private key (PKCS#8 or PKCS#1), not a certificate or request".to_string(),
    })]
    PrivateKey(Option<String>),
}

fn is_private_key_label(label: &str) -> bool {
    matches!(
        label,
        "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY"
    )
}

fn describe_label(label: &str) -> String {
    match label {
        "X509 CRL" => "a certificate revocation list (X509 CRL)".into(),
        label if is_private_key_label(label) => format!("a private key ({label})"),
        "PUBLIC KEY" => "a bare public key (PUBLIC KEY)".into(),
        other => format!("a PEM block labelled '{other}'"),
    }
}

/// Reads one file's bytes (a PKCS#12 file is refused: it needs a password, see
/// [`read_contents_with_password`]).
pub fn read_contents(bytes: &[u8]) -> Result<Contents, InputError> {
    read_contents_with_password(bytes, None)
}

/// Reads one file's bytes; `pfx_password` opens PKCS#12 files (whose private keys are ignored).
pub fn read_contents_with_password(
    bytes: &[u8],
    pfx_password: Option<&str>,
) -> Result<Contents, InputError> {
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge(MAX_INPUT_BYTES));
    }
    let contents = read_any(bytes, pfx_password)?;
    if contents.certificates.len() > MAX_CERTIFICATES {
        return Err(InputError::TooManyCertificates(contents.certificates.len()));
    }
    Ok(contents)
}

fn read_any(bytes: &[u8], pfx_password: Option<&str>) -> Result<Contents, InputError> {
    if bytes.is_empty() {
        return Err(InputError::Empty);
    }
    let (text, encoding) = picert_core::text::decode(bytes)?;
    if text.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::Blank);
    }
    let mut contents = if memchr::memmem::find(&text, b"-----BEGIN ").is_some() {
        read_pem(&text)?
    } else if bytes[0] == 0x30 {
        let mut contents = Contents::default();
        read_der(bytes, &mut contents, pfx_password)?;
        return Ok(contents);
    } else if let Some(der) = unarmoured_base64(&text) {
        let mut contents = Contents::default();
        read_der(&der, &mut contents, pfx_password)?;
        contents.notes.push(
            "the file is base64 without its PEM armour (no -----BEGIN----- line); it was read as the DER it encodes".into(),
        );
        contents
    } else {
        return Err(InputError::Unrecognised);
    };
    if let Some(note) = encoding.conversion_note() {
        contents.notes.insert(0, note.to_string());
    }
    Ok(contents)
}

/// The DER inside base64 text that has lost its PEM armour (some CA portals' "Base 64"
/// downloads, an armour deleted by hand): only base64 characters and white space, decoding to
/// something that starts as a DER SEQUENCE.
fn unarmoured_base64(text: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    let compact: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if compact.len() < 16
        || !compact
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return None;
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&compact))
        .ok()?;
    (der.first() == Some(&0x30)).then_some(der)
}

/// Certificates and requests under their RFC 7468 labels, framed line by line and decoded with
/// the `base64` crate. rustls-pki-types' reader decodes with a constant-time base64 built for
/// private keys, which costs more than the rest of an audit; certificates are public, so this
/// path trades that for speed. Anything unexpected (encapsulated headers, a stray line, an
/// unmatched END) returns `None` and the general reader handles the file; a test checks both
/// readers agree on every fixture and peer-corpus file.
fn read_pem_common(text: &[u8]) -> Option<Contents> {
    use base64::Engine;
    let mut contents = Contents::default();
    let mut block: Option<(bool, Vec<u8>)> = None; // (is a request, base64 so far)
    let mut rest = text;
    while !rest.is_empty() {
        let (raw, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        let line = raw.trim_ascii();
        if let Some(label) = line.strip_prefix(b"-----BEGIN ") {
            if block.is_some() {
                return None;
            }
            block = Some((
                label == b"CERTIFICATE REQUEST-----",
                Vec::with_capacity(2048),
            ));
            if label != b"CERTIFICATE-----" && label != b"CERTIFICATE REQUEST-----" {
                return None;
            }
        } else if let Some(label) = line.strip_prefix(b"-----END ") {
            let (is_request, b64) = block.take()?;
            let expected: &[u8] = if is_request {
                b"CERTIFICATE REQUEST-----"
            } else {
                b"CERTIFICATE-----"
            };
            if label != expected {
                return None;
            }
            let der = base64::engine::general_purpose::STANDARD
                .decode(&b64)
                .ok()?;
            if is_request {
                contents.requests.push(der.into());
            } else {
                contents.certificates.push(der.into());
            }
        } else if let Some((_, b64)) = block.as_mut() {
            if memchr::memchr(b':', line).is_some() {
                return None; // RFC 1421 headers: not a plain certificate block
            }
            b64.extend_from_slice(line);
        }
    }
    if block.is_some() {
        return None;
    }
    (!contents.certificates.is_empty() || !contents.requests.is_empty()).then_some(contents)
}

fn read_pem(text: &[u8]) -> Result<Contents, InputError> {
    // The common case (certificates and requests under their RFC 7468 labels) takes the fast
    // path; anything else, or anything it does not read, the general path, which also words
    // the errors.
    if let Some(contents) = read_pem_common(text) {
        return Ok(contents);
    }
    read_pem_general(text)
}

/// For tests: whether the fast PEM path, when it applies, reads the same certificates and
/// requests as the general path.
#[doc(hidden)]
pub fn pem_paths_agree(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match (read_pem_common(text), read_pem_general(text)) {
        (Some(fast), Ok(general)) => {
            fast.certificates == general.certificates && fast.requests == general.requests
        }
        (Some(_), Err(_)) => false,
        (None, _) => true,
    }
}

fn read_pem_general(text: &[u8]) -> Result<Contents, InputError> {
    // Blank lines carry no meaning in a certificate's PEM, but the pem crate takes the lines
    // before one for RFC 1421 headers; drop them, as OpenSSL and Go do.
    let cleaned: Vec<u8> = text
        .split(|b| *b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .flat_map(|line| line.iter().copied().chain(std::iter::once(b'\n')))
        .collect();
    let blocks = ::pem::parse_many(&cleaned).map_err(|e| InputError::Pem(pem_error(&e)))?;
    if blocks.is_empty() {
        return Err(InputError::Pem(
            "a BEGIN line without a matching END line".into(),
        ));
    }
    let mut contents = Contents::default();
    let mut other = Vec::new();
    for block in &blocks {
        match block.tag() {
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                contents.certificates.push(block.contents().to_vec().into())
            }
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
                contents.requests.push(block.contents().to_vec().into())
            }
            "PKCS7" | "CMS" => pkcs7_certificates(block.contents(), &mut contents)?,
            // Curve parameters only come before an EC key; name the key, not them.
            "EC PARAMETERS" => {}
            label => other.push(label),
        }
    }
    if contents.certificates.is_empty() && contents.requests.is_empty() {
        return Err(match other.first() {
            Some(label) if is_private_key_label(label) => {
                InputError::PrivateKey(Some(label.to_string()))
            }
            Some(label) => InputError::WrongPem(describe_label(label)),
            None => InputError::WrongPem("only EC curve parameters".into()),
        });
    }
    contents.skipped = other.into_iter().map(describe_label).collect();
    Ok(contents)
}

fn pem_error(e: &::pem::PemError) -> String {
    match e {
        ::pem::PemError::MismatchedTags(a, b) => format!("BEGIN {a} ends with END {b}"),
        ::pem::PemError::MissingBeginTag => "missing BEGIN line".into(),
        ::pem::PemError::MissingEndTag => "missing END line".into(),
        ::pem::PemError::MissingData => "a block has no data".into(),
        ::pem::PemError::InvalidData(_) => "the base64 inside a block is invalid".into(),
        other => other.to_string(),
    }
}

/// DER: a certificate, a request, a PKCS#7 bundle, or something named precisely.
fn read_der(
    der: &[u8],
    contents: &mut Contents,
    pfx_password: Option<&str>,
) -> Result<(), InputError> {
    if let Ok((rest, _)) = X509Certificate::from_der(der) {
        if rest.is_empty() {
            contents.certificates.push(der.to_vec().into());
            return Ok(());
        }
        return Err(InputError::WrongDer(format!(
            "a DER certificate followed by {} bytes of trailing data",
            rest.len()
        )));
    }
    if crate::facts::csr_facts(der).is_ok() {
        contents.requests.push(der.to_vec().into());
        return Ok(());
    }
    let (rest, top) =
        Any::from_der(der).map_err(|_| InputError::WrongDer("not valid DER".into()))?;
    if !rest.is_empty() {
        return Err(InputError::WrongDer(format!(
            "DER followed by {} bytes of trailing data",
            rest.len()
        )));
    }
    let seq = top.data;
    if let Ok((_, first)) = Any::from_der(seq) {
        if first.tag() == Tag::Oid {
            let oid = first
                .clone()
                .oid()
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            if oid == "1.2.840.113549.1.7.2" {
                return pkcs7_certificates(der, contents);
            }
        }
        if first.tag() == Tag::Enumerated {
            // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] ... }
            return Err(InputError::WrongDer(
                "an OCSP response, not a certificate or request".into(),
            ));
        }
        if first.tag() == Tag::Integer {
            let version = first.clone().as_u32().unwrap_or(99);
            if version == 3 && is_pkcs12(seq) {
                return pkcs12_certificates(der, pfx_password, contents);
            }
            if version <= 1 {
                return Err(InputError::PrivateKey(None));
            }
        }
    }
    if parse_x509_crl(der).is_ok() {
        return Err(InputError::WrongDer(
            "a certificate revocation list, not a certificate or request".into(),
        ));
    }
    Err(InputError::WrongDer(
        "not a valid certificate or request (a DER SEQUENCE of another kind, or a damaged one)"
            .into(),
    ))
}

/// The certificates of a PKCS#12 file, in no meaningful order (each bag is read on its own;
/// the audit finds the leaf by building the chain, as for a PEM bundle).
fn pkcs12_certificates(
    der: &[u8],
    password: Option<&str>,
    contents: &mut Contents,
) -> Result<(), InputError> {
    use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy};
    let password = password.ok_or(InputError::Pkcs12PasswordNeeded)?;
    let store = KeyStore::from_pkcs12(der, password, Pkcs12ImportPolicy::Raw).map_err(|e| {
        InputError::Pkcs12(match e {
            p12_keystore::error::Error::MacError(_) => "cannot open the PKCS#12 file: wrong password".into(),
            other => format!("cannot open the PKCS#12 file: wrong password, or an encryption picert does not read ({other})"),
        })
    })?;
    let before = contents.certificates.len();
    for (_, entry) in store.entries() {
        match entry {
            KeyStoreEntry::PrivateKeyChain(chain) => contents
                .certificates
                .extend(chain.certs().iter().map(|c| c.as_der().to_vec().into())),
            KeyStoreEntry::Certificate(cert) => {
                contents.certificates.push(cert.as_der().to_vec().into())
            }
            _ => {}
        }
    }
    if contents.certificates.len() == before {
        return Err(InputError::Pkcs12(
            "the PKCS#12 file holds no certificate".into(),
        ));
    }
    Ok(())
}

/// The private key (PKCS#8 DER) and certificates of a PKCS#12 file: for a client certificate
/// taken from the same `.pfx` the Edge imports. The certificates of the key's chain come first.
pub fn read_pkcs12_identity(
    der: &[u8],
    password: &str,
) -> Result<(zeroize::Zeroizing<Vec<u8>>, Vec<CertificateDer<'static>>), InputError> {
    use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy};
    let store = KeyStore::from_pkcs12(der, password, Pkcs12ImportPolicy::Raw)
        .map_err(|e| InputError::Pkcs12(format!("cannot open the PKCS#12 file ({e})")))?;
    let mut key = None;
    let mut certs = Vec::new();
    let mut others = Vec::new();
    for (_, entry) in store.entries() {
        match entry {
            KeyStoreEntry::PrivateKeyChain(chain) if key.is_none() => {
                key = Some(zeroize::Zeroizing::new(chain.key().as_der().to_vec()));
                certs.extend(chain.certs().iter().map(|c| c.as_der().to_vec().into()));
            }
            KeyStoreEntry::Certificate(cert) => others.push(cert.as_der().to_vec().into()),
            _ => {}
        }
    }
    certs.extend(others);
    let key =
        key.ok_or_else(|| InputError::Pkcs12("the PKCS#12 file holds no private key".into()))?;
    Ok((key, certs))
}

fn is_pkcs12(seq: &[u8]) -> bool {
    // PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData OPTIONAL }
    let Ok((rest, _version)) = Any::from_der(seq) else {
        return false;
    };
    let Ok((_, auth_safe)) = Any::from_der(rest) else {
        return false;
    };
    let Ok((_, oid)) = Any::from_der(auth_safe.data) else {
        return false;
    };
    oid.oid()
        .map(|o| o.to_id_string().starts_with("1.2.840.113549.1.7."))
        .unwrap_or(false)
}

/// `ContentInfo { contentType signedData, [0] EXPLICIT SignedData { version, digestAlgorithms,
/// encapContentInfo, [0] IMPLICIT certificates OPTIONAL, ... } }`: the certificates, in
/// whatever order (the audit rebuilds the chain).
fn pkcs7_certificates(der: &[u8], contents: &mut Contents) -> Result<(), InputError> {
    let bad = |what: &str| InputError::WrongDer(format!("a malformed PKCS#7 bundle ({what})"));
    let (_, ci) = Any::from_der(der).map_err(|_| bad("content info"))?;
    let (after, oid) = Any::from_der(ci.data).map_err(|_| bad("content type"))?;
    let oid = oid.oid().map_err(|_| bad("content type"))?.to_id_string();
    if oid != "1.2.840.113549.1.7.2" {
        return Err(InputError::WrongDer(format!(
            "a PKCS#7 structure of type {oid}, not signedData"
        )));
    }
    let (_, explicit) = Any::from_der(after).map_err(|_| bad("content"))?;
    let (_, signed) = Any::from_der(explicit.data).map_err(|_| bad("signed data"))?;
    let mut rest = signed.data;
    let before = contents.certificates.len();
    while !rest.is_empty() {
        let (next, item) = Any::from_der(rest).map_err(|_| bad("signed data field"))?;
        let item_tlv = &rest[..rest.len() - next.len()];
        rest = next;
        if item.class() == Class::ContextSpecific && item.tag() == Tag(0) {
            let header_len = item_tlv.len() - item.data.len();
            let mut certs = &item_tlv[header_len..];
            while !certs.is_empty() {
                let (next, cert) = Any::from_der(certs).map_err(|_| bad("certificate"))?;
                let cert_tlv = &certs[..certs.len() - next.len()];
                certs = next;
                if cert.tag() == Tag::Sequence {
                    contents.certificates.push(cert_tlv.to_vec().into());
                }
            }
        }
    }
    if contents.certificates.len() == before {
        return Err(InputError::EmptyPkcs7);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path and the general path read the same bytes from every fixture PEM.
    #[test]
    fn both_pem_paths_agree_on_the_fixtures() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut compared = 0;
        for dir in ["pki", "bad"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
                if let Some(fast) = read_pem_common(text) {
                    let general = read_pem_general(text)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    assert_eq!(
                        fast.certificates,
                        general.certificates,
                        "{}",
                        path.display()
                    );
                    assert_eq!(fast.requests, general.requests, "{}", path.display());
                    compared += 1;
                }
            }
        }
        assert!(compared > 30, "{compared}");
    }

    fn fixture(name: &str) -> Vec<u8> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pki");
        std::fs::read(root.join(name)).unwrap()
    }

    fn utf16(text: &[u8], little: bool, bom: bool) -> Vec<u8> {
        let text = std::str::from_utf8(text).unwrap();
        let mut out = match (bom, little) {
            (false, _) => vec![],
            (true, true) => vec![0xff, 0xfe],
            (true, false) => vec![0xfe, 0xff],
        };
        for unit in text.encode_utf16() {
            out.extend(if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    }

    /// What PowerShell 5.1's `>` writes (UTF-16LE with a BOM), and UTF-16BE, read as the PEM
    /// they hold, with a note; UTF-16 without a BOM is named.
    #[test]
    fn utf16_files_are_read_as_their_text() {
        let pem = fixture("good.pem");
        let plain = read_contents(&pem).unwrap();
        for little in [true, false] {
            let contents = read_contents(&utf16(&pem, little, true)).unwrap();
            assert_eq!(contents.certificates, plain.certificates);
            assert_eq!(contents.notes.len(), 1, "{:?}", contents.notes);
            assert!(
                contents.notes[0].contains(if little { "UTF-16LE" } else { "UTF-16BE" }),
                "{:?}",
                contents.notes
            );
        }
        assert!(plain.notes.is_empty());
        let err = read_contents(&utf16(&pem, true, false)).unwrap_err();
        assert!(
            err.to_string()
                .contains("UTF-16 text without a byte-order mark"),
            "{err}"
        );
        let csr = fixture("good.csr");
        let contents = read_contents(&utf16(&csr, true, true)).unwrap();
        assert_eq!(contents.requests.len(), 1);
    }

    /// Base64 without the PEM armour: read, with a note; base64 of something else is not.
    #[test]
    fn base64_without_armour_is_read_and_said() {
        let pem = fixture("good.pem");
        let plain = read_contents(&pem).unwrap();
        let text = std::str::from_utf8(&pem).unwrap();
        let start = text.find("-----BEGIN CERTIFICATE-----").unwrap();
        let body: String = text[start..]
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("-----END"))
            .map(|l| format!("{l}\r\n"))
            .collect();
        let contents = read_contents(body.as_bytes()).unwrap();
        assert_eq!(contents.certificates[..], plain.certificates[..1]);
        assert!(
            contents.notes[0].contains("without its PEM armour"),
            "{:?}",
            contents.notes
        );
        // The same base64 as PowerShell writes it: two notes, in reading order.
        let both = read_contents(&utf16(body.as_bytes(), true, true)).unwrap();
        assert_eq!(both.notes.len(), 2);
        assert!(both.notes[0].contains("UTF-16LE") && both.notes[1].contains("armour"));
        // Base64 of text, and words that happen to be base64 letters, stay unrecognised.
        for other in [
            &b"aGVsbG8gd29ybGQsIHRoaXMgaXMgbm90IERFUg=="[..],
            b"ThisIsJustSomeWordsWithoutSpaces",
        ] {
            assert_eq!(read_contents(other).unwrap_err(), InputError::Unrecognised);
        }
    }
}
