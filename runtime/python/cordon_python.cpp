// SPDX-License-Identifier: Apache-2.0
// cordon._cordon: the Python binding of libcordon, over the C++ wrapper cordon.hpp. An Engine
// opens one policy as the C API does (rule files, a .so, a bundle); decide() and decide_many()
// take requests as dicts and return each decision as the dict of the JSON line `cordon decide`
// prints. Failures of the C API raise cordon.Error with its status name and message. The
// pure-Python part (screen(), the package itself) is cordon/__init__.py.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cordon/cordon.hpp>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "runtime/python/decision_dict.h"
#include "runtime/python/python_json.h"

namespace cordon::python {
namespace {

// cordon.Error: created here, so that failures inside the extension raise it; owned by the
// module (never freed: the interpreter may outlive any static destructor order).
PyObject* error_type = nullptr;

void RaiseError(const cordon::Error& e) {
  py::object error = py::reinterpret_borrow<py::object>(error_type)(e.what());
  error.attr("status") = py::str(e.status_name());
  PyErr_SetObject(error_type, error.ptr());
}

auto Fspath(py::handle path) -> std::string {
  static py::handle fspath = py::object(py::module_::import("os").attr("fspath")).release();
  return fspath(path).cast<std::string>();
}

// `policy=` as a list of paths; one str or path-like is one root, not a list of characters.
auto PolicyRoots(const py::object& policy) -> std::vector<std::string> {
  std::vector<std::string> roots;
  if (policy.is_none()) return roots;
  if (py::isinstance<py::str>(policy) || py::hasattr(policy, "__fspath__")) {
    roots.push_back(Fspath(policy));
    return roots;
  }
  for (py::handle root : policy) roots.push_back(Fspath(root));
  return roots;
}

auto KindName(cordon_engine_kind kind) -> const char* {
  switch (kind) {
    case CORDON_ENGINE_INTERP:
      return "interp";
    case CORDON_ENGINE_JIT:
      return "jit";
    case CORDON_ENGINE_AOT:
      return "aot";
  }
  return "unknown";
}

auto ParseKind(const std::string& name) -> cordon_engine_kind {
  if (name == "interp") return CORDON_ENGINE_INTERP;
  if (name == "jit") return CORDON_ENGINE_JIT;
  if (name == "aot") return CORDON_ENGINE_AOT;
  throw py::value_error("engine=\"" + name + "\": the engines are \"aot\", \"jit\" and \"interp\"");
}

[[noreturn]] void BadConfig(const std::string& message) {
  throw cordon::Error(CORDON_ERROR_INVALID_ARGUMENT, message);
}

class PyEngine {
 public:
  PyEngine(const py::object& policy, const std::optional<std::string>& engine,
           const py::object& library, const py::object& bundle, const py::object& stdlib_dir,
           const py::object& module_path, const py::object& table_dir, bool embedded_tables,
           uint64_t expected_schema_hash, uint64_t expected_policy_hash) {
    std::vector<std::string> roots = PolicyRoots(policy);
    std::string library_path = library.is_none() ? "" : Fspath(library);
    std::string bundle_path = bundle.is_none() ? "" : Fspath(bundle);
    int sources = !roots.empty() + !library_path.empty() + !bundle_path.empty();
    // The C API ignores the sources a kind does not read: refused here, so that nothing given
    // is silently unused.
    if (sources != 1) {
      BadConfig(
          "give the policy one way: policy=[rule files], library=\"x.so\" (from `cordon "
          "compile -o`) or bundle=\"x.cordonb\" (from `cordon compile --bundle`)");
    }
    // Without engine=, each source gets the kind the C++ wrapper opens it with.
    cordon_engine_kind kind = engine                  ? ParseKind(*engine)
                              : !library_path.empty() ? CORDON_ENGINE_AOT
                              : !bundle_path.empty()  ? CORDON_ENGINE_INTERP
                                                      : CORDON_ENGINE_JIT;
    if (!library_path.empty() && kind != CORDON_ENGINE_AOT) {
      BadConfig("library= is a .so, which only engine=\"aot\" runs");
    }
    if (!bundle_path.empty() && kind == CORDON_ENGINE_AOT) {
      BadConfig(
          "bundle= runs on engine=\"interp\" or \"jit\"; engine=\"aot\" runs library= or "
          "policy= (compiled to a .so when the engine opens)");
    }
    if ((!table_dir.is_none() || embedded_tables) && kind != CORDON_ENGINE_AOT) {
      BadConfig("table_dir= and embedded_tables= are for engine=\"aot\"");
    }
    if (roots.size() > 8) BadConfig("at most 8 policy roots");

    std::string stdlib = stdlib_dir.is_none() ? "" : Fspath(stdlib_dir);
    std::string modules;
    if (!module_path.is_none()) {
      for (const std::string& dir : PolicyRoots(module_path)) {
        modules += (modules.empty() ? "" : ":") + dir;
      }
    }
    std::string tables = table_dir.is_none() ? "" : Fspath(table_dir);

    cordon_config config;
    cordon_config_init(&config);
    config.kind = kind;
    for (const std::string& root : roots) {
      config.policy[config.policy_count++] = cordon_string{root.data(), root.size()};
    }
    config.module_path = cordon_string{modules.data(), modules.size()};
    config.stdlib_dir = cordon_string{stdlib.data(), stdlib.size()};
    config.library = cordon_string{library_path.data(), library_path.size()};
    config.bundle = cordon_string{bundle_path.data(), bundle_path.size()};
    config.table_dir = cordon_string{tables.data(), tables.size()};
    config.embedded_tables = embedded_tables ? 1 : 0;
    config.expected_schema_hash = expected_schema_hash;
    config.expected_policy_hash = expected_policy_hash;
    {
      // Checking and JIT compiling take tens of milliseconds: other Python threads run.
      py::gil_scoped_release release;
      engine_ = std::make_unique<cordon::Engine>(config);
      session_ = std::make_unique<cordon::Session>(*engine_);
    }
  }

  // One request, with the GIL held: a decision takes microseconds, less than a GIL hand-over.
  auto Decide(py::handle request, bool explain) -> py::object {
    // Python code can run in here (a finaliser, when an allocation collects garbage) and hand
    // the GIL to another thread's decide(): the session is locked, and waited for without it.
    std::unique_lock<std::mutex> lock(session_mutex_, std::try_to_lock);
    if (!lock.owns_lock()) {
      py::gil_scoped_release release;
      lock.lock();
    }
    request_json_.clear();
    AppendJson(request_json_, request);
    // false: a malformed request, which the decision (an "error") explains, as `cordon decide`
    // prints it.
    session_->DecideJson(request_json_, decision_, explain ? CORDON_DECIDE_EXPLAIN : 0);
    // The explanation is only ever read as JSON: it goes through the JSON `cordon decide` prints.
    if (explain) return decisions_json_.Convert(decision_.json());
    return decisions_.Build(decision_.get());
  }

  // The requests are taken a chunk at a time: each chunk is written as JSON (with the GIL),
  // decided (without it, by up to `threads` threads), and its decisions built as dicts (with
  // it), so that the buffers stay the size of a chunk, and warm, whatever the number of
  // requests.
  auto DecideMany(const py::iterable& requests, uint32_t threads) -> py::list {
    threads = std::max<uint32_t>(1, threads);
    // One call at a time: the lock is only ever waited for without the GIL, so a thread holding
    // it can always take the GIL back.
    std::unique_lock<std::mutex> lock(many_mutex_, std::defer_lock);
    {
      py::gil_scoped_release release;
      lock.lock();
    }
    py::iterator it = py::iter(requests);
    py::list out;
    // Millions of new dicts and lists would start the cyclic collector again and again, each
    // time over every object so far: two thirds of the call. They hold no cycles: it waits.
    struct CollectorPaused {
      int was_enabled = PyGC_Disable();
      ~CollectorPaused() {
        if (was_enabled) PyGC_Enable();
      }
    } paused;
    const size_t chunk = kChunkPerThread * threads;
    size_t count = 0;
    for (bool more = true; more;) {
      many_json_.clear();
      many_ends_.clear();
      while (many_ends_.size() < chunk) {
        if (it == py::iterator::sentinel()) {
          more = false;
          break;
        }
        AppendJson(many_json_, *it, "$[" + std::to_string(count) + "]");
        many_ends_.push_back(many_json_.size());
        ++count;
        ++it;
      }
      if (many_ends_.empty()) break;
      {
        py::gil_scoped_release release;
        DecideChunk(threads);
      }
      for (size_t i = 0; i < many_ends_.size(); ++i) {
        if (PyList_Append(out.ptr(), many_dicts_.Build(many_decisions_[i].get()).ptr()) != 0) {
          throw py::error_already_set();
        }
      }
    }
    return out;
  }

  void SwapTable(const std::string& table, const py::object& csv_path) {
    std::string path = Fspath(csv_path);
    py::gil_scoped_release release;  // it waits for decisions under way on other threads
    engine_->SwapTableFile(table, path);
  }

  auto Tables() const -> py::list {
    py::list out;
    for (const cordon::TableInfo& info : engine_->tables()) {
      py::dict table;
      table["name"] = info.name;
      table["extern"] = info.is_extern;
      table["rows"] = info.rows;
      table["hash"] = info.hash;
      // "" in the C API: the rows compiled into the policy, not read from a file.
      table["source"] = info.source.empty() ? py::object(py::none()) : py::str(info.source);
      table["modified"] = info.modified.empty() ? py::object(py::none()) : py::str(info.modified);
      out.append(std::move(table));
    }
    return out;
  }

  auto kind() const -> const char* { return KindName(engine_->kind()); }
  auto policy_hash() const -> uint64_t { return engine_->policy_hash(); }
  auto schema_hash() const -> uint64_t { return engine_->schema_hash(); }

 private:
  // A chunk holds this many requests a thread: a few megabytes of JSON, and, as in a batch of
  // `cordon decide`, enough for a thread to be worth starting.
  static constexpr size_t kChunkPerThread = 4096;
  static constexpr size_t kMinPerThread = 2048;

  // Decides the chunk in many_json_ into many_decisions_ (without the GIL), each thread one
  // contiguous run of it with a session of its own.
  void DecideChunk(uint32_t threads) {
    const size_t count = many_ends_.size();
    const auto n = static_cast<uint32_t>(
        std::clamp<size_t>(threads, 1, std::max<size_t>(1, count / kMinPerThread)));
    while (many_sessions_.size() < n) {
      many_sessions_.push_back(std::make_unique<cordon::Session>(*engine_));
    }
    if (many_decisions_.size() < count) many_decisions_.resize(count);
    auto run = [&](uint32_t w) {
      cordon::Session& session = *many_sessions_[w];
      std::string_view json = many_json_;
      for (size_t i = count * w / n, end = count * (w + 1) / n; i < end; ++i) {
        size_t start = i == 0 ? 0 : many_ends_[i - 1];
        // false: a malformed request, which its decision (an "error") explains.
        session.DecideJson(json.substr(start, many_ends_[i] - start), many_decisions_[i]);
      }
    };
    if (n == 1) {
      run(0);
      return;
    }
    std::vector<std::exception_ptr> failed(n);
    auto run_part = [&](uint32_t w) {
      try {
        run(w);
      } catch (...) {
        failed[w] = std::current_exception();
      }
    };
    std::vector<std::thread> started;
    std::vector<uint32_t> not_started;  // a thread the system would not start: run here instead
    for (uint32_t w = 1; w < n; ++w) {
      try {
        started.emplace_back(run_part, w);
      } catch (const std::system_error&) {
        not_started.push_back(w);
      }
    }
    run_part(0);
    for (uint32_t w : not_started) run_part(w);
    for (std::thread& t : started) t.join();
    for (const std::exception_ptr& e : failed) {
      if (e) std::rethrow_exception(e);
    }
  }

  // INVARIANT: declared engine first, so that the sessions and decisions made from it are
  // destroyed before it, as cordon.h requires.
  std::unique_ptr<cordon::Engine> engine_;
  std::unique_ptr<cordon::Session> session_;
  cordon::Decision decision_;
  std::mutex session_mutex_;  // session_, decision_, request_json_, decisions_, decisions_json_
  std::string request_json_;
  DecisionDicts decisions_;
  JsonToPython decisions_json_;

  // decide_many's, one call at a time (many_mutex_): a session a thread, the chunk's requests
  // end to end with where each one ends, and its decisions in order.
  std::mutex many_mutex_;
  std::vector<std::unique_ptr<cordon::Session>> many_sessions_;
  std::string many_json_;
  std::vector<size_t> many_ends_;
  std::vector<cordon::Decision> many_decisions_;
  DecisionDicts many_dicts_;
};

}  // namespace
}  // namespace cordon::python

PYBIND11_MODULE(_cordon, m) {
  using cordon::python::PyEngine;
  namespace py = pybind11;
  m.doc() = "libcordon for Python: see the cordon package.";

  cordon::python::error_type = PyErr_NewExceptionWithDoc(
      "cordon.Error",
      "A failure of libcordon: `status` is the C API's status name (\"CORDON_ERROR_POLICY\", "
      "...),\n"
      "str() its message, for a policy with errors each diagnostic as `cordon check` prints it.",
      PyExc_Exception, nullptr);
  if (cordon::python::error_type == nullptr) throw py::error_already_set();
  m.add_object("Error", py::handle(cordon::python::error_type));
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const cordon::Error& e) {
      cordon::python::RaiseError(e);
    }
  });
  m.attr("__version__") = cordon::Version();

  py::class_<PyEngine>(m, "Engine", R"(One policy, opened to decide requests.

Give the policy one way:
  policy=[paths]  rule files (or directories holding policy.cordon), up to 8, combined as repeated
                  `cordon decide --policy` options combine them; engine "jit" (the default),
                  "interp", or "aot" (compiled to a temporary .so when the engine opens). Needs libcordon-compiler beside libcordon. The stdlib is found as the
                  C API finds it: stdlib_dir=, else $CORDON_STDLIB, else the one installed beside
                  libcordon (in the build tree, the source tree's).
  library=path    a .so from `cordon compile -o`: engine "aot" (the default for it).
  bundle=path     a bundle from `cordon compile --bundle`: engine "interp" (the default) or "jit".
module_path: directories searched for imported modules before the stdlib.
table_dir, embedded_tables: for "aot", where the table files are now, or the compiled-in rows.
expected_schema_hash, expected_policy_hash: when not 0, another policy is refused.
Raises cordon.Error (CORDON_ERROR_POLICY with the diagnostics, CORDON_ERROR_IO, ...).
An Engine may be shared by threads.)")
      .def(py::init<const py::object&, const std::optional<std::string>&, const py::object&,
                    const py::object&, const py::object&, const py::object&, const py::object&,
                    bool, uint64_t, uint64_t>(),
           py::arg("policy") = py::none(), py::arg("engine") = py::none(),
           py::arg("library") = py::none(), py::arg("bundle") = py::none(), py::kw_only(),
           py::arg("stdlib_dir") = py::none(), py::arg("module_path") = py::none(),
           py::arg("table_dir") = py::none(), py::arg("embedded_tables") = false,
           py::arg("expected_schema_hash") = 0, py::arg("expected_policy_hash") = 0)
      .def("decide", &PyEngine::Decide, py::arg("request"), py::kw_only(),
           py::arg("explain") = false,
           R"(Decides one request (a dict, as one line of `cordon decide` input).

Returns the decision as `cordon decide` prints it, as a dict: "decision", "reasons" (each with
"rule", "outcome", "cites", "message"), "errors", and "warnings" when there are some; with
explain=True also "as_of" and "explain". A malformed request is decided "error", its "errors"
saying why: it raises nothing. A value JSON cannot hold raises TypeError or ValueError.)")
      .def("decide_many", &PyEngine::DecideMany, py::arg("requests"), py::kw_only(),
           py::arg("threads") = 1,
           R"(Decides an iterable of requests, a few thousand at a time, without the GIL.

Returns a list of decision dicts, as decide() gives them, in the requests' order whatever
`threads` is (threads are started only for some thousands of requests). A malformed request is an
"error" decision in its place; the others are decided.)")
      .def("swap_table", &PyEngine::SwapTable, py::arg("name"), py::arg("csv_path"),
           R"(Replaces the rows of the policy's `extern table` `name` with the CSV file at
csv_path, for every decision that starts afterwards. On a bad row nothing changes and
cordon.Error (CORDON_ERROR_TABLE) lists each problem at path:line:col.)")
      .def("tables", &PyEngine::Tables,
           R"(The version of each table now, in the policy's order: dicts with "name",
"extern", "rows", "hash" (an int, of the rows), "source" (the CSV read, None for the rows
compiled into the policy) and "modified" (its UTC ISO 8601 time, or None).)")
      .def_property_readonly("kind", &PyEngine::kind, "\"aot\", \"jit\" or \"interp\".")
      .def_property_readonly("policy_hash", &PyEngine::policy_hash,
                             "The policy's hash: the *_POLICY_HASH of its generated header.")
      .def_property_readonly("schema_hash", &PyEngine::schema_hash,
                             "The request schema's hash: the *_SCHEMA_HASH of its header.");
}
