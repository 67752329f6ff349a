/**
 * Elementwise ops with broadcasting and type promotion, each with its backward beside it.
 *
 * @module
 */

import * as cpu from "../../backend/cpu.ts";
import { checkScalarFits, type DType, isFloat, promote, promoteScalar, resultType } from "../../backend/dtype.ts";
import { Addc, Binary, Reduce, Unary, UnaryBw } from "../../backend/ops.ts";
import { isGradEnabled } from "../../autograd/grad_mode.ts";
import { needsGrad, record, recordTwice } from "../../autograd/node.ts";
import { broadcastShapes, broadcastStrides, describe, fmt, sameShape } from "../shape.ts";
import type { Scalar, Tensor } from "../tensor.ts";
import { castRaw, checkNumber, checkTensor, emptyLike, emptyRaw, rawView, sumTo, zerosRaw } from "./util.ts";
import { clone } from "./convert.ts";

/** A tensor or a scalar operand of an elementwise op. */
export type Operand = Tensor | Scalar;

const compute = (d: DType): DType => (d === "float16" ? "float32" : d);

/** `t` seen with the broadcast shape `shape` (the tensor itself when the shapes match). */
function bview(t: Tensor, shape: readonly number[]): cpu.View {
  if (t.shape === shape || sameShape(t.shape, shape)) return t;
  return {
    _storage: t._storage,
    dtype: t.dtype,
    shape,
    strides: sameShape(t.shape, shape) ? t.strides : broadcastStrides(t.shape, t.strides, shape),
    _offset: t._offset,
  };
}

function isScalar(x: unknown): x is Scalar {
  return typeof x === "number" || typeof x === "boolean";
}

function operand(x: unknown, call: string, name: string): Operand {
  if (isScalar(x)) return x;
  return checkTensor(x, call, name);
}

/**
 * An output buffer for a result (the kernel writes every element, so it is not zeroed), or
 * the given `out` when its dtype and shape fit. `like` (an input of the result's shape, or
 * null) lends its shape and strides arrays.
 */
function target(like: Tensor | null, shape: readonly number[], dtype: DType, out?: Tensor): Tensor {
  if (out !== undefined && out.dtype === dtype && sameShape(out.shape, shape)) return out;
  return like !== null ? emptyLike(like, dtype) : emptyRaw(shape, dtype);
}

function finish(res: Tensor, dtype: DType, call: string): Tensor {
  return res.dtype === dtype ? res : castRaw(res, dtype, call);
}

/** out = a OP b (tensor-tensor) in dtype `dtype`; comparison ops give `outDtype` bool. */
export function binaryCore(
  op: number,
  a: Tensor,
  b: Tensor,
  dtype: DType,
  call: string,
  outDtype: DType = dtype,
  out?: Tensor,
): Tensor {
  // Same shapes (the common case) skip the broadcast arithmetic and share a's shape array;
  // with one dtype throughout there is nothing to cast either.
  const same = sameShape(a.shape, b.shape);
  if (same && a.dtype === dtype && b.dtype === dtype && outDtype === dtype && dtype !== "float16") {
    const res = out !== undefined && out.dtype === dtype && sameShape(out.shape, a.shape) ? out : emptyLike(a, dtype);
    cpu.binary(op, res, a, b, call);
    return res;
  }
  const shape = same ? a.shape : broadcastShapes(a.shape, b.shape, call);
  const cd = compute(dtype);
  const a2 = castRaw(a, cd, call), b2 = castRaw(b, cd, call);
  const res = target(same ? a : null, shape, compute(outDtype), out);
  cpu.binary(op, res, bview(a2, shape), bview(b2, shape), call);
  return finish(res, outDtype, call);
}

/** out = f(a; p0, p1) in dtype `dtype`. */
export function unaryCore(
  op: number,
  a: Tensor,
  p0: number,
  p1: number,
  dtype: DType,
  call: string,
  outDtype: DType = dtype,
  out?: Tensor,
): Tensor {
  const a2 = castRaw(a, compute(dtype), call);
  const res = target(a, a.shape, compute(outDtype), out);
  cpu.unary(op, res, a2, p0, p1, call);
  return finish(res, outDtype, call);
}

/**
 * out = a + alpha * f(b, c) in one native pass (Addc op; `c` is not read by DT_ADDC_SCALED),
 * broadcasting all three; `dtype` is float32 or float64.
 */
function addcCore(
  op: number,
  a: Tensor,
  b: Tensor,
  c: Tensor,
  alpha: number,
  dtype: DType,
  call: string,
  out?: Tensor,
): Tensor {
  const same = sameShape(a.shape, b.shape) && (c === b || sameShape(a.shape, c.shape));
  const shape = same ? a.shape : broadcastShapes(broadcastShapes(a.shape, b.shape, call), c.shape, call);
  const a2 = castRaw(a, dtype, call), b2 = castRaw(b, dtype, call), c2 = c === b ? b2 : castRaw(c, dtype, call);
  const res = target(same ? a : null, shape, dtype, out);
  cpu.addc(op, res, bview(a2, shape), bview(b2, shape), bview(c2, shape), alpha, call);
  return res;
}

/** The argument checks addcmul and addcdiv share; returns their result dtype. */
function addcArgs(call: string, self: Tensor, t1: Tensor, t2: Tensor, value: number): DType {
  checkTensor(self, call);
  checkTensor(t1, call, "tensor1");
  checkTensor(t2, call, "tensor2");
  checkNumber(value, call, "value");
  return resultType3(self, t1, t2);
}

/** PyTorch's result_type of three tensors: dimensioned tensors decide, zero-dim ones count by category. */
function resultType3(a: Tensor, b: Tensor, c: Tensor): DType {
  let dim: DType | null = null, zero: DType | null = null;
  for (const t of [a, b, c]) {
    if (t.ndim > 0) dim = dim === null ? t.dtype : promote(dim, t.dtype);
    else zero = zero === null ? t.dtype : promote(zero, t.dtype);
  }
  if (dim === null || zero === null) return (dim ?? zero)!;
  return resultType({ dtype: dim, shape: [1] }, { dtype: zero, shape: [] });
}

/** The gradient for input `x` from a broadcast gradient `g`: summed and cast back. */
export function gradFor(g: Tensor, x: Tensor): Tensor {
  return castBack(sumTo(g, x.shape), x.dtype, "backward");
}

/**
 * A gradient cast to `dtype`: recorded (differentiable) when it requires grad in grad mode,
 * as in a backward with createGraph, and a plain copy otherwise.
 */
export function castBack(t: Tensor, dtype: DType, call: string): Tensor {
  if (t.dtype === dtype) return t;
  return t.requiresGrad && isGradEnabled() ? t.to(dtype) : castRaw(t, dtype, call);
}

// ------------------------------------------------------------------ arithmetic

// The graph is recorded by the helpers below, never by a closure inside the op itself: V8
// allocates a function's closure context on every call, so a closure in `add` would cost each
// no-grad call an object too (about 90 bytes, a visible share of a tiny op's time).

/** Records `r = a + alpha * b` (`b` null: `r = a + scalar`). */
function addNode(name: string, r: Tensor, a: Tensor, b: Tensor | null, alpha: number): Tensor {
  if (b === null) return recordTwice(name, r, [a], (g) => [gradFor(g, a)]);
  return recordTwice(name, r, [a, b], (g) => [gradFor(g, a), gradFor(alpha === 1 ? g : mul(g, alpha), b)]);
}

/** Records `r = a * b`, or `r = a * s` when `b` is null. */
function mulNode(r: Tensor, a: Tensor, b: Tensor | null, s: number): Tensor {
  if (b === null) return recordTwice("MulBackward", r, [a], (g) => [gradFor(mul(g, s), a)]);
  return recordTwice(
    "MulBackward",
    r,
    [a, b],
    (g) => [a.requiresGrad ? gradFor(mul(g, b), a) : null, b.requiresGrad ? gradFor(mul(g, a), b) : null],
    [a, b],
  );
}

/** Records `r = a / b`, or `r = a / s` when `b` is null. */
function divNode(r: Tensor, a: Tensor, b: Tensor | null, s: number): Tensor {
  if (b === null) return recordTwice("DivBackward", r, [a], (g) => [gradFor(div(g, s), a)]);
  return recordTwice(
    "DivBackward",
    r,
    [a, b],
    (g) => [
      a.requiresGrad ? gradFor(div(g, b), a) : null,
      b.requiresGrad ? gradFor(neg(div(mul(g, a), mul(b, b))), b) : null,
    ],
    [a, b],
  );
}

/** `a + alpha * b`. */
export function add(a: Tensor, b: Operand, alpha = 1, out?: Tensor): Tensor {
  const call = "add";
  checkTensor(a, call);
  b = operand(b, call, "other");
  if (isScalar(b)) {
    const dt = promoteScalar(a.dtype, b);
    const r = unaryCore(Unary.DT_ADD_SCALAR, a, alpha * Number(b), 0, dt, call, dt, out);
    return needsGrad(a) ? addNode("AddBackward", r, a, null, 1) : r;
  }
  if (alpha !== 1) {
    const fused = scaledAdd(a, b, alpha, call, out);
    if (fused !== null) return needsGrad(a, b) ? addNode("AddBackward", fused, a, b, alpha) : fused;
    b = mul(b, alpha);
  }
  const r = binaryCore(Binary.DT_ADD, a, b, resultType(a, b), call, undefined, out);
  return needsGrad(a, b) ? addNode("AddBackward", r, a, b, 1) : r;
}

/** `a + alpha * b` in one pass for floating point results; null for other dtypes (the caller composes). */
function scaledAdd(a: Tensor, b: Tensor, alpha: number, call: string, out?: Tensor): Tensor | null {
  const dt = resultType(a, b);
  if (!isFloat(dt)) return null;
  return finish(addcCore(Addc.DT_ADDC_SCALED, a, b, b, alpha, compute(dt), call, out), dt, call);
}

/** `a - alpha * b`. */
export function sub(a: Tensor, b: Operand, alpha = 1, out?: Tensor): Tensor {
  const call = "sub";
  checkTensor(a, call);
  b = operand(b, call, "other");
  if (isScalar(b)) return add(a, -Number(b), alpha, out);
  if (alpha !== 1) {
    // PyTorch's sub is add with -alpha: the same single pass and rounding.
    const fused = scaledAdd(a, b, -alpha, call, out);
    if (fused !== null) return needsGrad(a, b) ? addNode("SubBackward", fused, a, b, -alpha) : fused;
    b = mul(b, alpha);
  }
  const r = binaryCore(Binary.DT_SUB, a, b, resultType(a, b), call, undefined, out);
  return needsGrad(a, b) ? addNode("SubBackward", r, a, b, -1) : r;
}

/** `a * b`. */
export function mul(a: Tensor, b: Operand, out?: Tensor): Tensor {
  const call = "mul";
  checkTensor(a, call);
  b = operand(b, call, "other");
  if (isScalar(b)) {
    const s = Number(b);
    const dt = promoteScalar(a.dtype, b);
    const r = unaryCore(Unary.DT_MUL_SCALAR, a, s, 0, dt, call, dt, out);
    return needsGrad(a) ? mulNode(r, a, null, s) : r;
  }
  const r = binaryCore(Binary.DT_MUL, a, b, resultType(a, b), call, undefined, out);
  return needsGrad(a, b) ? mulNode(r, a, b, 1) : r;
}

/** True division `a / b` (integers divide to float32). */
export function div(a: Tensor, b: Operand, out?: Tensor): Tensor {
  const call = "div";
  checkTensor(a, call);
  b = operand(b, call, "other");
  if (isScalar(b)) {
    const s = Number(b);
    const dt = isFloat(a.dtype) ? a.dtype : "float32";
    // True division (not a * (1 / s), which differs from PyTorch in the last bit).
    const r = unaryCore(Unary.DT_DIV_SCALAR, a, s, 0, dt, call, dt, out);
    return needsGrad(a) ? divNode(r, a, null, s) : r;
  }
  let dt = resultType(a, b);
  if (!isFloat(dt)) dt = "float32";
  const r = binaryCore(Binary.DT_DIV, a, b, dt, call, undefined, out);
  return needsGrad(a, b) ? divNode(r, a, b, 0) : r;
}

/**
 * `self + value * t1 * t2` (broadcasting), one native pass for floating point results.
 *
 * @example
 * ```ts
 * import { tensor } from "../../../mod.ts";
 * const x = tensor([1, 1]);
 * console.log(x.addcmul_(tensor([2, 3]), tensor([4, 5]), 0.5).tolist()); // [5, 8.5]
 * ```
 */
export function addcmul(self: Tensor, t1: Tensor, t2: Tensor, value = 1, out?: Tensor): Tensor {
  const call = "addcmul";
  const dt = addcArgs(call, self, t1, t2, value);
  if (!isFloat(dt)) return add(self, mul(t1, t2), value, out);
  const r = finish(addcCore(Addc.DT_ADDC_MUL, self, t1, t2, value, compute(dt), call, out), dt, call);
  if (!isGradEnabled() || !(self.requiresGrad || t1.requiresGrad || t2.requiresGrad)) return r;
  return recordTwice("AddcmulBackward", r, [self, t1, t2], (g) => [
    gradFor(g, self),
    t1.requiresGrad ? gradFor(mul(mul(g, t2), value), t1) : null,
    t2.requiresGrad ? gradFor(mul(mul(g, t1), value), t2) : null,
  ], [t1, t2]);
}

/**
 * `self + value * t1 / t2` (broadcasting), one native pass for floating point results.
 *
 * @example
 * ```ts
 * import { tensor } from "../../../mod.ts";
 * const x = tensor([1, 1]);
 * console.log(x.addcdiv_(tensor([2, 3]), tensor([4, 6]), 2).tolist()); // [2, 2]
 * ```
 */
export function addcdiv(self: Tensor, t1: Tensor, t2: Tensor, value = 1, out?: Tensor): Tensor {
  const call = "addcdiv";
  const dt = addcArgs(call, self, t1, t2, value);
  if (!isFloat(dt)) return add(self, div(t1, t2), value, out);
  const r = finish(addcCore(Addc.DT_ADDC_DIV, self, t1, t2, value, compute(dt), call, out), dt, call);
  if (!isGradEnabled() || !(self.requiresGrad || t1.requiresGrad || t2.requiresGrad)) return r;
  return recordTwice("AddcdivBackward", r, [self, t1, t2], (g) => [
    gradFor(g, self),
    t1.requiresGrad ? gradFor(div(mul(g, value), t2), t1) : null,
    t2.requiresGrad ? gradFor(neg(div(mul(mul(g, value), t1), mul(t2, t2))), t2) : null,
  ], [t1, t2]);
}

/** `a ** b` for a tensor base; see `rpow` for a scalar base. */
export function pow(a: Tensor, b: Operand): Tensor {
  const call = "pow";
  checkTensor(a, call);
  b = operand(b, call, "exponent");
  if (isScalar(b)) {
    const p = Number(b);
    const dt = promoteScalar(a.dtype, b);
    if (!isFloat(dt) && p < 0) {
      throw new RangeError(`pow: Integers to negative integer powers are not allowed (${a.dtype} tensor ** ${p})`);
    }
    const r = unaryCore(Unary.DT_POW_SCALAR, a, p, 0, dt, call);
    return recordTwice("PowBackward", r, [a], (g) => [unaryGrad(UnaryBw.DT_BW_POW_SCALAR, g, a, p, 0)], [a]);
  }
  const bt = b;
  const r = binaryCore(Binary.DT_POW, a, bt, resultType(a, bt), call);
  return recordTwice("PowBackward", r, [a, bt], (g) => {
    // d/da a^b = b a^(b-1), taken as 0 where b == 0 (PyTorch's pow_backward_self: no 0 * inf).
    const ga = a.requiresGrad ? gradFor(where(bt.eq(0), 0, mul(mul(g, bt), pow(a, sub(bt, 1)))), a) : null;
    let gb: Tensor | null = null;
    if (bt.requiresGrad) {
      // d/db a^b = a^b ln a, taken as 0 where a == 0 and b >= 0 (PyTorch's convention).
      const lg = mul(mul(g, r), log(a));
      gb = gradFor(where(a.eq(0).logicalAnd(bt.ge(0)), 0, lg), bt);
    }
    return [ga, gb];
  }, [a, bt, r]);
}

/** `base ** t` for a scalar base. */
export function rpow(base: number, t: Tensor): Tensor {
  checkTensor(t, "pow", "exponent");
  const dt = promoteScalar(t.dtype, base);
  const r = unaryCore(Unary.DT_RPOW_SCALAR, t, base, 0, dt, "pow");
  return recordTwice("PowBackward", r, [t], (g) => [gradFor(mul(mul(g, r), Math.log(base)), t)], [r]);
}

function minmax(op: number, a: Tensor, b: Tensor, call: string, isMax: boolean, out?: Tensor): Tensor {
  checkTensor(a, call);
  checkTensor(b, call, "other");
  const r = binaryCore(op, a, b, resultType(a, b), call, undefined, out);
  return recordTwice(isMax ? "MaximumBackward" : "MinimumBackward", r, [a, b], (g) => {
    const eq = a.eq(b);
    const half = where(eq, mul(g, 0.5), g);
    const aWins = isMax ? a.gt(b) : a.lt(b);
    const bWins = isMax ? a.lt(b) : a.gt(b);
    return [gradFor(where(bWins, 0, half), a), gradFor(where(aWins, 0, half), b)];
  }, [a, b]);
}

/** Elementwise maximum. */
export function maximum(a: Tensor, b: Tensor, out?: Tensor): Tensor {
  return minmax(Binary.DT_MAXIMUM, a, b, "maximum", true, out);
}

/** Elementwise minimum. */
export function minimum(a: Tensor, b: Tensor, out?: Tensor): Tensor {
  return minmax(Binary.DT_MINIMUM, a, b, "minimum", false, out);
}

/** A 0-d tensor of dtype `dt` holding `v`; the caller owns it. */
function scalarOf(dt: DType, v: Scalar): Tensor {
  const t = emptyRaw([], compute(dt));
  cpu.unary(Unary.DT_FILL, t, t, Number(v), 0, "scalar");
  const r = finish(t, dt, "scalar");
  if (r !== t) t.dispose();
  return r;
}

function scalarTensor(a: Tensor, b: Operand): Tensor {
  if (!isScalar(b)) return b;
  const dt = promoteScalar(a.dtype, b);
  const t = emptyRaw([], compute(dt));
  cpu.unary(Unary.DT_FILL, t, t, Number(b), 0, "scalar");
  return finish(t, dt, "scalar");
}

/**
 * Integer remainder/fmod by zero raises in PyTorch ("ZeroDivisionError"); the kernels would
 * return 0 (denotorch.h), so integer divisors are checked here first.
 */
function checkIntDivisor(b: Tensor, dt: DType, call: string): void {
  if (isFloat(dt) || b.numel() === 0) return;
  const zero = emptyRaw(b.shape, "bool");
  cpu.unary(Unary.DT_EQ_SCALAR, zero, b, 0, 0, call);
  const any = emptyRaw([], "bool");
  cpu.reduce(Reduce.DT_RED_ANY, any, zero, 1, zero.numel(), 1, 0, call);
  const hit = any.item() !== 0;
  zero.dispose();
  any.dispose();
  if (hit) throw new RangeError(`${call}: ZeroDivisionError: integer division by zero (the divisor holds a 0)`);
}

/** Shared body of remainder and fmod: d/da = 1, d/db = -floor(a / b) or -trunc(a / b). */
function modulo(kind: "remainder" | "fmod", a: Tensor, b: Operand): Tensor {
  checkTensor(a, kind);
  const other = operand(b, kind, "other");
  const bt = scalarTensor(a, other);
  const dt = resultType(a, bt);
  checkIntDivisor(bt, dt, kind);
  const r = binaryCore(kind === "fmod" ? Binary.DT_FMOD : Binary.DT_REMAINDER, a, bt, dt, kind);
  const name = kind === "fmod" ? "FmodBackward" : "RemainderBackward";
  if (isScalar(other)) return recordTwice(name, r, [a], (g) => [gradFor(g, a)]);
  return recordTwice(name, r, [a, bt], (g) => {
    if (!bt.requiresGrad) return [gradFor(g, a), null];
    const q = div(a, bt);
    return [gradFor(g, a), gradFor(mul(neg(g), kind === "fmod" ? trunc(q) : floor(q)), bt)];
  }, [a, bt]);
}

/** Python-style remainder (the sign of the divisor). */
export function remainder(a: Tensor, b: Operand): Tensor {
  return modulo("remainder", a, b);
}

/** C-style fmod (the sign of the dividend). */
export function fmod(a: Tensor, b: Operand): Tensor {
  return modulo("fmod", a, b);
}

/** atan2(a, b). */
export function atan2(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, "atan2");
  checkTensor(b, "atan2", "other");
  let dt = resultType(a, b);
  if (!isFloat(dt)) dt = "float32";
  const r = binaryCore(Binary.DT_ATAN2, a, b, dt, "atan2");
  return recordTwice("Atan2Backward", r, [a, b], (g) => {
    const den = add(mul(a, a), mul(b, b));
    return [gradFor(div(mul(g, b), den), a), gradFor(div(mul(neg(g), a), den), b)];
  }, [a, b]);
}

// ------------------------------------------------------------------ unary math

/**
 * gin = g * f'(x) through the native backward kernel, or (in a backward with createGraph,
 * when `g` or `x` requires grad) composed from differentiable ops for the kernels that
 * `unaryGradRecorded` knows.
 */
export function unaryGrad(bwOp: number, g: Tensor, x: Tensor, p0: number, p1: number): Tensor {
  if ((g.requiresGrad || x.requiresGrad) && isGradEnabled() && TWICE.has(bwOp)) {
    return unaryGradRecorded(bwOp, g, x, p0, p1);
  }
  const cd = compute(x.dtype);
  const x2 = castRaw(x, cd, "backward");
  const g2 = castRaw(g, cd, "backward");
  const gin = emptyLike(x, cd);
  cpu.unaryBackward(bwOp, gin, bview(g2, x.shape), x2, p0, p1, "backward");
  return finish(gin, x.dtype, "backward");
}

/**
 * The backward kernels with a composed, twice-differentiable form in `unaryGradRecorded`
 * (their nodes are recorded with `recordTwice`). `x` is the saved tensor: the output for exp,
 * expm1, sqrt, rsqrt, tanh, sigmoid, reciprocal and relu, the input otherwise.
 */
const TWICE: ReadonlySet<number> = new Set([
  UnaryBw.DT_BW_EXP,
  UnaryBw.DT_BW_EXPM1,
  UnaryBw.DT_BW_LOG,
  UnaryBw.DT_BW_LOG1P,
  UnaryBw.DT_BW_SQRT,
  UnaryBw.DT_BW_RSQRT,
  UnaryBw.DT_BW_SIN,
  UnaryBw.DT_BW_COS,
  UnaryBw.DT_BW_TANH,
  UnaryBw.DT_BW_SIGMOID,
  UnaryBw.DT_BW_ERF,
  UnaryBw.DT_BW_RECIPROCAL,
  UnaryBw.DT_BW_ABS,
  UnaryBw.DT_BW_RELU,
  UnaryBw.DT_BW_POW_SCALAR,
  UnaryBw.DT_BW_CLAMP,
  UnaryBw.DT_BW_HARDTANH,
  UnaryBw.DT_BW_LEAKY_RELU,
  UnaryBw.DT_BW_SOFTPLUS,
  UnaryBw.DT_BW_SILU,
  UnaryBw.DT_BW_GELU,
  UnaryBw.DT_BW_LOG_SIGMOID,
  UnaryBw.DT_BW_ELU,
  UnaryBw.DT_BW_CELU,
  UnaryBw.DT_BW_SELU,
  UnaryBw.DT_BW_HARDSWISH,
  UnaryBw.DT_BW_MISH,
  UnaryBw.DT_BW_SOFTSIGN,
  UnaryBw.DT_BW_GELU_TANH,
  UnaryBw.DT_BW_SOFTSHRINK,
  UnaryBw.DT_BW_HARDSHRINK,
  UnaryBw.DT_BW_THRESHOLD,
]);

const SELU_ALPHA = 1.6732632423543772848170429916717, SELU_SCALE = 1.0507009873554804934193349852946;

/** PyTorch's elu_backward (is_result false): `x > 0 ? g * pos : g * negipt * negcoef * exp(x * negipt)`. */
function eluGrad(g: Tensor, x: Tensor, negcoef: number, pos: number, negipt: number): Tensor {
  const e = exp(negipt === 1 ? x : mul(x, negipt));
  return where(x.gt(0), pos === 1 ? g : mul(g, pos), mul(mul(mul(g, negipt), negcoef), e));
}

/**
 * `res` (a masked gradient) also linked to `x` with a zero derivative, as PyTorch's
 * threshold_backward: a second backward then gives `x` a zero gradient, not "unused".
 */
export function zeroLink(res: Tensor, x: Tensor): Tensor {
  if (!x.requiresGrad) return res;
  const alias = rawView(res, res.shape, res.strides, res._offset);
  return recordTwice("ThresholdBackwardBackward", alias, [res, x], (gg) => [gg, zerosRaw(x.shape, x.dtype)]);
}

/** g * f'(x) from differentiable ops (the formulas of PyTorch's derivatives.yaml). */
function unaryGradRecorded(bwOp: number, g: Tensor, x: Tensor, p0: number, p1: number): Tensor {
  switch (bwOp) {
    case UnaryBw.DT_BW_EXP:
      return mul(g, x);
    case UnaryBw.DT_BW_EXPM1:
      return mul(g, add(x, 1));
    case UnaryBw.DT_BW_LOG:
      return div(g, x);
    case UnaryBw.DT_BW_LOG1P:
      return div(g, add(x, 1));
    case UnaryBw.DT_BW_SQRT:
      return div(g, mul(x, 2));
    case UnaryBw.DT_BW_RSQRT:
      return mul(g, mul(pow(x, 3), -0.5));
    case UnaryBw.DT_BW_SIN:
      return mul(g, cos(x));
    case UnaryBw.DT_BW_COS:
      return mul(g, neg(sin(x)));
    case UnaryBw.DT_BW_TANH:
      return mul(g, add(neg(mul(x, x)), 1));
    case UnaryBw.DT_BW_SIGMOID:
      return mul(g, mul(x, add(neg(x), 1)));
    case UnaryBw.DT_BW_ERF:
      return mul(g, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)));
    case UnaryBw.DT_BW_RECIPROCAL:
      return mul(g, neg(mul(x, x)));
    case UnaryBw.DT_BW_ABS:
      return mul(g, sign(x));
    case UnaryBw.DT_BW_RELU:
      return zeroLink(where(x.gt(0), g, 0), x);
    case UnaryBw.DT_BW_POW_SCALAR:
      return p0 === 0 ? mul(g, 0) : mul(g, mul(pow(x, p0 - 1), p0));
    case UnaryBw.DT_BW_CLAMP: {
      // Gradient 1 on [min, max] (a NaN bound is absent), as PyTorch's clamp_backward.
      const lo = Number.isNaN(p0) ? null : x.ge(p0), hi = Number.isNaN(p1) ? null : x.le(p1);
      const inside = lo && hi ? lo.logicalAnd(hi) : (lo ?? hi)!;
      return zeroLink(where(inside, g, 0), x);
    }
    case UnaryBw.DT_BW_HARDTANH:
      return zeroLink(where(x.gt(p0).logicalAnd(x.lt(p1)), g, 0), x);
    case UnaryBw.DT_BW_LEAKY_RELU:
      return zeroLink(where(x.gt(0), g, mul(g, p0)), x);
    case UnaryBw.DT_BW_SOFTPLUS: {
      // beta = p0, threshold = p1: linear where beta * x > threshold, sigmoid(beta * x) below.
      const bx = mul(x, p0);
      return where(bx.gt(p1), g, mul(g, sigmoid(bx)));
    }
    case UnaryBw.DT_BW_LOG_SIGMOID:
      return mul(g, sigmoid(neg(x)));
    case UnaryBw.DT_BW_SILU: {
      const s = sigmoid(x);
      return mul(g, mul(s, add(mul(x, add(neg(s), 1)), 1)));
    }
    case UnaryBw.DT_BW_ELU:
      return eluGrad(g, x, p0, 1, 1);
    case UnaryBw.DT_BW_CELU:
      return eluGrad(g, x, p0, 1, 1 / Math.fround(p0));
    case UnaryBw.DT_BW_SELU:
      return eluGrad(
        g,
        x,
        x.dtype === "float64" ? SELU_ALPHA * SELU_SCALE : Math.fround(SELU_ALPHA) * Math.fround(SELU_SCALE),
        SELU_SCALE,
        1,
      );
    case UnaryBw.DT_BW_HARDSWISH:
      return where(x.lt(-3), 0, where(x.ge(3), g, mul(g, add(div(x, 3), 0.5))));
    case UnaryBw.DT_BW_MISH: {
      // PyTorch's infinitely_differentiable_mish_backward.
      const ts = tanh(floatUnary("SoftplusBackward", Unary.DT_SOFTPLUS, UnaryBw.DT_BW_SOFTPLUS, x, 1, 20));
      return mul(g, add(ts, mul(mul(x, sigmoid(x)), add(neg(mul(ts, ts)), 1))));
    }
    case UnaryBw.DT_BW_SOFTSIGN: {
      const d = add(abs(x), 1);
      return div(g, mul(d, d));
    }
    case UnaryBw.DT_BW_GELU_TANH: {
      const beta = Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5, kappa = 0.044715;
      const xx = mul(x, x);
      const th = tanh(mul(add(x, mul(mul(xx, x), kappa)), beta));
      const left = mul(add(th, 1), 0.5);
      const inner = mul(add(mul(xx, 3 * kappa), 1), beta);
      return mul(g, add(left, mul(mul(mul(x, 0.5), add(neg(mul(th, th)), 1)), inner)));
    }
    case UnaryBw.DT_BW_SOFTSHRINK:
      return zeroLink(where(x.ge(-p0).logicalAnd(x.le(p0)).logicalNot(), g, 0), x);
    case UnaryBw.DT_BW_HARDSHRINK:
      return zeroLink(where(x.lt(-p0).logicalOr(x.gt(p0)), g, 0), x);
    case UnaryBw.DT_BW_THRESHOLD:
      return zeroLink(where(x.le(p0).logicalNot(), g, 0), x);
    default: {
      // DT_BW_GELU: Φ(x) + x φ(x).
      const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
      const pdf = mul(exp(mul(mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
      return mul(g, add(cdf, mul(x, pdf)));
    }
  }
}

/**
 * A differentiable float unary op: forward kernel `op`, backward kernel `bwOp` applied to
 * the input (`useOutput` false) or the output (true). The building block of activations.
 */
export function floatUnary(
  name: string,
  op: number,
  bwOp: number,
  x: Tensor,
  p0 = 0,
  p1 = 0,
  useOutput = false,
  out?: Tensor,
): Tensor {
  checkTensor(x, name);
  const dt = isFloat(x.dtype) ? x.dtype : "float32";
  const r = unaryCore(op, x, p0, p1, dt, name, dt, out);
  if (!needsGrad(x)) return r;
  const s = useOutput ? r : x;
  return (TWICE.has(bwOp) ? recordTwice : record)(name, r, [x], (g) => [unaryGrad(bwOp, g, s, p0, p1)], [s]);
}

/** -x. */
export function neg(x: Tensor, out?: Tensor): Tensor {
  checkTensor(x, "neg");
  const r = unaryCore(Unary.DT_NEG, x, 0, 0, x.dtype, "neg", x.dtype, out);
  return recordTwice("NegBackward", r, [x], (g) => [neg(g)]);
}

/** |x|. */
export function abs(x: Tensor): Tensor {
  checkTensor(x, "abs");
  const r = unaryCore(Unary.DT_ABS, x, 0, 0, x.dtype, "abs");
  return recordTwice("AbsBackward", r, [x], (g) => [unaryGrad(UnaryBw.DT_BW_ABS, g, x, 0, 0)], [x]);
}

export const exp = (x: Tensor, out?: Tensor) =>
  floatUnary("ExpBackward", Unary.DT_EXP, UnaryBw.DT_BW_EXP, x, 0, 0, true, out);
export const log = (x: Tensor) => floatUnary("LogBackward", Unary.DT_LOG, UnaryBw.DT_BW_LOG, x);
export const log1p = (x: Tensor) => floatUnary("Log1pBackward", Unary.DT_LOG1P, UnaryBw.DT_BW_LOG1P, x);
export const expm1 = (x: Tensor) => floatUnary("Expm1Backward", Unary.DT_EXPM1, UnaryBw.DT_BW_EXPM1, x, 0, 0, true);
export const sqrt = (x: Tensor, out?: Tensor) =>
  floatUnary("SqrtBackward", Unary.DT_SQRT, UnaryBw.DT_BW_SQRT, x, 0, 0, true, out);
export const rsqrt = (x: Tensor) => floatUnary("RsqrtBackward", Unary.DT_RSQRT, UnaryBw.DT_BW_RSQRT, x, 0, 0, true);
export const sin = (x: Tensor) => floatUnary("SinBackward", Unary.DT_SIN, UnaryBw.DT_BW_SIN, x);
export const cos = (x: Tensor) => floatUnary("CosBackward", Unary.DT_COS, UnaryBw.DT_BW_COS, x);
export const tanh = (x: Tensor, out?: Tensor) =>
  floatUnary("TanhBackward", Unary.DT_TANH, UnaryBw.DT_BW_TANH, x, 0, 0, true, out);
export const sigmoid = (x: Tensor, out?: Tensor) =>
  floatUnary("SigmoidBackward", Unary.DT_SIGMOID, UnaryBw.DT_BW_SIGMOID, x, 0, 0, true, out);
export const erf = (x: Tensor) => floatUnary("ErfBackward", Unary.DT_ERF, UnaryBw.DT_BW_ERF, x);
export const reciprocal = (x: Tensor) =>
  floatUnary("ReciprocalBackward", Unary.DT_RECIPROCAL, UnaryBw.DT_BW_RECIPROCAL, x, 0, 0, true);

/** max(x, 0). */
export function relu(x: Tensor, out?: Tensor): Tensor {
  checkTensor(x, "relu");
  const r = unaryCore(Unary.DT_RELU, x, 0, 0, x.dtype, "relu", x.dtype, out);
  // The output's sign equals the input's where it matters, so the output is what is saved.
  return recordTwice("ReluBackward", r, [x], (g) => [unaryGrad(UnaryBw.DT_BW_RELU, g, r, 0, 0)], [r]);
}

/** x * x. */
export function square(x: Tensor): Tensor {
  checkTensor(x, "square");
  const r = unaryCore(Unary.DT_SQUARE, x, 0, 0, x.dtype, "square");
  return recordTwice("SquareBackward", r, [x], (g) => [mul(mul(g, x), 2)], [x]);
}

function nonDiff(name: string, op: number) {
  return (x: Tensor): Tensor => {
    checkTensor(x, name);
    const r = unaryCore(op, x, 0, 0, x.dtype, name);
    return recordTwice(`${name}Backward`, r, [x], (g) => [mul(g, 0)]);
  };
}

export const sign = nonDiff("sign", Unary.DT_SIGN);
export const floor = nonDiff("floor", Unary.DT_FLOOR);
export const ceil = nonDiff("ceil", Unary.DT_CEIL);
export const round = nonDiff("round", Unary.DT_ROUND);
export const trunc = nonDiff("trunc", Unary.DT_TRUNC);

/** Clamps into [min, max]; a missing bound is unbounded. */
export function clamp(x: Tensor, min?: number | null, max?: number | null, out?: Tensor): Tensor {
  checkTensor(x, "clamp");
  for (const [k, v] of [["min", min], ["max", max]] as const) {
    if (v != null && typeof v !== "number") {
      throw new TypeError(`clamp: expected ${k} to be a number or null, got ${describe(v)}`);
    }
  }
  const lo = min ?? NaN, hi = max ?? NaN;
  if (min == null && max == null) throw new TypeError("clamp: at least one of min and max must be given");
  if (!Number.isNaN(lo) && !Number.isNaN(hi) && lo > hi) {
    // PyTorch sets every element to max in this case.
  }
  const dt =
    isFloat(x.dtype) || (Number.isInteger(lo) || Number.isNaN(lo)) && (Number.isInteger(hi) || Number.isNaN(hi))
      ? x.dtype
      : "float32";
  if (!isFloat(dt)) {
    if (min != null) checkScalarFits(lo, dt, "clamp");
    if (max != null) checkScalarFits(hi, dt, "clamp");
  }
  const r = unaryCore(Unary.DT_CLAMP, x, lo, hi, dt, "clamp", dt, out);
  return recordTwice("ClampBackward", r, [x], (g) => [unaryGrad(UnaryBw.DT_BW_CLAMP, g, x, lo, hi)], [x]);
}

// ------------------------------------------------------------------ comparisons and logic

const CMP = {
  eq: [Binary.DT_EQ, Unary.DT_EQ_SCALAR],
  ne: [Binary.DT_NE, Unary.DT_NE_SCALAR],
  lt: [Binary.DT_LT, Unary.DT_LT_SCALAR],
  le: [Binary.DT_LE, Unary.DT_LE_SCALAR],
  gt: [Binary.DT_GT, Unary.DT_GT_SCALAR],
  ge: [Binary.DT_GE, Unary.DT_GE_SCALAR],
} as const;

/** Elementwise comparison to a bool tensor. */
export function compare(kind: keyof typeof CMP, a: Tensor, b: Operand): Tensor {
  const call = kind;
  checkTensor(a, call);
  b = operand(b, call, "other");
  if (isScalar(b)) {
    return unaryCore(CMP[kind][1], a, Number(b), 0, promoteScalar(a.dtype, b), call, "bool");
  }
  return binaryCore(CMP[kind][0], a, b, resultType(a, b), call, "bool");
}

/** Logical and/or/xor to a bool tensor. */
export function logical(kind: "and" | "or" | "xor", a: Tensor, b: Tensor): Tensor {
  const call = `logical_${kind}`;
  checkTensor(a, call);
  checkTensor(b, call, "other");
  const op = kind === "and" ? Binary.DT_LOGICAL_AND : kind === "or" ? Binary.DT_LOGICAL_OR : Binary.DT_LOGICAL_XOR;
  return binaryCore(op, a, b, resultType(a, b), call, "bool");
}

/** Logical not to a bool tensor. */
export function logicalNot(a: Tensor): Tensor {
  checkTensor(a, "logical_not");
  return unaryCore(Unary.DT_LOGICAL_NOT, a, 0, 0, a.dtype, "logical_not", "bool");
}

/** NaN test to a bool tensor. */
export function isnan(a: Tensor): Tensor {
  checkTensor(a, "isnan");
  return unaryCore(Unary.DT_ISNAN, a, 0, 0, a.dtype, "isnan", "bool");
}

/**
 * `cond ? a : b`, broadcasting all three; differentiable in a and b.
 *
 * @example
 * ```ts
 * import { tensor, where } from "../../../mod.ts";
 * const x = tensor([-1, 2, -3]);
 * console.log(where(x.gt(0), x, 0).tolist()); // [0, 2, 0]
 * ```
 */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const call = "where";
  checkTensor(cond, call, "condition");
  if (cond.dtype !== "bool") throw new TypeError(`where: expected condition to be a bool tensor, got ${cond.dtype}`);
  const at = isScalar(a) ? null : checkTensor(a, call, "input");
  const btt = isScalar(b) ? null : checkTensor(b, call, "other");
  // PyTorch's result_type over the two values (scalars are weak; two scalars: bool, int64, float32).
  const dt: DType = at && btt
    ? resultType(at, btt)
    : at
    ? promoteScalar(at.dtype, b as Scalar)
    : btt
    ? promoteScalar(btt.dtype, a as Scalar)
    : [a, b].some((v) => typeof v === "number" && !Number.isInteger(v))
    ? "float32"
    : [a, b].some((v) => typeof v === "number")
    ? "int64"
    : "bool";
  const ta = at ?? scalarOf(dt, a as Scalar);
  const tb = btt ?? scalarOf(dt, b as Scalar);
  const shape = broadcastShapes(broadcastShapes(cond.shape, ta.shape, call), tb.shape, call);
  const cd = compute(dt);
  const a2 = castRaw(ta, cd, call), b2 = castRaw(tb, cd, call);
  const res = emptyRaw(shape, cd);
  cpu.where(res, bview(cond, shape), bview(a2, shape), bview(b2, shape), call);
  const r = finish(res, dt, call);
  // The scalar operands' tensors and the casts are this call's own temporaries (the graph keeps
  // only cond and the tensor operands): free them now rather than leave them to the collector.
  const free = (t: Tensor, src: Tensor | null) => {
    if (t !== src && t !== r && !t.isDisposed) t.dispose();
  };
  free(ta, at), free(tb, btt), free(a2, at), free(b2, btt);
  if (res !== r) res.dispose();
  const inputs = [at, btt].filter((x): x is Tensor => x !== null);
  return recordTwice("WhereBackward", r, inputs, (g) => {
    const out: Tensor[] = [];
    if (at) out.push(gradFor(where(cond, g, 0), at));
    if (btt) out.push(gradFor(where(cond, 0, g), btt));
    return out;
  }, [cond]);
}

// ------------------------------------------------------------------ in place

/** The live base `t` is a view of (through view ops), or null. */
export function viewBase(t: Tensor): Tensor | null {
  const b = t._base;
  return b !== null && !b._disposed && b._storage === t._storage ? b : null;
}

/** A tensor with `t`'s memory and layout that keeps `t`'s current history (before a rebase). */
function historyAlias(t: Tensor): Tensor {
  if (t.gradFn === null) return t;
  const a = rawView(t, t.shape, t.strides, t._offset);
  a._gradFn = t.gradFn;
  a._requiresGrad = true;
  return a;
}

function checkResult(self: Tensor, r: Tensor, call: string): void {
  if (!sameShape(r.shape, self.shape)) {
    throw new RangeError(
      `${call}: output with shape ${fmt(self.shape)} doesn't match the broadcast shape ${fmt(r.shape)}`,
    );
  }
  if (isFloat(r.dtype) && !isFloat(self.dtype)) {
    throw new TypeError(`${call}: result type ${r.dtype} can't be cast to the desired output type ${self.dtype}`);
  }
}

/**
 * An in-place op on a view while recording: PyTorch's CopySlices. The view's values are
 * computed from a differentiable read of the base's old history; the base's new history is
 * "old base with the region replaced", and the view becomes a view of that new base, so the
 * gradient of anything computed from the base (or the view) afterwards is right.
 */
function inplaceOnView<T extends Tensor>(self: T, base: Tensor, call: string, fn: (x: Tensor) => Tensor): T {
  if (base.isLeaf && base.requiresGrad) {
    throw new Error(
      `${call}: a view of a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad()`,
    );
  }
  const rel = self._offset - base._offset;
  /** The region of a tensor laid out like the base (contiguous gradients of the base's shape). */
  const region = (t: Tensor) => rawView(t, self.shape, self.strides, t._offset + rel);
  const scatterRegion = (g: Tensor): Tensor => {
    const gi = zerosRaw(base.shape, g.dtype);
    cpu.copy(region(gi), g, "backward");
    return gi;
  };
  const oldBase = historyAlias(base);
  const src = clone(record("AsStridedBackward", region(oldBase), [oldBase], (g) => [scatterRegion(g)]));
  const r = fn(src);
  checkResult(self, r, call);
  cpu.copy(self, r, call);
  record("CopySlices", base, [oldBase, r], (g) => {
    const gb = emptyRaw(base.shape, g.dtype);
    cpu.copy(gb, g, "backward");
    const gr = emptyRaw(self.shape, g.dtype);
    cpu.copy(gr, region(gb), "backward");
    cpu.unary(Unary.DT_FILL, region(gb), region(gb), 0, 0, "backward");
    return [gb, gr];
  });
  record("AsStridedBackward", self, [base], (g) => [scatterRegion(g)]);
  self._bumpVersion();
  return self;
}

/**
 * Runs `fn` and stores its result into `self`. Without a graph to record, `fn` writes
 * straight into `self` (no temporary); with one, the op is computed out of place on a copy of
 * `self`'s old value and `self` takes over its gradient function (PyTorch's rebase of history;
 * on a view, the base's history is rebased too).
 * `others` lists the op's other operands: when given and neither they nor `self` (or its base)
 * require grad, no graph is recorded even in grad mode (so buffer updates need no copy).
 * `fresh` says that `fn` returns a new tensor nothing else holds (an op without an `out`): once
 * copied into `self` without a graph, it is freed at once instead of left to the collector.
 */
export function inplace<T extends Tensor>(
  self: T,
  call: string,
  fn: (x: Tensor, out?: Tensor) => Tensor,
  others?: readonly unknown[],
  fresh = false,
): T {
  checkTensor(self, call, "self");
  const base = viewBase(self);
  const recording = isGradEnabled() &&
    (self.requiresGrad || base?.requiresGrad === true || others === undefined ||
      others.some((o) => o !== null && typeof o === "object" && (o as Tensor).requiresGrad === true));
  if (recording && self.requiresGrad && self.isLeaf) {
    throw new Error(
      `${call}: a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad()`,
    );
  }
  for (let i = 0; i < self.ndim; i++) {
    if (self.strides[i] === 0 && self.shape[i] > 1 && !self.shape.includes(0)) {
      throw new RangeError(
        `${call}: cannot write in place into an expanded tensor (shape ${fmt(self.shape)}, strides ${
          fmt(self.strides)
        })`,
      );
    }
  }
  if (recording && base !== null && base.isContiguous()) return inplaceOnView(self, base, call, fn);
  // The copy must hang off self's OLD history: an alias of the same memory that keeps the
  // old gradFn (cloning `self` itself would make its new gradFn its own input: a cycle).
  const src = recording ? clone(historyAlias(self)) : self;
  const r = fn(src, recording ? undefined : self);
  if (r !== self) {
    checkResult(self, r, call);
    cpu.copy(self, r, call);
    if (r.gradFn) self._setGradFn(r.gradFn);
    else if (fresh) r.dispose();
  }
  self._bumpVersion();
  return self;
}
