// SPDX-License-Identifier: Apache-2.0
// The C API (runtime/include/cordon/cordon.h) over runtime::Engine. Every entry point catches
// everything: no C++ exception crosses into a C host.
#include <cordon/cordon.h>
#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/abi/abi.h"
#include "runtime/base/date.h"
#include "runtime/base/number.h"
#include "runtime/base/spelling.h"
#include "runtime/engine/batch.h"
#include "runtime/engine/decide_json.h"
#include "runtime/engine/engine.h"
#include "runtime/request/builder.h"
#include "runtime/request/request.h"
#include "runtime/source/source_buffer.h"

static_assert(CORDON_ABI_VERSION_CURRENT == CORDON_ABI_VERSION,
              "cordon.h and runtime/abi/abi.h must name the same ABI version");

struct cordon_error {
  cordon_status status;
  std::string message;
};

struct cordon_engine {
  std::unique_ptr<cordon::runtime::Engine> engine;
};

struct cordon_session {
  explicit cordon_session(cordon::runtime::Engine& engine) : decider(engine) {}
  cordon::runtime::JsonDecider decider;
  std::string json;  // a request with a field set as JSON, rendered
};

struct cordon_batch {
  explicit cordon_batch(cordon::runtime::Engine& e) : engine(e), batch(e) {}
  cordon::runtime::Engine& engine;
  cordon::runtime::Batch batch;
  bool rendered = false;  // the last call rendered its decisions
  std::string jsonl;      // cordon_batch_jsonl's, joined on demand
  bool jsonl_ready = false;
};

// Fields as the slots they decode to, checked by the JSON decoder's own checks when set, so that
// deciding reads no JSON; with a field set as JSON, rendered and decoded whole.
struct cordon_request {
  explicit cordon_request(const cordon::ir::Program& program) : builder(program) {}
  cordon::request::Builder builder;
};

struct cordon_decision {
  const cordon::ir::Program* program = nullptr;
  cordon::interp::Decision decision;
  cordon::interp::Trace trace;
  bool traced = false;
  cordon::DayNumber day = 0;
  std::vector<std::string> problems;  // a malformed request, at JSON paths
  std::vector<std::string> errors;    // what cordon_decision_error returns
  std::vector<std::string> warnings;  // what cordon_decision_warning returns
  std::string json;
  bool json_ready = false;
};

namespace cordon::runtime {
namespace {

// A host's {NULL, n > 0} is a bug on its side; read as "" it turned a listed name into an
// empty one that matched nothing (fail-open). Guard turns this into INVALID_ARGUMENT.
struct NullString : std::exception {
  size_t size;
  explicit NullString(size_t n) : size(n) {}
};

[[noreturn, gnu::cold, gnu::noinline]] void ThrowNullString(size_t size) { throw NullString(size); }

// Inlined into the setters a host calls for every field (the throw is out of line).
inline auto View(cordon_string s) -> std::string_view {
  if (s.data == nullptr) [[unlikely]] {
    if (s.size != 0) ThrowNullString(s.size);
    return {};
  }
  return {s.data, s.size};
}

// Every string handed out is NUL-terminated, the empty one included.
auto Out(std::string_view s) -> cordon_string {
  return s.data() == nullptr ? cordon_string{"", 0} : cordon_string{s.data(), s.size()};
}

auto Fail(cordon_error** error, cordon_status status, std::string message) -> cordon_status {
  if (error != nullptr) *error = new (std::nothrow) cordon_error{status, std::move(message)};
  return status;
}

auto StatusOf(ErrorKind kind) -> cordon_status {
  switch (kind) {
    case ErrorKind::kIo:
      return CORDON_ERROR_IO;
    case ErrorKind::kPolicy:
      return CORDON_ERROR_POLICY;
    case ErrorKind::kNotAPolicy:
      return CORDON_ERROR_NOT_A_POLICY;
    case ErrorKind::kAbiVersion:
      return CORDON_ERROR_ABI_VERSION;
    case ErrorKind::kSchemaMismatch:
      return CORDON_ERROR_SCHEMA_MISMATCH;
    case ErrorKind::kTable:
      return CORDON_ERROR_TABLE;
    case ErrorKind::kNoCompiler:
      return CORDON_ERROR_NO_COMPILER;
    case ErrorKind::kOther:
      break;
  }
  return CORDON_ERROR_INTERNAL;
}

auto Fail(cordon_error** error, const Error& e) -> cordon_status {
  return Fail(error, StatusOf(e.kind), e.message);
}

// Runs `body`, turning any exception (out of memory, a bug) into a status.
template <typename Body>
auto Guard(cordon_error** error, Body body) -> cordon_status {
  try {
    return body();
  } catch (const NullString& e) {
    return Fail(error, CORDON_ERROR_INVALID_ARGUMENT,
                fmt::format("a cordon_string argument has data NULL and size {}: pass a pointer "
                            "to the bytes, or size 0 for the empty string",
                            e.size));
  } catch (const std::bad_alloc&) {
    return Fail(error, CORDON_ERROR_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return Fail(error, CORDON_ERROR_INTERNAL, fmt::format("internal error: {}", e.what()));
  } catch (...) {
    return Fail(error, CORDON_ERROR_INTERNAL, "internal error");
  }
}

auto Split(std::string_view text, char separator) -> std::vector<std::string> {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The stdlib installed beside this library (PREFIX/share/cordon/stdlib, with the library in
// PREFIX/lib or PREFIX/lib/<multiarch>), else the source tree's, for hosts in the build tree.
auto StdlibDir(const cordon_config& config) -> std::string {
  if (!View(config.stdlib_dir).empty()) return std::string(View(config.stdlib_dir));
  const char* env = std::getenv("CORDON_STDLIB");
  if (env != nullptr && *env != '\0') return env;
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&cordon_version), &info) != 0 && info.dli_fname != nullptr) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::path(info.dli_fname).parent_path();
    for (int up = 0; up < 3 && !dir.empty(); ++up, dir = dir.parent_path()) {
      std::filesystem::path stdlib = dir / "share" / "cordon" / "stdlib";
      if (std::filesystem::is_directory(stdlib, ec)) return stdlib.string();
    }
  }
  return CORDON_SOURCE_STDLIB_DIR;
}

// The schema node at a dotted path, or an error naming the fields that do exist.
auto FindNode(const ir::Program& program, std::string_view path, uint32_t& node) -> std::string {
  if (program.schema.empty()) {
    return "this policy declares no `input Request`, so its requests have no fields";
  }
  if (path.empty()) return "an empty field path: name a field, as in \"end_user.name\"";
  if (path.back() == '.' || path.front() == '.' || path.find("..") != std::string_view::npos) {
    return fmt::format("`{}` is not a field path: names joined by single dots", path);
  }
  node = 0;
  std::string walked;
  for (const std::string& part : Split(path, '.')) {
    const ir::SchemaNode& record = program.schema[node];
    if (!record.is_record) {
      return fmt::format("`{}` is not a record: it has no field `{}`", walked, part);
    }
    std::vector<std::string> names;
    uint32_t found = ir::kNoId;
    for (uint32_t child : record.children) {
      names.push_back(program.schema[child].name);
      if (program.schema[child].name == part) found = child;
    }
    if (found == ir::kNoId) {
      std::string near = ClosestSpelling(part, names);
      std::string list;
      for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
      return fmt::format("{} has no field `{}`{}; its fields are {}",
                         walked.empty() ? "the request" : fmt::format("`{}`", walked), part,
                         near.empty() ? "" : fmt::format(" (did you mean `{}`?)", near), list);
    }
    node = found;
    walked += (walked.empty() ? "" : ".") + part;
  }
  return "";
}

enum class Setter { kText, kNumber, kBool, kNull, kJson };

// Why `setter` cannot set the field at `path`: it names none (CORDON_ERROR_UNKNOWN_FIELD), or
// one the setter does not fit (CORDON_ERROR_BAD_VALUE). Out of line: a host's calls are right.
[[gnu::cold, gnu::noinline]] auto RefuseSetter(const ir::Program& program, std::string_view path,
                                               Setter setter, cordon_error** error)
    -> cordon_status {
  uint32_t node = 0;
  std::string problem = FindNode(program, path, node);
  if (!problem.empty()) return Fail(error, CORDON_ERROR_UNKNOWN_FIELD, problem);
  const ir::SchemaNode& n = program.schema[node];
  std::string what = n.is_record ? "a record" : fmt::format("`{}`", n.type_text);
  if (setter == Setter::kNull) {
    return Fail(error, CORDON_ERROR_BAD_VALUE,
                fmt::format("`{}` is required ({}): it cannot be null", path, what));
  }
  static constexpr const char* kSetterNames[] = {"set_text", "set_int/set_decimal", "set_bool",
                                                 "set_null", "set_json"};
  return Fail(error, CORDON_ERROR_BAD_VALUE,
              fmt::format("`{}` is {}: cordon_request_{} cannot set it", path, what,
                          kSetterNames[static_cast<int>(setter)]));
}

// The field at `path` that `setter` may set, or kNoId.
auto SetterNode(const request::Builder& builder, std::string_view path, Setter setter) -> uint32_t {
  uint32_t node = builder.Find(path);
  if (node == ir::kNoId) return node;
  const ir::SchemaNode& n = builder.program().schema[node];
  bool fits = true;
  switch (setter) {
    case Setter::kText:
      fits = !n.is_record && (n.kind == ir::Kind::kText || n.kind == ir::Kind::kDate ||
                              n.kind == ir::Kind::kCountry || n.kind == ir::Kind::kEnum ||
                              n.duration);  // an ISO 8601 duration, "P30D"
      break;
    case Setter::kNumber:
      fits = !n.is_record && n.kind == ir::Kind::kNumber;
      break;
    case Setter::kBool:
      fits = !n.is_record && n.kind == ir::Kind::kBool;
      break;
    case Setter::kNull:
      fits = n.optional;
      break;
    case Setter::kJson:
      break;
  }
  return fits ? node : ir::kNoId;
}

// Sets the field at `path` with `set(builder, node)`, or says why not.
template <typename Set>
auto SetField(cordon_request* request, cordon_string path, Setter setter, cordon_error** error,
              Set set) -> cordon_status {
  if (request == nullptr) return Fail(error, CORDON_ERROR_INVALID_ARGUMENT, "request is NULL");
  std::string_view where = View(path);
  uint32_t node = SetterNode(request->builder, where, setter);
  if (node == ir::kNoId) [[unlikely]] {
    return RefuseSetter(request->builder.program(), where, setter, error);
  }
  return set(request->builder, node);
}

// After a decision: what cordon_decision_error and the status report.
auto Finish(cordon_decision& d, const ir::Program& program, bool well_formed, cordon_error** error)
    -> cordon_status {
  d.program = &program;
  d.json_ready = false;
  d.errors = d.problems;
  d.warnings.clear();
  if (d.decision.moved) d.warnings = runtime::Warnings(program, d.decision);
  bool refused = false;
  for (const interp::RuleError& e : d.decision.errors) {
    d.errors.push_back(RuleErrorText(program, e));
    refused = refused || e.rule == ir::kNoId;
  }
  if (well_formed && !refused) return CORDON_OK;
  std::string message = "the request is malformed";
  for (const std::string& e : d.errors) message += "\n  " + e;
  return Fail(error, CORDON_ERROR_MALFORMED_REQUEST, message);
}

// Whether request structs of `size` bytes at `request` are the policy's struct, aligned.
auto CheckStructCall(const Engine& engine, const void* request, size_t size, cordon_error** error)
    -> cordon_status {
  if (size != engine.layout().size) {
    return Fail(error, CORDON_ERROR_SCHEMA_MISMATCH,
                fmt::format("the request struct is {} bytes, and this policy's is {}: "
                            "regenerate the header with `cordon compile --header`",
                            size, engine.layout().size));
  }
  if (reinterpret_cast<uintptr_t>(request) % engine.layout().align != 0) {
    return Fail(error, CORDON_ERROR_INVALID_ARGUMENT, "the request struct is misaligned");
  }
  return CORDON_OK;
}

}  // namespace
}  // namespace cordon::runtime

using cordon::runtime::Fail;
using cordon::runtime::Guard;
using cordon::runtime::Out;
using cordon::runtime::View;

extern "C" {

CORDON_API cordon_string cordon_str(const char* text) {
  return cordon_string{text == nullptr ? "" : text, text == nullptr ? 0 : std::strlen(text)};
}

CORDON_API const char* cordon_status_name(cordon_status status) {
  switch (status) {
    case CORDON_OK:
      return "CORDON_OK";
    case CORDON_ERROR_INVALID_ARGUMENT:
      return "CORDON_ERROR_INVALID_ARGUMENT";
    case CORDON_ERROR_IO:
      return "CORDON_ERROR_IO";
    case CORDON_ERROR_POLICY:
      return "CORDON_ERROR_POLICY";
    case CORDON_ERROR_NOT_A_POLICY:
      return "CORDON_ERROR_NOT_A_POLICY";
    case CORDON_ERROR_ABI_VERSION:
      return "CORDON_ERROR_ABI_VERSION";
    case CORDON_ERROR_SCHEMA_MISMATCH:
      return "CORDON_ERROR_SCHEMA_MISMATCH";
    case CORDON_ERROR_UNKNOWN_FIELD:
      return "CORDON_ERROR_UNKNOWN_FIELD";
    case CORDON_ERROR_BAD_VALUE:
      return "CORDON_ERROR_BAD_VALUE";
    case CORDON_ERROR_MALFORMED_REQUEST:
      return "CORDON_ERROR_MALFORMED_REQUEST";
    case CORDON_ERROR_TABLE:
      return "CORDON_ERROR_TABLE";
    case CORDON_ERROR_UNSUPPORTED:
      return "CORDON_ERROR_UNSUPPORTED";
    case CORDON_ERROR_INTERNAL:
      return "CORDON_ERROR_INTERNAL";
    case CORDON_ERROR_NO_COMPILER:
      return "CORDON_ERROR_NO_COMPILER";
  }
  return "CORDON_UNKNOWN_STATUS";
}

CORDON_API const char* cordon_version(void) { return CORDON_VERSION_STRING; }

CORDON_API cordon_status cordon_error_status(const cordon_error* error) {
  return error == nullptr ? CORDON_ERROR_INVALID_ARGUMENT : error->status;
}

CORDON_API cordon_string cordon_error_message(const cordon_error* error) {
  if (error == nullptr) return cordon_str("");
  return Out(error->message);
}

CORDON_API void cordon_error_free(cordon_error* error) { delete error; }

CORDON_API void cordon_config_init(cordon_config* config) {
  if (config == nullptr) return;
  *config = cordon_config{};
  config->struct_size = sizeof(cordon_config);
  config->kind = CORDON_ENGINE_JIT;
}

CORDON_API cordon_status cordon_engine_open(const cordon_config* config, cordon_engine** engine,
                                            cordon_error** error) {
  using namespace cordon;
  return Guard(error, [&]() -> cordon_status {
    if (config == nullptr || engine == nullptr) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT, "config and engine must not be NULL");
    }
    *engine = nullptr;
    if (config->struct_size != sizeof(cordon_config)) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT,
                  "the config was not set up by this version's cordon_config_init");
    }
    ErrorOr<std::unique_ptr<runtime::Engine>> opened = Error{"no engine"};
    if (config->kind == CORDON_ENGINE_AOT && !View(config->bundle).empty()) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT,
                  "a bundle runs on CORDON_ENGINE_INTERP or CORDON_ENGINE_JIT; an AOT engine "
                  "loads config.library, a .so from `cordon compile -o`");
    }
    bool aot_rules = config->kind == CORDON_ENGINE_AOT && View(config->library).empty() &&
                     config->policy_count != 0;
    if (config->kind == CORDON_ENGINE_AOT && !aot_rules) {
      if (View(config->library).empty()) {
        return Fail(error, CORDON_ERROR_INVALID_ARGUMENT,
                    "an AOT engine needs config.library (a .so from `cordon compile -o`) or "
                    "config.policy (rule files, compiled to a .so now)");
      }
      if (config->policy_count != 0) {
        return Fail(error, CORDON_ERROR_INVALID_ARGUMENT,
                    "config.library and config.policy both name the policy: give one");
      }
      std::optional<uint64_t> expected;
      if (config->expected_schema_hash != 0) expected = config->expected_schema_hash;
      opened = runtime::Engine::FromLibrary(
          std::string(View(config->library)), expected, std::nullopt,
          runtime::LibraryTables{.embedded = config->embedded_tables != 0,
                                 .dir = std::string(View(config->table_dir))});
    } else if ((config->kind == CORDON_ENGINE_JIT || config->kind == CORDON_ENGINE_INTERP) &&
               !View(config->bundle).empty()) {
      if (config->policy_count != 0) {
        return Fail(error, CORDON_ERROR_INVALID_ARGUMENT,
                    "config.bundle and config.policy both name the policy: give one");
      }
      std::optional<uint64_t> schema, policy;  // refused before a JIT compiles anything
      if (config->expected_schema_hash != 0) schema = config->expected_schema_hash;
      if (config->expected_policy_hash != 0) policy = config->expected_policy_hash;
      opened = runtime::Engine::FromBundle(std::string(View(config->bundle)),
                                           config->kind == CORDON_ENGINE_JIT
                                               ? runtime::EngineKind::kJit
                                               : runtime::EngineKind::kInterp,
                                           schema, policy);
    } else if (config->kind == CORDON_ENGINE_JIT || config->kind == CORDON_ENGINE_INTERP ||
               aot_rules) {
      if (config->policy_count == 0 || config->policy_count > 8) {
        return Fail(error, CORDON_ERROR_INVALID_ARGUMENT,
                    "config.policy_count must be 1 to 8: the rule files of the policy (or set "
                    "config.bundle)");
      }
      std::vector<std::string> roots;
      for (size_t i = 0; i < config->policy_count; ++i) {
        roots.emplace_back(View(config->policy[i]));
      }
      std::vector<std::string> path = runtime::Split(View(config->module_path), ':');
      path.push_back(runtime::StdlibDir(*config));
      opened = runtime::Engine::FromRuleFiles(roots, path,
                                              config->kind == CORDON_ENGINE_JIT
                                                  ? runtime::EngineKind::kJit
                                              : aot_rules ? runtime::EngineKind::kAot
                                                          : runtime::EngineKind::kInterp);
    } else {
      return Fail(
          error, CORDON_ERROR_INVALID_ARGUMENT,
          fmt::format("config.kind {} is not an engine kind", static_cast<int>(config->kind)));
    }
    if (!opened.ok()) return Fail(error, opened.error());
    if (config->expected_schema_hash != 0 &&
        (*opened)->schema_hash() != config->expected_schema_hash) {
      return Fail(error, CORDON_ERROR_SCHEMA_MISMATCH,
                  fmt::format("the policy's request schema hash is {:016x}, and the host was "
                              "built for {:016x}: regenerate its header from this policy",
                              (*opened)->schema_hash(), config->expected_schema_hash));
    }
    if (config->expected_policy_hash != 0 &&
        (*opened)->policy_hash() != config->expected_policy_hash) {
      return Fail(error, CORDON_ERROR_SCHEMA_MISMATCH,
                  fmt::format("{} was compiled from another policy: its policy hash is {:016x}, "
                              "and the host expects {:016x}: recompile it, or regenerate the "
                              "host's header, from the policy to apply",
                              config->kind == CORDON_ENGINE_AOT ? std::string(View(config->library))
                                                                : std::string("the policy"),
                              (*opened)->policy_hash(), config->expected_policy_hash));
    }
    *engine = new cordon_engine{std::move(*opened)};
    return CORDON_OK;
  });
}

CORDON_API void cordon_engine_free(cordon_engine* engine) { delete engine; }

CORDON_API cordon_engine_kind cordon_engine_kind_of(const cordon_engine* engine) {
  if (engine == nullptr) return CORDON_ENGINE_INTERP;
  switch (engine->engine->kind()) {
    case cordon::runtime::EngineKind::kJit:
      return CORDON_ENGINE_JIT;
    case cordon::runtime::EngineKind::kAot:
      return CORDON_ENGINE_AOT;
    case cordon::runtime::EngineKind::kInterp:
      break;
  }
  return CORDON_ENGINE_INTERP;
}

CORDON_API uint64_t cordon_engine_policy_hash(const cordon_engine* engine) {
  return engine == nullptr ? 0 : engine->engine->policy_hash();
}

CORDON_API uint64_t cordon_engine_schema_hash(const cordon_engine* engine) {
  return engine == nullptr ? 0 : engine->engine->schema_hash();
}

CORDON_API size_t cordon_engine_request_size(const cordon_engine* engine) {
  if (engine == nullptr) return 0;
  return engine->engine->layout().size;
}

CORDON_API cordon_status cordon_engine_swap_table(cordon_engine* engine, cordon_string table,
                                                  cordon_string csv, cordon_string source_name,
                                                  cordon_error** error) {
  return Guard(error, [&]() -> cordon_status {
    if (engine == nullptr) return Fail(error, CORDON_ERROR_INVALID_ARGUMENT, "engine is NULL");
    std::string name(View(source_name));
    if (name.empty()) name = "<table>";
    std::optional<cordon::Error> failed =
        engine->engine->SwapTableCsv(View(table), std::string(View(csv)), std::move(name));
    return failed ? Fail(error, *failed) : CORDON_OK;
  });
}

CORDON_API cordon_status cordon_engine_swap_table_file(cordon_engine* engine, cordon_string table,
                                                       cordon_string path, cordon_error** error) {
  return Guard(error, [&]() -> cordon_status {
    if (engine == nullptr) return Fail(error, CORDON_ERROR_INVALID_ARGUMENT, "engine is NULL");
    if (std::optional<cordon::Error> failed =
            engine->engine->SwapTableFile(View(table), std::string(View(path)))) {
      return Fail(error, *failed);
    }
    return CORDON_OK;
  });
}

CORDON_API size_t cordon_engine_table_count(const cordon_engine* engine) {
  return engine == nullptr ? 0 : engine->engine->program().tables.size();
}

CORDON_API cordon_status cordon_engine_table_info(const cordon_engine* engine, size_t index,
                                                  cordon_table_info* info, cordon_error** error) {
  return Guard(error, [&]() -> cordon_status {
    if (engine == nullptr || info == nullptr) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT, "engine and info must not be NULL");
    }
    std::vector<cordon::runtime::TableVersion> versions = engine->engine->TableVersions();
    if (index >= versions.size()) {
      return Fail(
          error, CORDON_ERROR_INVALID_ARGUMENT,
          fmt::format("table {} of {}: the policy has no such table", index, versions.size()));
    }
    const cordon::runtime::TableVersion& v = versions[index];
    info->name = Out(engine->engine->program().tables[index].name);
    info->is_extern = v.is_extern ? 1 : 0;
    info->rows = v.rows;
    info->hash = v.hash;
    auto copy = [](const std::string& from, char* to, size_t size) {
      size_t n = std::min(from.size(), size - 1);
      std::memcpy(to, from.data(), n);
      to[n] = '\0';
    };
    copy(v.source, info->source, sizeof info->source);
    copy(v.modified, info->modified, sizeof info->modified);
    return CORDON_OK;
  });
}

CORDON_API cordon_status cordon_session_open(cordon_engine* engine, cordon_session** session,
                                             cordon_error** error) {
  return Guard(error, [&]() -> cordon_status {
    if (engine == nullptr || session == nullptr) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT, "engine and session must not be NULL");
    }
    *session = new cordon_session(*engine->engine);
    return CORDON_OK;
  });
}

CORDON_API void cordon_session_free(cordon_session* session) { delete session; }

CORDON_API cordon_status cordon_request_new(cordon_engine* engine, cordon_request** request,
                                            cordon_error** error) {
  return Guard(error, [&]() -> cordon_status {
    if (engine == nullptr || request == nullptr) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT, "engine and request must not be NULL");
    }
    *request = new cordon_request(engine->engine->program());
    return CORDON_OK;
  });
}

CORDON_API void cordon_request_free(cordon_request* request) { delete request; }

CORDON_API void cordon_request_clear(cordon_request* request) {
  if (request != nullptr) request->builder.Clear();
}

CORDON_API cordon_status cordon_request_set_text(cordon_request* request, cordon_string path,
                                                 cordon_string value, cordon_error** error) {
  using cordon::request::Builder;
  using cordon::runtime::Setter;
  return Guard(error, [&]() -> cordon_status {
    std::string_view text = View(value);
    if (!cordon::request::IsUtf8Inline(text)) {
      return Fail(error, CORDON_ERROR_BAD_VALUE,
                  fmt::format("`{}`: the text is not valid UTF-8", View(path)));
    }
    return cordon::runtime::SetField(request, path, Setter::kText, error,
                                     [&](Builder& builder, uint32_t node) {
                                       builder.SetText(node, text);
                                       return CORDON_OK;
                                     });
  });
}

CORDON_API cordon_status cordon_request_set_int(cordon_request* request, cordon_string path,
                                                int64_t value, cordon_error** error) {
  using cordon::request::Builder;
  using cordon::runtime::Setter;
  return Guard(error, [&] {
    return cordon::runtime::SetField(request, path, Setter::kNumber, error,
                                     [&](Builder& builder, uint32_t node) {
                                       builder.SetInteger(node, value);
                                       return CORDON_OK;
                                     });
  });
}

CORDON_API cordon_status cordon_request_set_decimal(cordon_request* request, cordon_string path,
                                                    cordon_string value, cordon_error** error) {
  using cordon::request::Builder;
  using cordon::runtime::Setter;
  return Guard(error, [&]() -> cordon_status {
    std::string_view text = View(value);
    // JSON's number syntax, which the decoder reads exactly.
    std::optional<cordon::Number> number = cordon::ParseDecimal(text);
    if (!number || !cordon::request::IsJsonNumber(text)) {
      return Fail(error, CORDON_ERROR_BAD_VALUE,
                  fmt::format("`{}`: `{}` is not a decimal number such as 5.92", View(path), text));
    }
    return cordon::runtime::SetField(request, path, Setter::kNumber, error,
                                     [&](Builder& builder, uint32_t node) {
                                       builder.SetDecimal(node, text, *number);
                                       return CORDON_OK;
                                     });
  });
}

CORDON_API cordon_status cordon_request_set_bool(cordon_request* request, cordon_string path,
                                                 int value, cordon_error** error) {
  using cordon::request::Builder;
  using cordon::runtime::Setter;
  return Guard(error, [&] {
    return cordon::runtime::SetField(request, path, Setter::kBool, error,
                                     [&](Builder& builder, uint32_t node) {
                                       builder.SetBool(node, value != 0);
                                       return CORDON_OK;
                                     });
  });
}

CORDON_API cordon_status cordon_request_set_null(cordon_request* request, cordon_string path,
                                                 cordon_error** error) {
  using cordon::request::Builder;
  using cordon::runtime::Setter;
  return Guard(error, [&] {
    return cordon::runtime::SetField(request, path, Setter::kNull, error,
                                     [&](Builder& builder, uint32_t node) {
                                       builder.SetNull(node);
                                       return CORDON_OK;
                                     });
  });
}

CORDON_API cordon_status cordon_request_set_json(cordon_request* request, cordon_string path,
                                                 cordon_string json, cordon_error** error) {
  using cordon::request::Builder;
  using cordon::runtime::Setter;
  return Guard(error, [&] {
    return cordon::runtime::SetField(
        request, path, Setter::kJson, error, [&](Builder& builder, uint32_t node) {
          std::string_view fragment = View(json);
          if (!nlohmann::json::accept(fragment)) {
            return Fail(error, CORDON_ERROR_BAD_VALUE,
                        fmt::format("`{}`: `{}` is not a JSON value", View(path), fragment));
          }
          builder.SetJson(node, fragment);
          return CORDON_OK;
        });
  });
}

CORDON_API cordon_status cordon_decision_new(cordon_decision** decision, cordon_error** error) {
  return Guard(error, [&]() -> cordon_status {
    if (decision == nullptr) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT, "decision must not be NULL");
    }
    *decision = new cordon_decision();
    return CORDON_OK;
  });
}

CORDON_API void cordon_decision_free(cordon_decision* decision) { delete decision; }

CORDON_API cordon_status cordon_decide_json(cordon_session* session, cordon_string json,
                                            uint32_t flags, cordon_decision* decision,
                                            cordon_error** error) {
  return Guard(error, [&]() -> cordon_status {
    if (session == nullptr || decision == nullptr) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT, "session and decision must not be NULL");
    }
    decision->traced = (flags & CORDON_DECIDE_EXPLAIN) != 0;
    bool ok =
        session->decider.Decide(View(json), std::nullopt, decision->decision,
                                decision->traced ? &decision->trace : nullptr, decision->problems);
    decision->day = session->decider.day();
    return cordon::runtime::Finish(*decision, session->decider.session().engine().program(), ok,
                                   error);
  });
}

CORDON_API cordon_status cordon_decide(cordon_session* session, const cordon_request* request,
                                       uint32_t flags, cordon_decision* decision,
                                       cordon_error** error) {
  return Guard(error, [&]() -> cordon_status {
    if (session == nullptr || request == nullptr || decision == nullptr) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT,
                  "session, request and decision must not be NULL");
    }
    const cordon::ir::Program& program = session->decider.session().engine().program();
    if (&request->builder.program() != &program) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT,
                  "the request was made for another engine than the session's");
    }
    if (request->builder.needs_decoder()) {
      session->json.clear();
      request->builder.Render(session->json);
      return cordon_decide_json(session, Out(session->json), flags, decision, error);
    }
    decision->traced = (flags & CORDON_DECIDE_EXPLAIN) != 0;
    bool ok = request->builder.Fill(session->decider.slots(), decision->problems);
    ok = session->decider.DecideSlots(ok, std::nullopt, decision->decision,
                                      decision->traced ? &decision->trace : nullptr);
    decision->day = session->decider.day();
    return cordon::runtime::Finish(*decision, program, ok, error);
  });
}

CORDON_API cordon_status cordon_decide_struct(cordon_session* session, const void* request,
                                              size_t size, cordon_decision* decision,
                                              cordon_error** error) {
  using namespace cordon;
  return Guard(error, [&]() -> cordon_status {
    if (session == nullptr || request == nullptr || decision == nullptr) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT,
                  "session, request and decision must not be NULL");
    }
    runtime::Engine& engine = session->decider.session().engine();
    if (cordon_status refused = runtime::CheckStructCall(engine, request, size, error);
        refused != CORDON_OK) {
      return refused;
    }
    const ir::Program& program = engine.program();
    DayNumber day = engine.StructDay(request);
    decision->traced = false;
    decision->problems.clear();
    decision->day = day;
    session->decider.session().DecideStruct(request, day, decision->decision);
    return runtime::Finish(*decision, program, true, error);
  });
}

CORDON_API cordon_status cordon_batch_new(cordon_engine* engine, cordon_batch** batch,
                                          cordon_error** error) {
  return Guard(error, [&]() -> cordon_status {
    if (engine == nullptr || batch == nullptr) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT, "engine and batch must not be NULL");
    }
    *batch = new cordon_batch(*engine->engine);
    return CORDON_OK;
  });
}

CORDON_API void cordon_batch_free(cordon_batch* batch) { delete batch; }

CORDON_API cordon_status cordon_decide_batch(cordon_batch* batch, const void* requests,
                                             size_t count, size_t size, uint32_t threads,
                                             cordon_error** error) {
  using namespace cordon;
  return Guard(error, [&]() -> cordon_status {
    if (batch == nullptr || (requests == nullptr && count != 0)) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT, "batch and requests must not be NULL");
    }
    if (cordon_status refused = runtime::CheckStructCall(batch->engine, requests, size, error);
        refused != CORDON_OK) {
      return refused;
    }
    batch->jsonl_ready = false;
    batch->rendered = false;
    batch->batch.set_render(false);
    batch->batch.DecideStructs(requests, count, threads);
    return CORDON_OK;
  });
}

CORDON_API cordon_status cordon_decide_batch_jsonl(cordon_batch* batch, cordon_string jsonl,
                                                   uint32_t threads, cordon_error** error) {
  return Guard(error, [&]() -> cordon_status {
    if (batch == nullptr) return Fail(error, CORDON_ERROR_INVALID_ARGUMENT, "batch is NULL");
    batch->jsonl_ready = false;
    batch->rendered = true;
    batch->batch.set_render(true);
    batch->batch.DecideJsonLines(View(jsonl), std::nullopt, threads);
    return CORDON_OK;
  });
}

CORDON_API size_t cordon_batch_size(const cordon_batch* batch) {
  return batch == nullptr ? 0 : batch->batch.size();
}

CORDON_API uint32_t cordon_batch_outcome_id(const cordon_batch* batch, size_t index) {
  if (batch == nullptr || index >= batch->batch.size()) return CORDON_OUTCOME_ERROR;
  const cordon::runtime::BatchResult& r = batch->batch[index];
  if (r.decision.error || !r.problems.empty() ||
      r.decision.outcome >= batch->engine.program().outcomes.size()) {
    return CORDON_OUTCOME_ERROR;
  }
  return r.decision.outcome;
}

CORDON_API cordon_status cordon_batch_decision(const cordon_batch* batch, size_t index,
                                               cordon_decision* decision, cordon_error** error) {
  return Guard(error, [&]() -> cordon_status {
    if (batch == nullptr || decision == nullptr) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT, "batch and decision must not be NULL");
    }
    if (index >= batch->batch.size()) {
      return Fail(error, CORDON_ERROR_INVALID_ARGUMENT,
                  fmt::format("decision {} of a batch of {}", index, batch->batch.size()));
    }
    const cordon::runtime::BatchResult& r = batch->batch[index];
    decision->decision = r.decision;
    decision->problems = r.problems;
    decision->day = r.day;
    decision->traced = false;
    return cordon::runtime::Finish(*decision, batch->engine.program(), r.problems.empty(), error);
  });
}

CORDON_API cordon_string cordon_batch_jsonl(cordon_batch* batch) {
  if (batch == nullptr || !batch->rendered) return Out("");
  if (!batch->jsonl_ready) {
    batch->jsonl.clear();
    for (std::string_view piece : batch->batch.rendered()) batch->jsonl += piece;
    batch->jsonl_ready = true;
  }
  return Out(batch->jsonl);
}

CORDON_API cordon_string cordon_decision_outcome(const cordon_decision* decision) {
  if (decision == nullptr || decision->program == nullptr) return cordon_str("error");
  return Out(cordon::runtime::DecisionName(*decision->program, decision->decision));
}

CORDON_API uint32_t cordon_decision_outcome_id(const cordon_decision* decision) {
  if (decision == nullptr || decision->program == nullptr || decision->decision.error ||
      decision->decision.outcome >= decision->program->outcomes.size()) {
    return CORDON_OUTCOME_ERROR;
  }
  return decision->decision.outcome;
}

CORDON_API int cordon_decision_is_error(const cordon_decision* decision) {
  return cordon_decision_outcome_id(decision) == CORDON_OUTCOME_ERROR ? 1 : 0;
}

CORDON_API size_t cordon_decision_reason_count(const cordon_decision* decision) {
  if (decision == nullptr || decision->program == nullptr) return 0;
  return decision->decision.reasons.size();
}

CORDON_API cordon_status cordon_decision_reason(const cordon_decision* decision, size_t index,
                                                cordon_reason* reason) {
  if (reason == nullptr || index >= cordon_decision_reason_count(decision)) {
    return CORDON_ERROR_INVALID_ARGUMENT;
  }
  const cordon::ir::Program& program = *decision->program;
  const cordon::interp::Reason& r = decision->decision.reasons[index];
  const cordon::ir::Rule& rule = program.rules[r.rule];
  *reason = cordon_reason{.rule_id = r.rule,
                          .rule = Out(rule.name),
                          .outcome = Out(program.outcomes[r.outcome]),
                          .cites = Out(cordon::runtime::Citation(program, rule)),
                          .message = Out(cordon::runtime::ReasonMessage(rule, r))};
  return CORDON_OK;
}

CORDON_API size_t cordon_decision_error_count(const cordon_decision* decision) {
  return decision == nullptr ? 0 : decision->errors.size();
}

CORDON_API cordon_string cordon_decision_error(const cordon_decision* decision, size_t index) {
  if (decision == nullptr || index >= decision->errors.size()) return cordon_str("");
  return Out(decision->errors[index]);
}

CORDON_API size_t cordon_decision_warning_count(const cordon_decision* decision) {
  return decision == nullptr ? 0 : decision->warnings.size();
}

CORDON_API cordon_string cordon_decision_warning(const cordon_decision* decision, size_t index) {
  if (decision == nullptr || index >= decision->warnings.size()) return cordon_str("");
  return Out(decision->warnings[index]);
}

CORDON_API cordon_string cordon_decision_json(cordon_decision* decision) {
  if (decision == nullptr || decision->program == nullptr) return cordon_str("");
  if (!decision->json_ready) {
    try {
      decision->json = cordon::runtime::DecisionJson(
          *decision->program, decision->decision, decision->problems,
          decision->traced ? &decision->trace : nullptr, decision->day);
    } catch (...) {
      decision->json = R"({"decision":"error","reasons":[],"errors":["internal error"]})";
    }
    decision->json_ready = true;
  }
  return Out(decision->json);
}

}  // extern "C"
