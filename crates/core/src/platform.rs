//! The Edge's Windows Server version and server product, which decide what Windows can do with
//! the certificate: the PKCS#12 protection it imports, whether a CNG (ECC) key works, whether
//! Schannel offers TLS 1.3.
//!
//! The support table ([`support`]) follows Microsoft's operating-system pages for each product;
//! where picert found no Microsoft statement, the pair is accepted and said to be unverified
//! rather than refused (docs/topology.md lists the sources).

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

/// A Windows Server release, as the topology's `windows` field and `--windows` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum WindowsServer {
    /// Windows Server 2008 R2 (`2008r2`).
    W2008R2,
    /// Windows Server 2012 (`2012`).
    W2012,
    /// Windows Server 2012 R2 (`2012r2`).
    W2012R2,
    /// Windows Server 2016 (`2016`).
    W2016,
    /// Windows Server 2019 (`2019`).
    W2019,
    /// Windows Server 2022 (`2022`).
    W2022,
    /// Windows Server 2025 (`2025`).
    W2025,
}

impl WindowsServer {
    /// Every release, oldest first.
    pub const ALL: [WindowsServer; 7] = [
        WindowsServer::W2008R2,
        WindowsServer::W2012,
        WindowsServer::W2012R2,
        WindowsServer::W2016,
        WindowsServer::W2019,
        WindowsServer::W2022,
        WindowsServer::W2025,
    ];

    /// The name in topology files and flags: `2012r2`.
    pub fn as_str(self) -> &'static str {
        match self {
            WindowsServer::W2008R2 => "2008r2",
            WindowsServer::W2012 => "2012",
            WindowsServer::W2012R2 => "2012r2",
            WindowsServer::W2016 => "2016",
            WindowsServer::W2019 => "2019",
            WindowsServer::W2022 => "2022",
            WindowsServer::W2025 => "2025",
        }
    }

    /// Imports PKCS#12 files protected with AES-256 and a SHA-256 MAC: Windows Server 2019 and
    /// later (older releases import only 3DES / SHA-1).
    pub fn imports_aes_pfx(self) -> bool {
        self >= WindowsServer::W2019
    }

    /// Schannel offers TLS 1.3: Windows Server 2022 and later.
    pub fn has_tls13(self) -> bool {
        self >= WindowsServer::W2022
    }
}

impl fmt::Display for WindowsServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WindowsServer::W2008R2 => "Windows Server 2008 R2",
            WindowsServer::W2012 => "Windows Server 2012",
            WindowsServer::W2012R2 => "Windows Server 2012 R2",
            WindowsServer::W2016 => "Windows Server 2016",
            WindowsServer::W2019 => "Windows Server 2019",
            WindowsServer::W2022 => "Windows Server 2022",
            WindowsServer::W2025 => "Windows Server 2025",
        })
    }
}

/// A name `windows` or `product` does not take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{name}' (expected {expected})")]
pub struct PlatformNameError {
    /// "Windows Server version" or "product".
    pub what: &'static str,
    /// The name given.
    pub name: String,
    /// The names taken.
    pub expected: &'static str,
}

impl FromStr for WindowsServer {
    type Err = PlatformNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // "2012 R2", "2012-r2", "WS2012R2" and "Windows Server 2012 R2" mean 2012r2.
        let compact: String = s
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let compact = compact
            .trim_start_matches("windowsserver")
            .trim_start_matches("ws");
        WindowsServer::ALL
            .into_iter()
            .find(|w| w.as_str() == compact)
            .ok_or_else(|| PlatformNameError {
                what: "Windows Server version",
                name: s.to_string(),
                expected: "2008r2, 2012, 2012r2, 2016, 2019, 2022 or 2025",
            })
    }
}

impl TryFrom<String> for WindowsServer {
    type Error = PlatformNameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// The server product the Edge runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum Product {
    /// Lync Server 2013 (`lync2013`).
    Lync2013,
    /// Skype for Business Server 2015 (`sfb2015`).
    Sfb2015,
    /// Skype for Business Server 2019 (`sfb2019`).
    Sfb2019,
    /// Skype for Business Server Subscription Edition (`sfbse`).
    SfbSe,
}

impl Product {
    /// Every product, oldest first.
    pub const ALL: [Product; 4] = [
        Product::Lync2013,
        Product::Sfb2015,
        Product::Sfb2019,
        Product::SfbSe,
    ];

    /// The name in topology files and flags: `sfb2015`.
    pub fn as_str(self) -> &'static str {
        match self {
            Product::Lync2013 => "lync2013",
            Product::Sfb2015 => "sfb2015",
            Product::Sfb2019 => "sfb2019",
            Product::SfbSe => "sfbse",
        }
    }

    /// Takes CNG certificates (every ECC key on Windows is one): all but Skype for Business
    /// Server 2015, whose environmental requirements say it does not support them.
    pub fn supports_cng(self) -> bool {
        self != Product::Sfb2015
    }

    /// The PowerShell console that has the product's cmdlets (`Set-CsCertificate`): "Lync
    /// Server Management Shell" for Lync Server 2013, "Skype for Business Server Management
    /// Shell" for the others.
    pub fn management_shell(self) -> &'static str {
        match self {
            Product::Lync2013 => "Lync Server Management Shell",
            _ => "Skype for Business Server Management Shell",
        }
    }

    /// The Windows Server releases Microsoft lists for the product (docs/topology.md).
    pub fn supported_windows(self) -> &'static [WindowsServer] {
        use WindowsServer::*;
        match self {
            Product::Lync2013 => &[W2008R2, W2012, W2012R2],
            Product::Sfb2015 => &[W2008R2, W2012, W2012R2, W2016, W2019],
            Product::Sfb2019 => &[W2016, W2019],
            Product::SfbSe => &[W2019, W2022],
        }
    }
}

impl fmt::Display for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Product::Lync2013 => "Lync Server 2013",
            Product::Sfb2015 => "Skype for Business Server 2015",
            Product::Sfb2019 => "Skype for Business Server 2019",
            Product::SfbSe => "Skype for Business Server Subscription Edition",
        })
    }
}

impl FromStr for Product {
    type Err = PlatformNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let compact: String = s
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let name = match compact.as_str() {
            "lync2013" | "lyncserver2013" => Product::Lync2013,
            "sfb2015" | "skypeforbusiness2015" | "skypeforbusinessserver2015" => Product::Sfb2015,
            "sfb2019" | "skypeforbusiness2019" | "skypeforbusinessserver2019" => Product::Sfb2019,
            "sfbse"
            | "se"
            | "skypeforbusinessserverse"
            | "skypeforbusinessserversubscriptionedition" => Product::SfbSe,
            _ => {
                return Err(PlatformNameError {
                    what: "product",
                    name: s.to_string(),
                    expected: "lync2013, sfb2015, sfb2019 or sfbse",
                })
            }
        };
        Ok(name)
    }
}

impl TryFrom<String> for Product {
    type Error = PlatformNameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// Whether a product runs on a Windows Server release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Microsoft lists the pair.
    Supported,
    /// Accepted, with a caveat: Microsoft's page lists it only in a limited case, or picert found
    /// no Microsoft statement either way.
    Caveat(&'static str),
    /// Microsoft's page for the product does not list the release.
    Unsupported,
}

/// The support table: Microsoft's operating-system lists for each product, with the pairs
/// picert cannot confirm accepted with a caveat.
pub fn support(product: Product, windows: WindowsServer) -> Support {
    use WindowsServer::*;
    match (product, windows) {
        (Product::Sfb2015, W2008R2) => Support::Caveat(
            "Microsoft lists Windows Server 2008 R2 for Skype for Business Server 2015 only for servers upgraded in place from Lync Server 2013",
        ),
        (Product::Sfb2019, W2022) => Support::Caveat(
            "Microsoft's Skype for Business Server 2019 requirements list Windows Server 2016 and 2019; picert found no Microsoft statement for 2022",
        ),
        (Product::SfbSe, W2016 | W2025) => Support::Caveat(
            "picert found no Microsoft list of Windows Server releases for Subscription Edition that names this one (2019 and 2022 are the releases it takes as supported)",
        ),
        (p, w) if p.supported_windows().contains(&w) => Support::Supported,
        _ => Support::Unsupported,
    }
}

/// The Edge's platform, as far as the topology says: either part may be unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Platform {
    /// The Windows Server release.
    pub windows: Option<WindowsServer>,
    /// The server product.
    pub product: Option<Product>,
}

impl Platform {
    /// Whether Schannel on this Edge can offer TLS 1.3: `Some(false)` when the Windows release
    /// (or, when it is unknown, every release the product runs on) predates Windows Server
    /// 2022, `Some(true)` from 2022, `None` when unknown.
    pub fn has_tls13(&self) -> Option<bool> {
        if let Some(w) = self.windows {
            return Some(w.has_tls13());
        }
        let product = self.product?;
        let all_old = product.supported_windows().iter().all(|w| !w.has_tls13());
        all_old.then_some(false)
    }

    /// Whether every Windows release this platform may be imports AES-256 PKCS#12 files.
    pub fn imports_aes_pfx(&self) -> Option<bool> {
        if let Some(w) = self.windows {
            return Some(w.imports_aes_pfx());
        }
        let product = self.product?;
        Some(
            product
                .supported_windows()
                .iter()
                .all(|w| w.imports_aes_pfx()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use WindowsServer::*;

    #[test]
    fn lync_2013_has_its_own_management_shell() {
        assert_eq!(
            Product::Lync2013.management_shell(),
            "Lync Server Management Shell"
        );
        for p in [Product::Sfb2015, Product::Sfb2019, Product::SfbSe] {
            assert_eq!(
                p.management_shell(),
                "Skype for Business Server Management Shell"
            );
        }
    }

    #[test]
    fn names_parse_in_the_forms_people_write() {
        for (text, w) in [
            ("2012r2", W2012R2),
            ("2012 R2", W2012R2),
            ("Windows Server 2012 R2", W2012R2),
            ("WS2019", W2019),
            ("2008R2", W2008R2),
        ] {
            assert_eq!(text.parse::<WindowsServer>().unwrap(), w, "{text}");
        }
        assert!("2003".parse::<WindowsServer>().is_err());
        assert_eq!("SfB2015".parse::<Product>().unwrap(), Product::Sfb2015);
        assert_eq!("sfbse".parse::<Product>().unwrap(), Product::SfbSe);
        let e = "ocs2007".parse::<Product>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown product 'ocs2007' (expected lync2013, sfb2015, sfb2019 or sfbse)"
        );
    }

    /// The table at its edges: the first and last release of each product, and the ones just
    /// outside.
    #[test]
    fn the_support_table_at_its_edges() {
        use Product::*;
        let cases = [
            (Lync2013, W2008R2, "yes"),
            (Lync2013, W2012R2, "yes"),
            (Lync2013, W2016, "no"),
            (Sfb2015, W2008R2, "caveat"),
            (Sfb2015, W2012, "yes"),
            (Sfb2015, W2019, "yes"),
            (Sfb2015, W2022, "no"),
            (Sfb2019, W2012R2, "no"),
            (Sfb2019, W2016, "yes"),
            (Sfb2019, W2019, "yes"),
            (Sfb2019, W2022, "caveat"),
            (Sfb2019, W2025, "no"),
            (SfbSe, W2012R2, "no"),
            (SfbSe, W2016, "caveat"),
            (SfbSe, W2019, "yes"),
            (SfbSe, W2022, "yes"),
            (SfbSe, W2025, "caveat"),
        ];
        for (p, w, want) in cases {
            let got = match support(p, w) {
                Support::Supported => "yes",
                Support::Caveat(_) => "caveat",
                Support::Unsupported => "no",
            };
            assert_eq!(got, want, "{p} on {w}");
        }
    }

    #[test]
    fn what_the_platform_decides() {
        assert!(!W2016.imports_aes_pfx() && W2019.imports_aes_pfx());
        assert!(!W2019.has_tls13() && W2022.has_tls13());
        let p = |windows, product| Platform { windows, product };
        assert_eq!(p(None, None).imports_aes_pfx(), None);
        assert_eq!(p(None, Some(Product::SfbSe)).imports_aes_pfx(), Some(true));
        assert_eq!(
            p(None, Some(Product::Sfb2019)).imports_aes_pfx(),
            Some(false)
        );
        assert_eq!(
            p(Some(W2016), Some(Product::SfbSe)).imports_aes_pfx(),
            Some(false)
        );
        assert_eq!(p(None, Some(Product::Lync2013)).has_tls13(), Some(false));
        assert_eq!(p(None, Some(Product::SfbSe)).has_tls13(), None);
        assert_eq!(p(Some(W2022), None).has_tls13(), Some(true));
        assert!(!Product::Sfb2015.supports_cng() && Product::Sfb2019.supports_cng());
    }
}
