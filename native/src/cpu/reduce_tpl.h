/*
 * reduce_tpl.h: reduction kernels for one dtype. Included once per dtype by reduce.c with
 *   T   the element type, S its suffix (f32, ...), F 1 for floating point,
 *   ACC the accumulator type for SUM/PROD (double for floats, int64_t for integers).
 * No include guard on purpose.
 *
 * Layout: the input is [outer, n, inner]. Work is split into tasks (o, column block of up to
 * DT_RED_COLS inner positions); within a task the j loop runs over rows and the c loop over the
 * block's columns, so memory is read contiguously and the c loop vectorizes. inner == 1 is the
 * common "reduce the last dim" case: then SUM/MEAN use an 8-way split accumulator over fixed
 * chunks (same result for any thread count).
 */

#define RN(name) DT_CAT(name, DT_CAT(_, S))

/* Sum of x[0..n) in ACC with a fixed chunking (DT_RED_CHUNK) and 8 partial sums per chunk, so
 * the order of operations never depends on the number of threads. */
static ACC RN(sum_chunk)(const T* x, int64_t n) {
  ACC s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; k++) s[k] += (ACC)x[i + k];
  for (; i < n; i++) s[0] += (ACC)x[i];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}
static ACC RN(sum_contig)(const T* x, int64_t n, int nt) {
  const int64_t nchunks = (n + DT_RED_CHUNK - 1) / DT_RED_CHUNK;
  if (nchunks <= 1) return RN(sum_chunk)(x, n);
  ACC total = 0;
  if (nt <= 1) {
    for (int64_t c = 0; c < nchunks; c++) {
      int64_t s0 = c * DT_RED_CHUNK, len = n - s0 < DT_RED_CHUNK ? n - s0 : DT_RED_CHUNK;
      total += RN(sum_chunk)(x + s0, len);
    }
    return total;
  }
  ACC* part = (ACC*)malloc((size_t)nchunks * sizeof(ACC));
  if (!part) { /* fall back to the serial order (identical result) */
    return RN(sum_contig)(x, n, 1);
  }
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int64_t c = 0; c < nchunks; c++) {
    int64_t s0 = c * DT_RED_CHUNK, len = n - s0 < DT_RED_CHUNK ? n - s0 : DT_RED_CHUNK;
    part[c] = RN(sum_chunk)(x + s0, len);
  }
  for (int64_t c = 0; c < nchunks; c++) total += part[c];
  free(part);
  return total;
}

/* One task: output positions (o, i0 .. i0+cw). `base` points at in[o, 0, i0]. */
/* The extreme of each of the cw columns of base over n rows (row stride inner), and its row:
 * the first row initializes; a NaN wins and sticks; strict comparison keeps the first extreme. */
static inline void RN(best_cols)(int is_min, int64_t n, int64_t inner, int64_t cw, const T* base, T* best,
                                 int64_t* bi) {
  for (int64_t c = 0; c < cw; c++) { best[c] = base[c]; bi[c] = 0; }
  for (int64_t j = 1; j < n; j++) {
    const T* row = base + j * inner;
    for (int64_t c = 0; c < cw; c++) {
      const T v = row[c];
      if (DT_CAT(dt_isnan_, S)(best[c])) continue;
      if (DT_CAT(dt_isnan_, S)(v) || (is_min ? v < best[c] : v > best[c])) { best[c] = v; bi[c] = j; }
    }
  }
}

static void RN(red_task)(int op, int64_t n, int64_t inner, const T* base, int64_t cw, void* outp, double p0,
                         int nt_inner) {
  T* out = (T*)outp;
  uint8_t* outb = (uint8_t*)outp;
  int64_t* outi = (int64_t*)outp;
#define ROWS_COLS(body)                                                  \
  for (int64_t j = 0; j < n; j++) {                                      \
    const T* row = base + j * inner;                                     \
    for (int64_t c = 0; c < cw; c++) { const T v = row[c]; body }        \
  }
  switch (op) {
    case DT_RED_SUM:
    case DT_RED_MEAN: {
      ACC acc[DT_RED_COLS];
      if (inner == 1) {
        acc[0] = RN(sum_contig)(base, n, nt_inner);
      } else {
        for (int64_t c = 0; c < cw; c++) acc[c] = 0;
        ROWS_COLS(acc[c] += (ACC)v;)
      }
      for (int64_t c = 0; c < cw; c++)
        out[c] = op == DT_RED_SUM ? (T)acc[c] : (T)((double)acc[c] / (double)n); /* n == 0: 0/0 = NaN */
      break;
    }
    case DT_RED_PROD: {
      ACC acc[DT_RED_COLS];
      for (int64_t c = 0; c < cw; c++) acc[c] = 1;
      ROWS_COLS(acc[c] *= (ACC)v;)
      for (int64_t c = 0; c < cw; c++) out[c] = (T)acc[c];
      break;
    }
    case DT_RED_MAX:
    case DT_RED_MIN:
    case DT_RED_ARGMAX:
    case DT_RED_ARGMIN: {
      const int is_min = op == DT_RED_MIN || op == DT_RED_ARGMIN;
      T best[DT_RED_COLS];
      int64_t bi[DT_RED_COLS];
      RN(best_cols)(is_min, n, inner, cw, base, best, bi);
      if (op == DT_RED_MAX || op == DT_RED_MIN)
        for (int64_t c = 0; c < cw; c++) out[c] = best[c];
      else
        for (int64_t c = 0; c < cw; c++) outi[c] = bi[c];
      break;
    }
    case DT_RED_ANY:
    case DT_RED_ALL: {
      uint8_t acc[DT_RED_COLS];
      const int is_any = op == DT_RED_ANY;
      for (int64_t c = 0; c < cw; c++) acc[c] = is_any ? 0 : 1;
      if (is_any) { ROWS_COLS(acc[c] |= (v != 0);) }
      else { ROWS_COLS(acc[c] &= (v != 0);) }
      for (int64_t c = 0; c < cw; c++) outb[c] = acc[c];
      break;
    }
    case DT_RED_NORM: {
      double acc[DT_RED_COLS];
      const double p = p0;
      if (isinf(p)) { /* max|x| or min|x|, NaN propagates */
        for (int64_t c = 0; c < cw; c++) acc[c] = p > 0 ? 0.0 : INFINITY;
        ROWS_COLS({
          const double a = fabs((double)v);
          if (!isnan(acc[c]) && (isnan(a) || (p > 0 ? a > acc[c] : a < acc[c]))) acc[c] = a;
        })
      } else if (p == 0) {
        for (int64_t c = 0; c < cw; c++) acc[c] = 0;
        ROWS_COLS(acc[c] += (v != 0);)
      } else if (p == 1) {
        for (int64_t c = 0; c < cw; c++) acc[c] = 0;
        ROWS_COLS(acc[c] += fabs((double)v);)
      } else if (p == 2) {
        for (int64_t c = 0; c < cw; c++) acc[c] = 0;
        ROWS_COLS(acc[c] += (double)v * (double)v;)
        for (int64_t c = 0; c < cw; c++) acc[c] = sqrt(acc[c]);
      } else {
        for (int64_t c = 0; c < cw; c++) acc[c] = 0;
        ROWS_COLS(acc[c] += pow(fabs((double)v), p);)
        for (int64_t c = 0; c < cw; c++) acc[c] = pow(acc[c], 1.0 / p);
      }
      for (int64_t c = 0; c < cw; c++) out[c] = (T)acc[c];
      break;
    }
    case DT_RED_VAR: {
      /* two passes in double: mean, then sum of squared deviations */
      double mean[DT_RED_COLS], acc[DT_RED_COLS];
      for (int64_t c = 0; c < cw; c++) mean[c] = acc[c] = 0;
      ROWS_COLS(mean[c] += (double)v;)
      for (int64_t c = 0; c < cw; c++) mean[c] /= (double)n;
      ROWS_COLS({ const double d = (double)v - mean[c]; acc[c] += d * d; })
      double div = (double)n - p0;
      if (div < 0) div = 0; /* as PyTorch: max(0, n - correction) */
      for (int64_t c = 0; c < cw; c++) out[c] = (T)(acc[c] / div);
      break;
    }
    case DT_RED_LOGSUMEXP: {
      double m[DT_RED_COLS], acc[DT_RED_COLS];
      for (int64_t c = 0; c < cw; c++) { m[c] = -INFINITY; acc[c] = 0; }
      ROWS_COLS({
        const double d = (double)v;
        if (!isnan(m[c]) && (isnan(d) || d > m[c])) m[c] = d;
      })
      ROWS_COLS(if (isfinite(m[c])) acc[c] += exp((double)v - m[c]);)
      /* all -inf -> -inf; any +inf -> +inf; NaN -> NaN; n == 0 -> -inf */
      for (int64_t c = 0; c < cw; c++) out[c] = (T)(isfinite(m[c]) ? m[c] + log(acc[c]) : m[c]);
      break;
    }
    default:
      break;
  }
#undef ROWS_COLS
}

static void RN(reduce)(int op, int64_t outer, int64_t n, int64_t inner, const T* in, void* out, double p0) {
  const int64_t cols = inner < DT_RED_COLS ? inner : DT_RED_COLS;
  const int64_t nblk = (inner + cols - 1) / cols;
  const int64_t ntasks = outer * nblk;
  const size_t osz = (op == DT_RED_ARGMAX || op == DT_RED_ARGMIN) ? 8
                     : (op == DT_RED_ANY || op == DT_RED_ALL)      ? 1
                                                                   : sizeof(T);
  const int nt = dt_nthreads_for(outer * n * inner);
  /* too few tasks to share: let a single contiguous sum split its chunks instead */
  const int nt_inner = (inner == 1 && ntasks < nt) ? nt : 1;
  const int nt_outer = nt_inner > 1 ? 1 : nt;
#define RED_TASK_BODY                                                        \
  const int64_t o = t / nblk, b = t % nblk;                                  \
  const int64_t i0 = b * cols;                                               \
  const int64_t cw = inner - i0 < cols ? inner - i0 : cols;                  \
  const T* base = in + o * n * inner + i0;                                   \
  char* op_out = (char*)out + (size_t)(o * inner + i0) * osz;                \
  RN(red_task)(op, n, inner, base, cw, op_out, p0, nt_inner);
  if (nt_outer <= 1) {
    /* No enclosing (inactive) parallel region here: a contiguous sum that splits its chunks
     * over threads must open the outermost team, or libgomp builds a fresh nested team on
     * every call (measured 8x slower than one thread for a 1 MB mean). */
    for (int64_t t = 0; t < ntasks; t++) { RED_TASK_BODY }
  } else {
#pragma omp parallel for num_threads(nt_outer) schedule(static)
    for (int64_t t = 0; t < ntasks; t++) { RED_TASK_BODY }
  }
#undef RED_TASK_BODY
}

/* values + indices together (dt_reduce_maxmin) */
static void RN(maxmin)(int is_min, int64_t outer, int64_t n, int64_t inner, const T* in, T* values,
                       int64_t* indices) {
  const int64_t cols = inner < DT_RED_COLS ? inner : DT_RED_COLS;
  const int64_t nblk = (inner + cols - 1) / cols;
  const int64_t ntasks = outer * nblk;
  const int nt = dt_nthreads_for(outer * n * inner);
  DT_PARALLEL_FOR(t, ntasks, {
    const int64_t o = t / nblk, b = t % nblk;
    const int64_t i0 = b * cols;
    const int64_t cw = inner - i0 < cols ? inner - i0 : cols;
    const T* base = in + o * n * inner + i0;
    T best[DT_RED_COLS];
    int64_t bi[DT_RED_COLS];
    RN(best_cols)(is_min, n, inner, cw, base, best, bi);
    for (int64_t c = 0; c < cw; c++) {
      values[o * inner + i0 + c] = best[c];
      indices[o * inner + i0 + c] = bi[c];
    }
  });
}

#undef RN
