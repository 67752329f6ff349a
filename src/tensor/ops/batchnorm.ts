/**
 * Batch normalization on the fused native kernels: one call computes the batch statistics,
 * updates the running statistics and normalizes; one call gives the gradients of the input,
 * weight and bias. Rank-generic: the input is viewed as [N, C, S] with S the product of the
 * spatial sizes.
 *
 * @module
 */

import * as cpu from "../../backend/cpu.ts";
import * as nk from "../../backend/nn_kernels.ts";
import type { DType } from "../../backend/dtype.ts";
import { recordTwice } from "../../autograd/node.ts";
import { isGradEnabled } from "../../autograd/grad_mode.ts";
import { fmt, numelOf } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { castRaw, checkTensor, contiguousRaw, emptyRaw } from "./util.ts";
import { add, mul, rsqrt, sub } from "./elementwise.ts";
import { mean, sum } from "./reduce.ts";
import { reshape } from "./view.ts";

/** Options of `batchNorm`. */
export interface BatchNormArgs {
  /** Per-channel scale, or null (1). */
  weight?: Tensor | null;
  /** Per-channel shift, or null (0). */
  bias?: Tensor | null;
  /** Running mean: read in evaluation, updated in place in training; may be null in training. */
  runningMean?: Tensor | null;
  /** Running (unbiased) variance, like `runningMean`. */
  runningVar?: Tensor | null;
  /** Normalize with the batch statistics (and update the running ones). */
  training: boolean;
  /** The running-statistics update factor. */
  momentum: number;
  /** Added to the variance. */
  eps: number;
}

function perChannel(t: Tensor | null | undefined, c: number, name: string, call: string): Tensor | null {
  if (t === null || t === undefined) return null;
  checkTensor(t, call, name);
  if (t.numel() !== c) {
    throw new RangeError(`${call}: ${name} should contain ${c} elements not ${t.numel()}`);
  }
  return t;
}

/** A contiguous tensor of dtype `dt` holding `t`'s values (t itself when it already is one). */
function operand(t: Tensor, dt: DType, call: string): Tensor {
  return contiguousRaw(castRaw(t, dt, call), call);
}

/**
 * Batch normalization of `x` (N, C, *) over every dim but 1. In training the batch statistics
 * normalize and, when given, `runningMean`/`runningVar` are updated in place with `momentum`
 * (the unbiased variance goes into `runningVar`); otherwise the running statistics normalize.
 */
export function batchNorm(x: Tensor, args: BatchNormArgs, call = "batchNorm"): Tensor {
  checkTensor(x, call);
  if (x.dtype !== "float32" && x.dtype !== "float64" && x.dtype !== "float16") {
    throw new TypeError(`${call}: expected a floating point input, got dtype ${x.dtype}`);
  }
  if (x.ndim < 2) {
    throw new RangeError(
      `${call}: expected an input with at least 2 dimensions (N, C, ...), got shape ${fmt(x.shape)}`,
    );
  }
  const n = x.shape[0], c = x.shape[1], s = numelOf(x.shape.slice(2));
  const w = perChannel(args.weight, c, "weight", call);
  const b = perChannel(args.bias, c, "bias", call);
  const rm = perChannel(args.runningMean, c, "running_mean", call);
  const rv = perChannel(args.runningVar, c, "running_var", call);
  if (!args.training && (rm === null || rv === null)) {
    throw new TypeError(`${call}: running_mean and running_var must be defined in evaluation mode`);
  }
  if ((rm === null) !== (rv === null)) {
    throw new TypeError(`${call}: running_mean and running_var must be given together`);
  }
  const dt: DType = x.dtype === "float16" ? "float32" : x.dtype;
  const xc = operand(x, dt, call);
  const wc = w && operand(w, dt, call);
  const bc = b && operand(b, dt, call);
  // The kernel updates the running statistics in place; others are updated through a copy.
  const direct = (t: Tensor | null) => t === null || (t.dtype === dt && t.isContiguous());
  const rmc = rm && (direct(rm) ? rm : operand(rm, dt, call));
  const rvc = rv && (direct(rv) ? rv : operand(rv, dt, call));
  const saveMean = emptyRaw([c], dt), saveInvstd = emptyRaw([c], dt);
  const y = emptyRaw(x.shape, dt);
  nk.batchNormForward(
    args.training,
    n,
    c,
    s,
    xc,
    wc,
    bc,
    rmc,
    rvc,
    args.momentum,
    args.eps,
    saveMean,
    saveInvstd,
    y,
    call,
  );
  if (args.training) {
    for (const [orig, used] of [[rm, rmc], [rv, rvc]] as const) {
      if (orig === null || used === null) continue;
      if (orig !== used) cpu.copy(orig, used, call);
      orig._bumpVersion();
    }
  }
  const out = dt === x.dtype ? y : castRaw(y, x.dtype, call);
  const inputs: Tensor[] = [x];
  if (w) inputs.push(w);
  if (b) inputs.push(b);
  const training = args.training;
  return recordTwice("NativeBatchNormBackward", out, inputs, (g) => {
    // A backward with createGraph: the same gradients composed of differentiable ops, so the
    // gradient can be differentiated again (PyTorch's batchnorm_double_backward).
    if (isGradEnabled()) return composedBackward(g, x, w, b, rm, rv, training, args.eps);
    const gc = operand(g, dt, call);
    const gin = x.requiresGrad ? emptyRaw(x.shape, dt) : null;
    const gw = w && w.requiresGrad ? emptyRaw([c], dt) : null;
    const gb = b && b.requiresGrad ? emptyRaw([c], dt) : null;
    nk.batchNormBackward(training, n, c, s, gc, xc, wc, saveMean, saveInvstd, gin, gw, gb, call);
    const back = (t: Tensor | null, like: Tensor): Tensor | null =>
      t === null ? null : castRaw(t, like.dtype, call).reshape(like.shape);
    const grads: (Tensor | null)[] = [back(gin, x)];
    if (w) grads.push(back(gw, w));
    if (b) grads.push(back(gb, b));
    return grads;
  }, wc ? [xc, wc] : [xc]);
}

/**
 * The gradients of batch normalization from differentiable ops. In training the batch mean and
 * inverse standard deviation are recomputed from `x` (they depend on it); in evaluation the
 * running statistics are constants.
 */
function composedBackward(
  g: Tensor,
  x: Tensor,
  w: Tensor | null,
  b: Tensor | null,
  rm: Tensor | null,
  rv: Tensor | null,
  training: boolean,
  eps: number,
): (Tensor | null)[] {
  const n = x.shape[0], c = x.shape[1], s = numelOf(x.shape.slice(2));
  const per = [1, c, 1];
  const x3 = reshape(x, [n, c, s]), g3 = reshape(g, [n, c, s]);
  let mu: Tensor, invstd: Tensor;
  if (training) {
    mu = mean(x3, [0, 2], true);
    const xm = sub(x3, mu);
    invstd = rsqrt(add(mean(mul(xm, xm), [0, 2], true), eps));
  } else {
    mu = reshape(castRaw(rm!.detach(), x.dtype, "batchNorm"), per);
    invstd = reshape(rsqrt(add(castRaw(rv!.detach(), x.dtype, "batchNorm"), eps)), per);
  }
  const xhat = mul(sub(x3, mu), invstd);
  const scale = w ? mul(invstd, reshape(w, per)) : invstd;
  let gin: Tensor | null = null;
  if (x.requiresGrad) {
    const gx = training
      ? mul(sub(sub(g3, mean(g3, [0, 2], true)), mul(xhat, mean(mul(g3, xhat), [0, 2], true))), scale)
      : mul(g3, scale);
    gin = reshape(gx, x.shape);
  }
  const grads: (Tensor | null)[] = [gin];
  if (w) grads.push(w.requiresGrad ? reshape(sum(mul(g3, xhat), [0, 2]), w.shape) : null);
  if (b) grads.push(b.requiresGrad ? reshape(sum(g3, [0, 2]), b.shape) : null);
  return grads;
}
