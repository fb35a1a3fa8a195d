//! Text as Windows writes it. Windows PowerShell 5.1's `>` and `Out-File` write UTF-16LE with a
//! byte-order mark, and Notepad and `Set-Content -Encoding UTF8` put a UTF-8 byte-order mark
//! first: a certificate, a request, a key or a topology saved that way is still the same text to
//! its owner. [`decode`] turns such bytes into the UTF-8 that every reader in picert expects,
//! and says what it found.

use std::borrow::Cow;
use std::fmt;

/// How a file's text was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 (or ASCII, or binary): passed through.
    Utf8,
    /// UTF-8 after a byte-order mark (EF BB BF).
    Utf8Bom,
    /// UTF-16 little-endian after its byte-order mark (FF FE): Windows PowerShell 5.1's
    /// default for `>` and `Out-File`.
    Utf16Le,
    /// UTF-16 big-endian after its byte-order mark (FE FF).
    Utf16Be,
}

impl TextEncoding {
    /// True for the encodings picert converted (UTF-16): worth a note in a report.
    pub fn is_converted(self) -> bool {
        matches!(self, TextEncoding::Utf16Le | TextEncoding::Utf16Be)
    }

    /// What a report says about a file read in this encoding, after the file's name: the
    /// encoding and where such files come from. `None` for UTF-8, which needs no word.
    /// Windows PowerShell 5.1's `>` and `Out-File` write UTF-16LE; big-endian UTF-16 comes
    /// from `Out-File -Encoding BigEndianUnicode` and the like.
    pub fn conversion_note(self) -> Option<&'static str> {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => None,
            TextEncoding::Utf16Le => Some(
                "the file is UTF-16LE text with a byte-order mark (as Windows PowerShell 5.1's > and Out-File write it); it was read as that text",
            ),
            TextEncoding::Utf16Be => Some(
                "the file is UTF-16BE text with a byte-order mark (big-endian, as Out-File -Encoding BigEndianUnicode writes it; PowerShell 5.1's > and plain Out-File write little-endian UTF-16LE); it was read as that text",
            ),
        }
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with a byte-order mark",
            TextEncoding::Utf16Le => "UTF-16LE with a byte-order mark",
            TextEncoding::Utf16Be => "UTF-16BE with a byte-order mark",
        })
    }
}

/// Why bytes could not be taken as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// Every other byte is zero, as in UTF-16, but there is no byte-order mark to say which
    /// byte order.
    #[error("the file looks like UTF-16 text without a byte-order mark; save it as UTF-8 (or as UTF-16 with a byte-order mark, as PowerShell's Out-File does)")]
    Utf16WithoutBom,
    /// A UTF-16 byte-order mark, then something that is not UTF-16.
    #[error("the file starts with a UTF-16 byte-order mark but is not valid UTF-16 text")]
    BadUtf16,
}

/// The bytes as UTF-8 text when they are UTF-16 or carry a byte-order mark; other bytes (UTF-8,
/// DER, anything else) are returned as they are, for the caller's own reader to judge.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, [u8]>, TextEncoding), TextError> {
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return Ok((Cow::Borrowed(rest), TextEncoding::Utf8Bom));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return utf16(rest, u16::from_le_bytes).map(|t| (t, TextEncoding::Utf16Le));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return utf16(rest, u16::from_be_bytes).map(|t| (t, TextEncoding::Utf16Be));
    }
    if looks_like_bomless_utf16(bytes) {
        return Err(TextError::Utf16WithoutBom);
    }
    Ok((Cow::Borrowed(bytes), TextEncoding::Utf8))
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<Cow<'static, [u8]>, TextError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(TextError::BadUtf16);
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let text: String = char::decode_utf16(units)
        .collect::<Result<_, _>>()
        .map_err(|_| TextError::BadUtf16)?;
    Ok(Cow::Owned(text.into_bytes()))
}

/// ASCII text in UTF-16 without a byte-order mark: in the first 64 bytes, every byte at one
/// parity is zero and every byte at the other is printable ASCII or white space. DER never
/// looks like this (its second byte is a length, and a zero length is no certificate).
fn looks_like_bomless_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64) & !1];
    if head.len() < 4 {
        return false;
    }
    let text = |b: u8| b.is_ascii_graphic() || b.is_ascii_whitespace();
    let le = head.chunks_exact(2).all(|c| text(c[0]) && c[1] == 0);
    let be = head.chunks_exact(2).all(|c| c[0] == 0 && text(c[1]));
    le || be
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xff, 0xfe] } else { vec![] };
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    fn utf16be(s: &str) -> Vec<u8> {
        let mut out = vec![0xfe, 0xff];
        out.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
        out
    }

    /// PowerShell 5.1 writes UTF-16 little-endian: only the UTF-16LE note says a file is as
    /// PowerShell writes it; the UTF-16BE one says big-endian comes from elsewhere.
    #[test]
    fn the_notes_say_which_utf16_powershell_writes() {
        let le = TextEncoding::Utf16Le.conversion_note().unwrap();
        assert!(le.starts_with("the file is UTF-16LE text with a byte-order mark (as Windows PowerShell 5.1's > and Out-File write it)"), "{le}");
        let be = TextEncoding::Utf16Be.conversion_note().unwrap();
        assert!(be.starts_with("the file is UTF-16BE text with a byte-order mark (big-endian, as Out-File -Encoding BigEndianUnicode writes it; PowerShell 5.1's > and plain Out-File write little-endian UTF-16LE)"), "{be}");
        assert!(!be.contains("as Windows PowerShell 5.1's > and Out-File write it"));
        assert_eq!(TextEncoding::Utf8.conversion_note(), None);
        assert_eq!(TextEncoding::Utf8Bom.conversion_note(), None);
    }

    #[test]
    fn utf16_and_byte_order_marks_become_utf8() {
        let pem = "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n";
        let le = utf16le(pem, true);
        let (text, enc) = decode(&le).unwrap();
        assert_eq!(
            (text.as_ref(), enc),
            (pem.as_bytes(), TextEncoding::Utf16Le)
        );
        let be = utf16be(pem);
        let (text, enc) = decode(&be).unwrap();
        assert_eq!(
            (text.as_ref(), enc),
            (pem.as_bytes(), TextEncoding::Utf16Be)
        );
        let (text, enc) = decode(b"\xef\xbb\xbfaol = true\n").unwrap();
        assert_eq!(
            (text.as_ref(), enc),
            (&b"aol = true\n"[..], TextEncoding::Utf8Bom)
        );
        assert!(enc.to_string().contains("byte-order mark"));
        // Non-ASCII survives: a friendly name in a topology file.
        let named = utf16le("friendly_name = \"Périphérie\"", true);
        let (text, _) = decode(&named).unwrap();
        assert_eq!(
            std::str::from_utf8(&text).unwrap(),
            "friendly_name = \"Périphérie\""
        );
    }

    #[test]
    fn other_bytes_pass_through_and_bomless_utf16_is_named() {
        for plain in [&b"plain text"[..], b"\x30\x82\x01\x0a\x02\x82", b"", b"ab"] {
            let (text, enc) = decode(plain).unwrap();
            assert_eq!((text.as_ref(), enc), (plain, TextEncoding::Utf8));
        }
        assert_eq!(
            decode(&utf16le("-----BEGIN CERTIFICATE-----", false)),
            Err(TextError::Utf16WithoutBom)
        );
        let mut be = utf16be("-----BEGIN");
        be.drain(..2);
        assert_eq!(decode(&be), Err(TextError::Utf16WithoutBom));
        // An odd length or a lone surrogate after the mark.
        assert_eq!(decode(b"\xff\xfeA\x00B"), Err(TextError::BadUtf16));
        assert_eq!(decode(b"\xff\xfe\x00\xd8"), Err(TextError::BadUtf16));
    }
}
