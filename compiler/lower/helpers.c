/* SPDX-License-Identifier: Apache-2.0
 * Operations the generated code calls, compiled to LLVM bitcode at build time and linked into
 * every evaluator, where O2 inlines them. Exact arithmetic is compiler/base/rational.h, the
 * same definition the interpreter uses. Only these functions' signatures are known to
 * compiler/lower/lower.cpp; keep them in step. */
#include "compiler/base/rational.h"

#include <stdint.h>

int cordon_h_add(int64_t an, int64_t ad, int64_t bn, int64_t bd, int64_t* out) {
  return cordon_rational_add(an, ad, bn, bd, &out[0], &out[1]);
}
int cordon_h_sub(int64_t an, int64_t ad, int64_t bn, int64_t bd, int64_t* out) {
  return cordon_rational_sub(an, ad, bn, bd, &out[0], &out[1]);
}
int cordon_h_mul(int64_t an, int64_t ad, int64_t bn, int64_t bd, int64_t* out) {
  return cordon_rational_mul(an, ad, bn, bd, &out[0], &out[1]);
}
int cordon_h_div(int64_t an, int64_t ad, int64_t bn, int64_t bd, int64_t* out) {
  return cordon_rational_div(an, ad, bn, bd, &out[0], &out[1]);
}
int cordon_h_neg(int64_t an, int64_t ad, int64_t* out) {
  return cordon_rational_neg(an, ad, &out[0], &out[1]);
}
int cordon_h_cmp(int64_t an, int64_t ad, int64_t bn, int64_t bd) {
  return cordon_rational_cmp(an, ad, bn, bd);
}

/* Byte order, as std::string_view::compare. */
int cordon_h_text_cmp(const char* a, uint64_t an, const char* b, uint64_t bn) {
  uint64_t n = an < bn ? an : bn;
  for (uint64_t i = 0; i < n; ++i) {
    unsigned char x = (unsigned char)a[i];
    unsigned char y = (unsigned char)b[i];
    if (x != y) return x < y ? -1 : 1;
  }
  return (an > bn) - (an < bn);
}
