//! The whole job `picert acme` does: the issuance, the audit of what came back, and the files
//! the Edge needs (the chain, the key, a PKCS#12 file), written together once the certificate
//! is issued, or not at all.

use std::path::PathBuf;

use picert_core::pfx::PfxEncryption;
use picert_core::{KeySource, PrivateKey, RequestPlan};
use picert_verify::bundle::BundleInput;
use picert_verify::{Auditor, InputReport};
use zeroize::Zeroizing;

use crate::error::AcmeError;
use crate::generations::{NewFile, Role, Store};
use crate::hook::{ChallengeDns, DeployError, DeployHook};
use crate::issue::{issue, Issued};
use crate::stop;
use crate::{AcmeOptions, Progress};

/// A PKCS#12 file to write beside the chain. Its `Debug` never shows the password.
pub struct PfxOutput {
    /// Where.
    pub path: PathBuf,
    /// Its password (never empty).
    pub password: Zeroizing<String>,
    /// AES-256 / SHA-256 (Windows Server 2019 and later) or 3DES / SHA-1.
    pub encryption: PfxEncryption,
    /// The name the Windows store shows; the subject CN when absent.
    pub friendly_name: Option<String>,
}

impl std::fmt::Debug for PfxOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PfxOutput")
            .field("path", &self.path)
            .field("password", &"<redacted>")
            .field("encryption", &self.encryption)
            .field("friendly_name", &self.friendly_name)
            .finish()
    }
}

/// One run. Its `Debug` never shows the key passphrase or the PKCS#12 password.
pub struct AcmeJob<'a> {
    /// The CA and the account.
    pub options: AcmeOptions,
    /// The request (picert-core's plan, from the topology or the certificate in service).
    pub plan: RequestPlan,
    /// A new key, or one to keep.
    pub key: KeySource,
    /// The folder for `<access edge>.pem` and, for a new key, `<access edge>.key`.
    pub out_dir: PathBuf,
    /// Encrypt the new key file with this passphrase.
    pub key_passphrase: Option<&'a [u8]>,
    /// Also write a PKCS#12 file.
    pub pfx: Option<PfxOutput>,
    /// Replace files that exist.
    pub overwrite: bool,
    /// A pause after each step of putting the new set in place (the generation written, the
    /// switch, each file placed): zero, but for tests of interruptions, which need the moments
    /// between those steps to last long enough to be reached.
    pub placement_pause: std::time::Duration,
    /// Run once the new set is in place (its failure does not undo the set).
    pub deploy_hook: Option<DeployHook>,
    /// Also write, as part of each new set, the PowerShell script that imports the PKCS#12 file
    /// and assigns the certificate on the pool (as `picert bundle` writes it); needs `pfx`.
    pub deploy_script: Option<DeployScriptOutput>,
}

/// Where the deployment script goes, and the servers it deploys on.
#[derive(Debug, Clone)]
pub struct DeployScriptOutput {
    /// The script file.
    pub path: PathBuf,
    /// The Edge servers of the pool; empty: the computer the script runs on.
    pub edge_servers: Vec<String>,
}

impl std::fmt::Debug for AcmeJob<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcmeJob")
            .field("options", &self.options)
            .field("plan", &self.plan)
            .field("key", &self.key)
            .field("out_dir", &self.out_dir)
            .field("key_passphrase", &self.key_passphrase.map(|_| "<redacted>"))
            .field("pfx", &self.pfx)
            .field("overwrite", &self.overwrite)
            .field("placement_pause", &self.placement_pause)
            .field("deploy_hook", &self.deploy_hook)
            .field("deploy_script", &self.deploy_script)
            .finish()
    }
}

/// What a run produced.
#[derive(Debug)]
pub struct AcmeOutcome {
    /// What the CA issued.
    pub issued: Issued,
    /// The audit of the chain, as `picert audit` makes it.
    pub report: InputReport,
    /// The leaf's SHA-1 thumbprint, upper-case hex.
    pub thumbprint: String,
    /// The chain file written.
    pub certificate_path: PathBuf,
    /// The key file written (a new key).
    pub key_path: Option<PathBuf>,
    /// The PKCS#12 file written.
    pub pfx_path: Option<PathBuf>,
    /// The deploy hook's failure, when it ran and failed (the new set is in place all the
    /// same).
    pub deploy_failure: Option<DeployError>,
}

/// Whether an ACME CA can issue what `plan` asks for: not the client EKU PIC with AOL needs.
/// [`run`] checks it first; a caller can check before saying anything else about the plan.
pub fn check_plan(plan: &RequestPlan) -> Result<(), AcmeError> {
    if plan.profile.aol {
        return Err(AcmeError::ClientEkuUnavailable);
    }
    Ok(())
}

/// What a dry run ([`dry_run`]) got from the CA, and would have placed.
#[derive(Debug)]
pub struct DryRunOutcome {
    /// What the CA issued.
    pub issued: Issued,
    /// The directory the order was placed at: Let's Encrypt's staging directory when the job
    /// named its production one.
    pub directory: String,
    /// The audit of the chain, as `picert audit` makes it.
    pub report: InputReport,
    /// The leaf's SHA-1 thumbprint, upper-case hex.
    pub thumbprint: String,
    /// The leaf's notAfter, RFC 3339.
    pub not_after: String,
    /// Where the chain would have been placed.
    pub certificate_path: PathBuf,
    /// Where a new key would have been placed.
    pub key_path: Option<PathBuf>,
    /// Where the PKCS#12 file would have been placed.
    pub pfx_path: Option<PathBuf>,
    /// The generation folder a run would have written the set in.
    pub generation_dir: PathBuf,
}

/// The paths of a job's set, checked before anything is asked of the CA.
struct SetPaths {
    store: Store,
    certificate: PathBuf,
    key: Option<PathBuf>,
    pfx: Option<PathBuf>,
    script: Option<PathBuf>,
}

/// The plan, the outputs (none the account key or another output; none existing unless
/// replacing is allowed), then the set in place said, before the CA is contacted.
fn check_job(job: &AcmeJob<'_>, progress: &mut dyn FnMut(Progress)) -> Result<SetPaths, AcmeError> {
    check_plan(&job.plan)?;
    let stem = job.plan.file_stem().to_string();
    let certificate = job.out_dir.join(format!("{stem}.pem"));
    let generate = matches!(job.key, KeySource::Generate);
    let key = generate.then(|| job.out_dir.join(format!("{stem}.key")));
    let pfx = job.pfx.as_ref().map(|p| p.path.clone());
    let script = job.deploy_script.as_ref().map(|s| s.path.clone());
    if script.is_some() && pfx.is_none() {
        return Err(AcmeError::Setup(
            "a deployment script deploys a PKCS#12 file: ask for one too".into(),
        ));
    }
    // No output may be the account key or another output, whatever may be replaced.
    let mut files: Vec<(&'static str, &std::path::Path)> = vec![
        ("the account key", job.options.account_key.as_path()),
        ("the certificate chain", certificate.as_path()),
    ];
    if let Some(k) = &key {
        files.push(("the certificate key", k.as_path()));
    }
    if let Some(p) = &pfx {
        files.push(("the PKCS#12 file", p.as_path()));
    }
    if let Some(s) = &script {
        files.push(("the deployment script", s.as_path()));
    }
    crate::paths::check_distinct(&files)?;
    if !job.overwrite {
        for path in std::iter::once(&certificate)
            .chain(key.iter())
            .chain(pfx.iter())
            .chain(script.iter())
        {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(picert_core::Error::Exists(path.display().to_string()).into());
            }
        }
    }
    let paths = SetPaths {
        store: Store::beside(&job.out_dir, &stem),
        certificate,
        key,
        pfx,
        script,
    };
    // The set in place, before it is replaced: does it belong together?
    let kept = match &job.key {
        KeySource::Existing(k) => Some(k),
        KeySource::Generate => None,
    };
    say_set(job, &paths, false, kept, progress);
    // Found before the order, so that a typo leaves no pending order.
    if let Some(hook) = &job.deploy_hook {
        hook.check()?;
    }
    Ok(paths)
}

/// Says whether the set at the job's paths belongs together (nothing when no chain is there).
fn say_set(
    job: &AcmeJob<'_>,
    paths: &SetPaths,
    new: bool,
    kept: Option<&PrivateKey>,
    progress: &mut dyn FnMut(Progress),
) {
    let set = crate::inplace::SetFiles {
        chain: &paths.certificate,
        key_file: paths.key.as_deref().map(|p| (p, job.key_passphrase)),
        kept_key: kept,
        pfx: job
            .pfx
            .as_ref()
            .map(|p| (p.path.as_path(), p.password.as_str())),
    };
    if let Some(checked) = crate::inplace::check(&set) {
        progress(match checked {
            Ok(files) => Progress::SetInPlace {
                new,
                files,
                mismatch: None,
            },
            Err(why) => Progress::SetInPlace {
                new,
                files: Vec::new(),
                mismatch: Some(why),
            },
        });
    }
}

/// A new set as the CA issued it, audited, in memory: nothing of it is written yet.
struct NewSet {
    issued: Issued,
    bundle: picert_verify::bundle::PreparedBundle,
    key: PrivateKey,
    key_pem: Option<Zeroizing<String>>,
    pfx: Option<Zeroizing<Vec<u8>>>,
    script: Option<Vec<u8>>,
    not_after: String,
}

impl NewSet {
    fn files<'a>(&'a self, paths: &'a SetPaths) -> Vec<NewFile<'a>> {
        let mut files = vec![NewFile {
            role: Role::Chain,
            path: &paths.certificate,
            contents: self.issued.chain_pem.as_bytes(),
        }];
        if let (Some(path), Some(pem)) = (&paths.key, &self.key_pem) {
            files.push(NewFile {
                role: Role::Key,
                path,
                contents: pem.as_bytes(),
            });
        }
        if let (Some(path), Some(bytes)) = (&paths.pfx, &self.pfx) {
            files.push(NewFile {
                role: Role::Pfx,
                path,
                contents: bytes,
            });
        }
        if let (Some(path), Some(bytes)) = (&paths.script, &self.script) {
            files.push(NewFile {
                role: Role::Script,
                path,
                contents: bytes,
            });
        }
        files
    }
}

/// The order, the challenges through `dns`, the certificate, its audit (at the moment it
/// arrives), and the files of the set made in memory.
fn obtain(
    job: &AcmeJob<'_>,
    options: &AcmeOptions,
    key: PrivateKey,
    paths: &SetPaths,
    auditor: &Auditor,
    dns: &dyn ChallengeDns,
    progress: &mut dyn FnMut(Progress),
) -> Result<NewSet, AcmeError> {
    dns.check()?;
    let issued = issue(options, &job.plan, &key, dns, progress)?;
    let label = paths.certificate.display().to_string();
    // The certificate is audited as it arrives: at the current time, whatever time the
    // auditor was made for (the CA's notBefore may be this very second).
    let auditor = auditor.clone().at(picert_core::Timestamp::now());
    let bundle = auditor
        .prepare_bundle(&BundleInput {
            certificates: &issued.chain,
            extra: &[],
            key: &key,
            include_root: false,
            label: &label,
        })
        .map_err(|e| AcmeError::Ca(format!("the certificate the CA issued: {e}")))?;
    let key_pem = match &paths.key {
        Some(_) => Some(key.to_pem(job.key_passphrase)?),
        None => None,
    };
    let pfx = match &job.pfx {
        Some(p) => Some(bundle.to_pfx(
            &key,
            &p.password,
            p.encryption,
            &bundle.friendly_name(p.friendly_name.as_deref()),
        )?),
        None => None,
    };
    let not_after = bundle
        .report
        .not_after
        .map(|t| t.to_string())
        .unwrap_or_default();
    // The script names the PKCS#12 file as placed, and looks for it in its own folder.
    let script = match (&job.deploy_script, &paths.pfx) {
        (Some(s), Some(pfx)) => Some(
            picert_verify::deploy::DeployScript {
                bundle: &bundle,
                pfx_file_name: &pfx
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                edge_servers: &s.edge_servers,
                made: picert_core::Timestamp::now(),
            }
            .render(),
        ),
        _ => None,
    };
    Ok(NewSet {
        issued,
        bundle,
        key,
        key_pem,
        pfx,
        script,
        not_after,
    })
}

/// Issues, audits (at the moment the certificate arrives, with the auditor's trust store and
/// expectations) and writes: the new set as a new generation beside the chain
/// (`<access edge>.picert/`), checked, switched to in one step, then placed at the paths
/// given (call [`crate::recover`] first, before reading anything of the set in place). An
/// output that is the account key or another output (the same path, a symbolic or hard link)
/// stops the run before the CA is contacted, even with `overwrite` ([`AcmeError::SameFile`]);
/// so do existing files unless `overwrite` is set; nothing is written unless a certificate
/// was issued.
pub fn run(
    mut job: AcmeJob<'_>,
    auditor: &Auditor,
    dns: &dyn ChallengeDns,
    progress: &mut dyn FnMut(Progress),
) -> Result<AcmeOutcome, AcmeError> {
    let paths = check_job(&job, progress)?;
    let generate = matches!(job.key, KeySource::Generate);
    let key = match std::mem::replace(&mut job.key, KeySource::Generate) {
        KeySource::Generate => PrivateKey::generate(job.plan.profile.key_type)?,
        KeySource::Existing(k) => k,
    };
    let set = obtain(&job, &job.options, key, &paths, auditor, dns, progress)?;
    let files = set.files(&paths);
    let generation_dir = place_new_set(
        &Placement {
            options: &job.options,
            key_passphrase: job.key_passphrase,
            pfx: job.pfx.as_ref(),
            pause: job.placement_pause,
        },
        &paths.store,
        &files,
        &set.bundle.thumbprint,
        &set.not_after,
        (!generate).then_some(&set.key),
        progress,
    )?;
    say_set(
        &job,
        &paths,
        true,
        (!generate).then_some(&set.key),
        progress,
    );
    let NewSet {
        issued,
        bundle,
        not_after,
        ..
    } = set;
    let certificate_path = paths.certificate;
    let key_path = paths.key;
    let pfx_path = paths.pfx;
    let deploy_failure = match &job.deploy_hook {
        Some(hook) => {
            let mut env = vec![
                ("PICERT_DEPLOY_CERTIFICATE", absolute(&certificate_path)),
                ("PICERT_DEPLOY_THUMBPRINT", bundle.thumbprint.clone()),
                ("PICERT_DEPLOY_NOT_AFTER", not_after.clone()),
                ("PICERT_DEPLOY_GENERATION", absolute(&generation_dir)),
            ];
            if let Some(k) = &key_path {
                env.push(("PICERT_DEPLOY_KEY", absolute(k)));
            }
            if let Some(p) = &pfx_path {
                env.push(("PICERT_DEPLOY_PFX", absolute(p)));
            }
            match hook.run(&env) {
                Ok(()) => {
                    progress(Progress::Deployed {
                        program: hook.program.display().to_string(),
                    });
                    None
                }
                Err(e) => Some(e),
            }
        }
        None => None,
    };
    if stop::asked(&job.options) {
        return Err(AcmeError::Interrupted(format!(
            "after the new set was put in place (thumbprint {}): it is in place in full",
            bundle.thumbprint
        )));
    }
    Ok(AcmeOutcome {
        thumbprint: bundle.thumbprint.clone(),
        report: bundle.report,
        issued,
        certificate_path,
        key_path,
        pfx_path,
        deploy_failure,
    })
}

/// A rehearsal of [`run`]: the same checks, a real order (at Let's Encrypt's staging
/// directory when the job names its production one; else at the job's directory), the
/// challenges through `dns`, the certificate and its audit, and the set made in memory; but
/// nothing of the set is written: no generation, no switch, no file at the paths given, no
/// deploy hook run. The one file it may write is the account key, when the key file is
/// missing and the CA opens a new account for it ([`Progress::Account`] says `created`).
pub fn dry_run(
    mut job: AcmeJob<'_>,
    auditor: &Auditor,
    dns: &dyn ChallengeDns,
    progress: &mut dyn FnMut(Progress),
) -> Result<DryRunOutcome, AcmeError> {
    job.options.directory = dry_run_directory(&job.options.directory);
    let paths = check_job(&job, progress)?;
    let key = match std::mem::replace(&mut job.key, KeySource::Generate) {
        KeySource::Generate => PrivateKey::generate(job.plan.profile.key_type)?,
        KeySource::Existing(k) => k,
    };
    let set = obtain(&job, &job.options, key, &paths, auditor, dns, progress)?;
    let generation_dir = paths.store.generation_dir(paths.store.next_generation());
    Ok(DryRunOutcome {
        directory: job.options.directory.clone(),
        thumbprint: set.bundle.thumbprint.clone(),
        not_after: set.not_after,
        report: set.bundle.report,
        issued: set.issued,
        certificate_path: paths.certificate,
        key_path: paths.key,
        pfx_path: paths.pfx,
        generation_dir,
    })
}

/// Where a dry run orders: Let's Encrypt's staging directory for its production one (the
/// same rules, far higher rate limits), else the directory given.
fn dry_run_directory(directory: &str) -> String {
    if directory == crate::LETS_ENCRYPT {
        crate::LETS_ENCRYPT_STAGING.to_string()
    } else {
        directory.to_string()
    }
}

fn absolute(path: &std::path::Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// Writes `files` as a new generation, checks that it belongs together, switches to it, and
/// places its files. An interruption before the switch removes the generation and leaves the
/// set in place as it was; one after it waits for every file to be placed.
/// What putting a new set in place needs of the job.
struct Placement<'a> {
    options: &'a AcmeOptions,
    key_passphrase: Option<&'a [u8]>,
    pfx: Option<&'a PfxOutput>,
    pause: std::time::Duration,
}

fn place_new_set(
    job: &Placement<'_>,
    store: &Store,
    files: &[NewFile<'_>],
    thumbprint: &str,
    not_after: &str,
    kept: Option<&PrivateKey>,
    progress: &mut dyn FnMut(Progress),
) -> Result<PathBuf, AcmeError> {
    let pause = || {
        if !job.pause.is_zero() {
            std::thread::sleep(job.pause);
        }
    };
    let (n, manifest) = store.write_generation(files, thumbprint, not_after, progress)?;
    let generation_dir = store.stored_path(n, Role::Chain);
    let generation_dir = generation_dir.parent().unwrap_or(&store.dir).to_path_buf();
    // The generation's own files belong together before anything is switched to them.
    let has = |role| files.iter().any(|f| f.role == role);
    let (chain, key, pfx) = (
        store.stored_path(n, Role::Chain),
        store.stored_path(n, Role::Key),
        store.stored_path(n, Role::Pfx),
    );
    let set = crate::inplace::SetFiles {
        chain: &chain,
        key_file: has(Role::Key).then_some((key.as_path(), job.key_passphrase)),
        kept_key: kept,
        pfx: job
            .pfx
            .as_ref()
            .filter(|_| has(Role::Pfx))
            .map(|p| (pfx.as_path(), p.password.as_str())),
    };
    if let Some(Err(why)) = crate::inplace::check(&set) {
        store.discard(n);
        return Err(AcmeError::Generation {
            path: generation_dir.display().to_string(),
            why: format!("the new set does not belong together ({why})"),
        });
    }
    progress(Progress::GenerationWritten {
        dir: generation_dir.display().to_string(),
    });
    pause();
    if stop::asked(job.options) {
        store.discard(n);
        return Err(AcmeError::Interrupted(format!(
            "before the switch to the new set (thumbprint {thumbprint}): the set in place is as it was, and the new generation was removed"
        )));
    }
    store.commit(n)?;
    progress(Progress::Switched {
        store: store.dir.display().to_string(),
        generation: n,
    });
    pause();
    // From here on, a signal waits: every file is placed before the run stops.
    store
        .place_all(&manifest, files, job.pause, progress)
        .map_err(|e| AcmeError::Generation {
            path: store.dir.display().to_string(),
            why: format!(
                "switched to generation {n}, but not every file could be placed ({e}); the next run places the rest"
            ),
        })?;
    store.prune(n);
    Ok(generation_dir)
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn a_dry_run_at_lets_encrypt_orders_at_its_staging_directory() {
        let production = AcmeOptions::new("letsencrypt", "k".into()).directory;
        assert_eq!(dry_run_directory(&production), crate::LETS_ENCRYPT_STAGING);
        assert_eq!(
            dry_run_directory(crate::LETS_ENCRYPT_STAGING),
            crate::LETS_ENCRYPT_STAGING
        );
        assert_eq!(
            dry_run_directory("https://127.0.0.1:14000/dir"),
            "https://127.0.0.1:14000/dir"
        );
    }

    #[test]
    fn debug_shows_no_password_or_passphrase() {
        let pfx = PfxOutput {
            path: "edge.pfx".into(),
            password: Zeroizing::new("pfx-secret-1".into()),
            encryption: PfxEncryption::Modern,
            friendly_name: None,
        };
        let topology = picert_core::Topology::from_toml(
            "access_edge = \"sip.contoso.com\"\nsip_domains = [\"contoso.com\"]\n",
            "t.toml",
        )
        .unwrap();
        let job = AcmeJob {
            options: AcmeOptions::new("https://acme.invalid/directory", "account.key".into()),
            plan: picert_core::plan_request(topology, None, None).unwrap(),
            key: KeySource::Generate,
            out_dir: ".".into(),
            key_passphrase: Some(b"key-secret-2"),
            pfx: Some(pfx),
            overwrite: false,
            placement_pause: std::time::Duration::ZERO,
            deploy_hook: None,
            deploy_script: None,
        };
        let shown = format!("{job:?}");
        assert!(
            shown.contains("edge.pfx") && shown.contains("<redacted>"),
            "{shown}"
        );
        for secret in ["pfx-secret-1", "key-secret-2", "107, 101, 121"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}
