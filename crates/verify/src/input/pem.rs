//! PEM, and base64 that has lost its PEM armour. Blocks are split with the `pem` crate
//! (already in the build through rcgen): the rustls-pki-types reader skips labels it does not
//! know, and both Windows' request label and `PKCS7` are among them.

use super::{Contents, InputError};

/// The DER inside base64 text that has lost its PEM armour (some CA portals' "Base 64"
/// downloads, an armour deleted by hand): only base64 characters and white space, decoding to
/// something that starts as a DER SEQUENCE.
pub(super) fn unarmoured_base64(text: &[u8]) -> Option<Vec<u8>> {
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

pub(super) fn read(text: &[u8]) -> Result<Contents, InputError> {
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
            "PKCS7" | "CMS" => super::pkcs7::certificates(block.contents(), &mut contents)?,
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
}
