#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Golden-file tests: a .cordon file carries the expected output of a cordon command inline.

The command is `cordon check FILE` for files named fail_*.cordon and `cordon parse --dump-ast FILE`
otherwise, unless a line `// ARGS: ...` gives the arguments (`%s` is the file). The expectation is
the block of `// CHECK:` lines at the end of the file: the exit code, then stdout, then stderr.
A file is named fail_* exactly when cordon reports errors for it.

  run_golden.py --cordon build/compiler/cordon tests/golden/*.cordon
  run_golden.py --cordon build/compiler/cordon --autoupdate tests/golden/*.cordon   # rewrite
"""
import argparse
import difflib
import os
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = b"// CHECK:"


def expected_block(rc, out, err):
    block = [b"// CHECK:EXIT: %d" % rc]
    for tag, stream in ((b"STDOUT", out), (b"STDERR", err)):
        for line in stream.split(b"\n")[:-1] if stream.endswith(b"\n") else stream.split(b"\n"):
            if stream == b"":
                break
            block.append(CHECK + tag + (b": " + line if line else b":"))
    return block


def run_one(cordon, path, autoupdate, engine=None):
    rel = os.path.relpath(os.path.abspath(path), ROOT)
    name = os.path.basename(path)
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    args = None
    for line in lines:
        if line.startswith(b"// ARGS:"):
            args = line[len(b"// ARGS:"):].decode().strip()
    if args is None:
        args = "check %s" if name.startswith("fail_") else "parse --dump-ast %s"
    cmd = [cordon] + [a.replace("%s", rel) for a in shlex.split(args)]
    # --engine: the same expectations through another engine (decide and test only).
    if engine and len(cmd) > 1 and cmd[1] in ("decide", "test"):
        cmd[2:2] = ["--engine", engine]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        print(f"{rel}: FAIL: `{' '.join(cmd)}` did not finish within 120 s")
        return False
    actual = expected_block(proc.returncode, proc.stdout, proc.stderr)
    expected = [l for l in lines if l.startswith(CHECK)]

    problems = []
    if proc.returncode < 0 or proc.returncode > 4:
        problems.append(f"cordon exited with {proc.returncode} (a crash or an unexpected exit code)")
    # Console diagnostics contain ": error: "; --diagnostics=json ones contain "severity":"error".
    has_errors = b": error: " in proc.stderr or b'"severity":"error"' in proc.stderr
    if name.startswith("fail_") != has_errors:
        problems.append("a file is named fail_* exactly when cordon reports errors for it "
                        f"(errors reported: {has_errors})")
    if actual != expected:
        if autoupdate:
            body = [l for l in lines if not l.startswith(CHECK)]
            while body and body[-1] == b"":
                body.pop()
            with open(path, "wb") as f:
                f.write(b"\n".join(body + [b""] + actual) + b"\n")
            print(f"{rel}: updated")
        else:
            diff = difflib.unified_diff(
                [l.decode("utf-8", "replace") for l in expected],
                [l.decode("utf-8", "replace") for l in actual],
                "expected", "actual", lineterm="")
            problems.append("output differs from the CHECK lines:\n" + "\n".join(diff))
    for p in problems:
        print(f"{rel}: FAIL: {p}")
    if problems:
        print(f"  command: (cd {ROOT} && {' '.join(shlex.quote(c) for c in cmd)})")
        print(f"  to accept the new output: tools/dev update-goldens {rel}")
    return not problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cordon", required=True)
    ap.add_argument("--autoupdate", action="store_true")
    ap.add_argument("--engine", choices=["interp", "jit", "aot"])
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    cordon = os.path.abspath(a.cordon)
    ok = all([run_one(cordon, f, a.autoupdate, a.engine) for f in a.files])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
