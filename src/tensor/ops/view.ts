/**
 * Shape ops: views that share storage (view, permute, expand, narrow, ...) and the joins and
 * splits built on them (cat, stack, split, chunk). Each records its backward.
 *
 * @module
 */

import * as cpu from "../../backend/cpu.ts";
import { promote } from "../../backend/dtype.ts";
import { recordTwice } from "../../autograd/node.ts";
import { contiguousStrides, describe, fmt, inferShape, normDim, numelOf, sameShape, viewStrides } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { castRaw, checkTensor, emptyRaw, rawView, sumTo, zerosRaw } from "./util.ts";
import { isGradEnabled } from "../../autograd/grad_mode.ts";
import { castBack } from "./elementwise.ts";

/** A view of `t` made by a view op: it remembers its base (for in-place ops under autograd). */
function viewOf(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  const r = rawView(t, shape, strides, offset);
  r._base = t._base ?? t;
  return r;
}

/** Accepts `f(2, 3)` and `f([2, 3])` spellings of a shape argument. */
export function shapeArg(args: readonly (number | readonly number[])[], call = "shape"): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...args[0]];
  for (const a of args) {
    if (typeof a !== "number") throw new TypeError(`${call}: expected a shape of integers, got ${describe(args)}`);
  }
  return args as number[];
}

/** A view with a new shape; throws when the layout would need a copy. */
export function view(t: Tensor, shape: readonly number[], call = "view"): Tensor {
  checkTensor(t, call);
  const target = inferShape(shape, t.numel(), t.shape, call);
  const strides = viewStrides(t.shape, t.strides, target);
  if (strides === null) {
    throw new RangeError(
      `${call}: view size ${fmt(target)} is not compatible with the input's size and stride ` +
        `(shape ${fmt(t.shape)}, strides ${fmt(t.strides)}); use reshape() instead`,
    );
  }
  const r = viewOf(t, target, strides, t._offset);
  return recordTwice("ViewBackward", r, [t], (g) => [reshape(g, t.shape)]);
}

/** A view when possible, else a contiguous copy, with a new shape. */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  checkTensor(t, "reshape");
  const target = inferShape(shape, t.numel(), t.shape, "reshape");
  if (viewStrides(t.shape, t.strides, target) !== null) return view(t, target, "reshape");
  return view(t.contiguous(), target, "reshape");
}

/** Reorders dimensions. */
export function permute(t: Tensor, dims: readonly number[]): Tensor {
  checkTensor(t, "permute");
  if (dims.length !== t.ndim) {
    throw new RangeError(`permute: expected ${t.ndim} dims for a tensor of shape ${fmt(t.shape)}, got ${fmt(dims)}`);
  }
  const d = dims.map((x) => normDim(x, t.ndim, "permute"));
  if (new Set(d).size !== d.length) throw new RangeError(`permute: repeated dim in ${fmt(dims)}`);
  const r = viewOf(t, d.map((i) => t.shape[i]), d.map((i) => t.strides[i]), t._offset);
  const inv = new Array<number>(d.length);
  d.forEach((x, i) => (inv[x] = i));
  return recordTwice("PermuteBackward", r, [t], (g) => [permute(g, inv)]);
}

/** Swaps two dims. */
export function transpose(t: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor(t, "transpose");
  if (t.ndim === 0) {
    normDim(dim0, 0, "transpose");
    normDim(dim1, 0, "transpose");
    return t;
  }
  const a = normDim(dim0, t.ndim, "transpose"), b = normDim(dim1, t.ndim, "transpose");
  const order = t.shape.map((_, i) => i);
  order[a] = b;
  order[b] = a;
  return permute(t, order);
}

/** Removes size-1 dims (all, or only `dim`). */
export function squeeze(t: Tensor, dim?: number): Tensor {
  checkTensor(t, "squeeze");
  let keep: number[];
  if (dim === undefined) keep = t.shape.map((_, i) => i).filter((i) => t.shape[i] !== 1);
  else {
    const d = normDim(dim, t.ndim, "squeeze");
    keep = t.shape.map((_, i) => i).filter((i) => i !== d || t.shape[i] !== 1);
  }
  const r = viewOf(t, keep.map((i) => t.shape[i]), keep.map((i) => t.strides[i]), t._offset);
  return recordTwice("SqueezeBackward", r, [t], (g) => [reshape(g, t.shape)]);
}

/** Inserts a size-1 dim at `dim`. */
export function unsqueeze(t: Tensor, dim: number): Tensor {
  checkTensor(t, "unsqueeze");
  const d = normDim(dim, t.ndim + 1, "unsqueeze");
  const shape = [...t.shape], strides = [...t.strides];
  const st = d < t.ndim ? t.strides[d] * t.shape[d] : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, st);
  const r = viewOf(t, shape, strides, t._offset);
  return recordTwice("UnsqueezeBackward", r, [t], (g) => [reshape(g, t.shape)]);
}

/** Broadcasts size-1 dims to `shape` (stride 0); -1 keeps a size. */
export function expand(t: Tensor, shape: readonly number[]): Tensor {
  checkTensor(t, "expand");
  if (shape.length < t.ndim) {
    throw new RangeError(
      `expand: the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${t.ndim})`,
    );
  }
  const lead = shape.length - t.ndim;
  const outShape = new Array<number>(shape.length), strides = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const want = shape[i];
    if (typeof want !== "number" || !Number.isInteger(want) || want < -1 || want > 0x7fffffff) {
      throw new RangeError(`expand: expected sizes that are integers from -1 to 2^31-1, got ${fmt(shape)}`);
    }
    if (i < lead) {
      if (want < 0) throw new RangeError(`expand: -1 is not allowed in a leading, non-existing dimension`);
      outShape[i] = want;
      strides[i] = 0;
      continue;
    }
    const have = t.shape[i - lead];
    if (want === -1 || want === have) {
      outShape[i] = have;
      strides[i] = t.strides[i - lead];
    } else if (have === 1) {
      outShape[i] = want;
      strides[i] = 0;
    } else {
      throw new RangeError(
        `expand: the expanded size of the tensor (${want}) must match the existing size (${have}) at non-singleton dimension ${i}; target ${
          fmt(shape)
        }, tensor ${fmt(t.shape)}`,
      );
    }
  }
  if (sameShape(outShape, t.shape)) return t;
  if (numelOf(outShape) > 0x7fffffff) {
    throw new RangeError(`expand: at most 2^31-1 elements are supported, got shape ${fmt(outShape)}`);
  }
  const r = viewOf(t, outShape, strides, t._offset);
  return recordTwice("ExpandBackward", r, [t], (g) => [sumTo(g, t.shape)]);
}

/** Writes `g` into a zero tensor of `shape` at the window (dim, start, length). */
function padInto(g: Tensor, shape: readonly number[], dim: number, start: number, squeezed: boolean): Tensor {
  if (g.requiresGrad && isGradEnabled()) return padRecorded(g, shape, dim, start, squeezed);
  const out = zerosRaw(shape, g.dtype);
  const st = contiguousStrides(shape);
  const winShape = [...shape];
  const len = squeezed ? 1 : g.shape[dim];
  winShape[dim] = len;
  const win = rawView(out, winShape, st, start * st[dim]);
  const src = squeezed ? rawView(g, winShape, insertStride(g, dim), g._offset) : g;
  cpu.copy(win, src, "backward");
  return out;
}

/** `padInto` for a gradient that requires grad (createGraph): zeros joined by the differentiable cat. */
function padRecorded(g: Tensor, shape: readonly number[], dim: number, start: number, squeezed: boolean): Tensor {
  const win = squeezed ? unsqueeze(g, dim) : g;
  const zeros = (n: number) => zerosRaw(shape.map((s, k) => (k === dim ? n : s)), g.dtype);
  const after = shape[dim] - start - win.shape[dim];
  const parts = [...(start > 0 ? [zeros(start)] : []), win, ...(after > 0 ? [zeros(after)] : [])];
  return parts.length === 1 ? win : cat(parts, dim);
}

function insertStride(g: Tensor, dim: number): number[] {
  const s = [...g.strides];
  s.splice(dim, 0, 0);
  return s;
}

function checkInt(x: unknown, call: string, name: string): number {
  if (typeof x !== "number" || !Number.isInteger(x)) {
    throw new TypeError(`${call}: expected ${name} to be an integer, got ${describe(x)}`);
  }
  return x;
}

/** `length` entries of `dim` from `start`. */
export function narrow(t: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor(t, "narrow");
  if (t.ndim === 0) throw new RangeError("narrow: cannot be applied to a 0-dim tensor");
  const d = normDim(dim, t.ndim, "narrow");
  checkInt(start, "narrow", "start");
  checkInt(length, "narrow", "length");
  const size = t.shape[d];
  if (start < 0) start += size;
  if (start < 0 || length < 0 || start + length > size) {
    throw new RangeError(
      `narrow: start (${start}) + length (${length}) exceeds dimension size (${size}) of dim ${d} (shape ${
        fmt(t.shape)
      })`,
    );
  }
  const shape = [...t.shape];
  shape[d] = length;
  const r = viewOf(t, shape, t.strides, t._offset + start * t.strides[d]);
  return recordTwice("NarrowBackward", r, [t], (g) => [padInto(g, t.shape, d, start, false)]);
}

/** The slice at `index` along `dim`, dim removed. */
export function select(t: Tensor, dim: number, index: number): Tensor {
  checkTensor(t, "select");
  if (t.ndim === 0) throw new RangeError("select: cannot be applied to a 0-dim tensor");
  const d = normDim(dim, t.ndim, "select");
  checkInt(index, "select", "index");
  const size = t.shape[d];
  if (index < -size || index >= size) {
    throw new RangeError(`select: index ${index} is out of range for dimension ${d} with size ${size}`);
  }
  const i = index < 0 ? index + size : index;
  const shape = t.shape.filter((_, k) => k !== d);
  const strides = t.strides.filter((_, k) => k !== d);
  const r = viewOf(t, shape, strides, t._offset + i * t.strides[d]);
  return recordTwice("SelectBackward", r, [t], (g) => [padInto(g, t.shape, d, i, true)]);
}

/** Flattens dims start..end into one. */
export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor(t, "flatten");
  if (t.ndim === 0) {
    normDim(startDim, 0, "flatten");
    normDim(endDim, 0, "flatten");
    return reshape(t, [1]);
  }
  const s = normDim(startDim, t.ndim, "flatten"), e = normDim(endDim, t.ndim, "flatten");
  if (s > e) throw new RangeError(`flatten: startDim (${startDim}) cannot come after endDim (${endDim})`);
  const shape = [...t.shape.slice(0, s), numelOf(t.shape.slice(s, e + 1)), ...t.shape.slice(e + 1)];
  return reshape(t, shape);
}

/** Splits along `dim` into pieces of `size` (or the listed sizes). */
export function split(t: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  checkTensor(t, "split");
  if (t.ndim === 0) throw new RangeError("split: expected at least a 1-dimensional tensor, got a 0-dim tensor");
  const d = normDim(dim, t.ndim, "split");
  const n = t.shape[d];
  let sizes: number[];
  if (typeof size === "number") {
    if (!Number.isInteger(size) || size <= 0) {
      throw new RangeError(`split: expected a positive split size, got ${size}`);
    }
    sizes = [];
    for (let s = 0; s < n; s += size) sizes.push(Math.min(size, n - s));
    if (n === 0) sizes = [0];
  } else {
    sizes = [...size];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n || sizes.some((x) => !Number.isInteger(x) || x < 0)) {
      throw new RangeError(`split: split sizes ${fmt(sizes)} must sum to the dimension size ${n} of dim ${d}`);
    }
  }
  const out: Tensor[] = [];
  let start = 0;
  for (const s of sizes) {
    out.push(narrow(t, d, start, s));
    start += s;
  }
  return out;
}

/** Splits along `dim` into `chunks` pieces (the last may be smaller). */
export function chunk(t: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor(t, "chunk");
  if (!Number.isInteger(chunks) || chunks <= 0) {
    throw new RangeError(`chunk: expected chunks > 0, got ${String(chunks)}`);
  }
  if (t.ndim === 0) throw new RangeError("chunk: expected at least a 1-dimensional tensor, got a 0-dim tensor");
  const d = normDim(dim, t.ndim, "chunk");
  return split(t, Math.max(1, Math.ceil(t.shape[d] / chunks)), d);
}

/** The slices along `dim`. */
export function unbind(t: Tensor, dim = 0): Tensor[] {
  checkTensor(t, "unbind");
  if (t.ndim === 0) throw new RangeError("unbind: dimension specified as 0 but the tensor has no dimensions");
  const d = normDim(dim, t.ndim, "unbind");
  const out: Tensor[] = [];
  for (let i = 0; i < t.shape[d]; i++) out.push(select(t, d, i));
  return out;
}

/** Tiles the tensor `reps[i]` times along each dim. */
export function repeat(t: Tensor, reps: readonly number[]): Tensor {
  checkTensor(t, "repeat");
  if (reps.length < t.ndim) {
    throw new RangeError(
      `repeat: number of repeat dims (${reps.length}) can not be smaller than number of dimensions of tensor (${t.ndim})`,
    );
  }
  if (reps.some((r) => typeof r !== "number" || !Number.isInteger(r) || r < 0)) {
    throw new RangeError(`repeat: expected non-negative integer repeats, got ${fmt(reps)}`);
  }
  const lead = reps.length - t.ndim;
  const src = [...new Array(lead).fill(1), ...t.shape];
  if (numelOf(src.map((s, i) => s * reps[i])) > 0x7fffffff) {
    throw new RangeError(`repeat: at most 2^31-1 elements are supported, got repeats ${fmt(reps)} of ${fmt(t.shape)}`);
  }
  // View as [1, s0, 1, s1, ...], expand to [r0, s0, r1, s1, ...], then materialize.
  const inter: number[] = [], interOut: number[] = [];
  src.forEach((s, i) => {
    inter.push(1, s);
    interOut.push(reps[i], s);
  });
  const x = reshape(t, inter);
  const e = expand(x, interOut);
  return reshape(e.contiguous(), src.map((s, i) => s * reps[i]));
}

/**
 * Joins tensors along an existing dim.
 *
 * @example
 * ```ts
 * import { cat, ones, zeros } from "../../../mod.ts";
 * const c = cat([ones([2, 3]), zeros([1, 3])]);
 * console.log(c.shape); // [3, 3]
 * ```
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const call = "cat";
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new TypeError(`cat: expected a non-empty array of tensors, got ${describe(tensors)}`);
  }
  tensors.forEach((t, i) => checkTensor(t, call, `tensors[${i}]`));
  // Legacy rule: 1-d empty tensors are skipped.
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  if (parts.length === 0) return castRaw(tensors[0], tensors[0].dtype, call);
  const ref = parts[0];
  if (ref.ndim === 0) throw new RangeError("cat: zero-dimensional tensor cannot be concatenated");
  const d = normDim(dim, ref.ndim, call);
  let dtype = ref.dtype;
  let total = 0;
  for (const t of parts) {
    if (t.ndim !== ref.ndim) {
      throw new RangeError(`cat: tensors must have the same number of dimensions: got ${ref.ndim} and ${t.ndim}`);
    }
    for (let k = 0; k < t.ndim; k++) {
      if (k !== d && t.shape[k] !== ref.shape[k]) {
        throw new RangeError(
          `cat: sizes of tensors must match except in dimension ${d}: expected size ${ref.shape[k]} but got size ${
            t.shape[k]
          } in dimension ${k} (shapes ${fmt(ref.shape)} and ${fmt(t.shape)})`,
        );
      }
    }
    dtype = promote(dtype, t.dtype);
    total += t.shape[d];
  }
  const shape = [...ref.shape];
  shape[d] = total;
  // Every element belongs to exactly one part, so the copies below overwrite all of it.
  const out = emptyRaw(shape, dtype);
  const st = contiguousStrides(shape);
  let start = 0;
  const starts: number[] = [];
  for (const t of parts) {
    const ws = [...shape];
    ws[d] = t.shape[d];
    starts.push(start);
    if (t.numel() > 0) cpu.copy(rawView(out, ws, st, start * st[d]), t, call);
    start += t.shape[d];
  }
  return recordTwice(
    "CatBackward",
    out,
    parts,
    (g) => parts.map((t, i) => castBack(narrow(g, d, starts[i], t.shape[d]), t.dtype, call)),
  );
}

/**
 * Joins tensors along a new dim.
 *
 * @example
 * ```ts
 * import { ones, stack, zeros } from "../../../mod.ts";
 * const s = stack([ones([2, 3]), zeros([2, 3])], 1);
 * console.log(s.shape); // [2, 2, 3]
 * ```
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new TypeError(`stack: expected a non-empty array of tensors, got ${describe(tensors)}`);
  }
  tensors.forEach((t, i) => checkTensor(t, "stack", `tensors[${i}]`));
  const ref = tensors[0];
  for (const t of tensors) {
    if (!sameShape(t.shape, ref.shape)) {
      throw new RangeError(
        `stack: expects each tensor to be equal size, but got ${fmt(ref.shape)} and ${fmt(t.shape)}`,
      );
    }
  }
  const d = normDim(dim, ref.ndim + 1, "stack");
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}
