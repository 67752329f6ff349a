/*
 * denotorch.h: the one public header of libdenotorch.
 *
 * Conventions
 * - Every entry point returns a dt_status. DT_OK is 0; any other value means the call did
 *   nothing harmful and dt_last_error() holds a message for the calling thread.
 * - Nothing in the library aborts or exits. Inputs are validated in TypeScript first; the C
 *   side re-checks the cheap invariants (dtype, rank, index ranges) and reports a status.
 * - Buffers are raw pointers to element 0 of a storage. Offsets and strides are counted in
 *   elements, never bytes. Sizes, strides and offsets are int32 (Deno's fast FFI path).
 * - "Strided descriptors" (dt_desc below) are passed as one int32 array so that a call
 *   needs no allocation on the TypeScript side.
 */
#ifndef DENOTORCH_H
#define DENOTORCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define DT_API __declspec(dllexport)
#else
#define DT_API __attribute__((visibility("default")))
#endif

#define DT_MAX_DIMS 16

typedef enum {
  DT_OK = 0,
  DT_ERR_ARG = 1,      /* an argument is out of its valid range */
  DT_ERR_DTYPE = 2,    /* the dtype is not supported by this kernel */
  DT_ERR_INDEX = 3,    /* an index tensor holds an out-of-range value */
  DT_ERR_MEMORY = 4,   /* an allocation failed */
  DT_ERR_DEVICE = 5,   /* a device (CUDA) error */
  DT_ERR_UNSUPPORTED = 6,
  DT_STATUS_COUNT
} dt_status;

typedef enum {
  DT_F32 = 0,
  DT_F64 = 1,
  DT_I64 = 2,
  DT_I32 = 3,
  DT_U8 = 4,
  DT_BOOL = 5, /* stored as one byte, 0 or 1 */
  DT_DTYPE_COUNT
} dt_dtype;

/* Binary elementwise ops: out = a OP b. Comparison ops write DT_BOOL.
 * Integer dtypes never trap: DIV, FMOD and REMAINDER by 0 return 0 (and INT_MIN / -1 wraps);
 * PyTorch raises "ZeroDivisionError" there, so TypeScript checks integer divisors first. */
typedef enum {
  DT_ADD = 0, DT_SUB, DT_MUL, DT_DIV, DT_POW, DT_MAXIMUM, DT_MINIMUM, DT_ATAN2, DT_FMOD,
  DT_EQ, DT_NE, DT_LT, DT_LE, DT_GT, DT_GE,
  DT_LOGICAL_AND, DT_LOGICAL_OR, DT_LOGICAL_XOR,
  DT_REMAINDER,
  DT_BINARY_COUNT
} dt_binary_op;

/* Unary elementwise ops: out = f(a; p0, p1). p0/p1 are scalar parameters where an op has them. */
typedef enum {
  DT_NEG = 0, DT_ABS, DT_EXP, DT_LOG, DT_SQRT, DT_RSQRT, DT_SIN, DT_COS, DT_TANH, DT_SIGMOID,
  DT_RELU, DT_SIGN, DT_FLOOR, DT_CEIL, DT_ROUND, DT_LOG1P, DT_EXPM1, DT_RECIPROCAL, DT_SQUARE,
  DT_LOGICAL_NOT, DT_TRUNC,
  DT_ADD_SCALAR,     /* a + p0 */
  DT_MUL_SCALAR,     /* a * p0 */
  DT_RSUB_SCALAR,    /* p0 - a */
  DT_RDIV_SCALAR,    /* p0 / a */
  DT_POW_SCALAR,     /* a ^ p0 */
  DT_RPOW_SCALAR,    /* p0 ^ a */
  DT_CLAMP,          /* min(max(a, p0), p1); NaN bounds mean "no bound" */
  DT_FILL,           /* p0 */
  DT_EQ_SCALAR, DT_NE_SCALAR, DT_LT_SCALAR, DT_LE_SCALAR, DT_GT_SCALAR, DT_GE_SCALAR, /* write DT_BOOL */
  DT_LEAKY_RELU,     /* a > 0 ? a : a * p0 */
  DT_ELU,            /* a > 0 ? a : p0 * (exp(a) - 1) */
  DT_SOFTPLUS,       /* beta = p0, threshold = p1: (a*beta > threshold) ? a : log1p(exp(a*beta)) / beta */
  DT_THRESHOLD,      /* a <= p0 ? p1 : a (PyTorch's; NaN passes through) */
  DT_HARDTANH,       /* clamp to [p0, p1] */
  DT_SOFTSHRINK,     /* a > p0 ? a - p0 : a < -p0 ? a + p0 : 0 */
  DT_SOFTSIGN,       /* a / (1 + |a|) */
  DT_LOG_SIGMOID,    /* stable log(sigmoid(a)) */
  DT_ISNAN,          /* writes DT_BOOL */
  DT_ERF,
  DT_DIV_SCALAR,     /* a / p0 (true division, as PyTorch's; not a * (1 / p0)) */
  /* PyTorch 1.13's activation kernels, same constants and order of operations (float only): */
  DT_GELU,           /* a * 0.5 * (1 + erf(a / sqrt 2)) */
  DT_GELU_TANH,      /* 0.5 * a * (1 + tanh(sqrt(2/pi) * (a + 0.044715 a^3))) */
  DT_SILU,           /* a / (1 + exp(-a)) */
  DT_MISH,           /* a * tanh(log1p(exp(a))) */
  DT_HARDSWISH,      /* a * min(max(a + 3, 0), 6) / 6 */
  DT_HARDSIGMOID,    /* min(max(a + 3, 0), 6) / 6 */
  DT_CELU,           /* alpha = p0: a > 0 ? a : (exp(a * (1 / p0)) - 1) * p0 */
  DT_SELU,           /* scale * (a > 0 ? a : alpha * (exp(a) - 1)), PyTorch's alpha and scale */
  DT_HARDSHRINK,     /* -p0 <= a <= p0 ? 0 : a (NaN passes through) */
  DT_UNARY_COUNT
} dt_unary_op;

/* Backward of unary ops: gin = gout * f'(x) where x is the op's input (or y its output, noted). */
typedef enum {
  DT_BW_RELU = 0,      /* x */
  DT_BW_SIGMOID,       /* y */
  DT_BW_TANH,          /* y */
  DT_BW_LEAKY_RELU,    /* x, p0 = slope */
  DT_BW_ELU,           /* x, p0 = alpha */
  DT_BW_SOFTPLUS,      /* x, p0 = beta, p1 = threshold */
  DT_BW_THRESHOLD,     /* x, p0 = threshold */
  DT_BW_HARDTANH,      /* x, p0 = min, p1 = max */
  DT_BW_SOFTSHRINK,    /* x, p0 = lambda */
  DT_BW_SOFTSIGN,      /* x */
  DT_BW_LOG_SIGMOID,   /* x */
  DT_BW_CLAMP,         /* x, p0 = min, p1 = max (NaN = none) */
  DT_BW_ABS,           /* x */
  DT_BW_SQRT,          /* y */
  DT_BW_RSQRT,         /* y */
  DT_BW_LOG,           /* x */
  DT_BW_EXP,           /* y */
  DT_BW_POW_SCALAR,    /* x, p0 = exponent */
  DT_BW_RECIPROCAL,    /* y */
  DT_BW_SIN,           /* x */
  DT_BW_COS,           /* x */
  DT_BW_LOG1P,         /* x */
  DT_BW_EXPM1,         /* y */
  DT_BW_ERF,           /* x */
  /* The backward of PyTorch's vectorized CPU kernels (what contiguous tensors get): */
  DT_BW_GELU,          /* x */
  DT_BW_GELU_TANH,     /* x */
  DT_BW_SILU,          /* x */
  DT_BW_MISH,          /* x */
  DT_BW_HARDSWISH,     /* x: 0 below -3, 1 from 3 on, x / 3 + 0.5 between (so -0.5 at -3); NaN gives NaN */
  DT_BW_HARDSIGMOID,   /* x: (float)(1/6) strictly inside (-3, 3), else 0 */
  DT_BW_CELU,          /* x, p0 = alpha; its input scale is 1 / (float)alpha, as PyTorch's derivative has it */
  DT_BW_SELU,          /* x */
  DT_BW_HARDSHRINK,    /* x, p0 = lambda: gout where a < -p0 or a > p0, else 0 (NaN gives 0) */
  DT_UNARY_BW_COUNT
} dt_unary_bw_op;

typedef enum {
  DT_RED_SUM = 0, DT_RED_MEAN, DT_RED_PROD, DT_RED_MAX, DT_RED_MIN,
  DT_RED_ARGMAX, DT_RED_ARGMIN, /* write DT_I64 indices into out */
  DT_RED_NORM,   /* (sum |x|^p0)^(1/p0); p0 = inf / -inf / 0 handled */
  DT_RED_ANY, DT_RED_ALL,       /* write DT_BOOL */
  DT_RED_VAR,    /* variance, p0 = correction (0 = biased, 1 = unbiased) */
  DT_RED_LOGSUMEXP,
  DT_REDUCE_COUNT
} dt_reduce_op;

/* ------------------------------------------------------------------ library state */
DT_API const char* dt_last_error(void);
DT_API int32_t dt_version(void);
DT_API int32_t dt_set_num_threads(int32_t n);
DT_API int32_t dt_get_num_threads(void);
DT_API int32_t dt_has_blas(void);
DT_API int32_t dt_has_cuda(void);

/* ------------------------------------------------------------------ elementwise
 * desc (int32): [ndim, shape[0..ndim), then per operand: offset, strides[0..ndim)]
 * Operands appear in the order of the pointer arguments (out first). Broadcast inputs use
 * stride 0. ndim may be 0 (one element). All operands share the dtype `dtype`, except the
 * output of comparison ops (DT_BOOL).
 */
DT_API int32_t dt_binary(int32_t op, int32_t dtype, const int32_t* desc, void* out, const void* a, const void* b);
DT_API int32_t dt_unary(int32_t op, int32_t dtype, const int32_t* desc, void* out, const void* a, double p0, double p1);
/* gin = gout * f'(x or y); all three operands share dtype; desc order: gin, gout, x */
DT_API int32_t dt_unary_backward(int32_t op, int32_t dtype, const int32_t* desc, void* gin, const void* gout,
                                 const void* x, double p0, double p1);
/* out = cond ? a : b; cond is DT_BOOL; desc order: out, cond, a, b */
DT_API int32_t dt_where(int32_t dtype, const int32_t* desc, void* out, const void* cond, const void* a, const void* b);
/* Strided copy with dtype conversion; desc order: out, src. */
DT_API int32_t dt_copy(int32_t out_dtype, int32_t src_dtype, const int32_t* desc, void* out, const void* src);
/* out = a + alpha * b (axpy-like, contiguous, n elements; float dtypes) */
DT_API int32_t dt_axpy(int32_t dtype, int32_t n, double alpha, const void* b, int32_t b_off, void* a, int32_t a_off);

/* Fused "a + alpha * f(b, c)" ops, evaluated left to right as PyTorch's kernels do (alpha is
 * converted to the dtype first): add/sub with alpha, addcmul, addcdiv. */
typedef enum {
  DT_ADDC_SCALED = 0, /* a + alpha * b (c is not read) */
  DT_ADDC_MUL,        /* a + alpha * b * c */
  DT_ADDC_DIV,        /* a + alpha * b / c */
  DT_ADDC_COUNT
} dt_addc_op;
/* Strided and broadcasting like dt_binary; float32/float64; desc order: out, a, b, c (out may
 * alias a: in-place updates). */
DT_API int32_t dt_addc(int32_t op, int32_t dtype, const int32_t* desc, void* out, const void* a, const void* b,
                       const void* c, double alpha);

/* ------------------------------------------------------------------ reductions
 * The input is contiguous and viewed as [outer, n, inner]; the reduction runs over n and
 * writes [outer, inner] into out (contiguous). ARGMAX/ARGMIN write int64. p0 see enum.
 */
DT_API int32_t dt_reduce(int32_t op, int32_t dtype, int32_t outer, int32_t n, int32_t inner, const void* in,
                         int32_t in_off, void* out, double p0);
/* max/min along a dim returning values and int64 indices together. is_min selects min. */
DT_API int32_t dt_reduce_maxmin(int32_t is_min, int32_t dtype, int32_t outer, int32_t n, int32_t inner,
                                const void* in, int32_t in_off, void* values, int64_t* indices);

/* ------------------------------------------------------------------ matrix multiply
 * C[b] = alpha * op(A[b]) @ op(B[b]) + beta * C[b], row-major, float32 or float64.
 * op(X) = X^T when trans is nonzero. Batch strides are in elements (0 broadcasts).
 */
DT_API int32_t dt_gemm(int32_t dtype, int32_t trans_a, int32_t trans_b, int32_t m, int32_t n, int32_t k,
                       double alpha, const void* a, int32_t a_off, int32_t lda, const void* b, int32_t b_off,
                       int32_t ldb, double beta, void* c, int32_t c_off, int32_t ldc);
DT_API int32_t dt_gemm_batched(int32_t dtype, int32_t batch, int32_t trans_a, int32_t trans_b, int32_t m, int32_t n,
                               int32_t k, double alpha, const void* a, int32_t a_off, int32_t lda, int32_t stride_a,
                               const void* b, int32_t b_off, int32_t ldb, int32_t stride_b, double beta, void* c,
                               int32_t c_off, int32_t ldc, int32_t stride_c);

/* ------------------------------------------------------------------ indexing
 * All index tensors are contiguous int64. Shapes are given as [outer, n, inner] views.
 * Every index is range-checked against `n_src` (negative indices are an error here; TS
 * wraps them first); on a bad index the call returns DT_ERR_INDEX and writes nothing
 * past what was valid.
 */
/* out[o, j, i] = src[o, idx[j], i]; out is [outer, n_idx, inner], src is [outer, n_src, inner] */
DT_API int32_t dt_index_select(int32_t dtype, int32_t outer, int32_t n_src, int32_t n_idx, int32_t inner,
                               const void* src, const int64_t* idx, void* out);
/* out[o, idx[j], i] += src[o, j, i]; out is [outer, n_out, inner] */
DT_API int32_t dt_index_add(int32_t dtype, int32_t outer, int32_t n_out, int32_t n_idx, int32_t inner,
                            const void* src, const int64_t* idx, void* out);
/* gather along the middle dim: out[o, j, i] = src[o, idx[o, j, i], i]; idx/out are [outer, n_idx, inner],
 * src is [outer, n_src, inner] */
DT_API int32_t dt_gather(int32_t dtype, int32_t outer, int32_t n_src, int32_t n_idx, int32_t inner,
                         const void* src, const int64_t* idx, void* out);
/* scatter along the middle dim: out[o, idx[o, j, i], i] = src[o, j, i] (accumulate != 0: +=);
 * idx/src are [outer, n_idx, inner], out is [outer, n_out, inner] */
DT_API int32_t dt_scatter(int32_t dtype, int32_t accumulate, int32_t outer, int32_t n_out, int32_t n_idx,
                          int32_t inner, const void* src, const int64_t* idx, void* out);

/* ------------------------------------------------------------------ random
 * Counter-based generator: element i of a call draws from hash(seed, stream, i), so results do
 * not depend on the thread count. TS passes the global seed and a fresh stream number per call.
 * Float dtypes only. Normal uses Box-Muller on two uniforms of the same counter.
 */
DT_API int32_t dt_rand_uniform(int32_t dtype, int32_t n, void* out, int32_t out_off, uint32_t seed, uint32_t stream,
                               double lo, double hi);
DT_API int32_t dt_rand_normal(int32_t dtype, int32_t n, void* out, int32_t out_off, uint32_t seed, uint32_t stream,
                              double mean, double std);
/* Bernoulli keep-mask for dropout: out[i] = (u(i) >= p) ? scale : 0 */
DT_API int32_t dt_dropout_mask(int32_t dtype, int32_t n, void* out, uint32_t seed, uint32_t stream, double p,
                               double scale);

/* ------------------------------------------------------------------ recurrent cells (rnn.c)
 * One time step of B rows, float32/float64. The GEMMs (x @ W_ih^T for all steps, h @ W_hh^T per
 * step) run outside; these fuse the gate nonlinearities. Offsets/leading dims are in elements;
 * gates are [B, G*H] contiguous (LSTM i,f,g,o; GRU r,z,n), c states [B, H] contiguous, the
 * saved LSTM cell buffer [B, 2H] (c_prev | tanh(c_new)). y and h receive h_new (two copies,
 * each with its leading dim). A NULL dy means "no output gradient for this step".
 */
/* gates: pre-activations without bias in, activations out; bias [4H] (b_ih + b_hh, zeros when the
 * layer has none); cstate: c_prev in, c_new out. */
DT_API int32_t dt_lstm_cell_forward(int32_t dtype, int32_t B, int32_t H, void* gates, int32_t g_off, const void* bias,
                                    int32_t b_off, void* cstate, int32_t cs_off, void* csave, int32_t sv_off, void* y,
                                    int32_t y_off, int32_t ldy, void* h, int32_t h_off, int32_t ldh);
/* dh + dy: gradient of h_new; dc: gradient of c_new in, of c_prev out; dgates: pre-activation grads. */
DT_API int32_t dt_lstm_cell_backward(int32_t dtype, int32_t B, int32_t H, const void* gates, int32_t g_off,
                                     const void* csave, int32_t sv_off, const void* dh, int32_t dh_off, int32_t lddh,
                                     const void* dy, int32_t dy_off, int32_t lddy, void* dc, int32_t dc_off,
                                     void* dgates, int32_t dg_off);
/* gx: x @ W_ih^T in, (r, z, n) out; gh: h_prev @ W_hh^T in, + b_hh out (kept for the backward);
 * bias_ih, bias_hh [3H] (zeros when the layer has none). */
DT_API int32_t dt_gru_cell_forward(int32_t dtype, int32_t B, int32_t H, void* gx, int32_t gx_off, const void* bias_ih,
                                   int32_t bih_off, void* gh, int32_t gh_off, const void* bias_hh, int32_t bhh_off,
                                   const void* hprev, int32_t hp_off, int32_t ldhp, void* y, int32_t y_off, int32_t ldy,
                                   void* h, int32_t h_off, int32_t ldh);
/* dh (+ dy): gradient of h_new in, its direct part dh*z towards h_prev out (in place); dgx/dgh:
 * gradients of the two projections (the caller adds dgh @ W_hh to dh). */
DT_API int32_t dt_gru_cell_backward(int32_t dtype, int32_t B, int32_t H, const void* gates, int32_t g_off,
                                    const void* gh, int32_t gh_off, const void* hprev, int32_t hp_off, int32_t ldhp,
                                    void* dh, int32_t dh_off, int32_t lddh, const void* dy, int32_t dy_off,
                                    int32_t lddy, void* dgx, int32_t dgx_off, void* dgh, int32_t dgh_off);
/* pre: pre-activation without bias in, tanh/relu activation out; bias [H] (b_ih + b_hh or zeros). */
DT_API int32_t dt_rnn_cell_forward(int32_t dtype, int32_t B, int32_t H, int32_t relu, void* pre, int32_t p_off,
                                   const void* bias, int32_t b_off, void* y, int32_t y_off, int32_t ldy, void* h,
                                   int32_t h_off, int32_t ldh);
DT_API int32_t dt_rnn_cell_backward(int32_t dtype, int32_t B, int32_t H, int32_t relu, const void* act, int32_t a_off,
                                    const void* dh, int32_t dh_off, int32_t lddh, const void* dy, int32_t dy_off,
                                    int32_t lddy, void* dpre, int32_t dp_off);

/* ------------------------------------------------------------------ softmax (softmax.c)
 * in/out (and gout/gin) are contiguous [outer, n, inner]; the reduction runs over n. is_log
 * selects log_softmax. Stable (max-shifted, double sums). float32/float64.
 */
DT_API int32_t dt_softmax(int32_t dtype, int32_t is_log, int32_t outer, int32_t n, int32_t inner, const void* in,
                          void* out);
/* softmax: gin = out * (gout - sum(gout * out)); log_softmax: gin = gout - exp(out) * sum(gout) */
DT_API int32_t dt_softmax_backward(int32_t dtype, int32_t is_log, int32_t outer, int32_t n, int32_t inner,
                                   const void* gout, const void* out, void* gin);

/* ------------------------------------------------------------------ batch norm (batchnorm.c)
 * x/out contiguous [n, c, s] (s = product of spatial sizes). weight, bias, running_mean,
 * running_var: [c] or NULL (weight 1, bias 0, no running statistics). All float buffers share dtype.
 * training != 0: batch statistics; save_mean = mean, save_invstd = 1/sqrt(biased var + eps); the
 *   running buffers, when given, become (1 - momentum) * r + momentum * stat (unbiased variance).
 * training == 0: running_mean/var (required) normalize and are copied into save_mean/save_invstd.
 * out = (x - mean) * invstd * weight + bias.
 */
DT_API int32_t dt_batchnorm_forward(int32_t dtype, int32_t training, int32_t n, int32_t c, int32_t s, const void* x,
                                    const void* weight, const void* bias, void* running_mean, void* running_var,
                                    double momentum, double eps, void* save_mean, void* save_invstd, void* out);
/* From gout and the saved statistics: gweight = sum(g * xhat), gbias = sum(g) ([c], NULL = skip);
 * gin (NULL = skip) = w * invstd * (g - mean(g) - xhat * mean(g * xhat)) when training, else g * w * invstd. */
DT_API int32_t dt_batchnorm_backward(int32_t dtype, int32_t training, int32_t n, int32_t c, int32_t s,
                                     const void* gout, const void* x, const void* weight, const void* save_mean,
                                     const void* save_invstd, void* gin, void* gweight, void* gbias);

/* ------------------------------------------------------------------ losses (loss.c)
 * Negative log likelihood of logp, contiguous [n, c, s], at int64 targets [n, s]; weight [c] or
 * NULL. A target equal to ignore_index contributes nothing; any other target outside [0, c)
 * returns DT_ERR_INDEX before anything is written. reduction: 0 none (out [n, s]), 1 mean
 * (divided by the summed weight of the non-ignored targets), 2 sum (out one element).
 * total_weight (one element) receives that summed weight.
 */
DT_API int32_t dt_nll_forward(int32_t dtype, int32_t n, int32_t c, int32_t s, const void* logp, const int64_t* target,
                              const void* weight, double ignore_index, int32_t reduction, void* out,
                              void* total_weight);
/* gin [n, c, s] = d loss / d logp; with softmax != 0, logp is log_softmax's output and gin is the
 * gradient w.r.t. the logits (cross entropy). gout: [n, s] for reduction none, else one element. */
DT_API int32_t dt_nll_backward(int32_t dtype, int32_t softmax, int32_t n, int32_t c, int32_t s, const void* logp,
                               const int64_t* target, const void* weight, double ignore_index, int32_t reduction,
                               const void* gout, const void* total_weight, void* gin);
/* CTC loss (ctc.c), PyTorch's CPU ctc_loss. logp [t, n, c] (log-probabilities), targets int64 [n, s]
 * padded (sample b's labels are its first target_lengths[b]), input_lengths and target_lengths int64 [n],
 * all contiguous. Requires 0 <= blank < c, 0 <= input_lengths[b] <= t, 0 <= target_lengths[b] <= s and
 * every used label in [0, c) (DT_ERR_ARG / DT_ERR_INDEX before anything is written). nll [n] receives
 * each sample's negative log likelihood (inf where no alignment exists; an empty input gives 0 for an
 * empty target, else inf), log_alpha [n, t, 2 s + 1] the forward variables (-inf outside them).
 */
DT_API int32_t dt_ctc_forward(int32_t dtype, int32_t t, int32_t n, int32_t c, int32_t s, int32_t blank,
                              const void* logp, const int64_t* targets, const int64_t* input_lengths,
                              const int64_t* target_lengths, void* nll, void* log_alpha);
/* grad [t, n, c] (overwritten) = gout[b] * d nll[b] / d logp by PyTorch's formula
 * exp(logp) - exp(log(sum alpha beta) + nll - logp), 0 past each input length; with zero_infinity,
 * samples whose nll is inf get 0. nll and log_alpha are dt_ctc_forward's, gout [n]. */
DT_API int32_t dt_ctc_backward(int32_t dtype, int32_t t, int32_t n, int32_t c, int32_t s, int32_t blank,
                               int32_t zero_infinity, const void* logp, const int64_t* targets,
                               const int64_t* input_lengths, const int64_t* target_lengths, const void* nll,
                               const void* log_alpha, const void* gout, void* grad);

/* ------------------------------------------------------------------ convolution (conv.c)
 * One rank-generic kernel set (rank = 1, 2 or 3 spatial dims), im2col/col2im + GEMM, float dtypes.
 * A convolution is described from x-space to y-space:
 *   geom (int32) = [N, Cx, Cy, groups, in[rank], out[rank], kernel[rank], stride[rank], pad[rank], dilation[rank]]
 * with x [N, Cx, in...], y [N, Cy, out...] and weight [Cy, Cx / groups, kernel...], all contiguous.
 * pad is the leading (left) padding; out is given, so asymmetric ("same") padding needs no copy.
 * ConvTranspose is the same geometry read backwards (its input is y, its output x).
 */
/* y = W * x (+ bias[Cy]); bias may be NULL. */
DT_API int32_t dt_conv_forward(int32_t dtype, int32_t rank, const int32_t* geom, const void* x, const void* w,
                               const void* bias, void* y);
/* x = W^T * y (+ bias[Cx]): the input gradient of a convolution, the forward of ConvTranspose. */
DT_API int32_t dt_conv_transpose(int32_t dtype, int32_t rank, const int32_t* geom, const void* y, const void* w,
                                 const void* bias, void* x);
/* gw = sum over n of y[n] * im2col(x[n])^T: the weight gradient (gw is overwritten). */
DT_API int32_t dt_conv_weight(int32_t dtype, int32_t rank, const int32_t* geom, const void* x, const void* y,
                              void* gw);
/* gb[c] = sum over n, l of y[n, c, l] (y contiguous [n, c, l]). */
DT_API int32_t dt_conv_bias_grad(int32_t dtype, int32_t n, int32_t c, int32_t l, const void* y, void* gb);

/* ------------------------------------------------------------------ pooling (pool.c)
 * Rank-generic (1, 2, 3) pooling over contiguous [planes, in...] -> [planes, out...], float dtypes.
 *   geom (int32) = [planes, in[rank], out[rank], kernel[rank], stride[rank], pad[rank], dilation[rank]]
 * op: 0 max, 1 average. mode: 0 regular windows (kernel/stride/pad/dilation; average ignores
 * dilation), 1 adaptive windows (PyTorch's start/end index rule; kernel..dilation ignored),
 * 2 fractional windows (max only; kernel = pool size; `samples` [planes, rank] in the dtype gives
 * PyTorch's _random_samples, [w, h] for rank 2). Max writes int64 flat indices into each input
 * plane (indices may be NULL); its backward is dt_scatter through them. count_include_pad and
 * divisor_override (> 0) apply to average pooling.
 */
DT_API int32_t dt_pool_forward(int32_t op, int32_t mode, int32_t dtype, int32_t rank, const int32_t* geom,
                               const void* x, void* y, int64_t* indices, const void* samples, int32_t count_include_pad,
                               int32_t divisor_override);
/* Average pooling backward (gx overwritten); same geometry and options as the forward. */
DT_API int32_t dt_pool_avg_backward(int32_t mode, int32_t dtype, int32_t rank, const int32_t* geom, const void* gy,
                                    void* gx, int32_t count_include_pad, int32_t divisor_override);

/* ------------------------------------------------------------------ upsampling (upsample.c)
 * Rank-generic (1, 2, 3) resampling of contiguous [planes, in...] -> [planes, out...], float dtypes.
 *   geom (int32) = [planes, in[rank], out[rank]]; scales (double[rank]) holds the user's scale
 *   factors (<= 0 or a NULL array: derived from the sizes), as PyTorch's index rules use them.
 * mode: 0 nearest, 1 linear (bilinear / trilinear), align_corners for linear.
 */
DT_API int32_t dt_upsample(int32_t mode, int32_t align_corners, int32_t dtype, int32_t rank, const int32_t* geom,
                           const double* scales, const void* x, void* y);
/* Backward: gx (overwritten) from gy. */
DT_API int32_t dt_upsample_backward(int32_t mode, int32_t align_corners, int32_t dtype, int32_t rank,
                                    const int32_t* geom, const double* scales, const void* gy, void* gx);

#ifdef __cplusplus
}
#endif
#endif
