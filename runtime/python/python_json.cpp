// SPDX-License-Identifier: Apache-2.0
// Python values to JSON text and back (python_json.h). Written with the CPython API rather than
// json.dumps / json.loads: the requests of a decide_many are serialised in one pass with no
// intermediate str objects, and decisions are rebuilt with shared strings.
#include "runtime/python/python_json.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace cordon::python {
namespace {

// Deep enough for any request schema; shallow enough that a cyclic or hostile value is refused
// long before the C stack is at risk.
constexpr int kMaxDepth = 64;
// Longer strings are messages and names of one request: not worth a cache entry.
constexpr size_t kMaxSharedString = 256;
constexpr size_t kMaxSharedStrings = 1 << 14;

class Writer {
 public:
  Writer(std::string& out, std::string_view where) : out_(out), where_(where) {}

  void Value(py::handle value, int depth) {
    PyObject* v = value.ptr();
    if (v == Py_None) {
      out_ += "null";
    } else if (v == Py_True) {
      out_ += "true";
    } else if (v == Py_False) {
      out_ += "false";
    } else if (PyUnicode_Check(v)) {
      String(v);
    } else if (PyLong_Check(v)) {
      Int(v);
    } else if (PyFloat_Check(v)) {
      Float(PyFloat_AS_DOUBLE(v));
    } else if (PyDict_Check(v)) {
      Dict(v, depth);
    } else if (PyList_Check(v) || PyTuple_Check(v)) {
      Sequence(v, depth);
    } else if (IsDecimal(value)) {
      Decimal(value);
    } else {
      throw py::type_error(Where() + ": a " + Py_TYPE(v)->tp_name +
                           " is not a JSON value (use dict, list, str, int, float, bool, None "
                           "or decimal.Decimal)");
    }
  }

 private:
  void String(PyObject* v) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(v, &size);
    if (data == nullptr) throw py::error_already_set();  // a lone surrogate
    out_ += '"';
    const char* run = data;  // copied in runs: most strings need no escape at all
    const char* end = data + size;
    for (const char* p = data; p != end; ++p) {
      auto c = static_cast<unsigned char>(*p);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out_.append(run, p);
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default: {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out_ += escaped;
        }
      }
      run = p + 1;
    }
    out_.append(run, end);
    out_ += '"';
  }

  void Int(PyObject* v) {
    int overflow = 0;
    long long n = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow == 0 && !(n == -1 && PyErr_Occurred())) {
      char digits[24];
      out_.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
      return;
    }
    PyErr_Clear();
    // int's own repr, not str(): an IntEnum's str is its name.
    py::str text = py::reinterpret_steal<py::str>(PyLong_Type.tp_repr(v));
    if (!text) throw py::error_already_set();
    out_ += text.cast<std::string>();
  }

  void Float(double d) {
    if (!std::isfinite(d)) {
      throw py::value_error(Where() + ": " + (std::isnan(d) ? "NaN" : "an infinite number") +
                            " is not a JSON value");
    }
    // repr's shortest round trip, as json.dumps writes it.
    char* text = PyOS_double_to_string(d, 'r', 0, Py_DTSF_ADD_DOT_0, nullptr);
    if (text == nullptr) throw py::error_already_set();
    out_ += text;
    PyMem_Free(text);
  }

  void Dict(PyObject* v, int depth) {
    Deeper(depth);
    out_ += '{';
    Py_ssize_t pos = 0;
    PyObject* key = nullptr;
    PyObject* item = nullptr;
    bool first = true;
    while (PyDict_Next(v, &pos, &key, &item)) {
      if (!PyUnicode_Check(key)) {
        throw py::type_error(Where() + ": a key of type " + Py_TYPE(key)->tp_name +
                             ": JSON object keys are str");
      }
      if (!first) out_ += ',';
      first = false;
      String(key);
      out_ += ':';
      // The path is built only when needed: a borrowed key, valid while the dict lives.
      path_[steps_++] = Step{key, -1};
      Value(item, depth + 1);
      --steps_;
    }
    out_ += '}';
  }

  void Sequence(PyObject* v, int depth) {
    Deeper(depth);
    out_ += '[';
    Py_ssize_t n = PySequence_Fast_GET_SIZE(v);
    PyObject** items = PySequence_Fast_ITEMS(v);
    for (Py_ssize_t i = 0; i < n; ++i) {
      if (i != 0) out_ += ',';
      path_[steps_++] = Step{nullptr, i};
      Value(items[i], depth + 1);
      --steps_;
    }
    out_ += ']';
  }

  static auto IsDecimal(py::handle value) -> bool {
    static py::handle decimal_type = [] {
      return py::object(py::module_::import("decimal").attr("Decimal")).release();
    }();
    return py::isinstance(value, decimal_type);
  }

  void Decimal(py::handle value) {
    if (!value.attr("is_finite")().cast<bool>()) {
      throw py::value_error(Where() + ": " + py::str(value).cast<std::string>() +
                            " is not a JSON number");
    }
    out_ += py::str(value).cast<std::string>();  // "5.92", "1E+2": both JSON numbers
  }

  void Deeper(int depth) {
    if (depth >= kMaxDepth) {
      throw py::value_error(Where() + ": nested deeper than " + std::to_string(kMaxDepth) +
                            " levels (a value that contains itself?)");
    }
  }

  // `$[3].item.tpp`, as libcordon names places in a request.
  auto Where() const -> std::string {
    std::string where(where_);
    for (size_t i = 0; i < steps_; ++i) {
      const Step& step = path_[i];
      if (step.key != nullptr) {
        const char* key = PyUnicode_AsUTF8(step.key);
        where += '.';
        where += key != nullptr ? key : "?";
      } else {
        where += '[' + std::to_string(step.index) + ']';
      }
    }
    PyErr_Clear();
    return where;
  }

  struct Step {
    PyObject* key;  // borrowed; nullptr for a list index
    Py_ssize_t index;
  };
  std::string& out_;
  std::string_view where_;
  // INVARIANT: a step is added only below kMaxDepth (Deeper), so the path fits. An array, not
  // a vector: a request is written without allocating for its path.
  std::array<Step, kMaxDepth> path_;
  size_t steps_ = 0;
};

}  // namespace

void AppendJson(std::string& out, py::handle value, std::string_view where) {
  Writer(out, where).Value(value, 0);
}

auto JsonToPython::Convert(std::string_view json) -> py::object {
  simdjson::dom::element root;
  // realloc_if_needed: `json` is libcordon's buffer, without simdjson's padding.
  simdjson::error_code error = parser_.parse(json.data(), json.size(), true).get(root);
  if (error != simdjson::SUCCESS) {
    throw std::runtime_error(std::string("libcordon returned a decision that is not JSON: ") +
                             simdjson::error_message(error));
  }
  return Value(root);
}

auto JsonToPython::Value(simdjson::dom::element element) -> py::object {
  using simdjson::dom::element_type;
  switch (element.type()) {
    case element_type::OBJECT: {
      py::dict dict;
      for (simdjson::dom::key_value_pair field : simdjson::dom::object(element)) {
        py::object key = String(field.key);
        py::object value = Value(field.value);
        if (PyDict_SetItem(dict.ptr(), key.ptr(), value.ptr()) != 0) throw py::error_already_set();
      }
      return dict;
    }
    case element_type::ARRAY: {
      simdjson::dom::array array(element);
      py::list list(array.size());
      size_t i = 0;
      for (simdjson::dom::element item : array) {
        // PyList_SET_ITEM steals the reference.
        PyList_SET_ITEM(list.ptr(), static_cast<Py_ssize_t>(i++), Value(item).release().ptr());
      }
      return list;
    }
    case element_type::STRING:
      return String(std::string_view(element));
    case element_type::INT64:
      return py::int_(int64_t(element));
    case element_type::UINT64:
      return py::int_(uint64_t(element));
    case element_type::DOUBLE:
      return py::float_(double(element));
    case element_type::BOOL:
      return py::bool_(bool(element));
    case element_type::NULL_VALUE:
      return py::none();
  }
  throw std::runtime_error("libcordon returned a JSON value of an unknown type");
}

auto JsonToPython::String(std::string_view text) -> py::object {
  if (text.size() > kMaxSharedString) return py::str(text.data(), text.size());
  if (auto found = strings_.find(text); found != strings_.end()) return found->second;
  py::str made(text.data(), text.size());
  if (strings_.size() < kMaxSharedStrings) strings_.emplace(std::string(text), made);
  return made;
}

}  // namespace cordon::python
