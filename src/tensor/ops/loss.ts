/**
 * Loss ops with native kernels: negative log likelihood (class weights, an ignored index,
 * spatial (N, C, d1, ...) inputs), cross entropy fused as log_softmax + NLL with a single
 * backward pass, and binary cross entropy with PyTorch's clamped logs and gradient.
 *
 * @module
 */

import * as nk from "../../backend/nn_kernels.ts";
import { type DType, isFloat } from "../../backend/dtype.ts";
import { recordTwice } from "../../autograd/node.ts";
import { fmt, numelOf } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { castRaw, checkTensor, contiguousRaw, empty } from "./util.ts";
import { add, clamp, div, log, log1p, mul, neg, sub, zeroLink } from "./elementwise.ts";
import { isGradEnabled, noGrad } from "../../autograd/grad_mode.ts";
import { softmax as softmaxOp } from "./softmax.ts";
import { sum } from "./reduce.ts";
import { unsqueeze } from "./view.ts";

/** The three reductions of every loss. */
export type Reduction = "none" | "mean" | "sum";

/** How an (input, target) pair of a class-index loss is laid out for the kernels. */
interface NllLayout {
  n: number;
  c: number;
  s: number;
  /** The shape of the unreduced loss. */
  outShape: number[];
  /** Contiguous int64 targets. */
  target: Tensor;
  dtype: DType;
}

/**
 * Validates a class-index loss call and lays it out as [N, C, S]: input (C) with target (),
 * (N, C) with (N), or (N, C, d1, ...) with (N, d1, ...). Every target must be a class index in
 * [0, C) or `ignoreIndex`.
 */
export function nllLayout(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
  call: string,
): NllLayout {
  checkTensor(input, call, "input");
  checkTensor(target, call, "target");
  if (!isFloat(input.dtype)) throw new TypeError(`${call}: expected a floating point input, got dtype ${input.dtype}`);
  if (target.dtype !== "int64" && target.dtype !== "int32") {
    throw new TypeError(`${call}: expected target to hold class indices (int64), got dtype ${target.dtype}`);
  }
  if (!Number.isInteger(ignoreIndex)) {
    throw new TypeError(`${call}: expected ignoreIndex to be an integer, got ${ignoreIndex}`);
  }
  if (input.ndim === 0) throw new RangeError(`${call}: expected input with 1 or more dimensions, got 0`);
  let n: number, c: number, s: number, outShape: number[];
  if (input.ndim === 1) {
    if (target.ndim !== 0) {
      throw new RangeError(
        `${call}: expected a 0-d target for an unbatched input of shape ${fmt(input.shape)}, got shape ${
          fmt(target.shape)
        }`,
      );
    }
    [n, c, s, outShape] = [1, input.shape[0], 1, []];
  } else {
    n = input.shape[0];
    c = input.shape[1];
    if (target.ndim === 0 || target.shape[0] !== n) {
      throw new RangeError(
        `${call}: Expected input batch_size (${n}) to match target batch_size (${target.ndim ? target.shape[0] : 0}).`,
      );
    }
    const spatial = input.shape.slice(2);
    const want = [n, ...spatial];
    if (target.ndim !== want.length || target.shape.some((d, i) => d !== want[i])) {
      throw new RangeError(
        `${call}: expected target of shape ${fmt(want)} for input of shape ${fmt(input.shape)}, got ${
          fmt(target.shape)
        }`,
      );
    }
    s = numelOf(spatial);
    outShape = want;
  }
  if (weight !== null) {
    checkTensor(weight, call, "weight");
    if (weight.ndim !== 1 || weight.shape[0] !== c) {
      throw new RangeError(
        `${call}: weight tensor should be defined either for all ${c} classes or no classes but got weight tensor of shape: ${
          fmt(weight.shape)
        }`,
      );
    }
  }
  const t = contiguousRaw(castRaw(target, "int64", call), call);
  const data = t.typedArray() as BigInt64Array;
  const ign = BigInt(ignoreIndex), bigC = BigInt(c);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v !== ign && (v < 0n || v >= bigC)) {
      throw new RangeError(
        `${call}: Target ${v} is out of bounds (expected a class index in [0, ${c}) or ignoreIndex ${ignoreIndex})`,
      );
    }
  }
  return { n, c, s, outShape, target: t, dtype: input.dtype === "float16" ? "float32" : input.dtype };
}

/** The NLL kernels' operands for the log-probabilities `logp` (contiguous, of `lay.dtype`). */
function nllOperands(
  logp: Tensor,
  lay: NllLayout,
  weight: Tensor | null,
  ignoreIndex: number,
  reduction: Reduction,
  call: string,
): nk.NllOperands {
  const w = weight === null ? null : contiguousRaw(castRaw(weight, lay.dtype, call), call);
  const { n, c, s, target } = lay;
  return { n, c, s, logp, target, weight: w, ignoreIndex, reduction: nk.REDUCTION[reduction] };
}

/** The NLL loss and the summed target weight (which the backward divides by for "mean"). */
function nllCore(op: nk.NllOperands, lay: NllLayout, reduction: Reduction, call: string): [Tensor, Tensor] {
  const out = empty(reduction === "none" ? lay.outShape : [], lay.dtype);
  const total = empty([], lay.dtype);
  nk.nllForward(op, out, total, call);
  return [out, total];
}

/** d loss / d input (of `shape`) for the output gradient `g`; through log_softmax when `softmax`. */
function nllGrad(
  softmax: boolean,
  op: nk.NllOperands,
  lay: NllLayout,
  g: Tensor,
  total: Tensor,
  shape: readonly number[],
  call: string,
): Tensor {
  const gc = contiguousRaw(castRaw(g, lay.dtype, call), call);
  const gin = empty(shape, lay.dtype);
  nk.nllBackward(softmax, op, gc, total, gin, call);
  return gin;
}

/**
 * The NLL gradient as differentiable ops (for a backward with createGraph): it is linear in
 * `g`, `g` times the constant gradient of the NLL for a unit output gradient. Through
 * log_softmax (`softmax`, the fused cross entropy) it is `m - softmax(x) * sum_c(m)`, with
 * `x` the logits, differentiable in both.
 */
function nllGradRecorded(
  softmax: boolean,
  op: nk.NllOperands,
  lay: NllLayout,
  input: Tensor,
  g: Tensor,
  total: Tensor,
  call: string,
): Tensor {
  const ones = empty(g.shape, lay.dtype);
  ones.fill_(1);
  const unit = castRaw(nllGrad(false, op, lay, ones, total, input.shape, call), input.dtype, call);
  const cdim = input.ndim === 1 ? 0 : 1;
  const m = mul(unit, g.ndim === 0 ? g : unsqueeze(g, cdim));
  if (!softmax) return zeroLink(m, input);
  return sub(m, mul(softmaxOp(input, cdim), sum(m, cdim, true)));
}

/**
 * Negative log likelihood of log-probabilities `input` at class indices `target`. With
 * `weight`, each term is scaled by its class weight and "mean" divides by the summed weight
 * of the non-ignored targets (PyTorch's rule). Targets equal to `ignoreIndex` contribute 0.
 */
export function nllLoss(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
  reduction: Reduction,
  call = "nllLoss",
): Tensor {
  const lay = nllLayout(input, target, weight, ignoreIndex, call);
  const logp = contiguousRaw(castRaw(input, lay.dtype, call), call);
  const op = nllOperands(logp, lay, weight, ignoreIndex, reduction, call);
  const [out, total] = nllCore(op, lay, reduction, call);
  const res = out.dtype === input.dtype ? out : castRaw(out, input.dtype, call);
  return recordTwice("NllLossBackward", res, [input], (g) => {
    if (isGradEnabled() && (g.requiresGrad || input.requiresGrad)) {
      return [nllGradRecorded(false, op, lay, input, g, total, call)];
    }
    const gin = nllGrad(false, op, lay, g, total, input.shape, call);
    return [castRaw(gin, input.dtype, call)];
  });
}

/**
 * Cross entropy of logits `input` (class dim 1) at class indices `target`: log_softmax and
 * NLL in two native passes forward and one backward (d/dx = w[t] (softmax(x) - onehot(t))).
 */
export function crossEntropyIndices(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
  reduction: Reduction,
  call = "crossEntropy",
): Tensor {
  const lay = nllLayout(input, target, weight, ignoreIndex, call);
  const x = contiguousRaw(castRaw(input, lay.dtype, call), call);
  const logp = empty(input.shape, lay.dtype);
  nk.softmax(true, logp, x, lay.n, lay.c, lay.s, call);
  const op = nllOperands(logp, lay, weight, ignoreIndex, reduction, call);
  const [out, total] = nllCore(op, lay, reduction, call);
  const res = out.dtype === input.dtype ? out : castRaw(out, input.dtype, call);
  return recordTwice("CrossEntropyLossBackward", res, [input], (g) => {
    if (isGradEnabled() && (g.requiresGrad || input.requiresGrad)) {
      return [nllGradRecorded(true, op, lay, input, g, total, call)];
    }
    const gin = nllGrad(true, op, lay, g, total, input.shape, call);
    return [castRaw(gin, input.dtype, call)];
  });
}

/**
 * Elementwise binary cross entropy `-(t log(x) + (1 - t) log(1 - x))` with both logs clamped
 * at -100 (so x = 0 or 1 gives a finite loss), differentiable in `input` with PyTorch's
 * gradient `(x - t) / max(x (1 - x), 1e-12)` and in `target`. No reduction, no weight.
 */
export function binaryCrossEntropyElementwise(input: Tensor, target: Tensor): Tensor {
  const logs = (x: Tensor): [Tensor, Tensor] => [clamp(log(x), -100), clamp(log1p(neg(x)), -100)];
  const oneMinus = (x: Tensor) => add(neg(x), 1);
  const out = noGrad(() => {
    const [lx, l1x] = logs(input);
    return neg(add(mul(target, lx), mul(oneMinus(target), l1x)));
  });
  return recordTwice("BinaryCrossEntropyBackward", out, [input, target], (g) => {
    const gx = input.requiresGrad ? div(mul(g, sub(input, target)), clamp(mul(input, oneMinus(input)), 1e-12)) : null;
    let gt: Tensor | null = null;
    if (target.requiresGrad) {
      const [lx, l1x] = logs(input);
      gt = mul(g, sub(l1x, lx));
    }
    return [gx, gt];
  }, [input, target]);
}
