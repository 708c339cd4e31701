// SPDX-License-Identifier: Apache-2.0
// A decision as the dict of the JSON line `cordon decide` prints, built from the decision itself
// (cordon.h's readers) rather than by rendering its JSON and parsing that back, which was most of
// a decide_many: the same keys in the same order, the same values. The strings a million
// decisions repeat (outcomes, rule names, citations, messages without holes) are made once and
// shared. Every function here needs the GIL.
#ifndef CORDON_RUNTIME_PYTHON_DECISION_DICT_H_
#define CORDON_RUNTIME_PYTHON_DECISION_DICT_H_

#include <cordon/cordon.h>
#include <pybind11/pybind11.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/python/python_json.h"

namespace cordon::python {

class DecisionDicts {
 public:
  DecisionDicts();
  ~DecisionDicts();
  DecisionDicts(const DecisionDicts&) = delete;
  auto operator=(const DecisionDicts&) -> DecisionDicts& = delete;

  // `decision`, decided without CORDON_DECIDE_EXPLAIN, as {"decision", "reasons" (each {"rule",
  // "outcome", "cites", "message"}), "errors"} and "warnings" when there are some: the keys,
  // order and values of its cordon_decision_json. A text that is not UTF-8 (which the JSON
  // replaces, as nlohmann does) sends the whole decision through that JSON instead.
  auto Build(cordon_decision* decision) -> py::object;

 private:
  // A new reference to `text` as a str; nullptr (and no Python error) when it is not UTF-8.
  auto Str(cordon_string text) -> PyObject*;
  auto List(cordon_decision* decision, size_t (*count)(const cordon_decision*),
            cordon_string (*at)(const cordon_decision*, size_t)) -> py::object;

  struct Hash {
    using is_transparent = void;
    auto operator()(std::string_view s) const -> size_t { return std::hash<std::string_view>{}(s); }
  };
  // Recently seen texts by address: a text of the policy (a rule's name, citation or message)
  // is at the same address in every decision, so it is found with a compare and no hash. A
  // text of one decision (a message with its holes filled) may be at an address another had:
  // an entry is used only when its bytes are the text's.
  struct Recent {
    const char* data = nullptr;
    size_t size = 0;
    PyObject* str = nullptr;  // owned; its UTF-8 is the text
    const char* utf8 = nullptr;
  };
  static constexpr size_t kRecent = 256;  // a power of two
  std::array<Recent, kRecent> recent_{};
  // The last reason dict made for each rule, with its values: a reason with the same values
  // (the same shared str objects) is a copy of it, which clones its table rather than inserting
  // key by key. Never handed out itself, so that no caller's changes reach it.
  struct Reason {
    PyObject* values[4] = {};  // owned: rule, outcome, cites, message
    PyObject* dict = nullptr;  // owned
  };
  auto ReasonDict(uint32_t rule_id, py::object values[4]) -> py::object;
  std::vector<Reason> reasons_;  // by rule id, up to a number of slots
  // Every shared text by content, owned (up to a limit: see decision_dict.cpp).
  std::unordered_map<std::string, PyObject*, Hash, std::equal_to<>> strings_;
  // The keys, made once.
  PyObject* decision_key_;
  PyObject* reasons_key_;
  PyObject* errors_key_;
  PyObject* warnings_key_;
  PyObject* rule_key_;
  PyObject* outcome_key_;
  PyObject* cites_key_;
  PyObject* message_key_;
  JsonToPython json_;  // for a decision with a text that is not UTF-8
};

}  // namespace cordon::python

#endif  // CORDON_RUNTIME_PYTHON_DECISION_DICT_H_
