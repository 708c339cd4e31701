// SPDX-License-Identifier: Apache-2.0
// Command-line parsing (the only TU that includes CLI11: it is slow to compile) and the
// subcommands, each a short pipeline over the phase libraries.
#include "compiler/driver/driver.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/driver/session.h"
#include "compiler/parse/parse.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/source/source_buffer.h"

namespace cordon::driver {
namespace {

// Each file is checked as a policy of its own, with the modules it imports.
auto RunCheck(const Options& options, std::ostream& /*out*/, std::ostream& err) -> int {
  Session session(options, err);
  for (const std::string& path : options.files) {
    std::optional<ir::Program> program = session.CheckPolicy({path});
    if (options.analyze && program) AnalyzeChecked(options, session, *program);
  }
  return session.Finish();
}

auto RunParse(const Options& options, std::ostream& out, std::ostream& err) -> int {
  Session session(options, err);
  parse::ParseOptions parse_options;
  parse_options.max_source_bytes = options.max_source_bytes;
  for (const std::string& path : options.files) {
    ErrorOr<const SourceBuffer*> source = session.sources().Load(path, options.max_source_bytes);
    if (!source.ok()) {
      session.ToolFailure(source.error().message);
      continue;
    }
    ast::File file = parse::Parse(**source, session.emitter(), parse_options);
    if (options.dump_ast) out << ast::Dump(file);
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

  auto add_includes = [&](CLI::App* command) {
    command
        ->add_option("-I", options.include_dirs,
                     "Add a directory to the module path (searched before the stdlib)")
        ->allow_extra_args(false);
  };

  CLI::App* check = app.add_subcommand("check", "Check rule files and print their diagnostics");
  check->add_option("files", options.files, "Rule files (each checked as its own policy)")
      ->required();
  add_includes(check);
  check->add_flag("--analyze", options.analyze,
                  "Also prove with the solver which rules can never fire, which `unless` "
                  "branches never apply, which outcomes are never produced, and which rules "
                  "are always outranked");
  check->add_option("--timeout-ms", options.timeout_ms, "The solver's time limit per question")
      ->capture_default_str();

  CLI::App* compile = app.add_subcommand("compile", "Compile a policy and print a phase's output");
  compile->add_option("--phase", options.phase, "What to print: ir, llvm (unoptimised), llvm-opt")
      ->check(CLI::IsMember({"check", "ir", "llvm", "llvm-opt"}));
  compile->add_option("-o", options.output, "Write a shared object (.so) exporting the evaluator");
  compile->add_option("--header", options.header, "Write the C header of the request struct");
  compile->add_flag("--bundle", options.bundle,
                    "With -o: write a policy bundle (the checked policy and its tables, for the "
                    "interpreter of libcordon alone) instead of a .so");
  compile->add_option("--depfile", options.depfile,
                      "Write a Makefile-style list of every rule file, module and table read, "
                      "for -o (as CMake's DEPFILE and Ninja read it)");
  compile->add_option("--policy", options.policies, "A rule file or a directory with policy.cordon")
      ->allow_extra_args(false);
  compile->add_option("files", options.files, "Rule files (same as --policy)");
  add_includes(compile);

  CLI::App* decide = app.add_subcommand(
      "decide", "Decide JSON requests (one object, or JSON Lines) against a policy");
  decide
      ->add_option("--policy", options.policies,
                   "A rule file or a directory with policy.cordon; repeat to combine policies")
      ->required()
      ->allow_extra_args(false);
  CLI::Option* decide_as_of = decide->add_option(
      "--as-of", options.as_of,
      "Decide as the law stood on this date (YYYY-MM-DD), whatever the requests say");
  decide->add_option("--id-field", options.id_field,
                     "Copy this top-level request field (an order number, say) into its "
                     "decision line as \"id\"");
  decide->add_flag("--tables", options.tables,
                   "Print the version of each table the engine decides with (rows, hash, the file "
                   "it was read from), one JSON line each, and decide nothing");
  decide
      ->add_option("--threads", options.threads,
                   "Decide with this many threads (the output keeps the input's order)")
      ->check(CLI::Range(1, 256));
  decide->add_flag("--explain", options.explain,
                   "Add, per rule, whether it was in force, whether it held, and the values "
                   "compared");
  auto add_engine = [&](CLI::App* command) {
    command
        ->add_option("--engine", options.engine,
                     "The evaluator: interp (reference), jit (compiled in process), aot (a .so)")
        ->check(CLI::IsMember({"interp", "jit", "aot"}));
    command->add_option("--library", options.library,
                        "With --engine aot: a .so from `cordon compile -o` (else one is built)");
  };
  add_engine(decide);
  decide->add_flag("--counterfactual", options.counterfactual,
                   "Add to each decision the smallest change to one field that gives each lower "
                   "outcome (\"counterfactuals\"), each confirmed by deciding it");
  decide->add_option("--timeout-ms", options.timeout_ms, "The solver's time limit per question")
      ->capture_default_str();
  decide->add_option("input", options.input, "Requests file, or - for stdin")
      ->capture_default_str();
  add_includes(decide);

  CLI::App* diff = app.add_subcommand(
      "diff", "Decide requests under two policies and show which decisions change, and why");
  diff->add_option("--policy", options.policies,
                   "The policy under study (decisions are shown changing to its); repeatable")
      ->required()
      ->allow_extra_args(false);
  diff->add_option("--against", options.against,
                   "The baseline policy, such as the law in force; repeatable")
      ->required()
      ->allow_extra_args(false);
  CLI::Option* diff_as_of = diff->add_option(
      "--as-of", options.as_of, "Decide as of this date (YYYY-MM-DD), whatever the requests say");
  diff->add_flag("--json", options.json,
                 "One JSON object per changed request, then a summary object");
  add_engine(diff);
  diff->add_flag("--prove", options.prove,
                 "Compare the policies over every request (with the solver), not over a file of "
                 "requests: each region where the decision changes, with a confirmed example");
  diff->add_option("--timeout-ms", options.timeout_ms, "The solver's time limit per question")
      ->capture_default_str();
  diff->add_option("input", options.input, "Requests file, or - for stdin")->capture_default_str();
  add_includes(diff);

  CLI::App* serve = app.add_subcommand(
      "serve", "Answer decisions over HTTP (POST /v1/decide), with a decision log and metrics");
  serve
      ->add_option("--policy", options.policies,
                   "A rule file or a directory with policy.cordon; repeat to combine policies")
      ->allow_extra_args(false);
  serve->add_option("--bundle", options.bundle_path,
                    "Serve a policy bundle from `cordon compile --bundle` instead of rule files");
  add_engine(serve);
  serve->add_option("--listen", options.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  serve->add_option("--admin-token-file", options.admin_token_file,
                    "A file holding the bearer token that PUT /v1/tables and POST /v1/policy "
                    "require (without it they are disabled)");
  serve->add_option("--decision-log", options.decision_log,
                    "Append one JSON line per decision to decisions.jsonl in this directory");
  serve
      ->add_option("--log-max-bytes", options.log_max_bytes,
                   "Rotate the decision log's file past this many bytes")
      ->capture_default_str();
  serve
      ->add_option("--max-body-bytes", options.max_body_bytes,
                   "Refuse larger request bodies with 413")
      ->capture_default_str();
  serve
      ->add_option("--http-threads", options.http_threads,
                   "Connections served at once (each keep-alive client holds one)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  serve->add_flag("--playground", options.playground,
                  "Serve the playground page at / (edit a rule file, decide the stories)");
  serve->add_option("--examples", options.examples_dir,
                    "The playground's stories: a directory of examples/*/requests.jsonl");
  add_includes(serve);

  CLI::App* replay = app.add_subcommand(
      "replay", "Re-decide the requests of a decision log under another policy; show what changed");
  replay->add_option("logs", options.logs, "Decision log files (decisions*.jsonl)")->required();
  replay
      ->add_option("--policy", options.policies,
                   "The policy to re-decide with; repeat to combine policies")
      ->required()
      ->allow_extra_args(false);
  CLI::Option* replay_as_of =
      replay->add_option("--as-of", options.as_of,
                         "Decide as of this date (YYYY-MM-DD) instead of each decision's own day");
  replay->add_flag("--json", options.json,
                   "One JSON object per changed decision, then a summary object");
  add_engine(replay);
  add_includes(replay);

  CLI::App* test = app.add_subcommand("test", "Run the `test` blocks of rule files");
  test->add_option("paths", options.files, "Rule files or directories (searched recursively)")
      ->required();
  CLI::Option* coverage_flag = test->add_flag(
      "--coverage", options.coverage,
      "After the results, report which rule branches the tests made decide, by citation");
  test->add_option("--format", options.coverage_format, "The coverage report's format")
      ->check(CLI::IsMember({"markdown", "json"}))
      ->needs(coverage_flag)
      ->capture_default_str();
  add_engine(test);
  add_includes(test);

  CLI::App* table = app.add_subcommand("table", "Work with the data files behind tables");
  table->require_subcommand(1);
  CLI::App* import = table->add_subcommand(
      "import",
      "Read the Consolidated Screening List (CSV or JSON) into the screening tables' files");
  import->add_option("file", options.files, "The CSL as downloaded (consolidated.csv or .json)")
      ->required()
      ->expected(1);
  import
      ->add_option("-o", options.output_dir,
                   "The directory for entities.csv, unverified_list.csv and "
                   "military_end_user_list.csv (- prints them)")
      ->required();
  import
      ->add_option("--lists", options.lists,
                   "Which lists to write, by the CSL's codes (default: EL UVL MEU)")
      ->delimiter(',')
      ->allow_extra_args(false);

  CLI::App* fmt_command = app.add_subcommand(
      "fmt", "Rewrite rule files in the canonical layout (comments and meaning kept)");
  fmt_command
      ->add_option("files", options.files,
                   "Rule files, or directories (their .cordon files); - reads standard input "
                   "and writes the result to standard output")
      ->required();
  fmt_command->add_flag("--check", options.fmt_check,
                        "Change nothing: print a diff of each file that is not formatted and "
                        "exit 1 if any is not");

  CLI::App* lsp = app.add_subcommand(
      "lsp", "Serve the Language Server Protocol on stdin and stdout (for editors)");
  add_includes(lsp);

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
  options.as_of_given =
      decide_as_of->count() > 0 || diff_as_of->count() > 0 || replay_as_of->count() > 0;
  try {
    if (check->parsed()) return RunCheck(options, out, err);
    if (parse->parsed()) return RunParse(options, out, err);
    if (compile->parsed()) return RunCompile(options, out, err);
    if (decide->parsed()) return RunDecide(options, out, err);
    if (test->parsed()) return RunTest(options, out, err);
    if (diff->parsed()) return RunDiff(options, out, err);
    if (serve->parsed()) return RunServe(options, out, err);
    if (replay->parsed()) return RunReplay(options, out, err);
    if (import->parsed()) return RunTableImport(options, out, err);
    if (lsp->parsed()) return RunLsp(options, out, err);
    if (fmt_command->parsed()) return RunFmt(options, out, err);
  } catch (const std::exception& e) {
    // A bug, not a user mistake: still a message and an exit code, never an abort.
    err << "cordon: internal error: " << e.what() << '\n';
    return kExitToolFailure;
  }
  return kExitToolFailure;
}

}  // namespace cordon::driver
