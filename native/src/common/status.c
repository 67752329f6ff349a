/*
 * status.c: library state: thread-local error messages, version, thread count, feature flags.
 */
#include <stdarg.h>
#include <stdio.h>

#include "dt_common.h"

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef DT_HAVE_OPENBLAS
void openblas_set_num_threads(int num_threads);
#endif

/* One message buffer per thread: Deno calls from its main thread and from workers. */
static _Thread_local char dt_err_buf[512];

/* 0 means "not chosen yet": resolved lazily to the number of cores. */
static int dt_num_threads_v = 0;

int32_t dt_fail(int32_t status, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dt_err_buf, sizeof dt_err_buf, fmt, ap);
  va_end(ap);
  return status;
}

int dt_threads(void) {
  int t = __atomic_load_n(&dt_num_threads_v, __ATOMIC_RELAXED);
  if (t > 0) return t;
#ifdef _OPENMP
  t = omp_get_num_procs();
#else
  t = 1;
#endif
  if (t < 1) t = 1;
  __atomic_store_n(&dt_num_threads_v, t, __ATOMIC_RELAXED);
  return t;
}

const char* dt_dtype_name(int32_t dtype) {
  static const char* names[DT_DTYPE_COUNT] = {"float32", "float64", "int64", "int32", "uint8", "bool"};
  return dt_dtype_valid(dtype) ? names[dtype] : "invalid";
}

size_t dt_dtype_size(int32_t dtype) {
  static const size_t sizes[DT_DTYPE_COUNT] = {4, 8, 8, 4, 1, 1};
  return dt_dtype_valid(dtype) ? sizes[dtype] : 0;
}

DT_API const char* dt_last_error(void) { return dt_err_buf; }

DT_API int32_t dt_version(void) { return 1; }

DT_API int32_t dt_set_num_threads(int32_t n) {
  if (n < 1) return dt_fail(DT_ERR_ARG, "dt_set_num_threads: thread count must be >= 1, got %d", (int)n);
  __atomic_store_n(&dt_num_threads_v, (int)n, __ATOMIC_RELAXED);
#ifdef _OPENMP
  omp_set_num_threads(n);
#endif
#ifdef DT_HAVE_OPENBLAS
  openblas_set_num_threads(n);
#endif
  return DT_OK;
}

DT_API int32_t dt_get_num_threads(void) { return dt_threads(); }

DT_API int32_t dt_has_blas(void) {
#ifdef DT_HAVE_BLAS
  return 1;
#else
  return 0;
#endif
}

/* CUDA: the build can detect a toolkit (DT_HAVE_CUDA), but no CUDA kernels exist yet, so the
 * library reports 0 unconditionally until they do. */
DT_API int32_t dt_has_cuda(void) { return 0; }
