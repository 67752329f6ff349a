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

/* U[(xi * Cy + co) * Cxg + ci] = (G g G^T)[xi] for weight w[co, ci] (3x3). */
static void RN(wino_weights)(const conv_geom* g, const T* w, T* U) {
  const int64_t Cxg = g->Cx / g->G;
  const T h = (T)0.5;
  for (int64_t co = 0; co < g->Cy; co++)
    for (int64_t ci = 0; ci < Cxg; ci++) {
      const T* k = w + (co * Cxg + ci) * 9;
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
 * wk: scratch of 18 * (tw + 1) elements. */
static void RN(wino_input)(const conv_geom* g, const T* x, int64_t th, int64_t tw, int64_t r0, int64_t r1, T* V,
                           T* wk) {
  const int64_t H = g->in[0], W = g->in[1], p0 = g->p[0], p1 = g->p[1], tc = (r1 - r0) * tw, pw = 2 * tw + 2;
  const int64_t lo = p1 < pw ? p1 : pw, hi = p1 + W < pw ? p1 + W : pw; /* padded columns holding input */
  T* pr = wk;           /* 4 padded input rows, pw each */
  T* R = wk + 4 * pw;   /* their 4 row combinations (B^T d), pw each */
  T* EO = wk + 8 * pw;  /* even and odd columns of each combination, tw + 1 each */
  for (int64_t c = 0; c < g->Cx; c++)
    for (int64_t r = r0; r < r1; r++) {
      const int64_t n = r / th, ty = r % th;
      const T* xp = x + (n * g->Cx + c) * H * W;
      for (int i = 0; i < 4; i++) {
        T* q = pr + i * pw;
        const int64_t iy = 2 * ty - p0 + i;
        if (iy < 0 || iy >= H || lo >= hi) {
          memset(q, 0, sizeof(T) * (size_t)pw);
          continue;
        }
        for (int64_t j = 0; j < lo; j++) q[j] = 0;
        memcpy(q + lo, xp + iy * W, sizeof(T) * (size_t)(hi - lo));
        for (int64_t j = hi; j < pw; j++) q[j] = 0;
      }
      {
        const T *d0 = pr, *d1 = pr + pw, *d2 = pr + 2 * pw, *d3 = pr + 3 * pw;
        T *R0 = R, *R1 = R + pw, *R2 = R + 2 * pw, *R3 = R + 3 * pw;
        for (int64_t j = 0; j < pw; j++) {
          R0[j] = d0[j] - d2[j];
          R1[j] = d1[j] + d2[j];
          R2[j] = d2[j] - d1[j];
          R3[j] = d1[j] - d3[j];
        }
      }
      T* vb = V + c * tc + (r - r0) * tw;
      const int64_t vs = g->Cx * tc; /* distance between the xi planes of V */
      for (int i = 0; i < 4; i++) {
        const T* Ri = R + i * pw;
        T *E = EO, *O = EO + (tw + 1);
        for (int64_t k = 0; k <= tw; k++) {
          E[k] = Ri[2 * k];
          O[k] = Ri[2 * k + 1];
        }
        T *v0 = vb + (i * 4) * vs, *v1 = v0 + vs, *v2 = v1 + vs, *v3 = v2 + vs;
        for (int64_t t = 0; t < tw; t++) {
          const T e = E[t], o = O[t], e1 = E[t + 1], o1 = O[t + 1];
          v0[t] = e - e1;
          v1[t] = o + e1;
          v2[t] = e1 - o;
          v3[t] = o - o1;
        }
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
      for (int j = 0; j < 4; j++) {
        const T *m0 = mb + j * ms, *m1 = mb + (4 + j) * ms, *m2 = mb + (8 + j) * ms, *m3 = mb + (12 + j) * ms;
        T *a0 = A + j * tw, *a1 = A + (4 + j) * tw;
        for (int64_t t = 0; t < tw; t++) {
          a0[t] = m0[t] + m1[t] + m2[t];
          a1[t] = m1[t] - m2[t] - m3[t];
        }
      }
      for (int h = 0; h < 2; h++) {
        const int64_t oy = 2 * ty + h;
        if (oy >= Ho) break;
        const T *b0 = A + (4 * h) * tw, *b1 = b0 + tw, *b2 = b1 + tw, *b3 = b2 + tw;
        T *ye = Y + 2 * h * tw, *yo = ye + tw;
        for (int64_t t = 0; t < tw; t++) {
          ye[t] = b0[t] + b1[t] + b2[t] + bv;
          yo[t] = b1[t] - b2[t] - b3[t] + bv;
        }
        T* yr = y + ((n * g->Cy + co) * Ho + oy) * Wo;
        const int64_t full = Wo / 2;
        for (int64_t t = 0; t < full; t++) {
          yr[2 * t] = ye[t];
          yr[2 * t + 1] = yo[t];
        }
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

static int32_t RN(wino_fwd)(const conv_geom* g, const T* x, const T* w, const T* bias, T* y) {
  const int64_t Ho = g->out[0], Wo = g->out[1], th = (Ho + 1) / 2, tw = (Wo + 1) / 2, rows = g->N * th;
  const int64_t Cxg = g->Cx / g->G;
  if (rows == 0 || tw == 0) return DT_OK;
  /* tile rows per chunk: V and M of a chunk about CONV_WINO_CHUNK_BYTES */
  const int64_t tile_bytes = 16 * (g->Cx + g->Cy) * (int64_t)sizeof(T);
  int64_t rc = CONV_WINO_CHUNK_BYTES / (tile_bytes * tw);
  if (rc < 1) rc = 1;
  int nt = dt_nthreads_for(2 * g->N * g->Cy * Cxg * 9 * Ho * Wo);
  if (nt > 1 && rows < 2 * nt * rc) rc = rows / (2 * nt) > 0 ? rows / (2 * nt) : 1; /* chunks for every thread */
  const int64_t chunks = (rows + rc - 1) / rc;
  if (chunks < nt) nt = (int)chunks;
  const int64_t tcm = rc * tw;
  T* U = (T*)malloc(sizeof(T) * (size_t)(16 * g->Cy * Cxg));
  if (!U) return dt_fail(DT_ERR_MEMORY, "conv: out of memory");
  RN(wino_weights)(g, w, U);
  const size_t scratch = (size_t)(16 * (g->Cx + g->Cy) * tcm + 16 * (tw + 1) + 12 * tw + 16);
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
  if (kind == CONV_FWD && conv_wino_ok(g)) return RN(wino_fwd)(g, a, b, bias, out);
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
