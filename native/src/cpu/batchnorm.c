/*
 * batchnorm.c: fused batch normalization over a contiguous [n, c, s] layout (s = the product
 * of the spatial sizes; 1 for BatchNorm1d on (N, C)). One rank-generic code path serves
 * BatchNorm1d/2d/3d.
 *
 * Forward (training): per-channel mean and biased variance (two passes, double accumulators),
 * the running-statistics update and normalize + affine, in one call. Backward: grad input,
 * grad weight and grad bias from one pass of sums and one pass of writes.
 *
 * Statistics and gradient sums run parallel over channels (or, when s == 1, over blocks of
 * BN_COLS channels so that rows stay contiguous); each channel is computed by one thread, so
 * results do not depend on the thread count. The per-element pass (normalize, grad input) then
 * walks the tensor in memory order in the same parallel region.
 */
#include <stdlib.h>

#include "dt_common.h"

#define BN_COLS 64 /* channels per task when s == 1 */
#define BN_BLOCK 256 /* elements per block of partial sums */

#define DEF_BATCHNORM(T, S)                                                                            \
  /* Sums over a contiguous run: blocks of BN_BLOCK elements summed in T with an OpenMP SIMD     */ \
  /* reduction (so the loop vectorizes; its order is fixed by the build, not the thread count), */  \
  /* each block flushed into a double (small float32 rounding error for any length). */             \
  static inline double bn_sum_##S(const T* p, int64_t s) {                                            \
    double r = 0;                                                                                      \
    for (int64_t j0 = 0; j0 < s; j0 += BN_BLOCK) {                                                     \
      const int64_t j1 = s - j0 < BN_BLOCK ? s : j0 + BN_BLOCK;                                        \
      T a = 0;                                                                                         \
      _Pragma("omp simd reduction(+:a)") for (int64_t j = j0; j < j1; j++) a += p[j];                  \
      r += a;                                                                                          \
    }                                                                                                  \
    return r;                                                                                          \
  }                                                                                                    \
  /* sum((p - mu)^2) */                                                                               \
  static inline double bn_sqdev_##S(const T* p, int64_t s, double mu) {                               \
    const T m = (T)mu;                                                                                 \
    double r = 0;                                                                                      \
    for (int64_t j0 = 0; j0 < s; j0 += BN_BLOCK) {                                                     \
      const int64_t j1 = s - j0 < BN_BLOCK ? s : j0 + BN_BLOCK;                                        \
      T a = 0;                                                                                         \
      _Pragma("omp simd reduction(+:a)") for (int64_t j = j0; j < j1; j++) {                           \
        const T d = p[j] - m;                                                                          \
        a += d * d;                                                                                    \
      }                                                                                                \
      r += a;                                                                                          \
    }                                                                                                  \
    return r;                                                                                          \
  }                                                                                                    \
  /* sum(g) and sum(g * (x - m)) */                                                                   \
  static inline void bn_gsums_##S(const T* g, const T* x, int64_t s, T m, double* sg, double* sgx) {  \
    for (int64_t j0 = 0; j0 < s; j0 += BN_BLOCK) {                                                     \
      const int64_t j1 = s - j0 < BN_BLOCK ? s : j0 + BN_BLOCK;                                        \
      T a = 0, b = 0;                                                                                  \
      _Pragma("omp simd reduction(+:a, b)") for (int64_t j = j0; j < j1; j++) {                        \
        a += g[j];                                                                                     \
        b += g[j] * (x[j] - m);                                                                        \
      }                                                                                                \
      *sg += a;                                                                                        \
      *sgx += b;                                                                                       \
    }                                                                                                  \
  }                                                                                                    \
  /* statistics of channels [c0, c0 + w): mean[k], invstd[k] (double) */                              \
  static void bn_stats_##S(const T* x, int64_t n, int64_t c, int64_t s, int64_t c0, int64_t w,         \
                           double* mean, double* m2) {                                                 \
    for (int64_t k = 0; k < w; k++) mean[k] = m2[k] = 0;                                               \
    if (s == 1) {                                                                                      \
      for (int64_t i = 0; i < n; i++) {                                                                \
        const T* row = x + i * c + c0;                                                                 \
        for (int64_t k = 0; k < w; k++) mean[k] += row[k];                                             \
      }                                                                                                \
      for (int64_t k = 0; k < w; k++) mean[k] /= (double)n;                                            \
      for (int64_t i = 0; i < n; i++) {                                                                \
        const T* row = x + i * c + c0;                                                                 \
        for (int64_t k = 0; k < w; k++) { const double d = row[k] - mean[k]; m2[k] += d * d; }         \
      }                                                                                                \
      return;                                                                                          \
    }                                                                                                  \
    /* s > 1: w == 1, one channel made of n contiguous runs of s */                                   \
    double acc = 0;                                                                                    \
    for (int64_t i = 0; i < n; i++) acc += bn_sum_##S(x + (i * c + c0) * s, s);                       \
    const double mu = acc / (double)(n * s);                                                           \
    double sq = 0;                                                                                     \
    for (int64_t i = 0; i < n; i++) sq += bn_sqdev_##S(x + (i * c + c0) * s, s, mu);                  \
    mean[0] = mu;                                                                                      \
    m2[0] = sq;                                                                                        \
  }                                                                                                    \
  /* Per-channel affine over the whole [n, c, s] tensor in memory order (rows of s, or of c when */ \
  /* s == 1): out = x * A[ch] + ((x - mu[ch]) * B[ch] + C[ch]) when B, else x * A[ch] + C[ch].     */ \
  /* Walking the tensor linearly (instead of channel by channel, 4 KB strips n apart) ran the    */ \
  /* eval forward ~2x faster. Called inside a parallel region: shares rows over its threads.      */ \
  static void bn_affine_##S(int64_t n, int64_t c, int64_t s, const T* x, const T* g, const T* A, const T* B,    \
                            const T* C, const T* mu, T* out) {                                          \
    if (s == 1) {                                                                                      \
      _Pragma("omp for schedule(static)")                                                              \
      for (int64_t i = 0; i < n; i++) {                                                                \
        const T* xr = x + i * c;                                                                       \
        T* o = out + i * c;                                                                            \
        if (B) {                                                                                       \
          const T* gr = g + i * c;                                                                     \
          for (int64_t k = 0; k < c; k++) o[k] = gr[k] * A[k] + (xr[k] - mu[k]) * B[k] + C[k];         \
        } else {                                                                                       \
          for (int64_t k = 0; k < c; k++) o[k] = xr[k] * A[k] + C[k];                                  \
        }                                                                                              \
      }                                                                                                \
      return;                                                                                          \
    }                                                                                                  \
    _Pragma("omp for schedule(static)")                                                                \
    for (int64_t r = 0; r < n * c; r++) {                                                              \
      const int64_t ch = r % c;                                                                        \
      const T* xp = x + r * s;                                                                         \
      T* o = out + r * s;                                                                              \
      const T a = A[ch], cc = C[ch];                                                                   \
      if (B) {                                                                                         \
        const T* gp = g + r * s;                                                                       \
        const T b = B[ch], m = mu[ch];                                                                 \
        for (int64_t j = 0; j < s; j++) o[j] = gp[j] * a + (xp[j] - m) * b + cc;                       \
      } else {                                                                                         \
        for (int64_t j = 0; j < s; j++) o[j] = xp[j] * a + cc;                                         \
      }                                                                                                \
    }                                                                                                  \
  }                                                                                                    \
  /* Statistics, running-statistics update, saved mean/invstd and the affine coefficients of the   */ \
  /* channels of task t (BN_COLS channels when s == 1, else one).                                 */ \
  static void bn_coef_##S(int64_t t, int training, int64_t n, int64_t c, int64_t s, const T* x,       \
                          const T* weight, const T* bias, T* rmean, T* rvar, double momentum, double eps, \
                          T* save_mean, T* save_invstd, T* scale, T* shift) {                          \
    const int64_t cols = s == 1 ? BN_COLS : 1, count = n * s;                                          \
    const int64_t c0 = t * cols, w = (c - c0) < cols ? (c - c0) : cols;                                \
    double mean[BN_COLS], m2[BN_COLS];                                                                 \
    if (training) bn_stats_##S(x, n, c, s, c0, w, mean, m2);                                           \
    for (int64_t k = 0; k < w; k++) {                                                                  \
      const int64_t ch = c0 + k;                                                                       \
      double mu, invstd;                                                                               \
      if (training) {                                                                                  \
        const double var = m2[k] / (double)count;                                                      \
        mu = mean[k];                                                                                  \
        invstd = 1.0 / sqrt(var + eps);                                                                \
        if (rmean && count > 0) rmean[ch] = (T)((1 - momentum) * rmean[ch] + momentum * mu);           \
        if (rvar && count > 0) {                                                                       \
          const double unbiased = count > 1 ? m2[k] / (double)(count - 1) : NAN;                      \
          rvar[ch] = (T)((1 - momentum) * rvar[ch] + momentum * unbiased);                             \
        }                                                                                              \
      } else {                                                                                         \
        mu = rmean[ch];                                                                                \
        invstd = 1.0 / sqrt((double)rvar[ch] + eps);                                                   \
      }                                                                                                \
      save_mean[ch] = (T)mu;                                                                           \
      save_invstd[ch] = (T)invstd;                                                                     \
      const double wk = weight ? (double)weight[ch] : 1.0, bk = bias ? (double)bias[ch] : 0.0;         \
      scale[ch] = (T)(invstd * wk);                                                                    \
      shift[ch] = (T)(bk - mu * invstd * wk);                                                          \
    }                                                                                                  \
  }                                                                                                    \
  /* The forward: the per-channel work (statistics in training; in evaluation only the             */ \
  /* coefficients, computed up front), then the normalize pass. With one thread no OpenMP team is  */ \
  /* built; with more, one region (the statistics and the pass separated by the loop's barrier).   */ \
  static int bn_fwd_##S(int training, int64_t n, int64_t c, int64_t s, const T* x, const T* weight,    \
                        const T* bias, T* rmean, T* rvar, double momentum, double eps, T* save_mean,    \
                        T* save_invstd, T* y) {                                                        \
    const int64_t cols = s == 1 ? BN_COLS : 1;                                                         \
    const int64_t tasks = (c + cols - 1) / cols;                                                       \
    const int nt = dt_nthreads_for(n * c * s);                                                         \
    T* coef = (T*)malloc(sizeof(T) * (size_t)(2 * c + 1));                                             \
    if (!coef) return 0;                                                                               \
    T *scale = coef, *shift = coef + c;                                                                \
    const int par_stats = training && nt > 1;                                                          \
    if (!par_stats)                                                                                    \
      for (int64_t t = 0; t < tasks; t++)                                                              \
        bn_coef_##S(t, training, n, c, s, x, weight, bias, rmean, rvar, momentum, eps, save_mean,      \
                    save_invstd, scale, shift);                                                        \
    if (nt > 1) {                                                                                      \
      _Pragma("omp parallel num_threads(nt)")                                                          \
      {                                                                                                \
        if (par_stats) {                                                                               \
          _Pragma("omp for schedule(static)")                                                          \
          for (int64_t t = 0; t < tasks; t++)                                                          \
            bn_coef_##S(t, training, n, c, s, x, weight, bias, rmean, rvar, momentum, eps, save_mean,  \
                        save_invstd, scale, shift);                                                    \
        }                                                                                              \
        bn_affine_##S(n, c, s, x, NULL, scale, NULL, shift, NULL, y);                                  \
      }                                                                                                \
    } else {                                                                                           \
      bn_affine_##S(n, c, s, x, NULL, scale, NULL, shift, NULL, y);                                    \
    }                                                                                                  \
    free(coef);                                                                                        \
    return 1;                                                                                          \
  }                                                                                                    \
  static int bn_bwd_##S(int training, int64_t n, int64_t c, int64_t s, const T* g, const T* x,         \
                        const T* weight, const T* save_mean, const T* save_invstd, T* gin, T* gweight,  \
                        T* gbias) {                                                                    \
    const int64_t cols = s == 1 ? BN_COLS : 1;                                                         \
    const int64_t tasks = (c + cols - 1) / cols, count = n * s;                                        \
    const int nt = dt_nthreads_for(n * c * s);                                                         \
    T* coef = (T*)malloc(sizeof(T) * (size_t)(4 * c + 1));                                             \
    if (!coef) return 0;                                                                               \
    T *A = coef, *Bc = coef + c, *Cc = coef + 2 * c, *mu = coef + 3 * c;                               \
    _Pragma("omp parallel num_threads(nt) if(nt > 1)")                                                 \
    {                                                                                                  \
      _Pragma("omp for schedule(static)")                                                              \
      for (int64_t t = 0; t < tasks; t++) {                                                            \
        const int64_t c0 = t * cols, w = (c - c0) < cols ? (c - c0) : cols;                            \
        double sg[BN_COLS], sgx[BN_COLS]; /* sum(g), sum(g * (x - mean)) */                            \
        for (int64_t k = 0; k < w; k++) { sg[k] = sgx[k] = 0; mu[c0 + k] = save_mean[c0 + k]; }        \
        if (s == 1) {                                                                                  \
          for (int64_t i = 0; i < n; i++) {                                                            \
            const T* gr = g + i * c + c0;                                                              \
            const T* xr = x + i * c + c0;                                                              \
            for (int64_t k = 0; k < w; k++) {                                                          \
              sg[k] += gr[k];                                                                          \
              sgx[k] += (double)gr[k] * (xr[k] - mu[c0 + k]);                                          \
            }                                                                                          \
          }                                                                                            \
        } else {                                                                                       \
          const T m = mu[c0];                                                                          \
          for (int64_t i = 0; i < n; i++) {                                                            \
            const T* gp = g + (i * c + c0) * s;                                                        \
            const T* xp = x + (i * c + c0) * s;                                                        \
            bn_gsums_##S(gp, xp, s, m, &sg[0], &sgx[0]);                                               \
          }                                                                                            \
        }                                                                                              \
        /* gin = g * A + (x - mean) * B + C per channel (centering first avoids cancellation) */       \
        for (int64_t k = 0; k < w; k++) {                                                              \
          const int64_t ch = c0 + k;                                                                   \
          const double invstd = save_invstd[ch], wk = weight ? (double)weight[ch] : 1.0;               \
          if (gweight) gweight[ch] = (T)(sgx[k] * invstd);                                             \
          if (gbias) gbias[ch] = (T)sg[k];                                                             \
          if (training) {                                                                              \
            /* gin = w*invstd*(g - sg/M - (x-mu)*invstd^2*sgx/M) */                                   \
            const double a = wk * invstd, proj = sgx[k] * invstd * invstd / (double)count;            \
            A[ch] = (T)a;                                                                              \
            Bc[ch] = (T)(-a * proj);                                                                   \
            Cc[ch] = (T)(-a * sg[k] / (double)count);                                                  \
          } else {                                                                                     \
            A[ch] = (T)(wk * invstd);                                                                  \
            Bc[ch] = 0;                                                                                \
            Cc[ch] = 0;                                                                                \
          }                                                                                            \
        }                                                                                              \
      }                                                                                                \
      if (gin) bn_affine_##S(n, c, s, x, g, A, Bc, Cc, mu, gin);                                       \
    }                                                                                                  \
    free(coef);                                                                                        \
    return 1;                                                                                          \
  }

DEF_BATCHNORM(float, f32)
DEF_BATCHNORM(double, f64)

static int32_t bn_check(const char* fname, int32_t dtype, int32_t n, int32_t c, int32_t s) {
  if (!dt_dtype_is_float(dtype))
    return dt_fail(DT_ERR_DTYPE, "%s: expected a float32 or float64 tensor, got %s", fname, dt_dtype_name(dtype));
  DT_CHECK_NONNEG(fname, "n", n);
  DT_CHECK_NONNEG(fname, "c", c);
  DT_CHECK_NONNEG(fname, "s", s);
  return DT_OK;
}

DT_API int32_t dt_batchnorm_forward(int32_t dtype, int32_t training, int32_t n, int32_t c, int32_t s, const void* x,
                                    const void* weight, const void* bias, void* running_mean, void* running_var,
                                    double momentum, double eps, void* save_mean, void* save_invstd, void* out) {
  int32_t st = bn_check("dt_batchnorm_forward", dtype, n, c, s);
  if (st != DT_OK) return st;
  if (!save_mean || !save_invstd || (!out && (int64_t)n * c * s > 0))
    return dt_fail(DT_ERR_ARG, "dt_batchnorm_forward: save_mean, save_invstd and out are required");
  if (!training && (!running_mean || !running_var))
    return dt_fail(DT_ERR_ARG, "dt_batchnorm_forward: running_mean and running_var are required in evaluation mode");
  int ok;
  if (dtype == DT_F32)
    ok = bn_fwd_f32(training != 0, n, c, s, (const float*)x, (const float*)weight, (const float*)bias,
               (float*)running_mean, (float*)running_var, momentum, eps, (float*)save_mean, (float*)save_invstd,
               (float*)out);
  else
    ok = bn_fwd_f64(training != 0, n, c, s, (const double*)x, (const double*)weight, (const double*)bias,
               (double*)running_mean, (double*)running_var, momentum, eps, (double*)save_mean,
               (double*)save_invstd, (double*)out);
  return ok ? DT_OK : dt_fail(DT_ERR_MEMORY, "dt_batchnorm_forward: out of memory");
}

DT_API int32_t dt_batchnorm_backward(int32_t dtype, int32_t training, int32_t n, int32_t c, int32_t s,
                                     const void* gout, const void* x, const void* weight, const void* save_mean,
                                     const void* save_invstd, void* gin, void* gweight, void* gbias) {
  int32_t st = bn_check("dt_batchnorm_backward", dtype, n, c, s);
  if (st != DT_OK) return st;
  if (!save_mean || !save_invstd)
    return dt_fail(DT_ERR_ARG, "dt_batchnorm_backward: save_mean and save_invstd are required");
  int ok;
  if (dtype == DT_F32)
    ok = bn_bwd_f32(training != 0, n, c, s, (const float*)gout, (const float*)x, (const float*)weight,
               (const float*)save_mean, (const float*)save_invstd, (float*)gin, (float*)gweight, (float*)gbias);
  else
    ok = bn_bwd_f64(training != 0, n, c, s, (const double*)gout, (const double*)x, (const double*)weight,
               (const double*)save_mean, (const double*)save_invstd, (double*)gin, (double*)gweight,
               (double*)gbias);
  return ok ? DT_OK : dt_fail(DT_ERR_MEMORY, "dt_batchnorm_backward: out of memory");
}
