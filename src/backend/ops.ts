/**
 * Native op codes, mirroring the enums of native/include/denotorch.h (checked by
 * tests/ffi/symbols_test.ts). The order of each list is the enum's order.
 *
 * @module
 */

function codes<const T extends readonly string[]>(names: T): { readonly [K in T[number]]: number } {
  return Object.fromEntries(names.map((n, i) => [n, i])) as { [K in T[number]]: number };
}

/** dt_binary_op */
export const BINARY_NAMES = [
  "DT_ADD",
  "DT_SUB",
  "DT_MUL",
  "DT_DIV",
  "DT_POW",
  "DT_MAXIMUM",
  "DT_MINIMUM",
  "DT_ATAN2",
  "DT_FMOD",
  "DT_EQ",
  "DT_NE",
  "DT_LT",
  "DT_LE",
  "DT_GT",
  "DT_GE",
  "DT_LOGICAL_AND",
  "DT_LOGICAL_OR",
  "DT_LOGICAL_XOR",
  "DT_REMAINDER",
] as const;
/** dt_unary_op */
export const UNARY_NAMES = [
  "DT_NEG",
  "DT_ABS",
  "DT_EXP",
  "DT_LOG",
  "DT_SQRT",
  "DT_RSQRT",
  "DT_SIN",
  "DT_COS",
  "DT_TANH",
  "DT_SIGMOID",
  "DT_RELU",
  "DT_SIGN",
  "DT_FLOOR",
  "DT_CEIL",
  "DT_ROUND",
  "DT_LOG1P",
  "DT_EXPM1",
  "DT_RECIPROCAL",
  "DT_SQUARE",
  "DT_LOGICAL_NOT",
  "DT_TRUNC",
  "DT_ADD_SCALAR",
  "DT_MUL_SCALAR",
  "DT_RSUB_SCALAR",
  "DT_RDIV_SCALAR",
  "DT_POW_SCALAR",
  "DT_RPOW_SCALAR",
  "DT_CLAMP",
  "DT_FILL",
  "DT_EQ_SCALAR",
  "DT_NE_SCALAR",
  "DT_LT_SCALAR",
  "DT_LE_SCALAR",
  "DT_GT_SCALAR",
  "DT_GE_SCALAR",
  "DT_LEAKY_RELU",
  "DT_ELU",
  "DT_SOFTPLUS",
  "DT_THRESHOLD",
  "DT_HARDTANH",
  "DT_SOFTSHRINK",
  "DT_SOFTSIGN",
  "DT_LOG_SIGMOID",
  "DT_ISNAN",
  "DT_ERF",
  "DT_DIV_SCALAR",
  "DT_GELU",
  "DT_GELU_TANH",
  "DT_SILU",
  "DT_MISH",
  "DT_HARDSWISH",
  "DT_HARDSIGMOID",
  "DT_CELU",
  "DT_SELU",
  "DT_HARDSHRINK",
] as const;
/** dt_unary_bw_op */
export const UNARY_BW_NAMES = [
  "DT_BW_RELU",
  "DT_BW_SIGMOID",
  "DT_BW_TANH",
  "DT_BW_LEAKY_RELU",
  "DT_BW_ELU",
  "DT_BW_SOFTPLUS",
  "DT_BW_THRESHOLD",
  "DT_BW_HARDTANH",
  "DT_BW_SOFTSHRINK",
  "DT_BW_SOFTSIGN",
  "DT_BW_LOG_SIGMOID",
  "DT_BW_CLAMP",
  "DT_BW_ABS",
  "DT_BW_SQRT",
  "DT_BW_RSQRT",
  "DT_BW_LOG",
  "DT_BW_EXP",
  "DT_BW_POW_SCALAR",
  "DT_BW_RECIPROCAL",
  "DT_BW_SIN",
  "DT_BW_COS",
  "DT_BW_LOG1P",
  "DT_BW_EXPM1",
  "DT_BW_ERF",
  "DT_BW_GELU",
  "DT_BW_GELU_TANH",
  "DT_BW_SILU",
  "DT_BW_MISH",
  "DT_BW_HARDSWISH",
  "DT_BW_HARDSIGMOID",
  "DT_BW_CELU",
  "DT_BW_SELU",
  "DT_BW_HARDSHRINK",
] as const;
/** dt_reduce_op */
export const REDUCE_NAMES = [
  "DT_RED_SUM",
  "DT_RED_MEAN",
  "DT_RED_PROD",
  "DT_RED_MAX",
  "DT_RED_MIN",
  "DT_RED_ARGMAX",
  "DT_RED_ARGMIN",
  "DT_RED_NORM",
  "DT_RED_ANY",
  "DT_RED_ALL",
  "DT_RED_VAR",
  "DT_RED_LOGSUMEXP",
] as const;

/** dt_addc_op */
export const ADDC_NAMES = ["DT_ADDC_SCALED", "DT_ADDC_MUL", "DT_ADDC_DIV"] as const;

export const Binary = codes(BINARY_NAMES);
export const Unary = codes(UNARY_NAMES);
export const UnaryBw = codes(UNARY_BW_NAMES);
export const Reduce = codes(REDUCE_NAMES);
export const Addc = codes(ADDC_NAMES);
