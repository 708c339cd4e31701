/* SPDX-License-Identifier: Apache-2.0
 * Operations the generated code calls, compiled to LLVM bitcode at build time and linked into
 * every evaluator, where O2 inlines them. Exact arithmetic is runtime/base/rational.h, the
 * same definition the interpreter uses. Only these functions' signatures are known to
 * compiler/lower/lower.cpp; keep them in step. */
#include <stdint.h>

#include "runtime/base/civil.h"
#include "runtime/base/rational.h"

/* Arithmetic reads each operand as {num, den} at `a` (and `b`), writes the exact result to
 * `out` and returns 0, or returns the failure's status (CORDON_RATIONAL_*). Pointers, not
 * __int128 arguments: the C calling convention splits those into halves, or into memory once
 * registers run out, a signature the lowerer would have to mirror. Always inlined (the wide
 * paths stay out of line), after which the memory is registers again (SROA). */
#define CORDON_H_INLINE __attribute__((always_inline))
#define CORDON_H_BINARY(name, op)                                                          \
  CORDON_H_INLINE int name(const cordon_i128* a, const cordon_i128* b, cordon_i128* out) { \
    return op(a[0], a[1], b[0], b[1], &out[0], &out[1]);                                   \
  }
CORDON_H_BINARY(cordon_h_add, cordon_rational_add)
CORDON_H_BINARY(cordon_h_sub, cordon_rational_sub)
CORDON_H_BINARY(cordon_h_mul, cordon_rational_mul)
CORDON_H_BINARY(cordon_h_div, cordon_rational_div)

CORDON_H_INLINE int cordon_h_neg(const cordon_i128* a, cordon_i128* out) {
  return cordon_rational_neg(a[0], a[1], &out[0], &out[1]);
}

/* The order of two numbers whose parts are not all within 64 bits (the lowerer compares the
 * others inline). */
int cordon_h_cmp_wide(const cordon_i128* a, const cordon_i128* b) {
  return cordon_rational_cmp_wide(a[0], a[1], b[0], b[1]);
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

/* The year of a day, as ir::EvalOp computes it. */
int64_t cordon_h_year(int64_t day) { return cordon_year_of_day(day); }
