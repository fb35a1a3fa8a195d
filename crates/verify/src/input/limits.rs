//! How much picert reads: the size cap of every input file and the certificate count of one.

use super::InputError;

/// The largest input picert reads: a certificate chain or a request is a few kilobytes, and a
/// PKCS#12 file rarely more than a hundred.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// The most certificates one file may hold (a chain is a handful; a trust store a few hundred).
pub const MAX_CERTIFICATES: usize = 2000;

/// Reads at most `limit` bytes from `source` (an open file, standard input); more is
/// [`InputError::TooLarge`], found without reading the rest. The buffer starts at 8 KiB, which
/// holds a chain or a request in one read; no `stat` is made (a system call per file counts
/// when auditing thousands).
///
/// ```
/// use picert_verify::input::{read_limited, InputError};
/// let file = std::fs::File::open("../../fixtures/pki/good.pem")?;
/// assert!(read_limited(file, 16 * 1024 * 1024)?.is_ok());
/// assert_eq!(read_limited(&b"12345"[..], 4)?, Err(InputError::TooLarge(4)));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn read_limited(
    source: impl std::io::Read,
    limit: u64,
) -> std::io::Result<Result<Vec<u8>, InputError>> {
    use std::io::Read;
    let mut bytes = Vec::with_capacity(8192);
    source.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(Err(InputError::TooLarge(limit)));
    }
    Ok(Ok(bytes))
}
