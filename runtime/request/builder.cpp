// SPDX-License-Identifier: Apache-2.0
#include "runtime/request/builder.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "runtime/request/request.h"

namespace cordon::request {

Builder::Builder(const ir::Program& program)
    : program_(program),
      fields_(program.schema.size()),
      how_(program.schema.size(), How::kUnset),
      parent_(program.schema.size(), ir::kNoId),
      given_(program.schema.size(), 0) {
  for (const ir::SchemaNode& node : program.schema) {
    first_child_.push_back(static_cast<uint32_t>(children_.size()));
    for (uint32_t child : node.children) children_.push_back({program.schema[child].name, child});
  }
  first_child_.push_back(static_cast<uint32_t>(children_.size()));
  if (program.schema.empty()) return;
  // Depth first from the root, a node after its children. The schema is a tree below the root
  // (a list's element record is reached through Program::lists, never as a child).
  std::vector<std::pair<uint32_t, size_t>> stack = {{0, 0}};
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    const std::vector<uint32_t>& children = program.schema[node].children;
    if (next == children.size()) {
      if (node != 0 && program.schema[node].is_record) records_.push_back(node);
      stack.pop_back();
      continue;
    }
    uint32_t child = children[next++];
    parent_[child] = node;
    stack.emplace_back(child, 0);
  }
}

auto Builder::Find(std::string_view path) const -> uint32_t {
  if (path.empty()) return FindUncached(path);
  size_t h = path.size() * 31 + static_cast<unsigned char>(path.back()) * 7 +
             static_cast<unsigned char>(path[path.size() / 2]);
  Recent& recent = recent_[h % recent_.size()];
  if (recent.node != ir::kNoId && recent.path == path) return recent.node;
  uint32_t node = FindUncached(path);
  if (node != ir::kNoId) recent = Recent{std::string(path), node};
  return node;
}

auto Builder::FindUncached(std::string_view path) const -> uint32_t {
  if (program_.schema.empty()) return ir::kNoId;
  uint32_t node = 0;
  size_t start = 0;
  while (true) {
    // The field whose name is the path's next part: the name, then the end or a dot. A leaf
    // has no fields here, so a path through one finds nothing; nor does an empty part.
    std::string_view rest = path.substr(start);
    uint32_t found = ir::kNoId;
    size_t end = 0;
    for (uint32_t i = first_child_[node]; i < first_child_[node + 1]; ++i) {
      std::string_view name = children_[i].name;
      if (name.size() <= rest.size() && (name.size() == rest.size() || rest[name.size()] == '.') &&
          rest.starts_with(name)) {
        found = children_[i].node;
        end = start + name.size();
        break;
      }
    }
    if (found == ir::kNoId) return ir::kNoId;
    node = found;
    if (end == path.size()) return node;
    start = end + 1;
  }
}

void Builder::Clear() {
  std::fill(how_.begin(), how_.end(), How::kUnset);
  json_fields_ = 0;
}

void Builder::UnsetInside(uint32_t node) {
  for (uint32_t child : program_.schema[node].children) {  // none for a leaf
    if (how_[child] == How::kJson) --json_fields_;
    how_[child] = How::kUnset;
    UnsetInside(child);
  }
}

auto Builder::Replace(uint32_t node, How how) -> Field& {
  for (uint32_t p = parent_[node]; p != ir::kNoId; p = parent_[p]) {
    if (how_[p] == How::kJson) --json_fields_;
    how_[p] = How::kUnset;
  }
  if (program_.schema[node].is_record) UnsetInside(node);
  if (how_[node] == How::kJson) --json_fields_;
  if (how == How::kJson) ++json_fields_;
  how_[node] = how;
  Field& field = fields_[node];
  field.problem.clear();
  return field;
}

void Builder::SetText(uint32_t node, std::string_view text) {
  Field& field = Replace(node, How::kText);
  field.input.assign(text);
  const ir::SchemaNode& n = program_.schema[node];
  DecodeString(program_, n, n.kind, field.input, field.datum, field.problem);
}

void Builder::SetInteger(uint32_t node, int64_t value) {
  Field& field = Replace(node, How::kInteger);
  field.integer = value;
  ScaleNumber(program_, program_.schema[node], Number::Integer(value),
              fmt::format_int(value).c_str(), field.datum, field.problem);
}

void Builder::SetDecimal(uint32_t node, std::string_view text, const Number& value) {
  Field& field = Replace(node, How::kDecimal);
  field.input.assign(text);
  ScaleNumber(program_, program_.schema[node], value, text, field.datum, field.problem);
}

void Builder::SetBool(uint32_t node, bool value) {
  Replace(node, How::kBool).datum = ir::Datum{.kind = ir::Kind::kBool, .bits = value ? 1 : 0};
}

void Builder::SetNull(uint32_t node) { Replace(node, How::kNull); }

void Builder::SetJson(uint32_t node, std::string_view json) {
  Replace(node, How::kJson).input.assign(json);
}

auto Builder::needs_decoder() const -> bool { return json_fields_ != 0 || program_.schema.empty(); }

auto Builder::Path(uint32_t node) const -> std::string {
  std::vector<uint32_t> chain;
  for (uint32_t n = node; n != 0 && n != ir::kNoId; n = parent_[n]) chain.push_back(n);
  std::string path = "$";
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    path.append(".").append(program_.schema[*it].name);
  }
  return path;
}

auto Builder::Fill(std::vector<ir::Datum>& slots, std::vector<std::string>& problems) const
    -> bool {
  slots.assign(program_.slot_count, ir::Datum{.present = false});
  problems.clear();
  // A record is given (an object in Render's JSON) when anything inside it is set; records_
  // has those inside a record before it.
  for (uint32_t record : records_) {
    uint8_t given = 0;
    for (uint32_t child : program_.schema[record].children) {
      given |= static_cast<uint8_t>(how_[child] != How::kUnset) | given_[child];
    }
    given_[record] = given;
  }
  FillRecord(0, slots.data(), problems);
  return problems.empty();
}

// The decoder's Record, on what was set: the fields given, in order, then those not given.
void Builder::FillRecord(uint32_t node, ir::Datum* slots,
                         std::vector<std::string>& problems) const {
  const std::vector<uint32_t>& children = program_.schema[node].children;
  auto given = [&](uint32_t child) { return how_[child] != How::kUnset || given_[child] != 0; };
  for (uint32_t child : children) {
    if (!given(child)) continue;
    const ir::SchemaNode& c = program_.schema[child];
    const Field& field = fields_[child];
    switch (how_[child]) {
      case How::kUnset:  // a record with fields set inside it
        if (c.optional) slots[c.slot] = ir::Datum{.kind = ir::Kind::kBool, .bits = 1};
        FillRecord(child, slots, problems);
        break;
      case How::kNull:  // on optional fields only, as JSON's null
        MarkAbsent(program_, child, slots);
        break;
      case How::kJson:  // needs_decoder(): never here
        problems.push_back(
            fmt::format("{}: internal error: a field given as JSON was not decoded", Path(child)));
        break;
      default:
        if (field.problem.empty()) {
          slots[c.slot] = field.datum;
        } else {
          problems.push_back(fmt::format("{}: {}", Path(child), field.problem));
        }
        break;
    }
  }
  for (uint32_t child : children) {
    if (given(child)) continue;
    const ir::SchemaNode& c = program_.schema[child];
    if (c.optional || c.kind == ir::Kind::kList) {
      MarkAbsent(program_, child, slots);  // an absent list is the empty list
    } else {
      problems.push_back(fmt::format("{}: {}", Path(child), MissingField(program_, c)));
    }
  }
}

void Builder::Render(std::string& out) const {
  if (program_.schema.empty()) {
    out += "{}";
    return;
  }
  RenderNode(0, out);
}

// Appends the JSON of `node`; false when nothing in it was set.
auto Builder::RenderNode(uint32_t node, std::string& out) const -> bool {
  const Field& field = fields_[node];
  switch (how_[node]) {
    case How::kUnset:
      break;
    case How::kText:
      out += nlohmann::json(field.input).dump();
      return true;
    case How::kInteger:
      out += fmt::format_int(field.integer).c_str();
      return true;
    case How::kDecimal:
    case How::kJson:
      out += field.input;
      return true;
    case How::kBool:
      out += field.datum.bits != 0 ? "true" : "false";
      return true;
    case How::kNull:
      out += "null";
      return true;
  }
  const ir::SchemaNode& n = program_.schema[node];
  if (!n.is_record) return false;
  size_t start = out.size();
  out += '{';
  bool any = false;
  for (uint32_t child : n.children) {
    size_t mark = out.size();
    if (any) out += ',';
    out += nlohmann::json(program_.schema[child].name).dump();
    out += ':';
    if (RenderNode(child, out)) {
      any = true;
    } else {
      out.resize(mark);
    }
  }
  out += '}';
  if (!any && node != 0) out.resize(start);
  return any || node == 0;
}

}  // namespace cordon::request
