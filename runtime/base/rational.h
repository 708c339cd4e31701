/* SPDX-License-Identifier: Apache-2.0
 * Exact rational arithmetic on reduced fractions of two int64, written in C so that one
 * definition serves both the reference interpreter (through runtime/base/number.cpp) and the
 * code the LLVM backend generates (compiled to bitcode at build time and linked into every
 * evaluator). Each operation returns CORDON_RATIONAL_OK and sets *on / *od, or the reason there
 * is no exact result. Intermediates are 128-bit; a reduced result outside int64 (or INT64_MIN,
 * so that negation never overflows) is an overflow, never rounded. */
#ifndef CORDON_RUNTIME_BASE_RATIONAL_H_
#define CORDON_RUNTIME_BASE_RATIONAL_H_

#include <stdint.h>

#define CORDON_RATIONAL_OK 0
#define CORDON_RATIONAL_OVERFLOW 1
#define CORDON_RATIONAL_DIVISION_BY_ZERO 2

#define CORDON_RATIONAL_FN static inline

CORDON_RATIONAL_FN __int128 cordon_i128_abs(__int128 v) { return v < 0 ? -v : v; }

/* Stein's binary GCD of two non-zero values: shifts and subtractions, no division, which on
 * 128-bit operands is a slow library call. */
CORDON_RATIONAL_FN uint64_t cordon_gcd_u64(uint64_t a, uint64_t b) {
  int shift = __builtin_ctzll(a | b);
  a >>= __builtin_ctzll(a);
  do {
    b >>= __builtin_ctzll(b);
    if (a > b) {
      uint64_t t = a;
      a = b;
      b = t;
    }
    b -= a;
  } while (b != 0);
  return a << shift;
}

CORDON_RATIONAL_FN int cordon_rational_reduce(__int128 num, __int128 den, int64_t* on,
                                              int64_t* od) {
  if (den == 0) return CORDON_RATIONAL_DIVISION_BY_ZERO;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  __int128 a = cordon_i128_abs(num);
  if (den == 1 || a == 0) {
    den = a == 0 ? 1 : den;
  } else if (a <= (__int128)UINT64_MAX && den <= (__int128)UINT64_MAX) {
    /* Both fit in 64 bits, as nearly every quantity does. */
    uint64_t g = cordon_gcd_u64((uint64_t)a, (uint64_t)den);
    if (g > 1) {
      uint64_t n = (uint64_t)a / g;
      num = num < 0 ? -(__int128)n : (__int128)n;
      den = (__int128)((uint64_t)den / g);
    }
  } else {
    __int128 b = den;
    while (b != 0) {
      __int128 t = a % b;
      a = b;
      b = t;
    }
    if (a > 1) {
      num /= a;
      den /= a;
    }
  }
  if (num <= (__int128)INT64_MIN || num > (__int128)INT64_MAX || den > (__int128)INT64_MAX) {
    return CORDON_RATIONAL_OVERFLOW;
  }
  *on = (int64_t)num;
  *od = (int64_t)den;
  return CORDON_RATIONAL_OK;
}

CORDON_RATIONAL_FN int cordon_rational_add(int64_t an, int64_t ad, int64_t bn, int64_t bd,
                                           int64_t* on, int64_t* od) {
  if (ad == 1 && bd == 1) return cordon_rational_reduce((__int128)an + bn, 1, on, od);
  /* |an * bd| < 2^126, so the sum fits in 128 bits. */
  return cordon_rational_reduce((__int128)an * bd + (__int128)bn * ad, (__int128)ad * bd, on, od);
}

CORDON_RATIONAL_FN int cordon_rational_sub(int64_t an, int64_t ad, int64_t bn, int64_t bd,
                                           int64_t* on, int64_t* od) {
  if (ad == 1 && bd == 1) return cordon_rational_reduce((__int128)an - bn, 1, on, od);
  return cordon_rational_reduce((__int128)an * bd - (__int128)bn * ad, (__int128)ad * bd, on, od);
}

CORDON_RATIONAL_FN int cordon_rational_mul(int64_t an, int64_t ad, int64_t bn, int64_t bd,
                                           int64_t* on, int64_t* od) {
  return cordon_rational_reduce((__int128)an * bn, (__int128)ad * bd, on, od);
}

CORDON_RATIONAL_FN int cordon_rational_div(int64_t an, int64_t ad, int64_t bn, int64_t bd,
                                           int64_t* on, int64_t* od) {
  if (bn == 0) return CORDON_RATIONAL_DIVISION_BY_ZERO;
  return cordon_rational_reduce((__int128)an * bd, (__int128)ad * bn, on, od);
}

CORDON_RATIONAL_FN int cordon_rational_neg(int64_t an, int64_t ad, int64_t* on, int64_t* od) {
  return cordon_rational_reduce(-(__int128)an, ad, on, od);
}

/* -1, 0 or 1: a/b against c/d as a*d against c*b, which cannot overflow in 128 bits. */
CORDON_RATIONAL_FN int cordon_rational_cmp(int64_t an, int64_t ad, int64_t bn, int64_t bd) {
  __int128 l = (__int128)an * bd;
  __int128 r = (__int128)bn * ad;
  return (l > r) - (l < r);
}

#endif /* CORDON_RUNTIME_BASE_RATIONAL_H_ */
