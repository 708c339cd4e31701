# SPDX-License-Identifier: Apache-2.0
"""`import cordon` (runtime/python) against `cordon decide`: every engine gives the decision dicts
the command prints, decide_many keeps order and malformed requests in place without the GIL,
table swaps take effect, bad policies raise cordon.Error, and screen() fills a DataFrame.

Run by ctest (`ctest -R python`), which sets PYTHONPATH to build/runtime/python and CORDON_CLI
to the `cordon` command; by hand:
  PYTHONPATH=build/runtime/python python3 -m pytest -q tests/python
"""
import json
import os
import pathlib
import subprocess
import threading
import time

import pandas
import pytest

import cordon

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("CORDON_CLI", str(ROOT / "build" / "compiler" / "cordon"))
EAR = str(ROOT / "stdlib" / "ear")
STORIES = ["iflytek_cloud_rental", "sensetime_intermediary", "us_datacenter_rental"]


def read_jsonl(path):
    return [json.loads(line) for line in open(path) if line.strip()]


# Every story's requests, and some the policy must decide "error": a missing field, an unknown
# country, a request past the policy's review date.
REQUESTS = [r for s in STORIES for r in read_jsonl(ROOT / "examples" / s / "requests.jsonl")]
ODD = [
    {**REQUESTS[0], "destination_country": "XX"},
    {k: v for k, v in REQUESTS[0].items() if k != "kind"},
    {**REQUESTS[0], "as_of": "2031-01-01"},
]


def cordon_decide(requests, tmp_path, *args):
    """`cordon decide ARGS` on `requests` written as JSON Lines: the decision of each line."""
    path = tmp_path / "requests.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in requests))
    run = subprocess.run([CLI, "decide", *args, str(path)], capture_output=True, text=True)
    assert run.returncode in (0, 4), run.stderr  # 4: some decision is "error"
    return [json.loads(line) for line in run.stdout.splitlines()]


@pytest.fixture(scope="session")
def compiled(tmp_path_factory):
    """The EAR policy as a .so and as a bundle."""
    out = tmp_path_factory.mktemp("compiled")
    subprocess.run([CLI, "compile", "--policy", EAR, "-o", str(out / "ear.so")], check=True)
    subprocess.run([CLI, "compile", "--policy", EAR, "--bundle", "-o", str(out / "ear.cordonb")],
                   check=True)
    return out


# (name, Engine arguments, `cordon decide` arguments), the .so and bundle paths filled in later.
ENGINES = {
    "interp": (dict(policy=[EAR], engine="interp"), ["--engine", "interp"]),
    "jit": (dict(policy=[EAR], engine="jit"), ["--engine", "jit"]),
    "aot": (dict(library="{so}"), ["--engine", "aot", "--library", "{so}"]),
    "bundle": (dict(bundle="{bundle}"), ["--engine", "interp"]),
}


@pytest.fixture(scope="session", params=list(ENGINES))
def engine_and_cli(request, compiled):
    kwargs, cli = ENGINES[request.param]
    paths = {"so": str(compiled / "ear.so"), "bundle": str(compiled / "ear.cordonb")}
    kwargs = {k: v.format(**paths) if isinstance(v, str) else v for k, v in kwargs.items()}
    cli = [a.format(**paths) for a in cli]
    return cordon.Engine(**kwargs), ["--policy", EAR, *cli]


@pytest.fixture(scope="session")
def interp():
    return cordon.Engine(policy=[EAR], engine="interp")


def test_decide_is_cordon_decide(engine_and_cli, tmp_path):
    engine, cli = engine_and_cli
    requests = REQUESTS + ODD
    expected = cordon_decide(requests, tmp_path, *cli)
    assert [engine.decide(r) for r in requests] == expected
    assert {d["decision"] for d in expected} >= {"prohibited", "error"}
    assert any(d.get("warnings") for d in expected) or any(d["errors"] for d in expected)


def test_explain_is_cordon_decide_explain(engine_and_cli, tmp_path):
    engine, cli = engine_and_cli
    expected = cordon_decide(REQUESTS[:5], tmp_path, *cli, "--explain")
    assert [engine.decide(r, explain=True) for r in REQUESTS[:5]] == expected
    assert "explain" in expected[0]


def test_engine_kinds_and_hashes(engine_and_cli, interp):
    engine, cli = engine_and_cli
    assert engine.kind == cli[cli.index("--engine") + 1]
    assert engine.policy_hash == interp.policy_hash != 0
    assert engine.schema_hash == interp.schema_hash


def test_decide_many_is_decide_one_by_one(engine_and_cli):
    engine, _ = engine_and_cli
    # Some thousands, or the batch starts no second thread.
    requests = (REQUESTS + ODD + ["not an object", {}]) * 150
    one_by_one = [engine.decide(r) for r in requests]
    assert engine.decide_many(requests, threads=1) == one_by_one
    assert engine.decide_many(iter(requests), threads=2) == one_by_one
    assert engine.decide_many([]) == []


def near(name):
    """REQUESTS[7] (end user "Sense Time", on the Entity List) with another end user name."""
    return {**REQUESTS[7], "end_user": {**REQUESTS[7]["end_user"], "name": name}}


# Decisions of every shape: malformed requests (not an object, missing fields), rules that cannot
# be evaluated, a request moved to the policy's review date (its "warnings"), and messages with
# holes filled, non-ASCII, quotes and control characters included, one after the other.
SHAPES = REQUESTS + ODD + [
    "not an object", {}, None, [1],
    {**REQUESTS[7], "item": {**REQUESTS[7]["item"], "tpp": -1}},
    {**REQUESTS[7], "chips": -3},
    {**REQUESTS[7], "as_of": "2027-01-01"},
    near("Sense Timx"), near("Sense Timé"), near("SenΩe Time"), near('Sense Tim"'),
    near("Sense Tim\n"), near("Sense Tim\x01"), near("Sense Time"),
]


def test_decision_dicts_are_cordon_decide_lines(engine_and_cli, tmp_path):
    # decide() and decide_many() build the dicts from the decision, not from its JSON: they are
    # json.loads of `cordon decide`'s lines, key order included, across chunks and threads.
    engine, cli = engine_and_cli
    expected = cordon_decide(SHAPES, tmp_path, *cli)
    assert [d.get("warnings") is not None for d in expected].count(True) == 1
    assert any("Sense Tim\x01" in r["message"] for d in expected for r in d["reasons"])
    in_order = lambda decisions: [json.dumps(d) for d in decisions]
    one_by_one = [engine.decide(r) for r in SHAPES]
    assert in_order(one_by_one) == in_order(expected)
    assert in_order(engine.decide_many(SHAPES)) == in_order(expected)
    many = SHAPES * 300  # chunks of 4,096 requests a thread, the last one short
    assert in_order(engine.decide_many(many, threads=2)) == in_order(expected * 300)
    assert in_order(engine.decide_many(iter(many), threads=1)) == in_order(expected * 300)


def test_malformed_requests_are_errors_in_place(interp):
    good = REQUESTS[0]
    out = interp.decide_many([good, {"as_of": "2023-03-10"}, "abc", None, [1], good])
    assert [d["decision"] for d in out] == [out[0]["decision"], "error", "error", "error", "error",
                                            out[0]["decision"]]
    assert out[0]["decision"] != "error"
    assert any("$.kind: missing required field" in e for e in out[1]["errors"])
    assert out[2]["errors"] == ["$: expected a JSON object: The JSON element does not have the "
                                "requested type."]


def test_values_json_cannot_hold_raise(interp):
    with pytest.raises(TypeError, match=r"\$\[1\]\.item: a set is not a JSON value"):
        interp.decide_many([REQUESTS[0], {**REQUESTS[0], "item": {1, 2}}])
    # Past the first chunk, the index is still the request's.
    with pytest.raises(TypeError, match=r"\$\[5000\]\.item: a set is not a JSON value"):
        interp.decide_many([REQUESTS[0]] * 5000 + [{**REQUESTS[0], "item": {1, 2}}])
    with pytest.raises(ValueError, match=r"\$\.chips: NaN"):
        interp.decide({**REQUESTS[0], "chips": float("nan")})
    loop = {}
    loop["a"] = loop
    with pytest.raises(ValueError, match="nested deeper"):
        interp.decide(loop)


def test_json_values_as_json_dumps_writes_them(interp, tmp_path):
    # Escapes, non-ASCII, big ints and Decimals reach libcordon as json.dumps would write them.
    import decimal
    odd = {**REQUESTS[0], "end_user": {**REQUESTS[0]["end_user"], "name": 'Ä "q"\n\\ \x01'},
           "chips": 10**30}
    same = {**odd, "chips": decimal.Decimal(10**30)}
    expected = cordon_decide([odd], tmp_path, "--policy", EAR, "--engine", "interp")
    assert interp.decide(odd) == interp.decide(same) == expected[0]


def test_decide_many_releases_the_gil(interp):
    requests = REQUESTS * 3000  # about a second of deciding on the interpreter
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        start = time.perf_counter()
        interp.decide_many(requests, threads=1)
        end = time.perf_counter()
    finally:
        stop.set()
        counter.join()
    # The counter ran during the call: in at least a third of its milliseconds. Holding the GIL
    # throughout would leave it at most one switch interval (5 ms) at the start.
    span = end - start
    assert span > 0.1, "too few requests to tell"
    busy = {int((t - start) * 1000) for t in ticks if start < t < end}
    assert len(busy) > span * 1000 / 3, (len(busy), span)


def test_swap_table_changes_a_decision(compiled, tmp_path):
    engine = cordon.Engine(library=str(compiled / "ear.so"))
    request = read_jsonl(ROOT / "examples" / "sensetime_intermediary" / "requests.jsonl")[0]
    rules = lambda: [r["rule"] for r in engine.decide(request)["reasons"]]
    assert "entity_list_party" in rules()
    before = {t["name"]: t for t in engine.tables()}["entity_list"]
    assert before["extern"] and before["rows"] > 0

    header = open(ROOT / "stdlib" / "ear" / "entities.csv").readline()
    empty = tmp_path / "entities.csv"
    empty.write_text(header)
    engine.swap_table("entity_list", empty)
    assert "entity_list_party" not in rules()
    after = {t["name"]: t for t in engine.tables()}["entity_list"]
    assert after["rows"] == 0 and after["source"] == str(empty) and after["modified"]
    assert after["hash"] != before["hash"]

    with pytest.raises(cordon.Error) as bad:
        engine.swap_table("no_such_table", empty)
    assert bad.value.status == "CORDON_ERROR_TABLE"


def test_a_bad_policy_raises_its_diagnostics(tmp_path):
    bad = tmp_path / "bad.cordon"
    bad.write_text('input Request { x: int }\nrule r then prohibited when request.y > 3 cites "a"\n')
    check = subprocess.run([CLI, "check", str(bad)], capture_output=True, text=True)
    assert check.returncode == 2
    diagnostics = [line for line in check.stderr.splitlines() if str(bad) in line]
    assert diagnostics
    with pytest.raises(cordon.Error) as raised:
        cordon.Engine(policy=[bad], engine="interp")
    assert isinstance(raised.value, Exception)
    assert raised.value.status == "CORDON_ERROR_POLICY"
    for line in diagnostics:
        assert line in str(raised.value)


def test_aot_from_rule_files_is_the_aot_library(engine_and_cli, compiled):
    engine, _ = engine_and_cli
    if engine.kind != "aot":
        pytest.skip("compared with the .so engine only")
    from_rules = cordon.Engine(policy=[EAR], engine="aot")
    assert from_rules.kind == "aot"
    assert from_rules.policy_hash == engine.policy_hash
    for story in ("iflytek_cloud_rental", "sensetime_intermediary"):
        requests = read_jsonl(ROOT / "examples" / story / "requests.jsonl")
        assert from_rules.decide_many(requests) == engine.decide_many(requests)


def test_configuration_errors():
    with pytest.raises(cordon.Error) as missing:
        cordon.Engine(policy=["/nonexistent/policy.cordon"], engine="interp")
    assert missing.value.status == "CORDON_ERROR_IO"
    assert "/nonexistent/policy.cordon" in str(missing.value)
    for kwargs in (dict(), dict(policy=[EAR], library="x.so"), dict(bundle="x.cordonb", engine="aot")):
        with pytest.raises(cordon.Error) as bad:
            cordon.Engine(**kwargs)
        assert bad.value.status == "CORDON_ERROR_INVALID_ARGUMENT"
    with pytest.raises(ValueError, match="aot"):
        cordon.Engine(policy=[EAR], engine="fast")


def test_screen_adds_decisions_and_reasons(interp):
    requests = read_jsonl(ROOT / "examples" / "sensetime_intermediary" / "requests.jsonl")
    rows = []
    for r in requests:
        row = {k: v for k, v in r.items() if not isinstance(v, dict)}
        for record in ("item", "end_user"):
            for k, v in r[record].items():
                row[f"{record}.{k}"] = v
        rows.append(row)
    df = pandas.DataFrame(rows)
    df["order"] = range(len(df))
    out = cordon.screen(df, interp, column_map={"order": None})
    expected = interp.decide_many(requests)
    assert list(out["decision"]) == [d["decision"] for d in expected]
    assert out["reasons"][0] == "; ".join(f"{r['rule']} ({r['cites']})"
                                          for r in expected[0]["reasons"])
    assert "entity_list_party (15 CFR 744.11; Supplement No. 4 to part 744)" in out["reasons"][0]
    assert list(out["order"]) == list(range(len(df)))
    assert "decision" not in df.columns  # a copy
