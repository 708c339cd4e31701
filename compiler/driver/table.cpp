// SPDX-License-Identifier: Apache-2.0
// `cordon table import`: the Consolidated Screening List into the table files a policy screens
// against (runtime/tables/csl.h does the reading). Nothing is written unless the whole file
// imports, and each file is replaced atomically, so a host swapping a table in never reads half
// of one and a bad download leaves the tables in use as they were.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "compiler/driver/session.h"
#include "runtime/tables/csl.h"

namespace cordon::driver {
namespace {

namespace fs = std::filesystem;

auto EntryCount(size_t n) -> std::string {
  return fmt::format("{} entr{}", n, n == 1 ? "y" : "ies");
}

}  // namespace

auto RunTableImport(const Options& options, std::ostream& out, std::ostream& err) -> int {
  Session session(options, err);
  const std::string& path = options.files.at(0);
  ErrorOr<const SourceBuffer*> file = session.sources().Load(path, tables::kMaxCslBytes);
  if (!file.ok()) {
    session.ToolFailure(file.error().message);
    return session.Finish();
  }
  std::vector<tables::CslList> lists;
  for (const std::string& code : options.lists) {
    bool found = false;
    for (int i = 0; i < tables::kCslListCount; ++i) {
      auto list = static_cast<tables::CslList>(i);
      if (tables::CslListInfoOf(list).code == code) {
        if (std::find(lists.begin(), lists.end(), list) == lists.end()) lists.push_back(list);
        found = true;
      }
    }
    if (!found) {
      session.ToolFailure(
          fmt::format("--lists: `{}` is not a list an import keeps (EL, UVL, MEU)", code));
      return session.Finish();
    }
  }
  std::optional<tables::CslImport> import = tables::ImportCsl(**file, session.emitter());
  if (!import) {
    int code = session.Finish();
    err << fmt::format("cordon: {} was not imported; no table was written\n", path);
    return code;
  }

  const bool to_stdout = options.output_dir == "-";
  if (!to_stdout) {
    std::error_code ec;
    fs::create_directories(options.output_dir, ec);
    if (ec || !fs::is_directory(options.output_dir)) {
      session.ToolFailure(fmt::format("{}: cannot make the directory: {}", options.output_dir,
                                      ec ? ec.message() : "a file of that name exists"));
      return session.Finish();
    }
  }
  // Printed after the diagnostics; with `-o -` the tables are the output, and it goes to stderr.
  std::string summary;
  summary +=
      fmt::format("{}: {} of {} lists\n", path, EntryCount(import->rows), import->sources.size());
  for (tables::CslList list : lists) {
    const tables::CslListInfo& info = tables::CslListInfoOf(list);
    size_t parties = 0;
    std::string table = tables::WriteCslTable(*import, list, &parties);
    size_t entries = 0;
    for (const tables::CslSourceCount& source : import->sources) {
      if (source.source == info.source) entries = source.rows;
    }
    std::string target = (fs::path(options.output_dir) / info.file).string();
    if (to_stdout) {
      out << "==> " << info.file << " <==\n" << table;
    } else if (std::optional<Error> failed =
                   WriteFileAtomically(target, std::vector<uint8_t>(table.begin(), table.end()))) {
      session.ToolFailure(failed->message);
      return session.Finish();
    }
    size_t undated = import->undated[static_cast<size_t>(list)];
    summary += fmt::format("  imported  {:<4} {:>14} as {:>6} part{} {}{}\n", info.code,
                           EntryCount(entries), parties, parties == 1 ? "y  " : "ies",
                           to_stdout ? std::string(info.file) : target,
                           undated == 0 ? ""
                                        : fmt::format(" ({} without a start date: listed on "
                                                      "every date)",
                                                      undated));
  }
  for (const tables::CslSourceCount& source : import->sources) {
    bool written = false;
    for (tables::CslList list : lists)
      written |= tables::CslListInfoOf(list).source == source.source;
    if (written) continue;
    std::string_view why = source.unknown ? "not a CSL list (see the warning)"
                           : source.kept  ? "not asked for (--lists)"
                                          : "no table here";
    summary += fmt::format("  left out  {:>19}  {}: {}\n", EntryCount(source.rows),
                           source.source.empty() ? "(no source)" : source.source, why);
  }
  int code = session.Finish();
  (to_stdout ? err : out) << summary;
  return code;
}

}  // namespace cordon::driver
