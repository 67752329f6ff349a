/*
 * gemm_internal.h: the GEMM of gemm.c for other kernel files (not part of the public API).
 */
#ifndef DT_GEMM_INTERNAL_H
#define DT_GEMM_INTERNAL_H

#include <stdint.h>

/* Row-major C = alpha * op(A) @ op(B) + beta * C on pointers to element 0 of each matrix; the
 * arguments are trusted (callers validate). `par` lets the built-in GEMM use OpenMP; OpenBLAS
 * threads by its own count (see dt_gemm_serial_begin). */
void dt_gemm_internal(int32_t dtype, int ta, int tb, int64_t m, int64_t n, int64_t k, double alpha, const void* a,
                      int64_t lda, const void* b, int64_t ldb, double beta, void* c, int64_t ldc, int par);

/* Makes BLAS calls single-threaded, for callers that run GEMMs inside their own OpenMP region
 * (one product per thread). Returns the previous BLAS thread count for dt_gemm_serial_end. */
int dt_gemm_serial_begin(void);
void dt_gemm_serial_end(int prev);

#endif
