// SPDX-License-Identifier: Apache-2.0
// cordon.hpp: a thin, header-only C++17 wrapper over cordon.h. Each class owns one C handle
// (RAII, movable, not copyable); a failed call throws cordon::Error carrying the status and
// the message. Thread safety and lifetimes are those of cordon.h: an Engine is shared by
// threads; a Session, Request and Decision belong to one thread at a time; all of them must be
// destroyed before their Engine.
#ifndef CORDON_CORDON_HPP_
#define CORDON_CORDON_HPP_

#include <cordon/cordon.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace cordon {

// A failed call: status() says which kind, what() the message for people.
class Error : public std::runtime_error {
 public:
  Error(cordon_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  auto status() const -> cordon_status { return status_; }
  auto status_name() const -> const char* { return cordon_status_name(status_); }

 private:
  cordon_status status_;
};

inline auto Version() -> std::string_view { return cordon_version(); }

namespace detail {

inline auto Str(std::string_view s) -> cordon_string { return cordon_string{s.data(), s.size()}; }
inline auto View(cordon_string s) -> std::string_view { return std::string_view(s.data, s.size); }

// Throws the error of a failed call (and frees it). `error` is taken by reference: in
// Check(cordon_x(..., &error), error) the compiler may read the argument before the call.
inline void Check(cordon_status status, cordon_error* const& error) {
  if (status == CORDON_OK) return;
  std::string message = error != nullptr ? std::string(View(cordon_error_message(error)))
                                         : std::string(cordon_status_name(status));
  cordon_error_free(error);
  throw Error(status, message);
}

template <typename T, void (*Free)(T*)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(T* p) : p_(p) {}
  Handle(Handle&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  auto operator=(Handle&& other) noexcept -> Handle& {
    if (this != &other) {
      Free(p_);
      p_ = std::exchange(other.p_, nullptr);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  auto operator=(const Handle&) -> Handle& = delete;
  ~Handle() { Free(p_); }
  auto get() const -> T* { return p_; }

 private:
  T* p_ = nullptr;
};

}  // namespace detail

// A rule that fired. The views point into the Decision until it is decided again.
struct Reason {
  uint32_t rule_id;
  std::string_view rule;
  std::string_view outcome;
  std::string_view cites;
  std::string_view message;
};

class Decision {
 public:
  Decision() {
    cordon_decision* d = nullptr;
    cordon_error* error = nullptr;
    detail::Check(cordon_decision_new(&d, &error), error);
    handle_ = decltype(handle_)(d);
  }

  auto outcome() const -> std::string_view {
    return detail::View(cordon_decision_outcome(handle_.get()));
  }
  auto outcome_id() const -> uint32_t { return cordon_decision_outcome_id(handle_.get()); }
  auto is_error() const -> bool { return cordon_decision_is_error(handle_.get()) != 0; }
  auto reasons() const -> std::vector<Reason> {
    std::vector<Reason> out;
    size_t n = cordon_decision_reason_count(handle_.get());
    for (size_t i = 0; i < n; ++i) {
      cordon_reason r;
      detail::Check(cordon_decision_reason(handle_.get(), i, &r), nullptr);
      out.push_back(Reason{r.rule_id, detail::View(r.rule), detail::View(r.outcome),
                           detail::View(r.cites), detail::View(r.message)});
    }
    return out;
  }
  auto errors() const -> std::vector<std::string_view> {
    std::vector<std::string_view> out;
    size_t n = cordon_decision_error_count(handle_.get());
    for (size_t i = 0; i < n; ++i)
      out.push_back(detail::View(cordon_decision_error(handle_.get(), i)));
    return out;
  }
  // A decision past the policy's review date, decided as of it, says so here.
  auto warnings() const -> std::vector<std::string_view> {
    std::vector<std::string_view> out;
    size_t n = cordon_decision_warning_count(handle_.get());
    for (size_t i = 0; i < n; ++i)
      out.push_back(detail::View(cordon_decision_warning(handle_.get(), i)));
    return out;
  }
  // As `cordon decide` prints it.
  auto json() -> std::string_view { return detail::View(cordon_decision_json(handle_.get())); }
  auto get() const -> cordon_decision* { return handle_.get(); }

 private:
  detail::Handle<cordon_decision, cordon_decision_free> handle_;
};

class Engine;

class Request {
 public:
  explicit Request(Engine& engine);

  auto text(std::string_view path, std::string_view value) -> Request& {
    cordon_error* error = nullptr;
    detail::Check(cordon_request_set_text(get(), detail::Str(path), detail::Str(value), &error),
                  error);
    return *this;
  }
  auto integer(std::string_view path, int64_t value) -> Request& {
    cordon_error* error = nullptr;
    detail::Check(cordon_request_set_int(get(), detail::Str(path), value, &error), error);
    return *this;
  }
  auto decimal(std::string_view path, std::string_view value) -> Request& {
    cordon_error* error = nullptr;
    detail::Check(cordon_request_set_decimal(get(), detail::Str(path), detail::Str(value), &error),
                  error);
    return *this;
  }
  auto boolean(std::string_view path, bool value) -> Request& {
    cordon_error* error = nullptr;
    detail::Check(cordon_request_set_bool(get(), detail::Str(path), value ? 1 : 0, &error), error);
    return *this;
  }
  auto null(std::string_view path) -> Request& {
    cordon_error* error = nullptr;
    detail::Check(cordon_request_set_null(get(), detail::Str(path), &error), error);
    return *this;
  }
  // A field as a JSON value, or with an empty path the whole request.
  auto json(std::string_view path, std::string_view value) -> Request& {
    cordon_error* error = nullptr;
    detail::Check(cordon_request_set_json(get(), detail::Str(path), detail::Str(value), &error),
                  error);
    return *this;
  }
  void clear() { cordon_request_clear(get()); }
  auto get() const -> cordon_request* { return handle_.get(); }

 private:
  detail::Handle<cordon_request, cordon_request_free> handle_;
};

// Deciding for one thread. Decide* return false for a malformed request: the Decision is then
// "error" and says why. True means a decision was made, which may still be "error" (a rule that
// could not be evaluated): check Decision::is_error(). Other failures throw.
class Session {
 public:
  explicit Session(Engine& engine);

  auto Decide(const Request& request, Decision& decision, uint32_t flags = 0) -> bool {
    cordon_error* error = nullptr;
    return Done(cordon_decide(get(), request.get(), flags, decision.get(), &error), error);
  }
  auto DecideJson(std::string_view json, Decision& decision, uint32_t flags = 0) -> bool {
    cordon_error* error = nullptr;
    return Done(cordon_decide_json(get(), detail::Str(json), flags, decision.get(), &error), error);
  }
  // `request` is the struct of the header generated from this engine's policy.
  template <typename Struct>
  auto DecideStruct(const Struct& request, Decision& decision) -> bool {
    static_assert(std::is_trivially_copyable_v<Struct> && std::is_standard_layout_v<Struct>,
                  "pass the request struct of the generated header");
    cordon_error* error = nullptr;
    return Done(cordon_decide_struct(get(), &request, sizeof(Struct), decision.get(), &error),
                error);
  }
  auto get() const -> cordon_session* { return handle_.get(); }

 private:
  static auto Done(cordon_status status, cordon_error* const& error) -> bool {
    if (status == CORDON_ERROR_MALFORMED_REQUEST) {
      cordon_error_free(error);
      return false;
    }
    detail::Check(status, error);
    return true;
  }
  detail::Handle<cordon_session, cordon_session_free> handle_;
};

// Many requests in one call (cordon_decide_batch): decision `i` is request `i`'s, whatever the
// thread count; a malformed request is an "error" decision in its place. Reused from call to
// call; one call at a time.
class Batch {
 public:
  explicit Batch(Engine& engine);

  // Request structs of the header generated from this engine's policy.
  template <typename Struct>
  void DecideStructs(const Struct* requests, size_t count, uint32_t threads = 1) {
    static_assert(std::is_trivially_copyable_v<Struct> && std::is_standard_layout_v<Struct>,
                  "pass the request structs of the generated header");
    cordon_error* error = nullptr;
    detail::Check(cordon_decide_batch(get(), requests, count, sizeof(Struct), threads, &error),
                  error);
  }
  // JSON Lines, one request a line; jsonl() is then the decisions, one line each.
  void DecideJsonLines(std::string_view jsonl, uint32_t threads = 1) {
    cordon_error* error = nullptr;
    detail::Check(cordon_decide_batch_jsonl(get(), detail::Str(jsonl), threads, &error), error);
  }
  auto size() const -> size_t { return cordon_batch_size(get()); }
  auto outcome_id(size_t i) const -> uint32_t { return cordon_batch_outcome_id(get(), i); }
  // Decision `i` copied into `decision`; false when its request was malformed (the decision
  // then says why).
  auto decision(size_t i, Decision& decision) const -> bool {
    cordon_error* error = nullptr;
    cordon_status status = cordon_batch_decision(get(), i, decision.get(), &error);
    if (status == CORDON_ERROR_MALFORMED_REQUEST) {
      cordon_error_free(error);
      return false;
    }
    detail::Check(status, error);
    return true;
  }
  auto jsonl() -> std::string_view { return detail::View(cordon_batch_jsonl(get())); }
  auto get() const -> cordon_batch* { return handle_.get(); }

 private:
  detail::Handle<cordon_batch, cordon_batch_free> handle_;
};

// What a table decides with now (cordon_table_info).
struct TableInfo {
  std::string name;
  bool is_extern = false;
  uint64_t rows = 0;
  uint64_t hash = 0;
  std::string source;    // the file the rows were read from; "" for the compiled-in rows
  std::string modified;  // its modification time, UTC ISO 8601; "" when not from a file
};

class Engine {
 public:
  // A JIT (or interpreter) engine over rule files: a file, or a directory with policy.cordon.
  // Needs the compiler component (CORDON_ERROR_NO_COMPILER without it).
  static auto FromRuleFiles(const std::vector<std::string>& policy,
                            cordon_engine_kind kind = CORDON_ENGINE_JIT,
                            std::string_view stdlib_dir = {}) -> Engine {
    cordon_config config;
    cordon_config_init(&config);
    config.kind = kind;
    if (policy.size() > 8) throw Error(CORDON_ERROR_INVALID_ARGUMENT, "at most 8 policy roots");
    for (const std::string& p : policy) config.policy[config.policy_count++] = detail::Str(p);
    config.stdlib_dir = detail::Str(stdlib_dir);
    return Engine(config);
  }
  // An AOT engine over a .so from `cordon compile -o`; with `expected_schema_hash` (the
  // generated header's *_SCHEMA_HASH), a .so of another request schema is refused, and with
  // `expected_policy_hash` (*_POLICY_HASH) one of other rules or table rows.
  static auto FromLibrary(std::string_view path, uint64_t expected_schema_hash = 0,
                          uint64_t expected_policy_hash = 0) -> Engine {
    cordon_config config;
    cordon_config_init(&config);
    config.kind = CORDON_ENGINE_AOT;
    config.library = detail::Str(path);
    config.expected_schema_hash = expected_schema_hash;
    config.expected_policy_hash = expected_policy_hash;
    return Engine(config);
  }
  // The reference interpreter (or, with CORDON_ENGINE_JIT, the JIT) over a bundle from
  // `cordon compile --bundle`: no compiler needed for the interpreter. The hashes work as for
  // FromLibrary.
  static auto FromBundle(std::string_view path, cordon_engine_kind kind = CORDON_ENGINE_INTERP,
                         uint64_t expected_schema_hash = 0, uint64_t expected_policy_hash = 0)
      -> Engine {
    cordon_config config;
    cordon_config_init(&config);
    config.kind = kind;
    config.bundle = detail::Str(path);
    config.expected_schema_hash = expected_schema_hash;
    config.expected_policy_hash = expected_policy_hash;
    return Engine(config);
  }
  explicit Engine(const cordon_config& config) {
    cordon_engine* e = nullptr;
    cordon_error* error = nullptr;
    detail::Check(cordon_engine_open(&config, &e, &error), error);
    handle_ = decltype(handle_)(e);
  }

  // Replaces an `extern table`'s rows while other threads decide; on a bad row nothing
  // changes and Error lists the rows at source_name:line:col.
  void SwapTable(std::string_view table, std::string_view csv, std::string_view source_name) {
    cordon_error* error = nullptr;
    detail::Check(cordon_engine_swap_table(get(), detail::Str(table), detail::Str(csv),
                                           detail::Str(source_name), &error),
                  error);
  }
  void SwapTableFile(std::string_view table, std::string_view path) {
    cordon_error* error = nullptr;
    detail::Check(
        cordon_engine_swap_table_file(get(), detail::Str(table), detail::Str(path), &error), error);
  }
  auto kind() const -> cordon_engine_kind { return cordon_engine_kind_of(get()); }
  auto schema_hash() const -> uint64_t { return cordon_engine_schema_hash(get()); }
  auto policy_hash() const -> uint64_t { return cordon_engine_policy_hash(get()); }
  auto request_size() const -> size_t { return cordon_engine_request_size(get()); }
  // Every table's version now, in the policy's order.
  auto tables() const -> std::vector<TableInfo> {
    std::vector<TableInfo> out;
    for (size_t i = 0, n = cordon_engine_table_count(get()); i < n; ++i) {
      cordon_table_info info;
      cordon_error* error = nullptr;
      detail::Check(cordon_engine_table_info(get(), i, &info, &error), error);
      out.push_back(TableInfo{std::string(detail::View(info.name)), info.is_extern != 0, info.rows,
                              info.hash, info.source, info.modified});
    }
    return out;
  }
  auto get() const -> cordon_engine* { return handle_.get(); }

 private:
  detail::Handle<cordon_engine, cordon_engine_free> handle_;
};

inline Request::Request(Engine& engine) {
  cordon_request* r = nullptr;
  cordon_error* error = nullptr;
  detail::Check(cordon_request_new(engine.get(), &r, &error), error);
  handle_ = decltype(handle_)(r);
}

inline Batch::Batch(Engine& engine) {
  cordon_batch* b = nullptr;
  cordon_error* error = nullptr;
  detail::Check(cordon_batch_new(engine.get(), &b, &error), error);
  handle_ = decltype(handle_)(b);
}

inline Session::Session(Engine& engine) {
  cordon_session* s = nullptr;
  cordon_error* error = nullptr;
  detail::Check(cordon_session_open(engine.get(), &s, &error), error);
  handle_ = decltype(handle_)(s);
}

}  // namespace cordon

#endif  // CORDON_CORDON_HPP_
