//! Private-key safety under failure: a full disk, a read-only folder, a killed process. Never a
//! partial key at its destination, never a CSR without its key, never key material in output.

use std::fs;
use std::path::Path;
use std::process::Command as Std;
use std::time::Duration;

use crate::common::{contoso, picert};

/// A tiny tmpfs, where the machine allows mounting one (root in a privileged sandbox).
struct TinyFs {
    dir: tempfile::TempDir,
}

impl TinyFs {
    fn mount(size: &str) -> Option<TinyFs> {
        let dir = tempfile::tempdir().ok()?;
        let ok = Std::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(TinyFs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for TinyFs {
    fn drop(&mut self) {
        let _ = Std::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn full_disk_leaves_no_partial_key_and_no_csr() {
    let Some(fs_) = TinyFs::mount("16k") else {
        picert_tests::servers::skip("cannot mount a tmpfs here (needs root and mount rights)");
        return;
    };
    // Fill the file system so that only a few hundred bytes remain.
    let filler = fs_.path().join("filler");
    let mut size = 16 * 1024;
    while size > 0 && fs::write(&filler, vec![0u8; size]).is_err() {
        size -= 512;
    }
    let out = picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--out-dir")
        .arg(fs_.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot write") && stderr.contains("no space left"),
        "{stderr}"
    );
    let names: Vec<String> = fs::read_dir(fs_.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["filler"], "nothing but the filler is left");
}

#[test]
fn read_only_folder_leaves_nothing() {
    let Some(fs_) = TinyFs::mount("64k") else {
        picert_tests::servers::skip("cannot mount a tmpfs here (needs root and mount rights)");
        return;
    };
    let remount = Std::new("mount")
        .args(["-o", "remount,ro"])
        .arg(fs_.path())
        .status()
        .unwrap();
    assert!(remount.success());
    let out = picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--out-dir")
        .arg(fs_.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only file system"));
    assert_eq!(fs::read_dir(fs_.path()).unwrap().count(), 0);
}

/// Killed at moments spread over a run that makes an RSA-4096 key and writes it: after every
/// kill the folder holds nothing, the whole key alone, or the whole key and its CSR (never a
/// CSR without its key, never part of a key, never a temporary file under a real name). The
/// delays grow until a run finishes before its kill, so that the rounds cover every moment.
#[test]
fn killed_midway_never_leaves_a_csr_without_its_key() {
    let bin = assert_cmd::cargo::cargo_bin("picert");
    let mut seen = std::collections::BTreeSet::new();
    let mut delay = Duration::from_millis(5);
    for round in 0..40u32 {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Std::new(&bin)
            .args(["request", "--key-type", "rsa4096", "--topology"])
            .arg(contoso())
            .arg("--out-dir")
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill();
        let _ = child.wait();
        let key = dir.path().join("sip.contoso.com.key");
        let csr = dir.path().join("sip.contoso.com.csr");
        let state = match (key.exists(), csr.exists()) {
            (false, false) => "nothing",
            (true, false) => "the key alone",
            (true, true) => "the key and its CSR",
            (false, true) => panic!("round {round} ({delay:?}): a CSR without its key"),
        };
        seen.insert(state);
        if key.exists() {
            let text = fs::read_to_string(&key).unwrap();
            assert!(
                text.starts_with("-----BEGIN PRIVATE KEY-----")
                    && text.trim_end().ends_with("-----END PRIVATE KEY-----"),
                "round {round} ({delay:?}): partial key"
            );
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                assert_eq!(
                    fs::metadata(&key).unwrap().permissions().mode() & 0o777,
                    0o600,
                    "round {round}"
                );
            }
        }
        // Temporary files a kill may leave are hidden, owner-only, and never take a real name.
        for e in fs::read_dir(dir.path()).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                name.starts_with('.')
                    || name == "sip.contoso.com.key"
                    || name == "sip.contoso.com.csr",
                "round {round}: {name}"
            );
        }
        if finished {
            assert_eq!(state, "the key and its CSR", "a finished run");
            break;
        }
        delay = delay.mul_f64(1.3);
    }
    assert!(seen.contains("nothing"), "no kill came early: {seen:?}");
    assert!(
        seen.contains("the key and its CSR"),
        "no run reached its end within the rounds: {seen:?}"
    );
}

#[test]
fn key_material_never_appears_in_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--out-dir")
        .arg(dir.path())
        .args(["--csr", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let key = fs::read_to_string(dir.path().join("sip.contoso.com.key")).unwrap();
    // The first lines of an RSA PKCS#8 key hold the public modulus, which the CSR carries too;
    // from the ninth line on it is the private exponent and primes.
    let body: Vec<&str> = key
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .skip(8)
        .collect();
    assert!(body.len() > 10);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("PRIVATE KEY"));
    for line in body {
        assert!(!all.contains(line), "key material in the output");
    }
    // A refused key file is not echoed back either.
    let out = picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--key")
        .arg(dir.path().join("sip.contoso.com.key"))
        .args(["--key-type", "ecdsa-p256", "--csr", "-"])
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("MII"), "{all}");
}
