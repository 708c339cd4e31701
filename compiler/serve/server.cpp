// SPDX-License-Identifier: Apache-2.0
// The HTTP routes of `cordon serve` and its life: start, signals, drain (server.h).
//
// cpp-httplib rather than Boost.Beast: Debian packages it as a compiled library, its
// thread-per-connection model suits handlers that decide in microseconds and never wait on
// anything but their own socket, and it brings the limits a public endpoint needs (body size,
// read and write timeouts, keep-alive counts) as settings instead of code of our own.
#include "compiler/serve/server.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <ostream>
#include <random>
#include <thread>
#include <utility>

#include "compiler/driver/requests.h"
#include "runtime/base/date.h"
#include "runtime/engine/decide_json.h"

namespace cordon::serve {

void AddPlayground(httplib::Server& http, Server& server);  // playground.cpp

namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n",
                  "application/json");
}

void ReplyError(httplib::Response& res, int status, const std::string& message) {
  Reply(res, status, json{{"error", message}});
}

// The time of a log line: UTC to the millisecond.
auto LogTime() -> std::string {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  return fmt::format("{:%FT%T}.{:03}Z", std::chrono::floor<std::chrono::seconds>(now), ms.count());
}

// A request as the log keeps it: the JSON itself on one line when it is JSON (a JSON text's
// newlines are all outside strings, so spaces can stand for them), else its text as a string.
void AppendLoggedRequest(std::string& line, std::string_view text, bool known_json) {
  if (known_json || json::accept(text)) {
    line += "\"request\":";
    size_t start = line.size();
    line += text;
    for (size_t i = start; i < line.size(); ++i) {
      if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';
    }
  } else {
    line += "\"request\":null,\"request_text\":";
    line += json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

// The methods a known path takes ("" for an unknown path), for 405s.
auto Allowed(std::string_view path, bool playground) -> std::string_view {
  if (path == "/v1/decide") return "POST";
  if (path == "/v1/policy") return "GET, POST";
  if (path == "/healthz" || path == "/metrics") return "GET";
  if (path.starts_with("/v1/tables/")) return "PUT";
  if (playground) {
    if (path == "/" || path == "/playground.js" || path == "/playground.css" ||
        path == "/v1/playground/start") {
      return "GET";
    }
    if (path.starts_with("/v1/playground/")) return "POST";
  }
  return "";
}

// The handler a path counts under in /metrics: a fixed set, whatever paths clients send.
auto HandlerLabel(std::string_view path) -> std::string_view {
  for (std::string_view known :
       {"/v1/decide", "/v1/policy", "/healthz", "/metrics", "/", "/playground.js",
        "/playground.css", "/v1/playground/start", "/v1/playground/check", "/v1/playground/decide",
        "/v1/playground/diff"}) {
    if (path == known) return known;
  }
  if (path.starts_with("/v1/tables/")) return "/v1/tables/{name}";
  return "other";
}

}  // namespace

// httplib listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, compiled into Debian's
// library): 64 clients connecting at once would have their SYNs dropped and retried a second
// later. Its listening socket is protected; this exposes it to listen again with a real backlog.
class HttpServer : public httplib::Server {
 public:
  auto socket() const -> int { return svr_sock_; }
};

auto ParseListen(const std::string& listen, std::string& host, int& port) -> bool {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) return false;
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) return false;
  std::string digits = listen.substr(colon + 1);
  if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  port = std::stoi(digits);
  return port <= 65535;
}

Server::Server(Config config, std::shared_ptr<Policy> policy, std::unique_ptr<DecisionLog> log,
               std::ostream& err)
    : config_(std::move(config)),
      err_(err),
      http_(std::make_unique<HttpServer>()),
      log_(std::move(log)) {
  std::random_device random;
  instance_ = fmt::format("{:08x}", random());
  loader_ = std::thread([this] {
    std::unique_lock lock(loader_mutex_);
    for (;;) {
      loader_wake_.wait(lock, [&] { return loader_stop_ || !loader_jobs_.empty(); });
      if (loader_jobs_.empty()) return;
      std::function<void()> job = std::move(loader_jobs_.front());
      loader_jobs_.erase(loader_jobs_.begin());
      lock.unlock();
      job();
      lock.lock();
    }
  });
  Install(std::move(policy));
  Routes();
}

Server::~Server() {
  {
    std::lock_guard lock(loader_mutex_);
    loader_stop_ = true;
  }
  loader_wake_.notify_all();
  loader_.join();
}

void Server::RunOnLoader(const std::function<void()>& job) {
  std::packaged_task<void()> task(job);
  std::future<void> done = task.get_future();
  {
    std::lock_guard lock(loader_mutex_);
    loader_jobs_.emplace_back([&task] { task(); });
  }
  loader_wake_.notify_one();
  done.get();  // rethrows what the job threw
}

auto Server::LoadPolicy(const PolicySource& source) -> ErrorOr<std::shared_ptr<Policy>> {
  ErrorOr<std::shared_ptr<Policy>> loaded = Error{"not loaded"};
  RunOnLoader([&] { loaded = Policy::Load(source); });
  return loaded;
}

auto Server::Current() const -> std::shared_ptr<Policy> {
  std::lock_guard lock(current_mutex_);
  return current_;
}

void Server::Count(Policy& policy) {
  policy.outcome_counters.clear();
  for (const std::string& outcome : policy.program().outcomes) {
    policy.outcome_counters.push_back(metrics_.OutcomeIndex(outcome));
  }
  policy.outcome_counters.push_back(metrics_.OutcomeIndex("error"));
}

auto Server::Install(std::shared_ptr<Policy> next) -> std::string {
  Count(*next);
  std::shared_ptr<Policy> previous;
  {
    std::lock_guard lock(current_mutex_);
    previous = std::move(current_);
    current_ = std::move(next);
  }
  std::string old = previous ? previous->hash_hex() : "";
  // Freed where it was made (unless a request still holds it), for the same reason.
  if (previous) RunOnLoader([&previous] { previous.reset(); });
  return old;
}

void Server::Routes() {
  httplib::Server& http = *http_;
  const uint32_t threads = config_.http_threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(config_.max_body_bytes);
  http.set_read_timeout(5, 0);
  http.set_write_timeout(5, 0);
  http.set_keep_alive_timeout(5);
  http.set_keep_alive_max_count(1'000'000);
  http.set_tcp_nodelay(true);
  // httplib's default adds SO_REUSEPORT, which would let a second server bind a port in use
  // and share its connections; only SO_REUSEADDR (a restart reuses the port at once).
  http.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });

  // Runs for every response, httplib's own 400s and 413s included.
  http.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (draining_.load()) res.set_header("Connection", "close");
    metrics_.CountHttp(HandlerLabel(req.path), res.status);
  });
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr e) {
        std::string what = "unknown";
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          what = ex.what();
        } catch (...) {
        }
        ReplyError(res, 500, "internal error: " + what);
      });
  // A known path asked with another method: 405 with the methods it takes. Other errors
  // httplib answers itself (400 for a broken request line, 413 past the body limit) get a body.
  const bool playground = config_.playground;
  http.set_error_handler([playground](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler's own answer
    if (res.status == 404) {
      std::string_view allow = Allowed(req.path, playground);
      if (!allow.empty()) {
        res.set_header("Allow", std::string(allow));
        ReplyError(res, 405, fmt::format("{} takes {}, not {}", req.path, allow, req.method));
      } else {
        ReplyError(res, 404, fmt::format("no such endpoint: {} {}", req.method, req.path));
      }
    } else {
      ReplyError(res, res.status,
                 res.status == 413 ? "the body is larger than --max-body-bytes"
                                   : fmt::format("HTTP {}", res.status));
    }
  });

  http.Post("/v1/decide",
            [this](const httplib::Request& req, httplib::Response& res) { Decide(req, res); });
  http.Get("/v1/policy", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(Current()->DescribeJson() + "\n", "application/json");
  });
  http.Post("/v1/policy",
            [this](const httplib::Request& req, httplib::Response& res) { PostPolicy(req, res); });
  http.Put(R"(/v1/tables/([^/]+))",
           [this](const httplib::Request& req, httplib::Response& res) { PutTable(req, res); });
  http.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) { Health(res); });
  http.Get("/metrics",
           [this](const httplib::Request&, httplib::Response& res) { MetricsPage(res); });
  if (config_.playground) AddPlayground(http, *this);
}

void Server::Decide(const httplib::Request& req, httplib::Response& res) {
  const Clock::time_point start = Clock::now();
  std::shared_ptr<Policy> policy = Current();
  const ir::Program& program = policy->program();
  const bool explain = req.get_param_value("explain") == "true";
  std::optional<DayNumber> as_of;
  if (req.has_param("as_of")) {
    as_of = ParseDate(req.get_param_value("as_of"));
    if (!as_of) {
      ReplyError(
          res, 400,
          fmt::format("as_of=`{}` is not a date: write YYYY-MM-DD", req.get_param_value("as_of")));
      return;
    }
  }
  std::string_view body = req.body;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || body[first] != '{') {
    ReplyError(res, 400,
               "the body is not JSON: POST one request object, or JSON Lines (one object a line)");
    return;
  }
  const uint64_t request_number = next_request_.fetch_add(1, std::memory_order_relaxed);
  const std::string request_id = fmt::format("{}-{}", instance_, request_number);
  const bool logging = log_ != nullptr;
  const std::string time = logging ? LogTime() : std::string();

  Policy::Lease decider = policy->Borrow();
  interp::Decision decision;
  interp::Trace trace;
  std::vector<std::string> problems;
  std::string out;
  std::string log;
  std::string logged_decision;
  uint64_t count = 0;
  uint64_t errors = 0;
  uint64_t malformed = 0;
  driver::SplitRequests(body, [&](const driver::RequestLine& line) {
    ++count;
    const size_t line_start = out.size();
    bool well_formed = false;
    if (!line.problem.empty()) {
      problems.assign(1, line.problem);
      decision.Clear();
      decision.error = true;
      runtime::AppendDecisionJson(out, program, decision, problems, nullptr, 0);
    } else {
      well_formed =
          decider->Decide(line.text, as_of, decision, explain ? &trace : nullptr, problems);
      runtime::AppendDecisionJson(out, program, decision, problems,
                                  explain && well_formed ? &trace : nullptr, decider->day());
    }
    if (!well_formed) ++malformed;
    if (decision.error) ++errors;
    metrics_.CountDecision(decision.error || decision.outcome >= program.outcomes.size()
                               ? policy->outcome_counters.back()
                               : policy->outcome_counters[decision.outcome]);
    if (logging) {
      log += fmt::format(R"({{"time":"{}","decision_id":"{}.{}","policy_hash":"{}","tables":)",
                         time, request_id, count, policy->hash_hex());
      log += well_formed ? policy->TablesJson(decider->session().table_hashes()) : "null";
      log += ",\"as_of\":";
      log += well_formed && decider->day() != 0 ? fmt::format("\"{}\"", FormatDate(decider->day()))
                                                : "null";
      log += ',';
      AppendLoggedRequest(log, line.problem.empty() ? line.text : std::string_view(), well_formed);
      log += ",\"decision\":";
      log.append(out, line_start, out.size() - line_start);
      log += "}\n";
    }
    out += '\n';
  });
  if (malformed > 0) metrics_.CountMalformed(malformed);
  if (logging) log_->Append(std::move(log), count);
  res.set_header("Cordon-Request-Id", request_id);
  res.set_header("Cordon-Decisions", std::to_string(count));
  res.set_header("Cordon-Errors", std::to_string(errors));
  res.set_header("Cordon-Malformed", std::to_string(malformed));
  res.set_header("Cordon-Policy-Hash", policy->hash_hex());
  const bool lines = count != 1 || req.get_header_value("Content-Type") == "application/x-ndjson";
  res.set_content(std::move(out), lines ? "application/x-ndjson" : "application/json");
  metrics_.ObserveDecideLatency(std::chrono::duration<double>(Clock::now() - start).count());
}

auto Server::Authorized(const httplib::Request& req, httplib::Response& res) -> bool {
  if (config_.admin_token.empty()) {
    ReplyError(res, 403,
               "the admin endpoints are disabled: start `cordon serve` with --admin-token-file");
    return false;
  }
  std::string given = req.get_header_value("Authorization");
  std::string expected = "Bearer " + config_.admin_token;
  // Compared in constant time: the token is a secret.
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    diff |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
  }
  if (diff != 0) {
    res.set_header("WWW-Authenticate", "Bearer");
    ReplyError(res, 401, "this endpoint needs `Authorization: Bearer <the admin token>`");
    return false;
  }
  return true;
}

void Server::PutTable(const httplib::Request& req, httplib::Response& res) {
  if (!Authorized(req, res)) return;
  const std::string name = req.matches[1];
  std::lock_guard admin(admin_mutex_);
  std::shared_ptr<Policy> policy = Current();
  runtime::Engine& engine = policy->engine();
  if (!engine.FindTable(name)) {
    metrics_.CountSwap(false);
    ReplyError(res, 404, fmt::format("the policy has no table `{}`", name));
    return;
  }
  const bool is_extern = policy->program().tables[*engine.FindTable(name)].is_extern;
  std::optional<Error> error;
  RunOnLoader(
      [&] { error = engine.SwapTableCsv(name, req.body, fmt::format("PUT /v1/tables/{}", name)); });
  if (error) {
    metrics_.CountSwap(false);
    // 409: the table's rows are part of the policy; 422: the CSV has bad rows.
    ReplyError(res, is_extern ? 422 : 409, error->message);
    return;
  }
  metrics_.CountSwap(true);
  for (const runtime::TableVersion& v : engine.TableVersions()) {
    if (v.name != name) continue;
    Reply(res, 200,
          json{{"table", v.name}, {"rows", v.rows}, {"hash", fmt::format("{:016x}", v.hash)}});
  }
}

void Server::PostPolicy(const httplib::Request& req, httplib::Response& res) {
  if (!Authorized(req, res)) return;
  PolicySource source = Current()->source();
  // An empty body, or {}, reloads the policy in force from its files.
  json body = req.body.find_first_not_of(" \t\r\n") == std::string::npos
                  ? json::object()
                  : json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.empty()) {
    if (!body.is_object()) {
      ReplyError(res, 400,
                 "the body is not a JSON object: send {} to reload, or "
                 "{\"policy\": [paths], \"library\": path, \"bundle\": path, \"engine\": name}");
      return;
    }
    PolicySource next;
    next.module_path = source.module_path;
    next.engine = source.engine;
    for (const auto& [key, value] : body.items()) {
      if (key == "policy" && value.is_array() && !value.empty() &&
          std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); })) {
        for (const json& v : value) next.roots.push_back(v.get<std::string>());
      } else if ((key == "library" || key == "bundle") && value.is_string()) {
        (key == "library" ? next.library : next.bundle) = value.get<std::string>();
      } else if (key == "engine" && value.is_string()) {
        std::string e = value.get<std::string>();
        if (e != "interp" && e != "jit" && e != "aot") {
          ReplyError(res, 400, fmt::format("\"engine\": `{}` is not interp, jit or aot", e));
          return;
        }
        next.engine = e == "jit"   ? runtime::EngineKind::kJit
                      : e == "aot" ? runtime::EngineKind::kAot
                                   : runtime::EngineKind::kInterp;
      } else {
        ReplyError(res, 400,
                   fmt::format("\"{}\": expected \"policy\" (a list of paths), \"library\", "
                               "\"bundle\" (paths) or \"engine\"",
                               key));
        return;
      }
    }
    if (!next.library.empty() && !next.bundle.empty()) {
      ReplyError(res, 400, "give a \"library\" or a \"bundle\", not both");
      return;
    }
    if (next.roots.empty() && next.library.empty() && next.bundle.empty()) {
      ReplyError(res, 400, "name a \"policy\", a \"library\" or a \"bundle\"");
      return;
    }
    source = std::move(next);
  }
  std::lock_guard admin(admin_mutex_);
  ErrorOr<std::shared_ptr<Policy>> loaded = LoadPolicy(source);
  if (!loaded.ok()) {
    metrics_.CountReload(false);
    ReplyError(res, 422, fmt::format("the policy in force is kept: {}", loaded.error().message));
    return;
  }
  std::string hash = (*loaded)->hash_hex();
  std::string previous = Install(std::move(*loaded));
  metrics_.CountReload(true);
  err_ << fmt::format("cordon serve: policy {} in force ({}), was {}\n", hash, source.Describe(),
                      previous)
       << std::flush;
  Reply(res, 200,
        json{{"policy_hash", hash}, {"previous_hash", previous}, {"source", source.Describe()}});
}

void Server::Reload() {
  std::lock_guard admin(admin_mutex_);
  PolicySource source = Current()->source();
  ErrorOr<std::shared_ptr<Policy>> loaded = LoadPolicy(source);
  if (!loaded.ok()) {
    err_ << "cordon serve: SIGHUP: the policy in force is kept: " << loaded.error().message << '\n'
         << std::flush;
    metrics_.CountReload(false);
    return;
  }
  std::string hash = (*loaded)->hash_hex();
  std::string previous = Install(std::move(*loaded));
  metrics_.CountReload(true);
  err_ << fmt::format("cordon serve: SIGHUP: policy {} in force, was {}\n", hash, previous)
       << std::flush;
}

void Server::Health(httplib::Response& res) {
  std::shared_ptr<Policy> policy = Current();
  json log = nullptr;
  bool degraded = false;
  if (log_) {
    DecisionLog::Status s = log_->status();
    degraded = !s.error.empty();
    log = {{"ok", s.error.empty()},
           {"written", s.written},
           {"dropped", s.dropped},
           {"error", s.error.empty() ? json(nullptr) : json(s.error)}};
  }
  const bool draining = draining_.load();
  Reply(res, draining ? 503 : 200,
        json{{"status", draining   ? "draining"
                        : degraded ? "degraded"
                                   : "ok"},
             {"policy_hash", policy->hash_hex()},
             {"decision_log", log}});
}

void Server::MetricsPage(httplib::Response& res) {
  std::shared_ptr<Policy> policy = Current();
  std::string extra;
  extra += "# HELP cordon_policy_info The policy in force (value 1).\n";
  extra += "# TYPE cordon_policy_info gauge\n";
  extra += fmt::format("cordon_policy_info{{hash=\"{}\",engine=\"{}\"}} 1\n", policy->hash_hex(),
                       runtime::EngineKindName(policy->engine().kind()));
  extra += "# HELP cordon_table_rows Rows of each table in force, labelled with their hash.\n";
  extra += "# TYPE cordon_table_rows gauge\n";
  for (const runtime::TableVersion& v : policy->engine().TableVersions()) {
    extra += fmt::format("cordon_table_rows{{table=\"{}\",hash=\"{:016x}\"}} {}\n", v.name, v.hash,
                         v.rows);
  }
  if (log_) {
    DecisionLog::Status s = log_->status();
    extra += "# HELP cordon_decision_log_lines_total Decision log lines written.\n";
    extra += "# TYPE cordon_decision_log_lines_total counter\n";
    extra += fmt::format("cordon_decision_log_lines_total {}\n", s.written);
    extra +=
        "# HELP cordon_decision_log_dropped_total Decision log lines that could not be "
        "written.\n";
    extra += "# TYPE cordon_decision_log_dropped_total counter\n";
    extra += fmt::format("cordon_decision_log_dropped_total {}\n", s.dropped);
    extra += "# HELP cordon_decision_log_healthy 1 while the decision log is written, else 0.\n";
    extra += "# TYPE cordon_decision_log_healthy gauge\n";
    extra += fmt::format("cordon_decision_log_healthy {}\n", s.error.empty() ? 1 : 0);
  }
  res.set_content(metrics_.Render(extra), "text/plain; version=0.0.4");
}

auto Server::Bind() -> bool {
  if (config_.port == 0) {
    port_ = http_->bind_to_any_port(config_.host);
    if (port_ < 0) port_ = 0;
  } else if (http_->bind_to_port(config_.host, config_.port)) {
    port_ = config_.port;
  }
  if (port_ != 0 && ::listen(static_cast<HttpServer&>(*http_).socket(), SOMAXCONN) != 0) {
    port_ = 0;
  }
  if (port_ == 0) {
    err_ << fmt::format(
        "cordon: error: cannot listen on {}:{} (in use, or not an address of "
        "this machine)\n",
        config_.host, config_.port);
    return false;
  }
  return true;
}

auto Server::Listen() -> bool { return http_->listen_after_bind(); }

void Server::Drain() {
  draining_.store(true);
  // A moment for clients to see `Connection: close`; then stop. httplib answers each request it
  // has begun to read before listen() returns, and closes idle keep-alive connections.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  http_->stop();
}

auto Run(const Config& config, std::ostream& err) -> int {
  // Signals go to one thread, by sigwait; every thread started below inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ErrorOr<std::shared_ptr<Policy>> policy = Policy::Load(config.policy);
  if (!policy.ok()) {
    err << "cordon: error: " << policy.error().message << '\n';
    return policy.error().kind == ErrorKind::kPolicy ? 2 : 1;
  }
  std::unique_ptr<DecisionLog> log;
  if (!config.decision_log.empty()) {
    ErrorOr<std::unique_ptr<DecisionLog>> opened =
        DecisionLog::Open(config.decision_log, config.log_max_bytes);
    if (!opened.ok()) {
      err << "cordon: error: " << opened.error().message << '\n';
      return 1;
    }
    log = std::move(*opened);
  }
  DecisionLog* log_ptr = log.get();
  Server server(config, std::move(*policy), std::move(log), err);
  if (!server.Bind()) return 1;

  std::thread signal_thread([&server, &err, signals] {
    for (;;) {
      int s = 0;
      if (sigwait(&signals, &s) != 0) continue;
      if (s == SIGHUP) {
        server.Reload();
        continue;
      }
      if (s != SIGUSR1) {
        err << "cordon serve: draining\n" << std::flush;
        server.Drain();
      }
      return;
    }
  });
  err << fmt::format(
             "cordon serve: listening on http://{}:{}\n",
             config.host.find(':') != std::string::npos ? "[" + config.host + "]" : config.host,
             server.port())
      << std::flush;
  bool ok = server.Listen();
  // Listen returned (drained, or failed): stop the signal thread if it still waits.
  pthread_kill(signal_thread.native_handle(), SIGUSR1);
  signal_thread.join();
  if (log_ptr != nullptr) log_ptr->Flush();
  err << "cordon serve: stopped\n" << std::flush;
  return ok ? 0 : 1;
}

}  // namespace cordon::serve
