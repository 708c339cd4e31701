#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`cordon lsp`: the time from a keystroke to its diagnostics (issue 27's aim: under 50 ms).

Opens a ~300-line module that imports the EAR stdlib (ear.base, ear.scope, ear.classification,
ear.country_groups), then types one character at a time (an incremental didChange each) and
measures, for each keystroke, the time from sending the change to receiving the
publishDiagnostics of that version: the whole check of the module and what it imports. Every
other keystroke is typed into a name, so half the versions have an error to report.

    python3 bench/lsp_keystroke.py [--cordon build/compiler/cordon] [--keystrokes 200]
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]

HEADER = """\
module keystroke
  title "A ~300-line module for the keystroke benchmark"

import ear.base (Item, GB, s, mm2)
import ear.scope (moves_item, reaches_d5_or_macau, d5_or_macau)
import ear.classification (is_3a090_2023)
import ear.country_groups (D1, D4, D5)

"""

BLOCK = """\
/// Threshold {i}: parts at or above it, to the groups below.
let threshold_{i}: number = {tpp}

/// Whether the item is at or above threshold {i}.
let above_{i}(x: Item): bool = x.tpp >= threshold_{i} and x.die_area_mm2 is some area and area > {area} mm2

rule keystroke_{i}
  cites "15 CFR 742.6(a)(6) (benchmark {i})"
  effective 2024-01-{day:02}
  when moves_item and above_{i}(request.item) and request.destination_country in D1 + D4 + D5
  then license_required "benchmark rule {i}: message "
  unless request.item.bidirectional_io_gbps is some io and io < {io} GB / s
    then report "benchmark rule {i}: slow interconnect"
  unless is_3a090_2023(request.item) and reaches_d5_or_macau
    then prohibited "benchmark rule {i}: D:5"

"""


def module_text():
    text = HEADER
    i = 0
    while text.count("\n") < 290:
        text += BLOCK.format(i=i, tpp=1600 + 100 * i, area=100 + i, day=1 + i % 28, io=600 + i)
        i += 1
    return text


class Lsp:
    def __init__(self, cordon):
        self.proc = subprocess.Popen([cordon, "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.next_id = 0

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self):
        headers = {}
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit("cordon lsp exited")
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode().partition(":")
            headers[name.lower()] = value.strip()
        return json.loads(self.proc.stdout.read(int(headers["content-length"])))

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == self.next_id and "method" not in message:
                return message

    def diagnostics(self, uri, version):
        while True:
            message = self.read()
            if (message.get("method") == "textDocument/publishDiagnostics"
                    and message["params"]["uri"] == uri
                    and message["params"].get("version") == version):
                return message["params"]["diagnostics"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cordon", default=str(ROOT / "build/compiler/cordon"))
    parser.add_argument("--keystrokes", type=int, default=200)
    args = parser.parse_args()

    text = module_text()
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "keystroke.cordon"
        path.write_text(text)
        uri = "file://" + str(path)
        lsp = Lsp(os.path.abspath(args.cordon))
        lsp.request("initialize", {"processId": os.getpid(), "capabilities": {}})
        lsp.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        lsp.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "cordon", "version": 1, "text": text}}})
        first = lsp.diagnostics(uri, 1)
        errors = [d for d in first if d["severity"] == 1]
        if errors:
            raise SystemExit(f"the benchmark module does not check: {errors[:3]}")

        lines = text.splitlines()
        message_line = next(n for n, line in enumerate(lines) if 'message "' in line)
        message_col = lines[message_line].index('message "') + len('message ')
        name_line = next(n for n, line in enumerate(lines) if "when moves_item" in line)
        name_col = lines[name_line].index("moves_item") + len("moves_item")
        times = []
        with_errors = 0
        for k in range(args.keystrokes):
            version = k + 2
            # Even keystrokes type into a message (still valid); odd ones into a name (an
            # unknown name, then valid again as the next one types into the message).
            if k % 2 == 0:
                line, col = message_line, message_col + k // 2
                change = {"range": {"start": {"line": line, "character": col},
                                    "end": {"line": line, "character": col}}, "text": "x"}
            else:
                line, col = name_line, name_col
                typed = (k // 2) % 2 == 0
                change = ({"range": {"start": {"line": line, "character": col},
                                     "end": {"line": line, "character": col}}, "text": "x"}
                          if typed else
                          {"range": {"start": {"line": line, "character": col},
                                     "end": {"line": line, "character": col + 1}}, "text": ""})
            start = time.perf_counter()
            lsp.send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}})
            diagnostics = lsp.diagnostics(uri, version)
            times.append((time.perf_counter() - start) * 1000)
            with_errors += any(d["severity"] == 1 for d in diagnostics)
        lsp.request("shutdown", None)
        lsp.send({"jsonrpc": "2.0", "method": "exit"})
        lsp.proc.wait(timeout=10)

    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    print(f"module: {text.count(chr(10))} lines importing 5 EAR stdlib modules")
    print(f"keystrokes: {len(times)} ({with_errors} of them left an error to report)")
    print(f"keystroke -> publishDiagnostics: median {statistics.median(times):.1f} ms, "
          f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms (aim: under 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
