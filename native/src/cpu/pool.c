/*
 * pool.c: N-d pooling (1, 2 and 3 spatial dims through one code path): max and average over
 * regular windows (stride, padding, dilation), adaptive windows and fractional windows. The
 * kernels live in pool_tpl.h, instantiated per float dtype. Max pooling writes flat indices into
 * each (n, c) plane; its backward (and max unpooling) is a scatter through them (dt_scatter).
 */
#include <stdlib.h>

#include "dt_common.h"
#include "scalar_ops.h"

#define DT_POOL_MAX_RANK 3

enum { POOL_MAX = 0, POOL_AVG = 1 };
enum { POOL_WINDOW = 0, POOL_ADAPTIVE = 1, POOL_FRACTIONAL = 2 };

/* Geometry padded to three dims (leading dims of size 1 below rank 3). */
typedef struct {
  int rank, op, mode, include_pad;
  int64_t divisor; /* > 0: divisor_override of average pooling */
  int64_t planes;
  int64_t in[3], out[3], k[3], s[3], p[3], d[3];
  int64_t Lin, Lout;
} pool_geom;

/* Window bounds of every output position along one dim; `padlen` is the window length counting
 * padding (count_include_pad). Positions run start, start + step, ... below end. */
typedef struct {
  int64_t *start, *end, *padlen;
  int64_t step;
} pool_dim;

/* Allocates the three tables and fills the size-1 leading dims; returns the buffer to free. */
static int64_t* pool_tables_alloc(const pool_geom* g, pool_dim* dims) {
  const int64_t total = g->out[0] + g->out[1] + g->out[2];
  int64_t* buf = (int64_t*)malloc(sizeof(int64_t) * (size_t)(3 * total + 1));
  if (!buf) return NULL;
  int64_t* cur = buf;
  for (int d = 0; d < 3; d++) {
    dims[d].start = cur;
    dims[d].end = cur + g->out[d];
    dims[d].padlen = cur + 2 * g->out[d];
    cur += 3 * g->out[d];
    dims[d].step = (g->mode == POOL_WINDOW && g->op == POOL_MAX) ? g->d[d] : 1;
    if (d < 3 - g->rank) { /* padding dim: one position covering the single element */
      dims[d].start[0] = 0;
      dims[d].end[0] = 1;
      dims[d].padlen[0] = 1;
    }
  }
  return buf;
}

/* Fills the tables of the real dims for regular and adaptive windows. */
static void pool_tables_fill(const pool_geom* g, pool_dim* dims) {
  for (int d = 3 - g->rank; d < 3; d++) {
    const int64_t in = g->in[d], out = g->out[d], k = g->k[d], s = g->s[d], p = g->p[d], dil = g->d[d];
    for (int64_t o = 0; o < out; o++) {
      int64_t st, en, pl;
      if (g->mode == POOL_ADAPTIVE) {
        /* PyTorch's start_index / end_index, in float as there */
        st = (int64_t)floorf((float)(o * in) / (float)out);
        en = (int64_t)ceilf((float)((o + 1) * in) / (float)out);
        pl = en - st;
      } else if (g->op == POOL_MAX) {
        st = o * s - p;
        en = st + (k - 1) * dil + 1;
        if (en > in) en = in;
        while (st < 0) st += dil;
        pl = k;
      } else {
        st = o * s - p;
        en = st + k;
        if (en > in + p) en = in + p;
        pl = en - st;
        if (st < 0) st = 0;
        if (en > in) en = in;
      }
      dims[d].start[o] = st;
      dims[d].end[o] = en;
      dims[d].padlen[o] = pl;
    }
  }
}

/* The regular part of the last dim's windows: outputs ow in [lo, hi) read `count` elements
 * base + ow * stride + j * step (j < count), all inside the input. Found by checking the tables
 * against the geometry's nominal windows, so clipped, uneven (adaptive) and fractional windows
 * simply fall outside [lo, hi) and take the element-by-element path. */
typedef struct {
  int64_t lo, hi, stride, base, count;
} pool_uniform;

#define POOL_CHUNK 256 /* outputs of one row summed together by average pooling */

static pool_uniform pool_find_uniform(const pool_geom* g, const pool_dim* dw) {
  pool_uniform u = {0, 0, 0, 0, 0};
  const int64_t in = g->in[2], out = g->out[2];
  if (g->Lin > INT32_MAX) return u; /* the regular path keeps plane indices in int32 */
  if (g->mode == POOL_WINDOW) {
    u.stride = g->s[2];
    u.base = -g->p[2];
    u.count = g->k[2];
  } else if (g->mode == POOL_ADAPTIVE && out > 0 && in % out == 0) {
    u.stride = u.count = in / out;
  } else {
    return u;
  }
  int64_t o = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (; o < out; o++) {
      const int64_t st = dw->start[o], en = dw->end[o];
      const int ok = st == u.base + o * u.stride && st >= 0 && st + (u.count - 1) * dw->step < en && en <= in &&
                     (en - st + dw->step - 1) / dw->step == u.count;
      if (ok != (pass == 0 ? 0 : 1)) break; /* pass 0 skips to the first regular, pass 1 to the end of the run */
    }
    if (pass == 0) u.lo = o;
  }
  u.hi = o;
  return u;
}

/* Average pooling whose single window is the whole input (global average pooling). */
static int pool_is_global(const pool_geom* g) {
  if (g->Lout != 1 || g->Lin < 1) return 0;
  for (int d = 0; d < 3; d++) {
    if (g->mode == POOL_ADAPTIVE) continue;
    if (g->mode != POOL_WINDOW || g->k[d] != g->in[d] || g->p[d] != 0) return 0;
  }
  return 1;
}

#define T float
#define UT uint32_t
#define S f32
#include "pool_tpl.h"
#undef T
#undef UT
#undef S

#define T double
#define UT uint64_t
#define S f64
#include "pool_tpl.h"
#undef T
#undef UT
#undef S

/* Reads geom = [planes, in[r], out[r], kernel[r], stride[r], pad[r], dilation[r]]. */
static int32_t pool_parse(const char* fn, int32_t op, int32_t mode, int32_t dtype, int32_t rank, const int32_t* geom,
                          pool_geom* g) {
  if (!dt_dtype_is_float(dtype))
    return dt_fail(DT_ERR_DTYPE, "%s: dtype %s is not supported (float32/float64 only)", fn, dt_dtype_name(dtype));
  if (rank < 1 || rank > DT_POOL_MAX_RANK) return dt_fail(DT_ERR_ARG, "%s: rank must be 1, 2 or 3, got %d", fn, (int)rank);
  if (op != POOL_MAX && op != POOL_AVG) return dt_fail(DT_ERR_ARG, "%s: unknown op %d", fn, (int)op);
  if (mode < POOL_WINDOW || mode > POOL_FRACTIONAL) return dt_fail(DT_ERR_ARG, "%s: unknown mode %d", fn, (int)mode);
  if (mode == POOL_FRACTIONAL && op != POOL_MAX)
    return dt_fail(DT_ERR_ARG, "%s: fractional windows are for max pooling only", fn);
  if (!geom) return dt_fail(DT_ERR_ARG, "%s: geom is a null pointer", fn);
  g->rank = rank;
  g->op = op;
  g->mode = mode;
  g->planes = geom[0];
  if (g->planes < 0) return dt_fail(DT_ERR_ARG, "%s: planes must be >= 0, got %lld", fn, (long long)g->planes);
  g->Lin = g->Lout = 1;
  for (int d = 0; d < 3; d++) {
    const int r = d - (3 - rank); /* index into geom's per-dim lists, < 0 for padding dims */
    if (r < 0) {
      g->in[d] = g->out[d] = g->k[d] = g->s[d] = g->d[d] = 1;
      g->p[d] = 0;
      continue;
    }
    g->in[d] = geom[1 + r];
    g->out[d] = geom[1 + rank + r];
    g->k[d] = geom[1 + 2 * rank + r];
    g->s[d] = geom[1 + 3 * rank + r];
    g->p[d] = geom[1 + 4 * rank + r];
    g->d[d] = geom[1 + 5 * rank + r];
    if (g->in[d] < 0 || g->out[d] < 0) return dt_fail(DT_ERR_ARG, "%s: negative size in dim %d", fn, r);
    if (mode == POOL_ADAPTIVE && g->out[d] > 0 && g->in[d] == 0)
      return dt_fail(DT_ERR_ARG, "%s: empty input in dim %d", fn, r);
    if (mode != POOL_ADAPTIVE && (g->k[d] < 1 || g->s[d] < 1 || g->p[d] < 0 || g->d[d] < 1))
      return dt_fail(DT_ERR_ARG, "%s: invalid window in dim %d: kernel=%lld stride=%lld pad=%lld dilation=%lld", fn, r,
                     (long long)g->k[d], (long long)g->s[d], (long long)g->p[d], (long long)g->d[d]);
    if (mode == POOL_FRACTIONAL && g->k[d] > g->in[d])
      return dt_fail(DT_ERR_ARG, "%s: pool size %lld exceeds the input size %lld in dim %d", fn, (long long)g->k[d],
                     (long long)g->in[d], r);
    g->Lin *= g->in[d];
    g->Lout *= g->out[d];
  }
  return DT_OK;
}

DT_API int32_t dt_pool_forward(int32_t op, int32_t mode, int32_t dtype, int32_t rank, const int32_t* geom,
                               const void* x, void* y, int64_t* indices, const void* samples, int32_t count_include_pad,
                               int32_t divisor_override) {
  static const char* fn = "dt_pool_forward";
  pool_geom g;
  int32_t st = pool_parse(fn, op, mode, dtype, rank, geom, &g);
  if (st != DT_OK) return st;
  g.include_pad = count_include_pad != 0;
  g.divisor = divisor_override > 0 ? divisor_override : 0;
  if (g.planes * g.Lout == 0) return DT_OK;
  if (!x || !y || (mode == POOL_FRACTIONAL && !samples)) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  if (dtype == DT_F32) return pool_run_f32(&g, (const float*)x, (float*)y, indices, (const float*)samples, 0);
  return pool_run_f64(&g, (const double*)x, (double*)y, indices, (const double*)samples, 0);
}

DT_API int32_t dt_pool_avg_backward(int32_t mode, int32_t dtype, int32_t rank, const int32_t* geom, const void* gy,
                                    void* gx, int32_t count_include_pad, int32_t divisor_override) {
  static const char* fn = "dt_pool_avg_backward";
  pool_geom g;
  int32_t st = pool_parse(fn, POOL_AVG, mode, dtype, rank, geom, &g);
  if (st != DT_OK) return st;
  g.include_pad = count_include_pad != 0;
  g.divisor = divisor_override > 0 ? divisor_override : 0;
  if (g.planes * g.Lin == 0) return DT_OK;
  if (!gx || (!gy && g.Lout > 0)) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  if (dtype == DT_F32) return pool_run_f32(&g, (const float*)gx, (float*)gy, NULL, NULL, 1);
  return pool_run_f64(&g, (const double*)gx, (double*)gy, NULL, NULL, 1);
}
