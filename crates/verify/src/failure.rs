//! Why an input could not be audited, typed, so that a caller can word the fix in its own terms
//! (the `picert` binary names its flags); reports carry it as its message.

use std::fmt;

use crate::facts::tls::LiveError;
use crate::input::InputError;

/// Why an input could not be read or audited at all.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The file could not be read (the message is the operating system's, shortened).
    Io(String),
    /// The bytes are not a certificate, request or bundle picert reads.
    Input(InputError),
    /// A certificate or request inside could not be parsed.
    Parse(String),
    /// A live endpoint could not be reached or did not complete the handshake.
    Live(LiveError),
    /// Any other reason, already worded (also what a report read back from JSON holds).
    Other(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Io(m) | Failure::Parse(m) | Failure::Other(m) => f.write_str(m),
            Failure::Input(e) => write!(f, "{e}"),
            Failure::Live(e) => write!(f, "{e}"),
        }
    }
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        Failure::Input(e)
    }
}

impl From<LiveError> for Failure {
    fn from(e: LiveError) -> Self {
        Failure::Live(e)
    }
}

impl From<&std::io::Error> for Failure {
    fn from(e: &std::io::Error) -> Self {
        Failure::Io(picert_core::io_message(e))
    }
}

/// Serde for `Option<Failure>` as its message (a report read back holds [`Failure::Other`]).
pub(crate) mod as_text {
    use super::Failure;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Failure>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(f) => s.collect_str(f),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Failure>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(Failure::Other))
    }
}

/// Serde for a [`Failure`] as its message.
pub(crate) mod text {
    use super::Failure;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Failure, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Failure, D::Error> {
        Ok(Failure::Other(String::deserialize(d)?))
    }
}
