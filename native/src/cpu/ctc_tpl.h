/*
 * ctc_tpl.h: the CTC kernels for one float dtype, included by ctc.c with T the element type,
 * S its suffix and EXP/LOG its exp/log. No include guard on purpose.
 *
 * PyTorch 1.13's ctc_loss_cpu_template and ctc_loss_backward_cpu_template (LossCTC.cpp), op
 * for op in T: the same log-sum-exp of up to three terms with the running maximum (0 when
 * every term is -inf), the same order of additions, so float32 matches PyTorch's rounding.
 * Sample b's extended target l' is blank, l1, blank, l2, ..., blank (2 L + 1 symbols).
 */

/* The s-th symbol of sample b's extended target. */
static inline int64_t CN(prime)(const int64_t* tg, int64_t s, int64_t blank) {
  return (s & 1) ? tg[s >> 1] : blank;
}

/* Forward of sample b: alpha [tt, 2 smax + 1] (row stride w), its nll. */
static T CN(fwd_one)(int64_t tt, int64_t n, int64_t c, int64_t w, int64_t blank, const T* logp, const int64_t* tg,
                     int64_t il, int64_t tl, int64_t b, T* alpha) {
  const T neginf = -(T)INFINITY;
  for (int64_t i = 0; i < tt * w; i++) alpha[i] = neginf;
  if (il == 0) return tl == 0 ? (T)0 : (T)INFINITY; /* an empty input aligns only to an empty target */
  const T* lp0 = logp + b * c;                       /* logp[t, b, :] = lp0 + t * n * c */
  const int64_t ns = 2 * tl + 1;
  alpha[0] = lp0[blank];
  if (tl > 0) alpha[1] = lp0[CN(prime)(tg, 1, blank)];
  for (int64_t t = 1; t < il; t++) {
    const T* lpt = lp0 + t * n * c;
    const T* prev = alpha + (t - 1) * w;
    T* cur = alpha + t * w;
    for (int64_t s = 0; s < ns; s++) {
      const int64_t cp = CN(prime)(tg, s, blank);
      const T la1 = prev[s];
      T lamax = la1, la2, la3;
      if (s > 0) {
        la2 = prev[s - 1];
        if (la2 > lamax) lamax = la2;
      } else {
        la2 = neginf;
      }
      if (s > 1 && CN(prime)(tg, s - 2, blank) != cp) {
        la3 = prev[s - 2];
        if (la3 > lamax) lamax = la3;
      } else {
        la3 = neginf;
      }
      if (lamax == neginf) lamax = 0;
      cur[s] = LOG(EXP(la1 - lamax) + EXP(la2 - lamax) + EXP(la3 - lamax)) + lamax + lpt[cp];
    }
  }
  const T* last = alpha + (il - 1) * w;
  if (tl == 0) return -last[0];
  const T l1 = last[2 * tl], l2 = last[2 * tl - 1];
  T m = l1 > l2 ? l1 : l2; /* std::max(l1, l2) */
  if (m == neginf) m = 0;
  return -(LOG(EXP(l1 - m) + EXP(l2 - m)) + m);
}

static void CN(ctc_fwd)(int64_t tt, int64_t n, int64_t c, int64_t smax, int64_t blank, const T* logp,
                        const int64_t* targets, const int64_t* il, const int64_t* tl, T* nll, T* alpha) {
  const int64_t w = 2 * smax + 1;
  const int nt = dt_nthreads_for(n * tt * w);
  DT_PARALLEL_FOR(b, n, {
    nll[b] = CN(fwd_one)(tt, n, c, w, blank, logp, targets + b * smax, il[b], tl[b], b, alpha + b * tt * w);
  });
}

/* Backward of sample b into grad[:, b, :] (stride n * c between time steps); beta is two rows of w. */
static void CN(bwd_one)(int64_t tt, int64_t n, int64_t c, int64_t w, int64_t blank, int zero_inf, const T* logp,
                        const int64_t* tg, int64_t il, int64_t tl, int64_t b, T nll, const T* alpha, T gr, T* beta,
                        T* grad) {
  const T neginf = -(T)INFINITY;
  const T* lp0 = logp + b * c;
  T* g0 = grad + b * c;
  const int64_t tn = n * c;
  if (zero_inf && nll == (T)INFINITY) il = 0; /* the whole column is zeroed below */
  for (int64_t t = 0; t < il; t++)
    for (int64_t k = 0; k < c; k++) g0[t * tn + k] = neginf; /* log of an empty sum */
  if (il > 0) {
    T* bl = beta + ((il - 1) & 1) * w;
    for (int64_t s = 0; s < w; s++) bl[s] = neginf;
    const T* lpl = lp0 + (il - 1) * tn;
    const T* al = alpha + (il - 1) * w;
    T* gl = g0 + (il - 1) * tn;
    bl[2 * tl] = lpl[blank];
    gl[blank] = al[2 * tl] + bl[2 * tl];
    if (tl > 0) {
      const int64_t cp = CN(prime)(tg, 2 * tl - 1, blank);
      bl[2 * tl - 1] = lpl[cp];
      gl[cp] = al[2 * tl - 1] + bl[2 * tl - 1];
    }
  }
  for (int64_t t = il - 2; t >= 0; t--) {
    const T* nx = beta + ((t + 1) & 1) * w;
    T* cur = beta + (t & 1) * w;
    const T* lpt = lp0 + t * tn;
    const T* at = alpha + t * w;
    T* gt = g0 + t * tn;
    for (int64_t s = 2 * tl; s >= 0; s--) {
      const T lb1 = nx[s];
      T lbmax = lb1, lb2, lb3;
      const int64_t cp = CN(prime)(tg, s, blank);
      if (s < 2 * tl) {
        lb2 = nx[s + 1];
        if (lb2 > lbmax) lbmax = lb2;
      } else {
        lb2 = neginf;
      }
      if (s < 2 * tl - 1 && CN(prime)(tg, s + 2, blank) != cp) {
        lb3 = nx[s + 2];
        if (lb3 > lbmax) lbmax = lb3;
      } else {
        lb3 = neginf;
      }
      if (lbmax == neginf) lbmax = 0;
      cur[s] = LOG(EXP(lb1 - lbmax) + EXP(lb2 - lbmax) + EXP(lb3 - lbmax)) + lbmax + lpt[cp];
      const T lab = at[s] + cur[s];
      T* lcab = &gt[cp];
      if (*lcab == neginf) {
        *lcab = lab;
      } else {
        const T mx = *lcab > lab ? *lcab : lab; /* std::max */
        *lcab = LOG(EXP(*lcab - mx) + EXP(lab - mx)) + mx;
      }
    }
  }
  for (int64_t t = 0; t < il; t++) {
    const T* lpt = lp0 + t * tn;
    T* gt = g0 + t * tn;
    for (int64_t k = 0; k < c; k++) {
      const T lp = lpt[k];
      gt[k] = (EXP(lp) - EXP(gt[k] + nll - lp)) * gr;
    }
  }
  for (int64_t t = il; t < tt; t++)
    for (int64_t k = 0; k < c; k++) g0[t * tn + k] = 0;
}

static void CN(ctc_bwd)(int64_t tt, int64_t n, int64_t c, int64_t smax, int64_t blank, int zero_inf, const T* logp,
                        const int64_t* targets, const int64_t* il, const int64_t* tl, const T* nll, const T* alpha,
                        const T* gout, T* beta, T* grad) {
  const int64_t w = 2 * smax + 1;
  const int nt = dt_nthreads_for(n * tt * w);
  DT_PARALLEL_FOR(b, n, {
    CN(bwd_one)(tt, n, c, w, blank, zero_inf, logp, targets + b * smax, il[b], tl[b], b, nll[b], alpha + b * tt * w,
                gout[b], beta + b * 2 * w, grad);
  });
}
