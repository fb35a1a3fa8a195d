#!/usr/bin/env python3
"""Re-run the transcripts in docs/*.md and README.md that need nothing but the repository.

A transcript is a fenced block whose first line is `$ picert ...`. A block is re-run when every
command in it is `picert audit|rules|plan|topology|expiry` (no --connect), `picert request`
with --format inf/json of a fixture key, or `echo $?`, and every file it names exists in the
repository; blocks that need servers, secrets, files made by hand, or were shortened with `...`
are left alone and counted as skipped.

    scripts/doc-transcripts.py            # report blocks whose output differs (exit 1 if any)
    scripts/doc-transcripts.py --write    # rewrite them with the output of this build
    scripts/doc-servers.sh start && scripts/doc-transcripts.py --with-servers [--write]
                                          # also the live and federation examples

The commands run from the repository root, with target/debug first on PATH, stderr merged into
stdout as a terminal shows them, and no colour (stdout is not a terminal).
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAFE = {"audit", "rules", "plan", "topology", "expiry"}
# Options whose next word is their value, not an input file.
WITH_VALUE = {
    "--at", "--fail-within", "--format", "--source", "--access-edge", "--webconf", "--sip-domain",
    "--certificate", "--pool", "--edge-pool", "--fail-on", "--warn-days", "--product", "--windows",
    "--server-name", "--extra-name", "--template", "--connect", "--dns-server", "--timeout",
}


def commands_and_outputs(lines):
    """[(command, [output lines])] of one block."""
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("$ "):
            return None
        cmd = line[2:]
        while cmd.endswith("\\") and i + 1 < len(lines):
            i += 1
            cmd = cmd[:-1] + " " + lines[i].strip()
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith("$ "):
            body.append(lines[i])
            i += 1
        out.append((cmd, body))
    return out


WITH_SERVERS = "--with-servers" in sys.argv


def runnable(cmd):
    if cmd.strip() == "echo $?":
        return True
    offline_only = r"|--connect" if not WITH_SERVERS else ""
    if re.search(r"[<>]|\|\s*(jq|tee)|--password|--client|PICERT_" + offline_only, cmd):
        return False
    try:
        words = shlex.split(cmd.split("|")[0])
    except ValueError:
        return False
    if words[:1] != ["picert"]:
        return False
    sub = [w for w in words[1:] if not w.startswith("-")][:1]
    if not sub or sub[0] not in SAFE | ({"federation"} if WITH_SERVERS else set()):
        return False
    if sub[0] in ("audit", "expiry") and "--at" not in words and "--connect" not in words:
        return False  # days counted from today: a transcript of its day
    prev = ""
    for w in words[2:]:
        value = w.split("=", 1)[-1]
        named = "/" in value or re.search(r"\.(pem|der|cer|crt|csr|p7b|pfx|p12|key|toml|tbxml|xml)$", value)
        positional = not w.startswith("-") and not (prev.startswith("--") and prev in WITH_VALUE)
        if (named or positional) and not (ROOT / value).exists() and not value.startswith("nosuch"):
            if not (sub[0] == "rules" and positional):
                return False
        prev = w
    return True


def run_block(pairs):
    env = dict(os.environ)
    env["PATH"] = f"{ROOT / 'target' / 'debug'}:{env['PATH']}"
    env.pop("NO_COLOR", None)
    script = "\n".join(
        f"printf '\\0CMD\\0\\n'; {cmd} 2>&1" if cmd.strip() != "echo $?" else "printf '\\0CMD\\0\\n'; echo $last"
        for cmd, _ in pairs
    )
    # Keep the exit status of each picert command for the `echo $?` that follows it.
    script = "\n".join(
        line if "echo $last" in line else line + "; last=${PIPESTATUS[0]}"
        for line in script.split("\n")
    )
    res = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    parts = res.stdout.split("\0CMD\0\n")[1:]
    # Each command's output as it is, blank lines included; only the newline that ends it goes.
    return [(p[:-1] if p.endswith("\n") else p).split("\n") if p else [] for p in parts]


def got_pairs(pairs, got):
    if len(got) != len(pairs):
        raise SystemExit(f"a block's commands did not all run: {pairs[0][0]}")
    return zip(pairs, got)


def main():
    write = "--write" in sys.argv
    files = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
    changed = skipped = same = 0
    for path in files:
        text = path.read_text()
        lines = text.split("\n")
        out_lines = []
        i = 0
        file_changed = False
        while i < len(lines):
            line = lines[i]
            out_lines.append(line)
            if line.startswith("```") and i + 1 < len(lines) and lines[i + 1].startswith("$ picert"):
                j = i + 1
                while not lines[j].startswith("```"):
                    j += 1
                block = lines[i + 1 : j]
                pairs = commands_and_outputs(block)
                if (
                    pairs is None
                    or not all(runnable(c) for c, _ in pairs)
                    or any(l.strip() in ("...", "…") for _, body in pairs for l in body)
                ):
                    skipped += 1
                    out_lines.extend(block)
                else:
                    got = run_block(pairs)
                    rebuilt = []
                    k = 0
                    # Each command as the block writes it (continuations kept), then its output.
                    for _, output in got_pairs(pairs, got):
                        while not block[k].startswith("$ "):
                            k += 1
                        rebuilt.append(block[k])
                        while block[k].endswith("\\"):
                            k += 1
                            rebuilt.append(block[k])
                        k += 1
                        rebuilt.extend(output)
                    lost = [
                        l for l in rebuilt
                        if ("connection refused" in l or "no TLS handshake" in l) and l not in block
                    ]
                    if lost:
                        # A server of the example is not running here: keep the transcript.
                        skipped += 1
                        print(f"{path.relative_to(ROOT)}:{i + 2}: not rewritten, a server is missing: {lost[0][:100]}")
                        out_lines.extend(block)
                    elif rebuilt != block:
                        changed += 1
                        file_changed = True
                        rel = path.relative_to(ROOT)
                        print(f"{rel}:{i + 2}: {pairs[0][0][:100]}")
                        if not write:
                            for a, b in zip(block, rebuilt):
                                if a != b:
                                    print(f"  - {a[:160]}\n  + {b[:160]}")
                                    break
                    else:
                        same += 1
                    out_lines.extend(rebuilt if write else block)
                i = j
                continue
            i += 1
        if write and file_changed:
            path.write_text("\n".join(out_lines))
    print(f"{same} transcripts current, {changed} {'rewritten' if write else 'differ'}, {skipped} not re-run here")
    return 1 if changed and not write else 0


if __name__ == "__main__":
    sys.exit(main())
