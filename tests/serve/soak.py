# SPDX-License-Identifier: Apache-2.0
"""Soak test of `cordon serve` (ctest -L long, serve.soak): mixed traffic for SOAK_SECONDS (600).

Clients decide single requests and batches while the entity list is swapped every 2 s and the
policy reloaded every 10 s, with a decision log. Passes when no request failed, the log holds
exactly one line per decision served, and the server's RSS grew less than 10 % from the end of
the first minute (warm: every pool and cache filled) to the end.
"""
import json
import os
import pathlib
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from test_serve import IFLYTEK, ROOT, TOKEN, Server  # noqa: E402

SECONDS = float(os.environ.get("SOAK_SECONDS", "600"))
WARM = min(60.0, SECONDS / 5)


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def main():
    rows = (ROOT / "stdlib/ear/entities.csv").read_text()
    tables = [rows, rows + '"Soak Test Trading Ltd",,CN,entity_list,presumption of denial,'
                           '99 FR 1,2019-10-01\n']
    lines = IFLYTEK.read_text().splitlines()
    batch = "\n".join(lines * 20) + "\n"
    failures, served, counts = [], [0], {"decide": 0, "batch": 0, "swap": 0, "reload": 0}
    lock = threading.Lock()
    with tempfile.TemporaryDirectory() as tmp:
        token = pathlib.Path(tmp) / "token"
        token.write_text(TOKEN)
        log = pathlib.Path(tmp) / "log"
        s = Server("--policy", "stdlib/ear", "--admin-token-file", str(token),
                   "--decision-log", str(log), "--log-max-bytes", str(8 << 20))
        stop = threading.Event()

        def record(kind, status, headers, body):
            with lock:
                counts[kind] += 1
                if status != 200:
                    failures.append((kind, status, body[:300]))
                elif kind in ("decide", "batch"):
                    served[0] += int(headers["Cordon-Decisions"])

        def client(n):
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    if i % 10 == 0:
                        record("batch", *s.decide(batch))
                    else:
                        record("decide", *s.decide(lines[(i + n) % len(lines)]))
                except Exception as e:  # a refused or reset connection is a failure too
                    failures.append(("client", repr(e)))

        def admin():
            last_reload = time.time()
            i = 0
            while not stop.wait(2):
                i += 1
                record("swap", *s.admin("PUT", "/v1/tables/entity_list", tables[i % 2]))
                if time.time() - last_reload >= 10:
                    record("reload", *s.admin("POST", "/v1/policy", "{}"))
                    last_reload = time.time()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
        threads.append(threading.Thread(target=admin))
        for t in threads:
            t.start()
        time.sleep(WARM)
        warm_rss = rss_kib(s.proc.pid)
        time.sleep(max(0.0, SECONDS - WARM))
        end_rss = rss_kib(s.proc.pid)
        stop.set()
        for t in threads:
            t.join()
        code = s.stop()
        logged = sum(len(p.read_text().splitlines()) for p in log.glob("decisions*.jsonl"))
        files = len(list(log.glob("decisions*.jsonl")))
    growth = (end_rss - warm_rss) / warm_rss
    print(json.dumps({"seconds": SECONDS, "requests": counts, "decisions": served[0],
                      "log_lines": logged, "log_files": files, "rss_kib_warm": warm_rss,
                      "rss_kib_end": end_rss, "rss_growth": round(growth, 4),
                      "failures": len(failures), "exit": code}))
    ok = True
    if failures:
        print("FAILED requests:", failures[:10])
        ok = False
    if logged != served[0]:
        print(f"FAILED: the log has {logged} lines for {served[0]} decisions")
        ok = False
    if growth >= 0.10:
        print(f"FAILED: RSS grew {growth:.1%} ({warm_rss} -> {end_rss} KiB)")
        ok = False
    if code != 0:
        print(f"FAILED: the server exited {code}")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
