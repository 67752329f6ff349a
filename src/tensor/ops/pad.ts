/**
 * PyTorch's `F.pad`: constant, reflect, replicate and circular padding of the trailing dims,
 * negative pads cropping. Each padded dim is one differentiable op: a concatenation with
 * constant blocks (constant mode), or an index_select through a map from output to input
 * positions (the other modes), whose backward (index_add) sums the gradient of every copy of
 * an element back into it. One code path serves every rank.
 *
 * @module
 */

import * as cpu from "../../backend/cpu.ts";
import { isFloat } from "../../backend/dtype.ts";
import { Unary } from "../../backend/ops.ts";
import { describe, fmt } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { clone } from "./convert.ts";
import { indexSelect } from "./indexing.ts";
import { castRaw, checkTensor, emptyRaw } from "./util.ts";
import { cat, narrow } from "./view.ts";

/** How `pad` fills the new elements. */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";

const MODES: readonly PadMode[] = ["constant", "reflect", "replicate", "circular"];

/**
 * Pads the last `pad.length / 2` dims of `x`: `pad` is `[left, right]` for the last dim, then
 * `[top, bottom]` for the one before, and so on (PyTorch's order); negative values crop.
 * `constant` fills with `value` and pads any number of dims; `reflect` mirrors without
 * repeating the edge, `replicate` repeats the edge and `circular` wraps around: these pad
 * 1 to 3 dims of a batched or unbatched input (`circular`: batched only, every dim after the
 * first two), and `reflect`/`replicate` need floating point data, as PyTorch's kernels do.
 */
export function pad(x: Tensor, pad: readonly number[], mode: PadMode = "constant", value = 0, call = "pad"): Tensor {
  checkTensor(x, call);
  checkPadArgs(x, pad, mode, value, call);
  const k = pad.length / 2;
  let y = x;
  for (let i = 0; i < k; i++) {
    const d = x.ndim - 1 - i;
    const before = pad[2 * i], after = pad[2 * i + 1];
    if (before === 0 && after === 0) continue;
    y = mode === "constant"
      ? padConstant(y, d, before, after, value, call)
      : indexSelect(y, d, positions(mode, y.shape[d], before, after, d, x.shape, call));
  }
  return y === x ? clone(x) : y;
}

function checkPadArgs(x: Tensor, pad: readonly number[], mode: PadMode, value: number, call: string): void {
  if (!Array.isArray(pad) || pad.some((p) => typeof p !== "number" || !Number.isInteger(p))) {
    throw new TypeError(`${call}: expected pad to be an array of integers, got ${describe(pad)}`);
  }
  if (!MODES.includes(mode)) {
    throw new TypeError(`${call}: unknown padding mode ${describe(mode)}; expected ${MODES.join(", ")}`);
  }
  if (typeof value !== "number") throw new TypeError(`${call}: expected value to be a number, got ${describe(value)}`);
  if (pad.length % 2 !== 0) throw new RangeError(`${call}: the pad length must be even, got ${pad.length}`);
  const k = pad.length / 2;
  if (k > x.ndim) {
    throw new RangeError(`${call}: ${pad.length} pad values pad ${k} dims, but the input has ${x.ndim}`);
  }
  const out = x.shape.map((s, d) => {
    const i = x.ndim - 1 - d;
    return i < k ? s + pad[2 * i] + pad[2 * i + 1] : s;
  });
  if (out.some((v) => v > 0x7fffffff) || out.reduce((a, b) => a * b, 1) > 0x7fffffff) {
    throw new RangeError(
      `${call}: padding ${fmt(x.shape)} by [${pad.join(", ")}] gives shape ${
        fmt(out)
      }, past the 2^31-1 elements supported`,
    );
  }
  if (mode === "constant") return;
  if (value !== 0) throw new TypeError(`${call}: padding mode "${mode}" takes no value, got ${value}`);
  if (mode === "circular") {
    if (x.ndim < 3 || k !== x.ndim - 2) {
      throw new RangeError(
        `${call}: circular padding pads every dim after the first two: a ${x.ndim}-d input needs ${
          2 * Math.max(0, x.ndim - 2)
        } pad values, got ${pad.length}`,
      );
    }
    return;
  }
  if (k < 1 || k > 3 || (x.ndim !== k + 1 && x.ndim !== k + 2)) {
    throw new RangeError(
      `${call}: ${mode} padding of the last ${k} dims needs a ${k + 1}-d or ${k + 2}-d input, got shape ${
        fmt(x.shape)
      }`,
    );
  }
  if (!isFloat(x.dtype)) {
    throw new TypeError(`${call}: ${mode} padding needs a floating point input, got ${x.dtype}`);
  }
  // Every dim but a batch dim must be non-empty (there is nothing to reflect or repeat).
  for (let d = x.ndim - k - 1; d < x.ndim; d++) {
    if (d >= 0 && x.shape[d] === 0 && !(d === 0 && x.ndim === k + 2)) {
      throw new RangeError(`${call}: ${mode} padding needs non-empty dims after the batch dim, got ${fmt(x.shape)}`);
    }
  }
}

/** Constant padding of dim `d`: crops for negative pads, then joins constant blocks on. */
function padConstant(x: Tensor, d: number, before: number, after: number, value: number, call: string): Tensor {
  const size = x.shape[d];
  const from = Math.max(0, -before), kept = size - from - Math.max(0, -after);
  if (kept < 0 || kept + Math.max(0, before) + Math.max(0, after) < 0) {
    throw new RangeError(
      `${call}: padding (${before}, ${after}) of dim ${d} leaves a negative size from its ${size} elements`,
    );
  }
  let y = kept === size ? x : narrow(x, d, from, kept);
  const parts: Tensor[] = [];
  if (before > 0) parts.push(block(y, d, before, value, call));
  parts.push(y);
  if (after > 0) parts.push(block(y, d, after, value, call));
  if (parts.length > 1) y = cat(parts, d);
  return y;
}

/** A tensor of `value` shaped like `like` but `n` long in dim `d`. */
function block(like: Tensor, d: number, n: number, value: number, call: string): Tensor {
  const shape = like.shape.slice();
  shape[d] = n;
  const dt = like.dtype === "float16" ? "float32" : like.dtype;
  const t = emptyRaw(shape, dt);
  cpu.unary(Unary.DT_FILL, t, t, value, 0, call);
  return dt === like.dtype ? t : castRaw(t, like.dtype, call);
}

/** The int64 map from each output position of dim `d` to the input position it copies. */
function positions(
  mode: PadMode,
  size: number,
  before: number,
  after: number,
  d: number,
  shape: readonly number[],
  call: string,
): Tensor {
  const out = size + before + after;
  let src = 0, n = size; // the input positions padding draws from: all, or what cropping leaves
  if (mode === "reflect" && (before >= size || after >= size)) {
    throw new RangeError(
      `${call}: reflect padding must be less than the size of the padded dim, got padding (${before}, ${after}) at dim ${d} of input ${
        fmt(shape)
      }`,
    );
  }
  if (mode === "circular") {
    if (before > size || after > size) {
      throw new RangeError(
        `${call}: circular padding (${before}, ${after}) at dim ${d} wraps around more than once (the dim has ${size})`,
      );
    }
    // PyTorch crops first, then wraps around what is left.
    src = Math.max(0, -before);
    n = size - src - Math.max(0, -after);
    if (out < 0 || (out > 0 && n <= 0)) {
      throw new RangeError(`${call}: circular padding (${before}, ${after}) empties dim ${d} of input ${fmt(shape)}`);
    }
  } else if (out < 1) {
    throw new RangeError(
      `${call}: ${mode} padding (${before}, ${after}) leaves ${out} elements of dim ${d} of input ${fmt(shape)}`,
    );
  }
  const idx = new BigInt64Array(Math.max(0, out));
  const lead = Math.max(0, before);
  for (let o = 0; o < out; o++) {
    let j: number;
    if (mode === "circular") j = src + (((o - lead) % n) + n) % n;
    else {
      j = o - before;
      if (mode === "replicate") j = j < 0 ? 0 : j >= size ? size - 1 : j;
      else j = j < 0 ? -j : j >= size ? 2 * (size - 1) - j : j;
    }
    idx[o] = BigInt(j);
  }
  const t = emptyRaw([idx.length], "int64");
  (t._storage.typed("int64", 0, idx.length) as BigInt64Array).set(idx);
  return t;
}
