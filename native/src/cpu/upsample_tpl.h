/*
 * upsample_tpl.h: resampling kernels for one float dtype, included by upsample.c with T the
 * element type and S its suffix. No include guard on purpose.
 */

/* Two taps per output position of one dim: sources i0/i1 with weights w0/w1. */
typedef struct {
  int64_t *i0, *i1;
  T *w0, *w1;
  int taps; /* 1 for size-1 padding dims and nearest, 2 for linear */
} RN(up_dim);

/* PyTorch's index rules (UpSample.h): nearest_idx, area_pixel_compute_scale and
 * area_pixel_compute_source_index, evaluated in T as PyTorch does for float and double. */
static void RN(up_table)(const up_geom* g, int d, RN(up_dim) * t) {
  const int64_t in = g->in[d], out = g->out[d];
  const double us = g->scale[d];
  const int padding_dim = d < 3 - g->rank;
  t->taps = (g->mode == UP_LINEAR && !padding_dim) ? 2 : 1;
  if (g->mode == UP_NEAREST || padding_dim) {
    const float scale = us > 0 ? (float)(1.0 / us) : (float)in / (float)out;
    for (int64_t o = 0; o < out; o++) {
      int64_t i;
      if (out == in) i = o;
      else if (out == 2 * in) i = o >> 1;
      else {
        i = (int64_t)floorf((float)o * scale);
        if (i > in - 1) i = in - 1;
      }
      t->i0[o] = t->i1[o] = i;
      t->w0[o] = 1;
      t->w1[o] = 0;
    }
    return;
  }
  T scale;
  if (g->align_corners) scale = out > 1 ? (T)(in - 1) / (T)(out - 1) : (T)0;
  else scale = us > 0 ? (T)(1.0 / us) : (T)in / (T)out;
  for (int64_t o = 0; o < out; o++) {
    T real;
    if (g->align_corners) real = scale * (T)o;
    else {
      real = scale * ((T)o + (T)0.5) - (T)0.5;
      if (real < 0) real = 0;
    }
    int64_t i0 = (int64_t)real;
    if (i0 > in - 1) i0 = in - 1;
    T l1 = real - (T)i0;
    if (l1 > 1) l1 = 1;
    t->i0[o] = i0;
    t->i1[o] = i0 + (i0 < in - 1 ? 1 : 0);
    t->w1[o] = l1;
    t->w0[o] = (T)1 - l1;
  }
}

static void RN(up_plane)(const up_geom* g, const RN(up_dim) * t, const T* x, T* y) {
  const int64_t H = g->in[1], W = g->in[2];
  const RN(up_dim)*td = &t[0], *th = &t[1], *tw = &t[2];
  int64_t o = 0;
  for (int64_t od = 0; od < g->out[0]; od++)
    for (int64_t oh = 0; oh < g->out[1]; oh++) {
      if (g->mode == UP_NEAREST) {
        const T* row = x + (td->i0[od] * H + th->i0[oh]) * W;
        for (int64_t ow = 0; ow < g->out[2]; ow++, o++) y[o] = row[tw->i0[ow]];
        continue;
      }
      const int64_t ids[2] = {td->i0[od], td->i1[od]}, ihs[2] = {th->i0[oh], th->i1[oh]};
      const T wds[2] = {td->w0[od], td->w1[od]}, whs[2] = {th->w0[oh], th->w1[oh]};
      for (int64_t ow = 0; ow < g->out[2]; ow++, o++) {
        const int64_t iw0 = tw->i0[ow], iw1 = tw->i1[ow];
        const T ww0 = tw->w0[ow], ww1 = tw->w1[ow];
        T acc_d = 0;
        for (int a = 0; a < td->taps; a++) {
          T acc_h = 0;
          for (int b = 0; b < th->taps; b++) {
            const T* row = x + (ids[a] * H + ihs[b]) * W;
            acc_h += (row[iw0] * ww0 + row[iw1] * ww1) * whs[b];
          }
          acc_d += acc_h * wds[a];
        }
        y[o] = acc_d;
      }
    }
}

static void RN(up_back_plane)(const up_geom* g, const RN(up_dim) * t, const T* gy, T* gx) {
  const int64_t H = g->in[1], W = g->in[2];
  const RN(up_dim)*td = &t[0], *th = &t[1], *tw = &t[2];
  memset(gx, 0, sizeof(T) * (size_t)g->Lin);
  int64_t o = 0;
  for (int64_t od = 0; od < g->out[0]; od++)
    for (int64_t oh = 0; oh < g->out[1]; oh++) {
      if (g->mode == UP_NEAREST) {
        T* row = gx + (td->i0[od] * H + th->i0[oh]) * W;
        for (int64_t ow = 0; ow < g->out[2]; ow++, o++) row[tw->i0[ow]] += gy[o];
        continue;
      }
      const int64_t ids[2] = {td->i0[od], td->i1[od]}, ihs[2] = {th->i0[oh], th->i1[oh]};
      const T wds[2] = {td->w0[od], td->w1[od]}, whs[2] = {th->w0[oh], th->w1[oh]};
      for (int64_t ow = 0; ow < g->out[2]; ow++, o++) {
        const int64_t iw0 = tw->i0[ow], iw1 = tw->i1[ow];
        const T ww0 = tw->w0[ow], ww1 = tw->w1[ow], v = gy[o];
        for (int a = 0; a < td->taps; a++)
          for (int b = 0; b < th->taps; b++) {
            T* row = gx + (ids[a] * H + ihs[b]) * W;
            const T wv = v * wds[a] * whs[b];
            row[iw0] += wv * ww0;
            row[iw1] += wv * ww1;
          }
      }
    }
}

/* Forward (src = x, dst = y) or backward (src = gy, dst = gx) over every plane. */
static int32_t RN(up_run)(const up_geom* g, const T* src, T* dst, int backward) {
  const int64_t total = g->out[0] + g->out[1] + g->out[2];
  char* buf = (char*)malloc((sizeof(int64_t) * 2 + sizeof(T) * 2) * (size_t)total);
  if (!buf) return dt_fail(DT_ERR_MEMORY, "upsample: out of memory");
  RN(up_dim) t[3];
  int64_t* ib = (int64_t*)buf;
  T* wb = (T*)(buf + sizeof(int64_t) * 2 * (size_t)total);
  for (int d = 0; d < 3; d++) {
    t[d].i0 = ib;
    t[d].i1 = ib + g->out[d];
    t[d].w0 = wb;
    t[d].w1 = wb + g->out[d];
    ib += 2 * g->out[d];
    wb += 2 * g->out[d];
    RN(up_table)(g, d, &t[d]);
  }
  const int nt = dt_nthreads_for(g->planes * (g->Lin + g->Lout));
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
  for (int64_t p = 0; p < g->planes; p++) {
    if (backward) RN(up_back_plane)(g, t, src + p * g->Lout, dst + p * g->Lin);
    else RN(up_plane)(g, t, src + p * g->Lin, dst + p * g->Lout);
  }
  free(buf);
  return DT_OK;
}
