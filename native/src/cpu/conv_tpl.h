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

/* ---------------------------------------------------------------- Winograd F(2x2, 3x3)
 * The forward kernel of 2-d 3x3 convolutions with stride 1 and no dilation (conv_wino_ok in
 * conv.c), which also serves their input gradient (tr_flipped). Each 2x2 output tile comes from
 * a 4x4 input tile: V = B^T d B per input channel, M = sum over channels of U * V (U = G g G^T
 * per weight), y = A^T M A: 16 products per tile and channel pair instead of 36, and the channel
 * sums are 16 GEMMs [Cy x Cx] x [Cx x tiles]. Tiles are processed in chunks of whole tile rows
 * (sized to keep V and M in L2), the transforms as loops over a tile row so they vectorize.
 * Every output is computed once, by one chunk: results do not depend on the thread count. */

/* The transforms' vector loops, over restrict-qualified arrays so that they vectorize.
 * B^T combination of four arrays: (a - c, b + c, c - b, b - d). */
static inline void RN(wt_bt)(const T* restrict a, const T* restrict b, const T* restrict c, const T* restrict d,
                             T* restrict o0, T* restrict o1, T* restrict o2, T* restrict o3, int64_t n) {
  for (int64_t t = 0; t < n; t++) {
    o0[t] = a[t] - c[t];
    o1[t] = b[t] + c[t];
    o2[t] = c[t] - b[t];
    o3[t] = b[t] - d[t];
  }
}

/* A^T combination: (a + b + c + v, b - c - d + v). */
static inline void RN(wt_at)(const T* restrict a, const T* restrict b, const T* restrict c, const T* restrict d,
                             T* restrict o0, T* restrict o1, T v, int64_t n) {
  for (int64_t t = 0; t < n; t++) {
    o0[t] = a[t] + b[t] + c[t] + v;
    o1[t] = b[t] - c[t] - d[t] + v;
  }
}

/* A lift of two arrays: (a, a + b, a - b, -b). */
static inline void RN(wt_a)(const T* restrict a, const T* restrict b, T* restrict o0, T* restrict o1, T* restrict o2,
                            T* restrict o3, int64_t n) {
  for (int64_t t = 0; t < n; t++) {
    o0[t] = a[t];
    o1[t] = a[t] + b[t];
    o2[t] = a[t] - b[t];
    o3[t] = -b[t];
  }
}

/* e[k] = r[2k], o[k] = r[2k + 1] for k < n. */
static inline void RN(wt_split)(const T* restrict r, T* restrict e, T* restrict o, int64_t n) {
  for (int64_t k = 0; k < n; k++) {
    e[k] = r[2 * k];
    o[k] = r[2 * k + 1];
  }
}

/* r[2k] = e[k], r[2k + 1] = o[k] for k < n. */
static inline void RN(wt_merge)(const T* restrict e, const T* restrict o, T* restrict r, int64_t n) {
  for (int64_t k = 0; k < n; k++) {
    r[2 * k] = e[k];
    r[2 * k + 1] = o[k];
  }
}

/* U[(xi * Cy + co) * Cxg + ci] = (G g G^T)[xi] for weight w[co, ci] (3x3). With `flip`, w is
 * the weight of the convolution whose transpose kernel this forward computes (tr_flipped):
 * g[co, ci] is then w[ci, co] turned by 180 degrees, read in place. */
static void RN(wino_weights)(const conv_geom* g, const T* w, T* U, int flip) {
  const int64_t Cxg = g->Cx / g->G, Cyg = g->Cy / g->G;
  const T h = (T)0.5;
  for (int64_t co = 0; co < g->Cy; co++)
    for (int64_t ci = 0; ci < Cxg; ci++) {
      T k[9];
      if (flip) {
        const T* src = w + (((co / Cyg) * Cxg + ci) * Cyg + co % Cyg) * 9;
        for (int j = 0; j < 9; j++) k[j] = src[8 - j];
      } else {
        memcpy(k, w + (co * Cxg + ci) * 9, sizeof k);
      }
      T t[4][3];
      for (int j = 0; j < 3; j++) {
        t[0][j] = k[j];
        t[1][j] = h * (k[j] + k[3 + j] + k[6 + j]);
        t[2][j] = h * (k[j] - k[3 + j] + k[6 + j]);
        t[3][j] = k[6 + j];
      }
      for (int i = 0; i < 4; i++) {
        const T u[4] = {t[i][0], h * (t[i][0] + t[i][1] + t[i][2]), h * (t[i][0] - t[i][1] + t[i][2]), t[i][2]};
        for (int j = 0; j < 4; j++) U[((i * 4 + j) * g->Cy + co) * Cxg + ci] = u[j];
      }
    }
}

/* V[(xi * Cx + c) * tc + t] for the tile rows [r0, r1) (r = n * th + ty, t = (r - r0) * tw + tx).
 * wk: scratch of 4 * pw + 2 * (tw + 1) + W elements (pw = 2 tw + 2). */
static void RN(wino_input)(const conv_geom* g, const T* x, int64_t th, int64_t tw, int64_t r0, int64_t r1, T* V,
                           T* wk) {
  const int64_t H = g->in[0], W = g->in[1], p0 = g->p[0], p1 = g->p[1], tc = (r1 - r0) * tw, pw = 2 * tw + 2;
  /* padded column j holds input column j - p1: the input fills padded columns [lo, hi) */
  const int64_t lo = p1 < pw ? p1 : pw, hi = p1 + W < pw ? p1 + W : pw;
  T* R = wk;           /* the 4 row combinations B^T d of a tile row, pw each */
  T* EO = wk + 4 * pw; /* even and odd columns of one combination, tw + 1 each */
  T* zrow = EO + 2 * (tw + 1); /* zeros standing for rows in the padding, hi - lo */
  for (int64_t j = 0; j < hi - lo; j++) zrow[j] = 0;
  for (int i = 0; i < 4; i++) {
    for (int64_t j = 0; j < lo; j++) R[i * pw + j] = 0;
    for (int64_t j = hi; j < pw; j++) R[i * pw + j] = 0;
  }
  for (int64_t c = 0; c < g->Cx; c++)
    for (int64_t r = r0; r < r1; r++) {
      const int64_t n = r / th, ty = r % th;
      const T* xp = x + (n * g->Cx + c) * H * W;
      const T* d[4];
      for (int i = 0; i < 4; i++) {
        const int64_t iy = 2 * ty - p0 + i;
        d[i] = iy >= 0 && iy < H ? xp + iy * W : zrow;
      }
      RN(wt_bt)(d[0], d[1], d[2], d[3], R + lo, R + pw + lo, R + 2 * pw + lo, R + 3 * pw + lo, hi - lo);
      T* vb = V + c * tc + (r - r0) * tw;
      const int64_t vs = g->Cx * tc; /* distance between the xi planes of V */
      T *E = EO, *O = EO + (tw + 1);
      for (int i = 0; i < 4; i++) {
        RN(wt_split)(R + i * pw, E, O, tw + 1);
        T* v0 = vb + (i * 4) * vs;
        RN(wt_bt)(E, O, E + 1, O + 1, v0, v0 + vs, v0 + 2 * vs, v0 + 3 * vs, tw);
      }
    }
}

/* y rows of the tile rows [r0, r1) from M[(xi * Cy + co) * tc + t] (+ bias). wk: 12 * tw. */
static void RN(wino_output)(const conv_geom* g, const T* M, const T* bias, int64_t th, int64_t tw, int64_t r0,
                            int64_t r1, T* y, T* wk) {
  const int64_t Ho = g->out[0], Wo = g->out[1], tc = (r1 - r0) * tw, ms = g->Cy * tc;
  T* A = wk;           /* A^T M: 8 arrays of tw */
  T* Y = wk + 8 * tw;  /* even/odd output columns of the two output rows: 4 arrays of tw */
  for (int64_t co = 0; co < g->Cy; co++) {
    const T bv = bias ? bias[co] : (T)0;
    for (int64_t r = r0; r < r1; r++) {
      const int64_t n = r / th, ty = r % th;
      const T* mb = M + co * tc + (r - r0) * tw;
      for (int j = 0; j < 4; j++)
        RN(wt_at)(mb + j * ms, mb + (4 + j) * ms, mb + (8 + j) * ms, mb + (12 + j) * ms, A + j * tw, A + (4 + j) * tw,
                  (T)0, tw);
      for (int h = 0; h < 2; h++) {
        const int64_t oy = 2 * ty + h;
        if (oy >= Ho) break;
        const T* b0 = A + (4 * h) * tw;
        T *ye = Y + 2 * h * tw, *yo = ye + tw;
        RN(wt_at)(b0, b0 + tw, b0 + 2 * tw, b0 + 3 * tw, ye, yo, bv, tw);
        T* yr = y + ((n * g->Cy + co) * Ho + oy) * Wo;
        const int64_t full = Wo / 2;
        RN(wt_merge)(ye, yo, yr, full);
        if (Wo & 1) yr[Wo - 1] = ye[full];
      }
    }
  }
}

/* One chunk of tile rows [ch * rc, ...): transform, 16 GEMMs (per group), inverse transform.
 * buf: scratch of V (16 Cx tcm), M (16 Cy tcm) and the transforms' rows. */
static void RN(wino_chunk)(const conv_geom* g, const T* x, const T* U, const T* bias, T* y, int64_t th, int64_t tw,
                           int64_t rc, int64_t ch, T* buf, int64_t tcm) {
  const int64_t rows = g->N * th, Cxg = g->Cx / g->G, Cyg = g->Cy / g->G;
  const int64_t r0 = ch * rc, r1 = r0 + rc < rows ? r0 + rc : rows, tc = (r1 - r0) * tw;
  T *V = buf, *M = buf + 16 * g->Cx * tcm, *wk = M + 16 * g->Cy * tcm;
  RN(wino_input)(g, x, th, tw, r0, r1, V, wk);
  for (int xi = 0; xi < 16; xi++)
    for (int64_t gi = 0; gi < g->G; gi++)
      dt_gemm_internal(DTC, 0, 0, Cyg, tc, Cxg, 1.0, U + (xi * g->Cy + gi * Cyg) * Cxg, Cxg,
                       V + (xi * g->Cx + gi * Cxg) * tc, tc, 0.0, M + (xi * g->Cy + gi * Cyg) * tc, tc, 0);
  RN(wino_output)(g, M, bias, th, tw, r0, r1, y, wk);
}

static int32_t RN(wino_fwd)(const conv_geom* g, const T* x, const T* w, const T* bias, T* y, int flip) {
  const int64_t Ho = g->out[0], Wo = g->out[1], th = (Ho + 1) / 2, tw = (Wo + 1) / 2, rows = g->N * th;
  const int64_t Cxg = g->Cx / g->G;
  if (rows == 0 || tw == 0) return DT_OK;
  int nt = dt_nthreads_for(2 * g->N * g->Cy * Cxg * 9 * Ho * Wo);
  const int64_t rc = conv_wino_rows(g, sizeof(T), nt), chunks = (rows + rc - 1) / rc;
  if (chunks < nt) nt = (int)chunks;
  const int64_t tcm = rc * tw;
  T* U = (T*)malloc(sizeof(T) * (size_t)(16 * g->Cy * Cxg));
  if (!U) return dt_fail(DT_ERR_MEMORY, "conv: out of memory");
  RN(wino_weights)(g, w, U, flip);
  const size_t scratch = (size_t)(16 * (g->Cx + g->Cy) * tcm + 12 * (tw + 1) + 16); /* V, M, transform rows */
  int failed = 0;
  if (nt > 1) {
    const int prev = dt_gemm_serial_begin();
#pragma omp parallel num_threads(nt)
    {
      T* buf = (T*)malloc(sizeof(T) * scratch);
      if (!buf) {
#pragma omp atomic write
        failed = 1;
      }
#pragma omp for schedule(dynamic, 1)
      for (int64_t ch = 0; ch < chunks; ch++)
        if (buf) RN(wino_chunk)(g, x, U, bias, y, th, tw, rc, ch, buf, tcm);
      free(buf);
    }
    dt_gemm_serial_end(prev);
  } else {
    T* buf = (T*)malloc(sizeof(T) * scratch);
    if (!buf) failed = 1;
    for (int64_t ch = 0; ch < chunks && buf; ch++) RN(wino_chunk)(g, x, U, bias, y, th, tw, rc, ch, buf, tcm);
    free(buf);
  }
  free(U);
  if (failed) return dt_fail(DT_ERR_MEMORY, "conv: cannot allocate Winograd scratch");
  return DT_OK;
}

/* Weight gradient through the same tiles: gw = G^T [sum over tiles of (A gy A^T) . V] G, with
 * V = B^T d B the forward's input transform and gy's 2x2 tiles lifted to 4x4 by A. Per chunk:
 * the input transform, gy's transform into M, and 16 GEMMs S[xi] += M[xi] V[xi]^T ([Cy x
 * tiles] x [tiles x Cx], per group). wino_gy's wk: 12 * tw. */
static void RN(wino_gy)(const conv_geom* g, const T* gy, int64_t th, int64_t tw, int64_t r0, int64_t r1, T* M, T* wk) {
  const int64_t Ho = g->out[0], Wo = g->out[1], tc = (r1 - r0) * tw, ms = g->Cy * tc, full = Wo / 2;
  T* ev = wk;          /* even/odd columns of the tile's two gy rows: 4 arrays of tw */
  for (int64_t co = 0; co < g->Cy; co++)
    for (int64_t r = r0; r < r1; r++) {
      const int64_t n = r / th, ty = r % th;
      for (int h = 0; h < 2; h++) {
        T *e = ev + 2 * h * tw, *o = e + tw;
        const int64_t oy = 2 * ty + h;
        if (oy >= Ho) {
          memset(e, 0, sizeof(T) * (size_t)(2 * tw));
          continue;
        }
        const T* row = gy + ((n * g->Cy + co) * Ho + oy) * Wo;
        RN(wt_split)(row, e, o, full);
        if (Wo & 1) {
          e[full] = row[Wo - 1];
          o[full] = 0;
        }
      }
      /* A gy A^T: the lift over the two rows (even and odd columns), then over the columns */
      T* hv = ev + 4 * tw; /* 8 arrays of tw: rows 0..3 of A gy, even then odd columns */
      RN(wt_a)(ev, ev + 2 * tw, hv, hv + 2 * tw, hv + 4 * tw, hv + 6 * tw, tw);
      RN(wt_a)(ev + tw, ev + 3 * tw, hv + tw, hv + 3 * tw, hv + 5 * tw, hv + 7 * tw, tw);
      T* mb = M + co * tc + (r - r0) * tw;
      for (int i = 0; i < 4; i++) {
        T* m0 = mb + (i * 4) * ms;
        RN(wt_a)(hv + 2 * i * tw, hv + (2 * i + 1) * tw, m0, m0 + ms, m0 + 2 * ms, m0 + 3 * ms, tw);
      }
    }
}

static void RN(wino_wgt_chunk)(const conv_geom* g, const T* x, const T* gy, T* S, int64_t th, int64_t tw, int64_t rc,
                               int64_t ch, T* buf, int64_t tcm) {
  const int64_t rows = g->N * th, Cxg = g->Cx / g->G, Cyg = g->Cy / g->G;
  const int64_t r0 = ch * rc, r1 = r0 + rc < rows ? r0 + rc : rows, tc = (r1 - r0) * tw;
  T *V = buf, *M = buf + 16 * g->Cx * tcm, *wk = M + 16 * g->Cy * tcm;
  RN(wino_input)(g, x, th, tw, r0, r1, V, wk);
  RN(wino_gy)(g, gy, th, tw, r0, r1, M, wk);
  for (int xi = 0; xi < 16; xi++)
    for (int64_t gi = 0; gi < g->G; gi++)
      dt_gemm_internal(DTC, 0, 1, Cyg, Cxg, tc, 1.0, M + (xi * g->Cy + gi * Cyg) * tc, tc,
                       V + (xi * g->Cx + gi * Cxg) * tc, tc, 1.0, S + (xi * g->Cy + gi * Cyg) * Cxg, Cxg, 0);
}

static int32_t RN(wino_wgt)(const conv_geom* g, const T* x, const T* gy, T* gw) {
  const int64_t Ho = g->out[0], Wo = g->out[1], th = (Ho + 1) / 2, tw = (Wo + 1) / 2, rows = g->N * th;
  const int64_t Cxg = g->Cx / g->G, ssz = 16 * g->Cy * Cxg;
  int nt = dt_nthreads_for(2 * g->N * g->Cy * Cxg * 9 * Ho * Wo);
  const int64_t rc = conv_wino_rows(g, sizeof(T), nt), chunks = tw > 0 ? (rows + rc - 1) / rc : 0;
  if (chunks < nt) nt = chunks > 0 ? (int)chunks : 1;
  const int64_t tcm = rc * tw;
  const size_t scratch = (size_t)(16 * (g->Cx + g->Cy) * tcm + 12 * (tw + 1) + 16);
  T** parts = (T**)calloc((size_t)nt, sizeof(T*));
  if (!parts) return dt_fail(DT_ERR_MEMORY, "conv: out of memory");
  int failed = 0;
  const int prev = nt > 1 ? dt_gemm_serial_begin() : 1;
  /* per-thread sums over a fixed (static) split of the chunks: rounding never depends on timing */
#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    const int tid = dt_omp_tid();
    T* S = (T*)calloc((size_t)ssz, sizeof(T));
    T* buf = (T*)malloc(sizeof(T) * scratch);
    if (!S || !buf) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(static)
    for (int64_t ch = 0; ch < chunks; ch++)
      if (S && buf) RN(wino_wgt_chunk)(g, x, gy, S, th, tw, rc, ch, buf, tcm);
    free(buf);
    parts[tid] = S;
  }
  if (nt > 1) dt_gemm_serial_end(prev);
  /* the team may have had fewer threads than asked for: sum the partials that exist */
  int np = 0;
  for (int t = 0; t < nt; t++)
    if (parts[t]) parts[np++] = parts[t];
  if (!failed && np > 0) {
    /* gw[co, ci] = G^T S G (4x4 -> 3x3), S summed over the threads in order */
    const T h = (T)0.5;
    for (int64_t co = 0; co < g->Cy; co++)
      for (int64_t ci = 0; ci < Cxg; ci++) {
        T s[4][4];
        for (int xi = 0; xi < 16; xi++) {
          const int64_t i = (xi * g->Cy + co) * Cxg + ci;
          T v = parts[0][i];
          for (int t = 1; t < np; t++) v += parts[t][i];
          s[xi / 4][xi % 4] = v;
        }
        T q[3][4]; /* G^T s */
        for (int j = 0; j < 4; j++) {
          q[0][j] = s[0][j] + h * (s[1][j] + s[2][j]);
          q[1][j] = h * (s[1][j] - s[2][j]);
          q[2][j] = h * (s[1][j] + s[2][j]) + s[3][j];
        }
        T* o = gw + (co * Cxg + ci) * 9;
        for (int i = 0; i < 3; i++) {
          o[i * 3 + 0] = q[i][0] + h * (q[i][1] + q[i][2]);
          o[i * 3 + 1] = h * (q[i][1] - q[i][2]);
          o[i * 3 + 2] = h * (q[i][1] + q[i][2]) + q[i][3];
        }
      }
  }
  for (int t = 0; t < np; t++) free(parts[t]);
  free(parts);
  if (failed) return dt_fail(DT_ERR_MEMORY, "conv: cannot allocate Winograd scratch");
  return DT_OK;
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
  if (conv_wino_ok(&f)) return RN(wino_fwd)(&f, y, w, bias, x, 1); /* flips while transforming */
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
  if (kind == CONV_FWD && conv_wino_ok(g)) return RN(wino_fwd)(g, a, b, bias, out, 0);
  if (kind == CONV_WGT && conv_wino_ok(g)) return RN(wino_wgt)(g, a, b, out);
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
    /* the team may have had fewer threads than asked for: sum the partials that exist */
    int np = 0;
    for (int t = 0; t < nt; t++)
      if (partial[t]) partial[np++] = partial[t];
    if (!failed && np > 0) RN(wgt_finish)(g, partial, np, out);
    for (int t = 0; t < np; t++) free(partial[t]);
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
