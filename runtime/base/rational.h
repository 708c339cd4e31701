/* SPDX-License-Identifier: Apache-2.0
 * Exact rational arithmetic on reduced fractions of two 128-bit integers, written in C so that
 * one definition serves both the reference interpreter (through runtime/base/number.cpp) and
 * the code the LLVM backend generates (compiled to bitcode at build time and linked into every
 * evaluator). 128 bits hold what the law counts (10^26 operations, a TPP of 0.3333333333333333
 * times a die area); 64 bits did not.
 *
 * Each operation returns CORDON_RATIONAL_OK and sets *on / *od, or the reason there is no exact
 * result. The result is always the exact reduced fraction: when every operand fits in 64 bits
 * (nearly every quantity), the work is done in 128 bits; otherwise in 256, then reduced. A
 * reduced result outside the 128-bit range (or INT128_MIN, so that negation never overflows)
 * is an overflow, never rounded. */
#ifndef CORDON_RUNTIME_BASE_RATIONAL_H_
#define CORDON_RUNTIME_BASE_RATIONAL_H_

#include <stdint.h>

#define CORDON_RATIONAL_OK 0
#define CORDON_RATIONAL_OVERFLOW 1
#define CORDON_RATIONAL_DIVISION_BY_ZERO 2

#define CORDON_RATIONAL_FN static inline
/* The 256-bit paths run only for operands beyond 64 bits: out of line, so that inlining the
 * common path into thousands of rules does not copy them. */
#define CORDON_RATIONAL_SLOW static __attribute__((noinline))

typedef __int128 cordon_i128;
typedef unsigned __int128 cordon_u128;

#define CORDON_I128_MAX ((cordon_i128)(((cordon_u128)1 << 127) - 1))

CORDON_RATIONAL_FN int cordon_fits_i64(cordon_i128 v) { return v == (cordon_i128)(int64_t)v; }

CORDON_RATIONAL_FN cordon_u128 cordon_u128_abs(cordon_i128 v) {
  return v < 0 ? (cordon_u128)0 - (cordon_u128)v : (cordon_u128)v;
}

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

/* An unsigned 256-bit integer, for the intermediates of 128-bit operands. */
typedef struct {
  cordon_u128 hi;
  cordon_u128 lo;
} cordon_u256;

CORDON_RATIONAL_FN cordon_u256 cordon_u256_of(cordon_u128 v) {
  cordon_u256 r = {0, v};
  return r;
}

CORDON_RATIONAL_FN cordon_u256 cordon_u256_mul(cordon_u128 a, cordon_u128 b) {
  uint64_t a0 = (uint64_t)a, a1 = (uint64_t)(a >> 64);
  uint64_t b0 = (uint64_t)b, b1 = (uint64_t)(b >> 64);
  cordon_u128 p00 = (cordon_u128)a0 * b0;
  cordon_u128 p01 = (cordon_u128)a0 * b1;
  cordon_u128 p10 = (cordon_u128)a1 * b0;
  cordon_u128 p11 = (cordon_u128)a1 * b1;
  /* The middle column: at most three 64-bit values, no overflow in 128 bits. */
  cordon_u128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
  cordon_u256 r;
  r.lo = (mid << 64) | (uint64_t)p00;
  r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
  return r;
}

CORDON_RATIONAL_FN int cordon_u256_cmp(cordon_u256 a, cordon_u256 b) {
  if (a.hi != b.hi) return a.hi < b.hi ? -1 : 1;
  return (a.lo > b.lo) - (a.lo < b.lo);
}

CORDON_RATIONAL_FN cordon_u256 cordon_u256_add(cordon_u256 a, cordon_u256 b) {
  cordon_u256 r;
  r.lo = a.lo + b.lo;
  r.hi = a.hi + b.hi + (r.lo < a.lo);
  return r;
}

/* a - b, for a >= b. */
CORDON_RATIONAL_FN cordon_u256 cordon_u256_sub(cordon_u256 a, cordon_u256 b) {
  cordon_u256 r;
  r.lo = a.lo - b.lo;
  r.hi = a.hi - b.hi - (a.lo < b.lo);
  return r;
}

CORDON_RATIONAL_FN int cordon_u256_is_zero(cordon_u256 a) { return a.hi == 0 && a.lo == 0; }

CORDON_RATIONAL_FN int cordon_u128_ctz(cordon_u128 v) {
  uint64_t low = (uint64_t)v;
  return low != 0 ? __builtin_ctzll(low) : 64 + __builtin_ctzll((uint64_t)(v >> 64));
}

/* Trailing zeros of a non-zero value. */
CORDON_RATIONAL_FN int cordon_u256_ctz(cordon_u256 a) {
  return a.lo != 0 ? cordon_u128_ctz(a.lo) : 128 + cordon_u128_ctz(a.hi);
}

CORDON_RATIONAL_FN cordon_u256 cordon_u256_shr(cordon_u256 a, int k) {
  cordon_u256 r;
  if (k == 0) return a;
  if (k >= 128) {
    r.hi = 0;
    r.lo = a.hi >> (k - 128);
  } else {
    r.hi = a.hi >> k;
    r.lo = (a.lo >> k) | (a.hi << (128 - k));
  }
  return r;
}

CORDON_RATIONAL_FN cordon_u256 cordon_u256_shl(cordon_u256 a, int k) {
  cordon_u256 r;
  if (k == 0) return a;
  if (k >= 128) {
    r.hi = a.lo << (k - 128);
    r.lo = 0;
  } else {
    r.hi = (a.hi << k) | (a.lo >> (128 - k));
    r.lo = a.lo << k;
  }
  return r;
}

/* Binary GCD of two non-zero values. */
CORDON_RATIONAL_FN cordon_u256 cordon_u256_gcd(cordon_u256 a, cordon_u256 b) {
  int za = cordon_u256_ctz(a), zb = cordon_u256_ctz(b);
  int shift = za < zb ? za : zb;
  a = cordon_u256_shr(a, za);
  do {
    b = cordon_u256_shr(b, cordon_u256_ctz(b));
    if (cordon_u256_cmp(a, b) > 0) {
      cordon_u256 t = a;
      a = b;
      b = t;
    }
    b = cordon_u256_sub(b, a);
  } while (!cordon_u256_is_zero(b));
  return cordon_u256_shl(a, shift);
}

/* n / d for d != 0, by shift and subtract: the quotient's bits from the top. */
CORDON_RATIONAL_FN cordon_u256 cordon_u256_div(cordon_u256 n, cordon_u256 d) {
  cordon_u256 q = {0, 0};
  cordon_u256 r = {0, 0};
  for (int i = 255; i >= 0; --i) {
    cordon_u128 bit = i >= 128 ? (n.hi >> (i - 128)) & 1 : (n.lo >> i) & 1;
    r = cordon_u256_shl(r, 1);
    r.lo |= bit;
    if (cordon_u256_cmp(r, d) >= 0) {
      r = cordon_u256_sub(r, d);
      if (i >= 128) {
        q.hi |= (cordon_u128)1 << (i - 128);
      } else {
        q.lo |= (cordon_u128)1 << i;
      }
    }
  }
  return q;
}

/* The reduced fraction (negative ? -n : n) / d, for d != 0, if it fits. */
CORDON_RATIONAL_FN int cordon_rational_reduce256(int negative, cordon_u256 n, cordon_u256 d,
                                                 cordon_i128* on, cordon_i128* od) {
  if (cordon_u256_is_zero(n)) {
    *on = 0;
    *od = 1;
    return CORDON_RATIONAL_OK;
  }
  cordon_u256 g = cordon_u256_gcd(n, d);
  if (!(g.hi == 0 && g.lo == 1)) {
    n = cordon_u256_div(n, g);
    d = cordon_u256_div(d, g);
  }
  if (n.hi != 0 || d.hi != 0 || n.lo > (cordon_u128)CORDON_I128_MAX ||
      d.lo > (cordon_u128)CORDON_I128_MAX) {
    return CORDON_RATIONAL_OVERFLOW;
  }
  *on = negative ? -(cordon_i128)n.lo : (cordon_i128)n.lo;
  *od = (cordon_i128)d.lo;
  return CORDON_RATIONAL_OK;
}

/* Euclid, for parts beyond 64 bits: out of line, as the 256-bit paths. */
CORDON_RATIONAL_SLOW cordon_u128 cordon_gcd_u128(cordon_u128 x, cordon_u128 y) {
  while (y != 0) {
    cordon_u128 t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/* Reduces a fraction whose parts fit in 128 bits (as every product of 64-bit values does). */
CORDON_RATIONAL_FN int cordon_rational_reduce(cordon_i128 num, cordon_i128 den, cordon_i128* on,
                                              cordon_i128* od) {
  if (den == 0) return CORDON_RATIONAL_DIVISION_BY_ZERO;
  int negative = (num < 0) != (den < 0);
  cordon_u128 a = cordon_u128_abs(num);
  cordon_u128 d = cordon_u128_abs(den);
  if (a == 0) {
    d = 1;
  } else if (d != 1) {
    if (a <= UINT64_MAX && d <= UINT64_MAX) {
      /* Both fit in 64 bits, as nearly every quantity does. */
      uint64_t g = cordon_gcd_u64((uint64_t)a, (uint64_t)d);
      if (g > 1) {
        a = (uint64_t)a / g;
        d = (uint64_t)d / g;
      }
    } else {
      cordon_u128 g = cordon_gcd_u128(a, d);
      if (g > 1) {
        a /= g;
        d /= g;
      }
    }
  }
  if (a > (cordon_u128)CORDON_I128_MAX || d > (cordon_u128)CORDON_I128_MAX) {
    return CORDON_RATIONAL_OVERFLOW;
  }
  *on = negative ? -(cordon_i128)a : (cordon_i128)a;
  *od = (cordon_i128)d;
  return CORDON_RATIONAL_OK;
}

/* A value known to fit in 64 bits, widened again: the product of two is one machine multiply. */
#define CORDON_W(x) ((cordon_i128)(int64_t)(x))

CORDON_RATIONAL_FN int cordon_fit4(cordon_i128 a, cordon_i128 b, cordon_i128 c, cordon_i128 d) {
  return cordon_fits_i64(a) & cordon_fits_i64(b) & cordon_fits_i64(c) & cordon_fits_i64(d);
}

/* an/ad + sign * bn/bd in 256 bits (sign is 1 or -1). */
CORDON_RATIONAL_SLOW int cordon_rational_add_wide(cordon_i128 an, cordon_i128 ad, cordon_i128 bn,
                                                  cordon_i128 bd, int sign, cordon_i128* on,
                                                  cordon_i128* od) {
  cordon_u256 l = cordon_u256_mul(cordon_u128_abs(an), (cordon_u128)bd);
  cordon_u256 r = cordon_u256_mul(cordon_u128_abs(bn), (cordon_u128)ad);
  int l_negative = an < 0;
  int r_negative = (bn < 0) != (sign < 0);
  cordon_u256 n;
  int negative;
  if (l_negative == r_negative) {
    n = cordon_u256_add(l, r); /* each below 2^254: no carry out */
    negative = l_negative;
  } else if (cordon_u256_cmp(l, r) >= 0) {
    n = cordon_u256_sub(l, r);
    negative = l_negative;
  } else {
    n = cordon_u256_sub(r, l);
    negative = r_negative;
  }
  return cordon_rational_reduce256(negative, n, cordon_u256_mul((cordon_u128)ad, (cordon_u128)bd),
                                   on, od);
}

CORDON_RATIONAL_FN int cordon_rational_add(cordon_i128 an, cordon_i128 ad, cordon_i128 bn,
                                           cordon_i128 bd, cordon_i128* on, cordon_i128* od) {
  if (!cordon_fit4(an, ad, bn, bd)) return cordon_rational_add_wide(an, ad, bn, bd, 1, on, od);
  if (ad == 1 && bd == 1) return cordon_rational_reduce(CORDON_W(an) + CORDON_W(bn), 1, on, od);
  /* |an * bd| < 2^126, so the sum fits in 128 bits. */
  return cordon_rational_reduce(CORDON_W(an) * CORDON_W(bd) + CORDON_W(bn) * CORDON_W(ad),
                                CORDON_W(ad) * CORDON_W(bd), on, od);
}

CORDON_RATIONAL_FN int cordon_rational_sub(cordon_i128 an, cordon_i128 ad, cordon_i128 bn,
                                           cordon_i128 bd, cordon_i128* on, cordon_i128* od) {
  if (!cordon_fit4(an, ad, bn, bd)) return cordon_rational_add_wide(an, ad, bn, bd, -1, on, od);
  if (ad == 1 && bd == 1) return cordon_rational_reduce(CORDON_W(an) - CORDON_W(bn), 1, on, od);
  return cordon_rational_reduce(CORDON_W(an) * CORDON_W(bd) - CORDON_W(bn) * CORDON_W(ad),
                                CORDON_W(ad) * CORDON_W(bd), on, od);
}

/* (an * bn) / (ad * bd) in 256 bits; the denominator's sign is folded into `negative`. */
CORDON_RATIONAL_SLOW int cordon_rational_mul_wide(cordon_i128 an, cordon_i128 ad, cordon_i128 bn,
                                                  cordon_i128 bd, cordon_i128* on,
                                                  cordon_i128* od) {
  int negative = ((an < 0) != (bn < 0)) != ((ad < 0) != (bd < 0));
  return cordon_rational_reduce256(
      negative, cordon_u256_mul(cordon_u128_abs(an), cordon_u128_abs(bn)),
      cordon_u256_mul(cordon_u128_abs(ad), cordon_u128_abs(bd)), on, od);
}

CORDON_RATIONAL_FN int cordon_rational_mul(cordon_i128 an, cordon_i128 ad, cordon_i128 bn,
                                           cordon_i128 bd, cordon_i128* on, cordon_i128* od) {
  if (!cordon_fit4(an, ad, bn, bd)) return cordon_rational_mul_wide(an, ad, bn, bd, on, od);
  return cordon_rational_reduce(CORDON_W(an) * CORDON_W(bn), CORDON_W(ad) * CORDON_W(bd), on, od);
}

CORDON_RATIONAL_FN int cordon_rational_div(cordon_i128 an, cordon_i128 ad, cordon_i128 bn,
                                           cordon_i128 bd, cordon_i128* on, cordon_i128* od) {
  if (bn == 0) return CORDON_RATIONAL_DIVISION_BY_ZERO;
  if (!cordon_fit4(an, ad, bn, bd)) return cordon_rational_mul_wide(an, ad, bd, bn, on, od);
  return cordon_rational_reduce(CORDON_W(an) * CORDON_W(bd), CORDON_W(ad) * CORDON_W(bn), on, od);
}

CORDON_RATIONAL_FN int cordon_rational_neg(cordon_i128 an, cordon_i128 ad, cordon_i128* on,
                                           cordon_i128* od) {
  if (an < -CORDON_I128_MAX) return CORDON_RATIONAL_OVERFLOW; /* INT128_MIN */
  return cordon_rational_reduce(-an, ad, on, od);
}

/* The sign of a/b - c/d for positive denominators, in 256 bits. */
CORDON_RATIONAL_SLOW int cordon_rational_cmp_wide(cordon_i128 an, cordon_i128 ad, cordon_i128 bn,
                                                  cordon_i128 bd) {
  int ls = (an > 0) - (an < 0);
  int rs = (bn > 0) - (bn < 0);
  if (ls != rs) return ls < rs ? -1 : 1;
  int order = cordon_u256_cmp(cordon_u256_mul(cordon_u128_abs(an), (cordon_u128)bd),
                              cordon_u256_mul(cordon_u128_abs(bn), (cordon_u128)ad));
  return ls < 0 ? -order : order;
}

/* -1, 0 or 1: a/b against c/d as a*d against c*b (denominators are positive). */
CORDON_RATIONAL_FN int cordon_rational_cmp(cordon_i128 an, cordon_i128 ad, cordon_i128 bn,
                                           cordon_i128 bd) {
  if (!cordon_fit4(an, ad, bn, bd)) return cordon_rational_cmp_wide(an, ad, bn, bd);
  cordon_i128 l = CORDON_W(an) * CORDON_W(bd);
  cordon_i128 r = CORDON_W(bn) * CORDON_W(ad);
  return (l > r) - (l < r);
}

#endif /* CORDON_RUNTIME_BASE_RATIONAL_H_ */
