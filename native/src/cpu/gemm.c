/*
 * gemm.c: dt_gemm / dt_gemm_batched. Row-major C = alpha * op(A) @ op(B) + beta * C.
 *
 * With DT_HAVE_BLAS every non-degenerate product goes to cblas_?gemm (OpenBLAS). Without it a
 * built-in cache-blocked GEMM runs: C is tiled into MC x NC blocks shared out over OpenMP
 * threads; for each KC slice, the thread packs op(A) and op(B) into contiguous row-major panels
 * (which makes all four transpose combinations the same inner kernel) and runs a 4-row
 * register-blocked kernel whose j loop vectorizes.
 *
 * Integer products (int64, int32, uint8; PyTorch has them too, BLAS does not) always take the
 * built-in kernel; their sums wrap like PyTorch's (-fwrapv, and uint8 stores modulo 256).
 *
 * Degenerate shapes are handled here for both paths: m == 0 or n == 0 is a no-op, k == 0 or
 * alpha == 0 scales C by beta. beta == 0 always overwrites C (NaN in C is ignored).
 */
#include <stdlib.h>
#include <string.h>

#include "dt_common.h"
#include "scalar_ops.h"

#ifdef DT_HAVE_BLAS
#include <cblas.h>
#endif

#define GEMM_MC 64
#define GEMM_NC 256
#define GEMM_KC 256

/* C[m x n] (ldc) = beta * C; beta == 0 writes exact zeros. */
#define DEF_SCALE(T, S)                                                                 \
  static void scale_c_##S(int64_t m, int64_t n, T beta, T* c, int64_t ldc) {            \
    for (int64_t i = 0; i < m; i++) {                                                   \
      T* row = c + i * ldc;                                                             \
      if (beta == 0)                                                                    \
        for (int64_t j = 0; j < n; j++) row[j] = 0;                                     \
      else if (beta != 1)                                                               \
        for (int64_t j = 0; j < n; j++) row[j] *= beta;                                 \
    }                                                                                   \
  }

/* Fallback kernel for one type. `par` allows OpenMP over C tiles. */
#define DEF_FALLBACK(T, S)                                                              \
  static void gemm_fb_##S(int ta, int tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda, \
                          const T* b, int64_t ldb, T beta, T* c, int64_t ldc, int par) {\
    const int64_t mt = (m + GEMM_MC - 1) / GEMM_MC, ntl = (n + GEMM_NC - 1) / GEMM_NC;  \
    const int64_t tiles = mt * ntl;                                                     \
    const int nt = par ? dt_nthreads_for(m * n * (k > 0 ? k : 1)) : 1;                  \
    _Pragma("omp parallel num_threads(nt) if (nt > 1)")                                 \
    {                                                                                   \
      /* per-thread packing buffers; stack is too small, the heap is fine here */      \
      T* ap = (T*)malloc(sizeof(T) * GEMM_MC * GEMM_KC);                                \
      T* bp = (T*)malloc(sizeof(T) * GEMM_KC * GEMM_NC);                                \
      _Pragma("omp for schedule(dynamic, 1)")                                           \
      for (int64_t t = 0; t < tiles; t++) {                                             \
        const int64_t i0 = (t / ntl) * GEMM_MC, j0 = (t % ntl) * GEMM_NC;               \
        const int64_t mc = m - i0 < GEMM_MC ? m - i0 : GEMM_MC;                         \
        const int64_t nc = n - j0 < GEMM_NC ? n - j0 : GEMM_NC;                         \
        scale_c_##S(mc, nc, beta, c + i0 * ldc + j0, ldc);                              \
        if (!ap || !bp) { /* out of memory: unpacked (slow) but correct */              \
          for (int64_t i = 0; i < mc; i++)                                              \
            for (int64_t p = 0; p < k; p++) {                                           \
              const T av = alpha * (ta ? a[p * lda + i0 + i] : a[(i0 + i) * lda + p]);  \
              for (int64_t j = 0; j < nc; j++)                                          \
                c[(i0 + i) * ldc + j0 + j] += av * (tb ? b[(j0 + j) * ldb + p] : b[p * ldb + j0 + j]); \
            }                                                                           \
          continue;                                                                     \
        }                                                                               \
        for (int64_t p0 = 0; p0 < k; p0 += GEMM_KC) {                                   \
          const int64_t kc = k - p0 < GEMM_KC ? k - p0 : GEMM_KC;                       \
          /* pack alpha * op(A)[i0:i0+mc, p0:p0+kc] row-major (mc x kc) */              \
          for (int64_t i = 0; i < mc; i++)                                              \
            for (int64_t p = 0; p < kc; p++)                                            \
              ap[i * kc + p] = alpha * (ta ? a[(p0 + p) * lda + i0 + i] : a[(i0 + i) * lda + p0 + p]); \
          /* pack op(B)[p0:p0+kc, j0:j0+nc] row-major (kc x nc) */                      \
          if (tb) {                                                                     \
            for (int64_t j = 0; j < nc; j++)                                            \
              for (int64_t p = 0; p < kc; p++) bp[p * nc + j] = b[(j0 + j) * ldb + p0 + p]; \
          } else {                                                                      \
            for (int64_t p = 0; p < kc; p++)                                            \
              memcpy(bp + p * nc, b + (p0 + p) * ldb + j0, sizeof(T) * (size_t)nc);     \
          }                                                                             \
          /* 4 rows of C at a time: each loaded B row feeds 4 FMAs */                   \
          int64_t i = 0;                                                                \
          for (; i + 4 <= mc; i += 4) {                                                 \
            /* rows never overlap (ldc >= n) and the panels are private: restrict holds */ \
            T* restrict c0 = c + (i0 + i) * ldc + j0;                                   \
            T* restrict c1 = c0 + ldc; T* restrict c2 = c1 + ldc; T* restrict c3 = c2 + ldc; \
            const T* a0 = ap + i * kc;                                                  \
            for (int64_t p = 0; p < kc; p++) {                                          \
              const T x0 = a0[p], x1 = a0[kc + p], x2 = a0[2 * kc + p], x3 = a0[3 * kc + p]; \
              const T* restrict br = bp + p * nc;                                       \
              for (int64_t j = 0; j < nc; j++) {                                        \
                const T bv = br[j];                                                     \
                c0[j] += x0 * bv; c1[j] += x1 * bv; c2[j] += x2 * bv; c3[j] += x3 * bv; \
              }                                                                         \
            }                                                                           \
          }                                                                             \
          for (; i < mc; i++) {                                                         \
            T* c0 = c + (i0 + i) * ldc + j0;                                            \
            const T* a0 = ap + i * kc;                                                  \
            for (int64_t p = 0; p < kc; p++) {                                          \
              const T x0 = a0[p];                                                       \
              const T* br = bp + p * nc;                                                \
              for (int64_t j = 0; j < nc; j++) c0[j] += x0 * br[j];                     \
            }                                                                           \
          }                                                                             \
        }                                                                               \
      }                                                                                 \
      free(ap);                                                                         \
      free(bp);                                                                         \
    }                                                                                   \
  }

DEF_SCALE(float, f32)
DEF_SCALE(double, f64)
DEF_SCALE(int64_t, i64)
DEF_SCALE(int32_t, i32)
DEF_SCALE(uint8_t, u8)
#ifndef DT_HAVE_BLAS
DEF_FALLBACK(float, f32)
DEF_FALLBACK(double, f64)
#endif
DEF_FALLBACK(int64_t, i64)
DEF_FALLBACK(int32_t, i32)
DEF_FALLBACK(uint8_t, u8)

/* The integer products: the built-in kernel for every build. alpha and beta convert like PyTorch's
 * scalar casts (truncate, then wrap: uint8 alpha -1 is 255) through dt_fromd_*; a plain C cast of a
 * negative or out-of-range double to an integer type is undefined (UBSan float-cast-overflow). */
static void gemm_int(int32_t dtype, int ta, int tb, int64_t m, int64_t n, int64_t k, double alpha, const void* a,
                     int64_t lda, const void* b, int64_t ldb, double beta, void* c, int64_t ldc, int par) {
  if (dtype == DT_I64) {
    if (k == 0 || alpha == 0) scale_c_i64(m, n, dt_fromd_i64(beta), (int64_t*)c, ldc);
    else
      gemm_fb_i64(ta, tb, m, n, k, dt_fromd_i64(alpha), (const int64_t*)a, lda, (const int64_t*)b, ldb,
                  dt_fromd_i64(beta), (int64_t*)c, ldc, par);
  } else if (dtype == DT_I32) {
    if (k == 0 || alpha == 0) scale_c_i32(m, n, dt_fromd_i32(beta), (int32_t*)c, ldc);
    else
      gemm_fb_i32(ta, tb, m, n, k, dt_fromd_i32(alpha), (const int32_t*)a, lda, (const int32_t*)b, ldb,
                  dt_fromd_i32(beta), (int32_t*)c, ldc, par);
  } else {
    if (k == 0 || alpha == 0) scale_c_u8(m, n, dt_fromd_u8(beta), (uint8_t*)c, ldc);
    else
      gemm_fb_u8(ta, tb, m, n, k, dt_fromd_u8(alpha), (const uint8_t*)a, lda, (const uint8_t*)b, ldb,
                 dt_fromd_u8(beta), (uint8_t*)c, ldc, par);
  }
}

/* One product, any path. Arguments are already validated; pointers point at element 0 of each
 * matrix. `par` allows the fallback to use OpenMP (off when the caller parallelizes a batch). */
static void gemm_one(int32_t dtype, int ta, int tb, int64_t m, int64_t n, int64_t k, double alpha, const void* a,
                     int64_t lda, const void* b, int64_t ldb, double beta, void* c, int64_t ldc, int par) {
  if (m == 0 || n == 0) return;
  if (!dt_dtype_is_float(dtype)) {
    gemm_int(dtype, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, par);
    return;
  }
  if (k == 0 || alpha == 0) {
    if (dtype == DT_F32) scale_c_f32(m, n, (float)beta, (float*)c, ldc);
    else scale_c_f64(m, n, beta, (double*)c, ldc);
    return;
  }
#ifdef DT_HAVE_BLAS
  (void)par;
  const enum CBLAS_TRANSPOSE cta = ta ? CblasTrans : CblasNoTrans, ctb = tb ? CblasTrans : CblasNoTrans;
  if (dtype == DT_F32)
    cblas_sgemm(CblasRowMajor, cta, ctb, (int)m, (int)n, (int)k, (float)alpha, (const float*)a, (int)lda,
                (const float*)b, (int)ldb, (float)beta, (float*)c, (int)ldc);
  else
    cblas_dgemm(CblasRowMajor, cta, ctb, (int)m, (int)n, (int)k, alpha, (const double*)a, (int)lda,
                (const double*)b, (int)ldb, beta, (double*)c, (int)ldc);
#else
  if (dtype == DT_F32)
    gemm_fb_f32(ta, tb, m, n, k, (float)alpha, (const float*)a, lda, (const float*)b, ldb, (float)beta, (float*)c,
                ldc, par);
  else
    gemm_fb_f64(ta, tb, m, n, k, alpha, (const double*)a, lda, (const double*)b, ldb, beta, (double*)c, ldc, par);
#endif
}

/* Shared validation of dt_gemm / dt_gemm_batched. */
static int32_t gemm_check(const char* fn, int32_t dtype, int32_t m, int32_t n, int32_t k, int32_t lda, int32_t ldb,
                          int32_t ldc, int32_t ta, int32_t tb, int32_t a_off, int32_t b_off, int32_t c_off) {
  if (dtype != DT_F32 && dtype != DT_F64 && dtype != DT_I64 && dtype != DT_I32 && dtype != DT_U8)
    return dt_fail(DT_ERR_DTYPE, "%s: dtype %s is not supported (float32, float64, int64, int32, uint8)", fn,
                   dt_dtype_name(dtype));
  DT_CHECK_NONNEG(fn, "m", m);
  DT_CHECK_NONNEG(fn, "n", n);
  DT_CHECK_NONNEG(fn, "k", k);
  DT_CHECK_NONNEG(fn, "a_off", a_off);
  DT_CHECK_NONNEG(fn, "b_off", b_off);
  DT_CHECK_NONNEG(fn, "c_off", c_off);
  if (m == 0 || n == 0) return DT_OK;
  /* row-major leading dimensions: the row length of the stored matrix, at least 1 */
  const int32_t a_cols = ta ? m : k, b_cols = tb ? k : n;
  if (k > 0 && lda < (a_cols > 1 ? a_cols : 1))
    return dt_fail(DT_ERR_ARG, "%s: lda %d is smaller than the row length %d of A", fn, (int)lda, (int)a_cols);
  if (k > 0 && ldb < (b_cols > 1 ? b_cols : 1))
    return dt_fail(DT_ERR_ARG, "%s: ldb %d is smaller than the row length %d of B", fn, (int)ldb, (int)b_cols);
  if (ldc < n) return dt_fail(DT_ERR_ARG, "%s: ldc %d is smaller than n = %d", fn, (int)ldc, (int)n);
  return DT_OK;
}

DT_API int32_t dt_gemm(int32_t dtype, int32_t trans_a, int32_t trans_b, int32_t m, int32_t n, int32_t k,
                       double alpha, const void* a, int32_t a_off, int32_t lda, const void* b, int32_t b_off,
                       int32_t ldb, double beta, void* c, int32_t c_off, int32_t ldc) {
  int32_t st = gemm_check("dt_gemm", dtype, m, n, k, lda, ldb, ldc, trans_a, trans_b, a_off, b_off, c_off);
  if (st != DT_OK || m == 0 || n == 0) return st;
  if (!c || (k > 0 && (!a || !b))) return dt_fail(DT_ERR_ARG, "dt_gemm: null pointer");
  const size_t es = dt_dtype_size(dtype);
  gemm_one(dtype, trans_a != 0, trans_b != 0, m, n, k, alpha, (const char*)a + (size_t)a_off * es, lda,
           (const char*)b + (size_t)b_off * es, ldb, beta, (char*)c + (size_t)c_off * es, ldc, 1);
  return DT_OK;
}

DT_API int32_t dt_gemm_batched(int32_t dtype, int32_t batch, int32_t trans_a, int32_t trans_b, int32_t m, int32_t n,
                               int32_t k, double alpha, const void* a, int32_t a_off, int32_t lda, int32_t stride_a,
                               const void* b, int32_t b_off, int32_t ldb, int32_t stride_b, double beta, void* c,
                               int32_t c_off, int32_t ldc, int32_t stride_c) {
  int32_t st = gemm_check("dt_gemm_batched", dtype, m, n, k, lda, ldb, ldc, trans_a, trans_b, a_off, b_off, c_off);
  if (st != DT_OK) return st;
  DT_CHECK_NONNEG("dt_gemm_batched", "batch", batch);
  DT_CHECK_NONNEG("dt_gemm_batched", "stride_a", stride_a);
  DT_CHECK_NONNEG("dt_gemm_batched", "stride_b", stride_b);
  DT_CHECK_NONNEG("dt_gemm_batched", "stride_c", stride_c);
  if (batch == 0 || m == 0 || n == 0) return DT_OK;
  if (!c || (k > 0 && (!a || !b))) return dt_fail(DT_ERR_ARG, "dt_gemm_batched: null pointer");
  if (stride_c == 0 && batch > 1)
    return dt_fail(DT_ERR_ARG, "dt_gemm_batched: stride_c must be > 0 when batch = %d > 1", (int)batch);
  const size_t es = dt_dtype_size(dtype);
  const char* pa = (const char*)a + (size_t)a_off * es;
  const char* pb = (const char*)b + (size_t)b_off * es;
  char* pc = (char*)c + (size_t)c_off * es;
  const int ta = trans_a != 0, tb = trans_b != 0;
#ifdef DT_HAVE_BLAS
  /* OpenBLAS threads each call internally */
  for (int64_t i = 0; i < batch; i++)
    gemm_one(dtype, ta, tb, m, n, k, alpha, pa + (size_t)(i * stride_a) * es, lda, pb + (size_t)(i * stride_b) * es,
             ldb, beta, pc + (size_t)(i * stride_c) * es, ldc, 1);
#else
  /* many small products: one per thread; otherwise each product uses all threads */
  const int64_t per = (int64_t)m * n * (k > 0 ? k : 1);
  const int small = per < DT_PAR_THRESHOLD;
  const int nt = small ? dt_nthreads_for(per * batch) : 1;
#define GEMM_BATCH_ITEM(i)                                                                                    \
  gemm_one(dtype, ta, tb, m, n, k, alpha, pa + (size_t)((i) * stride_a) * es, lda,                            \
           pb + (size_t)((i) * stride_b) * es, ldb, beta, pc + (size_t)((i) * stride_c) * es, ldc, !small)
  if (nt > 1) {
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t i = 0; i < batch; i++) GEMM_BATCH_ITEM(i);
  } else {
    /* No (inactive) enclosing parallel region: each large product opens the outermost team
     * itself; nested inside one, libgomp built a new team per product (bmm 2x slower on 2
     * threads than on 1). */
    for (int64_t i = 0; i < batch; i++) GEMM_BATCH_ITEM(i);
  }
#undef GEMM_BATCH_ITEM
#endif
  return DT_OK;
}

/* ------------------------------------------------------------------ internal entry points
 * For other kernel families (convolution): see gemm_internal.h. */
void dt_gemm_internal(int32_t dtype, int ta, int tb, int64_t m, int64_t n, int64_t k, double alpha, const void* a,
                      int64_t lda, const void* b, int64_t ldb, double beta, void* c, int64_t ldc, int par) {
  gemm_one(dtype, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, par);
}

int dt_gemm_serial_begin(void) {
#ifdef DT_HAVE_OPENBLAS
  const int prev = openblas_get_num_threads();
  if (prev != 1) openblas_set_num_threads(1);
  return prev;
#else
  return 1;
#endif
}

void dt_gemm_serial_end(int prev) {
#ifdef DT_HAVE_OPENBLAS
  if (prev != 1) openblas_set_num_threads(prev);
#else
  (void)prev;
#endif
}
