#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Instructions per decision of each engine on the EAR mix, counted by callgrind.

On a noisy VM a 5% change in time is invisible between runs; the number of instructions a
decision executes is not. It is no measure of time (a cache miss costs no instruction), so
read it next to ear_bench's ratios, not instead of them.

  bench/instructions.py [--bench build/bench/ear_bench] [--names 1000] [engine ...]

Each engine runs in its own process under `valgrind --tool=callgrind`, collecting only inside
the call that decides one request; the count is the instructions collected over the number of
such calls (the decisions checked before timing and the timed ones: the same mix).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Benchmark name and the function that decides one request, for each engine.
ENGINES = {
    "hand": ("BM_EarHandWritten", "cordon::ear_bench::HandPolicy::Decide("),
    "interp": ("BM_EarInterp", "cordon::runtime::Session::Decide("),
    "jit": ("BM_EarJit", "cordon::runtime::Session::DecideStruct("),
    "aot": ("BM_EarAot", "cordon::runtime::Session::DecideStruct("),
}


def count(bench, engine, names):
    benchmark, function = ENGINES[engine]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
             f"--toggle-collect={function}*", bench,
             f"--benchmark_filter=^{benchmark}/{names}$", "--benchmark_min_time=0.01"],
            capture_output=True, text=True)
        if run.returncode != 0 or not os.path.exists(out):
            sys.exit(f"{engine}: valgrind failed ({run.returncode}):\n{run.stderr[-2000:]}")
        total = None
        calls = 0
        names_by_id = {}
        target = None  # the id of the toggled function in the output's name compression
        callee = None
        with open(out) as f:
            for line in f:
                if line.startswith("summary:") or line.startswith("totals:"):
                    total = int(line.split()[1])
                m = re.match(r"(c?fn)=\((\d+)\)(?: (.*))?", line)
                if m:
                    kind, ident, name = m.groups()
                    if name is not None:
                        names_by_id[ident] = name
                        if name.startswith(function) and target is None:
                            target = ident
                    if kind == "cfn":
                        callee = ident
                    continue
                if line.startswith("calls=") and callee is not None and callee == target:
                    calls += int(line.split("=")[1].split()[0])
        if not total or not calls:
            sys.exit(f"{engine}: no calls of {function} were collected")
        return total / calls, calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default="build/bench/ear_bench")
    parser.add_argument("--names", type=int, default=1000, choices=[1000, 10000, 100000])
    # Checked here, not with `choices`: argparse (3.11) holds an empty list, or a list default,
    # against them as one value and refuses the bare command.
    parser.add_argument("engines", nargs="*", help=f"any of {', '.join(ENGINES)} (default: all)")
    args = parser.parse_args()
    for e in args.engines:
        if e not in ENGINES:
            parser.error(f"unknown engine {e!r} (choose from {', '.join(ENGINES)})")
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"{args.bench}: not built (tools/dev setup)")
    results = {e: count(args.bench, e, args.names) for e in args.engines or list(ENGINES)}
    hand = results.get("hand")
    print(f"instructions per decision, EAR mix, {args.names} names")
    for engine, (per, calls) in results.items():
        ratio = f"  {per / hand[0]:.2f}x hand-written" if hand and engine != "hand" else ""
        print(f"  {engine:7} {per:8.0f}  ({calls} decisions){ratio}")


if __name__ == "__main__":
    main()
