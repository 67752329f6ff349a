/**
 * Matrix products on the native GEMM (OpenBLAS for float32/float64 when available, the built-in
 * kernel for integer dtypes). Transposed operands are passed as transposed layouts, never
 * copied; other strided layouts are made contiguous.
 *
 * @module
 */

import * as cpu from "../../backend/cpu.ts";
import { promote } from "../../backend/dtype.ts";
import { needsGrad, recordTwice } from "../../autograd/node.ts";
import { broadcastShapes, fmt, numelOf } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { castRaw, checkTensor, contiguousRaw, emptyRaw, sumTo } from "./util.ts";
import { expand, reshape, squeeze, transpose, unsqueeze } from "./view.ts";
import { castBack } from "./elementwise.ts";

/** Describes the last two dims of `t` as a GEMM operand, copying only when it must. */
function matrix(t: Tensor, batchDim: boolean, call: string): cpu.MatrixOperand {
  const nd = t.ndim;
  const r = t.shape[nd - 2], c = t.shape[nd - 1];
  const sr = t.strides[nd - 2], sc = t.strides[nd - 1];
  const bs = batchDim ? t.strides[0] : 0;
  if ((sc === 1 || c <= 1) && (sr >= Math.max(1, c) || r <= 1)) {
    return { view: t, offset: t._offset, ld: r <= 1 ? Math.max(1, c) : sr, batchStride: bs, trans: false };
  }
  if ((sr === 1 || r <= 1) && (sc >= Math.max(1, r) || c <= 1)) {
    return { view: t, offset: t._offset, ld: c <= 1 ? Math.max(1, r) : sc, batchStride: bs, trans: true };
  }
  const cc = contiguousRaw(t, call);
  return { view: cc, offset: 0, ld: Math.max(1, c), batchStride: batchDim ? r * c : 0, trans: false };
}

/** float16 products compute in float32 and store their result as float16 again (as PyTorch's). */
function half(out: Tensor, a: Tensor, b: Tensor, call: string): Tensor {
  return promote(a.dtype, b.dtype) === "float16" ? castRaw(out, "float16", call) : out;
}

/**
 * The operands of a product in the dtype it computes in. Like PyTorch, products never promote:
 * both operands have one dtype, float32/float64 (float16 computes in float32) or an integer
 * dtype (int64, int32, uint8: exact, wrapping on overflow as PyTorch's do); bool has none.
 */
function productPair(a: Tensor, b: Tensor, call: string): [Tensor, Tensor] {
  if (a.dtype !== b.dtype) {
    // PyTorch: "expected scalar type Float but found Double".
    throw new TypeError(`${call}: expected both operands to have the same dtype, got ${a.dtype} and ${b.dtype}`);
  }
  if (a.dtype === "bool") {
    // PyTorch: "addmm_impl_cpu_" not implemented for 'Bool'.
    throw new TypeError(
      `${call}: matrix products are not implemented for bool tensors; convert them with .int() first`,
    );
  }
  if (a.dtype === "float16") return [castRaw(a, "float32", call), castRaw(b, "float32", call)];
  return [a, b];
}

/** out (contiguous [m, n]) = alpha * a @ b + beta * out for 2-d a, b (no graph). */
export function gemmInto(out: Tensor, a: Tensor, b: Tensor, alpha: number, beta: number, call: string): void {
  const m = a.shape[0], k = a.shape[1], n = b.shape[1];
  cpu.gemm(1, m, n, k, alpha, matrix(a, false, call), matrix(b, false, call), beta, {
    view: out,
    offset: out._offset,
    ld: Math.max(1, n),
    batchStride: 0,
    trans: false,
  }, call);
}

/** 2-d matrix product. */
export function mm(a: Tensor, b: Tensor): Tensor {
  const call = "mm";
  checkTensor(a, call);
  checkTensor(b, call, "mat2");
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new RangeError(`mm: expected 2-d tensors, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  if (a.shape[1] !== b.shape[0]) {
    throw new RangeError(
      `mm: mat1 and mat2 shapes cannot be multiplied (${a.shape[0]}x${a.shape[1]} and ${b.shape[0]}x${b.shape[1]})`,
    );
  }
  const [x, y] = productPair(a, b, call);
  // beta = 0: the GEMM overwrites every element (k == 0 writes zeros), so no zero-fill.
  const out = emptyRaw([a.shape[0], b.shape[1]], x.dtype);
  gemmInto(out, x, y, 1, 0, call);
  return recordTwice("MmBackward", half(out, a, b, call), [a, b], (g) => [
    a.requiresGrad ? castBack(mm(g, transpose(b, 0, 1)), a.dtype, call) : null,
    b.requiresGrad ? castBack(mm(transpose(a, 0, 1), g), b.dtype, call) : null,
  ], [a, b]);
}

/** Batched matrix product of 3-d tensors. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  const call = "bmm";
  checkTensor(a, call);
  checkTensor(b, call, "mat2");
  if (a.ndim !== 3 || b.ndim !== 3) {
    throw new RangeError(`bmm: expected 3-d tensors, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new RangeError(`bmm: batch or inner sizes do not match: ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  const [x, y] = productPair(a, b, call);
  const [B, m, k] = x.shape, n = y.shape[2];
  const out = emptyRaw([B, m, n], x.dtype);
  if (B > 0) {
    cpu.gemm(B, m, n, k, 1, matrix(x, true, call), matrix(y, true, call), 0, {
      view: out,
      offset: 0,
      ld: Math.max(1, n),
      batchStride: m * n,
      trans: false,
    }, call);
  }
  return recordTwice("BmmBackward", half(out, a, b, call), [a, b], (g) => [
    a.requiresGrad ? castBack(bmm(g, transpose(b, 1, 2)), a.dtype, call) : null,
    b.requiresGrad ? castBack(bmm(transpose(a, 1, 2), g), b.dtype, call) : null,
  ], [a, b]);
}

/** Dot product of 1-d tensors. */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, "dot");
  checkTensor(b, "dot", "other");
  if (a.ndim !== 1 || b.ndim !== 1 || a.shape[0] !== b.shape[0]) {
    throw new RangeError(`dot: expected 1-d tensors of equal size, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  return reshape(mm(unsqueeze(a, 0), unsqueeze(b, 1)), []);
}

/** PyTorch's matmul: 1-d/2-d products and broadcast batched products. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const call = "matmul";
  checkTensor(a, call);
  checkTensor(b, call, "other");
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(`matmul: both arguments need at least 1 dimension, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  if (a.ndim === 1 && b.ndim === 1) {
    if (a.shape[0] !== b.shape[0]) {
      throw new RangeError(`matmul: 1-d tensors of sizes ${a.shape[0]} and ${b.shape[0]} cannot be multiplied`);
    }
    return dot(a, b);
  }
  if (a.ndim === 2 && b.ndim === 2) return mm(a, b);
  if (a.ndim === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.ndim === 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);
  const k = a.shape[a.ndim - 1];
  if (b.shape[b.ndim - 2] !== k) {
    throw new RangeError(
      `matmul: shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be multiplied (${k} vs ${b.shape[b.ndim - 2]})`,
    );
  }
  if (b.ndim === 2) {
    // [..., m, k] @ [k, n]: fold the batch into rows, one GEMM.
    const lead = a.shape.slice(0, -1);
    const r = mm(reshape(a, [numelOf(lead), k]), b);
    return reshape(r, [...lead, b.shape[1]]);
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), call);
  const m = a.shape[a.ndim - 2], n = b.shape[b.ndim - 1];
  const B = numelOf(batch);
  const ae = reshape(expand(a, [...batch, m, k]), [B, m, k]);
  const be = reshape(expand(b, [...batch, k, n]), [B, k, n]);
  return reshape(bmm(ae, be), [...batch, m, n]);
}

/**
 * bias + a @ b for 2-d a, b and a bias broadcastable to [m, n]: one GEMM with beta = 1.
 *
 * @example
 * ```ts
 * import { addmm, ones } from "../../../mod.ts";
 * const y = addmm(ones([3]), ones([2, 4]), ones([4, 3]));
 * console.log(y.tolist()); // [[5, 5, 5], [5, 5, 5]]
 * ```
 */
export function addmm(bias: Tensor, a: Tensor, b: Tensor): Tensor {
  const call = "addmm";
  checkTensor(bias, call, "bias");
  checkTensor(a, call, "mat1");
  checkTensor(b, call, "mat2");
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0]) {
    throw new RangeError(`addmm: mat1 and mat2 shapes cannot be multiplied (${fmt(a.shape)} and ${fmt(b.shape)})`);
  }
  const [x, y] = productPair(a, b, call);
  const shape = [a.shape[0], b.shape[1]];
  broadcastShapes(bias.shape, shape, call);
  if (bias.ndim > 2) {
    throw new RangeError(`addmm: bias of shape ${fmt(bias.shape)} does not broadcast to ${fmt(shape)}`);
  }
  const out = emptyRaw(shape, x.dtype);
  const bv = { _storage: bias._storage, dtype: bias.dtype, shape, _offset: bias._offset, strides: bstr(bias, shape) };
  cpu.copy(out, bv, call);
  gemmInto(out, x, y, 1, 1, call);
  return recordTwice("AddmmBackward", half(out, a, b, call), [bias, a, b], (g) => [
    bias.requiresGrad ? castBack(sumTo(g, bias.shape), bias.dtype, call) : null,
    a.requiresGrad ? castBack(mm(g, transpose(b, 0, 1)), a.dtype, call) : null,
    b.requiresGrad ? castBack(mm(transpose(a, 0, 1), g), b.dtype, call) : null,
  ], [a, b]);
}

/**
 * `x Wᵀ (+ bias)` for a 2-d `x` ([n, in]) and `w` ([out, in]): nn.Linear's product as one
 * GEMM that reads W transposed in place, the bias folded in with beta = 1. Recorded as
 * AddmmBackward (MmBackward without a bias) with inputs [bias, x, w]: the backward computes
 * dW = gᵀ x straight into W's own layout, so there is no transpose node in the graph and the
 * weight gradient is a fresh contiguous tensor the leaf adopts as `.grad` without a copy.
 * Shapes are checked by the caller (nn.functional.linear).
 */
export function linear2d(x: Tensor, w: Tensor, bias: Tensor | null): Tensor {
  const call = "linear";
  const [a, b] = productPair(x, w, call);
  const n = a.shape[0], outF = b.shape[0], k = a.shape[1];
  const shape = [n, outF];
  const out = emptyRaw(shape, a.dtype);
  if (bias !== null) {
    const bv = { _storage: bias._storage, dtype: bias.dtype, shape, _offset: bias._offset, strides: bstr(bias, shape) };
    cpu.copy(out, bv, call);
  }
  const wt = matrix(b, false, call);
  wt.trans = !wt.trans;
  const c = { view: out, offset: 0, ld: Math.max(1, outF), batchStride: 0, trans: false };
  cpu.gemm(1, n, outF, k, 1, matrix(a, false, call), wt, bias !== null ? 1 : 0, c, call);
  const res = half(out, x, w, call);
  if (!needsGrad(x, w) && !(bias !== null && needsGrad(bias))) return res;
  const backward = (g: Tensor) => {
    const gx = x.requiresGrad ? castBack(mm(g, w), x.dtype, call) : null;
    const gw = w.requiresGrad ? castBack(mm(transpose(g, 0, 1), x), w.dtype, call) : null;
    if (bias === null) return [gx, gw];
    return [bias.requiresGrad ? castBack(sumTo(g, bias.shape), bias.dtype, call) : null, gx, gw];
  };
  return bias !== null
    ? recordTwice("AddmmBackward", res, [bias, x, w], backward, [x, w])
    : recordTwice("MmBackward", res, [x, w], backward, [x, w]);
}

function bstr(t: Tensor, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(0);
  const lead = shape.length - t.ndim;
  for (let i = 0; i < t.ndim; i++) out[lead + i] = t.shape[i] === 1 ? 0 : t.strides[i];
  return out;
}
