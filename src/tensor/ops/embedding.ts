/**
 * Embedding lookup and PyTorch's in-place renormalisation of looked-up rows. The lookup is
 * one native row gather; its backward one native row scatter-add into a dense gradient (with
 * the padding row zeroed and, optionally, each row scaled by 1 / its frequency in the batch).
 *
 * @module
 */

import * as cpu from "../../backend/cpu.ts";
import { type DType, isFloat } from "../../backend/dtype.ts";
import { Binary, Reduce } from "../../backend/ops.ts";
import { isGradEnabled, noGrad } from "../../autograd/grad_mode.ts";
import { record, recordTwice } from "../../autograd/node.ts";
import { contiguousStrides, fmt } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { castRaw, checkTensor, contiguousRaw, empty, rawView } from "./util.ts";
import { checkIndex } from "./indexing.ts";
import { binaryCore, mul } from "./elementwise.ts";
import { reshape } from "./view.ts";
import { fill_ } from "./convert.ts";
import { reduceRaw } from "./reduce.ts";

const compute = (t: Tensor): Tensor => t.dtype === "float16" ? castRaw(t, "float32", "embedding") : t;

function checkWeight(weight: Tensor, call: string): void {
  checkTensor(weight, call, "weight");
  if (weight.ndim !== 2) {
    throw new RangeError(
      `${call}: expected weight to be 2-d (num_embeddings, embedding_dim), got shape ${fmt(weight.shape)}`,
    );
  }
  if (!isFloat(weight.dtype)) {
    throw new TypeError(`${call}: expected a floating point weight, got dtype ${weight.dtype}`);
  }
}

/** Validated, contiguous int64 indices (flattened), every value in [0, num). */
function indicesOf(indices: Tensor, num: number, call: string): Tensor {
  checkTensor(indices, call, "input");
  if (indices.dtype !== "int64" && indices.dtype !== "int32") {
    throw new TypeError(
      `${call}: expected input to be an int64 or int32 tensor of indices, got dtype ${indices.dtype}`,
    );
  }
  const flat = contiguousRaw(indices, call);
  return checkIndex(rawView(flat, [flat.numel()], [1], flat._offset), num, call, 0);
}

/** `out[idx[j]] += src[j]` into `num` rows: differentiable in `src` (its adjoint is `selectRows`). */
function addRows(src: Tensor, idx: Tensor, num: number, call: string): Tensor {
  const [n, dim] = src.shape;
  const out = empty([num, dim], src.dtype);
  if (n > 0 && dim > 0) cpu.indexAdd(out, contiguousRaw(src, call), idx, 1, num, n, dim, call);
  return recordTwice("EmbeddingBackwardBackward", out, [src], (g) => [selectRows(g, idx, n, call)]);
}

/** `out[j] = src[idx[j]]` for `n` indices: the adjoint of `addRows`. */
function selectRows(src: Tensor, idx: Tensor, n: number, call: string): Tensor {
  const [num, dim] = src.shape;
  const out = empty([n, dim], src.dtype);
  if (n > 0 && dim > 0) cpu.indexSelect(out, contiguousRaw(src, call), idx, 1, num, n, dim, call);
  return recordTwice("EmbeddingBackwardBackward", out, [src], (g) => [addRows(g, idx, num, call)]);
}

/** A constant [n, 1] factor per looked-up row from one value per row index (`perIndex(i)`). */
function rowFactor(idx: Tensor, num: number, dtype: DType, perIndex: (i: number) => number, call: string): Tensor {
  const n = idx.numel();
  const byIndex = empty([num, 1], dtype);
  const f = byIndex.typedArray() as Float32Array | Float64Array;
  for (let i = 0; i < num; i++) f[i] = perIndex(i);
  const per = empty([n, 1], dtype);
  cpu.indexSelect(per, byIndex, idx, 1, num, n, 1, call);
  return per;
}

/**
 * The embedding gradient as differentiable ops (a backward with createGraph): the rows of `g`
 * (0 at `paddingIdx`) added into their rows. With `scaleGradByFreq` the value divides each
 * row by its index's frequency but, as PyTorch's embedding_dense_double_backward, its
 * derivative in `g` does not (it only zeroes the padding rows).
 */
function embeddingGradRecorded(
  g: Tensor,
  idx: Tensor,
  num: number,
  paddingIdx: number | null,
  scaleGradByFreq: boolean,
  call: string,
): Tensor {
  const n = idx.numel(), dim = g.shape[g.ndim - 1];
  const rows = reshape(g, [n, dim]);
  const padded = n > 0 && paddingIdx !== null && paddingIdx >= 0 && paddingIdx < num;
  const mask = padded ? rowFactor(idx, num, g.dtype, (i) => i === paddingIdx ? 0 : 1, call) : null;
  if (!scaleGradByFreq || n === 0) return addRows(mask === null ? rows : mul(rows, mask), idx, num, call);
  const counts = empty([num, 1], g.dtype), ones = empty([n, 1], g.dtype);
  fill_(ones, 1, call);
  cpu.indexAdd(counts, ones, idx, 1, num, n, 1, call);
  const c = counts.toArray() as Float32Array | Float64Array;
  const scale = rowFactor(idx, num, g.dtype, (i) => i === paddingIdx || c[i] === 0 ? 0 : 1 / c[i], call);
  const value = noGrad(() => addRows(mul(rows, scale), idx, num, call));
  return recordTwice("EmbeddingBackwardBackward", value, [g], (gg) => {
    const back = selectRows(gg, idx, n, call);
    return [reshape(mask === null ? back : mul(back, mask), g.shape)];
  });
}

/**
 * `weight[indices]`: the rows of a 2-d weight picked by an integer tensor of any shape; the
 * result has shape `[...indices.shape, embedding_dim]`. The gradient w.r.t. the weight is
 * dense; the row `paddingIdx` (when not null) gets none, and with `scaleGradByFreq` each
 * row's gradient is divided by the number of times its index occurs in `indices`.
 */
export function embedding(
  weight: Tensor,
  indices: Tensor,
  paddingIdx: number | null = null,
  scaleGradByFreq = false,
): Tensor {
  const call = "embedding";
  checkWeight(weight, call);
  const [num, dim] = weight.shape;
  const idx = indicesOf(indices, num, call);
  const n = idx.numel();
  const w = contiguousRaw(compute(weight), call);
  const out = empty([...indices.shape, dim], w.dtype);
  if (n > 0 && dim > 0) cpu.indexSelect(out, w, idx, 1, num, n, dim, call);
  const res = castRaw(out, weight.dtype, call);
  // float16 weights keep the native once-only backward (the kernels compute in float32).
  return (weight.dtype === "float16" ? record : recordTwice)("EmbeddingBackward", res, [weight], (g) => {
    if (isGradEnabled() && g.requiresGrad && weight.dtype !== "float16") {
      return [embeddingGradRecorded(g, idx, num, paddingIdx, scaleGradByFreq, call)];
    }
    let g2 = contiguousRaw(compute(g), call);
    g2 = rawView(g2, [n, dim], contiguousStrides([n, dim]), g2._offset);
    const gw = empty([num, dim], g2.dtype);
    if (n > 0 && dim > 0) {
      if (scaleGradByFreq) {
        // counts[i] = occurrences of i; each gradient row is divided by its index's count.
        const ones = empty([n, 1], g2.dtype);
        fill_(ones, 1, call);
        const counts = empty([num, 1], g2.dtype);
        cpu.indexAdd(counts, ones, idx, 1, num, n, 1, call);
        const per = empty([n, 1], g2.dtype);
        cpu.indexSelect(per, counts, idx, 1, num, n, 1, call);
        g2 = binaryCore(Binary.DT_DIV, g2, per, g2.dtype, call);
      }
      cpu.indexAdd(gw, g2, idx, 1, num, n, dim, call);
    }
    if (paddingIdx !== null && paddingIdx >= 0 && paddingIdx < num) {
      fill_(rawView(gw, [1, dim], [dim, 1], paddingIdx * dim), 0, call);
    }
    return [castRaw(gw, weight.dtype, call)];
  }, [idx]);
}

/**
 * PyTorch's `embedding_renorm_`: every row of `weight` whose index occurs in `indices` and
 * whose `normType`-norm exceeds `maxNorm` is scaled in place by `maxNorm / (norm + 1e-7)`.
 * Runs without recording a graph (callers wrap it in `noGrad`, as PyTorch does).
 */
export function embeddingRenorm_(weight: Tensor, indices: Tensor, maxNorm: number, normType = 2): Tensor {
  const call = "embeddingRenorm_";
  checkWeight(weight, call);
  if (typeof maxNorm !== "number" || Number.isNaN(maxNorm)) {
    throw new TypeError(`${call}: expected maxNorm to be a number, got ${String(maxNorm)}`);
  }
  if (typeof normType !== "number" || Number.isNaN(normType)) {
    throw new TypeError(`${call}: expected normType to be a number, got ${String(normType)}`);
  }
  const [num, dim] = weight.shape;
  const idx = indicesOf(indices, num, call);
  if (idx.numel() === 0 || dim === 0) return weight;
  const unique = [...new Set(idx.typedArray() as BigInt64Array)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const u = unique.length;
  const uidx = empty([u], "int64");
  (uidx.typedArray() as BigInt64Array).set(unique);
  const w = contiguousRaw(compute(weight), call);
  const rows = empty([u, dim], w.dtype);
  cpu.indexSelect(rows, w, uidx, 1, num, u, dim, call);
  const norms = reduceRaw(rows, Reduce.DT_RED_NORM, [1], false, w.dtype, normType, call).typedArray();
  const picked: bigint[] = [], factors: number[] = [], which: number[] = [];
  for (let i = 0; i < u; i++) {
    const nrm = Number(norms[i]);
    if (nrm > maxNorm) {
      picked.push(unique[i]);
      factors.push(maxNorm / (nrm + 1e-7));
      which.push(i);
    }
  }
  const k = picked.length;
  if (k === 0) return weight;
  // The scaled rows, multiplied in the weight's dtype (as PyTorch's `row *= scale`).
  const sel = empty([k], "int64");
  (sel.typedArray() as BigInt64Array).set(which.map(BigInt));
  const sub = empty([k, dim], w.dtype);
  cpu.indexSelect(sub, rows, sel, 1, u, k, dim, call);
  const f = empty([k, 1], w.dtype);
  (f.typedArray() as Float32Array | Float64Array).set(factors);
  const scaled = binaryCore(Binary.DT_MUL, sub, f, w.dtype, call);
  // Write them back: scatter along dim 0 with the row index repeated across each row.
  const pidx = empty([k, 1], "int64");
  (pidx.typedArray() as BigInt64Array).set(picked);
  const full = empty([k, dim], "int64");
  cpu.copy(full, { ...viewOf(pidx), shape: [k, dim], strides: [1, 0] }, call);
  const target = w === weight ? weight : w;
  cpu.scatter(false, target, scaled, full, 1, num, k, dim, call);
  if (target !== weight) cpu.copy(weight, castRaw(target, weight.dtype, call), call);
  weight._bumpVersion();
  return weight;
}

function viewOf(t: Tensor): cpu.View {
  return { _storage: t._storage, dtype: t.dtype, shape: t.shape, strides: t.strides, _offset: t._offset };
}
