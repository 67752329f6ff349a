/**
 * The one FFI symbol table of libdenotorch. Each entry mirrors a declaration of
 * `native/include/denotorch.h`; `tests/ffi/symbols_test.ts` checks the two against each other.
 * Every function returns an `i32` status (0 = ok) unless noted.
 *
 * Conventions: tensor memory is passed as `buffer` (a TypedArray over JS-owned memory, its
 * element 0 at the view's start); sizes, offsets and strides are `i32` to stay on Deno's fast
 * call path; strided layouts travel as one `Int32Array` descriptor.
 *
 * @module
 */

export const symbols = {
  /** const char* dt_last_error(void) */
  dt_last_error: { parameters: [], result: "pointer" },
  /** int32_t dt_version(void) */
  dt_version: { parameters: [], result: "i32" },
  /** int32_t dt_set_num_threads(int32_t n) */
  dt_set_num_threads: { parameters: ["i32"], result: "i32" },
  /** int32_t dt_get_num_threads(void) */
  dt_get_num_threads: { parameters: [], result: "i32" },
  /** int32_t dt_has_blas(void) */
  dt_has_blas: { parameters: [], result: "i32" },
  /** int32_t dt_has_cuda(void) */
  dt_has_cuda: { parameters: [], result: "i32" },

  /** (int32 op, int32 dtype, const int32* desc, void* out, const void* a, const void* b) */
  dt_binary: { parameters: ["i32", "i32", "buffer", "buffer", "buffer", "buffer"], result: "i32" },
  /** (int32 op, int32 dtype, const int32* desc, void* out, const void* a, double p0, double p1) */
  dt_unary: { parameters: ["i32", "i32", "buffer", "buffer", "buffer", "f64", "f64"], result: "i32" },
  /** (int32 op, int32 dtype, const int32* desc, void* gin, const void* gout, const void* x, double p0, double p1) */
  dt_unary_backward: {
    parameters: ["i32", "i32", "buffer", "buffer", "buffer", "buffer", "f64", "f64"],
    result: "i32",
  },
  /** (int32 dtype, const int32* desc, void* out, const void* cond, const void* a, const void* b) */
  dt_where: { parameters: ["i32", "buffer", "buffer", "buffer", "buffer", "buffer"], result: "i32" },
  /** (int32 out_dtype, int32 src_dtype, const int32* desc, void* out, const void* src) */
  dt_copy: { parameters: ["i32", "i32", "buffer", "buffer", "buffer"], result: "i32" },
  /** (int32 dtype, int32 n, double alpha, const void* b, int32 b_off, void* a, int32 a_off) */
  dt_axpy: { parameters: ["i32", "i32", "f64", "buffer", "i32", "buffer", "i32"], result: "i32" },
  /** (int32 op, int32 dtype, const int32* desc, void* out, const void* a, const void* b, const void* c, double alpha) */
  dt_addc: { parameters: ["i32", "i32", "buffer", "buffer", "buffer", "buffer", "buffer", "f64"], result: "i32" },

  /** (int32 op, int32 dtype, int32 outer, int32 n, int32 inner, const void* in, int32 in_off, void* out, double p0) */
  dt_reduce: {
    parameters: ["i32", "i32", "i32", "i32", "i32", "buffer", "i32", "buffer", "f64"],
    result: "i32",
  },
  /** (int32 is_min, int32 dtype, int32 outer, int32 n, int32 inner, const void* in, int32 in_off, void* values, int64* indices) */
  dt_reduce_maxmin: {
    parameters: ["i32", "i32", "i32", "i32", "i32", "buffer", "i32", "buffer", "buffer"],
    result: "i32",
  },

  /** (dtype, trans_a, trans_b, m, n, k, double alpha, a, a_off, lda, b, b_off, ldb, double beta, c, c_off, ldc) */
  dt_gemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f64",
      "buffer",
      "i32",
      "i32",
      "buffer",
      "i32",
      "i32",
      "f64",
      "buffer",
      "i32",
      "i32",
    ],
    result: "i32",
  },
  /** (dtype, batch, trans_a, trans_b, m, n, k, alpha, a, a_off, lda, stride_a, b, b_off, ldb, stride_b, beta, c, c_off, ldc, stride_c) */
  dt_gemm_batched: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f64",
      "buffer",
      "i32",
      "i32",
      "i32",
      "buffer",
      "i32",
      "i32",
      "i32",
      "f64",
      "buffer",
      "i32",
      "i32",
      "i32",
    ],
    result: "i32",
  },

  /** (dtype, outer, n_src, n_idx, inner, const void* src, const int64* idx, void* out) */
  dt_index_select: {
    parameters: ["i32", "i32", "i32", "i32", "i32", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** (dtype, outer, n_out, n_idx, inner, const void* src, const int64* idx, void* out) */
  dt_index_add: {
    parameters: ["i32", "i32", "i32", "i32", "i32", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** (dtype, outer, n_src, n_idx, inner, const void* src, const int64* idx, void* out) */
  dt_gather: {
    parameters: ["i32", "i32", "i32", "i32", "i32", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** (dtype, accumulate, outer, n_out, n_idx, inner, const void* src, const int64* idx, void* out) */
  dt_scatter: {
    parameters: ["i32", "i32", "i32", "i32", "i32", "i32", "buffer", "buffer", "buffer"],
    result: "i32",
  },

  /** (dtype, n, void* out, int32 out_off, uint32 seed, uint32 stream, double lo, double hi) */
  dt_rand_uniform: {
    parameters: ["i32", "i32", "buffer", "i32", "u32", "u32", "f64", "f64"],
    result: "i32",
  },
  /** (dtype, n, void* out, int32 out_off, uint32 seed, uint32 stream, double mean, double std) */
  dt_rand_normal: {
    parameters: ["i32", "i32", "buffer", "i32", "u32", "u32", "f64", "f64"],
    result: "i32",
  },
  /** (dtype, n, void* out, uint32 seed, uint32 stream, double p, double scale) */
  dt_dropout_mask: {
    parameters: ["i32", "i32", "buffer", "u32", "u32", "f64", "f64"],
    result: "i32",
  },
  // ---------------------------------------------------------------- recurrent cells (rnn.c)
  /** (dtype, B, H, void* gates, g_off, const void* bias, b_off, void* cstate, cs_off, void* csave, sv_off, void* y, y_off, ldy, void* h, h_off, ldh) */
  dt_lstm_cell_forward: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "i32",
      "buffer",
      "i32",
      "i32",
    ],
    result: "i32",
  },
  /** (dtype, B, H, const void* gates, g_off, const void* csave, sv_off, const void* dh, dh_off, lddh, const void* dy, dy_off, lddy, void* dc, dc_off, void* dgates, dg_off) */
  dt_lstm_cell_backward: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "i32",
      "buffer",
      "i32",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
    ],
    result: "i32",
  },
  /** (dtype, B, H, void* gx, gx_off, const void* bias_ih, bih_off, void* gh, gh_off, const void* bias_hh, bhh_off, const void* hprev, hp_off, ldhp, void* y, y_off, ldy, void* h, h_off, ldh) */
  dt_gru_cell_forward: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "i32",
      "buffer",
      "i32",
      "i32",
      "buffer",
      "i32",
      "i32",
    ],
    result: "i32",
  },
  /** (dtype, B, H, const void* gates, g_off, const void* gh, gh_off, const void* hprev, hp_off, ldhp, void* dh, dh_off, lddh, const void* dy, dy_off, lddy, void* dgx, dgx_off, void* dgh, dgh_off) */
  dt_gru_cell_backward: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "i32",
      "buffer",
      "i32",
      "i32",
      "buffer",
      "i32",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
    ],
    result: "i32",
  },
  /** (dtype, B, H, int32 relu, void* pre, p_off, const void* bias, b_off, void* y, y_off, ldy, void* h, h_off, ldh) */
  dt_rnn_cell_forward: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "i32",
      "buffer",
      "i32",
      "i32",
    ],
    result: "i32",
  },
  /** (dtype, B, H, int32 relu, const void* act, a_off, const void* dh, dh_off, lddh, const void* dy, dy_off, lddy, void* dpre, dp_off) */
  dt_rnn_cell_backward: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "i32",
      "buffer",
      "i32",
      "i32",
      "buffer",
      "i32",
    ],
    result: "i32",
  },

  // ---------------------------------------------------------------- softmax (softmax.c)
  /** (int32 dtype, int32 is_log, int32 outer, int32 n, int32 inner, const void* in, void* out) */
  dt_softmax: { parameters: ["i32", "i32", "i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  /** (int32 dtype, int32 is_log, int32 outer, int32 n, int32 inner, const void* gout, const void* out, void* gin) */
  dt_softmax_backward: {
    parameters: ["i32", "i32", "i32", "i32", "i32", "buffer", "buffer", "buffer"],
    result: "i32",
  },

  // ---------------------------------------------------------------- batch norm (batchnorm.c)
  /** (dtype, training, n, c, s, const void* x, const void* weight, const void* bias, void* running_mean,
   * void* running_var, double momentum, double eps, void* save_mean, void* save_invstd, void* out) */
  dt_batchnorm_forward: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "f64",
      "f64",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  /** (dtype, training, n, c, s, const void* gout, const void* x, const void* weight, const void* save_mean,
   * const void* save_invstd, void* gin, void* gweight, void* gbias) */
  dt_batchnorm_backward: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },

  // ---------------------------------------------------------------- losses (loss.c)
  /** (dtype, n, c, s, const void* logp, const int64* target, const void* weight, double ignore_index,
   * int32 reduction, void* out, void* total_weight) */
  dt_nll_forward: {
    parameters: ["i32", "i32", "i32", "i32", "buffer", "buffer", "buffer", "f64", "i32", "buffer", "buffer"],
    result: "i32",
  },
  /** (dtype, softmax, n, c, s, const void* logp, const int64* target, const void* weight, double ignore_index,
   * int32 reduction, const void* gout, const void* total_weight, void* gin) */
  dt_nll_backward: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "f64",
      "i32",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },

  // ---------------------------------------------------------------- convolution (conv.c)
  /** (int32 dtype, int32 rank, const int32* geom, const void* x, const void* w, const void* bias, void* y) */
  dt_conv_forward: { parameters: ["i32", "i32", "buffer", "buffer", "buffer", "buffer", "buffer"], result: "i32" },
  /** (int32 dtype, int32 rank, const int32* geom, const void* y, const void* w, const void* bias, void* x) */
  dt_conv_transpose: { parameters: ["i32", "i32", "buffer", "buffer", "buffer", "buffer", "buffer"], result: "i32" },
  /** (int32 dtype, int32 rank, const int32* geom, const void* x, const void* y, void* gw) */
  dt_conv_weight: { parameters: ["i32", "i32", "buffer", "buffer", "buffer", "buffer"], result: "i32" },
  /** (int32 dtype, int32 n, int32 c, int32 l, const void* y, void* gb) */
  dt_conv_bias_grad: { parameters: ["i32", "i32", "i32", "i32", "buffer", "buffer"], result: "i32" },

  // ---------------------------------------------------------------- pooling (pool.c)
  /** (int32 op, int32 mode, int32 dtype, int32 rank, const int32* geom, const void* x, void* y, int64* indices,
   * const void* samples, int32 count_include_pad, int32 divisor_override) */
  dt_pool_forward: {
    parameters: ["i32", "i32", "i32", "i32", "buffer", "buffer", "buffer", "buffer", "buffer", "i32", "i32"],
    result: "i32",
  },
  /** (int32 mode, int32 dtype, int32 rank, const int32* geom, const void* gy, void* gx, int32 count_include_pad,
   * int32 divisor_override) */
  dt_pool_avg_backward: {
    parameters: ["i32", "i32", "i32", "buffer", "buffer", "buffer", "i32", "i32"],
    result: "i32",
  },

  // ---------------------------------------------------------------- upsampling (upsample.c)
  /** (int32 mode, int32 align_corners, int32 dtype, int32 rank, const int32* geom, const double* scales,
   * const void* x, void* y) */
  dt_upsample: {
    parameters: ["i32", "i32", "i32", "i32", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** (int32 mode, int32 align_corners, int32 dtype, int32 rank, const int32* geom, const double* scales,
   * const void* gy, void* gx) */
  dt_upsample_backward: {
    parameters: ["i32", "i32", "i32", "i32", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },

  // ---------------------------------------------------------------- CTC loss (ctc.c)
  // Optional: a library built before ctc.c still loads (every other op works); the CTC
  // wrappers (src/backend/ctc.ts) then say to rebuild it.
  /** (int32 dtype, int32 t, int32 n, int32 c, int32 s, int32 blank, const void* logp, const int64* targets,
   * const int64* input_lengths, const int64* target_lengths, void* nll, void* log_alpha) */
  dt_ctc_forward: {
    optional: true,
    parameters: ["i32", "i32", "i32", "i32", "i32", "i32", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** (int32 dtype, int32 t, int32 n, int32 c, int32 s, int32 blank, int32 zero_infinity, const void* logp,
   * const int64* targets, const int64* input_lengths, const int64* target_lengths, const void* nll,
   * const void* log_alpha, const void* gout, void* grad) */
  dt_ctc_backward: {
    optional: true,
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The loaded library's callable symbols. */
export type Symbols = Deno.DynamicLibrary<typeof symbols>["symbols"];
