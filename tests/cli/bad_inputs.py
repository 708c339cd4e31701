#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The `cordon` command line on inputs that are not rule files: each must give a diagnostic or a
one-line error and exit 1 (tool failure) or 2 (errors in the input), never crash or hang.

  bad_inputs.py build/compiler/cordon
"""
import json
import os
import subprocess
import sys
import tempfile

failures = []


def run(cordon, args, expect_rc, expect_in_stderr, timeout=60):
    proc = subprocess.run([cordon] + args, capture_output=True, timeout=timeout)
    err = proc.stderr.decode("utf-8", "replace")
    label = " ".join(a if len(a) < 60 else a[:57] + "..." for a in args)
    if proc.returncode != expect_rc:
        failures.append(f"`cordon {label}`: exit {proc.returncode}, expected {expect_rc}\n{err}")
    elif expect_in_stderr not in err:
        failures.append(f"`cordon {label}`: stderr lacks {expect_in_stderr!r}:\n{err}")
    return proc


def main():
    cordon = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        p = lambda name: os.path.join(tmp, name)
        # Tool failures: one line, exit 1.
        r = run(cordon, ["check", p("missing.cordon")], 1, "cannot open: No such file or directory")
        if r.stderr.count(b"\n") != 1:
            failures.append("a missing file should give exactly one line")
        run(cordon, ["check", tmp], 1, "is a directory, not a rule file")
        os.mkfifo(p("fifo"))
        run(cordon, ["check", p("fifo")], 1, "is not a regular file")
        run(cordon, [], 1, "A subcommand is required")
        run(cordon, ["check"], 1, "files is required")
        run(cordon, ["--diagnostics=xml", "check", p("x")], 1, "--diagnostics")
        # A good file among bad ones still gets checked; the worst exit code wins.
        with open(p("good.cordon"), "w") as f:
            f.write("outcomes prohibited > no_license_required\n")
        run(cordon, ["check", p("good.cordon")], 0, "")
        run(cordon, ["check", p("good.cordon"), p("missing.cordon")], 1, "missing.cordon")

        # Input errors: diagnostics, exit 2.
        with open(p("big.cordon"), "wb") as f:
            f.truncate(100 * 1024 * 1024)  # sparse: 100 MB without writing it
        run(cordon, ["check", p("big.cordon")], 2, "[SourceTooLarge]")
        open(p("empty.cordon"), "w").close()
        run(cordon, ["check", p("empty.cordon")], 2, "[EmptyFile]")
        with open(p("nul.cordon"), "wb") as f:
            f.write(b"rule a\x00\n")
        run(cordon, ["check", p("nul.cordon")], 2, "[NulByte]")
        with open(p("latin1.cordon"), "wb") as f:
            f.write(b'let x = "caf\xe9"\n')
        run(cordon, ["check", p("latin1.cordon")], 2, "byte 0xE9 is not valid UTF-8 [InvalidUtf8]")
        with open(p("deep.cordon"), "w") as f:
            f.write("let x = " + "(" * 10000 + "1" + ")" * 10000 + "\n")
        run(cordon, ["check", p("deep.cordon")], 2, "[NestingTooDeep]")
        with open(p("deep_braces.cordon"), "w") as f:
            f.write("let x = " + "{" * 10000 + "\n")
        run(cordon, ["check", p("deep_braces.cordon")], 2, "[NestingTooDeep]")
        with open(p("chain.cordon"), "w") as f:
            f.write("let x = 1" + " or 1" * 200000 + "\n")
        run(cordon, ["check", p("chain.cordon")], 2, "[NestingTooDeep]")
        with open(p("many.cordon"), "w") as f:
            f.write("rule r when then x \"m\"\n" * 5000)
        r = run(cordon, ["check", p("many.cordon")], 2, "[TooManyErrors]")

        # JSON diagnostics: every line is a JSON object with a position and a kind.
        r = run(cordon, ["--diagnostics=json", "check", p("latin1.cordon"), p("deep.cordon")], 2, "")
        for line in r.stderr.decode().splitlines():
            d = json.loads(line)
            for key in ("file", "line", "column", "severity", "kind", "message"):
                if key not in d:
                    failures.append(f"JSON diagnostic lacks {key}: {line}")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
