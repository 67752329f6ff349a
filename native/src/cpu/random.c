/*
 * random.c: counter-based random numbers (Philox4x32-10, Salmon et al. 2011, as in cuRAND and
 * PyTorch's CUDA generator). Element i of a call is a pure function of (seed, stream, i), so the
 * output is identical for any thread count and any split of the work.
 *   key     = (seed, stream)
 *   counter = (i low 32 bits, i high 32 bits, 0, 0)
 * Uniforms: float32 takes 24 bits of word 0, float64 53 bits of words 0-1, both in [0, 1).
 * Normal: Box-Muller on u1 (words 0-1, mapped to (0, 1]) and u2 (words 2-3) of the same counter.
 */
#include "dt_common.h"

typedef struct {
  uint32_t v[4];
} philox4;

static inline uint32_t mulhilo(uint32_t a, uint32_t b, uint32_t* hi) {
  const uint64_t p = (uint64_t)a * b;
  *hi = (uint32_t)(p >> 32);
  return (uint32_t)p;
}

static inline philox4 philox4x32_10(uint64_t i, uint32_t seed, uint32_t stream) {
  uint32_t c0 = (uint32_t)i, c1 = (uint32_t)(i >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = seed, k1 = stream;
  for (int r = 0; r < 10; r++) {
    uint32_t hi0, hi1;
    const uint32_t lo0 = mulhilo(0xD2511F53u, c0, &hi0);
    const uint32_t lo1 = mulhilo(0xCD9E8D57u, c2, &hi1);
    const uint32_t n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
    c0 = n0; c1 = n1; c2 = n2; c3 = n3;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  philox4 r = {{c0, c1, c2, c3}};
  return r;
}

/* [0, 1) with 53 random bits */
static inline double u53(uint32_t a, uint32_t b) {
  return (double)(((uint64_t)a << 21) ^ ((uint64_t)b >> 11)) * 0x1.0p-53;
}
/* [0, 1) with 24 random bits (exact in float) */
static inline float u24(uint32_t a) { return (float)(a >> 8) * 0x1.0p-24f; }

static int32_t check_rand(const char* fn, int32_t dtype, int32_t n, int32_t off, const void* out) {
  if (!dt_dtype_is_float(dtype))
    return dt_fail(DT_ERR_DTYPE, "%s: dtype %s is not supported (float32/float64 only)", fn, dt_dtype_name(dtype));
  DT_CHECK_NONNEG(fn, "n", n);
  DT_CHECK_NONNEG(fn, "out_off", off);
  if (n > 0 && !out) return dt_fail(DT_ERR_ARG, "%s: out is a null pointer", fn);
  return DT_OK;
}

DT_API int32_t dt_rand_uniform(int32_t dtype, int32_t n, void* out, int32_t out_off, uint32_t seed, uint32_t stream,
                               double lo, double hi) {
  int32_t st = check_rand("dt_rand_uniform", dtype, n, out_off, out);
  if (st != DT_OK) return st;
  const int nt = dt_nthreads_for(n);
  if (dtype == DT_F32) {
    float* o = (float*)out + out_off;
    const float flo = (float)lo, fhi = (float)hi, w = fhi - flo;
    DT_PARALLEL_FOR(i, n, {
      const philox4 r = philox4x32_10((uint64_t)i, seed, stream);
      float v = flo + w * u24(r.v[0]);
      if (v >= fhi && fhi > flo) v = nextafterf(fhi, flo); /* rounding must not reach hi */
      o[i] = v;
    });
  } else {
    double* o = (double*)out + out_off;
    const double w = hi - lo;
    DT_PARALLEL_FOR(i, n, {
      const philox4 r = philox4x32_10((uint64_t)i, seed, stream);
      double v = lo + w * u53(r.v[0], r.v[1]);
      if (v >= hi && hi > lo) v = nextafter(hi, lo);
      o[i] = v;
    });
  }
  return DT_OK;
}

DT_API int32_t dt_rand_normal(int32_t dtype, int32_t n, void* out, int32_t out_off, uint32_t seed, uint32_t stream,
                              double mean, double std) {
  int32_t st = check_rand("dt_rand_normal", dtype, n, out_off, out);
  if (st != DT_OK) return st;
  const int nt = dt_nthreads_for(n);
  const double two_pi = 6.283185307179586476925286766559;
  DT_PARALLEL_FOR(i, n, {
    const philox4 r = philox4x32_10((uint64_t)i, seed, stream);
    const double u1 = 1.0 - u53(r.v[0], r.v[1]); /* (0, 1]: log never sees 0 */
    const double u2 = u53(r.v[2], r.v[3]);
    const double z = sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
    const double v = mean + std * z;
    if (dtype == DT_F32) ((float*)out)[out_off + i] = (float)v;
    else ((double*)out)[out_off + i] = v;
  });
  return DT_OK;
}

DT_API int32_t dt_dropout_mask(int32_t dtype, int32_t n, void* out, uint32_t seed, uint32_t stream, double p,
                               double scale) {
  int32_t st = check_rand("dt_dropout_mask", dtype, n, 0, out);
  if (st != DT_OK) return st;
  const int nt = dt_nthreads_for(n);
  DT_PARALLEL_FOR(i, n, {
    const philox4 r = philox4x32_10((uint64_t)i, seed, stream);
    const double u = u53(r.v[0], r.v[1]);
    const double v = u >= p ? scale : 0.0; /* p = 0 keeps all, p = 1 drops all */
    if (dtype == DT_F32) ((float*)out)[i] = (float)v;
    else ((double*)out)[i] = v;
  });
  return DT_OK;
}
