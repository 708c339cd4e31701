#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`Engine.decide_many` (import cordon) against `cordon decide` on the same requests.

The EAR stories' requests (examples/*/requests.jsonl) repeated to N, decided by the stdlib EAR
policy compiled ahead of time: once as dicts through decide_many (threads=1, the dicts built
before the clock starts, the decision dicts built inside it), once as a JSON Lines file through
`cordon decide --engine aot` (its output to /dev/null), with the same .so (--library) and, for
reference, as the command is usually run, building its own .so. Not a test: prints the times
and the ratio (the target: decide_many within 3x of `cordon decide`).

With --repeat R, the two are measured R times, alternating, and the medians compared. Each
decide_many runs in a new Python process, as the command does: a second call in the same
process would reuse the memory the first one's decisions freed, and look cheaper than a host's
first. The CPU seconds (user + system: decide_many's process, the command) are printed beside
the wall times, being less moved by other work on the machine.

  PYTHONPATH=build/runtime/python python3 bench/python_decide_many.py [-n 1000000] [--repeat 5]
"""
import argparse
import json
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import cordon

ROOT = pathlib.Path(__file__).resolve().parents[1]
STORIES = ["iflytek_cloud_rental", "sensetime_intermediary", "us_datacenter_rental"]


def requests_lines(n):
    lines = [line for s in STORIES
             for line in open(ROOT / "examples" / s / "requests.jsonl") if line.strip()]
    return (lines * (n // len(lines) + 1))[:n]


def decide_many(library, n):
    """One decide_many of n requests in this process: (wall, CPU) seconds."""
    engine = cordon.Engine(library=library)
    requests = [json.loads(line) for line in requests_lines(n)]
    start, cpu = time.perf_counter(), time.process_time()
    decisions = engine.decide_many(requests, threads=1)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert len(decisions) == len(requests)
    assert decisions[0] == engine.decide(requests[0])
    return seconds, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1_000_000, help="requests (default 1,000,000)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="measurements of each side, alternating (default 1)")
    ap.add_argument("--cordon", default=str(ROOT / "build" / "compiler" / "cordon"))
    ap.add_argument("--decide-many-of", metavar="SO", help=argparse.SUPPRESS)  # one run, inside
    args = ap.parse_args()
    if args.decide_many_of:
        print(json.dumps(decide_many(args.decide_many_of, args.n)))
        return

    lines = requests_lines(args.n)
    policy = str(ROOT / "stdlib" / "ear" / "policy.cordon")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        requests_path = tmp / "requests.jsonl"
        requests_path.write_text("".join(lines))
        library = tmp / "ear.so"
        subprocess.run([args.cordon, "compile", "--policy", policy, "-o", str(library)], check=True)

        def children_cpu():
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            return usage.ru_utime + usage.ru_stime

        def cli(*extra):
            cmd = [args.cordon, "decide", "--policy", policy, "--engine", "aot", *extra,
                   str(requests_path)]
            start, cpu = time.perf_counter(), children_cpu()
            run = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            seconds, cpu = time.perf_counter() - start, children_cpu() - cpu
            if run.returncode not in (0, 4):
                raise SystemExit(f"{' '.join(cmd)}: exit {run.returncode}\n{run.stderr.decode()}")
            return seconds, cpu

        def in_python():
            run = subprocess.run([sys.executable, __file__, "-n", str(args.n),
                                  "--decide-many-of", str(library)],
                                 stdout=subprocess.PIPE, check=True)
            return tuple(json.loads(run.stdout))

        runs = [(in_python(), cli("--library", str(library))) for _ in range(args.repeat)]
        cli_built, _ = cli()

    n = len(lines)
    median = lambda side, kind: statistics.median(run[side][kind] for run in runs)
    python, cli_library = median(0, 0), median(1, 0)
    python_cpu, cli_cpu = median(0, 1), median(1, 1)
    print(f"{n:,} requests (EAR stories repeated), stdlib EAR policy, AOT"
          + (f" (medians of {len(runs)} runs)" if len(runs) > 1 else ""))
    if len(runs) > 1:
        for i, ((p, p_cpu), (c, c_cpu)) in enumerate(runs, 1):
            print(f"  run {i}: decide_many {p:6.3f} s, cordon decide {c:6.3f} s: {p / c:.2f}x "
                  f"(CPU {p_cpu:6.3f} s, {c_cpu:6.3f} s: {p_cpu / c_cpu:.2f}x)")
    print(f"  decide_many(threads=1)                 {python:7.3f} s  {python / n * 1e6:6.2f} us/request"
          f"  (CPU {python_cpu:.3f} s)")
    print(f"  cordon decide --engine aot --library   {cli_library:7.3f} s  {cli_library / n * 1e6:6.2f} us/request"
          f"  (CPU {cli_cpu:.3f} s)")
    print(f"  cordon decide --engine aot (builds .so) {cli_built:6.3f} s")
    print(f"  ratio decide_many / cordon decide --library: {python / cli_library:.2f}x "
          f"(CPU {python_cpu / cli_cpu:.2f}x; target: 3x)")


if __name__ == "__main__":
    main()
