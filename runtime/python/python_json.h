// SPDX-License-Identifier: Apache-2.0
// Python values to JSON text and back, for the `cordon` module: requests go into libcordon as
// the JSON `cordon decide` reads; an explained decision comes back as the JSON it prints and is
// rebuilt as Python objects here (the others are built from the decision: decision_dict.h).
// Every function here needs the GIL.
#ifndef CORDON_RUNTIME_PYTHON_PYTHON_JSON_H_
#define CORDON_RUNTIME_PYTHON_PYTHON_JSON_H_

#include <pybind11/pybind11.h>
#include <simdjson.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cordon::python {

namespace py = pybind11;

// Appends `value` to `out` as compact JSON on one line (control characters escaped, so a
// request never breaks a JSON Lines batch). Holds dict (str keys), list, tuple, str, int,
// float, bool, None and decimal.Decimal; anything else, a non-finite number or nesting deeper
// than 64 throws TypeError or ValueError naming where, as `$[3].item.tpp` (`where` is the
// root's name, "$" or "$[3]").
void AppendJson(std::string& out, py::handle value, std::string_view where = "$");

// JSON text to Python objects (dict, list, str, int, float, bool, None). Equal strings up to a
// few hundred bytes share one Python object: decisions name the same few dozen rules, outcomes
// and citations again and again, and sharing them saves both the allocations and the memory.
class JsonToPython {
 public:
  // `json` is one JSON value; a parse failure (a bug in libcordon) throws RuntimeError.
  auto Convert(std::string_view json) -> py::object;

 private:
  struct Hash {
    using is_transparent = void;
    auto operator()(std::string_view s) const -> size_t { return std::hash<std::string_view>{}(s); }
  };
  auto Value(simdjson::dom::element element) -> py::object;
  auto String(std::string_view text) -> py::object;

  simdjson::dom::parser parser_;
  std::unordered_map<std::string, py::object, Hash, std::equal_to<>> strings_;
};

}  // namespace cordon::python

#endif  // CORDON_RUNTIME_PYTHON_PYTHON_JSON_H_
