// SPDX-License-Identifier: Apache-2.0
// The playground (`cordon serve --playground`): a page served from the binary, and the calls it
// makes. Each call carries one edited rule file. When its path is a file of the served policy,
// the edited text stands in for that file; any other path is a draft added to the served
// policy, as `cordon decide --policy stdlib/ear --policy draft.cordon` would add it. Nothing is
// written to disk: the checker reads the edited text from memory (SourceStore::Provide).
#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/driver/compare.h"
#include "compiler/frontend/frontend.h"
#include "compiler/serve/server.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/engine/decide_json.h"

// The page's files, embedded at build time (compiler/CMakeLists.txt).
extern "C" {
extern const unsigned char cordon_playground_html[];
extern const unsigned long cordon_playground_html_size;
extern const unsigned char cordon_playground_js[];
extern const unsigned long cordon_playground_js_size;
extern const unsigned char cordon_playground_css[];
extern const unsigned long cordon_playground_css_size;
}

namespace cordon::serve {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

constexpr size_t kMaxEditedBytes = size_t{1} << 20;

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n",
                  "application/json");
}

auto ReadText(const fs::path& path) -> std::string {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class Playground {
 public:
  explicit Playground(Server& server) : server_(server) {
    std::error_code ec;
    root_ = fs::weakly_canonical(server.config().source_root, ec);
    examples_ = server.config().examples_dir.empty() ? root_ / "examples"
                                                     : fs::path(server.config().examples_dir);
  }

  void Start(httplib::Response& res) const {
    std::shared_ptr<Policy> policy = server_.Current();
    json files = json::array();
    std::vector<fs::path> seen;
    auto add = [&](const fs::path& path, bool draft) {
      if (std::find(seen.begin(), seen.end(), path) != seen.end()) return;
      seen.push_back(path);
      files.push_back({{"path", Display(path)}, {"draft", draft}, {"text", ReadText(path)}});
    };
    // Drafts first: examples/drafts, and `proposed/` beside the policy's modules.
    std::vector<fs::path> drafts = Cordons(examples_ / "drafts");
    for (const std::string& file : policy->files()) {
      for (const fs::path& p : Cordons(fs::path(file).parent_path() / "proposed")) {
        drafts.push_back(p);
      }
    }
    for (const fs::path& p : drafts) add(p, true);
    for (const std::string& file : policy->files()) add(fs::path(file), false);
    json roots = json::array();
    for (const std::string& r : policy->source().roots) roots.push_back(Display(fs::absolute(r)));
    Reply(res, 200,
          json{{"policy", {{"roots", roots}, {"hash", policy->hash_hex()}}},
               {"files", std::move(files)},
               {"stories", Stories()}});
  }

  // check, decide and diff: the edited policy checked; then what each does with it.
  void Handle(const std::string& what, const httplib::Request& req, httplib::Response& res) const {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("path") || !body["path"].is_string() ||
        !body.contains("text") || !body["text"].is_string()) {
      Reply(res, 400, json{{"error", "expected {\"path\": \"….cordon\", \"text\": \"…\"}"}});
      return;
    }
    std::string text = body["text"].get<std::string>();
    if (text.size() > kMaxEditedBytes) {
      Reply(res, 413, json{{"error", "the rule file is larger than 1 MiB"}});
      return;
    }
    std::shared_ptr<Policy> policy = server_.Current();
    if (policy->source().roots.empty()) {
      Reply(res, 409,
            json{{"error",
                  "the served policy is a .so or a bundle: the playground needs "
                  "`cordon serve --policy` rule files"}});
      return;
    }
    std::optional<fs::path> path = Resolve(body["path"].get<std::string>());
    if (!path) {
      Reply(res, 400,
            json{{"error", "\"path\" must be a relative path ending in .cordon, without `..`"}});
      return;
    }
    std::vector<std::string> roots = policy->source().roots;
    const std::vector<std::string>& files = policy->files();
    if (std::find(files.begin(), files.end(), path->string()) == files.end()) {
      roots.push_back(path->string());
    }
    frontend::SourceStore sources;
    sources.Provide(path->string(), std::move(text));
    std::ostringstream rendered;
    JsonRenderer renderer(rendered);
    SortingConsumer sorter(renderer);
    DiagnosticEmitter emitter(sorter);
    check::CheckOptions options;
    options.module_path = policy->source().module_path;
    ErrorOr<std::optional<ir::Program>> program =
        frontend::CheckFiles(roots, options, sources, emitter);
    sorter.Flush();
    if (!program.ok()) {
      Reply(res, 422, json{{"error", program.error().message}});
      return;
    }
    json out = {{"diagnostics", Diagnostics(rendered.str())},
                {"errors", emitter.error_count()},
                {"warnings", emitter.warning_count()}};
    const bool usable = program->has_value() && emitter.error_count() == 0;
    if (what == "decide") {
      out["decision"] = nullptr;
      if (usable) {
        if (!body.contains("request") || !body["request"].is_object()) {
          Reply(res, 400, json{{"error", "\"request\" must be a JSON object"}});
          return;
        }
        out["decision"] =
            Decide(std::move(**program), body["request"].dump(), body.value("explain", false));
      }
    } else if (what == "diff" && usable) {
      Diff(*policy, std::move(**program), out);
    }
    Reply(res, 200, out);
  }

 private:
  // A path the client names, under the source root; nullopt when it could leave it.
  auto Resolve(const std::string& given) const -> std::optional<fs::path> {
    fs::path p(given);
    if (given.empty() || given.size() > 256 || p.is_absolute() || !given.ends_with(".cordon")) {
      return std::nullopt;
    }
    for (const fs::path& part : p) {
      if (part == "..") return std::nullopt;
    }
    return (root_ / p).lexically_normal();
  }

  auto Display(const fs::path& path) const -> std::string {
    fs::path relative = path.lexically_normal().lexically_relative(root_);
    if (relative.empty() || *relative.begin() == "..") return path.string();
    return relative.string();
  }

  static auto Cordons(const fs::path& dir) -> std::vector<fs::path> {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".cordon") out.push_back(fs::absolute(e.path()));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Every examples/*/requests.jsonl line, with the expected.jsonl line beside it if any. An
  // example with a policy.cordon of its own holds requests for that policy, not the served one.
  auto Stories() const -> json {
    json stories = json::array();
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(examples_, ec)) {
      if (fs::exists(e.path() / "requests.jsonl") && !fs::exists(e.path() / "policy.cordon")) {
        dirs.push_back(e.path());
      }
    }
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& dir : dirs) {
      std::ifstream requests(dir / "requests.jsonl");
      std::ifstream expected(dir / "expected.jsonl");
      std::string line;
      std::string want;
      for (int n = 1; std::getline(requests, line); ++n) {
        bool has_want = static_cast<bool>(std::getline(expected, want));
        json request = json::parse(line, nullptr, false);
        if (!request.is_object()) continue;
        json expect = has_want ? json::parse(want, nullptr, false) : json(nullptr);
        stories.push_back({{"name", dir.filename().string()},
                           {"line", n},
                           {"request", std::move(request)},
                           {"expected", expect.is_object() ? expect : json(nullptr)}});
      }
    }
    return stories;
  }

  // The JSON renderer's lines, with each file named as the page knows it.
  auto Diagnostics(const std::string& lines) const -> json {
    json out = json::array();
    std::istringstream in(lines);
    std::string line;
    while (std::getline(in, line)) {
      json d = json::parse(line, nullptr, false);
      if (!d.is_object()) continue;
      auto rename = [&](json& j) {
        if (j.contains("file") && j["file"].is_string()) {
          j["file"] = Display(fs::absolute(j["file"].get<std::string>()));
        }
      };
      rename(d);
      if (d.contains("labels")) {
        for (json& l : d["labels"]) rename(l);
      }
      out.push_back(std::move(d));
    }
    return out;
  }

  static auto Decide(ir::Program program, const std::string& request, bool explain) -> json {
    ErrorOr<std::unique_ptr<runtime::Engine>> engine = runtime::Engine::FromOwnedProgram(
        std::make_unique<ir::Program>(std::move(program)), runtime::EngineKind::kInterp);
    if (!engine.ok()) return json{{"error", engine.error().message}};
    runtime::JsonDecider decider(**engine);
    interp::Decision decision;
    interp::Trace trace;
    std::vector<std::string> problems;
    bool ok = decider.Decide(request, std::nullopt, decision, explain ? &trace : nullptr, problems);
    std::string line;
    runtime::AppendDecisionJson(line, (*engine)->program(), decision, problems,
                                explain && ok ? &trace : nullptr, decider.day());
    return json::parse(line, nullptr, false);
  }

  // `cordon diff --json` of the edited policy against the served one, over the stories.
  void Diff(Policy& served, ir::Program program, json& out) const {
    ErrorOr<std::unique_ptr<runtime::Engine>> engine = runtime::Engine::FromOwnedProgram(
        std::make_unique<ir::Program>(std::move(program)), runtime::EngineKind::kInterp);
    if (!engine.ok()) {
      out["error"] = engine.error().message;
      return;
    }
    runtime::JsonDecider edited(**engine);
    Policy::Lease before = served.Borrow();
    driver::Tally tally;
    json changes = json::array();
    int requests = 0;
    int errors = 0;
    for (const json& story : Stories()) {
      ++requests;
      std::string text = story["request"].dump();
      driver::Side from = driver::DecideSide(*before, served.program(), text, std::nullopt);
      driver::Side to = driver::DecideSide(edited, (*engine)->program(), text, std::nullopt);
      if (from.decision == "error" || to.decision == "error") ++errors;
      driver::Change change = driver::Compare(from, to);
      if (!change.any()) continue;
      tally.Add(from, to, change);
      json entry = {{"story", story["name"]}, {"line", story["line"]}};
      driver::AddChangeJson(entry, from, to, change);
      changes.push_back(std::move(entry));
    }
    out["changes"] = std::move(changes);
    out["summary"] = {{"requests", requests},
                      {"decision_changed", tally.changed},
                      {"reasons_changed_only", tally.reasons_only},
                      {"error_under_either", errors},
                      {"rules", driver::RulesJson(tally)}};
  }

  Server& server_;
  fs::path root_;
  fs::path examples_;
};

void Asset(httplib::Response& res, const unsigned char* data, unsigned long size,
           const char* type) {
  res.set_content(reinterpret_cast<const char*>(data), size, type);
  res.set_header("Cache-Control", "no-cache");
}

}  // namespace

void AddPlayground(httplib::Server& http, Server& server) {
  auto playground = std::make_shared<Playground>(server);
  http.Get("/", [](const httplib::Request&, httplib::Response& res) {
    Asset(res, cordon_playground_html, cordon_playground_html_size, "text/html; charset=utf-8");
  });
  http.Get("/playground.js", [](const httplib::Request&, httplib::Response& res) {
    Asset(res, cordon_playground_js, cordon_playground_js_size, "text/javascript; charset=utf-8");
  });
  http.Get("/playground.css", [](const httplib::Request&, httplib::Response& res) {
    Asset(res, cordon_playground_css, cordon_playground_css_size, "text/css; charset=utf-8");
  });
  http.Get("/v1/playground/start", [playground](const httplib::Request&, httplib::Response& res) {
    playground->Start(res);
  });
  for (const char* what : {"check", "decide", "diff"}) {
    http.Post(fmt::format("/v1/playground/{}", what),
              [playground, &server, what = std::string(what)](const httplib::Request& req,
                                                              httplib::Response& res) {
                // On the loader thread, as reloads: see Server::loader_.
                server.RunOnLoader([&] { playground->Handle(what, req, res); });
              });
  }
}

}  // namespace cordon::serve
