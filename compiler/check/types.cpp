// SPDX-License-Identifier: Apache-2.0
#include "compiler/check/types.h"

#include <algorithm>

namespace cordon::check {

auto Dimensions::Intern(Dimension dim) -> DimensionId {
  std::erase_if(dim, [](const auto& factor) { return factor.second == 0; });
  std::sort(dim.begin(), dim.end());
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (dims_[i] == dim) return static_cast<DimensionId>(i);
  }
  dims_.push_back(std::move(dim));
  return static_cast<DimensionId>(dims_.size() - 1);
}

auto Dimensions::Combine(DimensionId a, DimensionId b, int sign) -> DimensionId {
  Dimension out = dims_[a];
  for (const auto& [unit, exponent] : dims_[b]) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& f) { return f.first == unit; });
    if (it == out.end()) {
      out.emplace_back(unit, sign * exponent);
    } else {
      it->second += sign * exponent;
    }
  }
  return Intern(std::move(out));
}

auto Dimensions::Format(DimensionId id) const -> std::string {
  // As a type is written, so that it reads back as the same unit: `GB / s / mm2` (each
  // denominator after its own `/`), `/ mm2` with nothing above the line (`number / mm2`).
  std::string numerator;
  std::string denominator;
  for (const auto& [unit, exponent] : dims_[id]) {
    int count = exponent > 0 ? exponent : -exponent;
    for (int i = 0; i < count; ++i) {
      if (exponent > 0) {
        numerator += (numerator.empty() ? "" : " * ") + unit;
      } else {
        denominator += " / " + unit;
      }
    }
  }
  if (numerator.empty()) return denominator.empty() ? "" : denominator.substr(1);
  return numerator + denominator;
}

}  // namespace cordon::check
