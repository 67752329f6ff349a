/*
 * rnn.c: fused gate nonlinearities of the recurrent cells (LSTM, GRU, Elman RNN), forward and
 * backward, for one time step of B rows.
 *
 * The matrix products stay outside: the TypeScript layer op computes the input projection of all
 * time steps with one GEMM and the recurrent projection h_prev @ W_hh^T of each step with one GEMM,
 * then calls the kernels below, which do every elementwise step of a cell in one pass (and save
 * what the backward needs). The backward kernels turn the gradient of h (and c) into the gradient
 * of the gate pre-activations, which the caller feeds to GEMMs for the weight and input gradients.
 *
 * Biases are added here (b_ih + b_hh for LSTM/RNN, both separately for GRU), so the big input
 * GEMM needs no bias pre-fill; layers without biases pass a zero vector.
 *
 * Layouts (offsets and leading dimensions in elements):
 *   gates   [B, G*H] contiguous (G = 4 for LSTM in PyTorch's order i, f, g, o; 3 for GRU: r, z, n)
 *   states  [B, H]   contiguous (c state, saved c) unless a leading dimension is given
 *   y, h    rows with their own leading dimension (y is a slice of the layer output [N, D*H])
 */
#include "dt_common.h"

/* Lets GCC if-convert the clamps and selects of the float32 math below, so the cell loops
 * vectorize (results are unchanged: nothing here reads floating point exception flags). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

#define RNN_CHECK(fn, dtype, B, H)                                                                  \
  do {                                                                                              \
    if (!dt_dtype_is_float(dtype))                                                                  \
      return dt_fail(DT_ERR_DTYPE, "%s: expected float32 or float64, got %s", fn, dt_dtype_name(dtype)); \
    DT_CHECK_NONNEG(fn, "B", B);                                                                    \
    DT_CHECK_NONNEG(fn, "H", H);                                                                    \
  } while (0)

#define RNN_CHECK_LD(fn, name, ld, H)                                                               \
  do {                                                                                              \
    if ((ld) < (H)) return dt_fail(DT_ERR_ARG, "%s: %s (%d) must be >= H (%d)", fn, name, (int)(ld), (int)(H)); \
  } while (0)

#define RNN_CHECK_OFF(fn, name, off)                                                                \
  do {                                                                                              \
    if ((off) < 0) return dt_fail(DT_ERR_ARG, "%s: %s must be >= 0, got %d", fn, name, (int)(off));  \
  } while (0)

/* Parallel over rows when the step is big enough to pay for a fork/join (transcendentals weigh ~8). */
/* The kernels run on the calling thread unless a step is huge. They alternate with (OpenBLAS-
 * threaded) GEMMs many times per layer; an OpenMP team there competes with OpenBLAS's spinning
 * workers for the same cores, which measured up to 100x slower steps on a 2-core machine, while a
 * 32 x 256 LSTM step takes ~50 us on one thread. */
#define RNN_THREADS(work) ((int64_t)(work) >= ((int64_t)1 << 24) ? dt_nthreads_for(work) : 1)

/* float32 exp/sigmoid/tanh in straight-line code the compiler vectorizes (Cephes polynomials:
 * exp within 1 ulp, sigmoid within 3 ulp, tanh within 2 ulp of the exact values, NaN propagates);
 * float64 uses libm. */
static inline float rnn_expf(float x) {
  x = x > 88.0f ? 88.0f : x;
  x = x < -87.0f ? -87.0f : x;
  float fx = x * 1.44269504088896341f;
  fx = (fx + 12582912.0f) - 12582912.0f; /* round to nearest */
  const float r = (x - fx * 0.693359375f) + fx * 2.12194440e-4f;
  const float z = r * r;
  float y = 1.9875691500E-4f;
  y = y * r + 1.3981999507E-3f;
  y = y * r + 8.3334519073E-3f;
  y = y * r + 4.1665795894E-2f;
  y = y * r + 1.6666665459E-1f;
  y = y * r + 5.0000001201E-1f;
  y = y * z + r + 1.0f;
  const int32_t bits = ((int32_t)fx + 127) << 23;
  float p;
  memcpy(&p, &bits, sizeof p);
  return y * p;
}
static inline float sig_f32(float x) {
  const float s = 1.0f / (1.0f + rnn_expf(-x));
  return x != x ? x : s;
}
static inline float tanh_f32(float x) {
  const float ax = fabsf(x), z = x * x;
  float p = -5.70498872745E-3f;
  p = p * z + 2.06390887954E-2f;
  p = p * z - 5.37397155531E-2f;
  p = p * z + 1.33314422036E-1f;
  p = p * z - 3.33332819422E-1f;
  const float small = p * z * x + x;
  const float large = 1.0f - 2.0f / (rnn_expf(2.0f * ax) + 1.0f);
  const float r = ax < 0.625f ? small : copysignf(large, x);
  return x != x ? x : r;
}
static inline double sig_f64(double x) { return 1.0 / (1.0 + exp(-x)); }
static inline double tanh_f64(double x) { return tanh(x); }

#define DEF_RNN_KERNELS(T, S)                                                                   \
  static void lstm_fwd_##S(int64_t B, int64_t H, T* gates, const T* bias, T* cs, T* sv, T* y,       \
                           int64_t ldy, T* h, int64_t ldh) {                                        \
    const int nt = RNN_THREADS(B * H * 8);                                                               \
    _Pragma("omp parallel for num_threads(nt) if (nt > 1) schedule(static)")                        \
    for (int64_t b = 0; b < B; b++) {                                                               \
      T* g = gates + b * 4 * H;                                                                     \
      T* c = cs + b * H;                                                                            \
      T* s = sv + b * 2 * H;                                                                        \
      T* yr = y + b * ldy;                                                                          \
      T* hr = h + b * ldh;                                                                          \
      _Pragma("omp simd")                                                                           \
      for (int64_t j = 0; j < H; j++) {                                                             \
        const T i = sig_##S(g[j] + bias[j]), f = sig_##S(g[H + j] + bias[H + j]);                   \
        const T gg = tanh_##S(g[2 * H + j] + bias[2 * H + j]);                                      \
        const T o = sig_##S(g[3 * H + j] + bias[3 * H + j]);                                        \
        const T cp = c[j];                                                                          \
        const T cn = f * cp + i * gg;                                                               \
        const T tc = tanh_##S(cn);                                                                  \
        const T hv = o * tc;                                                                        \
        g[j] = i;                                                                                   \
        g[H + j] = f;                                                                               \
        g[2 * H + j] = gg;                                                                          \
        g[3 * H + j] = o;                                                                           \
        s[j] = cp;                                                                                  \
        s[H + j] = tc;                                                                              \
        c[j] = cn;                                                                                  \
        yr[j] = hv;                                                                                 \
        hr[j] = hv;                                                                                 \
      }                                                                                             \
    }                                                                                               \
  }                                                                                                 \
                                                                                                    \
  static void lstm_bwd_##S(int64_t B, int64_t H, const T* gates, const T* sv, const T* dh,         \
                           int64_t lddh, const T* dy, int64_t lddy, T* dcs, T* dg) {                \
    const int nt = RNN_THREADS(B * H * 4);                                                      \
    _Pragma("omp parallel for num_threads(nt) if (nt > 1) schedule(static)")                        \
    for (int64_t b = 0; b < B; b++) {                                                               \
      const T* g = gates + b * 4 * H;                                                               \
      const T* s = sv + b * 2 * H;                                                                  \
      const T* dhr = dh + b * lddh;                                                                 \
      const T* dyr = dy ? dy + b * lddy : NULL;                                                     \
      T* dc = dcs + b * H;                                                                          \
      T* d = dg + b * 4 * H;                                                                        \
      _Pragma("omp simd")                                                                           \
      for (int64_t j = 0; j < H; j++) {                                                             \
        const T i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j];                        \
        const T cp = s[j], tc = s[H + j];                                                           \
        const T dhv = dyr ? dhr[j] + dyr[j] : dhr[j];                                               \
        const T dcv = dc[j] + dhv * o * ((T)1 - tc * tc);                                           \
        d[j] = dcv * gg * i * ((T)1 - i);                                                           \
        d[H + j] = dcv * cp * f * ((T)1 - f);                                                       \
        d[2 * H + j] = dcv * i * ((T)1 - gg * gg);                                                  \
        d[3 * H + j] = dhv * tc * o * ((T)1 - o);                                                   \
        dc[j] = dcv * f;                                                                            \
      }                                                                                             \
    }                                                                                               \
  }                                                                                                 \
                                                                                                    \
  static void gru_fwd_##S(int64_t B, int64_t H, T* gx, const T* bih, T* gh, const T* bhh,          \
                          const T* hp, int64_t ldhp, T* y, int64_t ldy, T* h, int64_t ldh) {        \
    const int nt = RNN_THREADS(B * H * 8);                                                               \
    _Pragma("omp parallel for num_threads(nt) if (nt > 1) schedule(static)")                        \
    for (int64_t b = 0; b < B; b++) {                                                               \
      T* x = gx + b * 3 * H;                                                                        \
      T* hh = gh + b * 3 * H;                                                                       \
      const T* hpr = hp + b * ldhp;                                                                 \
      T* yr = y + b * ldy;                                                                          \
      T* hr = h + b * ldh;                                                                          \
      _Pragma("omp simd")                                                                           \
      for (int64_t j = 0; j < H; j++) {                                                             \
        const T hr_ = hh[j] + bhh[j], hz = hh[H + j] + bhh[H + j], hn = hh[2 * H + j] + bhh[2 * H + j]; \
        const T r = sig_##S((x[j] + bih[j]) + hr_);                                                 \
        const T z = sig_##S((x[H + j] + bih[H + j]) + hz);                                          \
        const T n = tanh_##S((x[2 * H + j] + bih[2 * H + j]) + r * hn);                             \
        hh[j] = hr_;                                                                                \
        hh[H + j] = hz;                                                                             \
        hh[2 * H + j] = hn;                                                                         \
        const T hv = (hpr[j] - n) * z + n;                                                          \
        x[j] = r;                                                                                   \
        x[H + j] = z;                                                                               \
        x[2 * H + j] = n;                                                                           \
        yr[j] = hv;                                                                                 \
        hr[j] = hv;                                                                                 \
      }                                                                                             \
    }                                                                                               \
  }                                                                                                 \
                                                                                                    \
  static void gru_bwd_##S(int64_t B, int64_t H, const T* gates, const T* gh, const T* hp,          \
                          int64_t ldhp, T* dh, int64_t lddh, const T* dy, int64_t lddy, T* dgx,     \
                          T* dgh) {                                                                 \
    const int nt = RNN_THREADS(B * H * 4);                                                      \
    _Pragma("omp parallel for num_threads(nt) if (nt > 1) schedule(static)")                        \
    for (int64_t b = 0; b < B; b++) {                                                               \
      const T* g = gates + b * 3 * H;                                                               \
      const T* hh = gh + b * 3 * H;                                                                 \
      const T* hpr = hp + b * ldhp;                                                                 \
      T* dhr = dh + b * lddh;                                                                       \
      const T* dyr = dy ? dy + b * lddy : NULL;                                                     \
      T* dx = dgx + b * 3 * H;                                                                      \
      T* dhh = dgh + b * 3 * H;                                                                     \
      _Pragma("omp simd")                                                                           \
      for (int64_t j = 0; j < H; j++) {                                                             \
        const T r = g[j], z = g[H + j], n = g[2 * H + j];                                           \
        const T dhv = dyr ? dhr[j] + dyr[j] : dhr[j];                                               \
        const T dn = dhv * ((T)1 - z) * ((T)1 - n * n);                                             \
        const T dz = dhv * (hpr[j] - n) * z * ((T)1 - z);                                           \
        const T dr = dn * hh[2 * H + j] * r * ((T)1 - r);                                           \
        dx[j] = dr;                                                                                 \
        dx[H + j] = dz;                                                                             \
        dx[2 * H + j] = dn;                                                                         \
        dhh[j] = dr;                                                                                \
        dhh[H + j] = dz;                                                                            \
        dhh[2 * H + j] = dn * r;                                                                    \
        dhr[j] = dhv * z;                                                                           \
      }                                                                                             \
    }                                                                                               \
  }                                                                                                 \
                                                                                                    \
  static void rnn_fwd_##S(int64_t B, int64_t H, int relu, T* pre, const T* bias, T* y, int64_t ldy,  \
                          T* h, int64_t ldh) {                                                      \
    const int nt = RNN_THREADS(B * H * (relu ? 1 : 8));                                         \
    _Pragma("omp parallel for num_threads(nt) if (nt > 1) schedule(static)")                        \
    for (int64_t b = 0; b < B; b++) {                                                               \
      T* p = pre + b * H;                                                                           \
      T* yr = y + b * ldy;                                                                          \
      T* hr = h + b * ldh;                                                                          \
      _Pragma("omp simd")                                                                           \
      for (int64_t j = 0; j < H; j++) {                                                             \
        const T v = p[j] + bias[j];                                                                 \
        const T a = relu ? (v > 0 ? v : (isnan(v) ? v : (T)0)) : tanh_##S(v);                       \
        p[j] = a;                                                                                   \
        yr[j] = a;                                                                                  \
        hr[j] = a;                                                                                  \
      }                                                                                             \
    }                                                                                               \
  }                                                                                                 \
                                                                                                    \
  static void rnn_bwd_##S(int64_t B, int64_t H, int relu, const T* act, const T* dh, int64_t lddh, \
                          const T* dy, int64_t lddy, T* dpre) {                                     \
    const int nt = RNN_THREADS(B * H);                                                          \
    _Pragma("omp parallel for num_threads(nt) if (nt > 1) schedule(static)")                        \
    for (int64_t b = 0; b < B; b++) {                                                               \
      const T* a = act + b * H;                                                                     \
      const T* dhr = dh + b * lddh;                                                                 \
      const T* dyr = dy ? dy + b * lddy : NULL;                                                     \
      T* d = dpre + b * H;                                                                          \
      _Pragma("omp simd")                                                                           \
      for (int64_t j = 0; j < H; j++) {                                                             \
        const T dhv = dyr ? dhr[j] + dyr[j] : dhr[j];                                               \
        d[j] = relu ? (a[j] > 0 ? dhv : (T)0) : dhv * ((T)1 - a[j] * a[j]);                         \
      }                                                                                             \
    }                                                                                               \
  }

DEF_RNN_KERNELS(float, f32)
DEF_RNN_KERNELS(double, f64)

#define P(T, p, off) ((T*)(p) + (off))
#define CP(T, p, off) ((const T*)(p) + (off))
#define CPN(T, p, off) ((p) ? (const T*)(p) + (off) : (const T*)NULL)

DT_API int32_t dt_lstm_cell_forward(int32_t dtype, int32_t B, int32_t H, void* gates, int32_t g_off, const void* bias,
                                    int32_t b_off, void* cstate, int32_t cs_off, void* csave, int32_t sv_off, void* y,
                                    int32_t y_off, int32_t ldy, void* h, int32_t h_off, int32_t ldh) {
  static const char* fn = "dt_lstm_cell_forward";
  RNN_CHECK(fn, dtype, B, H);
  RNN_CHECK_LD(fn, "ldy", ldy, H);
  RNN_CHECK_LD(fn, "ldh", ldh, H);
  RNN_CHECK_OFF(fn, "g_off", g_off);
  RNN_CHECK_OFF(fn, "b_off", b_off);
  RNN_CHECK_OFF(fn, "cs_off", cs_off);
  RNN_CHECK_OFF(fn, "sv_off", sv_off);
  RNN_CHECK_OFF(fn, "y_off", y_off);
  RNN_CHECK_OFF(fn, "h_off", h_off);
  if ((int64_t)B * H == 0) return DT_OK;
  if (!gates || !bias || !cstate || !csave || !y || !h) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  if (dtype == DT_F32)
    lstm_fwd_f32(B, H, P(float, gates, g_off), CP(float, bias, b_off), P(float, cstate, cs_off),
                 P(float, csave, sv_off), P(float, y, y_off), ldy, P(float, h, h_off), ldh);
  else
    lstm_fwd_f64(B, H, P(double, gates, g_off), CP(double, bias, b_off), P(double, cstate, cs_off),
                 P(double, csave, sv_off), P(double, y, y_off), ldy, P(double, h, h_off), ldh);
  return DT_OK;
}

DT_API int32_t dt_lstm_cell_backward(int32_t dtype, int32_t B, int32_t H, const void* gates, int32_t g_off,
                                     const void* csave, int32_t sv_off, const void* dh, int32_t dh_off, int32_t lddh,
                                     const void* dy, int32_t dy_off, int32_t lddy, void* dc, int32_t dc_off,
                                     void* dgates, int32_t dg_off) {
  static const char* fn = "dt_lstm_cell_backward";
  RNN_CHECK(fn, dtype, B, H);
  RNN_CHECK_LD(fn, "lddh", lddh, H);
  if (dy) RNN_CHECK_LD(fn, "lddy", lddy, H);
  RNN_CHECK_OFF(fn, "g_off", g_off);
  RNN_CHECK_OFF(fn, "sv_off", sv_off);
  RNN_CHECK_OFF(fn, "dh_off", dh_off);
  RNN_CHECK_OFF(fn, "dy_off", dy_off);
  RNN_CHECK_OFF(fn, "dc_off", dc_off);
  RNN_CHECK_OFF(fn, "dg_off", dg_off);
  if ((int64_t)B * H == 0) return DT_OK;
  if (!gates || !csave || !dh || !dc || !dgates) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  if (dtype == DT_F32)
    lstm_bwd_f32(B, H, CP(float, gates, g_off), CP(float, csave, sv_off), CP(float, dh, dh_off), lddh,
                 CPN(float, dy, dy_off), lddy, P(float, dc, dc_off), P(float, dgates, dg_off));
  else
    lstm_bwd_f64(B, H, CP(double, gates, g_off), CP(double, csave, sv_off), CP(double, dh, dh_off), lddh,
                 CPN(double, dy, dy_off), lddy, P(double, dc, dc_off), P(double, dgates, dg_off));
  return DT_OK;
}

DT_API int32_t dt_gru_cell_forward(int32_t dtype, int32_t B, int32_t H, void* gx, int32_t gx_off, const void* bias_ih,
                                   int32_t bih_off, void* gh, int32_t gh_off, const void* bias_hh, int32_t bhh_off,
                                   const void* hprev, int32_t hp_off, int32_t ldhp, void* y, int32_t y_off, int32_t ldy,
                                   void* h, int32_t h_off, int32_t ldh) {
  static const char* fn = "dt_gru_cell_forward";
  RNN_CHECK(fn, dtype, B, H);
  RNN_CHECK_LD(fn, "ldhp", ldhp, H);
  RNN_CHECK_LD(fn, "ldy", ldy, H);
  RNN_CHECK_LD(fn, "ldh", ldh, H);
  RNN_CHECK_OFF(fn, "gx_off", gx_off);
  RNN_CHECK_OFF(fn, "bih_off", bih_off);
  RNN_CHECK_OFF(fn, "gh_off", gh_off);
  RNN_CHECK_OFF(fn, "bhh_off", bhh_off);
  RNN_CHECK_OFF(fn, "hp_off", hp_off);
  RNN_CHECK_OFF(fn, "y_off", y_off);
  RNN_CHECK_OFF(fn, "h_off", h_off);
  if ((int64_t)B * H == 0) return DT_OK;
  if (!gx || !bias_ih || !gh || !bias_hh || !hprev || !y || !h) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  if (dtype == DT_F32)
    gru_fwd_f32(B, H, P(float, gx, gx_off), CP(float, bias_ih, bih_off), P(float, gh, gh_off),
                CP(float, bias_hh, bhh_off), CP(float, hprev, hp_off), ldhp, P(float, y, y_off), ldy,
                P(float, h, h_off), ldh);
  else
    gru_fwd_f64(B, H, P(double, gx, gx_off), CP(double, bias_ih, bih_off), P(double, gh, gh_off),
                CP(double, bias_hh, bhh_off), CP(double, hprev, hp_off), ldhp, P(double, y, y_off), ldy,
                P(double, h, h_off), ldh);
  return DT_OK;
}

DT_API int32_t dt_gru_cell_backward(int32_t dtype, int32_t B, int32_t H, const void* gates, int32_t g_off,
                                    const void* gh, int32_t gh_off, const void* hprev, int32_t hp_off, int32_t ldhp,
                                    void* dh, int32_t dh_off, int32_t lddh, const void* dy, int32_t dy_off,
                                    int32_t lddy, void* dgx, int32_t dgx_off, void* dgh, int32_t dgh_off) {
  static const char* fn = "dt_gru_cell_backward";
  RNN_CHECK(fn, dtype, B, H);
  RNN_CHECK_LD(fn, "ldhp", ldhp, H);
  RNN_CHECK_LD(fn, "lddh", lddh, H);
  if (dy) RNN_CHECK_LD(fn, "lddy", lddy, H);
  RNN_CHECK_OFF(fn, "g_off", g_off);
  RNN_CHECK_OFF(fn, "gh_off", gh_off);
  RNN_CHECK_OFF(fn, "hp_off", hp_off);
  RNN_CHECK_OFF(fn, "dh_off", dh_off);
  RNN_CHECK_OFF(fn, "dy_off", dy_off);
  RNN_CHECK_OFF(fn, "dgx_off", dgx_off);
  RNN_CHECK_OFF(fn, "dgh_off", dgh_off);
  if ((int64_t)B * H == 0) return DT_OK;
  if (!gates || !gh || !hprev || !dh || !dgx || !dgh) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  if (dtype == DT_F32)
    gru_bwd_f32(B, H, CP(float, gates, g_off), CP(float, gh, gh_off), CP(float, hprev, hp_off), ldhp,
                P(float, dh, dh_off), lddh, CPN(float, dy, dy_off), lddy, P(float, dgx, dgx_off),
                P(float, dgh, dgh_off));
  else
    gru_bwd_f64(B, H, CP(double, gates, g_off), CP(double, gh, gh_off), CP(double, hprev, hp_off), ldhp,
                P(double, dh, dh_off), lddh, CPN(double, dy, dy_off), lddy, P(double, dgx, dgx_off),
                P(double, dgh, dgh_off));
  return DT_OK;
}

DT_API int32_t dt_rnn_cell_forward(int32_t dtype, int32_t B, int32_t H, int32_t relu, void* pre, int32_t p_off,
                                   const void* bias, int32_t b_off, void* y, int32_t y_off, int32_t ldy, void* h,
                                   int32_t h_off, int32_t ldh) {
  static const char* fn = "dt_rnn_cell_forward";
  RNN_CHECK(fn, dtype, B, H);
  RNN_CHECK_LD(fn, "ldy", ldy, H);
  RNN_CHECK_LD(fn, "ldh", ldh, H);
  RNN_CHECK_OFF(fn, "p_off", p_off);
  RNN_CHECK_OFF(fn, "b_off", b_off);
  RNN_CHECK_OFF(fn, "y_off", y_off);
  RNN_CHECK_OFF(fn, "h_off", h_off);
  if ((int64_t)B * H == 0) return DT_OK;
  if (!pre || !bias || !y || !h) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  if (dtype == DT_F32)
    rnn_fwd_f32(B, H, relu != 0, P(float, pre, p_off), CP(float, bias, b_off), P(float, y, y_off), ldy,
                P(float, h, h_off), ldh);
  else
    rnn_fwd_f64(B, H, relu != 0, P(double, pre, p_off), CP(double, bias, b_off), P(double, y, y_off), ldy,
                P(double, h, h_off), ldh);
  return DT_OK;
}

DT_API int32_t dt_rnn_cell_backward(int32_t dtype, int32_t B, int32_t H, int32_t relu, const void* act, int32_t a_off,
                                    const void* dh, int32_t dh_off, int32_t lddh, const void* dy, int32_t dy_off,
                                    int32_t lddy, void* dpre, int32_t dp_off) {
  static const char* fn = "dt_rnn_cell_backward";
  RNN_CHECK(fn, dtype, B, H);
  RNN_CHECK_LD(fn, "lddh", lddh, H);
  if (dy) RNN_CHECK_LD(fn, "lddy", lddy, H);
  RNN_CHECK_OFF(fn, "a_off", a_off);
  RNN_CHECK_OFF(fn, "dh_off", dh_off);
  RNN_CHECK_OFF(fn, "dy_off", dy_off);
  RNN_CHECK_OFF(fn, "dp_off", dp_off);
  if ((int64_t)B * H == 0) return DT_OK;
  if (!act || !dh || !dpre) return dt_fail(DT_ERR_ARG, "%s: null pointer", fn);
  if (dtype == DT_F32)
    rnn_bwd_f32(B, H, relu != 0, CP(float, act, a_off), CP(float, dh, dh_off), lddh, CPN(float, dy, dy_off), lddy,
                P(float, dpre, dp_off));
  else
    rnn_bwd_f64(B, H, relu != 0, CP(double, act, a_off), CP(double, dh, dh_off), lddh, CPN(double, dy, dy_off), lddy,
                P(double, dpre, dp_off));
  return DT_OK;
}
