// SPDX-License-Identifier: Apache-2.0
// The only file that includes simdjson (it is large). The On Demand API reads the request in one
// pass, guided by the schema.
#include "runtime/request/request.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "runtime/base/countries.h"
#include "runtime/base/spelling.h"

namespace cordon::request {

namespace od = simdjson::ondemand;

namespace {

auto EnumValues(const ir::Program& program, ir::EnumId id) -> std::string {
  std::string out;
  for (const std::string& v : program.enums[id].values) {
    out += (out.empty() ? "\"" : ", \"") + v + "\"";
  }
  return out;
}

// A `duration` given as an ISO 8601 string ("P30D", "PT720H"): a whole number of days.
auto IsoDuration(std::string_view text, ir::Datum& out, std::string& problem) -> bool {
  std::string why;
  std::optional<int64_t> seconds = ParseIsoDuration(text, why);
  if (!seconds) {
    problem = fmt::format("\"{}\" is not an ISO 8601 duration: {}", text, why);
    return false;
  }
  if (*seconds % 86400 != 0) {
    problem =
        fmt::format("\"{}\" is not a whole number of days: a duration is counted in days", text);
    return false;
  }
  out.number = Number::Integer(*seconds / 86400);
  return true;
}

}  // namespace

auto IsJsonNumber(std::string_view s) -> bool {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

auto IsUtf8(std::string_view text) -> bool {
  return simdjson::validate_utf8(text.data(), text.size());
}

auto Expected(const ir::Program& program, const ir::SchemaNode& node) -> std::string {
  switch (node.kind) {
    case ir::Kind::kBool:
      return "true or false";
    case ir::Kind::kNumber:
      if (node.duration) {
        return "a whole number of days or an ISO 8601 duration such as \"P30D\"";
      }
      if (node.integer) {
        return node.type_text == "int" ? "a whole number"
                                       : fmt::format("a whole number ({})", node.type_text);
      }
      return node.type_text == "number" ? "a number" : fmt::format("a number ({})", node.type_text);
    case ir::Kind::kDate:
      return "a date \"YYYY-MM-DD\"";
    case ir::Kind::kCountry:
      return "an ISO 3166-1 alpha-2 country code such as \"CN\"";
    case ir::Kind::kEnum:
      return fmt::format("one of {}", EnumValues(program, node.enum_id));
    case ir::Kind::kText:
      return "a string";
    case ir::Kind::kCountrySet:
      return "an array of country codes";
    case ir::Kind::kEnumSet:
      return fmt::format("an array of {}", EnumValues(program, node.enum_id));
    case ir::Kind::kTextSet:
      return "an array of strings";
    case ir::Kind::kList:
      return fmt::format("an array of objects (list<{}>)", program.lists[node.list].record);
    case ir::Kind::kRow:
    case ir::Kind::kElement:
      return "?";
  }
  return "?";
}

auto ScaleNumber(const ir::Program& program, const ir::SchemaNode& node, const Number& value,
                 std::string_view raw, ir::Datum& out, std::string& problem) -> bool {
  out = ir::Datum{.kind = ir::Kind::kNumber};
  if ((node.integer || node.duration) && !value.is_integer()) {
    problem = fmt::format("expected {}, got {}", Expected(program, node), raw);
    return false;
  }
  if (Multiply(value, node.scale, out.number) != ArithmeticStatus::kOk) {
    problem = fmt::format("{} is out of range in base units", raw);
    return false;
  }
  return true;
}

auto DecodeString(const ir::Program& program, const ir::SchemaNode& node, ir::Kind kind,
                  std::string_view text, ir::Datum& out, std::string& problem) -> bool {
  out = ir::Datum{.kind = kind};
  switch (kind) {
    case ir::Kind::kText:
      out.text = text;
      return true;
    case ir::Kind::kNumber:
      if (node.duration) return IsoDuration(text, out, problem);
      break;
    case ir::Kind::kDate:
      if (std::optional<DayNumber> day = ParseDate(text)) {
        out.bits = *day;
        return true;
      }
      problem = fmt::format("expected a date \"YYYY-MM-DD\", got \"{}\"", text);
      return false;
    case ir::Kind::kCountry:
      if (std::optional<CountryIndex> country = LookupCountry(text)) {
        out.bits = *country;
        return true;
      } else {
        std::string help = CountryHelp(text);
        problem = fmt::format("\"{}\" is not an ISO 3166-1 alpha-2 country code{}{}", text,
                              help.empty() ? "" : ": ", help);
        return false;
      }
    case ir::Kind::kEnum: {
      const auto& values = program.enums[node.enum_id].values;
      auto it = std::find(values.begin(), values.end(), text);
      if (it != values.end()) {
        out.bits = it - values.begin();
        return true;
      }
      problem = fmt::format("\"{}\" is not one of {}", text, EnumValues(program, node.enum_id));
      return false;
    }
    default:
      break;
  }
  // The decoder and the builder give strings only to the kinds above; said, not assumed.
  problem = fmt::format("expected {}, got a string", Expected(program, node));
  return false;
}

void MarkAbsent(const ir::Program& program, uint32_t node_id, ir::Datum* base) {
  const ir::SchemaNode& node = program.schema[node_id];
  if (!node.is_record && node.kind == ir::Kind::kList) {
    base[node.slot] = ir::EmptyList();  // the empty list, or `none` when optional
    base[node.slot].present = !node.optional;
    return;
  }
  if (node.slot != ir::kNoId) {
    base[node.slot] =
        ir::Datum{.kind = node.is_record ? ir::Kind::kBool : node.kind, .present = false};
  }
  for (uint32_t child : node.children) MarkAbsent(program, child, base);
}

auto MissingField(const ir::Program& program, const ir::SchemaNode& node) -> std::string {
  return node.is_record ? "missing required field (an object)"
                        : fmt::format("missing required field ({})", Expected(program, node));
}

struct Decoder::Impl {
  const ir::Program& program;
  od::parser parser;
  std::string buffer;  // the request plus simdjson's padding
  std::deque<ir::CountrySet> country_sets;
  size_t country_sets_used = 0;
  std::deque<ir::TextSet> text_sets;
  size_t text_sets_used = 0;
  std::deque<std::string> texts;  // strings unescaped by simdjson are copied here
  size_t texts_used = 0;
  std::vector<std::string>* errors = nullptr;
  std::vector<uint8_t> seen_stack;
  ir::Datum* base = nullptr;  // the slots of the record being read: the request's or an element's
  // Lists: their headers and element slots, reused from request to request.
  std::deque<ir::List> lists;
  size_t lists_used = 0;
  std::deque<std::vector<ir::Datum>> items;
  size_t items_used = 0;
  uint32_t list_depth = 0;
  std::string id_field;  // --id-field: copied, not decoded
  std::string id;        // its JSON text in the last request
  std::string problem;   // a shared check's message

  explicit Impl(const ir::Program& p) : program(p) {}

  // The JSON path of the value being read ("$.item.tpp"). One buffer, extended on the way down
  // and cut back on the way up, so well-formed requests build no strings.
  std::string path = "$";

  void Problem(const std::string& message) {
    errors->push_back(fmt::format("{}: {}", path, message));
  }

  auto KeepText(std::string_view text) -> std::string_view {
    if (texts_used == texts.size()) texts.emplace_back();
    std::string& slot = texts[texts_used++];
    slot.assign(text);
    return slot;
  }

  static auto Describe(od::value& value) -> std::string {
    std::string_view raw;
    od::json_type type;
    if (value.type().get(type) != simdjson::SUCCESS) return "invalid JSON";
    switch (type) {
      case od::json_type::object:
        return "an object";
      case od::json_type::array:
        return "an array";
      case od::json_type::null:
        return "null";
      default:
        break;
    }
    raw = value.raw_json_token();
    while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) {
      raw.remove_suffix(1);
    }
    if (raw.size() > 40) return fmt::format("{}…", raw.substr(0, 40));
    return std::string(raw);
  }

  auto Expected(const ir::SchemaNode& node) const -> std::string {
    return request::Expected(program, node);
  }

  // A string element: enum ordinal, country index or date, by kind; false with a problem.
  auto Scalar(od::value& value, const ir::SchemaNode& node, ir::Kind kind, ir::Datum& out) -> bool {
    out = ir::Datum{.kind = kind};
    od::json_type type;
    if (value.type().get(type) != simdjson::SUCCESS) {
      Problem("invalid JSON");
      return false;
    }
    auto wrong = [&] {
      Problem(fmt::format("expected {}, got {}", Expected(node), Describe(value)));
      return false;
    };
    if (kind == ir::Kind::kBool) {
      bool b;
      if (type != od::json_type::boolean || value.get_bool().get(b) != simdjson::SUCCESS) {
        return wrong();
      }
      out.bits = b ? 1 : 0;
      return true;
    }
    if (kind == ir::Kind::kNumber) {
      std::string_view raw;
      if (node.duration && type == od::json_type::string) {
        std::string_view text;
        if (value.get_string().get(text) != simdjson::SUCCESS) {
          Problem("invalid JSON");
          return false;
        }
        return Checked(DecodeString(program, node, kind, text, out, problem));
      }
      if (type != od::json_type::number) return wrong();
      raw = value.raw_json_token();
      while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) {
        raw.remove_suffix(1);
      }
      if (!IsJsonNumber(raw)) {
        // simdjson hands over `010` and `1.` as number tokens; JSON forbids both.
        Problem(
            fmt::format("{} is not a JSON number (no leading zeros, digits after a point)", raw));
        return false;
      }
      std::optional<Number> n = ParseDecimal(raw);
      if (!n) {
        Problem(
            fmt::format("{} is out of range: numbers are exact fractions of 128-bit "
                        "integers (up to about 1.7e38)",
                        raw));
        return false;
      }
      return Checked(ScaleNumber(program, node, *n, raw, out, problem));
    }
    std::string_view text;
    if (type != od::json_type::string || value.get_string().get(text) != simdjson::SUCCESS) {
      return wrong();
    }
    if (kind != ir::Kind::kText && kind != ir::Kind::kDate && kind != ir::Kind::kCountry &&
        kind != ir::Kind::kEnum) {
      return wrong();
    }
    if (!Checked(DecodeString(program, node, kind, text, out, problem))) return false;
    if (kind == ir::Kind::kText) out.text = KeepText(text);
    return true;
  }

  // A shared check's verdict, its problem reported at the current path.
  auto Checked(bool ok) -> bool {
    if (!ok) Problem(problem);
    return ok;
  }

  // A JSON array of objects, each decoded onto an element's slots. `null` is the empty list.
  void ListField(od::value& value, const ir::SchemaNode& node) {
    ir::Datum& slot = base[node.slot];
    slot = ir::EmptyList();
    bool is_null = false;
    if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
      slot.present = !node.optional;  // `null`: none when optional, else the empty list
      return;
    }
    od::array array;
    if (value.get_array().get(array) != simdjson::SUCCESS) {
      Problem(fmt::format("expected {}, got {}", Expected(node), Describe(value)));
      return;
    }
    const ir::ListShape& shape = program.lists[node.list];
    // Counted first: a list over its bound is refused whole, before any element is read.
    size_t given = 0;
    if (array.count_elements().get(given) != simdjson::SUCCESS) {
      Problem("invalid JSON");
      return;
    }
    if (given > shape.max_length) {
      Problem(fmt::format("{} elements, but list<{}> holds at most {} here", given, shape.record,
                          shape.max_length));
      return;
    }
    if (items_used == items.size()) items.emplace_back();
    std::vector<ir::Datum>& elements = items[items_used++];
    elements.clear();
    uint32_t count = 0;
    for (auto item : array) {
      PathMark item_path(path);
      path.append("[").append(std::to_string(count)).append("]");
      od::value v;
      od::object object;
      if (item.get(v) != simdjson::SUCCESS) {
        Problem("invalid JSON");
        return;
      }
      if (v.get_object().get(object) != simdjson::SUCCESS) {
        Problem(fmt::format("expected an object (an element of list<{}>), got {}", shape.record,
                            Describe(v)));
        return;
      }
      if (list_depth >= ir::kMaxListDepth) {
        Problem(fmt::format(
            "lists nest more than {} deep here: an ownership tree (or any nesting of lists) is "
            "decided to {} levels at most",
            ir::kMaxListDepth, ir::kMaxListDepth));
        return;
      }
      elements.resize(size_t{count + 1} * shape.slot_count, ir::Datum{.present = false});
      ir::Datum* outer = base;
      base = elements.data() + size_t{count} * shape.slot_count;
      ++list_depth;
      Record(object, shape.element);
      --list_depth;
      base = outer;
      ++count;
    }
    if (lists_used == lists.size()) lists.emplace_back();
    ir::List& list = lists[lists_used++];
    list = ir::List{.items = elements.data(), .count = count, .stride = shape.slot_count};
    slot.set = &list;
  }

  void Leaf(od::value& value, const ir::SchemaNode& node) {
    if (node.kind == ir::Kind::kList) {
      ListField(value, node);
      return;
    }
    ir::Datum& slot = base[node.slot];
    bool is_null = false;
    if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
      if (node.optional) {
        slot = ir::Datum{.kind = node.kind, .present = false};
      } else {
        Problem(fmt::format("expected {}, got null", Expected(node)));
      }
      return;
    }
    if (node.kind == ir::Kind::kCountrySet || node.kind == ir::Kind::kEnumSet ||
        node.kind == ir::Kind::kTextSet) {
      od::array array;
      if (value.get_array().get(array) != simdjson::SUCCESS) {
        Problem(fmt::format("expected {}, got {}", Expected(node), Describe(value)));
        return;
      }
      ir::Datum set{.kind = node.kind};
      ir::Kind element = node.kind == ir::Kind::kCountrySet ? ir::Kind::kCountry
                         : node.kind == ir::Kind::kEnumSet  ? ir::Kind::kEnum
                                                            : ir::Kind::kText;
      ir::CountrySet* countries = nullptr;
      ir::TextSet* texts_set = nullptr;
      if (element == ir::Kind::kCountry) {
        if (country_sets_used == country_sets.size()) country_sets.emplace_back();
        countries = &country_sets[country_sets_used++];
        *countries = ir::CountrySet{};
        set.set = countries;
      } else if (element == ir::Kind::kText) {
        if (text_sets_used == text_sets.size()) text_sets.emplace_back();
        texts_set = &text_sets[text_sets_used++];
        texts_set->sorted.clear();
        set.set = texts_set;
      }
      size_t i = 0;
      bool ok = true;
      for (auto item : array) {
        od::value v;
        PathMark item_path(path);
        path.append("[").append(std::to_string(i++)).append("]");
        if (item.get(v) != simdjson::SUCCESS) {
          Problem("invalid JSON");
          ok = false;
          break;
        }
        ir::Datum d;
        if (!Scalar(v, node, element, d)) {
          ok = false;
          continue;
        }
        if (countries != nullptr) countries->Insert(static_cast<uint32_t>(d.bits));
        if (texts_set != nullptr) texts_set->sorted.push_back(d.text);
        if (element == ir::Kind::kEnum) set.bits |= int64_t{1} << d.bits;
      }
      if (texts_set != nullptr) std::sort(texts_set->sorted.begin(), texts_set->sorted.end());
      if (ok) slot = set;
      return;
    }
    ir::Datum d;
    if (Scalar(value, node, node.kind, d)) slot = d;
  }

  // Restores `path` to its length on construction when it goes out of scope.
  struct PathMark {
    std::string& path;
    size_t length;
    explicit PathMark(std::string& p) : path(p), length(p.size()) {}
    ~PathMark() { path.resize(length); }
  };

  void Record(od::object object, uint32_t node_id) {
    const ir::SchemaNode& node = program.schema[node_id];
    // Which fields were given, on a stack shared by nested records (no allocation once warm).
    size_t seen = seen_stack.size();
    seen_stack.resize(seen + node.children.size(), 0);
    bool aborted = false;
    for (auto field : object) {
      std::string_view key;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS) {
        Problem("invalid JSON: a field name cannot be read");
        aborted = true;
        break;
      }
      PathMark field_path(path);
      path.append(".").append(key);
      size_t index = 0;
      while (index < node.children.size() && program.schema[node.children[index]].name != key) {
        ++index;
      }
      if (node_id == 0 && !id_field.empty() && key == id_field && index == node.children.size()) {
        ReadId(field);
        continue;
      }
      if (index == node.children.size()) {
        std::vector<std::string> names;
        for (uint32_t child : node.children) names.push_back(program.schema[child].name);
        std::string close = ClosestSpelling(key, names);
        Problem(close.empty() ? "unknown field"
                              : fmt::format("unknown field (did you mean \"{}\"?)", close));
        continue;
      }
      if (seen_stack[seen + index] != 0) {
        Problem("given twice");
        continue;
      }
      seen_stack[seen + index] = 1;
      od::value value;
      if (field.value().get(value) != simdjson::SUCCESS) {
        Problem("invalid JSON");
        aborted = true;
        break;
      }
      const ir::SchemaNode& child = program.schema[node.children[index]];
      if (!child.is_record) {
        Leaf(value, child);
        continue;
      }
      bool is_null = false;
      if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
        if (child.optional) {
          MarkAbsent(node.children[index]);
        } else {
          Problem("expected an object, got null");
        }
        continue;
      }
      od::object inner;
      if (value.get_object().get(inner) != simdjson::SUCCESS) {
        Problem(fmt::format("expected an object, got {}", Describe(value)));
        continue;
      }
      if (child.optional) base[child.slot] = ir::Datum{.kind = ir::Kind::kBool, .bits = 1};
      Record(inner, node.children[index]);
    }
    for (size_t i = 0; i < node.children.size() && !aborted; ++i) {
      if (seen_stack[seen + i] != 0) continue;
      const ir::SchemaNode& child = program.schema[node.children[i]];
      if (child.optional || child.kind == ir::Kind::kList) {
        MarkAbsent(node.children[i]);  // an absent list is the empty list
      } else {
        PathMark field_path(path);
        path.append(".").append(child.name);
        Problem(MissingField(program, child));
      }
    }
    seen_stack.resize(seen);
  }

  // The --id-field value, kept as JSON text: a string or a number only, so that a decision line
  // stays one flat object.
  template <typename Field>
  void ReadId(Field& field) {
    od::value value;
    od::json_type type;
    if (field.value().get(value) != simdjson::SUCCESS ||
        value.type().get(type) != simdjson::SUCCESS) {
      Problem("invalid JSON");
      return;
    }
    if (type != od::json_type::string && type != od::json_type::number) {
      Problem(fmt::format("expected a string or a number (the id field), got {}", Describe(value)));
      return;
    }
    // The token as the request wrote it is already JSON: no escaping to redo. A string is read
    // once to check its escapes; a number against JSON's grammar.
    std::string_view raw = value.raw_json_token();
    while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) {
      raw.remove_suffix(1);
    }
    std::string_view text;
    if (type == od::json_type::string && value.get_string().get(text) != simdjson::SUCCESS) {
      Problem("invalid JSON");
      return;
    }
    if (type == od::json_type::number && !IsJsonNumber(raw)) {
      Problem(fmt::format("{} is not a JSON number", raw));
      return;
    }
    id.assign(raw);
  }

  void MarkAbsent(uint32_t node_id) { request::MarkAbsent(program, node_id, base); }
};

Decoder::Decoder(const ir::Program& program) : impl_(std::make_unique<Impl>(program)) {}
Decoder::~Decoder() = default;

auto Decoder::Decode(std::string_view json, std::vector<ir::Datum>& slots,
                     std::vector<std::string>& errors) -> bool {
  Impl& impl = *impl_;
  errors.clear();
  slots.assign(impl.program.slot_count, ir::Datum{.present = false});
  impl.errors = &errors;
  impl.base = slots.data();
  impl.lists_used = 0;
  impl.items_used = 0;
  impl.list_depth = 0;
  impl.country_sets_used = 0;
  impl.text_sets_used = 0;
  impl.texts_used = 0;
  if (impl.program.schema.empty()) {
    errors.emplace_back(kNoRequestSchema);
    return false;
  }
  impl.id.clear();
  impl.buffer.assign(json);
  impl.buffer.append(simdjson::SIMDJSON_PADDING, '\0');
  od::document doc;
  auto error = impl.parser.iterate(impl.buffer.data(), json.size(), impl.buffer.size()).get(doc);
  od::object object;
  if (error == simdjson::SUCCESS) error = doc.get_object().get(object);
  if (error != simdjson::SUCCESS) {
    errors.push_back(fmt::format("$: expected a JSON object: {}", simdjson::error_message(error)));
    return false;
  }
  impl.path = "$";
  impl.seen_stack.clear();
  impl.Record(object, 0);
  const char* trailing = nullptr;
  if (errors.empty() && doc.current_location().get(trailing) == simdjson::SUCCESS) {
    errors.emplace_back("$: unexpected text after the request object");
  }
  return errors.empty();
}

void Decoder::SetIdField(std::string name) { impl_->id_field = std::move(name); }

auto Decoder::id() const -> std::string_view { return impl_->id; }

}  // namespace cordon::request
