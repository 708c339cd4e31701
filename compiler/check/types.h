// SPDX-License-Identifier: Apache-2.0
// The checker's types. Units are part of number types as a dimension: a product of base units
// with integer exponents (mm2, GB / s, h). A dimension is interned, so comparing two is
// comparing two ids; its scale never reaches a type (values are kept in base units).
#ifndef CORDON_COMPILER_CHECK_TYPES_H_
#define CORDON_COMPILER_CHECK_TYPES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cordon::check {

enum class TypeKind : uint8_t {
  kError,  // after a reported mistake: compatible with everything, so it is reported once
  kBool,
  kInt,
  kNumber,
  kText,
  kDate,
  kDuration,
  kCountry,
  kEnum,
  kRecord,
  kSet,
  kTable,
  kRow,
  kList,  // `list<R>`: id is the record's
  kNone,  // the literal `none`, before it meets an optional
};

using DimensionId = uint32_t;
inline constexpr DimensionId kDimensionless = 0;

struct Type {
  TypeKind kind = TypeKind::kError;
  bool optional = false;
  // kEnum: enum id; kRecord, kList: record id; kTable, kRow: table id; kSet: the element's id.
  uint32_t id = 0;
  DimensionId dim = kDimensionless;     // kInt, kNumber
  TypeKind element = TypeKind::kError;  // kSet

  auto is_error() const -> bool { return kind == TypeKind::kError; }
  auto is_numeric() const -> bool { return kind == TypeKind::kInt || kind == TypeKind::kNumber; }
  auto NonOptional() const -> Type {
    Type t = *this;
    t.optional = false;
    return t;
  }
  friend auto operator==(const Type&, const Type&) -> bool = default;
};

inline auto MakeType(TypeKind kind, uint32_t id = 0) -> Type { return Type{kind, false, id}; }

// One base unit and its exponent: {"mm2", 1}, {"s", -1}.
using Dimension = std::vector<std::pair<std::string, int>>;

class Dimensions {
 public:
  Dimensions() { dims_.emplace_back(); }
  auto Intern(Dimension dim) -> DimensionId;
  auto Get(DimensionId id) const -> const Dimension& { return dims_[id]; }
  // exponent sign +1 for a product, -1 for a quotient.
  auto Combine(DimensionId a, DimensionId b, int sign) -> DimensionId;
  // "mm2", "GB / s", "1 / mm2", "" for dimensionless.
  auto Format(DimensionId id) const -> std::string;

 private:
  std::vector<Dimension> dims_;
};

}  // namespace cordon::check

#endif  // CORDON_COMPILER_CHECK_TYPES_H_
