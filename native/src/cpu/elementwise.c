/*
 * elementwise.c: dt_binary, dt_where, dt_copy, dt_axpy.
 *
 * Every (op, dtype) pair gets its own loop function generated from one macro body per dtype
 * (DEF_BINARY below), so the inner loops contain no switch and vectorize. The strided walk is
 * dt_iter_run (iter.c).
 */
#include "dt_common.h"
#include "loops.h"

/* Arithmetic on bool stores 0/1: bool + bool behaves as logical or, bool * bool as and. */
#define BN(B, v) ((B) ? ((v) != 0) : (v))

/* ------------------------------------------------------------------ binary ops */
#define DEF_BINARY(E, T, S, F, B)                                                       \
  DT_LOOP2(bin_add_##S, T, T, BN(B, a + b))                                             \
  DT_LOOP2(bin_sub_##S, T, T, BN(B, a - b))                                             \
  DT_LOOP2(bin_mul_##S, T, T, BN(B, a * b))                                             \
  DT_LOOP2(bin_div_##S, T, T, BN(B, dt_div_##S(a, b)))                                  \
  DT_LOOP2(bin_pow_##S, T, T, BN(B, dt_pow_##S(a, b)))                                  \
  DT_LOOP2(bin_maximum_##S, T, T, dt_max_##S(a, b))                                     \
  DT_LOOP2(bin_minimum_##S, T, T, dt_min_##S(a, b))                                     \
  DT_LOOP2(bin_atan2_##S, T, T, atan2(dt_tod_##S(a), dt_tod_##S(b)))                    \
  DT_LOOP2(bin_fmod_##S, T, T, BN(B, dt_fmod_##S(a, b)))                                \
  DT_LOOP2(bin_remainder_##S, T, T, BN(B, dt_rem_##S(a, b)))                            \
  DT_LOOP2(bin_eq_##S, T, uint8_t, a == b)                                              \
  DT_LOOP2(bin_ne_##S, T, uint8_t, a != b)                                              \
  DT_LOOP2(bin_lt_##S, T, uint8_t, a < b)                                               \
  DT_LOOP2(bin_le_##S, T, uint8_t, a <= b)                                              \
  DT_LOOP2(bin_gt_##S, T, uint8_t, a > b)                                               \
  DT_LOOP2(bin_ge_##S, T, uint8_t, a >= b)                                              \
  DT_LOOP2(bin_land_##S, T, uint8_t, (a != 0) && (b != 0))                              \
  DT_LOOP2(bin_lor_##S, T, uint8_t, (a != 0) || (b != 0))                               \
  DT_LOOP2(bin_lxor_##S, T, uint8_t, (a != 0) != (b != 0))
DT_FOR_EACH_DTYPE(DEF_BINARY)

/* atan2 on float32 runs in float (the double round trip above is only for the int stubs,
 * which are never registered). */
DT_LOOP2(bin_atan2f_f32, float, float, atan2f(a, b))

#define BIN_ROW(E, T, S, F, B)                                                          \
  [E] = {[DT_ADD] = bin_add_##S, [DT_SUB] = bin_sub_##S, [DT_MUL] = bin_mul_##S,        \
         [DT_DIV] = bin_div_##S, [DT_POW] = bin_pow_##S, [DT_MAXIMUM] = bin_maximum_##S, \
         [DT_MINIMUM] = bin_minimum_##S, [DT_ATAN2] = F ? bin_atan2_##S : NULL,         \
         [DT_FMOD] = bin_fmod_##S, [DT_EQ] = bin_eq_##S, [DT_NE] = bin_ne_##S,          \
         [DT_LT] = bin_lt_##S, [DT_LE] = bin_le_##S, [DT_GT] = bin_gt_##S,              \
         [DT_GE] = bin_ge_##S, [DT_LOGICAL_AND] = bin_land_##S,                         \
         [DT_LOGICAL_OR] = bin_lor_##S, [DT_LOGICAL_XOR] = bin_lxor_##S,                \
         [DT_REMAINDER] = bin_remainder_##S},
static dt_loop_fn bin_table[DT_DTYPE_COUNT][DT_BINARY_COUNT] = {DT_FOR_EACH_DTYPE(BIN_ROW)};

static int bin_writes_bool(int32_t op) { return op >= DT_EQ && op <= DT_LOGICAL_XOR; }

DT_API int32_t dt_binary(int32_t op, int32_t dtype, const int32_t* desc, void* out, const void* a, const void* b) {
  if (op < 0 || op >= DT_BINARY_COUNT) return dt_fail(DT_ERR_ARG, "dt_binary: unknown op %d", (int)op);
  if (!dt_dtype_valid(dtype)) return dt_fail(DT_ERR_DTYPE, "dt_binary: invalid dtype %d", (int)dtype);
  dt_loop_fn fn = bin_table[dtype][op];
  if (op == DT_ATAN2 && dtype == DT_F32) fn = bin_atan2f_f32;
  if (!fn) return dt_fail(DT_ERR_DTYPE, "dt_binary: op %d does not support dtype %s", (int)op, dt_dtype_name(dtype));
  void* bases[3] = {out, (void*)a, (void*)b};
  size_t es = dt_dtype_size(dtype);
  size_t esize[3] = {bin_writes_bool(op) ? 1 : es, es, es};
  return dt_iter_run("dt_binary", 3, desc, bases, esize, fn, NULL);
}

/* ------------------------------------------------------------------ where (a byte-level select) */
#define DEF_WHERE(W, UT)                                                                  \
  static void where_##W(int64_t n, char** p, const int64_t* s, const void* ctx) {         \
    (void)ctx;                                                                            \
    for (int64_t i = 0; i < n; i++) {                                                     \
      const uint8_t c = *(const uint8_t*)(p[1] + i * s[1]);                               \
      *(UT*)(p[0] + i * s[0]) = c ? *(const UT*)(p[2] + i * s[2]) : *(const UT*)(p[3] + i * s[3]); \
    }                                                                                     \
  }
DEF_WHERE(1, uint8_t)
DEF_WHERE(4, uint32_t)
DEF_WHERE(8, uint64_t)

DT_API int32_t dt_where(int32_t dtype, const int32_t* desc, void* out, const void* cond, const void* a,
                        const void* b) {
  if (!dt_dtype_valid(dtype)) return dt_fail(DT_ERR_DTYPE, "dt_where: invalid dtype %d", (int)dtype);
  size_t es = dt_dtype_size(dtype);
  dt_loop_fn fn = es == 1 ? where_1 : es == 4 ? where_4 : where_8;
  void* bases[4] = {out, (void*)cond, (void*)a, (void*)b};
  size_t esize[4] = {es, 1, es, es};
  return dt_iter_run("dt_where", 4, desc, bases, esize, fn, NULL);
}

/* ------------------------------------------------------------------ copy with conversion
 * To bool: x != 0 (NaN is true). Float to int: truncation toward zero, and where C leaves the
 * conversion undefined (NaN, out of range; UBSan float-cast-overflow) what x86-64's truncating
 * conversions, and so PyTorch's CPU kernels there, give: int64 and int32 get their minimum, uint8
 * the low byte of the int32 conversion (-2.7 -> 254, 300 -> 44, 1e10 -> 0). Defined everywhere. */
static inline int64_t cvt_i64(double v) {
  return (v >= -9223372036854775808.0 && v < 9223372036854775808.0) ? (int64_t)v : INT64_MIN;
}
static inline int32_t cvt_i32(double v) { return (v > -2147483649.0 && v < 2147483648.0) ? (int32_t)v : INT32_MIN; }
static inline uint8_t cvt_u8(double v) { return (uint8_t)(uint32_t)cvt_i32(v); }
static inline uint8_t cvt_b8(double v) { return v != 0; }
static inline float cvt_f32(double v) { return (float)v; }
static inline double cvt_f64(double v) { return v; }
#define DT_FOR_EACH_DTYPE_IN(X, TO, SO, BO) \
  X(TO, SO, BO, float, f32, 1)              \
  X(TO, SO, BO, double, f64, 1)             \
  X(TO, SO, BO, int64_t, i64, 0)            \
  X(TO, SO, BO, int32_t, i32, 0)            \
  X(TO, SO, BO, uint8_t, u8, 0)             \
  X(TO, SO, BO, uint8_t, b8, 0)
/* FI: the source is a float type (float -> float goes through cvt_f32/f64: the same C cast) */
#define DEF_COPY_PAIR(TO, SO, BO, TI, SI, FI) \
  DT_LOOP1(copy_##SO##_##SI, TI, TO, (BO) ? (x != 0) : (FI) ? cvt_##SO((double)x) : (TO)x)
#define DEF_COPY_OUT(E, T, S, F, B) DT_FOR_EACH_DTYPE_IN(DEF_COPY_PAIR, T, S, B)
DT_FOR_EACH_DTYPE(DEF_COPY_OUT)

#define COPY_CELL(TO, SO, BO, TI, SI, FI) copy_##SO##_##SI,
#define COPY_ROW(E, T, S, F, B) {DT_FOR_EACH_DTYPE_IN(COPY_CELL, T, S, B)},
static dt_loop_fn copy_table[DT_DTYPE_COUNT][DT_DTYPE_COUNT] = {DT_FOR_EACH_DTYPE(COPY_ROW)};

/* Same-size copies need no conversion: move raw bytes (also the bool -> bool and u8 -> u8 case). */
#define DEF_RAW(W, UT)                                                                    \
  static void raw_##W(int64_t n, char** p, const int64_t* s, const void* ctx) {           \
    (void)ctx;                                                                            \
    if (s[0] == W && s[1] == W) { memcpy(p[0], p[1], (size_t)n * W); return; }            \
    for (int64_t i = 0; i < n; i++) *(UT*)(p[0] + i * s[0]) = *(const UT*)(p[1] + i * s[1]); \
  }
DEF_RAW(1, uint8_t)
DEF_RAW(4, uint32_t)
DEF_RAW(8, uint64_t)

DT_API int32_t dt_copy(int32_t out_dtype, int32_t src_dtype, const int32_t* desc, void* out, const void* src) {
  if (!dt_dtype_valid(out_dtype)) return dt_fail(DT_ERR_DTYPE, "dt_copy: invalid out dtype %d", (int)out_dtype);
  if (!dt_dtype_valid(src_dtype)) return dt_fail(DT_ERR_DTYPE, "dt_copy: invalid src dtype %d", (int)src_dtype);
  dt_loop_fn fn = copy_table[out_dtype][src_dtype];
  if (out_dtype == src_dtype) {
    size_t es = dt_dtype_size(out_dtype);
    fn = es == 1 ? raw_1 : es == 4 ? raw_4 : raw_8;
  }
  void* bases[2] = {out, (void*)src};
  size_t esize[2] = {dt_dtype_size(out_dtype), dt_dtype_size(src_dtype)};
  return dt_iter_run("dt_copy", 2, desc, bases, esize, fn, NULL);
}

/* ------------------------------------------------------------------ fused a + alpha * f(b, c)
 * One pass instead of a temporary per step (add_ with alpha, addcmul_, addcdiv_ in optimizer
 * updates). The expression order matches PyTorch's CPU kernels: self + alpha * t1 * t2 and
 * self + alpha * t1 / t2, with alpha converted to T first. out may alias a (same index). */
typedef struct {
  double alpha;
} dt_addc_ctx;

#define DEF_ADDC(NAME, T, EXPR)                                                                   \
  static void NAME(int64_t n, char** p, const int64_t* s, const void* ctx_) {                     \
    const T al = (T)((const dt_addc_ctx*)ctx_)->alpha;                                             \
    const int64_t w = (int64_t)sizeof(T);                                                         \
    if (s[0] == w && s[1] == w && s[2] == w && (s[3] == w || s[3] == 0)) {                        \
      T* o = (T*)p[0];                                                                            \
      const T* pa = (const T*)p[1];                                                               \
      const T* pb = (const T*)p[2];                                                               \
      if (s[3] == w) {                                                                            \
        const T* pc = (const T*)p[3];                                                             \
        for (int64_t i = 0; i < n; i++) { const T a = pa[i], b = pb[i], c = pc[i]; (void)c; o[i] = (EXPR); } \
      } else {                                                                                    \
        const T c = *(const T*)p[3];                                                              \
        (void)c;                                                                                  \
        for (int64_t i = 0; i < n; i++) { const T a = pa[i], b = pb[i]; o[i] = (EXPR); }          \
      }                                                                                           \
    } else {                                                                                      \
      char* po = p[0]; const char* pa = p[1]; const char* pb = p[2]; const char* pc = p[3];      \
      for (int64_t i = 0; i < n; i++) {                                                           \
        const T a = *(const T*)(pa + i * s[1]), b = *(const T*)(pb + i * s[2]);                   \
        const T c = *(const T*)(pc + i * s[3]);                                                   \
        (void)c;                                                                                  \
        *(T*)(po + i * s[0]) = (EXPR);                                                            \
      }                                                                                           \
    }                                                                                             \
  }
DEF_ADDC(addc_scaled_f32, float, a + al * b)
DEF_ADDC(addc_mul_f32, float, a + al * b * c)
DEF_ADDC(addc_div_f32, float, a + al * b / c)
DEF_ADDC(addc_scaled_f64, double, a + al * b)
DEF_ADDC(addc_mul_f64, double, a + al * b * c)
DEF_ADDC(addc_div_f64, double, a + al * b / c)

DT_API int32_t dt_addc(int32_t op, int32_t dtype, const int32_t* desc, void* out, const void* a, const void* b,
                       const void* c, double alpha) {
  static const dt_loop_fn table[2][DT_ADDC_COUNT] = {
      {addc_scaled_f32, addc_mul_f32, addc_div_f32},
      {addc_scaled_f64, addc_mul_f64, addc_div_f64},
  };
  if (op < 0 || op >= DT_ADDC_COUNT) return dt_fail(DT_ERR_ARG, "dt_addc: unknown op %d", (int)op);
  if (dtype != DT_F32 && dtype != DT_F64)
    return dt_fail(DT_ERR_DTYPE, "dt_addc: dtype %s is not supported (float32/float64 only)", dt_dtype_name(dtype));
  const dt_addc_ctx ctx = {alpha};
  void* bases[4] = {out, (void*)a, (void*)b, (void*)c};
  const size_t es = dt_dtype_size(dtype);
  const size_t esize[4] = {es, es, es, es};
  return dt_iter_run("dt_addc", 4, desc, bases, esize, table[dtype][op], &ctx);
}

/* ------------------------------------------------------------------ axpy */
DT_API int32_t dt_axpy(int32_t dtype, int32_t n, double alpha, const void* b, int32_t b_off, void* a, int32_t a_off) {
  DT_CHECK_NONNEG("dt_axpy", "n", n);
  DT_CHECK_NONNEG("dt_axpy", "b_off", b_off);
  DT_CHECK_NONNEG("dt_axpy", "a_off", a_off);
  if (n == 0) return DT_OK;
  if (!a || !b) return dt_fail(DT_ERR_ARG, "dt_axpy: null pointer");
  const int nt = dt_nthreads_for(n);
  if (dtype == DT_F32) {
    float* pa = (float*)a + a_off;
    const float* pb = (const float*)b + b_off;
    const float al = (float)alpha;
    DT_PARALLEL_FOR(i, n, pa[i] += al * pb[i];);
  } else if (dtype == DT_F64) {
    double* pa = (double*)a + a_off;
    const double* pb = (const double*)b + b_off;
    DT_PARALLEL_FOR(i, n, pa[i] += alpha * pb[i];);
  } else {
    return dt_fail(DT_ERR_DTYPE, "dt_axpy: dtype %s is not supported (float32/float64 only)", dt_dtype_name(dtype));
  }
  return DT_OK;
}
