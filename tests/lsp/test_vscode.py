# SPDX-License-Identifier: Apache-2.0
"""The VS Code extension's files (editors/vscode): JSON that parses, a TextMate grammar whose
patterns compile and that highlights every keyword of grammar/Cordon.g4's lexer.

Python's `re` is not Oniguruma, but the grammar keeps to what both read alike.
Run by ctest (lsp.vscode); alone: python3 -m pytest tests/lsp/test_vscode.py
"""
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
VSCODE = ROOT / "editors/vscode"
GRAMMAR = VSCODE / "syntaxes/cordon.tmLanguage.json"


def patterns(node):
    """Every (scope, regex) in a TextMate grammar, with the scopes of its captures."""
    if isinstance(node, dict):
        scope = node.get("name", "")
        captures = node.get("captures", {})
        scope += " " + " ".join(c.get("name", "") for c in captures.values())
        for key in ("match", "begin", "end"):
            if key in node:
                yield scope.strip(), node[key]
        for value in node.values():
            yield from patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from patterns(value)


def lexer_keywords():
    text = (ROOT / "grammar/Cordon.g4").read_text()
    return sorted(set(re.findall(r"^[A-Z_]+\s*:\s*'([a-z]+)'\s*;", text, re.M)))


def test_json_files_parse():
    for name in ("package.json", "language-configuration.json", "syntaxes/cordon.tmLanguage.json"):
        json.loads((VSCODE / name).read_text())
    package = json.loads((VSCODE / "package.json").read_text())
    language = package["contributes"]["languages"][0]
    assert language["id"] == "cordon" and ".cordon" in language["extensions"]
    grammar = package["contributes"]["grammars"][0]
    assert (VSCODE / grammar["path"]).is_file()
    assert (VSCODE / language["configuration"]).is_file()
    assert (VSCODE / package["main"]).is_file()
    assert "cordon.path" in package["contributes"]["configuration"]["properties"]
    assert "vscode-languageclient" in package["dependencies"]
    assert json.loads(GRAMMAR.read_text())["scopeName"] == grammar["scopeName"]


def test_grammar_patterns_compile():
    found = list(patterns(json.loads(GRAMMAR.read_text())))
    assert len(found) > 10
    for scope, regex in found:
        re.compile(regex)
    config = json.loads((VSCODE / "language-configuration.json").read_text())
    re.compile(config["wordPattern"])
    for rule in config["indentationRules"].values():
        re.compile(rule)


def test_grammar_knows_every_keyword():
    keywords = lexer_keywords()
    assert {"rule", "cites", "effective", "unless", "reviewed", "otherwise"} <= set(keywords)
    keyword_patterns = [re.compile(regex) for scope, regex in patterns(json.loads(
        GRAMMAR.read_text())) if re.search(r"\b(keyword|storage|constant\.language)", scope)]
    missing = [k for k in keywords
               if not any((m := p.search(k)) and m.group(0) == k for p in keyword_patterns)]
    assert not missing, f"keywords of grammar/Cordon.g4 the TextMate grammar misses: {missing}"


def test_grammar_scopes_a_sample():
    grammar = json.loads(GRAMMAR.read_text())
    repo = grammar["repository"]

    def scope_of(group, text):
        for rule in repo[group]["patterns"]:
            if "match" in rule and re.fullmatch(rule["match"], text):
                return rule.get("name")
        return None

    assert scope_of("comments", "/// a doc comment") == "comment.line.documentation.cordon"
    assert scope_of("comments", "// a comment") == "comment.line.double-slash.cordon"
    assert scope_of("dates", "2023-11-17") == "constant.other.date.cordon"
    assert scope_of("numbers", "4_800.5") == "constant.numeric.cordon"
    assert scope_of("keywords", "unless") == "keyword.control.cordon"
