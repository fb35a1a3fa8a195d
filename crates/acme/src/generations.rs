//! The sets `picert acme` has issued, kept as generations beside the outputs, and the one
//! step that switches from one to the next.
//!
//! Beside the chain `<out-dir>/<access edge>.pem` is a folder `<access edge>.picert/`:
//!
//! ```text
//! sip.contoso.com.picert/
//!   current            the committed generation's name ("gen-0002"), replaced by one rename
//!   gen-0001/          the previous set, kept for a rollback
//!   gen-0002/          chain.pem, private.key (a new key), bundle.pfx (with a PKCS#12 file),
//!                      manifest.json (thumbprint, notAfter, and for each file where it goes
//!                      and its SHA-256)
//! ```
//!
//! A new set is written in full into a new generation folder, flushed to disk with its folder,
//! checked (the key is the certificate's, the PKCS#12 file holds both), and only then made the
//! committed one by renaming a new `current` over the old one: one step an interruption cannot
//! split. The files at the paths the user gave are then written from the committed generation,
//! one rename each. The manifest is the journal of that placement: a later run compares each
//! file in place with it, and a file that is missing or still holds an earlier generation's
//! contents (an interruption between two renames) is written again from the committed
//! generation, and said. A file that is neither is not written over: the run stops and names it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use picert_core::pfx::sha256_hex;
use picert_core::store::{write_all, Output};
use serde::{Deserialize, Serialize};

use crate::error::AcmeError;
use crate::Progress;

/// The suffix of a store folder, after the access edge name.
pub(crate) const STORE_SUFFIX: &str = ".picert";
/// The file naming the committed generation.
const POINTER: &str = "current";
const MANIFEST: &str = "manifest.json";
/// Generations kept: the committed one and the two before it.
const KEEP: usize = 3;

/// What a file of a set is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The chain, leaf first.
    Chain,
    /// The new private key.
    Key,
    /// The PKCS#12 file.
    Pfx,
    /// The PowerShell script that deploys the PKCS#12 file on the pool.
    Script,
}

impl Role {
    /// The file's name inside a generation folder.
    pub(crate) fn stored_name(self) -> &'static str {
        match self {
            Role::Chain => "chain.pem",
            Role::Key => "private.key",
            Role::Pfx => "bundle.pfx",
            Role::Script => "deploy.ps1",
        }
    }

    fn secret(self) -> bool {
        matches!(self, Role::Key | Role::Pfx)
    }
}

/// One file of a generation, as its manifest records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredFile {
    /// What it is.
    pub role: Role,
    /// Where it is placed (absolute).
    pub path: PathBuf,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
    /// The SHA-256 of the file it replaced at `path`, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

/// What is at the place of a file of the committed generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InPlace {
    /// The file as the generation wrote it.
    AsWritten,
    /// Nothing: a run stopped before placing it, or it was removed.
    Missing,
    /// An earlier generation's file (a run stopped between two renames, or a rollback): a run
    /// writes it again from the committed generation.
    Earlier {
        /// That generation.
        generation: u32,
    },
    /// The file the committed generation replaced (from before generations were kept): a run
    /// writes it again.
    Replaced,
    /// A file no generation wrote: a run stops rather than write over it.
    Foreign,
}

/// A generation's manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// `1`.
    pub version: u32,
    /// Its number.
    pub generation: u32,
    /// The leaf's SHA-1 thumbprint, upper-case hex.
    pub thumbprint: String,
    /// The leaf's notAfter, RFC 3339.
    pub not_after: String,
    /// Its files.
    pub files: Vec<StoredFile>,
}

/// A file of a new set: what it is, where it goes, what it holds.
pub(crate) struct NewFile<'a> {
    pub role: Role,
    pub path: &'a Path,
    pub contents: &'a [u8],
}

/// A store folder.
pub(crate) struct Store {
    pub dir: PathBuf,
}

fn generation_name(n: u32) -> String {
    format!("gen-{n:04}")
}

fn store_error(path: &Path, why: impl std::fmt::Display) -> AcmeError {
    AcmeError::Generation {
        path: path.display().to_string(),
        why: why.to_string(),
    }
}

fn io_error(path: &Path, e: &io::Error) -> AcmeError {
    store_error(path, picert_core::io_message(e))
}

/// Flushes a folder's entries (a new file, a rename) to disk. Windows has no such call for
/// folders; its renames are journaled by NTFS.
fn sync_dir(dir: &Path) -> Result<(), AcmeError> {
    #[cfg(unix)]
    {
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_error(dir, &e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl Store {
    /// The store of the set whose chain is `<out_dir>/<stem>.pem`.
    pub fn beside(out_dir: &Path, stem: &str) -> Store {
        Store {
            dir: out_dir.join(format!("{stem}{STORE_SUFFIX}")),
        }
    }

    pub fn generation_dir(&self, n: u32) -> PathBuf {
        self.dir.join(generation_name(n))
    }

    /// The number the next generation written will have: after the last one on disk.
    pub fn next_generation(&self) -> u32 {
        self.generations().last().copied().unwrap_or(0) + 1
    }

    /// The committed generation, if any.
    pub fn committed(&self) -> Result<Option<u32>, AcmeError> {
        let pointer = self.dir.join(POINTER);
        let text = match fs::read_to_string(&pointer) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(&pointer, &e)),
        };
        text.trim()
            .strip_prefix("gen-")
            .and_then(|n| n.parse().ok())
            .map(Some)
            .ok_or_else(|| store_error(&pointer, "does not name a generation (gen-NNNN)"))
    }

    /// The generations on disk, in order.
    pub fn generations(&self) -> Vec<u32> {
        let mut found: Vec<u32> = fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_prefix("gen-")?
                    .parse::<u32>()
                    .ok()
            })
            .collect();
        found.sort_unstable();
        found
    }

    pub fn manifest(&self, n: u32) -> Result<Manifest, AcmeError> {
        let path = self.generation_dir(n).join(MANIFEST);
        let bytes = fs::read(&path).map_err(|e| io_error(&path, &e))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| store_error(&path, format!("not a manifest picert reads ({e})")))
    }

    /// Writes `files` as a new generation (numbered after the last one on disk), flushed to
    /// disk, not yet committed. Generations after the committed one (written by a run stopped
    /// before its switch, or left by a rollback) are removed first, and said.
    pub fn write_generation(
        &self,
        files: &[NewFile<'_>],
        thumbprint: &str,
        not_after: &str,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(u32, Manifest), AcmeError> {
        create_private_dir(&self.dir)?;
        let n = self.next_generation();
        let on_disk = self.generations();
        let committed = self.committed()?.unwrap_or(0);
        for g in on_disk.into_iter().filter(|&g| g > committed) {
            self.discard(g);
            progress(Progress::Discarded {
                store: self.dir.display().to_string(),
                generation: g,
            });
        }
        let dir = self.generation_dir(n);
        create_private_dir(&dir)?;
        let mut stored = Vec::new();
        let mut outputs = Vec::new();
        for f in files {
            let path = std::path::absolute(f.path).map_err(|e| io_error(f.path, &e))?;
            let replaces = fs::read(&path)
                .ok()
                .map(|b| sha256_hex(&b).to_ascii_lowercase());
            stored.push(StoredFile {
                role: f.role,
                path,
                sha256: sha256_hex(f.contents).to_ascii_lowercase(),
                replaces,
            });
            outputs.push(Output {
                path: dir.join(f.role.stored_name()),
                contents: f.contents,
                secret: f.role.secret(),
            });
        }
        let manifest = Manifest {
            version: 1,
            generation: n,
            thumbprint: thumbprint.to_string(),
            not_after: not_after.to_string(),
            files: stored,
        };
        let json = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| store_error(&dir, format!("cannot write its manifest ({e})")))?;
        outputs.push(Output {
            path: dir.join(MANIFEST),
            contents: &json,
            secret: false,
        });
        let written = write_all(&outputs, false)
            .map_err(AcmeError::from)
            .and_then(|()| sync_dir(&dir))
            .and_then(|()| sync_dir(&self.dir));
        if let Err(e) = written {
            let _ = fs::remove_dir_all(&dir);
            return Err(e);
        }
        Ok((n, manifest))
    }

    /// The path of a generation's file of `role`.
    pub fn stored_path(&self, n: u32, role: Role) -> PathBuf {
        self.generation_dir(n).join(role.stored_name())
    }

    /// Removes a generation that was never committed.
    pub fn discard(&self, n: u32) {
        let _ = fs::remove_dir_all(self.generation_dir(n));
    }

    /// Makes `n` the committed generation: a new pointer written and flushed beside the old
    /// one, then renamed over it (the one atomic step), and the folder flushed.
    pub fn commit(&self, n: u32) -> Result<(), AcmeError> {
        let pointer = self.dir.join(POINTER);
        let tmp = self
            .dir
            .join(format!(".{POINTER}.{}.tmp", std::process::id()));
        let _ = fs::remove_file(&tmp);
        let written = (|| {
            use std::io::Write;
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)?;
            f.write_all(format!("{}\n", generation_name(n)).as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, &pointer)
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(io_error(&pointer, &e));
        }
        sync_dir(&self.dir)
    }

    /// Keeps the committed generation and the ones just before it; removes older ones.
    pub fn prune(&self, committed: u32) {
        let older: Vec<u32> = self
            .generations()
            .into_iter()
            .filter(|&g| g < committed)
            .collect();
        let keep_from = older.len().saturating_sub(KEEP - 1);
        for g in &older[..keep_from] {
            self.discard(*g);
        }
    }

    /// Writes one file of committed generation `n` at its place (staged, flushed, renamed;
    /// a key never readable by others), after checking it is the file the manifest recorded.
    pub fn place(&self, n: u32, file: &StoredFile) -> Result<(), AcmeError> {
        let source = self.stored_path(n, file.role);
        let bytes = fs::read(&source).map_err(|e| io_error(&source, &e))?;
        if sha256_hex(&bytes).to_ascii_lowercase() != file.sha256 {
            return Err(store_error(
                &source,
                "is not the file its manifest records (its SHA-256 differs)",
            ));
        }
        write_all(
            &[Output {
                path: file.path.clone(),
                contents: &bytes,
                secret: file.role.secret(),
            }],
            true,
        )?;
        if let Some(parent) = file.path.parent() {
            sync_dir(parent)?;
        }
        Ok(())
    }

    /// Places every file of the generation just committed, one after the other (each said with
    /// its path as given in `given`), pausing `pause` after each (a test hook that makes the
    /// moments between the renames reachable; zero otherwise).
    pub fn place_all(
        &self,
        manifest: &Manifest,
        given: &[NewFile<'_>],
        pause: Duration,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), AcmeError> {
        for file in &manifest.files {
            self.place(manifest.generation, file)?;
            let shown = given
                .iter()
                .find(|g| g.role == file.role)
                .map_or(file.path.as_path(), |g| g.path);
            progress(Progress::Placed {
                file: shown.display().to_string(),
            });
            if !pause.is_zero() {
                std::thread::sleep(pause);
            }
        }
        Ok(())
    }

    /// Compares each file of the committed generation `committed` with what is at its place:
    /// as written, missing, an earlier generation's, the file it replaced, or none of these.
    /// Reads only. A file that cannot be read is an error.
    pub fn compare(
        &self,
        committed: u32,
        manifest: &Manifest,
    ) -> Result<Vec<(StoredFile, InPlace)>, AcmeError> {
        let earlier: Vec<Manifest> = self
            .generations()
            .into_iter()
            .filter(|&g| g != committed)
            .filter_map(|g| self.manifest(g).ok())
            .collect();
        let mut found = Vec::new();
        for file in &manifest.files {
            let held = match fs::read(&file.path) {
                Ok(bytes) => sha256_hex(&bytes).to_ascii_lowercase(),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    found.push((file.clone(), InPlace::Missing));
                    continue;
                }
                Err(e) => return Err(io_error(&file.path, &e)),
            };
            let state = if held == file.sha256 {
                InPlace::AsWritten
            } else if let Some(m) = earlier.iter().find(|m| {
                m.files
                    .iter()
                    .any(|f| f.role == file.role && f.sha256 == held)
            }) {
                InPlace::Earlier {
                    generation: m.generation,
                }
            } else if file.replaces.as_ref() == Some(&held) {
                InPlace::Replaced
            } else {
                InPlace::Foreign
            };
            found.push((file.clone(), state));
        }
        Ok(found)
    }

    /// Compares the files in place with the committed generation's, and writes again from it
    /// every file that is missing or holds an earlier generation's contents.
    fn recover(&self, progress: &mut dyn FnMut(Progress)) -> Result<(), AcmeError> {
        let Some(committed) = self.committed()? else {
            return Ok(());
        };
        let store = self.dir.display().to_string();
        let manifest = self.manifest(committed)?;
        let mut repairs = Vec::new();
        for (file, state) in self.compare(committed, &manifest)? {
            let why = match state {
                InPlace::AsWritten => continue,
                InPlace::Missing => "was missing".to_string(),
                InPlace::Earlier { generation } => format!("held generation {generation}'s"),
                InPlace::Replaced => "held the file it replaced".to_string(),
                InPlace::Foreign => {
                    return Err(AcmeError::NotPlacedByPicert {
                        file: file.path.display().to_string(),
                        store,
                        generation: committed,
                    })
                }
            };
            repairs.push((file, why));
        }
        for file in &manifest.files {
            remove_staged(&file.path);
        }
        let files: Vec<String> = manifest
            .files
            .iter()
            .map(|f| f.path.display().to_string())
            .collect();
        if repairs.is_empty() {
            // A run killed after its last rename had not removed the oldest generation yet.
            self.prune(committed);
            progress(Progress::GenerationInPlace {
                store,
                generation: committed,
                thumbprint: manifest.thumbprint.clone(),
                files,
            });
            return Ok(());
        }
        for (file, _) in &repairs {
            self.place(committed, file)?;
        }
        self.prune(committed);
        progress(Progress::Repaired {
            store,
            generation: committed,
            thumbprint: manifest.thumbprint.clone(),
            files: repairs
                .iter()
                .map(|(f, why)| format!("{} {why}", f.path.display()))
                .collect(),
        });
        Ok(())
    }
}

/// Removes what a run stopped in the middle of placing `path` can leave beside it: the staged
/// new file and the hard link kept to the old one (`.NAME.picert-PID-N.tmp`, `.old`), which for
/// a key would be one more copy of a private key.
fn remove_staged(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return;
    };
    let prefix = format!(".{name}.picert-");
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        if file.starts_with(&prefix) && (file.ends_with(".tmp") || file.ends_with(".old")) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn create_private_dir(dir: &Path) -> Result<(), AcmeError> {
    if dir.is_dir() {
        return Ok(());
    }
    picert_core::store::ensure_parent(dir)?;
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| io_error(dir, &e))
}

/// Puts right every set `picert acme` placed with `out_dir` as its folder: each store folder
/// (`<access edge>.picert`) in it is compared with the files in place, and a set an
/// interruption left split (a file missing, or still an earlier generation's) is completed
/// from the committed generation. Said through `progress` either way. A file in place that no
/// generation wrote stops it ([`AcmeError::NotPlacedByPicert`]). Call it before reading
/// anything of the set in place (the certificate in service, a key to reuse).
pub fn recover(out_dir: &Path, progress: &mut dyn FnMut(Progress)) -> Result<(), AcmeError> {
    let Ok(entries) = fs::read_dir(out_dir) else {
        return Ok(());
    };
    for store in stores_in(entries) {
        store.recover(progress)?;
    }
    Ok(())
}

/// The store folders (`*.picert`) among a folder's entries, in order.
pub(crate) fn stores_in(entries: fs::ReadDir) -> Vec<Store> {
    let mut stores: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(STORE_SUFFIX))
        })
        .collect();
    stores.sort();
    stores.into_iter().map(|dir| Store { dir }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_set<'a>(paths: &'a [PathBuf; 2], chain: &'a [u8], key: &'a [u8]) -> [NewFile<'a>; 2] {
        [
            NewFile {
                role: Role::Chain,
                path: &paths[0],
                contents: chain,
            },
            NewFile {
                role: Role::Key,
                path: &paths[1],
                contents: key,
            },
        ]
    }

    fn lines(out_dir: &Path) -> Result<Vec<Progress>, AcmeError> {
        let mut seen = Vec::new();
        recover(out_dir, &mut |p| seen.push(p))?;
        Ok(seen)
    }

    #[test]
    fn a_split_set_is_completed_and_a_stranger_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let store = Store::beside(d, "edge");
        let paths = [d.join("edge.pem"), d.join("edge.key")];
        let place = |chain: &[u8], key: &[u8]| {
            let set = new_set(&paths, chain, key);
            let (n, m) = store
                .write_generation(&set, "AB", "2027-01-01T00:00:00Z", &mut |_| {})
                .unwrap();
            store.commit(n).unwrap();
            store
                .place_all(&m, &set, Duration::ZERO, &mut |_| {})
                .unwrap();
            store.prune(n);
            n
        };
        assert_eq!(place(b"chain 1", b"key 1"), 1);
        assert_eq!(place(b"chain 2", b"key 2"), 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&d.join("edge.key")), 0o600);
            assert_eq!(mode(&store.stored_path(2, Role::Key)), 0o600);
            assert_eq!(mode(&store.dir), 0o700);
        }
        assert!(matches!(
            lines(d).unwrap()[..],
            [Progress::GenerationInPlace { generation: 2, .. }]
        ));
        // Interrupted between the two renames: the key is still generation 1's, and the copy of
        // the old key a replacing rename keeps is left beside it.
        fs::write(d.join("edge.key"), b"key 1").unwrap();
        let kept = d.join(format!(".edge.key.picert-{}-7.old", std::process::id()));
        fs::write(&kept, b"key 1").unwrap();
        // Status says so and writes nothing.
        let now = picert_core::Timestamp::from_date(2026, 6, 1);
        let [ref found] = crate::status(d, now).unwrap()[..] else {
            panic!("one store")
        };
        assert_eq!(found.committed, Some(2));
        assert!(!found.whole());
        let states: Vec<InPlace> = found.files.iter().map(|f| f.state).collect();
        assert_eq!(
            states,
            [InPlace::AsWritten, InPlace::Earlier { generation: 1 }]
        );
        assert_eq!(found.to_repair().count(), 1);
        assert_eq!(fs::read(d.join("edge.key")).unwrap(), b"key 1");
        assert!(kept.exists());
        let gens: Vec<(u32, bool, Option<&str>)> = found
            .generations
            .iter()
            .map(|g| (g.generation, g.committed, g.thumbprint.as_deref()))
            .collect();
        assert_eq!(gens, [(1, false, Some("AB")), (2, true, Some("AB"))]);
        // Not certificates: said, not fatal.
        assert!(found.generations[1].problem.is_some());
        let seen = lines(d).unwrap();
        let [Progress::Repaired {
            generation: 2,
            files,
            ..
        }] = &seen[..]
        else {
            panic!("{seen:?}")
        };
        assert_eq!(
            files,
            &[format!(
                "{} held generation 1's",
                d.join("edge.key").display()
            )]
        );
        assert_eq!(fs::read(d.join("edge.key")).unwrap(), b"key 2");
        assert!(!kept.exists());
        // A file missing, and a generation never switched to (left alone).
        fs::remove_file(d.join("edge.pem")).unwrap();
        store
            .write_generation(
                &new_set(&paths, b"chain 3", b"key 3"),
                "CD",
                "2027-01-01T00:00:00Z",
                &mut |_| {},
            )
            .unwrap();
        let seen = lines(d).unwrap();
        assert!(matches!(seen[..], [Progress::Repaired { .. }]), "{seen:?}");
        assert_eq!(fs::read(d.join("edge.pem")).unwrap(), b"chain 2");
        // A key no generation wrote: not written over, named.
        fs::write(d.join("edge.key"), b"someone else's key").unwrap();
        let found = crate::status(d, now).unwrap();
        assert_eq!(found[0].foreign().count(), 1);
        let err = lines(d).unwrap_err();
        assert!(
            err.to_string().starts_with(&format!(
                "{} is not a file picert placed",
                d.join("edge.key").display()
            )),
            "{err}"
        );
        assert_eq!(fs::read(d.join("edge.key")).unwrap(), b"someone else's key");
        // Kept: the committed generation and the ones before it, up to three.
        fs::write(d.join("edge.key"), b"key 2").unwrap();
        // The next generation removes the one never switched to (and so does the one after).
        let mut removed = Vec::new();
        store
            .write_generation(
                &new_set(&paths, b"chain 4", b"key 4"),
                "EF",
                "2027-01-01T00:00:00Z",
                &mut |p| removed.push(p),
            )
            .unwrap();
        assert!(
            matches!(removed[..], [Progress::Discarded { generation: 3, .. }]),
            "{removed:?}"
        );
        place(b"chain 5", b"key 5");
        place(b"chain 6", b"key 6");
        assert_eq!(store.generations(), [2, 5, 6]);
        assert_eq!(store.committed().unwrap(), Some(6));
    }
}
