/*
 * reduce.c: dt_reduce and dt_reduce_maxmin. The kernels live in reduce_tpl.h, instantiated here
 * once per dtype; this file validates arguments and dispatches.
 */
#include <stdlib.h>

#include "dt_common.h"
#include "scalar_ops.h"

#define DT_RED_COLS 64     /* inner positions per task (stack accumulators) */
#define DT_RED_CHUNK 4096  /* fixed chunk of a contiguous sum: thread-count independent */

#define T float
#define S f32
#define ACC double
#include "reduce_tpl.h"
#undef T
#undef S
#undef ACC

#define T double
#define S f64
#define ACC double
#include "reduce_tpl.h"
#undef T
#undef S
#undef ACC

#define T int64_t
#define S i64
#define ACC int64_t
#include "reduce_tpl.h"
#undef T
#undef S
#undef ACC

#define T int32_t
#define S i32
#define ACC int64_t
#include "reduce_tpl.h"
#undef T
#undef S
#undef ACC

#define T uint8_t
#define S u8
#define ACC int64_t
#include "reduce_tpl.h"
#undef T
#undef S
#undef ACC

static const char* red_name(int op) {
  static const char* names[DT_REDUCE_COUNT] = {"sum", "mean", "prod", "max", "min", "argmax",
                                               "argmin", "norm", "any", "all", "var", "logsumexp"};
  return (op >= 0 && op < DT_REDUCE_COUNT) ? names[op] : "?";
}

DT_API int32_t dt_reduce(int32_t op, int32_t dtype, int32_t outer, int32_t n, int32_t inner, const void* in,
                         int32_t in_off, void* out, double p0) {
  if (op < 0 || op >= DT_REDUCE_COUNT) return dt_fail(DT_ERR_ARG, "dt_reduce: unknown op %d", (int)op);
  if (!dt_dtype_valid(dtype)) return dt_fail(DT_ERR_DTYPE, "dt_reduce: invalid dtype %d", (int)dtype);
  DT_CHECK_NONNEG("dt_reduce", "outer", outer);
  DT_CHECK_NONNEG("dt_reduce", "n", n);
  DT_CHECK_NONNEG("dt_reduce", "inner", inner);
  DT_CHECK_NONNEG("dt_reduce", "in_off", in_off);
  const int float_only = op == DT_RED_MEAN || op == DT_RED_NORM || op == DT_RED_VAR || op == DT_RED_LOGSUMEXP;
  if (float_only && !dt_dtype_is_float(dtype))
    return dt_fail(DT_ERR_DTYPE, "dt_reduce: %s does not support dtype %s (float32/float64 only)", red_name(op),
                   dt_dtype_name(dtype));
  if (dtype == DT_BOOL && (op == DT_RED_SUM || op == DT_RED_PROD))
    return dt_fail(DT_ERR_DTYPE, "dt_reduce: %s does not support dtype bool (convert to int64 first)", red_name(op));
  if (n == 0 && (op == DT_RED_MAX || op == DT_RED_MIN || op == DT_RED_ARGMAX || op == DT_RED_ARGMIN))
    return dt_fail(DT_ERR_ARG, "dt_reduce: %s of an empty dimension (n == 0) is not defined", red_name(op));
  if ((int64_t)outer * inner == 0) return DT_OK;
  if (!out || (n > 0 && !in)) return dt_fail(DT_ERR_ARG, "dt_reduce: null pointer");
  const int64_t O = outer, N = n, I = inner;
  switch (dtype) {
    case DT_F32: reduce_f32(op, O, N, I, (const float*)in + in_off, out, p0); break;
    case DT_F64: reduce_f64(op, O, N, I, (const double*)in + in_off, out, p0); break;
    case DT_I64: reduce_i64(op, O, N, I, (const int64_t*)in + in_off, out, p0); break;
    case DT_I32: reduce_i32(op, O, N, I, (const int32_t*)in + in_off, out, p0); break;
    default: /* u8 and bool share storage; bool only reaches max/min/arg/any/all */
      reduce_u8(op, O, N, I, (const uint8_t*)in + in_off, out, p0);
      break;
  }
  return DT_OK;
}

DT_API int32_t dt_reduce_maxmin(int32_t is_min, int32_t dtype, int32_t outer, int32_t n, int32_t inner,
                                const void* in, int32_t in_off, void* values, int64_t* indices) {
  if (!dt_dtype_valid(dtype)) return dt_fail(DT_ERR_DTYPE, "dt_reduce_maxmin: invalid dtype %d", (int)dtype);
  DT_CHECK_NONNEG("dt_reduce_maxmin", "outer", outer);
  DT_CHECK_NONNEG("dt_reduce_maxmin", "n", n);
  DT_CHECK_NONNEG("dt_reduce_maxmin", "inner", inner);
  DT_CHECK_NONNEG("dt_reduce_maxmin", "in_off", in_off);
  if (n == 0)
    return dt_fail(DT_ERR_ARG, "dt_reduce_maxmin: %s of an empty dimension (n == 0) is not defined",
                   is_min ? "min" : "max");
  if ((int64_t)outer * inner == 0) return DT_OK;
  if (!in || !values || !indices) return dt_fail(DT_ERR_ARG, "dt_reduce_maxmin: null pointer");
  const int64_t O = outer, N = n, I = inner;
  switch (dtype) {
    case DT_F32: maxmin_f32(is_min, O, N, I, (const float*)in + in_off, (float*)values, indices); break;
    case DT_F64: maxmin_f64(is_min, O, N, I, (const double*)in + in_off, (double*)values, indices); break;
    case DT_I64: maxmin_i64(is_min, O, N, I, (const int64_t*)in + in_off, (int64_t*)values, indices); break;
    case DT_I32: maxmin_i32(is_min, O, N, I, (const int32_t*)in + in_off, (int32_t*)values, indices); break;
    default: maxmin_u8(is_min, O, N, I, (const uint8_t*)in + in_off, (uint8_t*)values, indices); break;
  }
  return DT_OK;
}
