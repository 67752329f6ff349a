/**
 * Index ops. Every index is range-checked here, before native code touches memory (the
 * kernels check again and report a status rather than write out of range).
 *
 * @module
 */

import * as cpu from "../../backend/cpu.ts";
import type { DType } from "../../backend/dtype.ts";
import { Reduce, Unary } from "../../backend/ops.ts";
import { recordTwice } from "../../autograd/node.ts";
import { broadcastShapes, contiguousStrides, fmt, normDim, numelOf, sameShape } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { castRaw, checkTensor, contiguousRaw, emptyRaw, rawView, zerosRaw } from "./util.ts";
import { where } from "./elementwise.ts";
import { narrow } from "./view.ts";

/** float16 data moves through the float32 kernels (exactly: every float16 is a float32). */
const acc = (d: DType): DType => (d === "float16" ? "float32" : d);

/**
 * Validates an index tensor before any kernel reads it: integer dtype, every value in
 * [0, size) (negatives wrap when `wrap`). Large indices are range-checked with two native
 * reductions (min, max) instead of a JavaScript loop; the loop only runs to name the first
 * bad index in the error, or for small or wrapping indices.
 */
export function checkIndex(index: Tensor, size: number, call: string, dim: number, wrap = false): Tensor {
  checkTensor(index, call, "index");
  if (index.dtype !== "int64" && index.dtype !== "int32") {
    throw new TypeError(`${call}: expected index to be an int64 tensor, got ${index.dtype}`);
  }
  let idx = contiguousRaw(castRaw(index, "int64", call), call);
  const n = idx.numel();
  const big = BigInt(size);
  if (n > 64 && !wrap) {
    const lo = emptyRaw([], "int64"), hi = emptyRaw([], "int64");
    cpu.reduce(Reduce.DT_RED_MIN, lo, idx, 1, n, 1, 0, call);
    cpu.reduce(Reduce.DT_RED_MAX, hi, idx, 1, n, 1, 0, call);
    const ok = (lo.typedArray() as BigInt64Array)[0] >= 0n && (hi.typedArray() as BigInt64Array)[0] < big;
    lo.dispose();
    hi.dispose();
    if (ok) return idx;
  }
  const data = idx.typedArray() as BigInt64Array;
  let copied = false;
  for (let i = 0; i < data.length; i++) {
    let v = data[i];
    if (v < 0n && wrap && v >= -big) {
      if (!copied) {
        const c = emptyRaw(idx.shape, "int64");
        cpu.copy(c, idx, call);
        idx = c;
        copied = true;
      }
      v += big;
      (idx.typedArray() as BigInt64Array)[i] = v;
    }
    if (v < 0n || v >= big) {
      throw new RangeError(`${call}: index ${data[i]} is out of bounds for dimension ${dim} with size ${size}`);
    }
  }
  return idx;
}

/** Rows (entries along `dim`) picked by a 1-d index. */
export function indexSelect(t: Tensor, dim: number, index: Tensor): Tensor {
  const call = "indexSelect";
  checkTensor(t, call);
  checkTensor(index, call, "index");
  if (index.ndim > 1) throw new RangeError(`${call}: index must be 0-d or 1-d, got shape ${fmt(index.shape)}`);
  const d = t.ndim === 0 ? 0 : normDim(dim, t.ndim, call);
  const size = t.ndim === 0 ? 1 : t.shape[d];
  const idx = checkIndex(index, size, call, d);
  const n = idx.numel();
  const src = contiguousRaw(castRaw(t, acc(t.dtype), call), call);
  const shape = t.ndim === 0 ? [] : [...t.shape];
  if (t.ndim > 0) shape[d] = n;
  const out = emptyRaw(shape, src.dtype);
  const outer = numelOf(t.shape.slice(0, d)), inner = numelOf(t.shape.slice(d + 1));
  cpu.indexSelect(out, src, idx, outer, size, n, inner, call);
  return recordTwice("IndexSelectBackward", castRaw(out, t.dtype, call), [t], (g) => {
    const g2 = contiguousRaw(castRaw(g, acc(g.dtype), call), call);
    const gi = zerosRaw(t.shape, g2.dtype);
    cpu.indexAdd(gi, g2, idx, outer, size, n, inner, call);
    // The gradient's own backward picks the same rows: differentiable to any order.
    return [recordTwice("IndexSelectBackwardBackward", castRaw(gi, g.dtype, call), [g], (gg) => [
      indexSelect(gg, d, idx),
    ])];
  }, [idx]);
}

/** A copy of `t` with `src` rows added at `index` along `dim`. */
export function indexAdd(t: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const call = "indexAdd";
  checkTensor(t, call);
  checkTensor(src, call, "source");
  const d = normDim(dim, t.ndim, call);
  const idx = checkIndex(index, t.shape[d], call, d);
  const want = [...t.shape];
  want[d] = idx.numel();
  if (!sameShape(src.shape, want)) {
    throw new RangeError(`${call}: source of shape ${fmt(src.shape)} does not match the expected ${fmt(want)}`);
  }
  const out = emptyRaw(t.shape, t.dtype);
  cpu.copy(out, t, call);
  const outer = numelOf(t.shape.slice(0, d)), inner = numelOf(t.shape.slice(d + 1));
  cpu.indexAdd(out, contiguousRaw(castRaw(src, t.dtype, call), call), idx, outer, t.shape[d], idx.numel(), inner, call);
  return recordTwice("IndexAddBackward", out, [t, src], (g) => [g, indexSelect(g, d, idx)], [idx]);
}

function checkGatherShapes(t: Tensor, index: Tensor, d: number, call: string, what: string): void {
  if (index.ndim !== t.ndim) {
    throw new RangeError(
      `${call}: index tensor must have the same number of dimensions as ${what} tensor (${t.ndim}), got shape ${
        fmt(index.shape)
      }`,
    );
  }
  for (let k = 0; k < t.ndim; k++) {
    if (k !== d && index.shape[k] > t.shape[k]) {
      throw new RangeError(
        `${call}: size of index ${fmt(index.shape)} does not match ${what} ${fmt(t.shape)} at dimension ${k}`,
      );
    }
  }
}

/** `t` narrowed to the index's extent in every dim but `d`. */
function fitTo(t: Tensor, index: Tensor, d: number): Tensor {
  let r = t;
  for (let k = 0; k < t.ndim; k++) if (k !== d && index.shape[k] < t.shape[k]) r = narrow(r, k, 0, index.shape[k]);
  return r;
}

/** out[..., j, ...] = t[..., index[..., j, ...], ...] along `dim`. */
export function gather(t: Tensor, dim: number, index: Tensor): Tensor {
  const call = "gather";
  checkTensor(t, call);
  checkTensor(index, call, "index");
  const d = t.ndim === 0 ? 0 : normDim(dim, t.ndim, call);
  if (t.ndim === 0) return indexSelect(t, 0, index);
  checkGatherShapes(t, index, d, call, "input");
  const idx = checkIndex(index, t.shape[d], call, d);
  const fitted = fitTo(t, index, d);
  const src = contiguousRaw(castRaw(fitted, acc(t.dtype), call), call);
  const out = emptyRaw(index.shape, src.dtype);
  const outer = numelOf(index.shape.slice(0, d)), inner = numelOf(index.shape.slice(d + 1));
  cpu.gather(out, src, idx, outer, t.shape[d], index.shape[d], inner, call);
  return recordTwice("GatherBackward", castRaw(out, t.dtype, call), [fitted], (g) => {
    const g2 = contiguousRaw(castRaw(g, acc(g.dtype), call), call);
    const gi = zerosRaw(fitted.shape, g2.dtype);
    cpu.scatter(true, gi, g2, idx, outer, t.shape[d], index.shape[d], inner, call);
    // The gradient's own backward gathers the same entries: differentiable to any order.
    return [recordTwice("GatherBackwardBackward", castRaw(gi, g.dtype, call), [g], (gg) => [gather(gg, d, idx)])];
  }, [idx]);
}

/** A copy of `t` with `src` written (or added) at `index` along `dim`. */
export function scatter(t: Tensor, dim: number, index: Tensor, src: Tensor | number, accumulate: boolean): Tensor {
  const call = accumulate ? "scatterAdd" : "scatter";
  checkTensor(t, call);
  checkTensor(index, call, "index");
  const d = normDim(dim, t.ndim, call);
  checkGatherShapes(t, index, d, call, "self");
  let s: Tensor;
  if (typeof src === "number") {
    s = emptyRaw(index.shape, t.dtype);
    cpu.unary(28, /* DT_FILL */ s, s, src, 0, call);
  } else {
    s = checkTensor(src, call, "src");
    if (s.ndim !== index.ndim || index.shape.some((x, k) => x > s.shape[k])) {
      throw new RangeError(`${call}: src of shape ${fmt(s.shape)} is smaller than index of shape ${fmt(index.shape)}`);
    }
  }
  const idx = checkIndex(index, t.shape[d], call, d);
  const srcFit = contiguousRaw(castRaw(fitTo(s, index, -1), t.dtype, call), call);
  // The kernel needs out's other dims to match index's: work on a narrowed contiguous copy.
  const out = emptyRaw(t.shape, t.dtype);
  cpu.copy(out, t, call);
  const win = fitTo(out, index, d);
  const work = contiguousRaw(win, call);
  const outer = numelOf(index.shape.slice(0, d)), inner = numelOf(index.shape.slice(d + 1));
  cpu.scatter(accumulate, work, srcFit, idx, outer, t.shape[d], index.shape[d], inner, call);
  if (work !== win) cpu.copy(win, work, call);
  const inputs = typeof src === "number" ? [t] : [t, s];
  return recordTwice(accumulate ? "ScatterAddBackward" : "ScatterBackward", out, inputs, (g) => {
    const gt = accumulate ? g : scatter(g, d, idx, 0, false);
    if (typeof src === "number") return [gt];
    const gs = gather(g, d, idx);
    const full = sameShape(gs.shape, s.shape) ? gs : padTo(gs, s.shape);
    return [gt, full];
  }, [idx]);
}

function padTo(g: Tensor, shape: readonly number[]): Tensor {
  const out = zerosRaw(shape, g.dtype);
  cpu.copy(rawView(out, g.shape, contiguousStrides(shape), 0), g, "backward");
  return recordTwice("ConstantPadNdBackward", out, [g], (gg) => [fitTo(gg, g, -1)]);
}

/** `value` where `mask` is true, else `t` (mask broadcasts to t's shape). */
export function maskedFill(t: Tensor, mask: Tensor, value: number): Tensor {
  const call = "maskedFill";
  checkTensor(t, call);
  checkTensor(mask, call, "mask");
  if (mask.dtype !== "bool") throw new TypeError(`${call}: expected mask to be a bool tensor, got ${mask.dtype}`);
  const shape = broadcastShapes(t.shape, mask.shape, call);
  if (!sameShape(shape, t.shape)) {
    throw new RangeError(`${call}: mask of shape ${fmt(mask.shape)} does not broadcast to ${fmt(t.shape)}`);
  }
  if (typeof value !== "number") throw new TypeError(`${call}: expected value to be a number, got ${typeof value}`);
  // The result keeps t's dtype (PyTorch converts the value: 2.5 fills an int64 tensor with 2).
  const v = castRaw(emptyRaw([], t.dtype === "float16" ? "float32" : t.dtype), t.dtype, call);
  if (v.dtype === "float16") {
    const f = emptyRaw([], "float32");
    cpu.unary(Unary.DT_FILL, f, f, value, 0, call);
    cpu.copy(v, f, call);
  } else cpu.unary(Unary.DT_FILL, v, v, value, 0, call);
  const r = where(mask, v, t);
  if (r.gradFn === null) v.dispose(); // no graph holds the fill value: free it now
  return r;
}
