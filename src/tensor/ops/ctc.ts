/**
 * The CTC loss op: PyTorch's `_ctc_loss` (per-sample negative log likelihood) over
 * log-probabilities (T, N, C), with its native alpha recursion forward and PyTorch's
 * beta-recursion gradient backward (native/src/cpu/ctc.c). Every shape, length and label is
 * validated here; reductions and `zeroInfinity`'s masking are composed by the caller.
 *
 * @module
 */

import * as ck from "../../backend/ctc.ts";
import { record } from "../../autograd/node.ts";
import { fmt } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { castRaw, checkTensor, contiguousRaw, emptyRaw, zerosRaw } from "./util.ts";

const INT32_MAX = 0x7fffffff;

/** An int64 tensor [n] holding `values`. */
function int64Of(values: readonly number[]): Tensor {
  const t = emptyRaw([values.length], "int64");
  const a = t.typedArray() as BigInt64Array;
  for (let i = 0; i < values.length; i++) a[i] = BigInt(values[i]);
  return t;
}

/**
 * Checks the targets against the lengths and packs them as contiguous int64 [n, s]: padded
 * (N, S) targets as given, concatenated 1-d targets split by `targetLengths` and zero-padded.
 */
function packTargets(targets: Tensor, n: number, c: number, tl: readonly number[], call: string): [Tensor, number] {
  if (targets.ndim !== 1 && targets.ndim !== 2) {
    throw new RangeError(
      `${call}: expected targets with 1 (concatenated) or 2 (N, S) dimensions, got shape ${fmt(targets.shape)}`,
    );
  }
  // PyTorch converts the targets with .to(kLong) (floats truncate)
  const t64 = contiguousRaw(castRaw(targets, "int64", call), call);
  const data = t64.typedArray() as BigInt64Array;
  let smax = 0;
  for (const l of tl) smax = Math.max(smax, l);
  let packed: Tensor, s: number;
  if (targets.ndim === 1) {
    const total = tl.reduce((a, b) => a + b, 0);
    if (targets.shape[0] !== total) {
      throw new RangeError(
        `${call}: expected concatenated targets of length ${total} (the sum of targetLengths), got shape ${
          fmt(targets.shape)
        }`,
      );
    }
    s = smax;
    packed = zerosRaw([n, s], "int64");
    const p = packed.typedArray() as BigInt64Array;
    let pos = 0;
    for (let b = 0; b < n; b++) {
      p.set(data.subarray(pos, pos + tl[b]), b * s);
      pos += tl[b];
    }
  } else {
    if (targets.shape[0] !== n) {
      throw new RangeError(
        `${call}: expected targets of shape (N, S) with N = ${n} (the batch size), got shape ${fmt(targets.shape)}`,
      );
    }
    s = targets.shape[1];
    if (s < smax) {
      throw new RangeError(
        `${call}: expected targets of shape (N, S) with S >= ${smax} (the largest target length), got shape ${
          fmt(targets.shape)
        }`,
      );
    }
    packed = t64;
  }
  const p = packed.typedArray() as BigInt64Array, bigC = BigInt(c);
  for (let b = 0; b < n; b++) {
    for (let j = 0; j < tl[b]; j++) {
      const v = p[b * s + j];
      if (v < 0n || v >= bigC) {
        throw new RangeError(
          `${call}: target ${v} of sample ${b} is out of bounds (expected a class index in [0, ${c}))`,
        );
      }
    }
  }
  return [packed, s];
}

/**
 * Per-sample CTC negative log likelihood [N] of `logProbs` (T, N, C) (float32/float64) at
 * `targets` (padded (N, S) or concatenated 1-d), for integer lengths already checked to be
 * non-negative (`inputLengths[b] <= T` is checked here). Impossible alignments give inf; an
 * empty input gives 0 for an empty target. The gradient is PyTorch's `ctc_loss_backward`;
 * with `zeroInfinity` it is 0 for samples whose loss is inf.
 */
export function ctcNll(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: readonly number[],
  targetLengths: readonly number[],
  blank: number,
  zeroInfinity: boolean,
  call: string,
): Tensor {
  checkTensor(logProbs, call, "logProbs");
  checkTensor(targets, call, "targets");
  if (logProbs.ndim !== 3) {
    throw new RangeError(`${call}: expected logProbs of shape (T, N, C), got shape ${fmt(logProbs.shape)}`);
  }
  if (logProbs.dtype !== "float32" && logProbs.dtype !== "float64") {
    throw new TypeError(`${call}: expected logProbs to be float32 or float64, got dtype ${logProbs.dtype}`);
  }
  const [tt, n, c] = logProbs.shape;
  if (!Number.isInteger(blank) || blank < 0 || blank >= c) {
    throw new RangeError(`${call}: blank must be in label range [0, ${c}), got ${blank}`);
  }
  if (inputLengths.length !== n) {
    throw new RangeError(
      `${call}: inputLengths must be of size batch_size (${n}), got ${inputLengths.length} value(s)`,
    );
  }
  if (targetLengths.length !== n) {
    throw new RangeError(
      `${call}: targetLengths must be of size batch_size (${n}), got ${targetLengths.length} value(s)`,
    );
  }
  for (const l of inputLengths) {
    if (l > tt) {
      throw new RangeError(`${call}: expected inputLengths to have value at most ${tt} (T), but got value ${l}`);
    }
  }
  const [tg, s] = packTargets(targets, n, c, targetLengths, call);
  if (n * tt * (2 * s + 1) > INT32_MAX || tt * n * c > INT32_MAX) {
    throw new RangeError(
      `${call}: T x N x (2 S + 1) = ${tt} x ${n} x ${2 * s + 1} forward variables exceed the 2^31-1 supported`,
    );
  }
  const logp = contiguousRaw(logProbs, call);
  const ilT = int64Of(inputLengths), tlT = int64Of(targetLengths);
  const op: ck.CtcOperands = { t: tt, n, c, s, blank, logp, targets: tg, inputLengths: ilT, targetLengths: tlT };
  const nll = emptyRaw([n], logp.dtype);
  const alpha = emptyRaw([n, tt, 2 * s + 1], logp.dtype);
  ck.ctcForward(op, nll, alpha, call);
  return record("CtcLossBackward", nll, [logProbs], (g) => {
    const gc = contiguousRaw(castRaw(g, logp.dtype, call), call);
    const grad = emptyRaw([tt, n, c], logp.dtype);
    ck.ctcBackward(op, zeroInfinity, nll, alpha, gc, grad, call);
    return [grad];
  }, [logp, nll, alpha, tg, ilT, tlT]);
}
