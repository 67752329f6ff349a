/*
 * dt_common.h: internal helpers shared by every CPU source file of libdenotorch.
 * Not installed, not part of the public API (see include/denotorch.h for that).
 */
#ifndef DT_COMMON_H
#define DT_COMMON_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "denotorch.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Element counts above this run OpenMP-parallel; below it, everything stays on the calling
 * thread so that small tensors pay no fork/join cost (~a few microseconds per region). */
#define DT_PAR_THRESHOLD 32768

/* ------------------------------------------------------------------ errors (status.c) */
/* Formats a message into the calling thread's error buffer and returns `status`. */
int32_t dt_fail(int32_t status, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
/* Thread count chosen by dt_set_num_threads (default: number of cores). */
int dt_threads(void);
/* Name of a dtype for messages ("float32", ...), "invalid" when out of range. */
const char* dt_dtype_name(int32_t dtype);
/* Bytes per element, 0 for an invalid dtype. */
size_t dt_dtype_size(int32_t dtype);
static inline int dt_dtype_valid(int32_t dtype) { return dtype >= 0 && dtype < DT_DTYPE_COUNT; }
static inline int dt_dtype_is_float(int32_t dtype) { return dtype == DT_F32 || dtype == DT_F64; }

/* Number of threads to use for `work` elements: 1 below the threshold. */
static inline int dt_nthreads_for(int64_t work) {
  if (work < DT_PAR_THRESHOLD) return 1;
  int t = dt_threads();
  return t < 1 ? 1 : t;
}

/* `for (int64_t VAR = 0; VAR < N; VAR++) BODY` split statically over `nt` threads (the
 * thread-count variable in scope must be named nt). With nt <= 1 the loop runs without
 * entering OpenMP: an `if (nt > 1)` clause still builds a serialized team in libgomp, about
 * 0.4 us per call (measured), which dominated the kernels on small tensors. */
#define DT_PARALLEL_FOR(VAR, N, ...)                                         \
  do {                                                                       \
    const int64_t dt_pf_n_ = (N);                                            \
    if (nt > 1) {                                                            \
      _Pragma("omp parallel for num_threads(nt) schedule(static)")           \
      for (int64_t VAR = 0; VAR < dt_pf_n_; VAR++) { __VA_ARGS__ }           \
    } else {                                                                 \
      for (int64_t VAR = 0; VAR < dt_pf_n_; VAR++) { __VA_ARGS__ }           \
    }                                                                        \
  } while (0)

/* ------------------------------------------------------------------ dtype X-macros
 * X(enum, C type, short name, is_float, is_bool). One macro body is instantiated per dtype
 * (candle style) instead of copy-pasted functions.
 */
#define DT_FOR_EACH_DTYPE(X)          \
  X(DT_F32, float, f32, 1, 0)         \
  X(DT_F64, double, f64, 1, 0)        \
  X(DT_I64, int64_t, i64, 0, 0)       \
  X(DT_I32, int32_t, i32, 0, 0)       \
  X(DT_U8, uint8_t, u8, 0, 0)         \
  X(DT_BOOL, uint8_t, b8, 0, 1)

#define DT_FOR_EACH_FLOAT_DTYPE(X)    \
  X(DT_F32, float, f32, 1, 0)         \
  X(DT_F64, double, f64, 1, 0)

/* ------------------------------------------------------------------ strided iteration (iter.c)
 * A loop body receives `n` elements along the innermost (coalesced) dimension: ptrs[k] points at
 * operand k's first element and strides[k] is its step in BYTES. It is called once per row.
 */
typedef void (*dt_loop_fn)(int64_t n, char** ptrs, const int64_t* strides, const void* ctx);

#define DT_MAX_OPERANDS 4

/* Runs `fn` over the index space described by `desc` (see denotorch.h) for `nops` operands whose
 * element sizes are `esize[k]`. Validates the descriptor; coalesces dimensions; splits the
 * linear index range over threads above DT_PAR_THRESHOLD. `fname` names the caller in errors. */
int32_t dt_iter_run(const char* fname, int nops, const int32_t* desc, void* const* bases, const size_t* esize,
                    dt_loop_fn fn, const void* ctx);

/* True when every operand's byte stride equals its element size (contiguous row). */
static inline int dt_row_contig(int nops, const int64_t* strides, const size_t* esize) {
  for (int k = 0; k < nops; k++)
    if (strides[k] != (int64_t)esize[k]) return 0;
  return 1;
}

/* Non-negative check for sizes passed as int32. */
#define DT_CHECK_NONNEG(fname, name, v) \
  do { if ((v) < 0) return dt_fail(DT_ERR_ARG, "%s: %s must be >= 0, got %d", fname, name, (int)(v)); } while (0)

#endif
