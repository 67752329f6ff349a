/*
 * upsample.c: N-d resampling (1, 2 and 3 spatial dims through one code path), nearest and
 * (bi/tri)linear, forward and backward. Each dim gets a table of two source taps and their
 * weights per output position, computed with PyTorch's index rules in the dtype's arithmetic;
 * ranks below 3 are padded with size-1 leading dims whose single tap has weight 1.
 */
#include <stdlib.h>

#include "dt_common.h"
#include "scalar_ops.h"

#define DT_UP_MAX_RANK 3

enum { UP_NEAREST = 0, UP_LINEAR = 1 };

typedef struct {
  int rank, mode, align_corners;
  int64_t planes, in[3], out[3], Lin, Lout;
  double scale[3]; /* the user's scale factor per dim, <= 0 when absent */
} up_geom;

#define RN(name) DT_CAT(name, DT_CAT(_, S))

#define T float
#define S f32
#include "upsample_tpl.h"
#undef T
#undef S

#define T double
#define S f64
#include "upsample_tpl.h"
#undef T
#undef S

#undef RN

/* geom = [planes, in[r], out[r]]; scales[r] (double, <= 0 = none) may be NULL. */
static int32_t up_parse(const char* fn, int32_t mode, int32_t align_corners, int32_t dtype, int32_t rank,
                        const int32_t* geom, const double* scales, up_geom* g) {
  if (!dt_dtype_is_float(dtype))
    return dt_fail(DT_ERR_DTYPE, "%s: dtype %s is not supported (float32/float64 only)", fn, dt_dtype_name(dtype));
  if (rank < 1 || rank > DT_UP_MAX_RANK) return dt_fail(DT_ERR_ARG, "%s: rank must be 1, 2 or 3, got %d", fn, (int)rank);
  if (mode != UP_NEAREST && mode != UP_LINEAR) return dt_fail(DT_ERR_ARG, "%s: unknown mode %d", fn, (int)mode);
  if (!geom) return dt_fail(DT_ERR_ARG, "%s: geom is a null pointer", fn);
  g->rank = rank;
  g->mode = mode;
  g->align_corners = align_corners != 0;
  g->planes = geom[0];
  if (g->planes < 0) return dt_fail(DT_ERR_ARG, "%s: planes must be >= 0", fn);
  g->Lin = g->Lout = 1;
  for (int d = 0; d < 3; d++) {
    const int r = d - (3 - rank);
    if (r < 0) {
      g->in[d] = g->out[d] = 1;
      g->scale[d] = 0;
      continue;
    }
    g->in[d] = geom[1 + r];
    g->out[d] = geom[1 + rank + r];
    g->scale[d] = scales ? scales[r] : 0;
    if (g->in[d] < 1 || g->out[d] < 1)
      return dt_fail(DT_ERR_ARG, "%s: sizes must be positive in dim %d (in %lld, out %lld)", fn, r,
                     (long long)g->in[d], (long long)g->out[d]);
    g->Lin *= g->in[d];
    g->Lout *= g->out[d];
  }
  return DT_OK;
}

static int32_t up_dispatch(const char* fn, int backward, int32_t mode, int32_t align_corners, int32_t dtype,
                           int32_t rank, const int32_t* geom, const double* scales, const void* src, void* dst) {
  up_geom g;
  int32_t st = up_parse(fn, mode, align_corners, dtype, rank, geom, scales, &g);
  if (st != DT_OK) return st;
  if (g.planes == 0) return DT_OK;
  if (!src || !dst) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  if (dtype == DT_F32) return up_run_f32(&g, (const float*)src, (float*)dst, backward);
  return up_run_f64(&g, (const double*)src, (double*)dst, backward);
}

DT_API int32_t dt_upsample(int32_t mode, int32_t align_corners, int32_t dtype, int32_t rank, const int32_t* geom,
                           const double* scales, const void* x, void* y) {
  return up_dispatch("dt_upsample", 0, mode, align_corners, dtype, rank, geom, scales, x, y);
}

DT_API int32_t dt_upsample_backward(int32_t mode, int32_t align_corners, int32_t dtype, int32_t rank,
                                    const int32_t* geom, const double* scales, const void* gy, void* gx) {
  return up_dispatch("dt_upsample_backward", 1, mode, align_corners, dtype, rank, geom, scales, gy, gx);
}
