/*
 * loss.c: negative log likelihood over log-probabilities laid out as a contiguous [n, c, s]
 * (s = product of the spatial sizes, 1 for (N, C) input), with optional class weights and an
 * ignored class index; and its backward, optionally fused with log_softmax's backward so that
 * cross entropy's gradient w.r.t. the logits comes out of one pass.
 *
 * Targets are int64 [n, s]. Every target is range-checked (DT_ERR_INDEX) before anything is
 * read through it. Sums accumulate in double, sequentially (thread-count independent).
 */
#include "dt_common.h"

/* reduction codes: as PyTorch's Reduction enum */
enum { NLL_NONE = 0, NLL_MEAN = 1, NLL_SUM = 2 };

static int32_t nll_check(const char* fname, int32_t dtype, int32_t n, int32_t c, int32_t s, int32_t reduction,
                         const int64_t* target, double ignore_index) {
  if (!dt_dtype_is_float(dtype))
    return dt_fail(DT_ERR_DTYPE, "%s: expected a float32 or float64 tensor, got %s", fname, dt_dtype_name(dtype));
  DT_CHECK_NONNEG(fname, "n", n);
  DT_CHECK_NONNEG(fname, "c", c);
  DT_CHECK_NONNEG(fname, "s", s);
  if (reduction < NLL_NONE || reduction > NLL_SUM)
    return dt_fail(DT_ERR_ARG, "%s: unknown reduction %d", fname, (int)reduction);
  const int64_t m = (int64_t)n * s;
  for (int64_t i = 0; i < m; i++) {
    const int64_t t = target[i];
    if ((double)t == ignore_index) continue;
    if (t < 0 || t >= c)
      return dt_fail(DT_ERR_INDEX, "Target %lld is out of bounds (expected a class index in [0, %d))", (long long)t,
                     (int)c);
  }
  return DT_OK;
}

#define DEF_NLL(T, S, EXP)                                                                             \
  static void nll_fwd_##S(int64_t n, int64_t c, int64_t s, const T* logp, const int64_t* target,       \
                          const T* weight, double ignore, int reduction, T* out, T* total_weight) {     \
    double acc = 0, wsum = 0;                                                                          \
    for (int64_t i = 0; i < n; i++)                                                                    \
      for (int64_t j = 0; j < s; j++) {                                                                \
        const int64_t t = target[i * s + j];                                                           \
        double v = 0, wt = 0;                                                                          \
        if ((double)t != ignore) {                                                                     \
          wt = weight ? (double)weight[t] : 1.0;                                                       \
          v = -wt * (double)logp[(i * c + t) * s + j];                                                 \
        }                                                                                              \
        if (reduction == NLL_NONE) out[i * s + j] = (T)v;                                              \
        acc += v;                                                                                      \
        wsum += wt;                                                                                    \
      }                                                                                                \
    if (reduction == NLL_SUM) out[0] = (T)acc;                                                         \
    if (reduction == NLL_MEAN) out[0] = (T)(acc / wsum); /* 0 / 0 = NaN when all are ignored */      \
    total_weight[0] = (T)wsum;                                                                         \
  }                                                                                                    \
  /* gin[i, k, j] = scale_ij * w[t] * (softmax ? exp(logp[i, k, j]) - [k == t] : -[k == t]) */        \
  static void nll_bwd_##S(int softmax, int64_t n, int64_t c, int64_t s, const T* logp,                 \
                          const int64_t* target, const T* weight, double ignore, int reduction,         \
                          const T* gout, const T* total_weight, T* gin) {                              \
    const double mean_div = reduction == NLL_MEAN ? (double)total_weight[0] : 1.0;                    \
    const int nt = dt_nthreads_for(n * c * s);                                                         \
    DT_PARALLEL_FOR(i, n, {                                                                            \
      T* gi = gin + i * c * s;                                                                         \
      const T* lp = softmax ? logp + i * c * s : NULL;                                                 \
      for (int64_t j = 0; j < s; j++) {                                                                \
        const int64_t t = target[i * s + j];                                                           \
        if ((double)t == ignore) {                                                                     \
          for (int64_t k = 0; k < c; k++) gi[k * s + j] = 0;                                           \
          continue;                                                                                    \
        }                                                                                              \
        const double g = (double)(reduction == NLL_NONE ? gout[i * s + j] : gout[0]);                  \
        const double wt = weight ? (double)weight[t] : 1.0;                                            \
        const T f = (T)(g * wt / mean_div);                                                            \
        if (softmax) {                                                                                 \
          for (int64_t k = 0; k < c; k++) gi[k * s + j] = EXP(lp[k * s + j]) * f;                      \
          gi[t * s + j] -= f;                                                                          \
        } else {                                                                                       \
          for (int64_t k = 0; k < c; k++) gi[k * s + j] = 0;                                           \
          gi[t * s + j] = -f;                                                                          \
        }                                                                                              \
      }                                                                                                \
    });                                                                                                \
  }

DEF_NLL(float, f32, expf)
DEF_NLL(double, f64, exp)

DT_API int32_t dt_nll_forward(int32_t dtype, int32_t n, int32_t c, int32_t s, const void* logp, const int64_t* target,
                              const void* weight, double ignore_index, int32_t reduction, void* out,
                              void* total_weight) {
  int32_t st = nll_check("dt_nll_forward", dtype, n, c, s, reduction, target, ignore_index);
  if (st != DT_OK) return st;
  if (dtype == DT_F32)
    nll_fwd_f32(n, c, s, (const float*)logp, target, (const float*)weight, ignore_index, reduction, (float*)out,
                (float*)total_weight);
  else
    nll_fwd_f64(n, c, s, (const double*)logp, target, (const double*)weight, ignore_index, reduction,
                (double*)out, (double*)total_weight);
  return DT_OK;
}

DT_API int32_t dt_nll_backward(int32_t dtype, int32_t softmax, int32_t n, int32_t c, int32_t s, const void* logp,
                               const int64_t* target, const void* weight, double ignore_index, int32_t reduction,
                               const void* gout, const void* total_weight, void* gin) {
  int32_t st = nll_check("dt_nll_backward", dtype, n, c, s, reduction, target, ignore_index);
  if (st != DT_OK) return st;
  if (dtype == DT_F32)
    nll_bwd_f32(softmax != 0, n, c, s, (const float*)logp, target, (const float*)weight, ignore_index, reduction,
                (const float*)gout, (const float*)total_weight, (float*)gin);
  else
    nll_bwd_f64(softmax != 0, n, c, s, (const double*)logp, target, (const double*)weight, ignore_index,
                reduction, (const double*)gout, (const double*)total_weight, (double*)gin);
  return DT_OK;
}
