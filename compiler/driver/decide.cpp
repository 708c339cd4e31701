// SPDX-License-Identifier: Apache-2.0
// `cordon compile`, `cordon decide` and `cordon test`: check a policy, then print its IR, decide
// JSON requests with the reference interpreter, or run its `test` blocks.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "compiler/codegen/codegen.h"
#include "compiler/driver/coverage.h"
#include "compiler/driver/requests.h"
#include "compiler/driver/session.h"
#include "compiler/frontend/frontend.h"
#include "runtime/abi/layout.h"
#include "runtime/base/date.h"
#include "runtime/engine/batch.h"
#include "runtime/engine/bundle.h"
#include "runtime/engine/decide_json.h"
#include "runtime/engine/engine.h"
#include "runtime/interp/interp.h"
#include "runtime/ir/ir.h"
#include "runtime/ir/serialize.h"
#include "runtime/request/request.h"

namespace cordon::driver {
namespace {

namespace fs = std::filesystem;

}  // namespace

auto WriteFileAtomically(const std::string& path, const std::vector<uint8_t>& bytes)
    -> std::optional<Error> {
  std::string temporary = fmt::format("{}.tmp{}", path, static_cast<long>(getpid()));
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    file.close();
    if (!file) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      return Error{fmt::format("{}: cannot write the file", path), ErrorKind::kIo};
    }
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) {
    fs::remove(temporary, ec);
    return Error{fmt::format("{}: cannot write the file: {}", path, ec.message()), ErrorKind::kIo};
  }
  return std::nullopt;
}

// A Makefile rule: the outputs depend on every file the check read. Spaces and `$` escaped as
// Make and Ninja read them.
auto WriteDepfile(const std::string& path, const std::string& output, const std::string& header,
                  const frontend::SourceStore& sources) -> std::optional<Error> {
  auto escape = [](std::string_view text) {
    std::string out;
    for (char c : text) {
      if (c == ' ' || c == '#') out += '\\';
      if (c == '$') out += '$';
      out += c;
    }
    return out;
  };
  std::string text = escape(output);
  if (!header.empty()) text += " " + escape(header);
  text += ":";
  for (const std::string& read : sources.Paths())
    text += " \\\n  " + escape(fs::absolute(read).string());
  text += "\n";
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) return Error{fmt::format("{}: cannot write the depfile", path), ErrorKind::kIo};
  return std::nullopt;
}

auto MakeEngine(const Options& options, const ir::Program& program)
    -> ErrorOr<std::unique_ptr<runtime::Engine>> {
  if (options.engine == "aot" && !options.library.empty()) {
    ErrorOr<std::unique_ptr<runtime::Engine>> engine = runtime::Engine::FromLibrary(
        options.library, ir::SchemaHash(program), ir::PolicyHash(program));
    if (!engine.ok() && engine.error().kind == ErrorKind::kSchemaMismatch) {
      std::string names;
      for (const std::string& p : options.policies) names += (names.empty() ? "" : " + ") + p;
      return Error{
          fmt::format("{}\n  --library {}\n  --policy  {} (hash {:016x})", engine.error().message,
                      options.library, names, ir::PolicyHash(program)),
          ErrorKind::kSchemaMismatch};
    }
    return engine;
  }
  runtime::EngineKind kind = options.engine == "jit"   ? runtime::EngineKind::kJit
                             : options.engine == "aot" ? runtime::EngineKind::kAot
                                                       : runtime::EngineKind::kInterp;
  return runtime::Engine::FromProgram(program, kind);
}

auto RunCompile(const Options& options, std::ostream& out, std::ostream& err) -> int {
  Session session(options, err);
  std::vector<std::string> roots = options.policies;
  roots.insert(roots.end(), options.files.begin(), options.files.end());
  if (roots.empty()) {
    session.ToolFailure("`cordon compile` needs a rule file or --policy");
    return session.Finish();
  }
  std::optional<ir::Program> program = session.CheckPolicy(roots);
  if (!program) return session.Finish();
  if ((options.bundle || !options.depfile.empty()) && options.output.empty()) {
    session.ToolFailure(fmt::format("{} needs -o FILE: the {} to write",
                                    options.bundle ? "--bundle" : "--depfile",
                                    options.bundle ? "bundle" : "output the depfile is for"));
    return session.Finish();
  }
  if (!options.output.empty() && options.bundle) {
    std::vector<uint8_t> bytes = runtime::WriteBundle(*program);
    if (std::optional<Error> failed = WriteFileAtomically(options.output, bytes)) {
      session.ToolFailure(failed->message);
    }
  } else if (!options.output.empty()) {
    ErrorOr<codegen::Unit> written = codegen::WriteSharedObject(*program, options.output);
    if (!written.ok()) session.ToolFailure(written.error().message);
  }
  if (!options.depfile.empty() && !session.tool_failure()) {
    if (std::optional<Error> failed =
            WriteDepfile(options.depfile, options.output, options.header, session.sources())) {
      session.ToolFailure(failed->message);
    }
  }
  if (!options.header.empty()) {
    std::ofstream header(options.header, std::ios::binary);
    std::string prefix = fs::path(options.header).stem().string();
    header << abi::CHeader(*program, abi::LayoutRequest(*program), prefix,
                           ir::SchemaHash(*program));
    if (!header) session.ToolFailure(fmt::format("{}: cannot write the header", options.header));
  }
  if (!options.output.empty() || !options.header.empty()) return session.Finish();
  if (options.phase == "ir") out << ir::Print(*program);
  if (options.phase == "llvm" || options.phase == "llvm-opt") {
    ErrorOr<std::string> text = codegen::PrintLlvm(*program, options.phase == "llvm-opt");
    if (text.ok()) {
      out << *text;
    } else {
      session.ToolFailure(text.error().message);
    }
  }
  return session.Finish();
}

auto ParseAsOf(const Options& options, Session& session, std::optional<DayNumber>& as_of) -> bool {
  if (!options.as_of_given) return true;
  as_of = ParseDate(options.as_of);
  if (!as_of) {
    session.ToolFailure(fmt::format("--as-of `{}` is not a date: write YYYY-MM-DD", options.as_of));
  }
  return as_of.has_value();
}

void AppendMalformedLine(std::string& line, const ir::Program& program,
                         const std::string& problem) {
  interp::Decision decision;
  decision.error = true;
  runtime::AppendDecisionJson(line, program, decision, std::span<const std::string>(&problem, 1),
                              nullptr, 0);
}

// `cordon decide --explain`: a line at a time, each decision traced by the interpreter.
auto DecideExplained(const Options& options, const ir::Program& program, runtime::Engine& engine,
                     std::optional<DayNumber> as_of, std::ostream& out, bool& malformed)
    -> ErrorOr<size_t> {
  runtime::JsonDecider decider(engine);
  if (!options.id_field.empty()) decider.decoder().SetIdField(options.id_field);
  std::vector<std::string> problems;
  interp::Decision decision;
  interp::Trace trace;
  std::string line;
  return ReadRequestLines(
      options.input,
      [&](const RequestLine& request) {
        line.clear();
        if (!request.problem.empty()) {
          malformed = true;
          AppendMalformedLine(line, program, request.problem);
        } else {
          if (!decider.Decide(request.text, as_of, decision, &trace, problems) || decision.error) {
            malformed = true;
          }
          runtime::AppendDecisionJson(line, program, decision, problems, &trace, decider.day());
        }
        if (!options.id_field.empty()) {
          std::string_view id = request.problem.empty() ? decider.decoder().id() : "";
          line.insert(1, fmt::format("\"id\":{},", id.empty() ? "null" : id));
        }
        out << line << '\n';
      },
      [&] { out.flush(); });
}

// `cordon decide`: lines gathered into batches (runtime::Batch), each decided and written in
// order by `--threads` threads. A batch is decided when it is full or when the input would
// block, so a pipe's requests are answered as they come.
auto DecideBatched(const Options& options, runtime::Engine& engine, std::optional<DayNumber> as_of,
                   std::ostream& out, bool& malformed) -> ErrorOr<size_t> {
  runtime::Batch batch(engine);
  batch.set_render(true);
  if (!options.id_field.empty()) batch.SetIdField(options.id_field);
  // A batch holds at most 4,096 lines a thread and 8 MiB of them (lines may be 1 MiB each):
  // memory stays flat whatever the input's size.
  const size_t limit = size_t{4096} * std::max<uint32_t>(1, options.threads);
  constexpr size_t kBatchBytes = size_t{8} << 20;
  struct Pending {
    size_t offset;
    size_t size;
    std::string problem;
  };
  std::vector<Pending> pending;
  std::string texts;  // the pending lines, end to end
  std::vector<runtime::BatchInput> inputs;
  auto decide = [&] {
    if (pending.empty()) return;
    inputs.clear();
    for (const Pending& p : pending) {
      inputs.push_back(runtime::BatchInput{.json = std::string_view(texts).substr(p.offset, p.size),
                                           .problem = p.problem});
    }
    batch.DecideJson(inputs, as_of, options.threads);
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!batch[i].problems.empty() || batch[i].decision.error) malformed = true;
    }
    for (std::string_view piece : batch.rendered()) out.write(piece.data(), piece.size());
    pending.clear();
    texts.clear();
  };
  ErrorOr<size_t> read = ReadRequestLines(
      options.input,
      [&](const RequestLine& request) {
        pending.push_back(Pending{texts.size(), request.text.size(), request.problem});
        texts += request.text;
        if (pending.size() >= limit || texts.size() >= kBatchBytes) decide();
      },
      [&] {
        decide();
        out.flush();
      });
  decide();  // the lines read before a read failed are answered too
  return read;
}

auto RunDecide(const Options& options, std::ostream& out, std::ostream& err) -> int {
  Session session(options, err);
  std::optional<DayNumber> as_of;
  if (!ParseAsOf(options, session, as_of)) return session.Finish();
  std::optional<ir::Program> program = session.CheckPolicy(options.policies);
  if (!program) return session.Finish();
  ErrorOr<std::unique_ptr<runtime::Engine>> engine = MakeEngine(options, *program);
  if (!engine.ok()) {
    session.ToolFailure(engine.error().message);
    return session.Finish();
  }
  if (options.tables) {
    // Where each table's rows came from: the file the policy was compiled from, or the file
    // read in their place when the engine opened (a .so's current tables).
    for (const runtime::TableVersion& v : (*engine)->TableVersions()) {
      const ir::Table& table = *std::find_if(program->tables.begin(), program->tables.end(),
                                             [&](const ir::Table& t) { return t.name == v.name; });
      nlohmann::ordered_json line = {
          {"table", v.name},
          {"extern", v.is_extern},
          {"rows", v.rows},
          {"hash", fmt::format("{:016x}", v.hash)},
          {"compiled_from", table.file.empty() ? nlohmann::ordered_json(nullptr)
                                               : nlohmann::ordered_json(table.file)},
          {"read_from",
           v.source.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v.source)},
          {"modified", v.modified.empty() ? nlohmann::ordered_json(nullptr)
                                          : nlohmann::ordered_json(v.modified)}};
      out << line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    }
    return session.Finish();
  }
  if (!options.id_field.empty() && !program->schema.empty()) {
    for (uint32_t child : program->schema.front().children) {
      if (program->schema[child].name == options.id_field) {
        session.ToolFailure(fmt::format(
            "--id-field `{}` is a field of the policy's request: name a field the policy does "
            "not read, such as an order number",
            options.id_field));
        return session.Finish();
      }
    }
  }
  bool malformed = false;
  ErrorOr<size_t> read =
      options.counterfactual
          ? DecideCounterfactual(options, *program, **engine, as_of, out, malformed)
      : options.explain ? DecideExplained(options, *program, **engine, as_of, out, malformed)
                        : DecideBatched(options, **engine, as_of, out, malformed);
  if (!read.ok()) session.ToolFailure(read.error().message);
  int code = session.Finish();
  if (code != kExitOk) return code;
  return malformed ? kExitBadRequests : kExitOk;
}

auto RunTest(const Options& options, std::ostream& out, std::ostream& err) -> int {
  Session session(options, err);
  std::vector<std::string> files;
  for (const std::string& path : options.files) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(path, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().extension() == ".cordon") {
        found.push_back(it->path().string());
      }
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  int passed = 0;
  int failed = 0;
  int broken = 0;
  Coverage coverage;
  interp::Trace trace;
  for (const std::string& file : files) {
    std::optional<ir::Program> program = session.CheckPolicy({file});
    if (!program) {
      ++broken;
      continue;
    }
    ErrorOr<std::unique_ptr<runtime::Engine>> engine = MakeEngine(options, *program);
    if (!engine.ok()) {
      session.ToolFailure(engine.error().message);
      ++broken;
      continue;
    }
    runtime::Session decider(**engine);
    interp::Decision decision;
    if (options.coverage) coverage.AddRules(*program);
    for (const ir::Test& test : program->tests) {
      DayNumber day = program->as_of_slot != ir::kNoId
                          ? static_cast<DayNumber>(test.request[program->as_of_slot].bits)
                          : Today();
      // The trace is the interpreter's whatever the engine: coverage is the oracle's view.
      decider.Decide(test.request, day, decision, options.coverage ? &trace : nullptr);
      if (options.coverage) coverage.Record(*program, test, trace);
      bool ok =
          test.expect_error ? decision.error : !decision.error && decision.outcome == test.expect;
      std::vector<std::string> missing;
      for (ir::RuleId rule : test.by) {
        bool fired = std::any_of(decision.reasons.begin(), decision.reasons.end(),
                                 [&](const interp::Reason& r) { return r.rule == rule; });
        if (!fired) missing.push_back(program->rules[rule].name);
      }
      if (ok && missing.empty()) {
        ++passed;
        continue;
      }
      ++failed;
      std::string expected = test.expect_error ? "error" : program->outcomes[test.expect];
      for (size_t i = 0; i < test.by.size(); ++i) {
        expected += (i == 0 ? " by " : ", ") + program->rules[test.by[i]].name;
      }
      out << fmt::format("{}:{}: FAIL test \"{}\"\n", test.file, test.line, test.name);
      out << fmt::format("  expected: {}\n", expected);
      out << fmt::format("  actual:   {}\n", runtime::DecisionName(*program, decision));
      for (const interp::Reason& reason : decision.reasons) {
        const ir::Rule& rule = program->rules[reason.rule];
        out << fmt::format("    fired {} -> {}: {}\n", rule.name, program->outcomes[reason.outcome],
                           runtime::ReasonMessage(rule, reason));
      }
      for (const interp::RuleError& error : decision.errors) {
        out << fmt::format("    error: {}\n", runtime::RuleErrorText(*program, error));
      }
      if (!missing.empty()) {
        std::string names;
        for (const std::string& n : missing) names += (names.empty() ? "" : ", ") + n;
        out << fmt::format("  did not fire: {}\n", names);
      }
    }
  }
  int code = session.Finish();
  out << fmt::format("{} passed, {} failed\n", passed, failed + broken);
  if (options.coverage) {
    out << (options.coverage_format == "json" ? coverage.Json() : "\n" + coverage.Markdown());
  }
  if (code != kExitOk) return code;
  return failed > 0 ? kExitTestsFailed : kExitOk;
}

}  // namespace cordon::driver
