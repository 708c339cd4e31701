// SPDX-License-Identifier: Apache-2.0
// `cordon serve`: decisions over HTTP (cpp-httplib, a thread per connection from a pool).
//
//   POST /v1/decide           one JSON request or JSON Lines -> `cordon decide`'s lines
//   GET  /v1/policy           the policy: hash, review date, rules, tables
//   PUT  /v1/tables/{name}    replace an `extern table` from a CSV body      (admin token)
//   POST /v1/policy           load another policy, or reload this one        (admin token)
//   GET  /healthz, /metrics   liveness with the decision log's state; Prometheus text
//   GET  /                    the playground (with --playground; playground.cpp)
//
// The policy in force is a shared_ptr swapped whole: a request holds the one it started with.
// SIGHUP reloads the policy from disk; SIGTERM (or SIGINT) drains: responses say
// `Connection: close`, the requests being answered finish, then the server stops and the
// decision log is written out.
#ifndef CORDON_COMPILER_SERVE_SERVER_H_
#define CORDON_COMPILER_SERVE_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "compiler/serve/decision_log.h"
#include "compiler/serve/metrics.h"
#include "compiler/serve/policy.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace cordon::serve {

struct Config {
  PolicySource policy;
  std::string host = "127.0.0.1";
  int port = 8181;           // 0: any free port (the one chosen is printed)
  std::string admin_token;   // "": the admin endpoints answer 403
  std::string decision_log;  // a directory, or "" for no log
  uint64_t log_max_bytes = uint64_t{64} << 20;
  uint64_t max_body_bytes = uint64_t{64} << 20;
  uint32_t http_threads = 128;
  bool playground = false;
  std::string examples_dir;  // the playground's stories
  std::string source_root;   // paths shown in the playground are relative to this
};

// Parses "HOST:PORT" (an IPv6 host in brackets).
auto ParseListen(const std::string& listen, std::string& host, int& port) -> bool;

// Loads the policy, listens, and serves until SIGTERM/SIGINT. Prints
// "cordon serve: listening on http://HOST:PORT" on `err` once it accepts connections.
// Returns the process's exit code.
auto Run(const Config& config, std::ostream& err) -> int;

class Server {
 public:
  Server(Config config, std::shared_ptr<Policy> policy, std::unique_ptr<DecisionLog> log,
         std::ostream& err);
  ~Server();

  // Binds; false (with the reason on err) when it cannot.
  auto Bind() -> bool;
  auto port() const -> int { return port_; }
  // Serves until Stop(). Returns false when the server failed.
  auto Listen() -> bool;
  // SIGTERM: answer what is in flight, then stop.
  void Drain();
  // SIGHUP: reload the policy from its source; the old one stays on failure.
  void Reload();

  auto Current() const -> std::shared_ptr<Policy>;
  // Runs `job` on the loader thread and waits for it: every check of rule files (reloads, the
  // playground) runs there (see loader_).
  void RunOnLoader(const std::function<void()>& job);
  auto config() const -> const Config& { return config_; }

 private:
  void Routes();
  void Decide(const httplib::Request& req, httplib::Response& res);
  void PutTable(const httplib::Request& req, httplib::Response& res);
  void PostPolicy(const httplib::Request& req, httplib::Response& res);
  void Health(httplib::Response& res);
  void MetricsPage(httplib::Response& res);
  // False (and the response written) unless the request carries the admin token.
  auto Authorized(const httplib::Request& req, httplib::Response& res) -> bool;
  // Puts `next` in force; returns the old policy's hash.
  auto Install(std::shared_ptr<Policy> next) -> std::string;
  // Sets the policy's outcome_counters.
  void Count(Policy& policy);

  // Policy::Load on the loader thread.
  auto LoadPolicy(const PolicySource& source) -> ErrorOr<std::shared_ptr<Policy>>;

  Config config_;
  std::ostream& err_;
  std::unique_ptr<httplib::Server> http_;
  int port_ = 0;
  mutable std::mutex current_mutex_;
  std::shared_ptr<Policy> current_;
  std::mutex admin_mutex_;  // one swap or reload at a time
  std::unique_ptr<DecisionLog> log_;
  Metrics metrics_;
  std::string instance_;  // this process's part of every decision id
  std::atomic<uint64_t> next_request_{1};
  std::atomic<bool> draining_{false};
  // The one thread that loads and frees policies and reads swapped tables: a check leaves a few
  // hundred KiB of caches and freed memory with the thread that ran it, so loads on pool
  // threads in turn (each reload taken by another) grew the server by that much per thread.
  std::mutex loader_mutex_;
  std::condition_variable loader_wake_;
  std::vector<std::function<void()>> loader_jobs_;
  bool loader_stop_ = false;
  std::thread loader_;
};

}  // namespace cordon::serve

#endif  // CORDON_COMPILER_SERVE_SERVER_H_
