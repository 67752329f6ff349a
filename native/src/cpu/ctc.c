/*
 * ctc.c: the connectionist temporal classification loss (PyTorch's CPU ctc_loss and its
 * backward): the alpha recursion in log space forward, the beta recursion and PyTorch's
 * gradient formula backward, one batch element per OpenMP iteration.
 *
 * Layouts (all contiguous): logp [t, n, c]; targets int64 [n, s] padded (TypeScript packs
 * concatenated targets); input_lengths and target_lengths int64 [n]; log_alpha [n, t, 2 s + 1].
 * Every length and every used label is checked before anything is written.
 */
#include <stdint.h>
#include <stdlib.h>

#include "dt_common.h"

#define CTC_CAT2(a, b) a##b
#define CTC_CAT(a, b) CTC_CAT2(a, b)
#define CN(name) CTC_CAT(name, CTC_CAT(_, S))

#define T float
#define S f32
#define EXP expf
#define LOG logf
#include "ctc_tpl.h"
#undef T
#undef S
#undef EXP
#undef LOG

#define T double
#define S f64
#define EXP exp
#define LOG log
#include "ctc_tpl.h"
#undef T
#undef S
#undef EXP
#undef LOG

#undef CN

static int32_t ctc_check(const char* fname, int32_t dtype, int32_t t, int32_t n, int32_t c, int32_t s, int32_t blank,
                         const int64_t* targets, const int64_t* il, const int64_t* tl) {
  if (!dt_dtype_is_float(dtype))
    return dt_fail(DT_ERR_DTYPE, "%s: expected a float32 or float64 tensor, got %s", fname, dt_dtype_name(dtype));
  DT_CHECK_NONNEG(fname, "t", t);
  DT_CHECK_NONNEG(fname, "n", n);
  DT_CHECK_NONNEG(fname, "c", c);
  DT_CHECK_NONNEG(fname, "s", s);
  if (blank < 0 || blank >= c)
    return dt_fail(DT_ERR_ARG, "%s: blank must be in [0, %d), got %d", fname, (int)c, (int)blank);
  for (int64_t b = 0; b < n; b++) {
    if (il[b] < 0 || il[b] > t)
      return dt_fail(DT_ERR_ARG, "%s: input length %lld of sample %lld is outside [0, %d]", fname,
                     (long long)il[b], (long long)b, (int)t);
    if (tl[b] < 0 || tl[b] > s)
      return dt_fail(DT_ERR_ARG, "%s: target length %lld of sample %lld is outside [0, %d]", fname,
                     (long long)tl[b], (long long)b, (int)s);
    for (int64_t j = 0; j < tl[b]; j++) {
      const int64_t v = targets[b * s + j];
      if (v < 0 || v >= c)
        return dt_fail(DT_ERR_INDEX, "%s: target %lld is out of bounds (expected a class index in [0, %d))", fname,
                       (long long)v, (int)c);
    }
  }
  return DT_OK;
}

DT_API int32_t dt_ctc_forward(int32_t dtype, int32_t t, int32_t n, int32_t c, int32_t s, int32_t blank,
                              const void* logp, const int64_t* targets, const int64_t* input_lengths,
                              const int64_t* target_lengths, void* nll, void* log_alpha) {
  int32_t st = ctc_check("dt_ctc_forward", dtype, t, n, c, s, blank, targets, input_lengths, target_lengths);
  if (st != DT_OK) return st;
  if (dtype == DT_F32)
    ctc_fwd_f32(t, n, c, s, blank, (const float*)logp, targets, input_lengths, target_lengths, (float*)nll,
                (float*)log_alpha);
  else
    ctc_fwd_f64(t, n, c, s, blank, (const double*)logp, targets, input_lengths, target_lengths, (double*)nll,
                (double*)log_alpha);
  return DT_OK;
}

DT_API int32_t dt_ctc_backward(int32_t dtype, int32_t t, int32_t n, int32_t c, int32_t s, int32_t blank,
                               int32_t zero_infinity, const void* logp, const int64_t* targets,
                               const int64_t* input_lengths, const int64_t* target_lengths, const void* nll,
                               const void* log_alpha, const void* gout, void* grad) {
  int32_t st = ctc_check("dt_ctc_backward", dtype, t, n, c, s, blank, targets, input_lengths, target_lengths);
  if (st != DT_OK) return st;
  const size_t w = 2 * (size_t)s + 1, es = dt_dtype_size(dtype);
  /* two beta rows per sample: refuse a size_t overflow (possible for huge n and s with t = 0,
   * where no caller buffer bounds them) instead of allocating a wrapped, too small buffer */
  if (n > 0 && 2 * w > (SIZE_MAX / es - 1) / (size_t)n)
    return dt_fail(DT_ERR_MEMORY, "dt_ctc_backward: n = %d samples of 2 x %zu beta values overflow size_t", (int)n, w);
  void* beta = malloc(es * (2 * w * (size_t)n + 1));
  if (beta == NULL) return dt_fail(DT_ERR_MEMORY, "dt_ctc_backward: out of memory");
  if (dtype == DT_F32)
    ctc_bwd_f32(t, n, c, s, blank, zero_infinity != 0, (const float*)logp, targets, input_lengths, target_lengths,
                (const float*)nll, (const float*)log_alpha, (const float*)gout, (float*)beta, (float*)grad);
  else
    ctc_bwd_f64(t, n, c, s, blank, zero_infinity != 0, (const double*)logp, targets, input_lengths,
                target_lengths, (const double*)nll, (const double*)log_alpha, (const double*)gout, (double*)beta,
                (double*)grad);
  free(beta);
  return DT_OK;
}
