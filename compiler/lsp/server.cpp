// SPDX-License-Identifier: Apache-2.0
// The language server: JSON-RPC with Content-Length framing, the documents an editor has open,
// one check per document version (its diagnostics published once), and the answers read from
// that check's SymbolIndex. Every message is handled inside one boundary that turns a bad
// message or a bug into an error response, so no document and no message stops the server.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/format/format.h"
#include "compiler/frontend/frontend.h"
#include "compiler/lsp/lsp.h"
#include "runtime/base/countries.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/source/source_buffer.h"

namespace cordon::lsp {
namespace {

using json = nlohmann::json;
using Symbol = check::SymbolIndex::Symbol;

// JSON-RPC and LSP error codes.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
constexpr int kServerNotInitialized = -32002;

// A message larger than this is read and dropped: no document an editor sends is near it.
constexpr size_t kMaxMessageBytes = size_t{256} << 20;

// The keywords of grammar/Cordon.g4, offered where a name may be written.
constexpr const char* kKeywords[] = {
    "module",    "title", "source",        "import", "unit",      "outcomes", "input",   "let",
    "extern",    "table", "normalization", "match",  "from",      "rule",     "require", "cites",
    "effective", "until", "when",          "then",   "unless",    "test",     "given",   "expect",
    "by",        "enum",  "set",           "and",    "or",        "not",      "in",      "is",
    "some",      "none",  "true",          "false",  "otherwise", "if",       "extend",  "reviewed",
    "grace",     "else",  "list",          "any",    "all",       "count",    "sum",     "min",
    "max"};

enum class ReadStatus { kOk, kEof, kBadHeader, kTooLarge };

// One framed message: headers up to an empty line, then Content-Length bytes.
auto ReadMessage(std::istream& in, std::string& body) -> ReadStatus {
  std::optional<size_t> length;
  bool any_header = false;
  std::string line;
  while (true) {
    if (!std::getline(in, line)) return ReadStatus::kEof;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      if (!any_header) continue;  // stray blank lines between messages
      break;
    }
    any_header = true;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name != "content-length") continue;
    std::string value = line.substr(colon + 1);
    size_t start = value.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    size_t n = 0;
    bool digits = false;
    bool overflow = false;
    for (size_t i = start; i < value.size() && std::isdigit(static_cast<unsigned char>(value[i]));
         ++i) {
      digits = true;
      if (n > (SIZE_MAX - 9) / 10) overflow = true;
      n = n * 10 + static_cast<size_t>(value[i] - '0');
    }
    if (digits && !overflow) length = n;
  }
  if (!length) return ReadStatus::kBadHeader;
  if (*length > kMaxMessageBytes) {
    // Skip what was announced, in pieces, so the next message can still be read.
    char buffer[1 << 16];
    size_t left = *length;
    while (left > 0 && in) {
      in.read(buffer, static_cast<std::streamsize>(std::min(left, sizeof buffer)));
      left -= static_cast<size_t>(in.gcount());
      if (in.gcount() == 0) break;
    }
    return left == 0 ? ReadStatus::kTooLarge : ReadStatus::kEof;
  }
  body.resize(*length);
  in.read(body.data(), static_cast<std::streamsize>(*length));
  if (static_cast<size_t>(in.gcount()) != *length) return ReadStatus::kEof;
  return ReadStatus::kOk;
}

auto ToJson(Position p) -> json { return json{{"line", p.line}, {"character", p.character}}; }

auto RangeJson(const LineMap& map, SourceRange range) -> json {
  return json{{"start", ToJson(map.PositionOf(range.begin))},
              {"end", ToJson(map.PositionOf(std::max(range.begin, range.end)))}};
}

auto FirstLine(const std::string& text) -> std::string { return text.substr(0, text.find('\n')); }

auto Contains(SourceRange range, uint32_t offset) -> bool {
  return range.begin <= offset && offset <= range.end && !range.empty();
}

// What a checked version of a document knows.
struct Analysis {
  check::SymbolIndex index;
  std::string path;
  // Whether the check got as far as names (it stops after syntax errors).
  bool resolved = false;

  auto ModuleOf(const std::string& file) const -> const check::SymbolIndex::Module* {
    for (const auto& module : index.modules) {
      if (module.file == file) return &module;
    }
    return nullptr;
  }
};

struct Document {
  std::string uri;
  std::string path;
  std::string text;
  int64_t version = 0;
  std::shared_ptr<const Analysis> analysis;  // of this version
  std::shared_ptr<const Analysis> resolved;  // the newest one that resolved names
  std::set<std::string> other_uris;          // closed files this document's check reported on
};

class Server {
 public:
  Server(std::ostream& out, std::ostream& log, const ServerOptions& options)
      : out_(out), log_(log), options_(options) {}

  // One message's body. Returns false once `exit` arrives.
  auto Handle(const std::string& body) -> bool;
  void ReplyError(const json& id, int code, const std::string& message) {
    Send(json{
        {"jsonrpc", "2.0"}, {"id", id}, {"error", json{{"code", code}, {"message", message}}}});
  }
  auto exit_code() const -> int { return shutdown_ ? 0 : 1; }

 private:
  void Send(const json& message) {
    std::string text = message.dump(-1, ' ', false, json::error_handler_t::replace);
    out_ << "Content-Length: " << text.size() << "\r\n\r\n" << text;
    out_.flush();
  }
  void Notify(const std::string& method, json params) {
    Send(json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
  }

  auto Dispatch(const std::string& method, const json& params, bool& handled) -> json;
  auto Initialize() -> json;
  void DidOpen(const json& params);
  void DidChange(const json& params);
  void DidClose(const json& params);
  auto Hover(const json& params) -> json;
  auto Definition(const json& params) -> json;
  auto Completion(const json& params) -> json;
  auto DocumentSymbols(const json& params) -> json;
  auto Formatting(const json& params) -> json;

  // Checks `doc` as it is now and publishes its diagnostics: once per version.
  void Analyze(Document& doc);
  auto Find(const json& params) -> Document*;
  auto OffsetAt(const Document& doc, const json& params) -> uint32_t;
  // The symbol at `offset`: a name the check resolved, a declaration, or (when this version does
  // not parse) the word there looked up among the names the last good check saw.
  auto SymbolAt(const Document& doc, uint32_t offset) -> std::optional<Symbol>;
  // The fields `object` (`request.item`) has, from the check or by following field types.
  auto FieldsOf(const Document& doc, const std::string& object) -> std::vector<Symbol>;
  auto TextOf(const std::string& file) -> const std::string&;
  auto LocationJson(const check::SymbolIndex::Site& site) -> json;
  auto UriOf(const std::string& path) -> std::string;

  std::ostream& out_;
  std::ostream& log_;
  const ServerOptions& options_;
  bool initialized_ = false;
  bool shutdown_ = false;
  std::map<std::string, Document> docs_;     // by URI
  std::map<std::string, std::string> disk_;  // closed files read for positions, by path
};

auto Server::Handle(const std::string& raw) -> bool {
  json message;
  try {
    message = json::parse(raw);
  } catch (const json::exception&) {
    // Text that is not UTF-8 is made so; anything else is a parse error.
    try {
      message = json::parse(SanitizeUtf8(raw));
    } catch (const json::exception& e) {
      ReplyError(nullptr, kParseError, fmt::format("the message is not JSON: {}", e.what()));
      return true;
    }
  }
  if (!message.is_object() || !message.contains("method") || !message["method"].is_string()) {
    if (message.is_object() && (message.contains("result") || message.contains("error"))) {
      return true;  // a reply to a request of ours: we send none
    }
    json id = message.is_object() && message.contains("id") ? message["id"] : json(nullptr);
    if (!id.is_number() && !id.is_string()) id = nullptr;
    ReplyError(id, kInvalidRequest, "a JSON-RPC request needs a `method` string");
    return true;
  }
  const std::string method = message["method"].get<std::string>();
  const bool is_request = message.contains("id");
  json id = is_request ? message["id"] : json(nullptr);
  if (is_request && !id.is_number() && !id.is_string()) {
    ReplyError(nullptr, kInvalidRequest, "a request's `id` is a number or a string");
    return true;
  }
  const json params = message.contains("params") ? message["params"] : json::object();
  if (method == "exit") return false;
  if (!initialized_ && method != "initialize") {
    if (is_request) ReplyError(id, kServerNotInitialized, "the server is not initialized yet");
    return true;
  }
  if (shutdown_ && is_request) {
    ReplyError(id, kInvalidRequest, "the server is shutting down");
    return true;
  }
  try {
    bool handled = true;
    json result = Dispatch(method, params, handled);
    if (!is_request) return true;
    if (!handled) {
      ReplyError(id, kMethodNotFound, fmt::format("unknown method `{}`", method));
    } else {
      Send(json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
    }
  } catch (const json::exception& e) {
    if (is_request) ReplyError(id, kInvalidParams, fmt::format("bad params: {}", e.what()));
  } catch (const std::exception& e) {
    log_ << "cordon lsp: internal error in " << method << ": " << e.what() << '\n';
    if (is_request) ReplyError(id, kInternalError, e.what());
  }
  return true;
}

auto Server::Dispatch(const std::string& method, const json& params, bool& handled) -> json {
  if (method == "initialize") {
    initialized_ = true;
    return Initialize();
  }
  if (method == "initialized") return nullptr;
  if (method == "shutdown") {
    shutdown_ = true;
    return nullptr;
  }
  if (method == "textDocument/didOpen") {
    DidOpen(params);
    return nullptr;
  }
  if (method == "textDocument/didChange") {
    DidChange(params);
    return nullptr;
  }
  if (method == "textDocument/didClose") {
    DidClose(params);
    return nullptr;
  }
  if (method == "textDocument/didSave") return nullptr;  // same text, same version
  if (method == "textDocument/hover") return Hover(params);
  if (method == "textDocument/definition") return Definition(params);
  if (method == "textDocument/completion") return Completion(params);
  if (method == "textDocument/documentSymbol") return DocumentSymbols(params);
  if (method == "textDocument/formatting") return Formatting(params);
  handled = false;
  return nullptr;
}

auto Server::Initialize() -> json {
  json capabilities = {
      // Incremental: the editor sends the range it changed.
      {"textDocumentSync", json{{"openClose", true}, {"change", 2}, {"save", true}}},
      {"hoverProvider", true},
      {"definitionProvider", true},
      {"completionProvider", json{{"triggerCharacters", json::array({"."})}}},
      {"documentSymbolProvider", true},
  };
  capabilities["documentFormattingProvider"] = true;
  return json{{"capabilities", capabilities},
              {"serverInfo", json{{"name", "cordon"}, {"version", CORDON_VERSION_STRING}}}};
}

auto Server::UriOf(const std::string& path) -> std::string {
  for (const auto& [uri, doc] : docs_) {
    if (doc.path == path) return uri;
  }
  return PathToUri(path);
}

void Server::DidOpen(const json& params) {
  const json& item = params.at("textDocument");
  // Read whole before anything changes: params of the wrong shape leave no half-open document.
  std::string uri = item.at("uri").get<std::string>();
  std::string text = SanitizeUtf8(item.at("text").get<std::string>());
  int64_t version = item.value("version", int64_t{0});
  Document& doc = docs_[uri];
  doc.uri = uri;
  doc.path = UriToPath(uri);
  doc.text = std::move(text);
  doc.version = version;
  disk_.erase(doc.path);
  Analyze(doc);
}

void Server::DidChange(const json& params) {
  const json& item = params.at("textDocument");
  auto it = docs_.find(item.at("uri").get<std::string>());
  if (it == docs_.end()) return;  // not opened: nothing to change
  Document& doc = it->second;
  // Applied to a copy and kept only when every change was well formed.
  std::string text = doc.text;
  for (const json& change : params.at("contentChanges")) {
    std::string replacement = SanitizeUtf8(change.at("text").get<std::string>());
    if (!change.contains("range")) {
      text = std::move(replacement);
      continue;
    }
    const json& range = change.at("range");
    LineMap map(text);
    auto position = [](const json& p) {
      return Position{p.at("line").get<uint32_t>(), p.at("character").get<uint32_t>()};
    };
    uint32_t begin = map.OffsetOf(position(range.at("start")));
    uint32_t end = map.OffsetOf(position(range.at("end")));
    if (end < begin) std::swap(begin, end);
    text.replace(begin, end - begin, replacement);
  }
  doc.version = item.value("version", doc.version + 1);
  doc.text = std::move(text);
  Analyze(doc);
}

void Server::DidClose(const json& params) {
  std::string uri = params.at("textDocument").at("uri").get<std::string>();
  auto it = docs_.find(uri);
  if (it == docs_.end()) return;
  std::set<std::string> others = std::move(it->second.other_uris);
  docs_.erase(it);
  Notify("textDocument/publishDiagnostics", json{{"uri", uri}, {"diagnostics", json::array()}});
  for (const std::string& other : others) {
    Notify("textDocument/publishDiagnostics", json{{"uri", other}, {"diagnostics", json::array()}});
  }
}

void Server::Analyze(Document& doc) {
  auto analysis = std::make_shared<Analysis>();
  analysis->path = doc.path;
  std::map<std::string, json> by_file;  // diagnostics by file
  by_file[doc.path] = json::array();
  try {
    frontend::SourceStore sources;
    for (const auto& [uri, open] : docs_) sources.Provide(open.path, open.text);
    CollectingConsumer collected;
    {
      // Sorted and capped as `cordon check` prints them.
      SortingConsumer sorter(collected);
      DiagnosticEmitter emitter(sorter);
      check::CheckOptions options = options_.check;
      options.index = &analysis->index;
      ErrorOr<std::optional<ir::Program>> program =
          frontend::CheckFiles({doc.path}, options, sources, emitter);
      sorter.Flush();
      if (!program.ok()) {
        by_file[doc.path].push_back(
            json{{"range", json{{"start", ToJson({})}, {"end", ToJson({})}}},
                 {"severity", 1},
                 {"source", "cordon"},
                 {"message", program.error().message}});
      }
    }
    for (const auto& module : analysis->index.modules) {
      if (!module.visible.empty()) analysis->resolved = true;
    }
    std::map<const SourceBuffer*, std::unique_ptr<LineMap>> maps;
    std::map<std::string, json> broken_imports;  // open imported files with errors: the first
    std::unique_ptr<LineMap> doc_map;
    auto map_of_text = [&](const std::string& text) -> const LineMap& {
      if (!doc_map) doc_map = std::make_unique<LineMap>(text);
      return *doc_map;
    };
    auto map_of = [&](const SourceBuffer* source) -> const LineMap& {
      auto& map = maps[source];
      if (!map) map = std::make_unique<LineMap>(source->text());
      return *map;
    };
    auto range_of = [&](const Location& location) -> json {
      if (location.source == nullptr || !location.range) {
        return json{{"start", ToJson({})}, {"end", ToJson({})}};
      }
      return RangeJson(map_of(location.source), *location.range);
    };
    for (const Diagnostic& d : collected.diagnostics) {
      std::string file = d.location.source != nullptr ? d.location.source->filename() : doc.path;
      json out = {{"range", range_of(d.location)},
                  {"severity", d.severity == Severity::kError     ? 1
                               : d.severity == Severity::kWarning ? 2
                                                                  : 3},
                  {"code", std::string(DiagnosticKindName(d.kind))},
                  {"source", "cordon"},
                  {"message", d.help.empty() ? d.message : d.message + "\nhelp: " + d.help}};
      json related = json::array();
      for (const Label& label : d.labels) {
        std::string label_file =
            label.location.source != nullptr ? label.location.source->filename() : file;
        related.push_back(json{
            {"location", json{{"uri", UriOf(label_file)}, {"range", range_of(label.location)}}},
            {"message", label.message}});
      }
      if (!related.empty()) out["relatedInformation"] = std::move(related);
      if (file != doc.path) {
        bool open = false;
        for (const auto& [uri, other] : docs_) open = open || other.path == file;
        // An open file reports its own diagnostics when it is checked. Its errors still stop
        // this check (after a syntax error nothing more is checked), so this document says so
        // once, at the import that leads there.
        if (open) {
          if (d.severity == Severity::kError && !broken_imports.contains(file)) {
            broken_imports.emplace(file, out);
          }
          continue;
        }
      }
      by_file[file].push_back(std::move(out));
    }
    const auto* root = analysis->ModuleOf(doc.path);
    for (const auto& [file, first] : broken_imports) {
      SourceRange at;
      if (root != nullptr) {
        for (const auto& [path, imported] : root->imports) {
          if (imported == file) at = path;
        }
      }
      const LineMap& map = map_of_text(doc.text);
      by_file[doc.path].push_back(json{
          {"range", RangeJson(map, at)},
          {"severity", 1},
          {"source", "cordon"},
          {"message", fmt::format("`{}`, imported, has errors: the first is: {}", file,
                                  FirstLine(first["message"].get<std::string>()))},
          {"relatedInformation",
           json::array({json{{"location", json{{"uri", UriOf(file)}, {"range", first["range"]}}},
                             {"message", "the first error there"}}})}});
    }
  } catch (const std::exception& e) {
    log_ << "cordon lsp: internal error checking " << doc.path << ": " << e.what() << '\n';
    by_file.clear();
    by_file[doc.path] = json::array(
        {json{{"range", json{{"start", ToJson({})}, {"end", ToJson({})}}},
              {"severity", 1},
              {"source", "cordon"},
              {"message", fmt::format("internal error while checking: {}", e.what())}}});
  }
  doc.analysis = analysis;
  if (analysis->resolved) doc.resolved = analysis;
  Notify("textDocument/publishDiagnostics",
         json{{"uri", doc.uri}, {"version", doc.version}, {"diagnostics", by_file[doc.path]}});
  // Closed files this check found mistakes in get theirs; those that had some and now have
  // none are cleared.
  std::set<std::string> others;
  for (auto& [file, diagnostics] : by_file) {
    if (file == doc.path) continue;
    std::string uri = UriOf(file);
    others.insert(uri);
    Notify("textDocument/publishDiagnostics",
           json{{"uri", uri}, {"diagnostics", std::move(diagnostics)}});
  }
  for (const std::string& uri : doc.other_uris) {
    if (others.contains(uri) || docs_.contains(uri)) continue;
    Notify("textDocument/publishDiagnostics", json{{"uri", uri}, {"diagnostics", json::array()}});
  }
  doc.other_uris = std::move(others);
}

auto Server::Find(const json& params) -> Document* {
  auto it = docs_.find(params.at("textDocument").at("uri").get<std::string>());
  return it == docs_.end() ? nullptr : &it->second;
}

auto Server::OffsetAt(const Document& doc, const json& params) -> uint32_t {
  const json& p = params.at("position");
  return LineMap(doc.text).OffsetOf(
      Position{p.at("line").get<uint32_t>(), p.at("character").get<uint32_t>()});
}

auto Server::TextOf(const std::string& file) -> const std::string& {
  for (const auto& [uri, doc] : docs_) {
    if (doc.path == file) return doc.text;
  }
  auto it = disk_.find(file);
  if (it != disk_.end()) return it->second;
  std::string text;
  std::ifstream in(file, std::ios::binary);
  if (in) {
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  return disk_[file] = std::move(text);
}

auto Server::LocationJson(const check::SymbolIndex::Site& site) -> json {
  const std::string& text = TextOf(site.file);
  LineMap map(text);
  return json{{"uri", UriOf(site.file)}, {"range", RangeJson(map, site.range)}};
}

auto IsWordChar(char c) -> bool {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

auto Server::SymbolAt(const Document& doc, uint32_t offset) -> std::optional<Symbol> {
  if (const Analysis* analysis = doc.analysis.get()) {
    // The innermost name the check resolved here.
    const check::SymbolIndex::Reference* best = nullptr;
    for (const auto& ref : analysis->index.references) {
      if (ref.use.file != doc.path || !Contains(ref.use.range, offset)) continue;
      if (best == nullptr ||
          ref.use.range.end - ref.use.range.begin < best->use.range.end - best->use.range.begin) {
        best = &ref;
      }
    }
    if (best != nullptr) return best->target;
    // A declaration's own name.
    if (const auto* module = analysis->ModuleOf(doc.path)) {
      for (const Symbol& decl : module->decls) {
        if (Contains(decl.site.range, offset)) return decl;
        for (const Symbol& child : decl.children) {
          if (Contains(child.site.range, offset)) return child;
        }
      }
    }
  }
  // This version does not parse (or the name was not checked): the word under the cursor,
  // among the names the newest good check saw.
  uint32_t begin = std::min<uint32_t>(offset, static_cast<uint32_t>(doc.text.size()));
  uint32_t end = begin;
  while (begin > 0 && IsWordChar(doc.text[begin - 1])) --begin;
  while (end < doc.text.size() && IsWordChar(doc.text[end])) ++end;
  if (begin == end) return std::nullopt;
  std::string word = doc.text.substr(begin, end - begin);
  // `a.b.word`: a field, by following the types of `a.b`.
  if (begin > 0 && doc.text[begin - 1] == '.') {
    uint32_t start = begin - 1;
    while (start > 0 && (IsWordChar(doc.text[start - 1]) || doc.text[start - 1] == '.')) --start;
    std::string object = doc.text.substr(start, begin - 1 - start);
    for (const Symbol& field : FieldsOf(doc, object)) {
      if (field.name == word) return field;
    }
    return std::nullopt;
  }
  const Analysis* names = doc.resolved ? doc.resolved.get() : doc.analysis.get();
  if (names == nullptr) return std::nullopt;
  if (const auto* module = names->ModuleOf(doc.path)) {
    if (auto it = module->visible.find(word); it != module->visible.end()) return it->second;
  }
  return std::nullopt;
}

// `number?`, `list<Owner, 32>`, `Item?` -> the record name a field's type names, if any.
auto RecordName(const std::string& type) -> std::string {
  std::string t = FirstLine(type);
  if (t.rfind("list<", 0) == 0) {
    t = t.substr(5);
    t = t.substr(0, t.find_first_of(",>"));
  }
  while (!t.empty() && (t.back() == '?' || t.back() == ' ')) t.pop_back();
  return t;
}

auto Server::FieldsOf(const Document& doc, const std::string& object) -> std::vector<Symbol> {
  for (const Analysis* analysis : {doc.analysis.get(), doc.resolved.get()}) {
    if (analysis == nullptr) continue;
    auto it = analysis->index.fields_of.find({doc.path, object});
    if (it != analysis->index.fields_of.end()) return it->second;
  }
  // Follow the declared types from `request` (or a record named like the first part).
  const Analysis* names = doc.resolved ? doc.resolved.get() : doc.analysis.get();
  if (names == nullptr) return {};
  auto fields_of_record = [&](const std::string& record) {
    std::vector<Symbol> fields;
    for (const auto& module : names->index.modules) {
      for (const Symbol& decl : module.decls) {
        if ((decl.kind == "input" || decl.kind == "extend") && decl.name == record) {
          fields.insert(fields.end(), decl.children.begin(), decl.children.end());
        }
      }
    }
    return fields;
  };
  std::vector<std::string> parts;
  std::stringstream split(object);
  for (std::string part; std::getline(split, part, '.');) parts.push_back(part);
  if (parts.empty()) return {};
  std::vector<Symbol> fields;
  if (parts[0] == "request") {
    fields = fields_of_record("Request");
  } else {
    return {};
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string next;
    for (const Symbol& f : fields) {
      if (f.name == parts[i]) next = RecordName(f.detail);
    }
    if (next.empty()) return {};
    fields = fields_of_record(next);
  }
  return fields;
}

auto MarkdownOf(const Symbol& symbol) -> std::string {
  std::string head;
  std::string rest;
  std::string first = FirstLine(symbol.detail);
  std::string more =
      symbol.detail.size() > first.size() ? symbol.detail.substr(first.size() + 1) : "";
  if (symbol.kind == "field" || symbol.kind == "column" || symbol.kind == "local" ||
      symbol.kind == "param") {
    head = fmt::format("{}: {}", symbol.name, first);
    rest = more;
  } else if (symbol.kind == "rule") {
    head = "rule " + symbol.name;
    rest = symbol.detail;
  } else if (symbol.kind == "outcome") {
    head = "outcome " + symbol.name;
    rest = symbol.detail;
  } else if (symbol.kind == "test") {
    head = fmt::format("test \"{}\"", symbol.name);
    rest = symbol.detail;
  } else {
    head = first.empty() ? symbol.kind + " " + symbol.name : first;
    rest = more;
  }
  std::string out = "```cordon\n" + head + "\n```";
  if (!rest.empty()) {
    out += "\n\n";
    std::stringstream lines(rest);
    for (std::string line; std::getline(lines, line);) out += line + "  \n";
  }
  if (!symbol.doc.empty()) out += "\n\n" + symbol.doc;
  return out;
}

auto Server::Hover(const json& params) -> json {
  Document* doc = Find(params);
  if (doc == nullptr) return nullptr;
  uint32_t offset = OffsetAt(*doc, params);
  std::optional<Symbol> symbol = SymbolAt(*doc, offset);
  if (!symbol) {
    // A country code names itself: say which country it is.
    uint32_t begin = std::min<uint32_t>(offset, static_cast<uint32_t>(doc->text.size()));
    uint32_t end = begin;
    while (begin > 0 && IsWordChar(doc->text[begin - 1])) --begin;
    while (end < doc->text.size() && IsWordChar(doc->text[end])) ++end;
    std::string word = doc->text.substr(begin, end - begin);
    std::optional<CountryIndex> country =
        word.size() == 2 ? LookupCountry(word) : std::optional<CountryIndex>();
    if (!country) return nullptr;
    return json{{"contents", json{{"kind", "markdown"},
                                  {"value", fmt::format("```cordon\ncountry {}\n```\n\n{}", word,
                                                        CountryName(*country))}}}};
  }
  return json{{"contents", json{{"kind", "markdown"}, {"value", MarkdownOf(*symbol)}}}};
}

auto Server::Definition(const json& params) -> json {
  Document* doc = Find(params);
  if (doc == nullptr) return nullptr;
  std::optional<Symbol> symbol = SymbolAt(*doc, OffsetAt(*doc, params));
  if (!symbol || symbol->site.file.empty()) return nullptr;
  if (symbol->site.range.empty() && symbol->kind != "module") return nullptr;
  return LocationJson(symbol->site);
}

// LSP CompletionItemKind and SymbolKind for each kind of declaration.
auto CompletionKind(const std::string& kind) -> int {
  if (kind == "field" || kind == "column") return 5;
  if (kind == "let" || kind == "local" || kind == "param") return 6;
  if (kind == "input" || kind == "extend") return 7;
  if (kind == "module") return 9;
  if (kind == "unit") return 11;
  if (kind == "table") return 22;
  if (kind == "outcome") return 20;
  if (kind == "rule") return 3;
  return 1;
}

auto SymbolKindOf(const Symbol& symbol) -> int {
  const std::string& kind = symbol.kind;
  if (kind == "module") return 2;
  if (kind == "input" || kind == "extend") return 5;
  if (kind == "field") return 8;
  if (kind == "column") return 7;
  if (kind == "let") return symbol.detail.find('(') != std::string::npos ? 12 : 13;
  if (kind == "table") return 23;
  if (kind == "rule") return 24;
  if (kind == "outcomes") return 10;
  if (kind == "outcome") return 22;
  if (kind == "unit") return 14;
  if (kind == "normalization") return 11;
  if (kind == "test") return 6;
  if (kind == "require" || kind == "review") return 15;
  return 13;
}

auto Item(const Symbol& symbol) -> json {
  json item = {{"label", symbol.name},
               {"kind", CompletionKind(symbol.kind)},
               {"detail", FirstLine(symbol.detail)}};
  if (!symbol.doc.empty()) {
    item["documentation"] = json{{"kind", "markdown"}, {"value", symbol.doc}};
  }
  return item;
}

auto Server::Completion(const json& params) -> json {
  json items = json::array();
  Document* doc = Find(params);
  if (doc == nullptr) return json{{"isIncomplete", false}, {"items", items}};
  uint32_t offset = OffsetAt(*doc, params);
  size_t line_start = doc->text.rfind('\n', offset == 0 ? 0 : offset - 1);
  line_start = line_start == std::string::npos || offset == 0 ? 0 : line_start + 1;
  // Only the end of the line matters: bound the work on a huge line.
  size_t from = std::max(line_start, offset > 512 ? size_t{offset} - 512 : size_t{0});
  std::string before = doc->text.substr(from, offset - from);

  static const std::regex kMember(
      R"(([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\.([A-Za-z0-9_]*)$)");
  static const std::regex kOutcome(R"((?:^|[^A-Za-z0-9_])(?:then|expect)\s+[A-Za-z0-9_]*$)");
  static const std::regex kUnit(
      R"((?:^|[^A-Za-z0-9_.])[0-9][0-9_]*(?:\.[0-9_]+)?\s+[A-Za-z0-9_]*$)");
  std::smatch match;
  const Analysis* names = doc->resolved ? doc->resolved.get() : doc->analysis.get();
  const check::SymbolIndex::Module* module =
      names == nullptr ? nullptr : names->ModuleOf(doc->path);
  if (std::regex_search(before, match, kMember)) {
    for (const Symbol& field : FieldsOf(*doc, match[1].str())) items.push_back(Item(field));
  } else if (std::regex_search(before, match, kOutcome)) {
    if (names != nullptr) {
      for (const std::string& outcome : names->index.outcomes) {
        items.push_back(json{{"label", outcome}, {"kind", 20}, {"detail", "outcome"}});
      }
    }
  } else if (std::regex_search(before, match, kUnit)) {
    if (module != nullptr) {
      for (const auto& [name, symbol] : module->visible) {
        if (symbol.kind == "unit") items.push_back(Item(symbol));
      }
    }
  } else {
    if (module != nullptr) {
      for (const auto& [name, symbol] : module->visible) items.push_back(Item(symbol));
    }
    items.push_back(json{{"label", "request"}, {"kind", 6}, {"detail", "the request (Request)"}});
    for (const char* keyword : kKeywords) {
      items.push_back(json{{"label", keyword}, {"kind", 14}});
    }
    for (CountryIndex c = 0; c < kCountrySlots; ++c) {
      std::string_view name = CountryName(c);
      if (name.empty()) continue;
      items.push_back(json{{"label", CountryCode(c)}, {"kind", 21}, {"detail", name}});
    }
  }
  return json{{"isIncomplete", false}, {"items", items}};
}

auto Server::DocumentSymbols(const json& params) -> json {
  json out = json::array();
  Document* doc = Find(params);
  if (doc == nullptr || doc->analysis == nullptr) return out;
  const auto* module = doc->analysis->ModuleOf(doc->path);
  if (module == nullptr) return out;
  LineMap map(doc->text);
  std::function<json(const Symbol&)> convert = [&](const Symbol& symbol) -> json {
    SourceRange extent = symbol.extent.empty() ? symbol.site.range : symbol.extent;
    SourceRange selection = symbol.site.range;
    if (selection.begin < extent.begin || selection.end > extent.end) selection = extent;
    json s = {{"name", symbol.name.empty() ? symbol.kind : symbol.name},
              {"detail", FirstLine(symbol.detail)},
              {"kind", SymbolKindOf(symbol)},
              {"range", RangeJson(map, extent)},
              {"selectionRange", RangeJson(map, selection)}};
    json children = json::array();
    for (const Symbol& child : symbol.children) children.push_back(convert(child));
    if (!children.empty()) s["children"] = std::move(children);
    return s;
  };
  for (const Symbol& decl : module->decls) out.push_back(convert(decl));
  return out;
}

auto Server::Formatting(const json& params) -> json {
  Document* doc = Find(params);
  if (doc == nullptr) return nullptr;
  SourceBuffer source = SourceBuffer::FromText(doc->path, doc->text);
  CollectingConsumer ignored;  // syntax errors are already the document's diagnostics
  DiagnosticEmitter emitter(ignored);
  std::optional<std::string> formatted = format::Format(source, emitter);
  if (!formatted) return nullptr;
  if (*formatted == doc->text) return json::array();
  LineMap map(doc->text);
  return json::array(
      {json{{"range", RangeJson(map, SourceRange{0, static_cast<uint32_t>(doc->text.size())})},
            {"newText", *formatted}}});
}

}  // namespace

auto Serve(std::istream& in, std::ostream& out, std::ostream& log, const ServerOptions& options)
    -> int {
  Server server(out, log, options);
  std::string body;
  while (true) {
    switch (ReadMessage(in, body)) {
      case ReadStatus::kEof:
        return server.exit_code();
      case ReadStatus::kBadHeader:
        server.ReplyError(nullptr, kInvalidRequest, "a message needs a Content-Length header");
        continue;
      case ReadStatus::kTooLarge:
        server.ReplyError(nullptr, kInvalidRequest, "the message is too large");
        continue;
      case ReadStatus::kOk:
        break;
    }
    if (!server.Handle(body)) return server.exit_code();
  }
}

}  // namespace cordon::lsp
