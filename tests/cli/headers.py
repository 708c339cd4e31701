#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every policy in the repository gets a C header from `cordon compile --header`, and every
header compiles as C11 and as C++17 with -Wall -Wextra -Werror -pedantic, all in one translation
unit per language (so that their names do not collide with each other either).

  headers.py build/compiler/cordon REPO_ROOT
"""
import glob
import os
import re
import subprocess
import sys
import tempfile


def policies(root):
    yield os.path.join(root, "stdlib", "ear")
    yield from sorted(glob.glob(os.path.join(root, "stdlib", "ear", "proposed", "*.cordon")))
    yield from sorted(glob.glob(os.path.join(root, "examples", "*", "*.cordon")))
    for d in ("tests/lang", "tests/differential", "tests/runtime", "tests/cli"):
        yield from sorted(glob.glob(os.path.join(root, d, "*.cordon")))
    for f in sorted(glob.glob(os.path.join(root, "tests", "golden", "*.cordon"))):
        # A golden that is its own policy (`%s` in its ARGS), not one that only runs others.
        if not os.path.basename(f).startswith("fail_") and re.search(r"^// ARGS: (decide|test) .*%s", open(f, encoding="utf-8", errors="replace").read(), re.M):
            yield f


def main():
    cordon, root = sys.argv[1], sys.argv[2]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        headers = []
        for policy in policies(root):
            # A draft under stdlib/ear/proposed is a policy together with the stdlib.
            roots = [policy]
            if os.path.dirname(policy).endswith("proposed"):
                roots = [os.path.join(root, "stdlib", "ear"), policy]
            header = os.path.join(tmp, f"p{len(headers)}.h")
            args = [cordon, "compile"]
            for r in roots:
                args += ["--policy", r]
            proc = subprocess.run(args + ["--header", header], capture_output=True)
            if proc.returncode != 0:
                failures.append(f"{policy}: exit {proc.returncode}\n{proc.stderr.decode()}")
                continue
            headers.append((policy, header))
        for compiler, std, ext in (("cc", "-std=c11", "c"), ("c++", "-std=c++17", "cpp")):
            unit = os.path.join(tmp, f"all.{ext}")
            with open(unit, "w") as f:
                for _, header in headers:
                    f.write(f'#include "{os.path.basename(header)}"\n')
                f.write("int main(void) { return 0; }\n")
            proc = subprocess.run([compiler, std, "-Wall", "-Wextra", "-Werror", "-pedantic",
                                   "-I", tmp, "-fsyntax-only", unit], capture_output=True)
            if proc.returncode != 0:
                failures.append(f"{compiler} {std}:\n{proc.stderr.decode()[:4000]}")
        if len(headers) < 20:
            failures.append(f"only {len(headers)} policies found")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(headers)} headers, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
