//! The key to generate and the hash to sign the request with, by the names topology files and
//! flags use, and the kind of a key at hand.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

/// The key to generate or expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(try_from = "String")]
pub enum KeyType {
    /// RSA, 2048-bit modulus (the default; what Lync Server requests).
    #[default]
    Rsa2048,
    /// RSA, 3072-bit modulus.
    Rsa3072,
    /// RSA, 4096-bit modulus.
    Rsa4096,
    /// ECDSA on P-256. Skype for Business Server 2015 does not support CNG (ECC) certificates.
    EcdsaP256,
    /// ECDSA on P-384. Same caveat as P-256.
    EcdsaP384,
}

impl KeyType {
    /// All key types, in the order `--help` lists them.
    pub const ALL: [KeyType; 5] = [
        KeyType::Rsa2048,
        KeyType::Rsa3072,
        KeyType::Rsa4096,
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
    ];

    /// The name used in flags and topology files.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Rsa2048 => "rsa2048",
            KeyType::Rsa3072 => "rsa3072",
            KeyType::Rsa4096 => "rsa4096",
            KeyType::EcdsaP256 => "ecdsa-p256",
            KeyType::EcdsaP384 => "ecdsa-p384",
        }
    }

    /// The key described for people: `RSA 2048 bits`, `ECDSA P-256`.
    pub fn describe(self) -> &'static str {
        match self {
            KeyType::Rsa2048 => "RSA 2048 bits",
            KeyType::Rsa3072 => "RSA 3072 bits",
            KeyType::Rsa4096 => "RSA 4096 bits",
            KeyType::EcdsaP256 => "ECDSA P-256",
            KeyType::EcdsaP384 => "ECDSA P-384",
        }
    }

    /// True for the RSA types.
    pub fn is_rsa(self) -> bool {
        matches!(self, KeyType::Rsa2048 | KeyType::Rsa3072 | KeyType::Rsa4096)
    }

    /// The hash an ECDSA key signs with (each curve has one); `None` for RSA.
    pub fn fixed_hash(self) -> Option<HashAlg> {
        match self {
            KeyType::EcdsaP256 => Some(HashAlg::Sha256),
            KeyType::EcdsaP384 => Some(HashAlg::Sha384),
            _ => None,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a key type or hash name was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AlgorithmError {
    /// A known algorithm picert refuses, with the reason.
    #[error("{name} is refused: {reason}")]
    Refused {
        /// The name given.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// An unknown name.
    #[error("unknown {what} '{name}' (expected {expected})")]
    Unknown {
        /// "key type" or "hash".
        what: &'static str,
        /// The name given.
        name: String,
        /// The names taken.
        expected: &'static str,
    },
}

impl TryFrom<String> for KeyType {
    type Error = AlgorithmError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl FromStr for KeyType {
    type Err = AlgorithmError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        if lower == "rsa1024" {
            return Err(AlgorithmError::Refused {
                name: "rsa1024".into(),
                reason: "Microsoft recommends 2048 bits or more and public CAs issue no RSA key under 2048 bits (CA/B Forum BR 6.1.5)",
            });
        }
        KeyType::ALL
            .into_iter()
            .find(|k| k.as_str() == lower)
            .ok_or_else(|| AlgorithmError::Unknown {
                what: "key type",
                name: s.to_string(),
                expected: "rsa2048, rsa3072, rsa4096, ecdsa-p256 or ecdsa-p384",
            })
    }
}

/// The hash of the request's signature. RSASSA-PSS is never used: Lync does not support it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(try_from = "String")]
pub enum HashAlg {
    /// SHA-256 (the default).
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    /// The name used in flags and topology files.
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha256",
            HashAlg::Sha384 => "sha384",
            HashAlg::Sha512 => "sha512",
        }
    }
}

impl fmt::Display for HashAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for HashAlg {
    type Error = AlgorithmError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl FromStr for HashAlg {
    type Err = AlgorithmError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "sha256" => Ok(HashAlg::Sha256),
            "sha384" => Ok(HashAlg::Sha384),
            "sha512" => Ok(HashAlg::Sha512),
            "sha1" | "md5" => Err(AlgorithmError::Refused {
                name: s.to_string(),
                reason: "public CAs no longer sign with it and the CA/B Forum sunset SHA-1 on 2026-09-15",
            }),
            _ => Err(AlgorithmError::Unknown {
                what: "hash",
                name: s.to_string(),
                expected: "sha256, sha384 or sha512",
            }),
        }
    }
}

/// What kind of key a [`PrivateKey`](crate::PrivateKey) holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA with this many modulus bits.
    Rsa(usize),
    /// ECDSA on P-256.
    EcdsaP256,
    /// ECDSA on P-384.
    EcdsaP384,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyKind::Rsa(bits) => write!(f, "RSA {bits} bits"),
            KeyKind::EcdsaP256 => f.write_str("ECDSA P-256"),
            KeyKind::EcdsaP384 => f.write_str("ECDSA P-384"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_weak_ones_are_refused_with_a_reason() {
        for k in KeyType::ALL {
            assert_eq!(k.as_str().parse::<KeyType>().unwrap(), k);
        }
        assert_eq!("RSA4096".parse::<KeyType>().unwrap(), KeyType::Rsa4096);
        let e = "rsa1024".parse::<KeyType>().unwrap_err().to_string();
        assert!(e.contains("2048"), "{e}");
        assert!(matches!(
            "dsa".parse::<KeyType>(),
            Err(AlgorithmError::Unknown { .. })
        ));
        assert!("sha1"
            .parse::<HashAlg>()
            .unwrap_err()
            .to_string()
            .contains("2026-09-15"));
        assert_eq!("SHA384".parse::<HashAlg>().unwrap(), HashAlg::Sha384);
        assert_eq!(KeyType::EcdsaP384.fixed_hash(), Some(HashAlg::Sha384));
        assert_eq!(KeyType::Rsa2048.fixed_hash(), None);
    }
}
