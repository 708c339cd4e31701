# SPDX-License-Identifier: Apache-2.0
"""`cordon lsp` driven with Language Server Protocol messages, as an editor would.

Diagnostics as you type (checked against `cordon check --diagnostics json` on the same text),
hover, definition into the stdlib, completion, document symbols, formatting, the lifecycle, bad
messages, and ~200 mutated stdlib files: the server must answer each version with exactly one
set of diagnostics and never die.

Run by ctest (lsp.protocol); alone: CORDON_CLI=build/compiler/cordon python3 -m pytest tests/lsp
"""
import json
import os
import pathlib
import queue
import random
import re
import subprocess
import threading
import time
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORDON = os.path.abspath(os.environ.get("CORDON_CLI", str(ROOT / "build/compiler/cordon")))
STDLIB = ROOT / "stdlib"
AC = STDLIB / "ear/advanced_computing.cordon"
BASE = STDLIB / "ear/base.cordon"

DRAFT = """\
module draft

import ear.base

/// Parts fast enough to matter here.
let fast: bool = request.item.tpp >= 4800

rule draft_fast
  cites "15 CFR 742.6(a)(6)"
  effective 2024-01-01
  when fast and request.destination_country in {CN, MO}
  then license_required "a fast part to China or Macau"
"""


def uri_of(path):
    return "file://" + urllib.parse.quote(str(path))


def path_of(uri):
    return urllib.parse.unquote(uri[len("file://"):])


class Client:
    """`cordon lsp` on pipes; a thread reads its messages into a queue."""

    def __init__(self, initialize=True):
        self.proc = subprocess.Popen([CORDON, "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages = queue.Queue()
        self.notifications = []
        self.next_id = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.stderr = []
        threading.Thread(target=self._drain, daemon=True).start()
        if initialize:
            self.capabilities = self.request("initialize", {
                "processId": os.getpid(), "rootUri": uri_of(ROOT), "capabilities": {}})["result"]
            self.notify("initialized", {})

    def _drain(self):
        for line in self.proc.stderr:
            self.stderr.append(line)

    def _read(self):
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            body = out.read(int(headers["content-length"]))
            self.messages.put(json.loads(body))

    def send_raw(self, body: bytes):
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def send(self, message):
        self.send_raw(json.dumps(message).encode())

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params=None, timeout=20):
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.wait_response(self.next_id, timeout)

    def wait(self, predicate, timeout=20):
        """The next message meeting `predicate`; notifications on the way are kept."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no answer from the server in time: " + "".join(
                    x.decode(errors="replace") for x in self.stderr))
            message = self.messages.get(timeout=left)
            if message is None:
                raise AssertionError(f"the server exited: {self.proc.wait()}: " + "".join(
                    x.decode(errors="replace") for x in self.stderr))
            if "method" in message:
                self.notifications.append(message)
            if predicate(message):
                return message

    def wait_response(self, id_, timeout=20):
        return self.wait(lambda m: m.get("id") == id_ and "method" not in m, timeout)

    def diagnostics(self, uri, version, timeout=20):
        message = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri
                            and m["params"].get("version") == version, timeout)
        return message["params"]["diagnostics"]

    def open(self, path, text=None, version=1):
        uri = uri_of(path)
        if text is None:
            text = pathlib.Path(path).read_text()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "cordon", "version": version, "text": text}})
        return uri, self.diagnostics(uri, version)

    def change(self, uri, version, text):
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": [{"text": text}]})
        return self.diagnostics(uri, version)

    def at(self, method, uri, text, needle, offset=0, nth=0):
        """`method` at the `nth` occurrence of `needle` (plus `offset` characters)."""
        index = -1
        for _ in range(nth + 1):
            index = text.index(needle, index + 1)
        index += offset
        line = text.count("\n", 0, index)
        character = index - (text.rfind("\n", 0, index) + 1)
        return self.request(method, {"textDocument": {"uri": uri},
                                     "position": {"line": line, "character": character}})

    def close(self):
        if self.proc.poll() is None:
            response = self.request("shutdown")
            assert response["result"] is None
            self.notify("exit", None)
            assert self.proc.wait(timeout=10) == 0
        return self.proc.returncode


@pytest.fixture
def client():
    c = Client()
    yield c
    if c.proc.poll() is None:
        c.proc.kill()
        c.proc.wait()


def check_json(path):
    """`cordon check --diagnostics json` of `path`: its diagnostics in that file."""
    run = subprocess.run([CORDON, "--diagnostics", "json", "check", str(path)],
                         capture_output=True, text=True, cwd=ROOT)
    out = []
    for line in run.stderr.splitlines():
        if line.startswith("{"):
            d = json.loads(line)
            if os.path.abspath(d.get("file", "")) == os.path.abspath(path):
                out.append(d)
    return out


def assert_same_as_check(lsp_diagnostics, path):
    expected = check_json(path)
    assert len(lsp_diagnostics) == len(expected), (lsp_diagnostics, expected)
    for got, want in zip(lsp_diagnostics, expected):
        assert got["code"] == want["kind"]
        assert got["severity"] == {"error": 1, "warning": 2, "note": 3}[want["severity"]]
        message = want["message"] + ("\nhelp: " + want["help"] if "help" in want else "")
        assert got["message"] == message
        # ASCII text: code points and UTF-16 units are the same columns.
        assert got["range"]["start"] == {"line": want["line"] - 1,
                                         "character": want["column"] - 1}
        assert got["range"]["end"] == {"line": want["end_line"] - 1,
                                       "character": want["end_column"] - 1}
        assert len(got.get("relatedInformation", [])) == len(want["labels"])
        for related, label in zip(got.get("relatedInformation", []), want["labels"]):
            assert related["message"] == label["message"]
            assert os.path.samefile(path_of(related["location"]["uri"]), label["file"])


def test_lifecycle():
    c = Client()
    caps = c.capabilities["capabilities"]
    assert caps["hoverProvider"] and caps["definitionProvider"]
    assert caps["documentSymbolProvider"]
    assert "." in caps["completionProvider"]["triggerCharacters"]
    assert caps["textDocumentSync"]["change"] in (1, 2)
    assert c.close() == 0


def test_exit_without_shutdown_is_1():
    c = Client()
    c.notify("exit", None)
    assert c.proc.wait(timeout=10) == 1


def test_diagnostics_as_you_type(client, tmp_path):
    path = tmp_path / "draft.cordon"
    path.write_text(DRAFT)
    uri, diagnostics = client.open(path, DRAFT)
    assert_same_as_check(diagnostics, path)
    assert not [d for d in diagnostics if d["severity"] == 1]

    # A typo: the same error `cordon check` reports, at the same place.
    broken = DRAFT.replace("request.item.tpp", "request.item.tppp")
    diagnostics = client.change(uri, 2, broken)
    path.write_text(broken)
    assert_same_as_check(diagnostics, path)
    assert [d["code"] for d in diagnostics if d["severity"] == 1] == ["UnknownField"]
    assert "did you mean `tpp`?" in diagnostics[0]["message"]

    # A syntax error, then the fix.
    half = DRAFT.replace("then license_required", "then")
    diagnostics = client.change(uri, 3, half)
    path.write_text(half)
    assert_same_as_check(diagnostics, path)
    assert diagnostics and diagnostics[0]["severity"] == 1

    diagnostics = client.change(uri, 4, DRAFT)
    path.write_text(DRAFT)
    assert_same_as_check(diagnostics, path)
    assert not [d for d in diagnostics if d["severity"] == 1]
    assert client.close() == 0


def test_unsaved_import_is_read_from_memory(client, tmp_path):
    # `draft` imports `helper`; the helper's unsaved text (not the file on disk) is what counts.
    (tmp_path / "helper.cordon").write_text("module helper\n\nlet limit: int = 4800\n")
    main = tmp_path / "draft.cordon"
    text = DRAFT.replace("import ear.base\n", "import ear.base\nimport helper (limit)\n") \
                .replace(">= 4800", ">= limit")
    main.write_text(text)
    helper_uri, _ = client.open(tmp_path / "helper.cordon",
                                "module helper\n\nlet limit_renamed: int = 4800\n")
    uri, diagnostics = client.open(main, text)
    assert any("limit" in d["message"] for d in diagnostics if d["severity"] == 1), diagnostics
    # The helper's own diagnostics stay the helper's.
    assert all(d["range"]["start"]["line"] < text.count("\n") for d in diagnostics)
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": helper_uri, "version": 2},
        "contentChanges": [{"text": "module helper\n\nlet limit: int = 4800\n"}]})
    client.diagnostics(helper_uri, 2)
    diagnostics = client.change(uri, 2, text + "\n")
    assert not [d for d in diagnostics if d["severity"] == 1], diagnostics
    # A syntax error in the open helper: the helper shows it; the draft, which cannot be checked
    # past it, says so at its import.
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": helper_uri, "version": 3},
        "contentChanges": [{"text": "module helper\n\nlet limit: int = (4800\n"}]})
    helper_diagnostics = client.diagnostics(helper_uri, 3)
    assert helper_diagnostics and helper_diagnostics[0]["severity"] == 1
    diagnostics = client.change(uri, 3, text)
    assert len(diagnostics) == 1 and "helper.cordon`, imported, has errors" in \
        diagnostics[0]["message"], diagnostics
    import_line = text.splitlines().index("import helper (limit)")
    assert diagnostics[0]["range"]["start"] == {"line": import_line, "character": 7}
    related = diagnostics[0]["relatedInformation"][0]["location"]
    assert related["uri"] == helper_uri
    assert related["range"] == helper_diagnostics[0]["range"]


def test_positions_count_utf16(client, tmp_path):
    # Characters before the mistake take one or two UTF-16 units: the range says so.
    prefix = '  when fast and "é😀" == "x" and request.item.'
    text = DRAFT.replace("  when fast and", prefix + "tppp and")
    path = tmp_path / "draft.cordon"
    path.write_text(text)
    uri, diagnostics = client.open(path, text)
    errors = [d for d in diagnostics if d["severity"] == 1]
    assert errors and "`tppp`" in errors[0]["message"], errors
    start = errors[0]["range"]["start"]
    assert start["character"] == len(prefix.encode("utf-16-le")) // 2
    # And back: hovering at that UTF-16 position finds the same name.
    line = text.splitlines()[start["line"]]
    assert line.startswith(prefix)
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {
        "line": start["line"], "character": start["character"] - 2}})
    assert "item: Item" in hover["result"]["contents"]["value"]


def test_test_blocks(client, tmp_path):
    text = DRAFT + """
test "a fast part to China" {
  given request = { as_of: 2024-06-01, kind: export, destination_country: CN, chips: 1,
                    item: { name: "X", tpp: 5000, designed_for_datacenter: true },
                    end_user: { name: "Y", country: CN } }
  expect license_required by draft_fast
}
"""
    path = tmp_path / "draft.cordon"
    path.write_text(text)
    uri, diagnostics = client.open(path, text)
    assert_same_as_check(diagnostics, path)
    hover = client.at("textDocument/hover", uri, text, "tpp: 5000", 1)
    assert "tpp: number" in hover["result"]["contents"]["value"]
    result = client.at("textDocument/definition", uri, text, "by draft_fast", 5)["result"]
    assert result["uri"] == uri and result["range"]["start"]["line"] == text[
        :text.index("rule draft_fast")].count("\n")
    hover = client.at("textDocument/hover", uri, text, "expect license_required", 8)
    assert "outcome license_required" in hover["result"]["contents"]["value"]
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert any(s["name"] == "a fast part to China" for s in symbols["result"])


def test_incremental_change(client, tmp_path):
    path = tmp_path / "draft.cordon"
    path.write_text(DRAFT)
    uri, _ = client.open(path, DRAFT)
    index = DRAFT.index("tpp >= 4800") + 3
    line = DRAFT.count("\n", 0, index)
    character = index - (DRAFT.rfind("\n", 0, index) + 1)
    position = {"line": line, "character": character}
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"range": {"start": position, "end": position}, "text": "x"}]})
    diagnostics = client.diagnostics(uri, 2)
    assert [d["code"] for d in diagnostics if d["severity"] == 1] == ["UnknownField"]
    assert "`tppx`" in diagnostics[0]["message"]
    end = dict(position, character=position["character"] + 1)
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 3},
        "contentChanges": [{"range": {"start": position, "end": end}, "text": ""}]})
    assert not [d for d in client.diagnostics(uri, 3) if d["severity"] == 1]


def test_hover_field_with_unit_and_rule(client):
    text = AC.read_text()
    uri, diagnostics = client.open(AC, text)
    assert not [d for d in diagnostics if d["severity"] == 1]
    hover = client.at("textDocument/hover", uri, text, "dram_bandwidth_gbps is some", 3)
    value = hover["result"]["contents"]["value"]
    assert "dram_bandwidth_gbps: number GB / s?" in value, value
    assert "DRAM bandwidth" in value  # its `///` comment
    hover = client.at("textDocument/hover", uri, text, "rule ac_destination_2023\n", 8)
    value = hover["result"]["contents"]["value"]
    assert "rule ac_destination_2023" in value
    assert "cites 15 CFR 742.6(a)(6)(iii)" in value
    assert "effective 2023-11-17, until 2024-04-04" in value
    assert "then license_required" in value
    # A `let`: its type and comment.
    hover = client.at("textDocument/hover", uri, text, "exceptions_suspended", 2, nth=1)
    value = hover["result"]["contents"]["value"]
    assert "let exceptions_suspended: bool" in value and "744.15(a)" in value
    # A unit in an expression.
    hover = client.at("textDocument/hover", uri, text, "6500 GB / s", 5)
    assert "unit GB" in hover["result"]["contents"]["value"]
    # A country code.
    hover = client.at("textDocument/hover", uri, text, "{CN, MO}", 1)
    assert "country CN" in hover["result"]["contents"]["value"]
    assert "China" in hover["result"]["contents"]["value"]
    # A name bound by `is some`: its type, and where it is bound.
    hover = client.at("textDocument/hover", uri, text, "dram < 6500", 1)
    assert "dram: number GB / s" in hover["result"]["contents"]["value"]
    result = client.at("textDocument/definition", uri, text, "dram < 6500", 1)["result"]
    start = result["range"]["start"]
    line = text.splitlines()[start["line"]]
    assert line[start["character"]:].startswith("dram")
    assert line[:start["character"]].rstrip().endswith("is some")


def test_table_columns(client):
    path = STDLIB / "ear/entity_list.cordon"
    text = path.read_text()
    uri, diagnostics = client.open(path, text)
    assert not [d for d in diagnostics if d["severity"] == 1]
    hover = client.at("textDocument/hover", uri, text, "e.date_added is none", 3)
    assert "date_added: date?" in hover["result"]["contents"]["value"]
    result = client.at("textDocument/definition", uri, text, "e.date_added is none", 3)["result"]
    line = text.splitlines()[result["range"]["start"]["line"]]
    assert line.strip().startswith("date_added: date?")
    # After `e.`, where `e` is a row: the table's columns.
    typed = text.replace("e.date_added is none", "e.", 1)
    client.change(uri, 2, typed)
    response = client.at("textDocument/completion", uri, typed, "(e.", 3)
    labels = {item["label"] for item in response["result"]["items"]}
    assert {"name", "aliases", "country", "list", "date_added"} <= labels


def test_definition_across_modules_into_stdlib(client, tmp_path):
    path = tmp_path / "draft.cordon"
    path.write_text(DRAFT)
    uri, _ = client.open(path, DRAFT)
    base = BASE.read_text()
    # A field of the stdlib's Item.
    result = client.at("textDocument/definition", uri, DRAFT, "tpp >= 4800", 1)["result"]
    assert path_of(result["uri"]) == str(BASE)
    start = result["range"]["start"]
    assert base.splitlines()[start["line"]][start["character"]:].startswith("tpp: number")
    # The imported module.
    result = client.at("textDocument/definition", uri, DRAFT, "ear.base", 4)["result"]
    assert path_of(result["uri"]) == str(BASE)
    # An outcome of the stdlib's lattice.
    result = client.at("textDocument/definition", uri, DRAFT, "license_required", 2)["result"]
    start = result["range"]["start"]
    assert base.splitlines()[start["line"]].startswith("outcomes ")
    # A `let` of this file.
    result = client.at("textDocument/definition", uri, DRAFT, "when fast", 6)["result"]
    assert result["uri"] == uri and result["range"]["start"]["line"] == 5
    # Across stdlib modules: a name ear.advanced_computing imports from ear.scope.
    text = AC.read_text()
    ac_uri, _ = client.open(AC, text)
    result = client.at("textDocument/definition", ac_uri, text, "and reaches_d5_or_macau",
                       6)["result"]
    assert path_of(result["uri"]) == str(STDLIB / "ear/scope.cordon")
    scope = (STDLIB / "ear/scope.cordon").read_text().splitlines()
    assert "let reaches_d5_or_macau" in scope[result["range"]["start"]["line"]]
    # Nothing there: null, not an error.
    result = client.at("textDocument/definition", uri, DRAFT, "cites", 1)
    assert result["result"] is None and "error" not in result


def test_completion(client, tmp_path):
    path = tmp_path / "draft.cordon"
    path.write_text(DRAFT)
    uri, _ = client.open(path, DRAFT)

    def labels(text, needle, version):
        client.change(uri, version, text)
        response = client.at("textDocument/completion", uri, text, needle, len(needle))
        return {item["label"]: item for item in response["result"]["items"]}

    # Typing `request.` leaves the file unparsable: the fields still come.
    typed = DRAFT + "\nlet x: bool = request.\n"
    items = labels(typed, "= request.", 2)
    assert {"item", "as_of", "destination_country", "end_user"} <= set(items)
    assert items["destination_country"]["detail"] == "country"
    typed = DRAFT + "\nlet x: bool = request.item.\n"
    items = labels(typed, "request.item.", 3)
    assert {"tpp", "die_area_mm2", "bidirectional_io_gbps"} <= set(items)
    assert items["bidirectional_io_gbps"]["detail"] == "number GB / s?"
    assert "Aggregate bidirectional" in items["bidirectional_io_gbps"]["documentation"]["value"]
    # Outcomes after `then`.
    typed = DRAFT.replace('then license_required "', 'then lic "')
    items = labels(typed, "then ", 4)
    assert {"prohibited", "license_required", "no_license_required"} <= set(items)
    # Units after a number.
    typed = DRAFT.replace(">= 4800", ">= 4800 G")
    items = labels(typed, "4800 ", 5)
    assert {"GB", "s", "mm2", "h"} <= set(items)
    # Names in scope, country groups and countries.
    typed = DRAFT.replace("when fast and", "when f and")
    items = labels(typed, "when ", 6)
    assert {"fast", "request", "Item", "CN", "MO"} <= set(items)
    # Every keyword of the lexer.
    keywords = set(re.findall(r"^[A-Z_]+\s*:\s*'([a-z]+)'\s*;",
                              (ROOT / "grammar/Cordon.g4").read_text(), re.M))
    assert keywords and keywords <= set(items), keywords - set(items)
    text = AC.read_text()
    ac_uri, _ = client.open(AC, text)
    response = client.at("textDocument/completion", ac_uri, text, "when moves_item", 5)
    names = {item["label"] for item in response["result"]["items"]}
    assert {"reaches_d5_or_macau", "nac_aca_item", "uae_favorable_treatment"} <= names


def test_document_symbols(client):
    text = AC.read_text()
    uri, _ = client.open(AC, text)
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    by_name = {s["name"]: s for s in symbols["result"]}
    for rule in ("ac_destination_2022", "ac_destination_2023", "ac_headquarters"):
        assert by_name[rule]["kind"] == 24
        assert by_name[rule]["detail"].startswith("cites ")
    assert by_name["nac_aca_item"]["kind"] == 12
    assert by_name["exceptions_suspended"]["kind"] == 13
    line = text.splitlines()[by_name["ac_headquarters"]["selectionRange"]["start"]["line"]]
    assert line.startswith("rule ac_headquarters")
    base_uri, _ = client.open(BASE)
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": base_uri}})
    by_name = {s["name"]: s for s in symbols["result"]}
    fields = {c["name"] for c in by_name["Item"]["children"]}
    assert {"tpp", "die_area_mm2"} <= fields
    assert by_name["outcomes"]["kind"] == 10


def test_formatting(client, tmp_path):
    assert client.capabilities["capabilities"]["documentFormattingProvider"] is True
    messy = DRAFT.replace("let fast: bool = request.item.tpp >= 4800",
                          "let   fast :bool=request.item.tpp>=4800")
    path = tmp_path / "draft.cordon"
    path.write_text(messy)
    uri, _ = client.open(path, messy)
    response = client.request("textDocument/formatting", {
        "textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
    edits = response["result"]
    expected = subprocess.run([CORDON, "fmt", "-"], input=messy, capture_output=True,
                              text=True).stdout
    assert len(edits) == 1 and edits[0]["newText"] == expected
    assert edits[0]["range"]["start"] == {"line": 0, "character": 0}
    # A file that does not parse is left as it is.
    client.change(uri, 2, "rule {{{")
    response = client.request("textDocument/formatting", {
        "textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
    assert response["result"] is None and "error" not in response


def test_bad_messages():
    c = Client(initialize=False)
    # Before initialize.
    response = c.request("textDocument/hover", {})
    assert response["error"]["code"] == -32002
    c.capabilities = c.request("initialize", {"capabilities": {}})["result"]
    # Not JSON, not an object, no method, a bad id.
    c.send_raw(b"{this is not json")
    assert c.wait(lambda m: "error" in m)["error"]["code"] == -32700
    c.send_raw(b"[1, 2, 3]")
    assert c.wait(lambda m: "error" in m)["error"]["code"] == -32600
    c.send({"jsonrpc": "2.0", "id": 77, "params": {}})
    assert c.wait_response(77)["error"]["code"] == -32600
    c.send({"jsonrpc": "2.0", "id": {"a": 1}, "method": "shutdown"})
    assert c.wait(lambda m: "error" in m)["error"]["code"] == -32600
    # Unknown methods: an error for a request, silence for a notification.
    assert c.request("textDocument/rename", {})["error"]["code"] == -32601
    c.notify("$/cancelRequest", {"id": 1})
    c.notify("workspace/didChangeConfiguration", {"settings": {}})
    # Params of the wrong shape.
    assert c.request("textDocument/hover", {"textDocument": 5})["error"]["code"] == -32602
    assert c.request("textDocument/hover")["error"]["code"] == -32602
    # A document never opened: empty answers, not errors.
    nowhere = {"textDocument": {"uri": "file:///nowhere.cordon"},
               "position": {"line": 0, "character": 0}}
    assert c.request("textDocument/hover", nowhere)["result"] is None
    assert c.request("textDocument/definition", nowhere)["result"] is None
    assert c.request("textDocument/completion", nowhere)["result"]["items"] == []
    assert c.request("textDocument/documentSymbol", nowhere)["result"] == []
    c.notify("textDocument/didChange", {"textDocument": {"uri": "file:///nowhere.cordon",
                                                         "version": 2},
                                        "contentChanges": [{"text": "x"}]})
    # A header without a length, then a good message still works.
    c.proc.stdin.write(b"Content-Type: nothing\r\n\r\n")
    c.proc.stdin.flush()
    assert c.wait(lambda m: "error" in m)["error"]["code"] == -32600
    # Invalid UTF-8 inside a document's text, positions past the end, a huge line.
    uri = "file:///tmp/cordon-lsp-bad.cordon"
    body = (b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":'
            b'{"uri":"' + uri.encode() + b'","languageId":"cordon","version":1,'
            b'"text":"rule \xff\xfe x when \xc3 then"}}}')
    c.send_raw(body)
    assert c.diagnostics(uri, 1)
    far = {"textDocument": {"uri": uri}, "position": {"line": 10**6, "character": 10**6}}
    assert "result" in c.request("textDocument/hover", far)
    assert "result" in c.request("textDocument/completion", far)
    c.change(uri, 2, "let x = " + "(" * 5000 + "1" + ")" * 5000 + " " + "y" * 300000 + "\n")
    c.change(uri, 3, "\U0001F600 rule r when true then x \"\U0001F600\"\r\n\r\n\t\x00")
    assert c.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})["result"] \
        is not None
    c.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert c.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                  and m["params"]["uri"] == uri and not m["params"]["diagnostics"])
    assert c.close() == 0


def mutate(rng, text: bytes) -> bytes:
    data = bytearray(text)
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        if not data:
            data += b"rule"
        at = rng.randrange(len(data))
        if op < 0.35:
            del data[at:at + rng.randint(1, 40)]
        elif op < 0.7:
            piece = rng.choice([b"(", b")", b"{", b"}", b"\"", b"rule ", b" when ", b"then",
                                b"unless", b".", b"///", b"\n", b"2024-13-45", b"GB / s",
                                bytes([rng.randrange(256)]), b"\xe2\x82", b"\xf0\x9f\x98\x80",
                                b"99999999999999999999999999", b"request.item."])
            data[at:at] = piece
        elif op < 0.85:
            del data[at:]
        else:
            other = rng.randrange(len(data))
            data[at], data[other] = data[other], data[at]
    return bytes(data)


def test_fuzzed_documents_one_diagnostic_set_per_version():
    rng = random.Random(27)
    sources = sorted(STDLIB.glob("ear/*.cordon"))
    c = Client()
    start = time.monotonic()
    uris = {}
    versions = 200
    for version in range(1, versions + 1):
        path = sources[version % len(sources)]
        uri = uri_of(path)
        text = mutate(rng, path.read_bytes()).decode("utf-8", errors="replace")
        if uri not in uris:
            uris[uri] = version
            c.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "cordon", "version": version, "text": text}})
        else:
            c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                "contentChanges": [{"text": text}]})
        if version % 7 == 0:
            # Questions in between, at random places.
            line = rng.randrange(200)
            for method in ("textDocument/hover", "textDocument/completion",
                           "textDocument/definition", "textDocument/documentSymbol"):
                response = c.request(method, {"textDocument": {"uri": uri},
                                              "position": {"line": line, "character": 3}})
                assert "result" in response, response
    # Every version answered, in order, each exactly once.
    response = c.request("shutdown", timeout=60)
    assert response["result"] is None
    published = [m["params"] for m in c.notifications
                 if m.get("method") == "textDocument/publishDiagnostics"
                 and m["params"].get("version") is not None]
    assert [p["version"] for p in published] == list(range(1, versions + 1))
    c.notify("exit", None)
    assert c.proc.wait(timeout=10) == 0
    assert time.monotonic() - start < 60


def test_garbage_messages_survive():
    """Random bodies and params of every shape: error responses or silence, never a crash."""
    rng = random.Random(2027)
    c = Client()
    methods = ["textDocument/didOpen", "textDocument/didChange", "textDocument/didClose",
               "textDocument/hover", "textDocument/definition", "textDocument/completion",
               "textDocument/documentSymbol", "textDocument/formatting", "initialize", "nope"]
    values = [None, True, 0, -1, 2**40, 1.5, "", "file:///x.cordon", [], {}, [1, "a"],
              {"uri": 5}, {"line": -3, "character": "x"}]

    def random_params(depth=0):
        if depth > 2 or rng.random() < 0.3:
            return rng.choice(values)
        keys = ["textDocument", "uri", "text", "version", "position", "line", "character",
                "contentChanges", "range", "start", "end", "options"]
        return {rng.choice(keys): random_params(depth + 1) for _ in range(rng.randint(0, 4))}

    for i in range(300):
        kind = rng.random()
        if kind < 0.3:
            c.send_raw(bytes(rng.randrange(256) for _ in range(rng.randint(0, 60))))
        elif kind < 0.8:
            message = {"jsonrpc": "2.0", "method": rng.choice(methods),
                       "params": random_params()}
            if rng.random() < 0.5:
                message["id"] = 10_000 + i
            c.send(message)
        else:
            c.send_raw(json.dumps(random_params()).encode())
    response = c.request("textDocument/hover", {"textDocument": {"uri": "file:///x.cordon"},
                                                "position": {"line": 0, "character": 0}})
    assert "result" in response or "error" in response
    assert c.proc.poll() is None
    assert c.close() == 0
