// SPDX-License-Identifier: Apache-2.0
// `cordon replay LOG... --policy NEW`: decides again, under NEW, each request of a decision log
// (`cordon serve --decision-log`), on the day it was decided for, and reports the decisions
// that change, from the logged answer to NEW's, as `cordon diff` reports them. A log line that
// cannot be read is named on stderr and counted, and the lines after it are still replayed.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "compiler/driver/compare.h"
#include "compiler/driver/requests.h"
#include "compiler/driver/session.h"
#include "runtime/base/date.h"
#include "runtime/engine/decide_json.h"

namespace cordon::driver {
namespace {

using json = nlohmann::ordered_json;

// The longest log line read: a request of up to kMaxRequestBytes, its decision, and room for a
// request that was not JSON, logged as an escaped string (up to six bytes a byte).
constexpr size_t kMaxLogLineBytes = 8 * kMaxRequestBytes;

// Calls `on_line(line number, text, problem)` for each non-blank line of the log at `path`
// ("-" is stdin); `problem` is set, and `text` empty, for a line too long to read. An error when
// the file cannot be opened or read (every line before it was passed on).
auto ReadLogLines(const std::string& path,
                  const std::function<void(size_t, std::string_view, std::string_view)>& on_line)
    -> std::optional<Error> {
  const std::string name = path == "-" ? "stdin" : path;
  int fd = 0;
  if (path != "-") {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return Error{fmt::format("{}: cannot open the decision log: {}", name, std::strerror(errno)),
                   ErrorKind::kIo};
    }
    // A directory, or a device such as /dev/zero that would be read forever, is no log.
    struct stat st {};
    if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
      bool directory = S_ISDIR(st.st_mode);
      close(fd);
      return Error{fmt::format("{}: {}, not a decision log", name,
                               directory ? "is a directory" : "is not a regular file or a pipe"),
                   ErrorKind::kIo};
    }
  }
  std::string buffer;     // the current line so far
  bool skipping = false;  // the current line passed the limit: drop it up to its newline
  size_t line = 0;
  auto take = [&](std::string_view text) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) return;  // nothing to lose
    on_line(line, text, {});
  };
  auto too_long = [&] {
    ++line;
    on_line(line, {}, fmt::format("the line is longer than {} bytes", kMaxLogLineBytes));
  };
  std::vector<char> chunk(64 * 1024);
  for (;;) {
    ssize_t n = read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      if (fd != 0) close(fd);
      return Error{
          fmt::format("{}: read failed after {} line(s): {}", name, line, std::strerror(e)),
          ErrorKind::kIo};
    }
    if (n == 0) break;
    std::string_view data(chunk.data(), static_cast<size_t>(n));
    while (!data.empty()) {
      size_t nl = data.find('\n');
      std::string_view piece = data.substr(0, nl);
      if (!skipping && buffer.size() + piece.size() > kMaxLogLineBytes) {
        buffer.clear();
        skipping = true;
      }
      if (!skipping) buffer.append(piece);
      if (nl == std::string_view::npos) break;
      data.remove_prefix(nl + 1);
      if (skipping) {
        skipping = false;
        too_long();
      } else {
        take(buffer);
        buffer.clear();
      }
    }
  }
  if (fd != 0) close(fd);
  // The last line may lack its newline (a log being written, or cut short).
  if (skipping) {
    too_long();
  } else if (!buffer.empty()) {
    take(buffer);
  }
  return std::nullopt;
}

// The text of member `key` of the JSON object `text`, exactly as written: a request's numbers
// keep every digit, which parsing them into doubles would not. `text` has been parsed already,
// so it is well formed. The last member of that name, as the parser keeps.
auto MemberText(std::string_view text, std::string_view key) -> std::optional<std::string_view> {
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) {
      ++i;
    }
  };
  auto skip_string = [&] {  // at its opening quote
    for (++i; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] == '\\') ++i;
    }
    ++i;
  };
  auto skip_value = [&] {
    int depth = 0;
    while (i < text.size()) {
      char c = text[i];
      if (c == '"') {
        skip_string();
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) return;
        --depth;
      } else if (c == ',' && depth == 0) {
        return;
      }
      ++i;
    }
  };
  auto is_key = [&](std::string_view quoted) {
    if (quoted.find('\\') == std::string_view::npos) {
      return quoted.substr(1, quoted.size() - 2) == key;
    }
    json decoded = json::parse(quoted, nullptr, false);
    return decoded.is_string() && decoded.get<std::string>() == key;
  };
  std::optional<std::string_view> found;
  if (text.starts_with("\xEF\xBB\xBF")) i = 3;  // a byte order mark, which the parser skips
  skip_space();
  if (i >= text.size() || text[i] != '{') return std::nullopt;
  ++i;
  for (;;) {
    skip_space();
    if (i >= text.size() || text[i] != '"') return found;
    size_t key_start = i;
    skip_string();
    std::string_view quoted = text.substr(key_start, i - key_start);
    skip_space();
    ++i;  // the colon
    skip_space();
    size_t value_start = i;
    skip_value();
    std::string_view value = text.substr(value_start, i - value_start);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\n' ||
                              value.back() == '\r')) {
      value.remove_suffix(1);
    }
    if (is_key(quoted)) found = value;
    if (i >= text.size() || text[i] != ',') return found;
    ++i;
  }
}

// One line of a decision log, read.
struct Logged {
  std::string decision_id;
  std::string time;
  std::string policy_hash;
  std::map<std::string, std::string> tables;  // table -> the hash of the rows it decided with
  std::optional<DayNumber> as_of;
  std::string request;  // the request as received: JSON, or the text that was not JSON
  // False for a line of a request body that was not logged (blank, or too long to decide): its
  // `error` stands, there is nothing to decide again.
  bool kept = true;
  Side answer;  // the decision logged
};

auto StringOr(const json& object, const char* key) -> std::string {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Parses `text`; the error says where it stops being JSON.
auto ParseJson(std::string_view text) -> ErrorOr<json> {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    if (e.byte > text.size()) {
      return Error{"the line is not JSON: it ends inside a value (a line cut short?)"};
    }
    bool utf8 = std::string_view(e.what()).find("UTF-8") != std::string_view::npos;
    return Error{fmt::format("the line is not JSON: {} at byte {}",
                             utf8 ? "invalid UTF-8" : "a syntax error", e.byte)};
  } catch (const json::exception& e) {
    // A number past a double's range (out_of_range.406), which the parser refuses.
    std::string_view what = e.what();
    what.remove_prefix(std::min(what.size(), what.find("] ") + 2));
    return Error{fmt::format("the line cannot be read: {}", what)};
  }
}

auto IsStringList(const json& v) -> bool {
  if (!v.is_array()) return false;
  for (const json& s : v) {
    if (!s.is_string()) return false;
  }
  return true;
}

// Reads one log line; the error says what it lacks.
auto ReadLogged(std::string_view text) -> ErrorOr<Logged> {
  ErrorOr<json> parsed = ParseJson(text);
  if (!parsed.ok()) return parsed.error();
  const json& line = *parsed;
  if (!line.is_object()) {
    return Error{fmt::format("the line is a JSON {}, not a logged decision", line.type_name())};
  }
  Logged out;
  out.decision_id = StringOr(line, "decision_id");
  out.time = StringOr(line, "time");
  out.policy_hash = StringOr(line, "policy_hash");
  if (auto it = line.find("tables"); it != line.end() && it->is_object()) {
    for (const auto& [table, hash] : it->items()) {
      if (hash.is_string()) out.tables[table] = hash.get<std::string>();
    }
  }

  auto decision = line.find("decision");
  if (decision == line.end() || !decision->is_object()) {
    return Error{"the line has no \"decision\", the logged answer to compare with"};
  }
  out.answer.decision = StringOr(*decision, "decision");
  if (out.answer.decision.empty()) {
    return Error{"its \"decision\" has no \"decision\" (the outcome, such as `license_required`)"};
  }
  auto reasons = decision->find("reasons");
  if (reasons == decision->end() || !reasons->is_array()) {
    return Error{"its \"decision\" has no \"reasons\" list, the rules that fired"};
  }
  for (const json& r : *reasons) {
    std::string rule = r.is_object() ? StringOr(r, "rule") : "";
    std::string outcome = r.is_object() ? StringOr(r, "outcome") : "";
    if (rule.empty() || outcome.empty()) {
      return Error{"a reason of its \"decision\" lacks its \"rule\" or its \"outcome\""};
    }
    out.answer.fired[rule] = outcome;
  }
  auto errors = decision->find("errors");
  if (errors == decision->end() || !IsStringList(*errors)) {
    return Error{"its \"decision\" has no \"errors\" list of strings"};
  }
  out.answer.errors = errors->get<std::vector<std::string>>();
  if (auto warnings = decision->find("warnings"); warnings != decision->end()) {
    if (!IsStringList(*warnings)) {
      return Error{"the \"warnings\" of its \"decision\" are not a list of strings"};
    }
    out.answer.warnings = warnings->get<std::vector<std::string>>();
  }

  auto request = line.find("request");
  if (request != line.end() && !request->is_null()) {
    std::optional<std::string_view> raw = MemberText(text, "request");
    if (!raw) return Error{"its \"request\" cannot be found in the line's text"};  // a bug
    out.request = std::string(*raw);
  } else if (auto raw = line.find("request_text"); raw != line.end() && raw->is_string()) {
    out.request = raw->get<std::string>();  // not JSON when received: decided `error` again
    out.kept = !out.request.empty();
  } else {
    return Error{"the line has no \"request\", nor a \"request_text\" in its place"};
  }

  // null when the server decided without a day: a malformed request, or a policy that reads
  // none. The request's own `as_of` (else today) then stands, as it would have.
  if (auto day = line.find("as_of"); day != line.end() && !day->is_null()) {
    if (!day->is_string()) {
      return Error{
          fmt::format("its \"as_of\" is a JSON {}, not a date (YYYY-MM-DD)", day->type_name())};
    }
    std::string text = day->get<std::string>();
    out.as_of = ParseDate(text);
    if (!out.as_of) {
      if (text.size() > 40) text = text.substr(0, 40) + "…";
      return Error{fmt::format("its \"as_of\" `{}` is not a date (YYYY-MM-DD)", text)};
    }
  }
  return out;
}

// "1234abcd…": enough of a policy hash to tell the policies of one log apart.
auto ShortHash(const std::string& hash) -> std::string {
  if (hash.empty()) return "unknown";
  return hash.size() > 8 ? hash.substr(0, 8) + "…" : hash;
}

}  // namespace

auto RunReplay(const Options& options, std::ostream& out, std::ostream& err) -> int {
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
  runtime::JsonDecider decider(**engine);
  // The rows each table decides with now, to tell a change of data from a change of rules.
  std::map<std::string, std::string> tables_now;
  for (const runtime::TableVersion& v : (*engine)->TableVersions()) {
    tables_now[v.name] = fmt::format("{:016x}", v.hash);
  }

  Tally tally;
  int decisions = 0;
  int malformed = 0;   // decided `error` in the log or now
  int unreadable = 0;  // lines not replayed
  int unreadable_files = 0;
  std::vector<std::pair<std::string, int>> policies;  // logged policy hash -> decisions, in order
  std::string to_name = PolicyNames(options.policies);
  // Each decision's own day is in its description; one day for all is said once, here.
  if (as_of) to_name += fmt::format(" (as of {})", FormatDate(*as_of));
  bool header = false;
  // The header names the policy of the first decision read; the summary lists any others.
  auto print_header = [&] {
    if (header || options.json) return;
    header = true;
    std::string from = policies.empty()
                           ? "the log (no decision read)"
                           : fmt::format("the log (policy {})", ShortHash(policies[0].first));
    out << fmt::format("from: {}\nto:   {}\n", from, to_name);
  };

  auto replay = [&](const std::string& name, size_t line, std::string_view text,
                    std::string_view problem) {
    ErrorOr<Logged> read =
        problem.empty() ? ReadLogged(text) : ErrorOr<Logged>(Error{std::string(problem)});
    if (!read.ok()) {
      ++unreadable;
      err << fmt::format("{}:{}: not replayed: {}\n", name, line, read.error().message);
      return;
    }
    const Logged& logged = *read;
    ++decisions;
    auto policy = std::find_if(policies.begin(), policies.end(),
                               [&](const auto& p) { return p.first == logged.policy_hash; });
    if (policy == policies.end()) {
      policies.emplace_back(logged.policy_hash, 1);
    } else {
      ++policy->second;
    }
    print_header();

    std::optional<DayNumber> day = as_of ? as_of : logged.as_of;
    const Side& then = logged.answer;
    Side now = logged.kept ? DecideSide(decider, *program, logged.request, day) : then;
    if (then.decision == "error" || now.decision == "error") ++malformed;
    Change change = Compare(then, now);
    if (!change.any()) return;
    tally.Add(then, now, change);
    std::vector<std::string> other_rows;  // tables whose rows differ from the log's
    for (const auto& [table, hash] : logged.tables) {
      auto it = tables_now.find(table);
      if (it != tables_now.end() && it->second != hash) other_rows.push_back(table);
    }

    if (options.json) {
      auto or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
      json entry = {{"decision_id", or_null(logged.decision_id)},
                    {"time", or_null(logged.time)},
                    {"log", name},
                    {"line", line},
                    {"policy_hash", or_null(logged.policy_hash)},
                    {"as_of", day ? json(FormatDate(*day)) : json(nullptr)}};
      AddChangeJson(entry, then, now, change);
      if (!other_rows.empty()) entry["tables_differ"] = other_rows;
      out << entry.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
      return;
    }
    std::string id =
        logged.decision_id.empty() ? fmt::format("at {}:{}", name, line) : logged.decision_id;
    std::string time = logged.time.empty() ? "" : fmt::format(" ({})", logged.time);
    out << fmt::format("\ndecision {}{}: {}\n", id, time, Describe(logged.request));
    PrintChange(out, then, now, change);
    if (logged.policy_hash != policies[0].first) {
      out << fmt::format("  logged under policy {}\n", ShortHash(logged.policy_hash));
    }
    for (const std::string& table : other_rows) {
      out << fmt::format(
          "  table `{}` has other rows than when logged (the change may come from them)\n", table);
    }
  };

  for (const std::string& path : options.logs) {
    const std::string name = path == "-" ? "stdin" : path;
    std::optional<Error> failed =
        ReadLogLines(path, [&](size_t line, std::string_view text, std::string_view problem) {
          replay(name, line, text, problem);
        });
    if (failed) {
      // The other files are still replayed; the exit code says one was not.
      ++unreadable_files;
      session.ToolFailure(failed->message);
    }
  }

  if (options.json) {
    json by_policy = json::object();
    for (const auto& [hash, n] : policies) by_policy[hash] = n;
    json summary = {{"decisions", decisions},
                    {"decision_changed", tally.changed},
                    {"reasons_changed_only", tally.reasons_only},
                    {"error_under_either", malformed},
                    {"unreadable_lines", unreadable},
                    {"unreadable_files", unreadable_files},
                    {"policies", by_policy},
                    {"rules", RulesJson(tally)}};
    out << json({{"summary", summary}}).dump(-1, ' ', false, json::error_handler_t::replace)
        << '\n';
  } else {
    print_header();
    out << fmt::format("\n{} decision{} replayed: {} changed decision, {} changed reasons only",
                       decisions, decisions == 1 ? "" : "s", tally.changed, tally.reasons_only);
    if (malformed > 0) {
      out << fmt::format("; {} decided `error` in the log or now (`cordon decide` says why)",
                         malformed);
    }
    if (unreadable > 0) {
      out << fmt::format("; {} line{} not replayed (stderr says why)", unreadable,
                         unreadable == 1 ? "" : "s");
    }
    out << '\n';
    PrintTally(out, tally, "decisions");
    if (policies.size() > 1) {
      std::string list;
      for (const auto& [hash, n] : policies) {
        list += fmt::format("{}{} ({} decision{})", list.empty() ? "" : ", ", ShortHash(hash), n,
                            n == 1 ? "" : "s");
      }
      out << fmt::format("logged under {} policies: {}\n", policies.size(), list);
    }
  }
  int code = session.Finish();
  if (code != kExitOk) return code;
  // As `cordon diff` does for malformed requests: the rest was replayed, but not everything.
  return malformed > 0 || unreadable > 0 ? kExitBadRequests : kExitOk;
}

}  // namespace cordon::driver
