//! Reading inputs: PEM or DER certificates (a leaf and its chain in any order), PKCS#7
//! bundles, PKCS#12 (`.pfx`) files given their password, and PKCS#10 requests (including
//! Windows' `NEW CERTIFICATE REQUEST` label).
//!
//! Every file is read through [`read_limited`] ([`limits`](self)); what it holds is then told
//! apart here and read by the module for its form: [`pem`](self) (text, under RFC 7468
//! labels), DER (a certificate, a request, or something named precisely), PKCS#7 (the `cms`
//! crate) and PKCS#12 (`p12-keystore`).

mod der;
mod limits;
mod pem;
mod pkcs12;
mod pkcs7;

use rustls_pki_types::{CertificateDer, CertificateSigningRequestDer};

pub use limits::{read_limited, MAX_CERTIFICATES, MAX_INPUT_BYTES};
#[doc(hidden)]
pub use pem::pem_paths_agree;
pub use pkcs12::read_pkcs12_identity;

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
        pem::read(&text)?
    } else if bytes[0] == 0x30 {
        let mut contents = Contents::default();
        der::read(bytes, &mut contents, pfx_password)?;
        return Ok(contents);
    } else if let Some(der) = pem::unarmoured_base64(&text) {
        let mut contents = Contents::default();
        der::read(&der, &mut contents, pfx_password)?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
