/*
 * pool_tpl.h: rank-generic pooling kernels for one float dtype. Included once per dtype by
 * pool.c with T the element type and S its suffix. No include guard on purpose.
 *
 * Every rank is padded to three dims (D, H, W) with size-1 leading dims, so 1-d, 2-d and 3-d
 * pooling run through the same loops. The windows of each dim come from a pool_dim table
 * (start, end, step and the padded length of each output position), built by pool.c for
 * regular, adaptive and fractional windows alike.
 */

#define RN(name) DT_CAT(name, DT_CAT(_, S))

/* PyTorch's interval sequence of fractional max pooling, in the dtype's own arithmetic. */
static void RN(frac_intervals)(T sample, int64_t in, int64_t out, int64_t pool, int64_t* seq) {
  if (out > 1) {
    const T alpha = (T)(in - pool) / (T)(out - 1);
    for (int64_t i = 0; i < out - 1; i++) seq[i] = (int64_t)(((T)i + sample) * alpha) - (int64_t)(sample * alpha);
  }
  if (out > 0) seq[out - 1] = in - pool;
}

/* Forward of one plane: max (values and flat indices) or average over each window. */
static void RN(pool_plane)(const pool_geom* g, const pool_dim* dims, const T* x, T* y, int64_t* yi) {
  const pool_dim *dd = &dims[0], *dh = &dims[1], *dw = &dims[2];
  const int64_t H = g->in[1], W = g->in[2];
  int64_t o = 0;
  for (int64_t od = 0; od < g->out[0]; od++) {
    for (int64_t oh = 0; oh < g->out[1]; oh++) {
      for (int64_t ow = 0; ow < g->out[2]; ow++, o++) {
        const int64_t d0 = dd->start[od], d1 = dd->end[od], h0 = dh->start[oh], h1 = dh->end[oh];
        const int64_t w0 = dw->start[ow], w1 = dw->end[ow];
        if (g->op == POOL_MAX) {
          T best = -INFINITY;
          int64_t bi = (d0 < d1 && h0 < h1 && w0 < w1) ? (d0 * H + h0) * W + w0 : 0;
          for (int64_t id = d0; id < d1; id += dd->step)
            for (int64_t ih = h0; ih < h1; ih += dh->step) {
              const int64_t row = (id * H + ih) * W;
              for (int64_t iw = w0; iw < w1; iw += dw->step) {
                const T v = x[row + iw];
                if (v > best || v != v) { /* NaN wins and propagates, as in PyTorch */
                  best = v;
                  bi = row + iw;
                }
              }
            }
          y[o] = best;
          if (yi) yi[o] = bi;
        } else {
          if (d0 >= d1 || h0 >= h1 || w0 >= w1) {
            y[o] = 0;
            continue;
          }
          double sum = 0;
          for (int64_t id = d0; id < d1; id++)
            for (int64_t ih = h0; ih < h1; ih++) {
              const T* row = x + (id * H + ih) * W;
              for (int64_t iw = w0; iw < w1; iw++) sum += row[iw];
            }
          const int64_t div = g->divisor > 0 ? g->divisor
                              : g->include_pad ? dd->padlen[od] * dh->padlen[oh] * dw->padlen[ow]
                                               : (d1 - d0) * (h1 - h0) * (w1 - w0);
          y[o] = (T)(sum / (double)div);
        }
      }
    }
  }
}

/* Average-pool backward of one plane: each output gradient spread evenly over its window. */
static void RN(avg_back_plane)(const pool_geom* g, const pool_dim* dims, const T* gy, T* gx) {
  const pool_dim *dd = &dims[0], *dh = &dims[1], *dw = &dims[2];
  const int64_t H = g->in[1], W = g->in[2];
  memset(gx, 0, sizeof(T) * (size_t)g->Lin);
  int64_t o = 0;
  for (int64_t od = 0; od < g->out[0]; od++)
    for (int64_t oh = 0; oh < g->out[1]; oh++)
      for (int64_t ow = 0; ow < g->out[2]; ow++, o++) {
        const int64_t d0 = dd->start[od], d1 = dd->end[od], h0 = dh->start[oh], h1 = dh->end[oh];
        const int64_t w0 = dw->start[ow], w1 = dw->end[ow];
        if (d0 >= d1 || h0 >= h1 || w0 >= w1) continue;
        const int64_t div = g->divisor > 0 ? g->divisor
                            : g->include_pad ? dd->padlen[od] * dh->padlen[oh] * dw->padlen[ow]
                                             : (d1 - d0) * (h1 - h0) * (w1 - w0);
        const T v = (T)(gy[o] / (T)div);
        for (int64_t id = d0; id < d1; id++)
          for (int64_t ih = h0; ih < h1; ih++) {
            T* row = gx + (id * H + ih) * W;
            for (int64_t iw = w0; iw < w1; iw++) row[iw] += v;
          }
      }
}

/* All planes; fractional windows are rebuilt per plane from its samples ([planes, rank]). */
static int32_t RN(pool_run)(const pool_geom* g, const T* x, T* y, int64_t* yi, const T* samples, int backward) {
  const int nt = dt_nthreads_for(g->planes * (g->Lin + g->Lout));
  int failed = 0;
  pool_dim shared[3];
  int64_t* shared_buf = NULL;
  if (g->mode != POOL_FRACTIONAL) {
    shared_buf = pool_tables_alloc(g, shared);
    if (!shared_buf) return dt_fail(DT_ERR_MEMORY, "pool: out of memory");
    pool_tables_fill(g, shared);
  }
#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    pool_dim local[3];
    int64_t* local_buf = NULL;
    const pool_dim* dims = shared;
    if (g->mode == POOL_FRACTIONAL) {
      local_buf = pool_tables_alloc(g, local);
      if (!local_buf) {
#pragma omp atomic write
        failed = 1;
      }
      dims = local;
    }
#pragma omp for schedule(static)
    for (int64_t p = 0; p < g->planes; p++) {
      if (g->mode == POOL_FRACTIONAL) {
        if (!local_buf) continue;
        for (int d = 0; d < g->rank; d++) {
          const int pd = 3 - g->rank + d;
          /* PyTorch's sample order: 2-d uses [w, h], 3-d uses [t, h, w] */
          const int si = g->rank == 2 ? g->rank - 1 - d : d;
          RN(frac_intervals)(samples[p * g->rank + si], g->in[pd], g->out[pd], g->k[pd], local[pd].start);
          for (int64_t o = 0; o < g->out[pd]; o++) {
            int64_t s0 = local[pd].start[o], e0 = s0 + g->k[pd];
            local[pd].start[o] = s0 < 0 ? 0 : s0;
            local[pd].end[o] = e0 > g->in[pd] ? g->in[pd] : e0;
          }
        }
      }
      if (backward)
        RN(avg_back_plane)(g, dims, y + p * g->Lout, (T*)x + p * g->Lin);
      else
        RN(pool_plane)(g, dims, x + p * g->Lin, y + p * g->Lout, yi ? yi + p * g->Lout : NULL);
    }
    free(local_buf);
  }
  free(shared_buf);
  if (failed) return dt_fail(DT_ERR_MEMORY, "pool: out of memory");
  return DT_OK;
}

#undef RN
