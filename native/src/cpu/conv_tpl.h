/*
 * conv_tpl.h: rank-generic convolution kernels for one float dtype. Included once per dtype by
 * conv.c with T the element type, S its suffix (f32, f64) and DTC its dt_dtype code.
 * No include guard on purpose.
 *
 * Every kernel sees the convolution from x-space (Cx channels, sizes `in`) to y-space (Cy
 * channels, sizes `out`) with weight [Cy, Cx / G, k...] (see conv_geom in conv.c):
 *   fwd  y = W * x (+ b)                       conv forward, convT backward of the input
 *   tr   x = W^T * y (+ b)                     conv backward of the input, convT forward
 *   wgt  gw = sum_n y[n] * col(x[n])^T         the weight gradient of both
 * One sample at a time goes through im2col / col2im and a GEMM per group.
 */

#define RN(name) DT_CAT(name, DT_CAT(_, S))

/* Rows (c - c0) * K + kk of col (Lout columns each) from channels [c0, c1) of one sample x.
 * When `add` is set, the direction is reversed (col2im): x[c, ...] += col rows. */
static void RN(im2col)(const conv_geom* g, T* x, int64_t c0, int64_t c1, T* col, int add) {
  if (g->Lout == 0) return;
  const int last = g->rank - 1;
  const int64_t Ol = g->out[last], Il = g->in[last], sl = g->s[last];
  const int64_t outer = g->Lout / Ol;
  int64_t kidx[DT_CONV_MAX_RANK];
  for (int64_t c = c0; c < c1; c++) {
    T* src = x + c * g->Lin;
    for (int64_t kk = 0; kk < g->K; kk++) {
      conv_unravel(kk, g->k, g->rank, kidx);
      T* dst = col + ((c - c0) * g->K + kk) * g->Lout;
      const int64_t off = kidx[last] * g->d[last] - g->p[last];
      int64_t lo, hi;
      conv_valid_range(off, sl, Il, Ol, &lo, &hi);
      for (int64_t o = 0; o < outer; o++) {
        T* drow = dst + o * Ol;
        int64_t base;
        if (!conv_outer_base(g, o, kidx, &base)) {
          if (!add) memset(drow, 0, sizeof(T) * (size_t)Ol);
          continue;
        }
        T* srow = src + base * Il + off;
        if (add) {
          for (int64_t j = lo; j < hi; j++) srow[j * sl] += drow[j];
        } else {
          for (int64_t j = 0; j < lo; j++) drow[j] = 0;
          if (sl == 1)
            memcpy(drow + lo, srow + lo, sizeof(T) * (size_t)(hi - lo));
          else
            for (int64_t j = lo; j < hi; j++) drow[j] = srow[j * sl];
          for (int64_t j = hi; j < Ol; j++) drow[j] = 0;
        }
      }
    }
  }
}

/* im2col (add = 0) or col2im (add = 1) of one whole sample, channels shared out over threads
 * when `par` (channels never share input positions, so col2im has no write conflicts). With
 * OpenBLAS this stays on one thread: an OpenMP region between two threaded BLAS calls makes the
 * two thread pools fight over the cores (measured 5-9x slower on a loaded 2-core machine). */
static void RN(im2col_all)(const conv_geom* g, T* x, T* col, int add, int par) {
#ifdef DT_HAVE_BLAS
  const int nt = 1;
  (void)par;
#else
  const int nt = par ? dt_nthreads_for(g->Cx * g->K * g->Lout) : 1;
#endif
  const int64_t rows = g->K * g->Lout;
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
  for (int64_t c = 0; c < g->Cx; c++) RN(im2col)(g, x, c, c + 1, col + c * rows, add);
}

/* y[n] = W * x[n] (+ b). col is scratch, NULL for pointwise geometries. */
static void RN(fwd_sample)(const conv_geom* g, const T* xn, const T* w, const T* b, T* yn, T* col, int par) {
  const int64_t Cxg = g->Cx / g->G, Cyg = g->Cy / g->G, KK = Cxg * g->K, L = g->Lout;
  const T* src = xn;
  if (col) {
    RN(im2col_all)(g, (T*)xn, col, 0, par);
    src = col;
  }
  double beta = 0;
  if (b) {
    for (int64_t c = 0; c < g->Cy; c++) {
      T* row = yn + c * L;
      const T v = b[c];
      for (int64_t j = 0; j < L; j++) row[j] = v;
    }
    beta = 1;
  }
  for (int64_t gi = 0; gi < g->G; gi++)
    dt_gemm_internal(DTC, 0, 0, Cyg, L, KK, 1.0, w + gi * Cyg * KK, KK, src + gi * KK * L, L, beta,
                     yn + gi * Cyg * L, L, par);
}

/* x[n] = W^T * y[n] (+ b). */
static void RN(tr_sample)(const conv_geom* g, const T* yn, const T* w, const T* b, T* xn, T* col, int par) {
  const int64_t Cxg = g->Cx / g->G, Cyg = g->Cy / g->G, KK = Cxg * g->K, L = g->Lout;
  if (!col) {
    for (int64_t gi = 0; gi < g->G; gi++)
      dt_gemm_internal(DTC, 1, 0, Cxg, L, Cyg, 1.0, w + gi * Cyg * Cxg, Cxg, yn + gi * Cyg * L, L, 0.0,
                       xn + gi * Cxg * L, L, par);
  } else {
    for (int64_t gi = 0; gi < g->G; gi++)
      dt_gemm_internal(DTC, 1, 0, KK, L, Cyg, 1.0, w + gi * Cyg * KK, KK, yn + gi * Cyg * L, L, 0.0,
                       col + gi * KK * L, L, par);
    memset(xn, 0, sizeof(T) * (size_t)(g->Cx * g->Lin));
    RN(im2col_all)(g, xn, col, 1, par);
  }
  if (b) {
    for (int64_t c = 0; c < g->Cx; c++) {
      T* row = xn + c * g->Lin;
      const T v = b[c];
      for (int64_t j = 0; j < g->Lin; j++) row[j] += v;
    }
  }
}

/* gw = y[n] * col(x[n])^T + beta * gw. */
static void RN(wgt_sample)(const conv_geom* g, const T* xn, const T* yn, T* gw, double beta, T* col, int par) {
  const int64_t Cxg = g->Cx / g->G, Cyg = g->Cy / g->G, KK = Cxg * g->K, L = g->Lout;
  const T* src = xn;
  if (col) {
    RN(im2col_all)(g, (T*)xn, col, 0, par);
    src = col;
  }
  for (int64_t gi = 0; gi < g->G; gi++)
    dt_gemm_internal(DTC, 0, 1, Cyg, KK, L, 1.0, yn + gi * Cyg * L, L, src + gi * KK * L, L, beta,
                     gw + gi * Cyg * KK, KK, par);
}

/* One of the three kernels over the batch. FWD: a = x, b = w, out = y. TR: a = y, b = w,
 * out = x. WGT: a = x, b = y, out = gw. */
static int32_t RN(conv_run)(int kind, const conv_geom* g, const T* a, const T* b, const T* bias, T* out) {
  const int64_t colsz = g->pointwise ? 0 : g->Cx * g->K * g->Lout;
  const int64_t xs = g->Cx * g->Lin, ys = g->Cy * g->Lout, wsz = g->Cy * (g->Cx / g->G) * g->K;
  const int64_t N = g->N;
  const int nt = conv_batch_threads(g);
  if (nt <= 1) {
    const int par = conv_work(g) >= DT_PAR_THRESHOLD;
    T* col = colsz ? (T*)malloc(sizeof(T) * (size_t)colsz) : NULL;
    if (colsz && !col) return dt_fail(DT_ERR_MEMORY, "conv: cannot allocate %lld bytes of scratch", (long long)(sizeof(T) * colsz));
    if (kind == CONV_WGT && N == 0) memset(out, 0, sizeof(T) * (size_t)wsz);
    for (int64_t n = 0; n < N; n++) {
      if (kind == CONV_FWD) RN(fwd_sample)(g, a + n * xs, b, bias, out + n * ys, col, par);
      else if (kind == CONV_TR) RN(tr_sample)(g, a + n * ys, b, bias, out + n * xs, col, par);
      else RN(wgt_sample)(g, a + n * xs, b + n * ys, out, n == 0 ? 0.0 : 1.0, col, par);
    }
    free(col);
    return DT_OK;
  }
  /* batch-parallel: one sample per thread at a time, each GEMM single-threaded; the weight
   * gradient accumulates per thread (thread 0 straight into out) and is summed at the end */
  T** partial = (T**)calloc((size_t)nt, sizeof(T*));
  if (!partial) return dt_fail(DT_ERR_MEMORY, "conv: out of memory");
  int failed = 0;
  const int prev = dt_gemm_serial_begin();
#pragma omp parallel num_threads(nt)
  {
    const int tid = dt_omp_tid();
    T* col = colsz ? (T*)malloc(sizeof(T) * (size_t)colsz) : NULL;
    T* acc = NULL;
    if (kind == CONV_WGT) acc = tid == 0 ? out : (T*)malloc(sizeof(T) * (size_t)wsz);
    const int ok = (!colsz || col) && (kind != CONV_WGT || acc);
    if (!ok) {
#pragma omp atomic write
      failed = 1;
    }
    int first = 1;
    /* samples are independent except in the weight gradient, whose per-thread partial sums keep
     * a fixed sample-to-thread split (static) so that its rounding never depends on timing; the
     * others are handed out dynamically, which matters when the cores are shared */
    if (kind == CONV_WGT) {
#pragma omp for schedule(static)
      for (int64_t n = 0; n < N; n++) {
        if (!ok) continue;
        RN(wgt_sample)(g, a + n * xs, b + n * ys, acc, first ? 0.0 : 1.0, col, 0);
        first = 0;
      }
    } else {
#pragma omp for schedule(dynamic, 1)
      for (int64_t n = 0; n < N; n++) {
        if (!ok) continue;
        if (kind == CONV_FWD) RN(fwd_sample)(g, a + n * xs, b, bias, out + n * ys, col, 0);
        else RN(tr_sample)(g, a + n * ys, b, bias, out + n * xs, col, 0);
      }
    }
    if (kind == CONV_WGT && acc) {
      if (first) memset(acc, 0, sizeof(T) * (size_t)wsz);
      partial[tid] = acc;
    }
    free(col);
  }
  dt_gemm_serial_end(prev);
  if (kind == CONV_WGT) {
    for (int t = 1; t < nt; t++) {
      if (!partial[t]) continue;
      if (!failed)
        for (int64_t i = 0; i < wsz; i++) out[i] += partial[t][i];
      free(partial[t]);
    }
  }
  free(partial);
  if (failed) return dt_fail(DT_ERR_MEMORY, "conv: cannot allocate per-thread scratch");
  return DT_OK;
}

/* gb[c] = sum over n and positions of y[n, c, :] (accumulated in double). */
static void RN(bias_grad)(int64_t N, int64_t C, int64_t L, const T* y, T* gb) {
  const int nt = dt_nthreads_for(N * C * L);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
  for (int64_t c = 0; c < C; c++) {
    double s = 0;
    for (int64_t n = 0; n < N; n++) {
      const T* row = y + (n * C + c) * L;
      double r0 = 0, r1 = 0, r2 = 0, r3 = 0; /* independent chains: not latency-bound */
      int64_t j = 0;
      for (; j + 4 <= L; j += 4) {
        r0 += row[j];
        r1 += row[j + 1];
        r2 += row[j + 2];
        r3 += row[j + 3];
      }
      for (; j < L; j++) r0 += row[j];
      s += (r0 + r1) + (r2 + r3);
    }
    gb[c] = (T)s;
  }
}

#undef RN
