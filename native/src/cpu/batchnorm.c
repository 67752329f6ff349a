/*
 * batchnorm.c: fused batch normalization over a contiguous [n, c, s] layout (s = the product
 * of the spatial sizes; 1 for BatchNorm1d on (N, C)). One rank-generic code path serves
 * BatchNorm1d/2d/3d.
 *
 * Forward (training): per-channel mean and biased variance (two passes, double accumulators),
 * the running-statistics update and normalize + affine, in one call. Backward: grad input,
 * grad weight and grad bias from one pass of sums and one pass of writes.
 *
 * Parallel over channels (or, when s == 1, over blocks of BN_COLS channels so that rows stay
 * contiguous); each channel is computed by one thread, so results do not depend on the thread
 * count.
 */
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
  /* y = x * scale + shift for channels [c0, c0 + w) */                                                \
  static void bn_apply_##S(const T* x, T* y, int64_t n, int64_t c, int64_t s, int64_t c0, int64_t w,   \
                           const T* scale, const T* shift) {                                           \
    if (s == 1) {                                                                                      \
      for (int64_t i = 0; i < n; i++) {                                                                \
        const T* row = x + i * c + c0;                                                                 \
        T* out = y + i * c + c0;                                                                       \
        for (int64_t k = 0; k < w; k++) out[k] = row[k] * scale[k] + shift[k];                         \
      }                                                                                                \
      return;                                                                                          \
    }                                                                                                  \
    const T a = scale[0], b = shift[0];                                                                \
    for (int64_t i = 0; i < n; i++) {                                                                  \
      const T* p = x + (i * c + c0) * s;                                                               \
      T* q = y + (i * c + c0) * s;                                                                     \
      for (int64_t j = 0; j < s; j++) q[j] = p[j] * a + b;                                             \
    }                                                                                                  \
  }                                                                                                    \
  static void bn_fwd_##S(int training, int64_t n, int64_t c, int64_t s, const T* x, const T* weight,   \
                         const T* bias, T* rmean, T* rvar, double momentum, double eps, T* save_mean,   \
                         T* save_invstd, T* y) {                                                       \
    const int64_t cols = s == 1 ? BN_COLS : 1;                                                         \
    const int64_t tasks = (c + cols - 1) / cols, count = n * s;                                        \
    const int nt = dt_nthreads_for(n * c * s);                                                         \
    _Pragma("omp parallel for num_threads(nt) schedule(static) if(nt > 1)")                           \
    for (int64_t t = 0; t < tasks; t++) {                                                              \
      const int64_t c0 = t * cols, w = (c - c0) < cols ? (c - c0) : cols;                              \
      double mean[BN_COLS], m2[BN_COLS];                                                               \
      T scale[BN_COLS], shift[BN_COLS];                                                                \
      scale[0] = shift[0] = 0; /* w >= 1 */                                                            \
      if (training) bn_stats_##S(x, n, c, s, c0, w, mean, m2);                                         \
      for (int64_t k = 0; k < w; k++) {                                                                \
        const int64_t ch = c0 + k;                                                                     \
        double mu, invstd;                                                                             \
        if (training) {                                                                                \
          const double var = m2[k] / (double)count;                                                    \
          mu = mean[k];                                                                                \
          invstd = 1.0 / sqrt(var + eps);                                                              \
          if (rmean && count > 0) rmean[ch] = (T)((1 - momentum) * rmean[ch] + momentum * mu);         \
          if (rvar && count > 0) {                                                                     \
            const double unbiased = count > 1 ? m2[k] / (double)(count - 1) : NAN;                    \
            rvar[ch] = (T)((1 - momentum) * rvar[ch] + momentum * unbiased);                           \
          }                                                                                            \
        } else {                                                                                       \
          mu = rmean[ch];                                                                              \
          invstd = 1.0 / sqrt((double)rvar[ch] + eps);                                                 \
        }                                                                                              \
        save_mean[ch] = (T)mu;                                                                         \
        save_invstd[ch] = (T)invstd;                                                                   \
        const double wk = weight ? (double)weight[ch] : 1.0, bk = bias ? (double)bias[ch] : 0.0;       \
        scale[k] = (T)(invstd * wk);                                                                   \
        shift[k] = (T)(bk - mu * invstd * wk);                                                         \
      }                                                                                                \
      bn_apply_##S(x, y, n, c, s, c0, w, scale, shift);                                                \
    }                                                                                                  \
  }                                                                                                    \
  static void bn_bwd_##S(int training, int64_t n, int64_t c, int64_t s, const T* g, const T* x,        \
                         const T* weight, const T* save_mean, const T* save_invstd, T* gin, T* gweight, \
                         T* gbias) {                                                                   \
    const int64_t cols = s == 1 ? BN_COLS : 1;                                                         \
    const int64_t tasks = (c + cols - 1) / cols, count = n * s;                                        \
    const int nt = dt_nthreads_for(n * c * s);                                                         \
    _Pragma("omp parallel for num_threads(nt) schedule(static) if(nt > 1)")                           \
    for (int64_t t = 0; t < tasks; t++) {                                                              \
      const int64_t c0 = t * cols, w = (c - c0) < cols ? (c - c0) : cols;                              \
      double sg[BN_COLS], sgx[BN_COLS]; /* sum(g), sum(g * (x - mean)) */                              \
      T mu[BN_COLS];                                                                                   \
      mu[0] = save_mean[c0]; /* w >= 1 */                                                              \
      for (int64_t k = 0; k < w; k++) { sg[k] = sgx[k] = 0; mu[k] = save_mean[c0 + k]; }               \
      if (s == 1) {                                                                                    \
        for (int64_t i = 0; i < n; i++) {                                                              \
          const T* gr = g + i * c + c0;                                                                \
          const T* xr = x + i * c + c0;                                                                \
          for (int64_t k = 0; k < w; k++) { sg[k] += gr[k]; sgx[k] += (double)gr[k] * (xr[k] - mu[k]); } \
        }                                                                                              \
      } else {                                                                                         \
        const T m = mu[0];                                                                             \
        for (int64_t i = 0; i < n; i++) {                                                              \
          const T* gp = g + (i * c + c0) * s;                                                          \
          const T* xp = x + (i * c + c0) * s;                                                          \
          bn_gsums_##S(gp, xp, s, m, &sg[0], &sgx[0]);                                                 \
        }                                                                                              \
      }                                                                                                \
      /* gin = g * A + (x - mean) * B + C per channel (centering first avoids cancellation) */                                                       \
      T A[BN_COLS], Bc[BN_COLS], Cc[BN_COLS];                                                          \
      for (int64_t k = 0; k < w; k++) {                                                                \
        const int64_t ch = c0 + k;                                                                     \
        const double invstd = save_invstd[ch], wk = weight ? (double)weight[ch] : 1.0;                 \
        if (gweight) gweight[ch] = (T)(sgx[k] * invstd);                                               \
        if (gbias) gbias[ch] = (T)sg[k];                                                               \
        if (training) {                                                                                \
          /* gin = w*invstd*(g - sg/M - (x-mu)*invstd^2*sgx/M) */                                     \
          const double a = wk * invstd, proj = sgx[k] * invstd * invstd / (double)count;              \
          A[k] = (T)a;                                                                                 \
          Bc[k] = (T)(-a * proj);                                                                      \
          Cc[k] = (T)(-a * sg[k] / (double)count);                                     \
        } else {                                                                                       \
          A[k] = (T)(wk * invstd);                                                                     \
          Bc[k] = 0;                                                                                   \
          Cc[k] = 0;                                                                                   \
        }                                                                                              \
      }                                                                                                \
      if (!gin) continue;                                                                              \
      if (s == 1) {                                                                                    \
        for (int64_t i = 0; i < n; i++) {                                                              \
          const T* gr = g + i * c + c0;                                                                \
          const T* xr = x + i * c + c0;                                                                \
          T* o = gin + i * c + c0;                                                                     \
          for (int64_t k = 0; k < w; k++) o[k] = gr[k] * A[k] + (xr[k] - mu[k]) * Bc[k] + Cc[k];                 \
        }                                                                                              \
      } else {                                                                                         \
        const T a = A[0], b = Bc[0], cc = Cc[0], m = mu[0];                                                       \
        for (int64_t i = 0; i < n; i++) {                                                              \
          const T* gp = g + (i * c + c0) * s;                                                          \
          const T* xp = x + (i * c + c0) * s;                                                          \
          T* o = gin + (i * c + c0) * s;                                                               \
          for (int64_t j = 0; j < s; j++) o[j] = gp[j] * a + (xp[j] - m) * b + cc;                           \
        }                                                                                              \
      }                                                                                                \
    }                                                                                                  \
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
  if (dtype == DT_F32)
    bn_fwd_f32(training != 0, n, c, s, (const float*)x, (const float*)weight, (const float*)bias,
               (float*)running_mean, (float*)running_var, momentum, eps, (float*)save_mean, (float*)save_invstd,
               (float*)out);
  else
    bn_fwd_f64(training != 0, n, c, s, (const double*)x, (const double*)weight, (const double*)bias,
               (double*)running_mean, (double*)running_var, momentum, eps, (double*)save_mean,
               (double*)save_invstd, (double*)out);
  return DT_OK;
}

DT_API int32_t dt_batchnorm_backward(int32_t dtype, int32_t training, int32_t n, int32_t c, int32_t s,
                                     const void* gout, const void* x, const void* weight, const void* save_mean,
                                     const void* save_invstd, void* gin, void* gweight, void* gbias) {
  int32_t st = bn_check("dt_batchnorm_backward", dtype, n, c, s);
  if (st != DT_OK) return st;
  if (!save_mean || !save_invstd)
    return dt_fail(DT_ERR_ARG, "dt_batchnorm_backward: save_mean and save_invstd are required");
  if (dtype == DT_F32)
    bn_bwd_f32(training != 0, n, c, s, (const float*)gout, (const float*)x, (const float*)weight,
               (const float*)save_mean, (const float*)save_invstd, (float*)gin, (float*)gweight, (float*)gbias);
  else
    bn_bwd_f64(training != 0, n, c, s, (const double*)gout, (const double*)x, (const double*)weight,
               (const double*)save_mean, (const double*)save_invstd, (double*)gin, (double*)gweight,
               (double*)gbias);
  return DT_OK;
}
