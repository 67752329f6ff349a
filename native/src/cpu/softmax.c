/*
 * softmax.c: dt_softmax / dt_softmax_backward (softmax and log_softmax) over a contiguous
 * [outer, n, inner] layout, reducing over n.
 *
 * Numerically stable: every row is shifted by its max before exp, so large logits never
 * overflow; sums accumulate in double. Work is split into (outer, block of SM_COLS inner
 * positions) tasks so that inner == 1 (the last dim) and inner > 1 (e.g. channels of an
 * image) both vectorize and parallelize; each task's result is independent of the thread
 * count.
 */
#include "dt_common.h"

#define SM_COLS 64 /* inner positions per task (stack accumulators) */

/* One body per float dtype. EXP is the libm function of the type (expf or exp). */
#define DEF_SOFTMAX(T, S, EXP)                                                                         \
  /* one contiguous row (inner == 1): the common "softmax over the last dim" case */                  \
  static inline void sm_row_fwd_##S(int is_log, int64_t n, const T* x, T* y) {                         \
    T m = -INFINITY;                                                                                   \
    for (int64_t j = 0; j < n; j++) m = x[j] > m ? x[j] : m;                                           \
    double sum = 0;                                                                                    \
    if (is_log) {                                                                                      \
      for (int64_t j = 0; j < n; j++) sum += EXP(x[j] - m);                                            \
      const T ls = (T)log(sum); /* (x - max) - log(sum): no rounding of max + log(sum) */              \
      for (int64_t j = 0; j < n; j++) y[j] = (x[j] - m) - ls;                                          \
    } else {                                                                                           \
      for (int64_t j = 0; j < n; j++) { const T e = EXP(x[j] - m); y[j] = e; sum += e; }               \
      const T inv = (T)(1.0 / sum);                                                                    \
      for (int64_t j = 0; j < n; j++) y[j] *= inv;                                                     \
    }                                                                                                  \
  }                                                                                                    \
  /* up to SM_COLS columns of stride `inner` (inner > 1) */                                            \
  static inline void sm_cols_fwd_##S(int is_log, int64_t n, int64_t inner, int64_t w, const T* x, T* y) { \
    T mx[SM_COLS];                                                                                     \
    double sum[SM_COLS];                                                                               \
    for (int64_t i = 0; i < w; i++) { mx[i] = -INFINITY; sum[i] = 0; }                                \
    for (int64_t j = 0; j < n; j++)                                                                    \
      for (int64_t i = 0; i < w; i++) mx[i] = x[j * inner + i] > mx[i] ? x[j * inner + i] : mx[i];     \
    for (int64_t j = 0; j < n; j++)                                                                    \
      for (int64_t i = 0; i < w; i++) {                                                                \
        const T e = EXP(x[j * inner + i] - mx[i]);                                                     \
        sum[i] += e;                                                                                   \
        if (!is_log) y[j * inner + i] = e;                                                             \
      }                                                                                                \
    T c[SM_COLS];                                                                                      \
    if (is_log) {                                                                                      \
      for (int64_t i = 0; i < w; i++) c[i] = (T)log(sum[i]);                                           \
      for (int64_t j = 0; j < n; j++)                                                                  \
        for (int64_t i = 0; i < w; i++) y[j * inner + i] = (x[j * inner + i] - mx[i]) - c[i];          \
    } else {                                                                                           \
      for (int64_t i = 0; i < w; i++) c[i] = (T)(1.0 / sum[i]);                                        \
      for (int64_t j = 0; j < n; j++)                                                                  \
        for (int64_t i = 0; i < w; i++) y[j * inner + i] *= c[i];                                      \
    }                                                                                                  \
  }                                                                                                    \
  /* softmax: gin = y * (g - sum(g * y)); log_softmax: gin = g - exp(y) * sum(g) */                   \
  static inline void sm_cols_bwd_##S(int is_log, int64_t n, int64_t inner, int64_t w, const T* g,      \
                                     const T* y, T* gin) {                                             \
    double acc[SM_COLS];                                                                               \
    T s[SM_COLS];                                                                                      \
    for (int64_t i = 0; i < w; i++) acc[i] = 0;                                                        \
    if (is_log) {                                                                                      \
      for (int64_t j = 0; j < n; j++)                                                                  \
        for (int64_t i = 0; i < w; i++) acc[i] += g[j * inner + i];                                    \
    } else {                                                                                           \
      for (int64_t j = 0; j < n; j++)                                                                  \
        for (int64_t i = 0; i < w; i++) acc[i] += (double)g[j * inner + i] * y[j * inner + i];         \
    }                                                                                                  \
    for (int64_t i = 0; i < w; i++) s[i] = (T)acc[i];                                                  \
    if (is_log) {                                                                                      \
      for (int64_t j = 0; j < n; j++)                                                                  \
        for (int64_t i = 0; i < w; i++) gin[j * inner + i] = g[j * inner + i] - EXP(y[j * inner + i]) * s[i]; \
    } else {                                                                                           \
      for (int64_t j = 0; j < n; j++)                                                                  \
        for (int64_t i = 0; i < w; i++) gin[j * inner + i] = y[j * inner + i] * (g[j * inner + i] - s[i]); \
    }                                                                                                  \
  }                                                                                                    \
  static void sm_fwd_##S(int is_log, int64_t outer, int64_t n, int64_t inner, const T* x, T* y) {      \
    const int nt = dt_nthreads_for(outer * n * inner);                                                 \
    if (inner == 1) {                                                                                  \
      DT_PARALLEL_FOR(o, outer, sm_row_fwd_##S(is_log, n, x + o * n, y + o * n););                     \
      return;                                                                                          \
    }                                                                                                  \
    const int64_t blocks = (inner + SM_COLS - 1) / SM_COLS, tasks = outer * blocks;                    \
    DT_PARALLEL_FOR(task, tasks, {                                                                     \
      const int64_t o = task / blocks, i0 = (task % blocks) * SM_COLS;                                 \
      const int64_t w = (inner - i0) < SM_COLS ? (inner - i0) : SM_COLS;                               \
      sm_cols_fwd_##S(is_log, n, inner, w, x + o * n * inner + i0, y + o * n * inner + i0);            \
    });                                                                                                \
  }                                                                                                    \
  static void sm_bwd_##S(int is_log, int64_t outer, int64_t n, int64_t inner, const T* g, const T* y,  \
                         T* gin) {                                                                     \
    const int nt = dt_nthreads_for(outer * n * inner);                                                 \
    if (inner == 1) { /* contiguous rows: the constant stride lets the compiler vectorize */          \
      DT_PARALLEL_FOR(o, outer, sm_cols_bwd_##S(is_log, n, 1, 1, g + o * n, y + o * n, gin + o * n);); \
      return;                                                                                          \
    }                                                                                                  \
    const int64_t blocks = (inner + SM_COLS - 1) / SM_COLS, tasks = outer * blocks;                    \
    DT_PARALLEL_FOR(task, tasks, {                                                                     \
      const int64_t o = task / blocks, i0 = (task % blocks) * SM_COLS;                                 \
      const int64_t w = (inner - i0) < SM_COLS ? (inner - i0) : SM_COLS;                               \
      const int64_t base = o * n * inner + i0;                                                         \
      sm_cols_bwd_##S(is_log, n, inner, w, g + base, y + base, gin + base);                            \
    });                                                                                                \
  }

DEF_SOFTMAX(float, f32, expf)
DEF_SOFTMAX(double, f64, exp)

static int32_t sm_check(const char* fname, int32_t dtype, int32_t outer, int32_t n, int32_t inner) {
  if (!dt_dtype_is_float(dtype))
    return dt_fail(DT_ERR_DTYPE, "%s: expected a float32 or float64 tensor, got %s", fname, dt_dtype_name(dtype));
  DT_CHECK_NONNEG(fname, "outer", outer);
  DT_CHECK_NONNEG(fname, "n", n);
  DT_CHECK_NONNEG(fname, "inner", inner);
  return DT_OK;
}

DT_API int32_t dt_softmax(int32_t dtype, int32_t is_log, int32_t outer, int32_t n, int32_t inner, const void* in,
                          void* out) {
  int32_t st = sm_check("dt_softmax", dtype, outer, n, inner);
  if (st != DT_OK) return st;
  if ((int64_t)outer * n * inner == 0) return DT_OK;
  if (dtype == DT_F32) sm_fwd_f32(is_log != 0, outer, n, inner, (const float*)in, (float*)out);
  else sm_fwd_f64(is_log != 0, outer, n, inner, (const double*)in, (double*)out);
  return DT_OK;
}

DT_API int32_t dt_softmax_backward(int32_t dtype, int32_t is_log, int32_t outer, int32_t n, int32_t inner,
                                   const void* gout, const void* out, void* gin) {
  int32_t st = sm_check("dt_softmax_backward", dtype, outer, n, inner);
  if (st != DT_OK) return st;
  if ((int64_t)outer * n * inner == 0) return DT_OK;
  if (dtype == DT_F32)
    sm_bwd_f32(is_log != 0, outer, n, inner, (const float*)gout, (const float*)out, (float*)gin);
  else sm_bwd_f64(is_log != 0, outer, n, inner, (const double*)gout, (const double*)out, (double*)gin);
  return DT_OK;
}
