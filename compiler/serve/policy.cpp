// SPDX-License-Identifier: Apache-2.0
// Loading a served policy and describing it (policy.h).
#include "compiler/serve/policy.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "compiler/frontend/frontend.h"
#include "runtime/base/date.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/ir/ir.h"
#include "runtime/ir/serialize.h"

namespace cordon::serve {
namespace {

using json = nlohmann::ordered_json;

auto Hex(uint64_t v) -> std::string { return fmt::format("{:016x}", v); }

auto Dump(const json& j) -> std::string {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The rule files checked, or every diagnostic rendered as `cordon check` prints them.
auto CheckRules(const PolicySource& source, std::vector<std::string>* files = nullptr)
    -> ErrorOr<std::unique_ptr<ir::Program>> {
  std::ostringstream rendered;
  ConsoleRenderer renderer(rendered);
  SortingConsumer sorter(renderer);
  DiagnosticEmitter emitter(sorter);
  frontend::SourceStore sources;
  check::CheckOptions options;
  options.module_path = source.module_path;
  ErrorOr<std::optional<ir::Program>> program =
      frontend::CheckFiles(source.roots, options, sources, emitter);
  sorter.Flush();
  if (files != nullptr) {
    for (const std::string& path : sources.Paths()) {
      if (path.ends_with(".cordon")) {
        std::error_code ec;
        std::filesystem::path absolute = std::filesystem::absolute(path, ec);
        files->push_back(ec ? path : absolute.lexically_normal().string());
      }
    }
  }
  if (!program.ok()) return program.error();
  if (!*program || emitter.error_count() > 0) {
    return Error{fmt::format("{} does not compile:\n{}", source.Describe(), rendered.str()),
                 ErrorKind::kPolicy};
  }
  return std::make_unique<ir::Program>(std::move(**program));
}

}  // namespace

auto PolicySource::Describe() const -> std::string {
  std::string out;
  for (const std::string& r : roots) out += (out.empty() ? "" : " + ") + r;
  if (!library.empty()) out += (out.empty() ? "" : " as ") + library;
  if (!bundle.empty()) out += (out.empty() ? "" : " as ") + bundle;
  return out;
}

auto Policy::Load(const PolicySource& source) -> ErrorOr<std::shared_ptr<Policy>> {
  std::shared_ptr<Policy> policy(new Policy());
  policy->source_ = source;
  ErrorOr<std::unique_ptr<runtime::Engine>> engine = Error{"no policy given"};
  if (!source.bundle.empty()) {
    engine = runtime::Engine::FromBundle(source.bundle, source.engine);
  } else if (!source.library.empty()) {
    // With rule files too, the .so must have been compiled from them (as `cordon decide` checks).
    std::optional<uint64_t> schema;
    std::optional<uint64_t> hash;
    if (!source.roots.empty()) {
      ErrorOr<std::unique_ptr<ir::Program>> program = CheckRules(source);
      if (!program.ok()) return program.error();
      schema = ir::SchemaHash(**program);
      hash = ir::PolicyHash(**program);
    }
    engine = runtime::Engine::FromLibrary(source.library, schema, hash);
  } else if (!source.roots.empty()) {
    ErrorOr<std::unique_ptr<ir::Program>> program = CheckRules(source, &policy->files_);
    if (!program.ok()) return program.error();
    engine = runtime::Engine::FromOwnedProgram(std::move(*program), source.engine);
  }
  if (!engine.ok()) return engine.error();
  policy->engine_ = std::move(*engine);
  policy->hash_hex_ = Hex(policy->engine_->policy_hash());
  policy->loaded_at_ = std::chrono::system_clock::now();
  return policy;
}

Policy::Lease::~Lease() {
  std::lock_guard lock(policy_.pool_mutex_);
  policy_.pool_.push_back(std::move(decider_));
}

auto Policy::Borrow() -> Lease {
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      std::unique_ptr<runtime::JsonDecider> decider = std::move(pool_.back());
      pool_.pop_back();
      return Lease(*this, std::move(decider));
    }
  }
  auto decider = std::make_unique<runtime::JsonDecider>(*engine_);
  decider->session().set_record_tables(true);
  return Lease(*this, std::move(decider));
}

auto Policy::DescribeJson() const -> std::string {
  const ir::Program& p = program();
  json rules = json::array();
  for (const ir::Rule& rule : p.rules) {
    std::string_view cites = runtime::Citation(p, rule);
    rules.push_back({
        {"rule", rule.name},
        {"module", rule.module},
        {"at", fmt::format("{}:{}", rule.file, rule.line)},
        {"outcome", rule.requirement ? std::string("error") : p.outcomes[rule.outcome]},
        {"cites", cites.empty() ? json(nullptr) : json(std::string(cites))},
        {"effective", rule.effective ? json(FormatDate(*rule.effective)) : json(nullptr)},
        {"until", rule.until ? json(FormatDate(*rule.until)) : json(nullptr)},
        {"requirement", rule.requirement},
    });
  }
  json tables = json::array();
  for (const runtime::TableVersion& v : engine_->TableVersions()) {
    tables.push_back({{"table", v.name},
                      {"extern", v.is_extern},
                      {"rows", v.rows},
                      {"hash", Hex(v.hash)},
                      {"read_from", v.source.empty() ? json(nullptr) : json(v.source)},
                      {"modified", v.modified.empty() ? json(nullptr) : json(v.modified)}});
  }
  json out = {
      {"policy_hash", hash_hex_},
      {"schema_hash", Hex(engine_->schema_hash())},
      {"source", source_.Describe()},
      {"engine", runtime::EngineKindName(engine_->kind())},
      {"loaded_at", fmt::format("{:%FT%TZ}", std::chrono::floor<std::chrono::seconds>(loaded_at_))},
      {"reviewed", p.reviewed ? json(FormatDate(*p.reviewed)) : json(nullptr)},
      {"review_grace_days", p.reviewed ? json(p.review_grace_days) : json(nullptr)},
      {"outcomes", p.outcomes},
      {"rules", std::move(rules)},
      {"tables", std::move(tables)},
  };
  return Dump(out);
}

auto Policy::TablesJson(std::span<const uint64_t> hashes) const -> std::string {
  const ir::Program& p = program();
  std::string out = "{";
  for (size_t t = 0; t < hashes.size() && t < p.tables.size(); ++t) {
    // Table names are identifiers: no escaping needed.
    out += fmt::format("{}\"{}\":\"{:016x}\"", t == 0 ? "" : ",", p.tables[t].name, hashes[t]);
  }
  out += '}';
  return out;
}

}  // namespace cordon::serve
