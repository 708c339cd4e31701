#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Decides an example's requests.jsonl with the stdlib EAR policy and compares each decision,
with the rules that fired, their outcomes and citations, against expected.jsonl.

  check_example.py --cordon BUILD/compiler/cordon --dir examples/STORY [--policy P ...] --engine E
"""
import argparse
import json
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cordon", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--policy", action="append", default=[])
    ap.add_argument("--engine", required=True)
    args = ap.parse_args()
    policies = args.policy or ["stdlib/ear"]
    cmd = [args.cordon, "decide", "--engine", args.engine]
    for p in policies:
        cmd += ["--policy", p]
    cmd.append(f"{args.dir}/requests.jsonl")
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode not in (0, 4):
        print(f"{' '.join(cmd)}: exit {run.returncode}\n{run.stderr}")
        return 1
    actual = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    expected = [json.loads(line) for line in open(f"{args.dir}/expected.jsonl") if line.strip()]
    if len(actual) != len(expected):
        print(f"{len(actual)} decisions for {len(expected)} expected")
        return 1
    failures = 0
    for i, (a, e) in enumerate(zip(actual, expected), start=1):
        got = {"decision": a["decision"],
               "reasons": [{k: r[k] for k in ("rule", "outcome", "cites")} for r in a["reasons"]]}
        want = {"decision": e["decision"], "reasons": e["reasons"]}
        if got != want or a["errors"]:
            failures += 1
            print(f"{args.dir}/requests.jsonl:{i}: {e.get('case', '')}")
            print(f"  expected: {json.dumps(want)}")
            print(f"  actual:   {json.dumps(got)}")
            for err in a["errors"]:
                print(f"  error: {err}")
    print(f"{len(expected) - failures} of {len(expected)} decisions as expected ({args.engine})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
