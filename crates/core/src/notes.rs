//! Notes: what picert-core tells its caller about a request or a renewal, as values. The caller
//! decides whether and how to show them; [`Note`]'s `Display` is a plain English default.

use std::fmt;

use crate::algorithms::KeyType;
use crate::san::SanSource;

/// Something worth telling the administrator about a request or renewal. None stops the work.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Note {
    /// The request asks for the client EKU; `aol` says whether PIC with AOL is declared.
    ClientEku {
        /// PIC with AOL is declared.
        aol: bool,
    },
    /// The key is an ECC key, which Windows keeps as a CNG key.
    EccKey {
        /// The key type.
        key: KeyType,
    },
    /// Renewal: the subject name was in the certificate in service, not first; it moves to SAN 1.
    SubjectMovedFirst {
        /// The subject name.
        name: String,
    },
    /// Renewal: a name the topology wants that the certificate in service lacks.
    NameAdded {
        /// The name.
        name: String,
        /// Why the topology wants it.
        source: SanSource,
    },
    /// Renewal: a name of the certificate in service that the topology does not produce; kept.
    NameKept {
        /// The name.
        name: String,
    },
    /// Renewal: the subject changes to the topology's Access Edge FQDN.
    SubjectChanged {
        /// The certificate's CN.
        from: String,
        /// The new subject name.
        to: String,
    },
    /// Renewal: the certificate in service has the client EKU, AOL is declared off, and the
    /// new request asks for the server EKU only.
    ClientEkuDropped,
}

impl Note {
    /// True for the notes that warn (a choice the administrator should reconsider), false for
    /// those that only say what happens.
    pub fn is_warning(&self) -> bool {
        matches!(self, Note::ClientEku { .. } | Note::EccKey { .. })
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::ClientEku { aol } => write!(
                f,
                "public CAs are dropping the client EKU (clientAuth) this request asks for{}: Sectigo stopped on 2026-05-15, Let's Encrypt on 2026-07-08, DigiCert adds it only on request until 2027-03-01, and Chrome's root policy forbids it in certificates issued from 2027-03-15. Microsoft ties the client EKU to PIC with AOL alone, and AOL's and Yahoo!'s PIC ended in June 2014 (consumer Skype on 2025-05-05); Skype for Business Server 2015 and 2019 need only the server EKU. Microsoft's way to get it is an enterprise CA template that allows clientAuth",
                if *aol { " because PIC with AOL is declared" } else { "" }
            ),
            Note::EccKey { key } => write!(
                f,
                "{key} is an ECC key, which Windows keeps as a CNG key: Skype for Business Server 2015 does not support CNG certificates; RSA is the safe choice for the Edge"
            ),
            Note::SubjectMovedFirst { name } => write!(
                f,
                "{name} (the subject) moves to SAN 1, where the certificate table wants it; the other names keep their order"
            ),
            Note::NameAdded { name, source } => write!(
                f,
                "{name} ({source}) is not in the certificate in service: added"
            ),
            Note::NameKept { name } => write!(
                f,
                "{name} is in the certificate in service but not in the topology: kept (a request from the topology alone drops it)"
            ),
            Note::SubjectChanged { from, to } => write!(
                f,
                "the subject changes from {from} to {to} (the topology's Access Edge FQDN)"
            ),
            Note::ClientEkuDropped => f.write_str(
                "the certificate in service has the client EKU; AOL is off, so the new request asks for the server EKU only",
            ),
        }
    }
}
