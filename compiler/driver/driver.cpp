// SPDX-License-Identifier: Apache-2.0
// Command-line parsing (the only TU that includes CLI11: it is slow to compile) and the
// subcommands, each a short pipeline over the phase libraries.
#include "compiler/driver/driver.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/parse/parse.h"
#include "compiler/source/source_buffer.h"

namespace cordon::driver {
namespace {

struct Options {
  std::string diagnostics_format = "console";
  size_t max_source_bytes = kDefaultMaxSourceBytes;
  std::vector<std::string> files;
  bool dump_ast = false;
};

// Output shared by the subcommands: rendered diagnostics on `err`, sorted and capped.
class Session {
 public:
  Session(const Options& options, std::ostream& err) : err_(err) {
    if (options.diagnostics_format == "json") {
      renderer_ = std::make_unique<JsonRenderer>(err);
    } else {
      renderer_ = std::make_unique<ConsoleRenderer>(err);
    }
    sorter_ = std::make_unique<SortingConsumer>(*renderer_);
    emitter_ = std::make_unique<DiagnosticEmitter>(*sorter_);
  }

  auto emitter() -> DiagnosticEmitter& { return *emitter_; }

  // Reads a source file; a tool failure is reported at once and yields null.
  auto Load(const std::string& path, size_t max_bytes) -> const SourceBuffer* {
    ErrorOr<SourceBuffer> buffer = SourceBuffer::FromFile(path, max_bytes);
    if (!buffer.ok()) {
      err_ << "cordon: error: " << buffer.error().message << '\n';
      tool_failure_ = true;
      return nullptr;
    }
    buffers_.push_back(std::make_unique<SourceBuffer>(std::move(buffer).value()));
    return buffers_.back().get();
  }

  // Flushes diagnostics and computes the exit code.
  auto Finish() -> int {
    sorter_->Flush();
    if (tool_failure_) return kExitToolFailure;
    return emitter_->error_count() > 0 ? kExitInputErrors : kExitOk;
  }

 private:
  std::ostream& err_;
  std::unique_ptr<DiagnosticConsumer> renderer_;
  std::unique_ptr<SortingConsumer> sorter_;
  std::unique_ptr<DiagnosticEmitter> emitter_;
  // Buffers outlive the diagnostics that point into them.
  std::vector<std::unique_ptr<SourceBuffer>> buffers_;
  bool tool_failure_ = false;
};

auto RunCheck(const Options& options, std::ostream& /*out*/, std::ostream& err) -> int {
  Session session(options, err);
  parse::ParseOptions parse_options;
  parse_options.max_source_bytes = options.max_source_bytes;
  for (const std::string& path : options.files) {
    if (const SourceBuffer* source = session.Load(path, options.max_source_bytes)) {
      (void)parse::Parse(*source, session.emitter(), parse_options);
    }
  }
  return session.Finish();
}

auto RunParse(const Options& options, std::ostream& out, std::ostream& err) -> int {
  Session session(options, err);
  parse::ParseOptions parse_options;
  parse_options.max_source_bytes = options.max_source_bytes;
  for (const std::string& path : options.files) {
    if (const SourceBuffer* source = session.Load(path, options.max_source_bytes)) {
      ast::File file = parse::Parse(*source, session.emitter(), parse_options);
      if (options.dump_ast) {
        out << ast::Dump(file);
      }
    }
  }
  return session.Finish();
}

}  // namespace

auto RunDriver(int argc, const char* const* argv, std::ostream& out, std::ostream& err) -> int {
  CLI::App app{"cordon: export-control rules, checked and compiled"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  Options options;
  app.add_option("--diagnostics", options.diagnostics_format,
                 "How diagnostics are printed on stderr")
      ->check(CLI::IsMember({"console", "json"}));
  // For tests of the size limit; not meant for users.
  app.add_option("--max-source-bytes", options.max_source_bytes)->group("");

  CLI::App* check = app.add_subcommand("check", "Check rule files and print their diagnostics");
  check->add_option("files", options.files, "Rule files")->required();

  CLI::App* parse = app.add_subcommand("parse", "Parse rule files (for debugging the front end)");
  parse->add_flag("--dump-ast", options.dump_ast, "Print the syntax tree");
  parse->add_option("files", options.files, "Rule files")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "cordon: error: " << e.what() << "\n"
        << "run `cordon --help` for usage\n";
    return kExitToolFailure;
  }
  try {
    if (check->parsed()) return RunCheck(options, out, err);
    if (parse->parsed()) return RunParse(options, out, err);
  } catch (const std::exception& e) {
    // A bug, not a user mistake: still a message and an exit code, never an abort.
    err << "cordon: internal error: " << e.what() << '\n';
    return kExitToolFailure;
  }
  return kExitToolFailure;
}

}  // namespace cordon::driver
