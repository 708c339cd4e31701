# SPDX-License-Identifier: Apache-2.0
"""`cordon serve` end to end: each endpoint, its bad inputs, the decision log, reloads, drain.

Run by ctest (serve.http); alone: CORDON_CLI=build/compiler/cordon python3 -m pytest tests/serve
"""
import http.client
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORDON = os.path.abspath(os.environ.get("CORDON_CLI", str(ROOT / "build/compiler/cordon")))
STORIES = sorted(ROOT.glob("examples/*/requests.jsonl"))
IFLYTEK = ROOT / "examples/iflytek_cloud_rental/requests.jsonl"
DRAFT = ROOT / "examples/drafts/iaas_rental.cordon"
TOKEN = "a-long-enough-admin-token-0123"


class Server:
    """`cordon serve ARGS` on a free port; stop() sends SIGTERM and returns the exit code."""

    def __init__(self, *args, cwd=ROOT):
        self.proc = subprocess.Popen([CORDON, "serve", "--listen", "127.0.0.1:0", *args],
                                     cwd=cwd, stderr=subprocess.PIPE, text=True)
        self.stderr = []
        first = self.proc.stderr.readline()
        self.stderr.append(first)
        m = re.match(r"cordon serve: listening on http://127\.0\.0\.1:(\d+)$", first.strip())
        if not m:
            rest = self.proc.stderr.read()
            self.proc.wait(timeout=10)
            raise AssertionError(f"the server did not start: {first}{rest}")
        self.port = int(m.group(1))
        self.reader = threading.Thread(target=self._drain_stderr, daemon=True)
        self.reader.start()

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line)

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        if isinstance(body, str):
            body = body.encode()
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        data = res.read().decode()
        conn.close()
        return res.status, dict(res.getheaders()), data

    def decide(self, body, query=""):
        return self.request("POST", "/v1/decide" + query, body)

    def admin(self, method, path, body=None, token=TOKEN):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.request(method, path, body, headers)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=30)
        self.reader.join(timeout=5)
        return code

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            assert self.stop() == 0, "".join(self.stderr)


def cli_decide(path, *policy):
    policy = policy or ("stdlib/ear",)
    args = [CORDON, "decide"]
    for p in policy:
        args += ["--policy", str(p)]
    out = subprocess.run(args + [str(path)], cwd=ROOT, capture_output=True, text=True)
    return out.stdout


@pytest.fixture
def token_file(tmp_path):
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    return str(path)


def test_single_and_batch_answers_are_cordon_decides():
    with Server("--policy", "stdlib/ear") as s:
        for story in STORIES:
            expected = cli_decide(story)
            status, headers, body = s.decide(story.read_text())
            assert status == 200
            assert body == expected, story
            assert headers["Content-Type"] == "application/x-ndjson"
            assert headers["Cordon-Decisions"] == str(len(expected.splitlines()))
            first = story.read_text().splitlines()[0]
            status, headers, body = s.decide(first)
            assert status == 200 and headers["Content-Type"] == "application/json"
            assert body == expected.splitlines()[0] + "\n"


def test_one_request_written_over_several_lines():
    request = json.loads(IFLYTEK.read_text().splitlines()[0])
    with Server("--policy", "stdlib/ear") as s:
        status, headers, body = s.decide(json.dumps(request, indent=2))
        assert status == 200 and headers["Cordon-Decisions"] == "1"
        assert body == cli_decide(IFLYTEK).splitlines()[0] + "\n"


def test_malformed_lines_are_error_decisions_and_counted():
    good = IFLYTEK.read_text().splitlines()[0]
    batch = "\n".join([good, '{"kind": 3}', "", '{"truncated": ', good]) + "\n"
    with Server("--policy", "stdlib/ear") as s:
        status, headers, body = s.decide(batch)
        assert status == 200
        lines = [json.loads(l) for l in body.splitlines()]
        assert [l["decision"] for l in lines] == [
            lines[0]["decision"], "error", "error", "error", lines[0]["decision"]]
        assert lines[0]["decision"] != "error"
        assert headers["Cordon-Malformed"] == "3" and headers["Cordon-Errors"] == "3"
        assert "blank line" in lines[2]["errors"][0]
        _, _, metrics = s.request("GET", "/metrics")
        assert "cordon_malformed_requests_total 3" in metrics
        assert 'cordon_decisions_total{outcome="error"} 3' in metrics


def test_bad_bodies_methods_and_paths():
    with Server("--policy", "stdlib/ear", "--max-body-bytes", "4096") as s:
        for body in ["", "   \n", "hello", "[1, 2]", "\x00\x01"]:
            status, _, text = s.decide(body)
            assert status == 400, body
            assert "not JSON" in json.loads(text)["error"]
        status, _, text = s.decide("{" + " " * 5000 + "}")
        assert status == 413 and "max-body-bytes" in json.loads(text)["error"]
        status, headers, text = s.request("GET", "/v1/decide")
        assert status == 405 and headers["Allow"] == "POST"
        status, _, _ = s.request("DELETE", "/v1/policy")
        assert status == 405
        status, _, text = s.request("GET", "/nowhere")
        assert status == 404 and "no such endpoint" in text
        status, _, text = s.decide("{}", "?as_of=2024-13-01")
        assert status == 400 and "not a date" in text
        # The server is still well after all of that.
        status, _, body = s.decide(IFLYTEK.read_text())
        assert status == 200 and body == cli_decide(IFLYTEK)


def test_explain_and_as_of():
    first = IFLYTEK.read_text().splitlines()[0]
    with Server("--policy", "stdlib/ear") as s:
        status, _, body = s.decide(first, "?explain=true")
        line = json.loads(body)
        assert status == 200 and "explain" in line
        _, _, body = s.decide(first, "?as_of=2019-01-02")
        assert json.loads(body)["decision"]


def test_policy_description():
    with Server("--policy", "stdlib/ear") as s:
        status, _, body = s.request("GET", "/v1/policy")
        policy = json.loads(body)
        assert status == 200
        assert re.fullmatch(r"[0-9a-f]{16}", policy["policy_hash"])
        assert policy["reviewed"]
        rules = {r["rule"]: r for r in policy["rules"]}
        assert rules["entity_list_party"]["cites"].startswith("15 CFR 744.11")
        tables = {t["table"]: t for t in policy["tables"]}
        assert tables["entity_list"]["extern"] and tables["entity_list"]["rows"] > 0
        _, _, health = s.request("GET", "/healthz")
        assert json.loads(health)["policy_hash"] == policy["policy_hash"]


def test_admin_endpoints_need_the_token(token_file):
    with Server("--policy", "stdlib/ear") as s:
        status, _, text = s.admin("PUT", "/v1/tables/entity_list", "name\n")
        assert status == 403 and "admin-token-file" in text
        status, _, _ = s.admin("POST", "/v1/policy", "{}")
        assert status == 403
    with Server("--policy", "stdlib/ear", "--admin-token-file", token_file) as s:
        for token in [None, "wrong", TOKEN + "x", TOKEN[:-1]]:
            status, headers, _ = s.admin("PUT", "/v1/tables/entity_list", "x", token=token)
            assert status == 401 and headers["WWW-Authenticate"] == "Bearer"


def test_table_swap_while_deciding(token_file):
    acme = IFLYTEK.read_text().splitlines()[4].replace("IFLYTEK Co., Ltd.", "Acme Widgets Ltd")
    rows = (ROOT / "stdlib/ear/entities.csv").read_text()
    extra = '"Acme Widgets Ltd",,CN,entity_list,presumption of denial,99 FR 12345,2019-10-01\n'
    with Server("--policy", "stdlib/ear", "--admin-token-file", token_file) as s:
        assert json.loads(s.decide(acme)[2])["decision"] == "no_license_required"
        stop = threading.Event()
        failures = []

        def hammer():
            while not stop.is_set():
                status, _, body = s.decide(acme)
                if status != 200 or json.loads(body)["decision"] not in (
                        "no_license_required", "prohibited"):
                    failures.append((status, body))

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        status, _, body = s.admin("PUT", "/v1/tables/entity_list", rows + extra)
        stop.set()
        for t in threads:
            t.join()
        assert status == 200, body
        assert json.loads(body)["rows"] == len(rows.splitlines())  # header out, Acme in
        assert not failures
        line = json.loads(s.decide(acme)[2])
        assert line["decision"] == "prohibited"
        assert line["reasons"][0]["rule"] == "entity_list_party"

        # A broken row: refused with where, and the rows in force stay.
        status, _, body = s.admin("PUT", "/v1/tables/entity_list",
                                  rows + '"Bad Row Ltd",,ZZ,entity_list,x,1 FR 1,2019-13-45\n')
        assert status == 422
        assert re.search(r"PUT /v1/tables/entity_list:\d+:\d+", json.loads(body)["error"])
        assert json.loads(s.decide(acme)[2])["decision"] == "prohibited"
        status, _, body = s.admin("PUT", "/v1/tables/no_such_table", rows)
        assert status == 404 and "no table `no_such_table`" in body
        _, _, metrics = s.request("GET", "/metrics")
        assert 'cordon_table_swaps_total{result="ok"} 1' in metrics
        assert 'cordon_table_swaps_total{result="failed"} 2' in metrics
        assert re.search(r'cordon_table_rows\{table="entity_list",hash="[0-9a-f]{16}"\} \d+',
                         metrics)


def test_policy_load_swap_and_refusals(token_file, tmp_path):
    rentals = IFLYTEK.read_text()
    with Server("--policy", "stdlib/ear", "--admin-token-file", token_file) as s:
        before = json.loads(s.request("GET", "/v1/policy")[2])["policy_hash"]
        assert s.decide(rentals)[2] == cli_decide(IFLYTEK)
        body = json.dumps({"policy": ["stdlib/ear", str(DRAFT)]})
        status, _, text = s.admin("POST", "/v1/policy", body)
        assert status == 200, text
        answer = json.loads(text)
        assert answer["previous_hash"] == before and answer["policy_hash"] != before
        assert s.decide(rentals)[2] == cli_decide(IFLYTEK, "stdlib/ear", DRAFT)

        broken = tmp_path / "broken.cordon"
        broken.write_text("module broken\nrule r when nope > 1 then prohibited\n")
        corrupt = tmp_path / "corrupt.so"
        corrupt.write_bytes(b"\x7fELF not really")
        for bad, where in [({"policy": [str(broken)]}, "broken.cordon:2:"),
                           ({"library": str(corrupt), "engine": "aot"}, "corrupt.so"),
                           ({"policy": [str(tmp_path / "missing.cordon")]}, "missing.cordon")]:
            status, _, text = s.admin("POST", "/v1/policy", json.dumps(bad))
            assert status == 422, text
            assert "kept" in text and where in text
        for bad in ["[1]", '{"policy": "x"}', '{"colour": 1}', '{"engine": "fast"}']:
            status, _, _ = s.admin("POST", "/v1/policy", bad)
            assert status == 400, bad
        # Still the policy loaded last.
        assert s.decide(rentals)[2] == cli_decide(IFLYTEK, "stdlib/ear", DRAFT)
        # {} reloads the policy in force from disk.
        status, _, text = s.admin("POST", "/v1/policy", "{}")
        assert status == 200 and json.loads(text)["policy_hash"] == answer["policy_hash"]


def test_sighup_reloads_from_disk(tmp_path):
    policy = tmp_path / "policy.cordon"
    shutil.copy(ROOT / "examples/advanced_computing/policy.cordon", policy)
    text = policy.read_text()
    with Server("--policy", str(policy), "-I", str(ROOT / "examples/..")) as s:
        before = json.loads(s.request("GET", "/healthz")[2])["policy_hash"]
        policy.write_text(text + "\n// an edit\n")
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 20
        while time.time() < deadline:
            after = json.loads(s.request("GET", "/healthz")[2])["policy_hash"]
            if after != before:
                break
            time.sleep(0.1)
        # A comment changes no rule: the hash stays, but the reload is counted.
        _, _, metrics = s.request("GET", "/metrics")
        assert 'cordon_policy_reloads_total{result="ok"} 1' in metrics
        policy.write_text("this is not cordon\n")
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 20
        while time.time() < deadline:
            _, _, metrics = s.request("GET", "/metrics")
            if 'cordon_policy_reloads_total{result="failed"} 1' in metrics:
                break
            time.sleep(0.1)
        assert 'cordon_policy_reloads_total{result="failed"} 1' in metrics
        assert json.loads(s.request("GET", "/healthz")[2])["policy_hash"] == before
        deadline = time.time() + 10
        while not any("SIGHUP: the policy in force is kept" in l for l in s.stderr):
            assert time.time() < deadline, "".join(s.stderr)
            time.sleep(0.05)


def read_log(directory):
    lines = []
    for path in sorted(pathlib.Path(directory).glob("decisions*.jsonl")):
        lines += [json.loads(l) for l in path.read_text().splitlines()]
    return lines


def test_decision_log_lines_and_rotation(tmp_path):
    log = tmp_path / "log"
    batch = IFLYTEK.read_text() + "not json\n"
    with Server("--policy", "stdlib/ear", "--decision-log", str(log),
                "--log-max-bytes", "20000") as s:
        served = 0
        for _ in range(20):
            status, headers, _ = s.decide(batch)
            served += int(headers["Cordon-Decisions"])
        assert s.stop() == 0
    lines = read_log(log)
    assert len(lines) == served
    assert len(list(log.glob("decisions-*.jsonl"))) >= 2, "rotated"
    ids = [l["decision_id"] for l in lines]
    assert len(set(ids)) == len(ids)
    first = lines[0] if lines[0]["request"] else lines[1]
    assert re.fullmatch(r"[0-9a-f]{16}", first["policy_hash"])
    assert set(first["tables"]) == {"entity_list", "unverified_list", "military_end_user_list",
                                    *first["tables"]}
    assert first["as_of"] and first["decision"]["decision"]
    bad = [l for l in lines if l["request"] is None]
    assert bad and all(l["request_text"] == "not json" for l in bad)
    assert all(l["decision"]["decision"] == "error" for l in bad)


def test_decision_log_on_a_full_disk_keeps_deciding(tmp_path):
    log = tmp_path / "log"
    log.mkdir()
    (log / "decisions.jsonl").symlink_to("/dev/full")
    with Server("--policy", "stdlib/ear", "--decision-log", str(log)) as s:
        for _ in range(3):
            status, _, body = s.decide(IFLYTEK.read_text())
            assert status == 200 and body == cli_decide(IFLYTEK)
        deadline = time.time() + 10
        while time.time() < deadline:
            health = json.loads(s.request("GET", "/healthz")[2])
            if health["decision_log"]["dropped"] == 21:
                break
            time.sleep(0.1)
        assert health["status"] == "degraded"
        assert "No space left on device" in health["decision_log"]["error"]
        _, _, metrics = s.request("GET", "/metrics")
        assert "cordon_decision_log_dropped_total 21" in metrics
        assert "cordon_decision_log_healthy 0" in metrics


def test_sigterm_answers_requests_in_flight():
    big = IFLYTEK.read_text() * 3000  # some hundreds of milliseconds of deciding
    results = []
    with Server("--policy", "stdlib/ear") as s:
        def send():
            results.append(s.decide(big))

        threads = [threading.Thread(target=send) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.2)
        assert s.stop() == 0
        for t in threads:
            t.join()
    assert len(results) == 4
    for status, headers, body in results:
        assert status == 200
        assert len(body.splitlines()) == 21000 == int(headers["Cordon-Decisions"])


def test_slow_truncated_and_oversized_clients():
    with Server("--policy", "stdlib/ear") as s:
        # A body shorter than its Content-Length, then silence: the server times out the read.
        sock = socket.create_connection(("127.0.0.1", s.port))
        sock.sendall(b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"a\"")
        # Headers far past any limit.
        status = None
        try:
            status, _, _ = s.request("GET", "/healthz", headers={"X-Big": "y" * 200_000})
        except (ConnectionError, http.client.HTTPException):
            status = "closed"
        assert status != 200
        # A request line that is not HTTP.
        raw = socket.create_connection(("127.0.0.1", s.port))
        raw.sendall(b"NONSENSE\r\n\r\n")
        reply = raw.recv(1000)
        raw.close()
        assert reply.startswith(b"HTTP/1.1 400")
        status, _, body = s.decide(IFLYTEK.read_text())
        assert status == 200 and body == cli_decide(IFLYTEK)
        sock.close()


def test_replay_of_a_served_log(tmp_path):
    log = tmp_path / "log"
    with Server("--policy", "stdlib/ear", "--decision-log", str(log)) as s:
        s.decide(IFLYTEK.read_text())
        assert s.stop() == 0
    out = subprocess.run([CORDON, "replay", str(log / "decisions.jsonl"), "--policy", "stdlib/ear",
                          "--policy", str(DRAFT), "--json"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(l) for l in out.stdout.splitlines()]
    summary = lines[-1]["summary"]
    assert summary["decisions"] == 7 and summary["decision_changed"] == 1
    assert any(b["rule"] == "draft_controlled_rental" for b in lines[0]["began"])
    # Under the policy it was logged with, nothing changes.
    out = subprocess.run([CORDON, "replay", str(log / "decisions.jsonl"), "--policy", "stdlib/ear",
                          "--json"], cwd=ROOT, capture_output=True, text=True)
    assert json.loads(out.stdout.splitlines()[-1])["summary"]["decision_changed"] == 0


def test_start_refusals(tmp_path):
    def run(*args):
        return subprocess.run([CORDON, "serve", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=60)
    out = run("--listen", "nowhere")
    assert out.returncode == 1 and "HOST:PORT" in out.stderr
    out = run()
    assert out.returncode == 1 and "name the policy" in out.stderr
    short = tmp_path / "short"
    short.write_text("abc")
    out = run("--policy", "stdlib/ear", "--admin-token-file", str(short))
    assert out.returncode == 1 and "at least 16" in out.stderr
    broken = tmp_path / "broken.cordon"
    broken.write_text("module broken\nrule r when nope > 1 then prohibited\n")
    out = run("--policy", str(broken), "--listen", "127.0.0.1:0")
    assert out.returncode == 2 and "broken.cordon:2:" in out.stderr
    with Server("--policy", "stdlib/ear") as s:
        out = run("--policy", "stdlib/ear", "--listen", f"127.0.0.1:{s.port}")
        assert out.returncode == 1 and "cannot listen" in out.stderr
