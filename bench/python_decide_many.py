#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`Engine.decide_many` (import cordon) against `cordon decide` on the same requests.

The EAR stories' requests (examples/*/requests.jsonl) repeated to N, decided by the stdlib EAR
policy compiled ahead of time: once as dicts through decide_many (threads=1, the dicts built
before the clock starts, the decision dicts built inside it), once as a JSON Lines file through
`cordon decide --engine aot` (its output to /dev/null), with the same .so (--library) and, for
reference, as the command is usually run, building its own .so. Not a test: prints the times
and the ratio (the target: decide_many within 3x of `cordon decide`).

  PYTHONPATH=build/runtime/python python3 bench/python_decide_many.py [-n 1000000]
"""
import argparse
import json
import pathlib
import subprocess
import tempfile
import time

import cordon

ROOT = pathlib.Path(__file__).resolve().parents[1]
STORIES = ["iflytek_cloud_rental", "sensetime_intermediary", "us_datacenter_rental"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1_000_000, help="requests (default 1,000,000)")
    ap.add_argument("--cordon", default=str(ROOT / "build" / "compiler" / "cordon"))
    args = ap.parse_args()

    lines = [line for s in STORIES
             for line in open(ROOT / "examples" / s / "requests.jsonl") if line.strip()]
    lines = (lines * (args.n // len(lines) + 1))[:args.n]
    policy = str(ROOT / "stdlib" / "ear" / "policy.cordon")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        requests_path = tmp / "requests.jsonl"
        requests_path.write_text("".join(lines))
        library = tmp / "ear.so"
        subprocess.run([args.cordon, "compile", "--policy", policy, "-o", str(library)], check=True)

        def cli(*extra):
            cmd = [args.cordon, "decide", "--policy", policy, "--engine", "aot", *extra,
                   str(requests_path)]
            start = time.perf_counter()
            run = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            seconds = time.perf_counter() - start
            if run.returncode not in (0, 4):
                raise SystemExit(f"{' '.join(cmd)}: exit {run.returncode}\n{run.stderr.decode()}")
            return seconds

        cli_library = cli("--library", str(library))
        cli_built = cli()

        engine = cordon.Engine(library=str(library))
        requests = [json.loads(line) for line in lines]
        start = time.perf_counter()
        decisions = engine.decide_many(requests, threads=1)
        python = time.perf_counter() - start
        assert len(decisions) == len(requests)
        assert decisions[0] == engine.decide(requests[0])

    n = len(lines)
    print(f"{n:,} requests (EAR stories repeated), stdlib EAR policy, AOT")
    print(f"  decide_many(threads=1)                 {python:7.3f} s  {python / n * 1e6:6.2f} us/request")
    print(f"  cordon decide --engine aot --library   {cli_library:7.3f} s  {cli_library / n * 1e6:6.2f} us/request")
    print(f"  cordon decide --engine aot (builds .so) {cli_built:6.3f} s")
    print(f"  ratio decide_many / cordon decide --library: {python / cli_library:.2f}x (target: 3x)")


if __name__ == "__main__":
    main()
