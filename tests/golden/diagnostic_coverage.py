#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fails when a diagnostic kind registered in kinds.def appears in no golden file's expected
output (as `[KindName]`), so that every diagnostic a user can see is shown somewhere.

  diagnostic_coverage.py runtime/diagnostics/kinds.def tests/golden
"""
import os
import re
import sys

# Kinds that cannot be produced from a file on disk, with the reason. Keep this empty if you can.
EXEMPT = {
    "InternalError": "a guard against checker bugs (a rule or test dropped without a diagnostic); "
    "no file should reach it",
}


def main():
    kinds_def, golden_dir = sys.argv[1], sys.argv[2]
    kinds = re.findall(r"^CORDON_DIAGNOSTIC_KIND\((\w+)\)", open(kinds_def).read(), re.M)
    seen = set()
    for name in sorted(os.listdir(golden_dir)):
        if name.endswith(".cordon"):
            text = open(os.path.join(golden_dir, name), "rb").read().decode("utf-8", "replace")
            seen.update(re.findall(r"^// CHECK:STDERR: .*\[(\w+)\]$", text, re.M))
    missing = [k for k in kinds if k not in seen and k not in EXEMPT]
    for k in missing:
        print(f"diagnostic kind {k} appears in no golden file under {golden_dir}")
    stale = [k for k in EXEMPT if k not in kinds]
    for k in stale:
        print(f"exempt kind {k} is not in {kinds_def}")
    print(f"{len(kinds) - len(missing)} of {len(kinds)} diagnostic kinds covered")
    return 1 if missing or stale else 0


if __name__ == "__main__":
    sys.exit(main())
