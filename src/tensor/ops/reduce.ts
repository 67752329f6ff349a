/**
 * Reductions over all elements or over dims, with `keepdim`, each with its backward.
 *
 * @module
 */

import * as cpu from "../../backend/cpu.ts";
import { type DType, isFloat } from "../../backend/dtype.ts";
import { Reduce, Unary } from "../../backend/ops.ts";
import { recordTwice } from "../../autograd/node.ts";
import { isGradEnabled } from "../../autograd/grad_mode.ts";
import { contiguousStrides, describe, fmt, normDim, numelOf } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { castRaw, checkTensor, contiguousRaw, emptyRaw, rawView, zerosRaw } from "./util.ts";
import { abs, add, castBack, div, exp, mul, pow, sign, sub, unaryCore, where } from "./elementwise.ts";
import { cat, expand, narrow, reshape } from "./view.ts";
import { gather } from "./indexing.ts";

/** Normalizes a dim argument into a sorted, de-duplicated list (undefined = all dims). */
export function dimList(t: Tensor, dim: number | readonly number[] | undefined, call: string): number[] {
  if (dim === undefined || dim === null) return t.shape.map((_, i) => i);
  const list = typeof dim === "number" ? [dim] : Array.isArray(dim) ? dim : null;
  if (list === null) throw new TypeError(`${call}: expected dim to be a number or an array, got ${describe(dim)}`);
  const out = [...new Set(list.map((d) => normDim(d, t.ndim, call)))].sort((a, b) => a - b);
  if (out.length !== list.length) throw new RangeError(`${call}: dim ${fmt(list)} appears multiple times`);
  return out;
}

function keptShape(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((s, i) => (dims.includes(i) ? 1 : s));
}

function outShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  return keepdim ? keptShape(shape, dims) : shape.filter((_, i) => !dims.includes(i));
}

/**
 * Lays `t` out as contiguous [outer, n, inner] with the reduced dims in the middle, permuting
 * when they are not adjacent.
 */
function arrange(
  t: Tensor,
  dims: readonly number[],
  call: string,
): { src: Tensor; outer: number; n: number; inner: number } {
  const adjacent = dims.every((d, i) => i === 0 || d === dims[i - 1] + 1);
  if (dims.length === 0) return { src: contiguousRaw(t, call), outer: numelOf(t.shape), n: 1, inner: 1 };
  if (adjacent) {
    const d0 = dims[0], d1 = dims[dims.length - 1];
    return {
      src: contiguousRaw(t, call),
      outer: numelOf(t.shape.slice(0, d0)),
      n: numelOf(t.shape.slice(d0, d1 + 1)),
      inner: numelOf(t.shape.slice(d1 + 1)),
    };
  }
  const rest = t.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const order = [...rest, ...dims];
  const p = rawView(t, order.map((i) => t.shape[i]), order.map((i) => t.strides[i]), t._offset);
  return {
    src: contiguousRaw(p, call),
    outer: numelOf(rest.map((i) => t.shape[i])),
    n: numelOf(dims.map((i) => t.shape[i])),
    inner: 1,
  };
}

/** Runs a native reduction over `dims`, giving the output dtype `outDtype`. */
export function reduceRaw(
  t: Tensor,
  op: number,
  dims: readonly number[],
  keepdim: boolean,
  outDtype: DType,
  p0: number,
  call: string,
): Tensor {
  if (t.dtype === "float16") {
    const out32 = outDtype === "float16" ? "float32" : outDtype;
    return castRaw(reduceRaw(castRaw(t, "float32", call), op, dims, keepdim, out32, p0, call), outDtype, call);
  }
  const { src, outer, n, inner } = arrange(t, dims, call);
  const out = emptyRaw(outShape(t.shape, dims, keepdim), outDtype);
  cpu.reduce(op, out, src, outer, n, inner, p0, call);
  return out;
}

/** The gradient `g` of a reduction broadcast back to the input's shape. */
function expandBack(g: Tensor, t: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  const ks = keptShape(t.shape, dims);
  // A gradient that requires grad (a backward with createGraph) is reshaped with its graph.
  const gk = keepdim
    ? g
    : g.requiresGrad && isGradEnabled()
    ? g.reshape(ks)
    : rawView(g.contiguous(), ks, contiguousStrides(ks), 0);
  return expand(gk, t.shape);
}

function sumDtype(d: DType): DType {
  return d === "bool" || d === "uint8" || d === "int32" ? "int64" : d;
}

/** float16 reductions accumulate in float32 and store float16 (as PyTorch's CPU kernels). */
const accDtype = (d: DType): DType => (d === "float16" ? "float32" : d);

/** Sum over `dim` (all when undefined). Integer sums are int64, as in PyTorch. */
export function sum(t: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  checkTensor(t, "sum");
  const dims = dimList(t, dim, "sum");
  const dt = sumDtype(t.dtype);
  const src = castRaw(t, accDtype(dt), "sum");
  const r = castRaw(reduceRaw(src, Reduce.DT_RED_SUM, dims, keepdim, src.dtype, 0, "sum"), dt, "sum");
  return recordTwice("SumBackward", r, [t], (g) => [castBack(expandBack(g, t, dims, keepdim), t.dtype, "sum")]);
}

/** Mean over `dim` (all when undefined); float tensors only. */
export function mean(t: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  checkTensor(t, "mean");
  if (!isFloat(t.dtype)) {
    throw new TypeError(`mean: could not infer output dtype; input dtype should be floating point, got ${t.dtype}`);
  }
  const dims = dimList(t, dim, "mean");
  const n = numelOf(dims.map((d) => t.shape[d]));
  const src = castRaw(t, t.dtype === "float16" ? "float32" : t.dtype, "mean");
  const r = castRaw(reduceRaw(src, Reduce.DT_RED_MEAN, dims, keepdim, src.dtype, 0, "mean"), t.dtype, "mean");
  return recordTwice(
    "MeanBackward",
    r,
    [t],
    (g) => [castBack(expandBack(div(g, n), t, dims, keepdim), t.dtype, "mean")],
  );
}

/** Product over one dim or all. */
export function prod(t: Tensor, dim?: number, keepdim = false): Tensor {
  checkTensor(t, "prod");
  const dims = dimList(t, dim, "prod");
  const dt = sumDtype(t.dtype);
  const ad = accDtype(dt);
  const r = castRaw(reduceRaw(castRaw(t, ad, "prod"), Reduce.DT_RED_PROD, dims, keepdim, ad, 0, "prod"), dt, "prod");
  return recordTwice("ProdBackward", r, [t], (g) => {
    // d prod / d x_i = prod / x_i, except where the slice holds zeros (PyTorch's prod_backward):
    // one zero gets the product of the others, everything else in that slice gets 0.
    const ge = expandBack(g, t, dims, keepdim);
    const rk = expandBack(r, t, dims, keepdim);
    const zero = t.eq(0);
    const zeros = expandBack(
      reduceRaw(castRaw(zero, "int64", "prod"), Reduce.DT_RED_SUM, dims, true, "int64", 0, "prod"),
      t,
      dims,
      true,
    );
    const plain = mul(ge, div(rk, t));
    if (!zeros.gt(0).any().item()) return [plain];
    // A backward with createGraph: PyTorch's prod_safe_zeros_backward, the product of the
    // others as exclusive products from both ends, differentiable again.
    if ((g.requiresGrad || t.requiresGrad) && isGradEnabled()) {
      const whole = dim === undefined || t.ndim === 0;
      const others = othersProduct(whole ? t.reshape([t.numel()]) : t, whole ? 0 : dims[0]);
      return [mul(ge, whole ? others.reshape(t.shape) : others)];
    }
    const others = expandBack(
      reduceRaw(castRaw(where(zero, 1, t), ad, "prod"), Reduce.DT_RED_PROD, dims, true, ad, 0, "prod"),
      t,
      dims,
      true,
    );
    const single = where(zero.logicalAnd(zeros.eq(1)), mul(ge, castRaw(others, t.dtype, "prod")), 0);
    return [where(zeros.eq(0), plain, single)];
  }, [t, r]);
}

/** Along `d`, each entry's product of all the other entries (exclusive products from both ends). */
function othersProduct(t: Tensor, d: number): Tensor {
  const n = t.shape[d];
  const slices: Tensor[] = [];
  for (let k = 0; k < n; k++) slices.push(narrow(t, d, k, 1));
  const left: (Tensor | null)[] = [null], right: (Tensor | null)[] = [null];
  for (let k = 1; k < n; k++) {
    left.push(left[k - 1] ? mul(left[k - 1]!, slices[k - 1]) : slices[k - 1]);
    right.push(right[k - 1] ? mul(right[k - 1]!, slices[n - k]) : slices[n - k]);
  }
  const parts = slices.map((s, k) => {
    const l = left[k], r = right[n - 1 - k];
    return l && r ? mul(l, r) : (l ?? r ?? add(mul(s, 0), 1));
  });
  return cat(parts, d);
}

function checkNonEmpty(t: Tensor, dims: readonly number[], call: string): void {
  for (const d of dims) {
    if (t.shape[d] === 0) {
      throw new RangeError(`${call}: cannot reduce over a zero-size dimension ${d} of shape ${fmt(t.shape)}`);
    }
  }
  if (dims.length === 0 && t.numel() === 0 && t.ndim === 0) {
    throw new RangeError(`${call}: cannot reduce an empty tensor`);
  }
}

/** Max (or min) of all elements; the gradient is shared evenly among ties. */
export function maxAll(t: Tensor, isMin: boolean): Tensor {
  const call = isMin ? "min" : "max";
  checkTensor(t, call);
  if (t.numel() === 0) throw new RangeError(`${call}: expected a non-empty tensor, got shape ${fmt(t.shape)}`);
  const dims = t.shape.map((_, i) => i);
  const r = reduceRaw(t, isMin ? Reduce.DT_RED_MIN : Reduce.DT_RED_MAX, dims, false, t.dtype, 0, call);
  return recordTwice(isMin ? "MinBackward" : "MaxBackward", r, [t], (g) => {
    const mask = t.eq(expand(r, t.shape));
    const count = sum(mask);
    return [where(mask, div(expand(g, t.shape), count), 0)];
  }, [t, r]);
}

/** Max (or min) along `dim`, as `[values, indices]`. */
export function maxDim(t: Tensor, dim: number, keepdim: boolean, isMin: boolean): [Tensor, Tensor] {
  const call = isMin ? "min" : "max";
  checkTensor(t, call);
  const d = normDim(dim, t.ndim, call);
  const dims = t.ndim === 0 ? [] : [d];
  checkNonEmpty(t, dims, call);
  const { src, outer, n, inner } = arrange(castRaw(t, accDtype(t.dtype), call), dims, call);
  const shape = outShape(t.shape, dims, keepdim);
  const acc = emptyRaw(shape, src.dtype);
  const indices = emptyRaw(shape, "int64");
  cpu.reduceMaxMin(isMin, acc, indices, src, outer, n, inner, call);
  const values = castRaw(acc, t.dtype, call);
  recordTwice(isMin ? "MinBackward" : "MaxBackward", values, [t], (g) => {
    const ks = keptShape(t.shape, dims);
    const gi = rawView(castRaw(g, accDtype(g.dtype), call).contiguous(), ks, contiguousStrides(ks), 0);
    const ii = rawView(indices, ks, contiguousStrides(ks), 0);
    if (t.ndim === 0) return [g];
    const out = zerosRaw(t.shape, gi.dtype);
    cpu.scatter(false, out, gi.contiguous(), ii, outer, t.shape[d], 1, inner, call);
    // The gradient's own backward gathers at the same indices: differentiable to any order.
    return [recordTwice(`${isMin ? "Min" : "Max"}BackwardBackward`, castRaw(out, g.dtype, call), [g], (gg) => [
      reshape(gather(gg, d, ii), g.shape),
    ])];
  }, [indices]);
  return [values, indices];
}

/** argmax/argmin over all (flattened) or along `dim`. */
export function argExtreme(t: Tensor, dim: number | undefined, keepdim: boolean, isMin: boolean): Tensor {
  const call = isMin ? "argmin" : "argmax";
  checkTensor(t, call);
  const op = isMin ? Reduce.DT_RED_ARGMIN : Reduce.DT_RED_ARGMAX;
  if (dim === undefined) {
    if (t.numel() === 0) throw new RangeError(`${call}: expected a non-empty tensor, got shape ${fmt(t.shape)}`);
    const flat = contiguousRaw(castRaw(t, accDtype(t.dtype), call), call);
    const out = emptyRaw(keepdim ? t.shape.map(() => 1) : [], "int64");
    cpu.reduce(op, out, flat, 1, t.numel(), 1, 0, call);
    return out;
  }
  const d = normDim(dim, t.ndim, call); // validates the dim of a 0-d tensor too
  const dims = t.ndim === 0 ? [] : [d];
  checkNonEmpty(t, dims, call);
  return reduceRaw(t, op, dims, keepdim, "int64", 0, call);
}

/** Vector p-norm over dims (all when undefined). */
export function norm(t: Tensor, p: number, dim?: number | readonly number[], keepdim = false): Tensor {
  const call = "norm";
  checkTensor(t, call);
  if (typeof p !== "number" || Number.isNaN(p)) {
    throw new TypeError(`norm: expected p to be a number, got ${describe(p)}`);
  }
  if (!isFloat(t.dtype)) throw new TypeError(`norm: expected a floating point tensor, got ${t.dtype}`);
  const dims = dimList(t, dim, call);
  const src = castRaw(t, accDtype(t.dtype), call);
  const r = castRaw(reduceRaw(src, Reduce.DT_RED_NORM, dims, keepdim, src.dtype, p, call), t.dtype, call);
  return recordTwice("NormBackward", r, [t], (g) => {
    const rn = expandBack(r, t, dims, keepdim);
    const ge = expandBack(g, t, dims, keepdim);
    if (p === 0) return [mul(t, 0)];
    if (p === Infinity || p === -Infinity) {
      const mask = abs(t).eq(rn);
      const count = expandBack(sum(mask, dims, true), t, dims, true);
      return [where(mask, div(mul(ge, sign(t)), count), 0)];
    }
    if (p === 1) return [mul(ge, sign(t))];
    // g * x |x|^(p-2) / norm^(p-1), zero where the norm is zero.
    const num = p === 2 ? t : mul(t, pow(abs(t), p - 2));
    const den = p === 2 ? rn : pow(rn, p - 1);
    return [where(rn.eq(0), 0, div(mul(ge, num), den))];
  }, [t, r]);
}

/** Variance with the given correction (unbiased = 1). */
export function variance(
  t: Tensor,
  dim: number | readonly number[] | undefined,
  unbiased: boolean,
  keepdim: boolean,
): Tensor {
  const { v: r, dims, n, c } = varianceRaw(t, dim, unbiased, keepdim, "var");
  return recordTwice("VarBackward", r, [t], (g) => [varGrad(t, g, dims, keepdim, n, c)], [t]);
}

/** The checked, unrecorded variance var and std share, with what their backwards need. */
function varianceRaw(
  t: Tensor,
  dim: number | readonly number[] | undefined,
  unbiased: boolean,
  keepdim: boolean,
  call: string,
): { v: Tensor; dims: number[]; n: number; c: number } {
  checkTensor(t, call);
  if (!isFloat(t.dtype)) throw new TypeError(`${call}: expected a floating point tensor, got ${t.dtype}`);
  const dims = dimList(t, dim, call);
  const c = unbiased ? 1 : 0;
  const n = numelOf(dims.map((d) => t.shape[d]));
  return { v: reduceRaw(t, Reduce.DT_RED_VAR, dims, keepdim, t.dtype, c, call), dims, n, c };
}

/** d var / d t for an output gradient `g` of the variance's shape. */
function varGrad(t: Tensor, g: Tensor, dims: readonly number[], keepdim: boolean, n: number, c: number): Tensor {
  const m = expandBack(mean(t, dims, true), t, dims, true);
  const ge = expandBack(g, t, dims, keepdim);
  return mul(mul(ge, sub(t, m)), 2 / (n - c));
}

/** Standard deviation; its gradient is 0 where the deviation is 0 (PyTorch's std_backward). */
export function std(
  t: Tensor,
  dim: number | readonly number[] | undefined,
  unbiased: boolean,
  keepdim: boolean,
): Tensor {
  const call = "std";
  const { v, dims, n, c } = varianceRaw(t, dim, unbiased, keepdim, call);
  const r = unaryCore(Unary.DT_SQRT, v, 0, 0, v.dtype, call); // float16 computes in float32
  v.dispose();
  return recordTwice("StdBackward", r, [t], (g) => {
    const gv = where(r.eq(0), 0, div(g, mul(r, 2)));
    return [varGrad(t, gv, dims, keepdim, n, c)];
  }, [t, r]);
}

/** Stable log-sum-exp over dims. */
export function logsumexp(t: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  const call = "logsumexp";
  checkTensor(t, call);
  if (!isFloat(t.dtype)) throw new TypeError(`logsumexp: expected a floating point tensor, got ${t.dtype}`);
  const dims = dimList(t, dim, call);
  const r = reduceRaw(t, Reduce.DT_RED_LOGSUMEXP, dims, keepdim, t.dtype, 0, call);
  return recordTwice("LogsumexpBackward", r, [t], (g) => {
    const rn = expandBack(r, t, dims, keepdim);
    return [mul(expandBack(g, t, dims, keepdim), exp(sub(t, rn)))];
  }, [t, r]);
}

/** any/all over all or one dim (bool result). */
export function anyAll(t: Tensor, dim: number | undefined, keepdim: boolean, isAll: boolean): Tensor {
  const call = isAll ? "all" : "any";
  checkTensor(t, call);
  const dims = dimList(t, dim, call);
  return reduceRaw(t, isAll ? Reduce.DT_RED_ALL : Reduce.DT_RED_ANY, dims, keepdim, "bool", 0, call);
}
