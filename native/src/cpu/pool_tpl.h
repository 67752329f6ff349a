/*
 * pool_tpl.h: rank-generic pooling kernels for one float dtype. Included once per dtype by
 * pool.c with T the element type, UT the unsigned integer of its size and S its suffix. No
 * include guard on purpose.
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

/* Max over the windows of outputs [a, b) of one output row, for one input row `xr` (flat offset
 * `row` in the plane): each output's window elements in order, the first maximum (or NaN) wins,
 * exactly as a per-output loop would. Generic windows (any start, end and step). */
static void RN(max_row_edge)(const pool_dim* dw, const T* xr, int64_t row, int64_t a, int64_t b, T* y, int64_t* yi) {
  for (int64_t ow = a; ow < b; ow++) {
    T best = y[ow];
    int64_t bi = yi ? yi[ow] : 0;
    for (int64_t iw = dw->start[ow]; iw < dw->end[ow]; iw += dw->step) {
      const T v = xr[iw];
      if (v > best || v != v) { /* NaN wins and propagates, as in PyTorch */
        best = v;
        bi = row + iw;
      }
    }
    y[ow] = best;
    if (yi) yi[ow] = bi;
  }
}

/* One window element for the regular outputs [a, b) of a row: xs[ow * us] against the running
 * maximum y[ow] (and, when bi, its flat plane index as int32 in bi[ow - a]). The comparison is
 * written as selects over whole arrays so that it vectorizes (a branch per element cost ~16 ns
 * per output on random data); always inlined so that a constant stride specializes it. */
static inline __attribute__((always_inline)) void RN(max_update)(const T* restrict xs, int32_t base, int64_t us,
                                                                  int64_t a, int64_t b, T* restrict y,
                                                                  int32_t* restrict bi) {
  if (bi) {
    for (int64_t ow = a; ow < b; ow++) {
      const T v = xs[ow * us], c = y[ow];
      const int take = (v > c) | (v != v);
      y[ow] = take ? v : c;
      bi[ow - a] = take ? base + (int32_t)(ow * us) : bi[ow - a];
    }
  } else {
    for (int64_t ow = a; ow < b; ow++) {
      const T v = xs[ow * us], c = y[ow];
      y[ow] = ((v > c) | (v != v)) ? v : c;
    }
  }
}

/* Stride 1 gets contiguous vector loads; a constant stride 2 was measured 2x slower than the
 * generic loop (GCC's SSE2 de-interleaving), so other strides share one instance. */
static void RN(max_update_any)(const T* xs, int32_t base, int64_t us, int64_t a, int64_t b, T* y, int32_t* bi) {
  if (us == 1) RN(max_update)(xs, base, 1, a, b, y, bi);
  else RN(max_update)(xs, base, us, a, b, y, bi);
}

/* Forward of one plane: max (values and, when yi, flat indices) or average over each window.
 * Output rows are computed a whole row at a time: for each input row of the row's window, the
 * outputs whose windows along the last dim are regular ([ulo, uhi) of pool_uniform) update
 * together in a vectorizable loop over the output position; the others go element by element.
 * Every output sees its window's elements in the same order (depth, height, width) either way. */
static void RN(pool_plane)(const pool_geom* g, const pool_dim* dims, const pool_uniform* u, const T* x, T* y,
                           int64_t* yi) {
  const pool_dim *dd = &dims[0], *dh = &dims[1], *dw = &dims[2];
  const int64_t H = g->in[1], W = g->in[2], Wo = g->out[2];
  const int64_t us = u->stride, ub = u->base, uc = u->count, ulo = u->lo, uhi = u->hi, st = dw->step;
  double acc[POOL_CHUNK];
  int32_t bidx[POOL_CHUNK];
  for (int64_t od = 0; od < g->out[0]; od++) {
    for (int64_t oh = 0; oh < g->out[1]; oh++) {
      const int64_t d0 = dd->start[od], d1 = dd->end[od], h0 = dh->start[oh], h1 = dh->end[oh];
      const int64_t o = (od * g->out[1] + oh) * Wo;
      T* yr = y + o;
      int64_t* yir = yi ? yi + o : NULL;
      const int empty_dh = !(d0 < d1 && h0 < h1);
      if (g->op == POOL_MAX) {
        for (int64_t ow = 0; ow < Wo; ow++) {
          yr[ow] = -INFINITY;
          if (yir) yir[ow] = (!empty_dh && dw->start[ow] < dw->end[ow]) ? (d0 * H + h0) * W + dw->start[ow] : 0;
        }
        /* outputs with irregular windows, one at a time */
        if (ulo > 0 || uhi < Wo)
          for (int64_t id = d0; id < d1; id += dd->step)
            for (int64_t ih = h0; ih < h1; ih += dh->step) {
              const int64_t row = (id * H + ih) * W;
              RN(max_row_edge)(dw, x + row, row, 0, ulo, yr, yir);
              RN(max_row_edge)(dw, x + row, row, uhi, Wo, yr, yir);
            }
        /* regular ones POOL_CHUNK at a time, indices kept as int32 while they run */
        for (int64_t c0 = ulo; c0 < uhi; c0 += POOL_CHUNK) {
          const int64_t c1 = uhi - c0 < POOL_CHUNK ? uhi : c0 + POOL_CHUNK;
          int32_t* bi = yir ? bidx : NULL;
          if (bi)
            for (int64_t ow = c0; ow < c1; ow++) bi[ow - c0] = (int32_t)yir[ow];
          for (int64_t id = d0; id < d1; id += dd->step)
            for (int64_t ih = h0; ih < h1; ih += dh->step) {
              const int64_t row = (id * H + ih) * W;
              for (int64_t j = 0; j < uc; j++)
                RN(max_update_any)(x + row + ub + j * st, (int32_t)(row + ub + j * st), us, c0, c1, yr, bi);
            }
          if (bi)
            for (int64_t ow = c0; ow < c1; ow++) yir[ow] = bi[ow - c0];
        }
        continue;
      }
      /* average: sums in double, POOL_CHUNK outputs at a time */
      for (int64_t c0 = 0; c0 < Wo; c0 += POOL_CHUNK) {
        const int64_t c1 = Wo - c0 < POOL_CHUNK ? Wo : c0 + POOL_CHUNK;
        const int64_t a = ulo > c0 ? (ulo < c1 ? ulo : c1) : c0, b = uhi < c1 ? (uhi > a ? uhi : a) : c1;
        for (int64_t ow = c0; ow < c1; ow++) acc[ow - c0] = 0;
        for (int64_t id = d0; id < d1; id++)
          for (int64_t ih = h0; ih < h1; ih++) {
            const T* xr = x + (id * H + ih) * W;
            for (int64_t ow = c0; ow < a; ow++)
              for (int64_t iw = dw->start[ow]; iw < dw->end[ow]; iw++) acc[ow - c0] += xr[iw];
            for (int64_t j = 0; j < uc; j++) {
              const T* xs = xr + ub + j;
              for (int64_t ow = a; ow < b; ow++) acc[ow - c0] += xs[ow * us];
            }
            for (int64_t ow = b; ow < c1; ow++)
              for (int64_t iw = dw->start[ow]; iw < dw->end[ow]; iw++) acc[ow - c0] += xr[iw];
          }
        for (int64_t ow = c0; ow < c1; ow++) {
          const int64_t w0 = dw->start[ow], w1 = dw->end[ow];
          if (empty_dh || w0 >= w1) {
            yr[ow] = 0;
            continue;
          }
          const int64_t div = g->divisor > 0 ? g->divisor
                              : g->include_pad ? dd->padlen[od] * dh->padlen[oh] * dw->padlen[ow]
                                               : (d1 - d0) * (h1 - h0) * (w1 - w0);
          yr[ow] = (T)(acc[ow - c0] / (double)div);
        }
      }
    }
  }
}

/* Average of a whole contiguous plane (global pooling): independent double chains. */
static T RN(plane_mean)(const T* x, int64_t n, int64_t div) {
  double r[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int k = 0; k < 8; k++) r[k] += x[j + k];
  for (; j < n; j++) r[0] += x[j];
  const double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  return (T)(s / (double)div);
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
  if (!backward && g->op == POOL_AVG && g->mode != POOL_FRACTIONAL && pool_is_global(g)) {
    const int64_t div = g->divisor > 0 ? g->divisor : g->Lin;
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static)
    for (int64_t p = 0; p < g->planes; p++) y[p] = RN(plane_mean)(x + p * g->Lin, g->Lin, div);
    return DT_OK;
  }
  int failed = 0;
  pool_dim shared[3];
  int64_t* shared_buf = NULL;
  if (g->mode != POOL_FRACTIONAL) {
    shared_buf = pool_tables_alloc(g, shared);
    if (!shared_buf) return dt_fail(DT_ERR_MEMORY, "pool: out of memory");
    pool_tables_fill(g, shared);
  }
  pool_uniform su = {0, 0, 0, 0, 0};
  if (g->mode != POOL_FRACTIONAL) su = pool_find_uniform(g, &shared[2]);
#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    pool_dim local[3];
    int64_t* local_buf = NULL;
    const pool_dim* dims = shared;
    pool_uniform lu = su;
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
        lu = pool_find_uniform(g, &local[2]);
      }
      if (backward)
        RN(avg_back_plane)(g, dims, y + p * g->Lout, (T*)x + p * g->Lin);
      else
        RN(pool_plane)(g, dims, &lu, x + p * g->Lin, y + p * g->Lout, yi ? yi + p * g->Lout : NULL);
    }
    free(local_buf);
  }
  free(shared_buf);
  if (failed) return dt_fail(DT_ERR_MEMORY, "pool: out of memory");
  return DT_OK;
}

#undef RN
