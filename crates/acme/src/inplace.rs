//! Whether the files in place belong together: the key is the certificate's, the PKCS#12 file
//! holds that certificate and that key. Checked by every run before it orders (the set it will
//! replace) and after it writes (the set it put in place).

use std::path::Path;

use picert_core::PrivateKey;

/// Where the set is, and what opens it.
pub(crate) struct SetFiles<'a> {
    /// The chain file (leaf first).
    pub chain: &'a Path,
    /// The key file written by picert, with the passphrase that opens it.
    pub key_file: Option<(&'a Path, Option<&'a [u8]>)>,
    /// A key kept from run to run (not written by picert).
    pub kept_key: Option<&'a PrivateKey>,
    /// The PKCS#12 file and its password.
    pub pfx: Option<(&'a Path, &'a str)>,
}

/// `None` when no chain is in place (nothing to check); else the files checked, or why they do
/// not belong together (naming the file).
pub(crate) fn check(set: &SetFiles<'_>) -> Option<Result<Vec<String>, String>> {
    if !set.chain.exists() {
        return None;
    }
    Some(check_present(set))
}

fn check_present(set: &SetFiles<'_>) -> Result<Vec<String>, String> {
    let shown = |p: &Path| p.display().to_string();
    let chain = shown(set.chain);
    let bytes = std::fs::read(set.chain)
        .map_err(|e| format!("{chain}: {}", picert_core::io_message(&e)))?;
    let (leaf, current) = picert_verify::renewal::read_in_service(&bytes, None)
        .map_err(|e| format!("{chain}: {e}"))?;
    let mut checked = vec![chain.clone()];
    let spki_of =
        |key: &PrivateKey, file: &str| key.spki_der().map_err(|e| format!("{file}: {}", e));
    if let Some((path, passphrase)) = set.key_file {
        let file = shown(path);
        if !path.exists() {
            return Err(format!("{file} is missing beside {chain}"));
        }
        let key_bytes =
            std::fs::read(path).map_err(|e| format!("{file}: {}", picert_core::io_message(&e)))?;
        let key = PrivateKey::from_bytes(&key_bytes, passphrase)
            .map_err(|e| format!("{file}: cannot be opened ({e})"))?;
        if spki_of(&key, &file)? != current.spki_der {
            return Err(format!(
                "{file} is not the key of the certificate in {chain}"
            ));
        }
        checked.push(file);
    }
    if let Some(key) = set.kept_key {
        if spki_of(key, "the key given")? != current.spki_der {
            return Err(format!(
                "the key given is not the key of the certificate in {chain}"
            ));
        }
    }
    if let Some((path, password)) = set.pfx {
        let file = shown(path);
        if !path.exists() {
            return Err(format!("{file} is missing beside {chain}"));
        }
        let der =
            std::fs::read(path).map_err(|e| format!("{file}: {}", picert_core::io_message(&e)))?;
        let (key_der, certificates) = picert_verify::input::read_pkcs12_identity(&der, password)
            .map_err(|e| format!("{file}: {e}"))?;
        if !certificates.iter().any(|c| c.as_ref() == leaf.as_ref()) {
            return Err(format!("{file} does not hold the certificate in {chain}"));
        }
        let key = PrivateKey::from_bytes(&key_der, None)
            .map_err(|e| format!("{file}: its key cannot be read ({e})"))?;
        if spki_of(&key, &file)? != current.spki_der {
            return Err(format!("{file} holds a key that is not the certificate's"));
        }
        checked.push(file);
    }
    Ok(checked)
}
