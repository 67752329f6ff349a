/**
 * Helpers shared by the ops: allocation, raw (graph-free) views and casts, argument checks,
 * and reducing a broadcast gradient back to an input's shape.
 *
 * @module
 */

import * as cpu from "../../backend/cpu.ts";
import type { DType } from "../../backend/dtype.ts";
import { CpuStorage } from "../../backend/storage.ts";
import { contiguousStrides, describe, numelOf, sameShape } from "../shape.ts";
import { makeTensor, type Tensor } from "../tensor.ts";
import { Reduce } from "../../backend/ops.ts";
import { isGradEnabled } from "../../autograd/grad_mode.ts";

/**
 * A new contiguous tensor of `shape`, zero-filled: for outputs a kernel accumulates into or
 * writes only partly. Storage may come from the pool (storage.ts), so zeros cost a memset.
 */
export function zerosRaw(shape: readonly number[], dtype: DType): Tensor {
  return makeTensor(CpuStorage.alloc(dtype, numelOf(shape)), shape, contiguousStrides(shape), 0, dtype);
}

/**
 * A new contiguous tensor of `shape` with unspecified contents (a pooled buffer keeps old
 * values): only for outputs the kernel then overwrites completely. `shape` is shared, not
 * copied (shapes are never mutated).
 */
export function emptyRaw(shape: readonly number[], dtype: DType): Tensor {
  return makeTensor(CpuStorage.allocUninit(dtype, numelOf(shape)), shape, contiguousStrides(shape), 0, dtype);
}

/**
 * Like `emptyRaw(t.shape, dtype)`, sharing `t`'s shape array and, when `t` is laid out
 * row-major, its strides array too (no per-op arrays on the hot path).
 */
export function emptyLike(t: Tensor, dtype: DType): Tensor {
  const shape = t.shape, st = t.strides;
  let acc = 1, canonical = true;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (st[i] !== acc) {
      canonical = false;
      break;
    }
    acc *= shape[i];
  }
  const numel = canonical ? acc : numelOf(shape);
  return makeTensor(
    CpuStorage.allocUninit(dtype, numel),
    shape,
    canonical ? st : contiguousStrides(shape),
    0,
    dtype,
  );
}

/** Zero-filled (`zerosRaw`); kept for the ops that have not chosen `emptyRaw` or `zerosRaw` yet. */
export const empty: (shape: readonly number[], dtype: DType) => Tensor = zerosRaw;

/** A view of `t`'s storage with another layout; no graph. */
export function rawView(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return makeTensor(t._storage, shape, strides, offset, t.dtype);
}

/** A contiguous copy of `t` converted to `dtype` (no graph). Returns `t` when nothing changes. */
export function castRaw(t: Tensor, dtype: DType, call: string): Tensor {
  if (t.dtype === dtype) return t;
  const out = emptyLike(t, dtype);
  cpu.copy(out, t, call);
  return out;
}

/** A contiguous copy of `t` (no graph). Returns `t` when it already is contiguous. */
export function contiguousRaw(t: Tensor, call: string): Tensor {
  if (t.isContiguous()) return t;
  const out = emptyRaw(t.shape, t.dtype);
  cpu.copy(out, t, call);
  return out;
}

/** Checks that `x` is a live Tensor; TypeError naming the call and argument otherwise. */
export function checkTensor(x: unknown, call: string, name = "input"): Tensor {
  if (x === null || typeof x !== "object" || !(x as { _isTensor?: boolean })._isTensor) {
    throw new TypeError(`${call}: expected ${name} to be a Tensor, got ${describe(x)}`);
  }
  const t = x as Tensor;
  t._live(call);
  return t;
}

/** Checks that a number argument is finite (or allowed infinite) and returns it. */
export function checkNumber(x: unknown, call: string, name: string): number {
  if (typeof x !== "number" || Number.isNaN(x)) {
    throw new TypeError(`${call}: expected ${name} to be a number, got ${describe(x)}`);
  }
  return x;
}

/**
 * Sums a gradient of a broadcast shape back to `shape` (the reverse of broadcasting).
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  // A backward with createGraph: the sum must be recorded so it can be differentiated again.
  if (g.requiresGrad && isGradEnabled()) return sumToRecorded(g, shape);
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const r = dims.length ? sumDimsRaw(g, dims) : g;
  // r has g's rank with reduced dims kept as 1; drop the leading ones.
  if (lead === 0 && sameShape(r.shape, shape)) return r;
  const v = rawView(r, shape, contiguousStrides(shape), r._offset);
  // The sum is a temporary nobody else sees: release it so the view alone owns the memory
  // (a leaf can then adopt the gradient as .grad without a copy).
  if (r !== g) r.dispose();
  return v;
}

/** `sumTo` through the differentiable sum and reshape (for gradients that require grad). */
function sumToRecorded(g: Tensor, shape: readonly number[]): Tensor {
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  return (dims.length ? g.sum(dims, true) : g).reshape(shape);
}

/** Sums over `dims` keeping them as size 1 (no graph). */
export function sumDimsRaw(t: Tensor, dims: readonly number[]): Tensor {
  // float16 sums accumulate in float32 and are stored as float16 again.
  if (t.dtype === "float16") return castRaw(sumDimsRaw(castRaw(t, "float32", "sum"), dims), "float16", "sum");
  let cur = contiguousRaw(t, "sum");
  const sorted = [...dims].sort((a, b) => a - b);
  // Reduce each dim in turn; runs of adjacent dims collapse into one pass.
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    const d0 = sorted[i], d1 = sorted[j];
    const shape = cur.shape;
    const outer = numelOf(shape.slice(0, d0));
    const n = numelOf(shape.slice(d0, d1 + 1));
    const inner = numelOf(shape.slice(d1 + 1));
    const outShape = shape.map((s, k) => (k >= d0 && k <= d1 ? 1 : s));
    const out = emptyRaw(outShape, cur.dtype);
    cpu.reduce(Reduce.DT_RED_SUM, out, cur, outer, n, inner, 0, "sum");
    cur = out;
    i = j + 1;
  }
  return cur;
}
