// SPDX-License-Identifier: Apache-2.0
// What every subcommand shares: the options, rendered diagnostics on stderr (sorted, capped),
// the source buffers they point into, and the module path.
#ifndef CORDON_COMPILER_DRIVER_SESSION_H_
#define CORDON_COMPILER_DRIVER_SESSION_H_

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"
#include "compiler/frontend/frontend.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/engine/engine.h"

namespace cordon::driver {

struct Options {
  std::string diagnostics_format = "console";
  size_t max_source_bytes = kDefaultMaxSourceBytes;
  std::vector<std::string> files;
  std::vector<std::string> include_dirs;
  bool dump_ast = false;
  std::string phase = "ir";
  // decide
  std::vector<std::string> policies;
  std::vector<std::string> against;  // diff: the policy compared with
  bool json = false;                 // diff: JSON Lines instead of text
  std::string as_of;
  bool as_of_given = false;  // `--as-of ""` is an error, not "no date"
  std::string id_field;      // decide: a request field copied into its decision line
  bool explain = false;
  bool tables = false;            // decide: print each table's version and decide nothing
  uint32_t threads = 1;           // decide: threads deciding each batch of lines
  std::string engine = "interp";  // interp | jit | aot
  // The symbolic engine (compiler/analyze): diff --prove, decide --counterfactual, check --analyze
  bool prove = false;
  bool counterfactual = false;
  bool analyze = false;
  uint32_t timeout_ms = 10000;  // --timeout-ms: the solver's limit per question
  std::string library;          // --library: a compiled .so for --engine aot
  // test
  bool coverage = false;                     // --coverage: which branches the tests made decide
  std::string coverage_format = "markdown";  // markdown | json
  // compile
  std::string output;   // -o: write a shared object
  std::string header;   // --header: write the C header of the request struct
  bool bundle = false;  // --bundle: -o writes a policy bundle instead of a .so
  std::string depfile;  // --depfile: write the files read, for build systems
  std::string input = "-";
  // table import
  std::string output_dir;  // -o: where the table files are written
  std::vector<std::string> lists = {"EL", "UVL", "MEU"};
  // serve
  std::string listen = "127.0.0.1:8181";
  std::string bundle_path;                      // --bundle: a policy bundle to serve
  std::string admin_token_file;                 // enables the admin endpoints
  std::string decision_log;                     // a directory for the decision log
  uint64_t log_max_bytes = uint64_t{64} << 20;  // rotate the log's file past this size
  uint64_t max_body_bytes = uint64_t{64} << 20;
  uint32_t http_threads = 128;
  bool playground = false;
  std::string examples_dir;  // the playground's stories (default: the source tree's examples/)
  // replay
  std::vector<std::string> logs;
  // fmt
  bool fmt_check = false;  // --check: change nothing, print a diff, exit 1 if a file would change
};

class Session {
 public:
  Session(const Options& options, std::ostream& err) : options_(options), err_(err) {
    if (options.diagnostics_format == "json") {
      renderer_ = std::make_unique<JsonRenderer>(err);
    } else {
      renderer_ = std::make_unique<ConsoleRenderer>(err);
    }
    sorter_ = std::make_unique<SortingConsumer>(*renderer_);
    emitter_ = std::make_unique<DiagnosticEmitter>(*sorter_);
  }

  auto emitter() -> DiagnosticEmitter& { return *emitter_; }
  auto sources() -> frontend::SourceStore& { return sources_; }

  // `-I` directories, then the bundled stdlib ($CORDON_STDLIB overrides where it is).
  auto CheckOptions() const -> check::CheckOptions {
    check::CheckOptions out;
    out.module_path = options_.include_dirs;
    const char* stdlib = std::getenv("CORDON_STDLIB");
    out.module_path.emplace_back(stdlib != nullptr && *stdlib != '\0' ? stdlib : StdlibDir());
    out.max_source_bytes = options_.max_source_bytes;
    return out;
  }

  // An installed `cordon` (PREFIX/bin) reads PREFIX/share/cordon/stdlib; one in the build tree
  // reads the source tree's.
  static auto StdlibDir() -> std::string {
    std::error_code ec;
    std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      std::filesystem::path installed = exe.parent_path().parent_path() / "share/cordon/stdlib";
      if (std::filesystem::is_directory(installed, ec)) return installed.string();
    }
    return CORDON_STDLIB_DIR;
  }

  // Checks one policy; nullopt after errors (reported) or a tool failure (recorded).
  auto CheckPolicy(const std::vector<std::string>& roots) -> std::optional<ir::Program> {
    ErrorOr<std::optional<ir::Program>> program =
        frontend::CheckFiles(roots, CheckOptions(), sources_, *emitter_);
    if (!program.ok()) {
      ToolFailure(program.error().message);
      return std::nullopt;
    }
    return std::move(*program);
  }

  void ToolFailure(const std::string& message) {
    err_ << "cordon: error: " << message << '\n';
    tool_failure_ = true;
  }
  auto tool_failure() const -> bool { return tool_failure_; }

  // Flushes diagnostics and computes the exit code.
  auto Finish() -> int {
    sorter_->Flush();
    if (tool_failure_) return kExitToolFailure;
    return emitter_->error_count() > 0 ? kExitInputErrors : kExitOk;
  }

 private:
  const Options& options_;
  std::ostream& err_;
  std::unique_ptr<DiagnosticConsumer> renderer_;
  std::unique_ptr<SortingConsumer> sorter_;
  std::unique_ptr<DiagnosticEmitter> emitter_;
  frontend::SourceStore sources_;
  bool tool_failure_ = false;
};

// The subcommands (decide.cpp).
auto RunCompile(const Options& options, std::ostream& out, std::ostream& err) -> int;
auto RunDecide(const Options& options, std::ostream& out, std::ostream& err) -> int;
auto RunTest(const Options& options, std::ostream& out, std::ostream& err) -> int;
auto RunDiff(const Options& options, std::ostream& out, std::ostream& err) -> int;
// The symbolic engine's commands (analyze.cpp).
auto RunProve(const Options& options, std::ostream& out, std::ostream& err) -> int;
auto DecideCounterfactual(const Options& options, const ir::Program& program,
                          runtime::Engine& engine, std::optional<DayNumber> as_of,
                          std::ostream& out, bool& malformed) -> ErrorOr<size_t>;
void AnalyzeChecked(const Options& options, Session& session, const ir::Program& program);
// `cordon serve` (compiler/serve/) and `cordon replay` (replay.cpp).
auto RunServe(const Options& options, std::ostream& out, std::ostream& err) -> int;
auto RunReplay(const Options& options, std::ostream& out, std::ostream& err) -> int;
// `cordon fmt` (fmt.cpp).
auto RunFmt(const Options& options, std::ostream& out, std::ostream& err) -> int;
// `cordon lsp`: the language server on stdin and stdout (lsp.cpp).
auto RunLsp(const Options& options, std::ostream& out, std::ostream& err) -> int;
// `cordon table import` (table.cpp).
auto RunTableImport(const Options& options, std::ostream& out, std::ostream& err) -> int;

// Writes `bytes` to a temporary file beside `path` and renames it over `path`, so a reader never
// sees half a file (a bundle, a table a running host may swap in).
auto WriteFileAtomically(const std::string& path, const std::vector<uint8_t>& bytes)
    -> std::optional<Error>;

// An engine for the policy under study and one for the baseline (diff, diff --prove), made as
// `options.engine` says; nullopt after a failure (recorded in `session`).
struct EnginePair {
  std::unique_ptr<runtime::Engine> to;
  std::unique_ptr<runtime::Engine> from;
};
auto MakeEnginePair(const Options& options, Session& session, const ir::Program& to,
                    const ir::Program& from) -> std::optional<EnginePair>;
// The answer line to a request that could not be read (`problem`), as every decide path writes it.
void AppendMalformedLine(std::string& line, const ir::Program& program, const std::string& problem);
// Shared by decide and diff: the engine --engine names.
auto MakeEngine(const Options& options, const ir::Program& program)
    -> ErrorOr<std::unique_ptr<runtime::Engine>>;
// --as-of, when given; false (a tool failure recorded) when it is not a date.
auto ParseAsOf(const Options& options, Session& session, std::optional<DayNumber>& as_of) -> bool;

}  // namespace cordon::driver

#endif  // CORDON_COMPILER_DRIVER_SESSION_H_
