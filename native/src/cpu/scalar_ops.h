/*
 * scalar_ops.h: per-dtype scalar helpers shared by the elementwise, unary, reduction and index
 * kernels. Each helper exists for every dtype under a suffixed name (dt_div_f32, dt_div_i64, ...)
 * so that a template body written once can call DT_CAT(dt_div_, S)(a, b).
 *
 * Integer semantics never trap: division / fmod / remainder by 0 give 0 (PyTorch raises; the TS
 * side checks first where it cares), INT_MIN / -1 wraps (the build uses -fwrapv).
 */
#ifndef DT_SCALAR_OPS_H
#define DT_SCALAR_OPS_H

#include <math.h>
#include <stdint.h>

#define DT_CAT_(a, b) a##b
#define DT_CAT(a, b) DT_CAT_(a, b)

/* ---- floating point: FN is the libm suffix (f for float, empty for double) */
#define DT_FLOAT_HELPERS(T, S, FN)                                                              \
  static inline int dt_isneg_##S(T x) { return x < 0; }                                         \
  static inline int dt_isnan_##S(T x) { return isnan(x); }                                      \
  static inline T dt_div_##S(T a, T b) { return a / b; }                                        \
  static inline T dt_fmod_##S(T a, T b) { return fmod##FN(a, b); }                              \
  static inline T dt_rem_##S(T a, T b) {                                                        \
    T m = fmod##FN(a, b); /* Python semantics: the result takes the divisor's sign */          \
    if (m != 0 && ((b < 0) != (m < 0))) m += b;                                                 \
    return m;                                                                                   \
  }                                                                                             \
  static inline T dt_pow_##S(T a, T b) { return pow##FN(a, b); }                                \
  /* maximum/minimum propagate NaN like torch.maximum (a + b is NaN when either is) */          \
  static inline T dt_max_##S(T a, T b) { return (isnan(a) || isnan(b)) ? a + b : (a > b ? a : b); } \
  static inline T dt_min_##S(T a, T b) { return (isnan(a) || isnan(b)) ? a + b : (a < b ? a : b); } \
  static inline T dt_fromd_##S(double v) { return (T)v; }                                       \
  static inline T dt_acc_##S(T a, T b) { return a + b; }                                        \
  static inline double dt_tod_##S(T v) { return (double)v; }

/* ---- integers: a double scalar converts like PyTorch's scalar-to-dtype cast: truncated toward
 * zero, then wrapped to the type (uint8 -1 is 255, int32 2^32 is 0); NaN gives 0 and values
 * beyond int64 saturate, so no conversion is undefined behaviour. */
#define DT_INT_COMMON(T, S, LO, HI, ISBOOL)                                                     \
  static inline int dt_isnan_##S(T x) { (void)x; return 0; }                                    \
  static inline T dt_max_##S(T a, T b) { return a > b ? a : b; }                                \
  static inline T dt_min_##S(T a, T b) { return a < b ? a : b; }                                \
  static inline T dt_fromd_##S(double v) {                                                      \
    if (ISBOOL) return v != 0; /* bool: any nonzero (and NaN) is true */                        \
    if (isnan(v)) return 0;                                                                     \
    if (v <= -9223372036854775808.0) return (T)(LO);                                            \
    if (v >= 9223372036854775808.0) return (T)(HI);                                             \
    return (T)(uint64_t)(int64_t)v; /* modular narrowing, defined for every T */                \
  }                                                                                             \
  static inline double dt_tod_##S(T v) { return (double)v; }                                   \
  /* accumulation (index_add / scatter-add): wrapping add; bool is a logical or */              \
  static inline T dt_acc_##S(T a, T b) { return ISBOOL ? (T)(a | b) : (T)(a + b); }

#define DT_SINT_HELPERS(T, S, LO, HI)                                                           \
  DT_INT_COMMON(T, S, LO, HI, 0)                                                                   \
  static inline int dt_isneg_##S(T x) { return x < 0; }                                         \
  static inline T dt_div_##S(T a, T b) { return b == 0 ? 0 : b == -1 ? (T)(0 - (uint64_t)a) : (T)(a / b); } \
  static inline T dt_fmod_##S(T a, T b) { return (b == 0 || b == -1) ? 0 : (T)(a % b); }        \
  static inline T dt_rem_##S(T a, T b) {                                                        \
    if (b == 0 || b == -1) return 0;                                                            \
    T m = (T)(a % b);                                                                           \
    if (m != 0 && ((b < 0) != (m < 0))) m = (T)(m + b);                                         \
    return m;                                                                                   \
  }                                                                                             \
  static inline T dt_pow_##S(T a, T b) {                                                        \
    if (b < 0) return a == 1 ? 1 : a == -1 ? ((b & 1) ? -1 : 1) : 0;                           \
    uint64_t r = 1, base = (uint64_t)(int64_t)a, e = (uint64_t)b; /* wraps like PyTorch */      \
    while (e) { if (e & 1) r *= base; base *= base; e >>= 1; }                                 \
    return (T)(int64_t)r;                                                                       \
  }

#define DT_UINT_HELPERS(T, S, LO, HI, ISBOOL)                                                   \
  DT_INT_COMMON(T, S, LO, HI, ISBOOL)                                                                   \
  static inline int dt_isneg_##S(T x) { (void)x; return 0; }                                    \
  static inline T dt_div_##S(T a, T b) { return b == 0 ? 0 : (T)(a / b); }                      \
  static inline T dt_fmod_##S(T a, T b) { return b == 0 ? 0 : (T)(a % b); }                     \
  static inline T dt_rem_##S(T a, T b) { return b == 0 ? 0 : (T)(a % b); }                      \
  static inline T dt_pow_##S(T a, T b) {                                                        \
    uint32_t r = 1, base = a, e = b;                                                            \
    while (e) { if (e & 1) r *= base; base *= base; e >>= 1; }                                 \
    return (T)r;                                                                                \
  }

DT_FLOAT_HELPERS(float, f32, f)
DT_FLOAT_HELPERS(double, f64, )
DT_SINT_HELPERS(int64_t, i64, INT64_MIN, INT64_MAX)
DT_SINT_HELPERS(int32_t, i32, INT32_MIN, INT32_MAX)
DT_UINT_HELPERS(uint8_t, u8, 0, UINT8_MAX, 0)
DT_UINT_HELPERS(uint8_t, b8, 0, 1, 1)

/* Stable logistic function in double or float. */
static inline double dt_sigmoid_d(double x) {
  if (x >= 0) return 1.0 / (1.0 + exp(-x));
  double z = exp(x);
  return z / (1.0 + z);
}
static inline float dt_sigmoid_f(float x) {
  if (x >= 0) return 1.0f / (1.0f + expf(-x));
  float z = expf(x);
  return z / (1.0f + z);
}

#endif
