/* SPDX-License-Identifier: Apache-2.0
 * Operations the generated code calls, compiled to LLVM bitcode at build time and linked into
 * every evaluator, where O2 inlines them. Exact arithmetic is runtime/base/rational.h, the
 * same definition the interpreter uses. Only these functions' signatures are known to
 * compiler/lower/lower.cpp; keep them in step. */
#include <stdint.h>

#include "runtime/base/civil.h"
#include "runtime/base/rational.h"

/* An arithmetic result, returned in two registers: num/den with den > 0, or den == 0 and num the
 * failure's status. Unlike a result written through a pointer, it leaves the optimiser no
 * memory (an alloca per operation) to track. */
typedef struct {
  int64_t num;
  int64_t den;
} cordon_h_result;

static cordon_h_result Result(int status, int64_t num, int64_t den) {
  cordon_h_result r = {num, den};
  if (status != 0) {
    r.num = status;
    r.den = 0;
  }
  return r;
}

/* One definition for the four binary operations, which differ only in the function called. */
#define CORDON_H_BINARY(name, op)                                        \
  cordon_h_result name(int64_t an, int64_t ad, int64_t bn, int64_t bd) { \
    int64_t n = 0, d = 0;                                                \
    int status = op(an, ad, bn, bd, &n, &d);                             \
    return Result(status, n, d);                                         \
  }
CORDON_H_BINARY(cordon_h_add, cordon_rational_add)
CORDON_H_BINARY(cordon_h_sub, cordon_rational_sub)
CORDON_H_BINARY(cordon_h_mul, cordon_rational_mul)
CORDON_H_BINARY(cordon_h_div, cordon_rational_div)

cordon_h_result cordon_h_neg(int64_t an, int64_t ad) {
  int64_t n = 0, d = 0;
  int status = cordon_rational_neg(an, ad, &n, &d);
  return Result(status, n, d);
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
