/*
 * iter.c: the one strided N-d iterator behind every elementwise kernel.
 *
 * Steps: validate the descriptor, drop size-1 dims, merge adjacent dims that are contiguous with
 * respect to each other for every operand (so a contiguous tensor becomes one long row), then
 * walk the outer dims with an odometer and call the loop body once per innermost row. Above
 * DT_PAR_THRESHOLD elements the linear range is split evenly over OpenMP threads; each thread
 * starts its odometer at its own linear offset, so results never depend on the thread count.
 */
#include "dt_common.h"

typedef struct {
  int nd;                                 /* dims after coalescing (>= 1) */
  int nops;
  int64_t shape[DT_MAX_DIMS];
  int64_t stride[DT_MAX_OPERANDS][DT_MAX_DIMS]; /* bytes */
  char* base[DT_MAX_OPERANDS];            /* byte pointer to each operand's offset element */
} dt_iter;

/* Processes linear elements [start, end) of the coalesced index space. */
static void iter_range(const dt_iter* it, int64_t start, int64_t end, dt_loop_fn fn, const void* ctx) {
  const int nd = it->nd, nops = it->nops, last = nd - 1;
  int64_t idx[DT_MAX_DIMS];
  char* ptr[DT_MAX_OPERANDS];
  int64_t inner_stride[DT_MAX_OPERANDS];
  /* unravel `start` into the odometer */
  int64_t rem = start;
  for (int d = last; d >= 0; d--) {
    idx[d] = rem % it->shape[d];
    rem /= it->shape[d];
  }
  for (int k = 0; k < nops; k++) {
    char* p = it->base[k];
    for (int d = 0; d < nd; d++) p += idx[d] * it->stride[k][d];
    ptr[k] = p;
    inner_stride[k] = it->stride[k][last];
  }
  int64_t pos = start;
  while (pos < end) {
    int64_t len = it->shape[last] - idx[last];
    if (len > end - pos) len = end - pos;
    fn(len, ptr, inner_stride, ctx);
    pos += len;
    if (pos >= end) break;
    /* advance: the row finished (idx[last] + len == shape[last]), so rewind to the row start
     * and carry into the outer dims */
    for (int k = 0; k < nops; k++) ptr[k] -= idx[last] * inner_stride[k];
    idx[last] = 0;
    for (int d = last - 1; d >= 0; d--) {
      idx[d]++;
      for (int k = 0; k < nops; k++) ptr[k] += it->stride[k][d];
      if (idx[d] < it->shape[d]) break;
      for (int k = 0; k < nops; k++) ptr[k] -= it->shape[d] * it->stride[k][d];
      idx[d] = 0;
    }
  }
}

int32_t dt_iter_run(const char* fname, int nops, const int32_t* desc, void* const* bases, const size_t* esize,
                    dt_loop_fn fn, const void* ctx) {
  if (!desc) return dt_fail(DT_ERR_ARG, "%s: desc is null", fname);
  const int ndim = desc[0];
  if (ndim < 0 || ndim > DT_MAX_DIMS)
    return dt_fail(DT_ERR_ARG, "%s: ndim %d is out of range [0, %d]", fname, ndim, DT_MAX_DIMS);
  int64_t total = 1;
  for (int d = 0; d < ndim; d++) {
    if (desc[1 + d] < 0) return dt_fail(DT_ERR_ARG, "%s: shape[%d] = %d is negative", fname, d, desc[1 + d]);
    total *= desc[1 + d];
  }
  if (total == 0) return DT_OK;
  for (int k = 0; k < nops; k++)
    if (!bases[k]) return dt_fail(DT_ERR_ARG, "%s: operand %d is a null pointer", fname, k);

  dt_iter it;
  it.nops = nops;
  const int32_t* ops = desc + 1 + ndim; /* per operand: offset, strides[ndim] */
  for (int k = 0; k < nops; k++) {
    const int32_t* od = ops + k * (1 + ndim);
    it.base[k] = (char*)bases[k] + (int64_t)od[0] * (int64_t)esize[k];
  }
  /* copy non-trivial dims (size 1 dims contribute nothing) */
  int nd = 0;
  for (int d = 0; d < ndim; d++) {
    if (desc[1 + d] == 1) continue;
    it.shape[nd] = desc[1 + d];
    for (int k = 0; k < nops; k++) it.stride[k][nd] = (int64_t)ops[k * (1 + ndim) + 1 + d] * (int64_t)esize[k];
    nd++;
  }
  if (nd == 0) { /* a single element */
    it.shape[0] = 1;
    for (int k = 0; k < nops; k++) it.stride[k][0] = (int64_t)esize[k];
    nd = 1;
  }
  /* coalesce: dims d and d+1 merge when stride[d] == stride[d+1] * shape[d+1] for all operands */
  int w = 0;
  for (int d = 1; d < nd; d++) {
    int ok = 1;
    for (int k = 0; k < nops && ok; k++) ok = it.stride[k][w] == it.stride[k][d] * it.shape[d];
    if (ok) {
      it.shape[w] *= it.shape[d];
      for (int k = 0; k < nops; k++) it.stride[k][w] = it.stride[k][d];
    } else {
      w++;
      it.shape[w] = it.shape[d];
      for (int k = 0; k < nops; k++) it.stride[k][w] = it.stride[k][d];
    }
  }
  it.nd = w + 1;

  const int nt = dt_nthreads_for(total);
  if (nt <= 1) {
    iter_range(&it, 0, total, fn, ctx);
    return DT_OK;
  }
#pragma omp parallel num_threads(nt)
  {
#ifdef _OPENMP
    const int tid = omp_get_thread_num(), cnt = omp_get_num_threads();
#else
    const int tid = 0, cnt = 1;
#endif
    const int64_t chunk = (total + cnt - 1) / cnt;
    int64_t s = (int64_t)tid * chunk, e = s + chunk;
    if (e > total) e = total;
    if (s < e) iter_range(&it, s, e, fn, ctx);
  }
  return DT_OK;
}
