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

/* Copies `n` consecutive rows from a contiguous source run (rows of `Ol` == the input's last
 * size, stride 1): one copy of the whole span, then the out-of-range columns [0, lo) and
 * [hi, Ol) of each row, which that copy filled from the neighbouring rows, are zeroed. */
static inline void RN(copy_run)(T* restrict d, const T* restrict s, int64_t n, int64_t Ol, int64_t lo, int64_t hi) {
  if (n == 0) return;
  const int64_t len = (n - 1) * Ol + (hi - lo);
  memcpy(d + lo, s + lo, sizeof(T) * (size_t)len);
  if (lo == 0 && hi == Ol) return;
  for (int64_t r = 0; r < n; r++, d += Ol) {
    for (int64_t j = 0; j < lo; j++) d[j] = 0;
    for (int64_t j = hi; j < Ol; j++) d[j] = 0;
  }
}

/* One row: dst[j] = src[j * sl] for j in [lo, hi), zeros elsewhere; or, `add`, the reverse
 * accumulation src[j * sl] += dst[j] over [lo, hi). */
static inline void RN(im2col_row)(T* restrict drow, T* restrict srow, int64_t Ol, int64_t sl, int64_t lo, int64_t hi,
                                  int add) {
  if (add) {
    if (sl == 1)
      for (int64_t j = lo; j < hi; j++) srow[j] += drow[j];
    else
      for (int64_t j = lo; j < hi; j++) srow[j * sl] += drow[j];
    return;
  }
  for (int64_t j = 0; j < lo; j++) drow[j] = 0;
  if (sl == 1)
    for (int64_t j = lo; j < hi; j++) drow[j] = srow[j];
  else
    for (int64_t j = lo; j < hi; j++) drow[j] = srow[j * sl];
  for (int64_t j = hi; j < Ol; j++) drow[j] = 0;
}

/* Rows (c - c0) * K + kk of col (Lout columns each) from channels [c0, c1) of one sample x.
 * When `add` is set, the direction is reversed (col2im): x[c, ...] += col rows.
 * Each (channel, kernel offset) block is a stack of planes over the output's last two dims:
 * the valid rows of a plane form one range, and when the last two dims have stride 1 and the
 * last keeps its size (3x3 "same" convolutions) that range is one contiguous input span,
 * copied at once (copy_run). Per-row bookkeeping dominated small images (8-wide rows). */
static void RN(im2col)(const conv_geom* g, T* x, int64_t c0, int64_t c1, T* col, int add) {
  if (g->Lout == 0) return;
  const int last = g->rank - 1, rd = last - 1; /* rd: the row dim, -1 for 1-d */
  const int64_t Ol = g->out[last], Il = g->in[last], sl = g->s[last];
  const int64_t Or = rd >= 0 ? g->out[rd] : 1, Ir = rd >= 0 ? g->in[rd] : 1, sr = rd >= 0 ? g->s[rd] : 1;
  const int64_t planes = g->Lout / (Ol * Or);
  const int merge = !add && sl == 1 && Ol == Il && sr == 1;
  for (int64_t c = c0; c < c1; c++) {
    T* src = x + c * g->Lin;
    int64_t kidx[DT_CONV_MAX_RANK] = {0, 0, 0};
    for (int64_t kk = 0; kk < g->K; kk++) {
      if (kk > 0) /* next kernel offset, row-major */
        for (int d = last; d >= 0; d--) {
          if (++kidx[d] < g->k[d]) break;
          kidx[d] = 0;
        }
      T* blk = col + ((c - c0) * g->K + kk) * g->Lout;
      const int64_t off = kidx[last] * g->d[last] - g->p[last];
      const int64_t offr = rd >= 0 ? kidx[rd] * g->d[rd] - g->p[rd] : 0;
      int64_t lo, hi, rlo = 0, rhi = 1;
      conv_valid_range(off, sl, Il, Ol, &lo, &hi);
      if (rd >= 0) conv_valid_range(offr, sr, Ir, Or, &rlo, &rhi);
      int64_t od[DT_CONV_MAX_RANK] = {0, 0, 0};
      for (int64_t q = 0; q < planes; q++) {
        T* dp = blk + q * Or * Ol;
        int64_t base = 0; /* flat index over the dims before rd */
        int valid = 1;
        for (int d = 0; d < rd; d++) {
          const int64_t i = od[d] * g->s[d] - g->p[d] + kidx[d] * g->d[d];
          valid &= i >= 0 && i < g->in[d];
          base = base * g->in[d] + i;
        }
        for (int d = rd - 1; d >= 0; d--) {
          if (++od[d] < g->out[d]) break;
          od[d] = 0;
        }
        if (!valid || lo >= hi || rlo >= rhi) {
          if (!add) memset(dp, 0, sizeof(T) * (size_t)(Or * Ol));
          continue;
        }
        if (!add) {
          memset(dp, 0, sizeof(T) * (size_t)(rlo * Ol));
          memset(dp + rhi * Ol, 0, sizeof(T) * (size_t)((Or - rhi) * Ol));
        }
        T* s0 = src + (base * Ir + rlo * sr + offr) * Il + off; /* input row of output row rlo */
        if (merge) {
          RN(copy_run)(dp + rlo * Ol, s0, rhi - rlo, Ol, lo, hi);
        } else {
          for (int64_t r = rlo; r < rhi; r++) RN(im2col_row)(dp + r * Ol, s0 + (r - rlo) * sr * Il, Ol, sl, lo, hi, add);
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
  if (nt <= 1) { /* no serialized OpenMP team (~0.4 us a call) on the common path */
    RN(im2col)(g, x, 0, g->Cx, col, add);
    return;
  }
#pragma omp parallel for num_threads(nt) schedule(static)
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

/* gwt = col(x[n]) * y[n]^T + beta * gwt: the weight gradient transposed, [G][Cx/G * K][Cy/G]
 * (this orientation runs ~1.4x faster in OpenBLAS for 3x3 convolutions: long K, small N). */
static void RN(wgt_sample)(const conv_geom* g, const T* xn, const T* yn, T* gwt, double beta, T* col, int par) {
  const int64_t Cxg = g->Cx / g->G, Cyg = g->Cy / g->G, KK = Cxg * g->K, L = g->Lout;
  const T* src = xn;
  if (col) {
    RN(im2col_all)(g, (T*)xn, col, 0, par);
    src = col;
  }
  for (int64_t gi = 0; gi < g->G; gi++)
    dt_gemm_internal(DTC, 0, 1, KK, Cyg, L, 1.0, src + gi * KK * L, L, yn + gi * Cyg * L, L, beta,
                     gwt + gi * KK * Cyg, Cyg, par);
}

/* gw[gi, co, kk] = sum over t of parts[t][gi, kk, co], summed in t order. */
static void RN(wgt_finish)(const conv_geom* g, T* const* parts, int np, T* gw) {
  const int64_t Cyg = g->Cy / g->G, KK = (g->Cx / g->G) * g->K;
  for (int64_t gi = 0; gi < g->G; gi++)
    for (int64_t co = 0; co < Cyg; co++) {
      T* dst = gw + (gi * Cyg + co) * KK;
      for (int64_t kk = 0; kk < KK; kk++) {
        const int64_t i = (gi * KK + kk) * Cyg + co;
        T v = parts[0][i];
        for (int t = 1; t < np; t++) v += parts[t][i];
        dst[kk] = v;
      }
    }
}

static int32_t RN(conv_run)(int kind, const conv_geom* g, const T* a, const T* b, const T* bias, T* out);

/* The transpose kernel of a stride-1 convolution as a forward convolution of y with the
 * flipped, transposed weight (padding d * (k - 1) - p): im2col of y and a forward-shaped GEMM
 * instead of a GEMM into columns and a scattering col2im. */
static int32_t RN(tr_flipped)(const conv_geom* g, const T* y, const T* w, const T* bias, T* x) {
  conv_geom f = *g;
  f.Cx = g->Cy;
  f.Cy = g->Cx;
  f.Lin = g->Lout;
  f.Lout = g->Lin;
  f.pointwise = 1;
  for (int d = 0; d < g->rank; d++) {
    f.in[d] = g->out[d];
    f.out[d] = g->in[d];
    f.p[d] = g->d[d] * (g->k[d] - 1) - g->p[d];
    if (f.k[d] != 1 || f.p[d] != 0 || f.in[d] != f.out[d]) f.pointwise = 0;
  }
  const int64_t Cxg = g->Cx / g->G, Cyg = g->Cy / g->G, K = g->K;
  T* wf = (T*)malloc(sizeof(T) * (size_t)(g->Cy * Cxg * K > 0 ? g->Cy * Cxg * K : 1));
  if (!wf) return dt_fail(DT_ERR_MEMORY, "conv: out of memory");
  for (int64_t gi = 0; gi < g->G; gi++)
    for (int64_t co = 0; co < Cyg; co++)
      for (int64_t ci = 0; ci < Cxg; ci++) {
        const T* src = w + ((gi * Cyg + co) * Cxg + ci) * K;
        T* dst = wf + ((gi * Cxg + ci) * Cyg + co) * K;
        for (int64_t kk = 0; kk < K; kk++) dst[kk] = src[K - 1 - kk];
      }
  const int32_t st = RN(conv_run)(CONV_FWD, &f, y, wf, bias, x);
  free(wf);
  return st;
}

/* One of the three kernels over the batch. FWD: a = x, b = w, out = y. TR: a = y, b = w,
 * out = x. WGT: a = x, b = y, out = gw. */
static int32_t RN(conv_run)(int kind, const conv_geom* g, const T* a, const T* b, const T* bias, T* out) {
  if (kind == CONV_TR && conv_tr_flips(g)) return RN(tr_flipped)(g, a, b, bias, out);
  const int64_t colsz = g->pointwise ? 0 : g->Cx * g->K * g->Lout;
  const int64_t xs = g->Cx * g->Lin, ys = g->Cy * g->Lout, wsz = g->Cy * (g->Cx / g->G) * g->K;
  const int64_t N = g->N;
  const int nt = conv_batch_threads(g);
  if (nt <= 1) {
    const int par = conv_work(g) >= DT_PAR_THRESHOLD;
    T* col = colsz ? (T*)malloc(sizeof(T) * (size_t)colsz) : NULL;
    T* acc = kind == CONV_WGT ? (T*)calloc((size_t)(wsz > 0 ? wsz : 1), sizeof(T)) : NULL;
    if ((colsz && !col) || (kind == CONV_WGT && !acc)) {
      free(col);
      free(acc);
      return dt_fail(DT_ERR_MEMORY, "conv: cannot allocate %lld bytes of scratch", (long long)(sizeof(T) * colsz));
    }
    for (int64_t n = 0; n < N; n++) {
      if (kind == CONV_FWD) RN(fwd_sample)(g, a + n * xs, b, bias, out + n * ys, col, par);
      else if (kind == CONV_TR) RN(tr_sample)(g, a + n * ys, b, bias, out + n * xs, col, par);
      else RN(wgt_sample)(g, a + n * xs, b + n * ys, acc, n == 0 ? 0.0 : 1.0, col, par);
    }
    if (kind == CONV_WGT) RN(wgt_finish)(g, &acc, 1, out);
    free(col);
    free(acc);
    return DT_OK;
  }
  /* batch-parallel: one sample per thread at a time, each GEMM single-threaded; the weight
   * gradient accumulates per thread (transposed) and is summed at the end */
  T** partial = (T**)calloc((size_t)nt, sizeof(T*));
  if (!partial) return dt_fail(DT_ERR_MEMORY, "conv: out of memory");
  int failed = 0;
  const int prev = dt_gemm_serial_begin();
#pragma omp parallel num_threads(nt)
  {
    const int tid = dt_omp_tid();
    T* col = colsz ? (T*)malloc(sizeof(T) * (size_t)colsz) : NULL;
    T* acc = NULL;
    if (kind == CONV_WGT) acc = (T*)malloc(sizeof(T) * (size_t)(wsz > 0 ? wsz : 1));
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
    if (!failed) RN(wgt_finish)(g, partial, nt, out);
    for (int t = 0; t < nt; t++) free(partial[t]);
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
