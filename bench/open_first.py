#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Opening an AOT engine and deciding the first request, with two builds of libcordon in one run:
each round runs bench/open_first once per build, alternating, in a new process (so the dynamic
loader maps libcordon and what it links every time, as a host starting up does). Prints the
median of the time inside the process (dlopen to decision) and of the whole process, per build,
and their ratio.

  open_first.py --open-first build/bench/open_first --rounds 40 \\
      NAME=LIBCORDON_SO:POLICY_SO NAME=LIBCORDON_SO:POLICY_SO
"""
import argparse
import statistics
import subprocess
import sys
import time

REQUEST = ('{"as_of":"2023-03-10","kind":"export","item":{"name":"NVIDIA A100 SXM4","tpp":4992,'
           '"die_area_mm2":826,"designed_for_datacenter":true,"bidirectional_io_gbps":664},'
           '"destination_country":"CN","end_user":{"name":"IFLYTEK Co., Ltd.","country":"CN",'
           '"hq_country":"CN"},"chips":8}')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--open-first", required=True)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("builds", nargs="+", help="NAME=LIBCORDON_SO:POLICY_SO")
    args = parser.parse_args()
    builds = []
    for spec in args.builds:
        name, paths = spec.split("=", 1)
        lib, policy = paths.split(":", 1)
        builds.append((name, lib, policy))
    inside = {name: [] for name, _, _ in builds}
    whole = {name: [] for name, _, _ in builds}
    for _ in range(args.rounds + 1):  # the first round warms the page cache, and is dropped
        for name, lib, policy in builds:
            begin = time.perf_counter()
            out = subprocess.run([args.open_first, lib, policy, REQUEST], capture_output=True,
                                 text=True)
            elapsed = (time.perf_counter() - begin) * 1e6
            if out.returncode != 0:
                sys.exit(f"{name}: {out.stderr.strip()}")
            micros, outcome = out.stdout.split()
            if outcome != "prohibited":
                sys.exit(f"{name}: decided {outcome}, expected prohibited")
            inside[name].append(float(micros))
            whole[name].append(elapsed)
    for name in inside:
        inside[name] = inside[name][1:]
        whole[name] = whole[name][1:]
    first = builds[0][0]
    print(f"{'build':12} {'dlopen..decision':>18} {'whole process':>15}   (medians of {args.rounds})")
    for name, _, _ in builds:
        i, w = statistics.median(inside[name]), statistics.median(whole[name])
        print(f"{name:12} {i / 1000:15.2f} ms {w / 1000:12.2f} ms")
    for name, _, _ in builds[1:]:
        ratio_inside = statistics.median(inside[first]) / statistics.median(inside[name])
        ratio_whole = statistics.median(whole[first]) / statistics.median(whole[name])
        print(f"{first} / {name}: {ratio_inside:.1f}x (dlopen..decision), "
              f"{ratio_whole:.1f}x (whole process)")


if __name__ == "__main__":
    main()
