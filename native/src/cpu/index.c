/*
 * index.c: dt_index_select, dt_index_add, dt_gather, dt_scatter.
 *
 * Every call first scans all indices (0 <= idx < n) and returns DT_ERR_INDEX naming the first
 * bad one before touching the output. Copies move raw elements (dtype-agnostic, by size);
 * accumulating variants do per-dtype arithmetic. Accumulation is deterministic: threads split
 * the (outer, inner) positions, and each position is accumulated in index order by one thread.
 */
#include "dt_common.h"
#include "scalar_ops.h"

/* Returns the position of the first out-of-range index, or -1 when all are valid. */
static int64_t first_bad_index(const int64_t* idx, int64_t count, int64_t n) {
  int64_t bad = -1;
  for (int64_t i = 0; i < count; i++)
    if ((uint64_t)idx[i] >= (uint64_t)n) { bad = i; break; } /* negative wraps to huge */
  return bad;
}

static int32_t check_common(const char* fn, int32_t dtype, int32_t outer, int32_t n_a, int32_t n_b, int32_t inner) {
  if (!dt_dtype_valid(dtype)) return dt_fail(DT_ERR_DTYPE, "%s: invalid dtype %d", fn, (int)dtype);
  DT_CHECK_NONNEG(fn, "outer", outer);
  DT_CHECK_NONNEG(fn, "n_src/n_out", n_a);
  DT_CHECK_NONNEG(fn, "n_idx", n_b);
  DT_CHECK_NONNEG(fn, "inner", inner);
  return DT_OK;
}

static int32_t check_indices(const char* fn, const int64_t* idx, int64_t count, int64_t n) {
  if (count > 0 && !idx) return dt_fail(DT_ERR_ARG, "%s: idx is a null pointer", fn);
  int64_t bad = first_bad_index(idx, count, n);
  if (bad >= 0)
    return dt_fail(DT_ERR_INDEX, "%s: index %lld is out of range for dimension of size %lld", fn,
                   (long long)idx[bad], (long long)n);
  return DT_OK;
}

/* ------------------------------------------------------------------ index_select */
DT_API int32_t dt_index_select(int32_t dtype, int32_t outer, int32_t n_src, int32_t n_idx, int32_t inner,
                               const void* src, const int64_t* idx, void* out) {
  static const char* fn = "dt_index_select";
  int32_t st = check_common(fn, dtype, outer, n_src, n_idx, inner);
  if (st != DT_OK) return st;
  if ((st = check_indices(fn, idx, n_idx, n_src)) != DT_OK) return st;
  const int64_t rows = (int64_t)outer * n_idx;
  if (rows == 0 || inner == 0) return DT_OK;
  if (!src || !out) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  const size_t es = dt_dtype_size(dtype), rb = (size_t)inner * es;
  const int nt = dt_nthreads_for(rows * inner);
  DT_PARALLEL_FOR(r, rows, {
    const int64_t o = r / n_idx, j = r % n_idx;
    memcpy((char*)out + (size_t)r * rb, (const char*)src + (size_t)(o * n_src + idx[j]) * rb, rb);
  });
  return DT_OK;
}

/* ------------------------------------------------------------------ gather */
DT_API int32_t dt_gather(int32_t dtype, int32_t outer, int32_t n_src, int32_t n_idx, int32_t inner,
                         const void* src, const int64_t* idx, void* out) {
  static const char* fn = "dt_gather";
  int32_t st = check_common(fn, dtype, outer, n_src, n_idx, inner);
  if (st != DT_OK) return st;
  const int64_t total = (int64_t)outer * n_idx * inner;
  if ((st = check_indices(fn, idx, total, n_src)) != DT_OK) return st;
  if (total == 0) return DT_OK;
  if (!src || !out) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  const size_t es = dt_dtype_size(dtype);
  const int64_t blk = (int64_t)n_idx * inner;
  const int nt = dt_nthreads_for(total);
#define GATHER_LOOP(UT)                                                                    \
  DT_PARALLEL_FOR(t, total, {                                                              \
    const int64_t o = t / blk, i = t % inner;                                              \
    ((UT*)out)[t] = ((const UT*)src)[(o * n_src + idx[t]) * inner + i];                    \
  });
  if (es == 1) { GATHER_LOOP(uint8_t) }
  else if (es == 4) { GATHER_LOOP(uint32_t) }
  else { GATHER_LOOP(uint64_t) }
#undef GATHER_LOOP
  return DT_OK;
}

/* Width of the inner-column blocks that accumulating kernels hand to threads: whole rows when
 * `outer` alone gives every thread work, else split the columns (at least 64 per block so
 * threads do not share cache lines much). */
static int64_t idx_col_block(int64_t inner, int64_t outer, int nt) {
  if (nt <= 1 || outer >= nt || inner <= 64) return inner > 0 ? inner : 1;
  int64_t per = (inner * outer + nt - 1) / nt;
  per = per < 64 ? 64 : per;
  return per < inner ? per : inner;
}

/* ------------------------------------------------------------------ accumulating kernels
 * dt_acc: dst + v for numbers, dst | v for bool (scalar_ops.h). */
#define DEF_ACC(E, T, S, F, B)                                                               \
  /* tasks are (o, block of inner columns); each task walks j in index order, so every output \
   * element is accumulated by exactly one thread in a fixed order: deterministic */        \
  static void index_add_##S(int64_t outer, int64_t n_out, int64_t n_idx, int64_t inner, const T* src, \
                            const int64_t* idx, T* out, int nt) {                            \
    const int64_t cb = idx_col_block(inner, outer, nt), nb = (inner + cb - 1) / cb;          \
    DT_PARALLEL_FOR(t, outer * nb, {                                                         \
      const int64_t o = t / nb, i0 = (t % nb) * cb, i1 = i0 + cb < inner ? i0 + cb : inner;  \
      for (int64_t j = 0; j < n_idx; j++) {                                                  \
        T* dst = out + (o * n_out + idx[j]) * inner;                                         \
        const T* s = src + (o * n_idx + j) * inner;                                          \
        for (int64_t i = i0; i < i1; i++) dst[i] = dt_acc_##S(dst[i], s[i]);                 \
      }                                                                                      \
    });                                                                                      \
  }                                                                                          \
  /* scatter: output column (o, i) only receives from source column (o, i), so the same task \
   * split applies; duplicates resolve in j order (the last write wins) */                  \
  static void scatter_##S(int acc, int64_t outer, int64_t n_out, int64_t n_idx, int64_t inner, const T* src, \
                          const int64_t* idx, T* out, int nt) {                              \
    const int64_t cb = idx_col_block(inner, outer, nt), nb = (inner + cb - 1) / cb;          \
    DT_PARALLEL_FOR(t, outer * nb, {                                                         \
      const int64_t o = t / nb, i0 = (t % nb) * cb, i1 = i0 + cb < inner ? i0 + cb : inner;  \
      for (int64_t j = 0; j < n_idx; j++) {                                                  \
        const int64_t base = (o * n_idx + j) * inner;                                        \
        for (int64_t i = i0; i < i1; i++) {                                                  \
          T* dst = out + (o * n_out + idx[base + i]) * inner + i;                            \
          const T v = src[base + i];                                                         \
          *dst = acc ? dt_acc_##S(*dst, v) : v;                                              \
        }                                                                                    \
      }                                                                                      \
    });                                                                                      \
  }
DT_FOR_EACH_DTYPE(DEF_ACC)

DT_API int32_t dt_index_add(int32_t dtype, int32_t outer, int32_t n_out, int32_t n_idx, int32_t inner,
                            const void* src, const int64_t* idx, void* out) {
  static const char* fn = "dt_index_add";
  int32_t st = check_common(fn, dtype, outer, n_out, n_idx, inner);
  if (st != DT_OK) return st;
  if ((st = check_indices(fn, idx, n_idx, n_out)) != DT_OK) return st;
  if ((int64_t)outer * n_idx * inner == 0) return DT_OK;
  if (!src || !out) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  const int nt = dt_nthreads_for((int64_t)outer * n_idx * inner);
#define CASE_ADD(E, T, S, F, B) \
  case E: index_add_##S(outer, n_out, n_idx, inner, (const T*)src, idx, (T*)out, nt); break;
  switch (dtype) { DT_FOR_EACH_DTYPE(CASE_ADD) default: break; }
#undef CASE_ADD
  return DT_OK;
}

DT_API int32_t dt_scatter(int32_t dtype, int32_t accumulate, int32_t outer, int32_t n_out, int32_t n_idx,
                          int32_t inner, const void* src, const int64_t* idx, void* out) {
  static const char* fn = "dt_scatter";
  int32_t st = check_common(fn, dtype, outer, n_out, n_idx, inner);
  if (st != DT_OK) return st;
  const int64_t total = (int64_t)outer * n_idx * inner;
  if ((st = check_indices(fn, idx, total, n_out)) != DT_OK) return st;
  if (total == 0) return DT_OK;
  if (!src || !out) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  const int nt = dt_nthreads_for(total);
#define CASE_SC(E, T, S, F, B) \
  case E: scatter_##S(accumulate != 0, outer, n_out, n_idx, inner, (const T*)src, idx, (T*)out, nt); break;
  switch (dtype) { DT_FOR_EACH_DTYPE(CASE_SC) default: break; }
#undef CASE_SC
  return DT_OK;
}
