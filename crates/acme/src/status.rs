//! What the generations beside a set hold and whether the files in place are the committed
//! generation's, read without writing anything: the same comparison [`crate::recover`] acts
//! on, reported instead of acted on.

use std::fs;
use std::path::{Path, PathBuf};

use picert_core::Timestamp;

use crate::due::{by_lifetime, Due};
use crate::error::AcmeError;
use crate::generations::{stores_in, InPlace, Role, Store};

/// One store folder (`<access edge>.picert`) and the set it placed.
#[derive(Debug, Clone)]
pub struct StoreStatus {
    /// The store folder.
    pub dir: PathBuf,
    /// The committed generation (the one `current` names); `None` when no generation was ever
    /// switched to.
    pub committed: Option<u32>,
    /// Every generation on disk, in order.
    pub generations: Vec<GenerationStatus>,
    /// Each file of the committed generation, with what its place holds.
    pub files: Vec<FileStatus>,
}

/// One generation kept in a store.
#[derive(Debug, Clone)]
pub struct GenerationStatus {
    /// Its number (`gen-NNNN`).
    pub generation: u32,
    /// It is the committed one.
    pub committed: bool,
    /// After the committed one: written by a run stopped before its switch (or left by a
    /// rollback); never placed, and removed by the next issuance.
    pub after_committed: bool,
    /// Its certificate's SHA-1 thumbprint, upper-case hex, as its manifest records it.
    pub thumbprint: Option<String>,
    /// Its certificate's notBefore.
    pub not_before: Option<Timestamp>,
    /// Its certificate's notAfter.
    pub not_after: Option<Timestamp>,
    /// Whole days from the time asked about to its notAfter (negative once expired).
    pub days_left: Option<i64>,
    /// Whether it is due by its lifetime (a third or less left), the rule of a renewal run
    /// when the CA's renewal information is not asked.
    pub due: Option<Due>,
    /// What could not be read of it (its manifest, its chain).
    pub problem: Option<String>,
}

/// A file of the committed generation and what its place holds.
#[derive(Debug, Clone)]
pub struct FileStatus {
    /// What it is.
    pub role: Role,
    /// Where it is placed (absolute, as the manifest records it).
    pub path: PathBuf,
    /// What is there.
    pub state: InPlace,
}

impl StoreStatus {
    /// The committed generation's entry.
    pub fn committed_generation(&self) -> Option<&GenerationStatus> {
        self.generations.iter().find(|g| g.committed)
    }

    /// Every file in place is the committed generation's, as written.
    pub fn whole(&self) -> bool {
        self.committed.is_some() && self.files.iter().all(|f| f.state == InPlace::AsWritten)
    }

    /// Files in place that no generation wrote: a run stops rather than write over them.
    pub fn foreign(&self) -> impl Iterator<Item = &FileStatus> {
        self.files.iter().filter(|f| f.state == InPlace::Foreign)
    }

    /// Files a run would write again from the committed generation (missing, or an earlier
    /// set's), when no file is foreign.
    pub fn to_repair(&self) -> impl Iterator<Item = &FileStatus> {
        self.files
            .iter()
            .filter(|f| !matches!(f.state, InPlace::AsWritten | InPlace::Foreign))
    }
}

/// The state of every set `picert acme` placed with `out_dir` as its folder: each store
/// folder in it, its generations, and the files in place compared with the committed
/// generation, judged at `now` for renewal by the lifetime rule (the CA is not asked).
/// Reads only: nothing is written, repaired or removed. A folder that cannot be read, a
/// `current` that names no generation, or a committed generation whose manifest cannot be
/// read is an error.
pub fn status(out_dir: &Path, now: Timestamp) -> Result<Vec<StoreStatus>, AcmeError> {
    let entries = fs::read_dir(out_dir).map_err(|e| AcmeError::Generation {
        path: out_dir.display().to_string(),
        why: picert_core::io_message(&e),
    })?;
    stores_in(entries)
        .iter()
        .map(|s| store_status(s, now))
        .collect()
}

/// The state of the set whose chain is `chain`, when a store folder beside it (in the same
/// folder) has a committed generation that places its chain there; `None` otherwise. Reads
/// only, as [`status`].
pub fn status_of_chain(chain: &Path, now: Timestamp) -> Result<Option<StoreStatus>, AcmeError> {
    let Some(folder) = std::path::absolute(chain)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
    else {
        return Ok(None);
    };
    let Ok(entries) = fs::read_dir(&folder) else {
        return Ok(None);
    };
    let same = |a: &Path, b: &Path| match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    for store in stores_in(entries) {
        let Ok(Some(committed)) = store.committed() else {
            continue;
        };
        let Ok(manifest) = store.manifest(committed) else {
            continue;
        };
        if manifest
            .files
            .iter()
            .any(|f| f.role == Role::Chain && same(&f.path, chain))
        {
            return store_status(&store, now).map(Some);
        }
    }
    Ok(None)
}

fn store_status(store: &Store, now: Timestamp) -> Result<StoreStatus, AcmeError> {
    let committed = store.committed()?;
    let files = match committed {
        Some(n) => {
            let manifest = store.manifest(n)?;
            store
                .compare(n, &manifest)?
                .into_iter()
                .map(|(f, state)| FileStatus {
                    role: f.role,
                    path: f.path,
                    state,
                })
                .collect()
        }
        None => Vec::new(),
    };
    let generations = store
        .generations()
        .into_iter()
        .map(|n| generation_status(store, n, committed, now))
        .collect();
    Ok(StoreStatus {
        dir: store.dir.clone(),
        committed,
        generations,
        files,
    })
}

fn generation_status(
    store: &Store,
    n: u32,
    committed: Option<u32>,
    now: Timestamp,
) -> GenerationStatus {
    let mut g = GenerationStatus {
        generation: n,
        committed: committed == Some(n),
        after_committed: committed.is_none_or(|c| n > c),
        thumbprint: None,
        not_before: None,
        not_after: None,
        days_left: None,
        due: None,
        problem: None,
    };
    match store.manifest(n) {
        Ok(m) => g.thumbprint = Some(m.thumbprint),
        Err(e) => {
            g.problem = Some(e.to_string());
            return g;
        }
    }
    let chain = store.stored_path(n, Role::Chain);
    let validity = fs::read(&chain)
        .map_err(|e| picert_core::io_message(&e))
        .and_then(|bytes| {
            let (leaf, _) =
                picert_verify::renewal::read_in_service(&bytes, None).map_err(|e| e.to_string())?;
            let facts =
                picert_verify::facts::certificate_facts(&leaf).map_err(|e| e.to_string())?;
            match (facts.not_before, facts.not_after) {
                (Some(nb), Some(na)) => Ok((nb, na)),
                _ => Err("the certificate has no validity period".to_string()),
            }
        });
    match validity {
        Ok((nb, na)) => {
            g.not_before = Some(nb);
            g.not_after = Some(na);
            g.days_left = Some(now.days_until(na));
            g.due = Some(by_lifetime(nb, na, now));
        }
        Err(why) => g.problem = Some(format!("{}: {why}", chain.display())),
    }
    g
}
