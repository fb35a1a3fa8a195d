//! Notes: what picert-core tells its caller about a request or a renewal, as values. The caller
//! decides whether and how to show them; [`Note`]'s `Display` is a plain English default.

use std::fmt;

use crate::algorithms::KeyType;
use crate::error::Origin;
use crate::platform::{Product, WindowsServer};
use crate::san::SanSource;

/// Something worth telling the administrator about a topology, a request, a renewal or a
/// PKCS#12 file. None stops the work.
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
        /// The product the topology names, if any (for Skype for Business Server 2015 the
        /// request goes ahead only when forced).
        product: Option<Product>,
    },
    /// A name was written with the root's trailing dot; it is used without it.
    TrailingDot {
        /// The name without the dot.
        name: String,
        /// Where it came from.
        origin: Option<Origin>,
    },
    /// A SIP domain that starts with `sip.`: its SAN becomes `sip.sip.…`, which is legal but is
    /// rarely what was meant.
    SipNameAsDomain {
        /// The SIP domain as given.
        domain: String,
        /// The SAN it produces.
        san: String,
        /// The domain probably meant.
        meant: String,
        /// Where it came from.
        origin: Option<Origin>,
    },
    /// A file was UTF-16 text with a byte-order mark (UTF-16LE is what Windows PowerShell
    /// 5.1's `>` writes) and was read as that text.
    ConvertedText {
        /// The file.
        path: String,
        /// Its encoding.
        encoding: crate::text::TextEncoding,
    },
    /// The Web Conferencing Edge name is the Access Edge name: one SAN carries both.
    WebconfMerged {
        /// The name.
        name: String,
    },
    /// The product runs on that Windows release only with a caveat.
    PlatformCaveat {
        /// The product.
        product: Product,
        /// The release.
        windows: WindowsServer,
        /// The caveat.
        caveat: &'static str,
    },
    /// The PKCS#12 file is 3DES / SHA-1 because no Windows Server release is known.
    PfxLegacyUnknownWindows,
    /// The PKCS#12 file is 3DES / SHA-1 because the product runs on releases older than 2019.
    PfxLegacyForProduct {
        /// The product.
        product: Product,
    },
    /// AES-256 was asked for a Windows Server release that imports only 3DES / SHA-1.
    PfxModernUnsupported {
        /// The release.
        windows: WindowsServer,
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
    /// True for the notes about a renewal (what it keeps, adds or changes from the
    /// certificate in service).
    pub fn is_renewal(&self) -> bool {
        matches!(
            self,
            Note::SubjectMovedFirst { .. }
                | Note::NameAdded { .. }
                | Note::NameKept { .. }
                | Note::SubjectChanged { .. }
                | Note::ClientEkuDropped
        )
    }

    /// True for the notes that warn (a choice the administrator should reconsider), false for
    /// those that only say what happens.
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            Note::ClientEku { .. }
                | Note::EccKey { .. }
                | Note::SipNameAsDomain { .. }
                | Note::PlatformCaveat { .. }
                | Note::PfxModernUnsupported { .. }
        )
    }
}

fn in_origin(origin: &Option<Origin>) -> String {
    match origin {
        Some(o) => format!(" ({o})"),
        None => String::new(),
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
            Note::EccKey { key, product: None } => write!(
                f,
                "{key} is an ECC key, which Windows keeps as a CNG key: Skype for Business Server 2015 does not support CNG certificates; RSA is the safe choice for the Edge"
            ),
            Note::EccKey { key, product: Some(Product::Sfb2015) } => write!(
                f,
                "{key} is an ECC key, which Windows keeps as a CNG key, and Skype for Business Server 2015 (the topology's product) does not support CNG certificates: the request goes ahead only because it was forced"
            ),
            Note::EccKey { key, product: Some(product) } => write!(
                f,
                "{key} is an ECC key, which Windows keeps as a CNG key: {product} takes CNG certificates, but a pool that still has Skype for Business Server 2015 servers does not, and RSA is what every Edge takes"
            ),
            Note::TrailingDot { name, origin } => write!(
                f,
                "'{name}.'{} ends with the root's dot; certificates carry names without it, so it is used as {name}",
                in_origin(origin)
            ),
            Note::SipNameAsDomain { domain, san, meant, origin } => write!(
                f,
                "the SIP domain {domain}{} gives the SAN {san}: if the SIP domain is {meant}, give that (picert adds the sip. prefix itself)",
                in_origin(origin)
            ),
            Note::ConvertedText { path, encoding } => write!(
                f,
                "{path}: {}",
                encoding
                    .conversion_note()
                    .unwrap_or("the file was read as UTF-8 text")
            ),
            Note::WebconfMerged { name } => write!(
                f,
                "the Web Conferencing Edge name is the Access Edge name ({name}): one SAN carries both"
            ),
            Note::PlatformCaveat { product, windows, caveat } => write!(
                f,
                "{product} on {windows}: {caveat}"
            ),
            Note::PfxLegacyUnknownWindows => f.write_str(
                "the PKCS#12 file uses 3DES and a SHA-1 MAC, which every Windows Server imports, because the Edge's Windows Server release is not known; for AES-256 with a SHA-256 MAC (Windows Server 2019 and later), name the release (windows = \"2019\" in the topology)",
            ),
            Note::PfxLegacyForProduct { product } => write!(
                f,
                "the PKCS#12 file uses 3DES and a SHA-1 MAC because {product} runs on Windows Server releases older than 2019, which import only that form; if this Edge runs 2019 or later, name the release (windows = \"2019\" in the topology) for AES-256"
            ),
            Note::PfxModernUnsupported { windows } => write!(
                f,
                "the PKCS#12 file uses AES-256 and a SHA-256 MAC, which {windows} cannot import (Windows Server 2019 and later can): the import fails with \"The specified network password is not correct\""
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
