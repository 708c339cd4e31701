// SPDX-License-Identifier: Apache-2.0
// Decisions as dicts (decision_dict.h), read with cordon.h's decision readers.
#include "runtime/python/decision_dict.h"

#include <cstring>
#include <stdexcept>

namespace cordon::python {
namespace {

// Longer texts are messages of one request: not worth an entry.
constexpr size_t kMaxSharedText = 1024;
// A million decisions with a different message each (holes filled with the request's values)
// must not grow the table without end: past this many texts, new ones are made and not kept.
constexpr size_t kMaxSharedTexts = 1 << 14;
constexpr size_t kReasonSlots = 1 << 12;

auto Key(const char* name) -> PyObject* {
  PyObject* key = PyUnicode_InternFromString(name);
  if (key == nullptr) throw py::error_already_set();
  return key;
}

auto Steal(PyObject* p) -> py::object { return py::reinterpret_steal<py::object>(p); }

void Set(const py::object& dict, PyObject* key, const py::object& value) {
  if (PyDict_SetItem(dict.ptr(), key, value.ptr()) != 0) throw py::error_already_set();
}

}  // namespace

DecisionDicts::DecisionDicts()
    : decision_key_(Key("decision")),
      reasons_key_(Key("reasons")),
      errors_key_(Key("errors")),
      warnings_key_(Key("warnings")),
      rule_key_(Key("rule")),
      outcome_key_(Key("outcome")),
      cites_key_(Key("cites")),
      message_key_(Key("message")) {}

DecisionDicts::~DecisionDicts() {
  for (Reason& r : reasons_) {
    for (PyObject* value : r.values) Py_XDECREF(value);
    Py_XDECREF(r.dict);
  }
  for (Recent& r : recent_) Py_XDECREF(r.str);
  for (auto& [text, str] : strings_) Py_DECREF(str);
  for (PyObject* key : {decision_key_, reasons_key_, errors_key_, warnings_key_, rule_key_,
                        outcome_key_, cites_key_, message_key_}) {
    Py_DECREF(key);
  }
}

auto DecisionDicts::Str(cordon_string text) -> PyObject* {
  auto decode = [&]() -> PyObject* {
    // Strict: the JSON path replaces what is not UTF-8, and the caller then takes that path.
    PyObject* str = PyUnicode_DecodeUTF8(text.data, static_cast<Py_ssize_t>(text.size), nullptr);
    if (str == nullptr) PyErr_Clear();
    return str;
  };
  if (text.size > kMaxSharedText) return decode();
  auto address = reinterpret_cast<uintptr_t>(text.data);
  Recent& recent = recent_[((address >> 3) ^ (address >> 12)) & (kRecent - 1)];
  if (recent.data == text.data && recent.size == text.size &&
      std::memcmp(recent.utf8, text.data, text.size) == 0) {
    Py_INCREF(recent.str);
    return recent.str;
  }
  std::string_view view(text.data, text.size);
  PyObject* str = nullptr;
  if (auto found = strings_.find(view); found != strings_.end()) {
    str = found->second;
    Py_INCREF(str);
  } else {
    str = decode();
    if (str == nullptr) return nullptr;
    if (strings_.size() < kMaxSharedTexts) {
      Py_INCREF(str);
      strings_.emplace(std::string(view), str);
    }
  }
  // A str made from UTF-8 keeps it (without a copy when it is ASCII).
  Py_ssize_t size = 0;
  const char* utf8 = PyUnicode_AsUTF8AndSize(str, &size);
  if (utf8 == nullptr) {
    PyErr_Clear();
    return str;
  }
  Py_INCREF(str);
  Py_XDECREF(recent.str);
  recent = Recent{.data = text.data, .size = text.size, .str = str, .utf8 = utf8};
  return str;
}

auto DecisionDicts::List(cordon_decision* decision, size_t (*count)(const cordon_decision*),
                         cordon_string (*at)(const cordon_decision*, size_t)) -> py::object {
  size_t n = count(decision);
  py::object list = Steal(PyList_New(static_cast<Py_ssize_t>(n)));
  if (!list) throw py::error_already_set();
  for (size_t i = 0; i < n; ++i) {
    PyObject* item = Str(at(decision, i));
    if (item == nullptr) return py::object();
    PyList_SET_ITEM(list.ptr(), static_cast<Py_ssize_t>(i), item);  // steals it
  }
  return list;
}

auto DecisionDicts::ReasonDict(uint32_t rule_id, py::object values[4]) -> py::object {
  // Rules past the slots share them: only a copy with the very same values is made.
  size_t slot = rule_id % kReasonSlots;
  if (slot >= reasons_.size()) reasons_.resize(slot + 1);
  Reason& last = reasons_[slot];
  bool same = last.dict != nullptr;
  for (int i = 0; i < 4 && same; ++i) same = last.values[i] == values[i].ptr();
  if (same) {
    py::object copy = Steal(PyDict_Copy(last.dict));
    if (!copy) throw py::error_already_set();
    return copy;
  }
  py::object dict = Steal(PyDict_New());
  if (!dict) throw py::error_already_set();
  PyObject* keys[4] = {rule_key_, outcome_key_, cites_key_, message_key_};
  for (int i = 0; i < 4; ++i) Set(dict, keys[i], values[i]);
  py::object kept = Steal(PyDict_Copy(dict.ptr()));
  if (!kept) throw py::error_already_set();
  for (int i = 0; i < 4; ++i) {
    Py_XDECREF(last.values[i]);
    last.values[i] = values[i].inc_ref().ptr();
  }
  Py_XDECREF(last.dict);
  last.dict = kept.release().ptr();
  return dict;
}

auto DecisionDicts::Build(cordon_decision* decision) -> py::object {
  auto through_json = [&] {
    cordon_string json = cordon_decision_json(decision);
    return json_.Convert(std::string_view(json.data, json.size));
  };
  py::object outcome = Steal(Str(cordon_decision_outcome(decision)));
  if (!outcome) return through_json();
  size_t n = cordon_decision_reason_count(decision);
  py::object reasons = Steal(PyList_New(static_cast<Py_ssize_t>(n)));
  if (!reasons) throw py::error_already_set();
  for (size_t i = 0; i < n; ++i) {
    cordon_reason r;
    if (cordon_decision_reason(decision, i, &r) != CORDON_OK) {
      throw std::runtime_error("libcordon did not read reason " + std::to_string(i) + " of " +
                               std::to_string(n));
    }
    py::object values[4] = {Steal(Str(r.rule)), Steal(Str(r.outcome)), Steal(Str(r.cites)),
                            Steal(Str(r.message))};
    for (const py::object& value : values) {
      if (!value) return through_json();
    }
    PyList_SET_ITEM(reasons.ptr(), static_cast<Py_ssize_t>(i),
                    ReasonDict(r.rule_id, values).release().ptr());
  }
  py::object errors = List(decision, cordon_decision_error_count, cordon_decision_error);
  if (!errors) return through_json();
  py::object dict = Steal(PyDict_New());
  if (!dict) throw py::error_already_set();
  Set(dict, decision_key_, outcome);
  Set(dict, reasons_key_, reasons);
  Set(dict, errors_key_, errors);
  // The JSON has "warnings" only for a decision moved to the policy's review date, which always
  // has its one warning.
  if (cordon_decision_warning_count(decision) > 0) {
    py::object warnings = List(decision, cordon_decision_warning_count, cordon_decision_warning);
    if (!warnings) return through_json();
    Set(dict, warnings_key_, warnings);
  }
  return dict;
}

}  // namespace cordon::python
