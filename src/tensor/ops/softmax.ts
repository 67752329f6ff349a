/**
 * softmax and log_softmax along one dim on the native kernels (max-shifted, so large logits
 * never overflow), each with its backward beside it.
 *
 * @module
 */

import * as nk from "../../backend/nn_kernels.ts";
import { isFloat } from "../../backend/dtype.ts";
import { isGradEnabled } from "../../autograd/grad_mode.ts";
import { recordTwice } from "../../autograd/node.ts";
import { normDim, numelOf } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { exp, mul, sub } from "./elementwise.ts";
import { sum } from "./reduce.ts";
import { castRaw, checkTensor, contiguousRaw, emptyRaw } from "./util.ts";

/** [outer, n, inner] of `shape` around dim `d` (a 0-d tensor is one element). */
export function around(shape: readonly number[], d: number): [number, number, number] {
  if (shape.length === 0) return [1, 1, 1];
  return [numelOf(shape.slice(0, d)), shape[d], numelOf(shape.slice(d + 1))];
}

function softmaxImpl(x: Tensor, dim: number, isLog: boolean, call: string): Tensor {
  checkTensor(x, call);
  if (!isFloat(x.dtype)) {
    throw new TypeError(`${call}: expected a floating point tensor, got dtype ${x.dtype}`);
  }
  const d = normDim(dim, x.ndim, call);
  const cd = x.dtype === "float16" ? "float32" : x.dtype;
  const src = contiguousRaw(castRaw(x, cd, call), call);
  const [outer, n, inner] = around(x.shape, d);
  const y = emptyRaw(x.shape, cd);
  nk.softmax(isLog, y, src, outer, n, inner, call);
  const out = cd === x.dtype ? y : castRaw(y, x.dtype, call);
  return recordTwice(isLog ? "LogSoftmaxBackward" : "SoftmaxBackward", out, [x], (g) => {
    if (isGradEnabled() && (g.requiresGrad || x.requiresGrad)) {
      // With createGraph: PyTorch's formulas on the (differentiable) output.
      if (isLog) return [sub(g, mul(exp(out), sum(g, d, true)))];
      return [mul(out, sub(g, sum(mul(g, out), d, true)))];
    }
    const gc = contiguousRaw(castRaw(g, cd, call), call);
    const gin = emptyRaw(x.shape, cd);
    nk.softmaxBackward(isLog, gin, gc, y, outer, n, inner, call);
    return [cd === x.dtype ? gin : castRaw(gin, x.dtype, call)];
  }, [y]);
}

/**
 * `exp(x) / sum(exp(x))` along `dim`, computed stably (shifted by the max). Differentiable
 * any number of times (the backward with createGraph is composed from differentiable ops).
 * Integer tensors are rejected (convert with `.float()` first).
 */
export function softmax(x: Tensor, dim: number, call = "softmax"): Tensor {
  return softmaxImpl(x, dim, false, call);
}

/** `x - logsumexp(x)` along `dim`, computed stably. */
export function logSoftmax(x: Tensor, dim: number, call = "logSoftmax"): Tensor {
  return softmaxImpl(x, dim, true, call);
}
