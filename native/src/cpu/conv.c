/*
 * conv.c: N-d convolution (1, 2 and 3 spatial dims through one code path) as im2col/col2im plus
 * the library's GEMM (gemm_internal.h). The kernels live in conv_tpl.h, instantiated here per
 * float dtype; this file holds the geometry, the threading choice and argument checks.
 *
 * Threading: when the batch divides well over the threads, samples are shared out (one im2col
 * buffer per thread, single-threaded GEMMs); otherwise samples run in order and each GEMM (and
 * im2col) uses every thread. Scratch is one sample's column buffer per thread, never the
 * whole batch's.
 */
#include <stdlib.h>

#include "dt_common.h"
#include "gemm_internal.h"
#include "scalar_ops.h"

#define DT_CONV_MAX_RANK 3

#ifdef _OPENMP
static inline int dt_omp_tid(void) { return omp_get_thread_num(); }
#else
static inline int dt_omp_tid(void) { return 0; }
#endif

/* The geometry of one convolution seen from x-space to y-space (see denotorch.h). */
typedef struct {
  int rank;
  int64_t N, Cx, Cy, G;
  int64_t in[DT_CONV_MAX_RANK], out[DT_CONV_MAX_RANK], k[DT_CONV_MAX_RANK], s[DT_CONV_MAX_RANK],
      p[DT_CONV_MAX_RANK], d[DT_CONV_MAX_RANK];
  int64_t Lin, Lout, K; /* products of in, out and k */
  int pointwise;        /* 1x1 kernel, stride 1, no padding, in == out: im2col is the identity */
} conv_geom;

enum { CONV_FWD = 0, CONV_TR = 1, CONV_WGT = 2 };

/* Row-major multi-index of `flat` over `sizes[0..rank)`. */
static inline void conv_unravel(int64_t flat, const int64_t* sizes, int rank, int64_t* idx) {
  for (int d = rank - 1; d >= 0; d--) {
    idx[d] = flat % sizes[d];
    flat /= sizes[d];
  }
}

/* Output positions j in [lo, hi) of the last dim read an input position j * s + off inside [0, n). */
static inline void conv_valid_range(int64_t off, int64_t s, int64_t n, int64_t outn, int64_t* lo, int64_t* hi) {
  int64_t l = off >= 0 ? 0 : (-off + s - 1) / s;
  int64_t h = n - 1 - off >= 0 ? (n - 1 - off) / s + 1 : 0;
  if (h > outn) h = outn;
  if (l > h) l = h;
  *lo = l;
  *hi = h;
}

/* Multiply-adds of the whole call (for threading decisions). */
static inline int64_t conv_work(const conv_geom* g) {
  return g->N * g->Cy * (g->Cx / g->G) * g->K * (g->Lout > 0 ? g->Lout : 1);
}

/* Threads for the batch-parallel path, or 1 to run samples in order with threaded GEMMs. */
static int conv_batch_threads(const conv_geom* g) {
  int nt = dt_threads();
  if (nt <= 1 || g->N < nt || conv_work(g) < DT_PAR_THRESHOLD) return 1;
  if (g->N % nt != 0 && g->N < 4 * nt) return 1; /* uneven split: threaded GEMMs do better */
  return nt;
}

/* Whether the transpose kernel runs as a forward convolution with the flipped weight: stride 1
 * everywhere and padding no larger than the dilated kernel's reach (pointwise ones are a plain
 * GEMM either way). It pays when it does no more work: the flipped form multiplies over every
 * x position (Lin) and copies Cy * K rows per sample where col2im adds Cx * K, so it is used
 * for "same"-like geometries (Lin <= Lout) without many more y channels than x channels;
 * measured: 64->64 and 64->128 3x3 gain, LeNet's 6->16 5x5 valid (Lin ~ 2 Lout) and 1->6
 * lose ~1.7x. */
static int conv_tr_flips(const conv_geom* g) {
  if (g->pointwise || g->Lin > g->Lout || g->Cy > 2 * g->Cx) return 0;
  for (int d = 0; d < g->rank; d++)
    if (g->s[d] != 1 || g->p[d] > g->d[d] * (g->k[d] - 1)) return 0;
  return 1;
}

/* Winograd F(2x2, 3x3) for the forward and weight kernels (conv_tpl.h): 2-d, 3x3, stride 1, no
 * dilation, enough channels for the 16 GEMMs to pay for the tile transforms (their cost per
 * tile grows with Cx + Cy, the GEMMs' with Cx * Cy: 1/Cx + 1/Cy <= 1/16), and enough tiles for
 * GEMMs of at least CONV_WINO_MIN_TILES columns (the transformed weights, 16/9 the weight's
 * size, are streamed once per chunk). Measured (1 thread, vs im2col): 64->64 32x32 1.6x,
 * 64->64 56x56 1.8x, 32->32 28x28 1.5x, 32->64 16x16 1.2x, 64->128 8x8 1.4x; losses that the
 * rule excludes: 3->32 2.6x, 16->48 8x8 1.2x, 256->256 14x14 batch 1 1.8x, 512->512 7x7
 * batch 2 3.5x. */
#define CONV_WINO_CHUNK_BYTES (768 * 1024)
#define CONV_WINO_MIN_TILES 128
static int conv_wino_ok(const conv_geom* g) {
  if (g->rank != 2 || g->N == 0 || g->Lout == 0) return 0;
  for (int d = 0; d < 2; d++)
    if (g->k[d] != 3 || g->s[d] != 1 || g->d[d] != 1) return 0;
  const int64_t Cxg = g->Cx / g->G, Cyg = g->Cy / g->G;
  const int64_t tiles = g->N * ((g->out[0] + 1) / 2) * ((g->out[1] + 1) / 2);
  return 16 * (Cxg + Cyg) <= Cxg * Cyg && tiles >= CONV_WINO_MIN_TILES;
}

/* Tile rows per Winograd chunk: V and M of a chunk about CONV_WINO_CHUNK_BYTES (to stay in L2),
 * but at least CONV_WINO_MIN_TILES tiles; with nt threads, at least two chunks per thread when
 * that keeps the minimum. */
static int64_t conv_wino_rows(const conv_geom* g, size_t elem, int nt) {
  const int64_t th = (g->out[0] + 1) / 2, tw = (g->out[1] + 1) / 2, rows = g->N * th;
  const int64_t tile_bytes = 16 * (g->Cx + g->Cy) * (int64_t)elem;
  int64_t rc = CONV_WINO_CHUNK_BYTES / (tile_bytes * tw);
  const int64_t min_rows = (CONV_WINO_MIN_TILES + tw - 1) / tw;
  if (rc < min_rows) rc = min_rows;
  if (nt > 1 && rows < 2 * nt * rc) {
    const int64_t even = rows / (2 * nt);
    rc = even >= min_rows ? even : min_rows;
  }
  if (rc > rows) rc = rows;
  return rc > 0 ? rc : 1;
}

#define T float
#define S f32
#define DTC DT_F32
#include "conv_tpl.h"
#undef T
#undef S
#undef DTC

#define T double
#define S f64
#define DTC DT_F64
#include "conv_tpl.h"
#undef T
#undef S
#undef DTC

/* Reads and checks geom = [N, Cx, Cy, G, in[r], out[r], k[r], stride[r], pad[r], dilation[r]]. */
static int32_t conv_parse(const char* fn, int32_t dtype, int32_t rank, const int32_t* geom, conv_geom* g) {
  if (!dt_dtype_is_float(dtype))
    return dt_fail(DT_ERR_DTYPE, "%s: dtype %s is not supported (float32/float64 only)", fn, dt_dtype_name(dtype));
  if (rank < 1 || rank > DT_CONV_MAX_RANK)
    return dt_fail(DT_ERR_ARG, "%s: rank must be 1, 2 or 3, got %d", fn, (int)rank);
  if (!geom) return dt_fail(DT_ERR_ARG, "%s: geom is a null pointer", fn);
  g->rank = rank;
  g->N = geom[0];
  g->Cx = geom[1];
  g->Cy = geom[2];
  g->G = geom[3];
  if (g->N < 0 || g->Cx < 1 || g->Cy < 1 || g->G < 1)
    return dt_fail(DT_ERR_ARG, "%s: invalid sizes N=%lld Cx=%lld Cy=%lld groups=%lld", fn, (long long)g->N,
                   (long long)g->Cx, (long long)g->Cy, (long long)g->G);
  if (g->Cx % g->G || g->Cy % g->G)
    return dt_fail(DT_ERR_ARG, "%s: channels %lld and %lld are not divisible by groups %lld", fn, (long long)g->Cx,
                   (long long)g->Cy, (long long)g->G);
  g->Lin = g->Lout = g->K = 1;
  g->pointwise = 1;
  for (int d = 0; d < rank; d++) {
    g->in[d] = geom[4 + d];
    g->out[d] = geom[4 + rank + d];
    g->k[d] = geom[4 + 2 * rank + d];
    g->s[d] = geom[4 + 3 * rank + d];
    g->p[d] = geom[4 + 4 * rank + d];
    g->d[d] = geom[4 + 5 * rank + d];
    if (g->in[d] < 0 || g->out[d] < 0 || g->k[d] < 1 || g->s[d] < 1 || g->p[d] < 0 || g->d[d] < 1)
      return dt_fail(DT_ERR_ARG,
                     "%s: invalid geometry in dim %d: in=%lld out=%lld kernel=%lld stride=%lld pad=%lld dilation=%lld",
                     fn, d, (long long)g->in[d], (long long)g->out[d], (long long)g->k[d], (long long)g->s[d],
                     (long long)g->p[d], (long long)g->d[d]);
    g->Lin *= g->in[d];
    g->Lout *= g->out[d];
    g->K *= g->k[d];
    if (g->k[d] != 1 || g->s[d] != 1 || g->p[d] != 0 || g->in[d] != g->out[d]) g->pointwise = 0;
  }
  return DT_OK;
}

static int32_t conv_dispatch(const char* fn, int kind, int32_t dtype, int32_t rank, const int32_t* geom, const void* a,
                             const void* b, const void* bias, void* out) {
  conv_geom g;
  int32_t st = conv_parse(fn, dtype, rank, geom, &g);
  if (st != DT_OK) return st;
  if (!out || !a || !b) {
    const int64_t n_out = kind == CONV_FWD ? g.N * g.Cy * g.Lout : kind == CONV_TR ? g.N * g.Cx * g.Lin : 1;
    if (n_out > 0) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  }
  if (dtype == DT_F32) return conv_run_f32(kind, &g, (const float*)a, (const float*)b, (const float*)bias, (float*)out);
  return conv_run_f64(kind, &g, (const double*)a, (const double*)b, (const double*)bias, (double*)out);
}

DT_API int32_t dt_conv_forward(int32_t dtype, int32_t rank, const int32_t* geom, const void* x, const void* w,
                               const void* bias, void* y) {
  return conv_dispatch("dt_conv_forward", CONV_FWD, dtype, rank, geom, x, w, bias, y);
}

DT_API int32_t dt_conv_transpose(int32_t dtype, int32_t rank, const int32_t* geom, const void* y, const void* w,
                                 const void* bias, void* x) {
  return conv_dispatch("dt_conv_transpose", CONV_TR, dtype, rank, geom, y, w, bias, x);
}

DT_API int32_t dt_conv_weight(int32_t dtype, int32_t rank, const int32_t* geom, const void* x, const void* y,
                              void* gw) {
  return conv_dispatch("dt_conv_weight", CONV_WGT, dtype, rank, geom, x, y, NULL, gw);
}

DT_API int32_t dt_conv_bias_grad(int32_t dtype, int32_t n, int32_t c, int32_t l, const void* y, void* gb) {
  static const char* fn = "dt_conv_bias_grad";
  if (!dt_dtype_is_float(dtype))
    return dt_fail(DT_ERR_DTYPE, "%s: dtype %s is not supported (float32/float64 only)", fn, dt_dtype_name(dtype));
  DT_CHECK_NONNEG(fn, "n", n);
  DT_CHECK_NONNEG(fn, "c", c);
  DT_CHECK_NONNEG(fn, "l", l);
  if (c == 0) return DT_OK;
  if (!gb || (!y && (int64_t)n * l > 0)) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  if (dtype == DT_F32) bias_grad_f32(n, c, l, (const float*)y, (float*)gb);
  else bias_grad_f64(n, c, l, (const double*)y, (double*)gb);
  return DT_OK;
}
