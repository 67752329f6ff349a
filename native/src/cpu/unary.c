/*
 * unary.c: dt_unary and dt_unary_backward.
 *
 * Two macro bodies: DEF_UNARY_ALL (ops valid for every dtype, instantiated 6 times) and
 * DEF_UNARY_FLOAT (transcendental ops, float32/float64 only). <tgmath.h> makes exp/log/... pick
 * the float or double libm function from the argument type, so float32 math runs in float.
 * Integer dtypes never reach the float-only bodies (their table entries are NULL ->
 * DT_ERR_DTYPE).
 */
#include <tgmath.h>

#include "dt_common.h"
#include "loops.h"

#define BN(B, v) ((B) ? ((v) != 0) : (v))

/* clamp with PyTorch semantics: NaN input stays NaN; a NaN bound means "no bound on that side";
 * lo > hi gives hi. The bounds are first converted to T, as PyTorch converts its scalars (a float
 * bound rounds; an integer bound wraps: uint8 clamp(min=-1) is 255). TypeScript promotes integer
 * tensors with fractional bounds to float32, so integer dtypes only see integral bounds. */
#define DEF_CLAMP(E, T, S, F, B)                                                     \
  static inline T clamp_##S(T x, double lo, double hi) {                             \
    if (dt_isnan_##S(x)) return x;                                                   \
    if (!isnan(lo) && x < dt_fromd_##S(lo)) x = dt_fromd_##S(lo);                    \
    if (!isnan(hi) && x > dt_fromd_##S(hi)) x = dt_fromd_##S(hi);                    \
    return x;                                                                        \
  }
DT_FOR_EACH_DTYPE(DEF_CLAMP)

/* scalar comparison: the scalar is converted to T first, as PyTorch converts a Python scalar
 * to the tensor's dtype (rounded for floats, wrapped for integers: uint8 > -1 compares with 255).
 * TypeScript promotes integer tensors compared with fractional scalars to float32. */
#define CMPS(T, F, S, OP) (x OP dt_fromd_##S(p0))

#define DEF_UNARY_ALL(E, T, S, F, B)                                                        \
  DT_LOOP1(un_neg_##S, T, T, -x)                                                           \
  DT_LOOP1(un_abs_##S, T, T, (F) ? (T)fabs(x) : (dt_isneg_##S(x) ? (T)-x : x))             \
  DT_LOOP1(un_relu_##S, T, T, dt_isneg_##S(x) ? 0 : x)                                      \
  DT_LOOP1(un_sign_##S, T, T, (0 < x) - dt_isneg_##S(x))                                    \
  DT_LOOP1(un_floor_##S, T, T, (F) ? (T)floor(x) : x)                                       \
  DT_LOOP1(un_ceil_##S, T, T, (F) ? (T)ceil(x) : x)                                         \
  DT_LOOP1(un_round_##S, T, T, (F) ? (T)nearbyint(x) : x) /* half to even */               \
  DT_LOOP1(un_trunc_##S, T, T, (F) ? (T)trunc(x) : x)                                       \
  DT_LOOP1(un_square_##S, T, T, BN(B, x * x))                                               \
  DT_LOOP1(un_lnot_##S, T, uint8_t, x == 0)                                                 \
  DT_LOOP1(un_adds_##S, T, T, BN(B, x + dt_fromd_##S(p0)))                                  \
  DT_LOOP1(un_muls_##S, T, T, BN(B, x * dt_fromd_##S(p0)))                                  \
  DT_LOOP1(un_rsubs_##S, T, T, BN(B, dt_fromd_##S(p0) - x))                                 \
  DT_LOOP1(un_rdivs_##S, T, T, BN(B, dt_div_##S(dt_fromd_##S(p0), x)))                      \
  DT_LOOP1(un_divs_##S, T, T, BN(B, dt_div_##S(x, dt_fromd_##S(p0))))                       \
  DT_LOOP1(un_pows_##S, T, T, BN(B, dt_pow_##S(x, dt_fromd_##S(p0))))                       \
  DT_LOOP1(un_rpows_##S, T, T, BN(B, dt_pow_##S(dt_fromd_##S(p0), x)))                      \
  DT_LOOP1(un_clamp_##S, T, T, clamp_##S(x, p0, p1))                                        \
  DT_LOOP1(un_fill_##S, T, T, dt_fromd_##S(p0))                                             \
  DT_LOOP1(un_eqs_##S, T, uint8_t, CMPS(T, F, S, ==))                                          \
  DT_LOOP1(un_nes_##S, T, uint8_t, CMPS(T, F, S, !=))                                          \
  DT_LOOP1(un_lts_##S, T, uint8_t, CMPS(T, F, S, <))                                           \
  DT_LOOP1(un_les_##S, T, uint8_t, CMPS(T, F, S, <=))                                          \
  DT_LOOP1(un_gts_##S, T, uint8_t, CMPS(T, F, S, >))                                           \
  DT_LOOP1(un_ges_##S, T, uint8_t, CMPS(T, F, S, >=))                                          \
  /* torch.threshold: x <= threshold ? value : x (NaN passes through) */                    \
  DT_LOOP1(un_threshold_##S, T, T, CMPS(T, F, S, <=) ? dt_fromd_##S(p1) : x)                   \
  DT_LOOP1(un_hardtanh_##S, T, T, clamp_##S(x, p0, p1))                                     \
  DT_LOOP1(un_isnan_##S, T, uint8_t, dt_isnan_##S(x))
DT_FOR_EACH_DTYPE(DEF_UNARY_ALL)

static inline float sig_f32(float x) { return dt_sigmoid_f(x); }
static inline double sig_f64(double x) { return dt_sigmoid_d(x); }

/* ------------------------------------------------------------------ modern activations
 * PyTorch 1.13's CPU formulas (aten/src/ATen/native/cpu/Activation.cpp), computed in T with the
 * same constants and the same order of operations, so float32 rounds like PyTorch's float32.
 * Where its vectorized and scalar paths disagree (the gradient at NaN, hardswish's at 3, the
 * shrink gradients at NaN), the vectorized one is followed: it is what a contiguous tensor gets,
 * bar a tail shorter than two vector registers. */
#define DT_SQRT1_2 0.70710678118654752440  /* M_SQRT1_2 (POSIX, not C11) */
#define DT_2_SQRTPI 1.12837916709551257390 /* M_2_SQRTPI */
#define DT_SQRT2 1.41421356237309504880    /* M_SQRT2 */
#define DT_SELU_ALPHA 1.6732632423543772848170429916717
#define DT_SELU_SCALE 1.0507009873554804934193349852946

#define DEF_ACT_EXT(E, T, S, F, B)                                                              \
  static inline T gelu_##S(T x) { return x * (T)0.5 * ((T)1 + erf(x * (T)DT_SQRT1_2)); }      \
  static inline T gelu_bw_##S(T g, T x) {                                                      \
    const T cdf = (T)0.5 * ((T)1 + erf(x * (T)DT_SQRT1_2));                                    \
    const T pdf = (T)(DT_2_SQRTPI * DT_SQRT1_2 * 0.5) * exp(x * x * (T)-0.5);                  \
    return g * (cdf + x * pdf);                                                                \
  }                                                                                            \
  static inline T gelu_tanh_##S(T x) {                                                         \
    const T beta = (T)(DT_SQRT2 * DT_2_SQRTPI * 0.5), kappa = (T)0.044715;                     \
    const T inner = beta * (x + kappa * (x * x * x));                                          \
    return (T)0.5 * x * ((T)1 + tanh(inner));                                                  \
  }                                                                                            \
  static inline T gelu_tanh_bw_##S(T g, T x) {                                                 \
    const T beta = (T)(DT_SQRT2 * DT_2_SQRTPI * 0.5), kappa = (T)0.044715;                     \
    const T x_sq = x * x, x_cube = x_sq * x;                                                   \
    const T th = tanh(beta * (x + kappa * x_cube));                                            \
    const T left = (T)0.5 * x, right = (T)1 + th;                                              \
    const T left_d = (T)0.5 * right;                                                           \
    const T tanh_d = (T)1 - th * th;                                                           \
    const T inner_d = beta * ((T)1 + (T)3 * kappa * x_sq);                                     \
    return g * (left_d + left * tanh_d * inner_d);                                             \
  }                                                                                            \
  static inline T silu_bw_##S(T g, T x) {                                                      \
    const T sg = (T)1 / ((T)1 + exp(-x));                                                      \
    return g * sg * ((T)1 + x * ((T)1 - sg));                                                  \
  }                                                                                            \
  static inline T mish_bw_##S(T g, T x) {                                                      \
    const T sg = (T)1 / ((T)1 + exp(-x));                                                      \
    const T ts = tanh(log1p(exp(x)));                                                          \
    return g * (ts + x * sg * ((T)1 - ts * ts));                                               \
  }                                                                                            \
  /* min(max(x + 3, 0), 6) with NaN kept (std::max/std::min with NaN first return it) */      \
  static inline T relu6p3_##S(T x) {                                                           \
    T t = x + (T)3;                                                                            \
    t = t < (T)0 ? (T)0 : t;                                                                   \
    return (T)6 < t ? (T)6 : t;                                                                \
  }                                                                                            \
  /* PyTorch's elu kernel: negcoef = alpha * scale (in T), poscoef = scale, negiptcoef */      \
  static inline T elu3_##S(T x, T negcoef, T poscoef, T negipt) {                              \
    return x > (T)0 ? x * poscoef : (exp(x * negipt) - (T)1) * negcoef;                        \
  }                                                                                            \
  static inline T elu3_bw_##S(T g, T x, T negcoef, T poscoef, T negipt) {                      \
    return x > (T)0 ? g * poscoef : g * negipt * negcoef * exp(x * negipt);                    \
  }
DT_FOR_EACH_FLOAT_DTYPE(DEF_ACT_EXT)

#define DEF_UNARY_FLOAT(E, T, S, F, B)                                                      \
  DT_LOOP1(un_exp_##S, T, T, exp(x))                                                        \
  DT_LOOP1(un_log_##S, T, T, log(x))                                                        \
  DT_LOOP1(un_sqrt_##S, T, T, sqrt(x))                                                      \
  DT_LOOP1(un_rsqrt_##S, T, T, (T)1 / sqrt(x))                                              \
  DT_LOOP1(un_sin_##S, T, T, sin(x))                                                        \
  DT_LOOP1(un_cos_##S, T, T, cos(x))                                                        \
  DT_LOOP1(un_tanh_##S, T, T, tanh(x))                                                      \
  DT_LOOP1(un_sigmoid_##S, T, T, sig_##S(x))                                                \
  DT_LOOP1(un_log1p_##S, T, T, log1p(x))                                                    \
  DT_LOOP1(un_expm1_##S, T, T, expm1(x))                                                    \
  DT_LOOP1(un_recip_##S, T, T, (T)1 / x)                                                    \
  DT_LOOP1(un_leaky_##S, T, T, x > 0 ? x : x * (T)p0)                                       \
  DT_LOOP1(un_elu_##S, T, T, x > 0 ? x : (T)p0 * expm1(x))                                  \
  DT_LOOP1(un_softplus_##S, T, T, (x * (T)p0 > (T)p1) ? x : log1p(exp(x * (T)p0)) / (T)p0)  \
  DT_LOOP1(un_softshrink_##S, T, T,                                                         \
           x > (T)p0 ? x - (T)p0 : (x < -(T)p0 ? x + (T)p0 : x * 0)) /* x*0 keeps NaN */    \
  DT_LOOP1(un_softsign_##S, T, T, x / (1 + fabs(x)))                                        \
  /* log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)): no overflow for any x */              \
  DT_LOOP1(un_logsig_##S, T, T, (x < 0 ? x : 0) - log1p(exp(-fabs(x))))                    \
  DT_LOOP1(un_erf_##S, T, T, erf(x))                                                        \
  DT_LOOP1(un_gelu_##S, T, T, gelu_##S(x))                                                  \
  DT_LOOP1(un_gelu_tanh_##S, T, T, gelu_tanh_##S(x))                                        \
  DT_LOOP1(un_silu_##S, T, T, x / ((T)1 + exp(-x)))                                         \
  DT_LOOP1(un_mish_##S, T, T, x * tanh(log1p(exp(x))))                                      \
  DT_LOOP1(un_hardswish_##S, T, T, x * relu6p3_##S(x) / (T)6)                               \
  DT_LOOP1(un_hardsigmoid_##S, T, T, relu6p3_##S(x) / (T)6)                                 \
  DT_LOOP1(un_celu_##S, T, T, elu3_##S(x, (T)p0, (T)1, (T)(1.0 / p0)))                      \
  DT_LOOP1(un_selu_##S, T, T, elu3_##S(x, (T)DT_SELU_ALPHA * (T)DT_SELU_SCALE, (T)DT_SELU_SCALE, (T)1)) \
  DT_LOOP1(un_hardshrink_##S, T, T, (x >= -(T)p0 && x <= (T)p0) ? (T)0 : x)
DT_FOR_EACH_FLOAT_DTYPE(DEF_UNARY_FLOAT)

#define UN_ROW_ALL(E, T, S, F, B)                                                            \
  [E] = {[DT_NEG] = B ? NULL : un_neg_##S, [DT_ABS] = un_abs_##S, [DT_RELU] = un_relu_##S,    \
         [DT_SIGN] = un_sign_##S, [DT_FLOOR] = un_floor_##S, [DT_CEIL] = un_ceil_##S,        \
         [DT_ROUND] = un_round_##S, [DT_TRUNC] = un_trunc_##S, [DT_SQUARE] = un_square_##S,  \
         [DT_LOGICAL_NOT] = un_lnot_##S, [DT_ADD_SCALAR] = un_adds_##S,                      \
         [DT_MUL_SCALAR] = un_muls_##S, [DT_RSUB_SCALAR] = un_rsubs_##S,                     \
         [DT_RDIV_SCALAR] = un_rdivs_##S, [DT_DIV_SCALAR] = un_divs_##S,                     \
         [DT_POW_SCALAR] = un_pows_##S,                                                       \
         [DT_RPOW_SCALAR] = un_rpows_##S, [DT_CLAMP] = un_clamp_##S, [DT_FILL] = un_fill_##S, \
         [DT_EQ_SCALAR] = un_eqs_##S, [DT_NE_SCALAR] = un_nes_##S, [DT_LT_SCALAR] = un_lts_##S, \
         [DT_LE_SCALAR] = un_les_##S, [DT_GT_SCALAR] = un_gts_##S, [DT_GE_SCALAR] = un_ges_##S, \
         [DT_THRESHOLD] = un_threshold_##S, [DT_HARDTANH] = un_hardtanh_##S,                 \
         [DT_ISNAN] = un_isnan_##S},
static dt_loop_fn un_table[DT_DTYPE_COUNT][DT_UNARY_COUNT] = {DT_FOR_EACH_DTYPE(UN_ROW_ALL)};

#define UN_SET_FLOAT(E, T, S, F, B)                                                   \
  un_table[E][DT_EXP] = un_exp_##S; un_table[E][DT_LOG] = un_log_##S;                 \
  un_table[E][DT_SQRT] = un_sqrt_##S; un_table[E][DT_RSQRT] = un_rsqrt_##S;           \
  un_table[E][DT_SIN] = un_sin_##S; un_table[E][DT_COS] = un_cos_##S;                 \
  un_table[E][DT_TANH] = un_tanh_##S; un_table[E][DT_SIGMOID] = un_sigmoid_##S;       \
  un_table[E][DT_LOG1P] = un_log1p_##S; un_table[E][DT_EXPM1] = un_expm1_##S;         \
  un_table[E][DT_RECIPROCAL] = un_recip_##S; un_table[E][DT_LEAKY_RELU] = un_leaky_##S; \
  un_table[E][DT_ELU] = un_elu_##S; un_table[E][DT_SOFTPLUS] = un_softplus_##S;       \
  un_table[E][DT_SOFTSHRINK] = un_softshrink_##S; un_table[E][DT_SOFTSIGN] = un_softsign_##S; \
  un_table[E][DT_LOG_SIGMOID] = un_logsig_##S; un_table[E][DT_ERF] = un_erf_##S;       \
  un_table[E][DT_GELU] = un_gelu_##S; un_table[E][DT_GELU_TANH] = un_gelu_tanh_##S;   \
  un_table[E][DT_SILU] = un_silu_##S; un_table[E][DT_MISH] = un_mish_##S;             \
  un_table[E][DT_HARDSWISH] = un_hardswish_##S;                                       \
  un_table[E][DT_HARDSIGMOID] = un_hardsigmoid_##S;                                   \
  un_table[E][DT_CELU] = un_celu_##S; un_table[E][DT_SELU] = un_selu_##S;             \
  un_table[E][DT_HARDSHRINK] = un_hardshrink_##S;

/* The float-only entries are filled once at load time (a constructor keeps the table static). */
__attribute__((constructor)) static void un_table_init(void) { DT_FOR_EACH_FLOAT_DTYPE(UN_SET_FLOAT) }

static int un_writes_bool(int32_t op) {
  return op == DT_LOGICAL_NOT || op == DT_ISNAN || (op >= DT_EQ_SCALAR && op <= DT_GE_SCALAR);
}

DT_API int32_t dt_unary(int32_t op, int32_t dtype, const int32_t* desc, void* out, const void* a, double p0,
                        double p1) {
  if (op < 0 || op >= DT_UNARY_COUNT) return dt_fail(DT_ERR_ARG, "dt_unary: unknown op %d", (int)op);
  if (!dt_dtype_valid(dtype)) return dt_fail(DT_ERR_DTYPE, "dt_unary: invalid dtype %d", (int)dtype);
  dt_loop_fn fn = un_table[dtype][op];
  if (!fn) return dt_fail(DT_ERR_DTYPE, "dt_unary: op %d does not support dtype %s", (int)op, dt_dtype_name(dtype));
  const dt_uctx ctx = {p0, p1};
  void* bases[2] = {out, (void*)a};
  size_t es = dt_dtype_size(dtype);
  size_t esize[2] = {un_writes_bool(op) ? 1 : es, es};
  return dt_iter_run("dt_unary", 2, desc, bases, esize, fn, &ctx);
}

/* ------------------------------------------------------------------ backward
 * gin = g * f'(x) with x the op's input, or its output y where the header says so (then the
 * variable is still called x below). */
#define DEF_UNARY_BW(E, T, S, F, B)                                                          \
  DT_LOOP_BW(bw_relu_##S, T, x > 0 ? g : 0)                                                  \
  DT_LOOP_BW(bw_sigmoid_##S, T, g * x * (1 - x))                 /* y */                     \
  DT_LOOP_BW(bw_tanh_##S, T, g * (1 - x * x))                    /* y */                     \
  DT_LOOP_BW(bw_leaky_##S, T, x > 0 ? g : g * (T)p0)                                         \
  DT_LOOP_BW(bw_elu_##S, T, x > 0 ? g : g * (T)p0 * exp(x))                                  \
  DT_LOOP_BW(bw_softplus_##S, T, (x * (T)p0 > (T)p1) ? g : g * sig_##S(x * (T)p0))           \
  DT_LOOP_BW(bw_threshold_##S, T, x <= (T)p0 ? 0 : g)                                        \
  DT_LOOP_BW(bw_hardtanh_##S, T, (x <= (T)p0 || x >= (T)p1) ? 0 : g) /* strict interior */   \
  DT_LOOP_BW(bw_softshrink_##S, T, (x >= -(T)p0 && x <= (T)p0) ? 0 : g)                      \
  DT_LOOP_BW(bw_softsign_##S, T, g / ((1 + fabs(x)) * (1 + fabs(x))))                        \
  DT_LOOP_BW(bw_logsig_##S, T, g * sig_##S(-x))                  /* 1 - sigmoid(x) */        \
  DT_LOOP_BW(bw_clamp_##S, T,                                    /* inclusive bounds */      \
             ((isnan(p0) || x >= (T)p0) && (isnan(p1) || x <= (T)p1)) ? g : 0)               \
  DT_LOOP_BW(bw_abs_##S, T, g * (T)((0 < x) - (x < 0)))                                      \
  DT_LOOP_BW(bw_sqrt_##S, T, g / (2 * x))                        /* y */                     \
  DT_LOOP_BW(bw_rsqrt_##S, T, g * (T)-0.5 * x * x * x)           /* y */                     \
  DT_LOOP_BW(bw_log_##S, T, g / x)                                                           \
  DT_LOOP_BW(bw_exp_##S, T, g * x)                               /* y */                     \
  DT_LOOP_BW(bw_pows_##S, T, p0 == 0 ? 0 : g * (T)p0 * pow(x, (T)(p0 - 1)))                  \
  DT_LOOP_BW(bw_recip_##S, T, -g * x * x)                        /* y */                     \
  DT_LOOP_BW(bw_sin_##S, T, g * cos(x))                                                      \
  DT_LOOP_BW(bw_cos_##S, T, -g * sin(x))                                                     \
  DT_LOOP_BW(bw_log1p_##S, T, g / (1 + x))                                                   \
  DT_LOOP_BW(bw_expm1_##S, T, g * (x + 1))                       /* y */                     \
  DT_LOOP_BW(bw_erf_##S, T, g * (T)1.1283791670955126 * exp(-x * x)) /* 2/sqrt(pi) */        \
  DT_LOOP_BW(bw_gelu_##S, T, gelu_bw_##S(g, x))                                              \
  DT_LOOP_BW(bw_gelu_tanh_##S, T, gelu_tanh_bw_##S(g, x))                                    \
  DT_LOOP_BW(bw_silu_##S, T, silu_bw_##S(g, x))                                              \
  DT_LOOP_BW(bw_mish_##S, T, mish_bw_##S(g, x))                                              \
  DT_LOOP_BW(bw_hardswish_##S, T,                                                            \
             x < (T)-3 ? (T)0 : (x >= (T)3 ? g : g * (x / (T)3 + (T)0.5)))                   \
  DT_LOOP_BW(bw_hardsigmoid_##S, T, (x > (T)-3 && x < (T)3) ? g * (T)(1.0f / 6.0f) : (T)0)   \
  /* derivatives.yaml: elu_backward(grad, alpha, 1, 1.0 / alpha.toFloat(), false, self) */  \
  DT_LOOP_BW(bw_celu_##S, T, elu3_bw_##S(g, x, (T)p0, (T)1, (T)(1.0 / (double)(float)p0)))   \
  DT_LOOP_BW(bw_selu_##S, T,                                                                 \
             elu3_bw_##S(g, x, (T)DT_SELU_ALPHA * (T)DT_SELU_SCALE, (T)DT_SELU_SCALE, (T)1)) \
  DT_LOOP_BW(bw_hardshrink_##S, T, (x < -(T)p0 || x > (T)p0) ? g : (T)0)
DT_FOR_EACH_FLOAT_DTYPE(DEF_UNARY_BW)

#define BW_ROW(E, T, S, F, B)                                                                 \
  [E] = {[DT_BW_RELU] = bw_relu_##S, [DT_BW_SIGMOID] = bw_sigmoid_##S, [DT_BW_TANH] = bw_tanh_##S, \
         [DT_BW_LEAKY_RELU] = bw_leaky_##S, [DT_BW_ELU] = bw_elu_##S,                          \
         [DT_BW_SOFTPLUS] = bw_softplus_##S, [DT_BW_THRESHOLD] = bw_threshold_##S,             \
         [DT_BW_HARDTANH] = bw_hardtanh_##S, [DT_BW_SOFTSHRINK] = bw_softshrink_##S,           \
         [DT_BW_SOFTSIGN] = bw_softsign_##S, [DT_BW_LOG_SIGMOID] = bw_logsig_##S,              \
         [DT_BW_CLAMP] = bw_clamp_##S, [DT_BW_ABS] = bw_abs_##S, [DT_BW_SQRT] = bw_sqrt_##S,    \
         [DT_BW_RSQRT] = bw_rsqrt_##S, [DT_BW_LOG] = bw_log_##S, [DT_BW_EXP] = bw_exp_##S,      \
         [DT_BW_POW_SCALAR] = bw_pows_##S, [DT_BW_RECIPROCAL] = bw_recip_##S,                  \
         [DT_BW_SIN] = bw_sin_##S, [DT_BW_COS] = bw_cos_##S, [DT_BW_LOG1P] = bw_log1p_##S,      \
         [DT_BW_EXPM1] = bw_expm1_##S, [DT_BW_ERF] = bw_erf_##S,                               \
         [DT_BW_GELU] = bw_gelu_##S, [DT_BW_GELU_TANH] = bw_gelu_tanh_##S,                     \
         [DT_BW_SILU] = bw_silu_##S, [DT_BW_MISH] = bw_mish_##S,                               \
         [DT_BW_HARDSWISH] = bw_hardswish_##S, [DT_BW_HARDSIGMOID] = bw_hardsigmoid_##S,       \
         [DT_BW_CELU] = bw_celu_##S, [DT_BW_SELU] = bw_selu_##S,                               \
         [DT_BW_HARDSHRINK] = bw_hardshrink_##S},
static dt_loop_fn bw_table[DT_DTYPE_COUNT][DT_UNARY_BW_COUNT] = {DT_FOR_EACH_FLOAT_DTYPE(BW_ROW)};

DT_API int32_t dt_unary_backward(int32_t op, int32_t dtype, const int32_t* desc, void* gin, const void* gout,
                                 const void* x, double p0, double p1) {
  if (op < 0 || op >= DT_UNARY_BW_COUNT) return dt_fail(DT_ERR_ARG, "dt_unary_backward: unknown op %d", (int)op);
  if (!dt_dtype_valid(dtype)) return dt_fail(DT_ERR_DTYPE, "dt_unary_backward: invalid dtype %d", (int)dtype);
  dt_loop_fn fn = bw_table[dtype][op];
  if (!fn)
    return dt_fail(DT_ERR_DTYPE, "dt_unary_backward: dtype %s is not supported (float32/float64 only)",
                   dt_dtype_name(dtype));
  const dt_uctx ctx = {p0, p1};
  void* bases[3] = {gin, (void*)gout, (void*)x};
  size_t es = dt_dtype_size(dtype);
  size_t esize[3] = {es, es, es};
  return dt_iter_run("dt_unary_backward", 3, desc, bases, esize, fn, &ctx);
}
