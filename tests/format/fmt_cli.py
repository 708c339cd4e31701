#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`cordon fmt` as a user meets it: files rewritten in place, --check (a diff, exit 1, nothing
written), directories, standard input, and a file with syntax errors left untouched (exit 2).

  fmt_cli.py build/compiler/cordon
"""
import os
import shutil
import subprocess
import sys
import tempfile

MESSY = """module demo
  title "a demo"

unit h   // hours

input Request {  as_of: date, kind: enum { export, iaas_access },  hours: number h, }

rule long_rental cites "draft §1" when request.kind == iaas_access and request.hours >= 72 h and request.as_of >= 2026-01-01 and request.as_of < 2027-01-01 then license_required "a long rental"
"""

FORMATTED = """module demo
  title "a demo"

unit h  // hours

input Request {
  as_of: date
  kind: enum { export, iaas_access }
  hours: number h
}

rule long_rental
  cites "draft §1"
  when request.kind == iaas_access
   and request.hours >= 72 h
   and request.as_of >= 2026-01-01
   and request.as_of < 2027-01-01
  then license_required "a long rental"
"""

BROKEN = "rule r\n  when (request.a and\n  then x \"y\"\n"


def run(cordon, *args, stdin=None):
    return subprocess.run([cordon, *args], input=stdin, capture_output=True, text=True)


def main():
    cordon = sys.argv[1]
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        messy = os.path.join(tmp, "sub", "messy.cordon")
        os.makedirs(os.path.dirname(messy))
        broken = os.path.join(tmp, "broken.cordon")
        with open(messy, "w") as f:
            f.write(MESSY)
        with open(broken, "w") as f:
            f.write(BROKEN)

        r = run(cordon, "fmt", "--check", messy)
        expect(r.returncode == 1, f"--check on an unformatted file exits 1, not {r.returncode}")
        expect(r.stdout.startswith(f"--- {messy}\n+++ {messy} (formatted)\n@@ "),
               f"--check prints a unified diff:\n{r.stdout}")
        expect("+   and request.hours >= 72 h" in r.stdout, f"the diff shows the new lines:\n{r.stdout}")
        expect(open(messy).read() == MESSY, "--check writes nothing")

        r = run(cordon, "fmt", "-", stdin=MESSY)
        expect(r.returncode == 0 and r.stdout == FORMATTED,
               f"fmt - prints the formatted text:\n{r.stdout}{r.stderr}")

        r = run(cordon, "fmt", broken)
        expect(r.returncode == 2, f"a file with syntax errors exits 2, not {r.returncode}")
        expect(f"{broken}:" in r.stderr and "error" in r.stderr,
               f"its syntax errors are printed:\n{r.stderr}")
        expect(open(broken).read() == BROKEN, "a file with syntax errors is left untouched")

        r = run(cordon, "fmt", tmp)  # a directory: its .cordon files, recursively
        expect(r.returncode == 2, f"a directory holding a broken file exits 2, not {r.returncode}")
        expect(open(messy).read() == FORMATTED, f"fmt DIR rewrites its files:\n{open(messy).read()}")
        expect(open(broken).read() == BROKEN, "fmt DIR leaves the broken file untouched")

        os.remove(broken)
        r = run(cordon, "fmt", "--check", tmp)
        expect(r.returncode == 0 and r.stdout == "", f"a formatted tree passes --check: {r.stdout}")
        mtime = os.stat(messy).st_mtime_ns
        r = run(cordon, "fmt", messy)
        expect(r.returncode == 0 and os.stat(messy).st_mtime_ns == mtime,
               "a formatted file is not rewritten")

        r = run(cordon, "fmt", os.path.join(tmp, "missing.cordon"))
        expect(r.returncode == 1 and "missing.cordon" in r.stderr,
               f"a missing file is a tool failure naming it: {r.returncode} {r.stderr}")

    for f in failures:
        print("FAIL:", f)
    print(f"{'FAILED' if failures else 'ok'}: fmt_cli")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
