/**
 * Dropout: a keep-mask drawn by the native counter-based generator (`dt_dropout_mask`, so the
 * mask depends only on the seed and the call order, never on the thread count), scaled by
 * 1/(1-p) and multiplied into the input. The backward multiplies the gradient by the same
 * mask. Feature (channel) dropout draws one mask value per (sample, channel) and broadcasts it.
 *
 * @module
 */

import * as cpu from "../../backend/cpu.ts";
import { isFloat } from "../../backend/dtype.ts";
import { Binary } from "../../backend/ops.ts";
import { recordTwice } from "../../autograd/node.ts";
import { fmt, numelOf } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { nextRandom } from "../random.ts";
import { castRaw, checkTensor, emptyRaw } from "./util.ts";
import { binaryCore, gradFor, inplace, mul } from "./elementwise.ts";

/** Options of `dropout`. */
export interface DropoutOptions {
  /**
   * Zero whole slices: one mask value per entry of the first `featureDims` dims, broadcast
   * over the rest. 2 is PyTorch's feature dropout on (N, C, ...); 1 drops whole entries of
   * dim 0 (an unbatched (C, ...) input); 0 (the default) is elementwise dropout.
   */
  featureDims?: number;
  /** Write the result into the input. */
  inplace?: boolean;
  /** The public call named in error messages (default "dropout" or "featureDropout"). */
  call?: string;
}

/** Checks a dropout probability: a number in [0, 1]. */
export function checkDropoutP(p: unknown, call: string): number {
  if (typeof p !== "number" || Number.isNaN(p) || p < 0 || p > 1) {
    throw new RangeError(`${call}: dropout probability has to be between 0 and 1, but got ${String(p)}`);
  }
  return p;
}

/**
 * A tensor of `shape` whose entries are `1/(1-p)` with probability 1-p and 0 otherwise (all
 * zeros for p = 1), in `dtype` (float16 masks are drawn in float32 and converted).
 */
export function dropoutMask(shape: readonly number[], dtype: "float16" | "float32" | "float64", p: number): Tensor {
  const call = "dropoutMask";
  checkDropoutP(p, call);
  const md = dtype === "float16" ? "float32" : dtype;
  const mask = emptyRaw(shape, md);
  const n = numelOf(shape);
  if (n > 0x7fffffff) throw new RangeError(`${call}: ${n} elements exceed the 2^31-1 limit of one kernel call`);
  const [seed, stream] = nextRandom();
  cpu.dropoutMask(mask, n, seed, stream, p, p === 1 ? 0 : 1 / (1 - p), call);
  return castRaw(mask, dtype, call);
}

/** x * mask (mask broadcast to x, no graph on the mask), with the backward g * mask. */
function applyMask(x: Tensor, mask: Tensor, call: string, out?: Tensor): Tensor {
  const r = binaryCore(Binary.DT_MUL, x, mask, x.dtype, call, x.dtype, out);
  return recordTwice("NativeDropoutBackward", r, [x], (g) => [gradFor(mul(g, mask), x)]);
}

/**
 * PyTorch's dropout (and feature dropout with `{ featureDims: 2 }`): in training each element
 * (or each channel) is zeroed with probability `p` and the rest are scaled by 1/(1-p). With
 * `train` false, p = 0 or an empty input, the input itself is returned.
 *
 * @example
 * ```ts
 * import { manualSeed, nn, ones } from "../../../mod.ts";
 * manualSeed(0);
 * const y = nn.functional.dropout(ones([8]), 0.5);
 * console.log(y.toArray().every((v) => v === 0 || v === 2)); // true
 * ```
 */
export function dropout(x: Tensor, p: number, train = true, opts: DropoutOptions = {}): Tensor {
  const fd = opts.featureDims ?? 0;
  const call = opts.call ?? (fd > 0 ? "featureDropout" : "dropout");
  checkTensor(x, call);
  checkDropoutP(p, call);
  if (!isFloat(x.dtype)) {
    throw new TypeError(`${call}: expected a floating point input, got dtype ${x.dtype}`);
  }
  if (x.ndim < fd) {
    throw new RangeError(
      `${call}: feature dropout requires at least ${fd} dimensions in the input, got shape ${fmt(x.shape)}`,
    );
  }
  if (!train || p === 0 || x.numel() === 0) return x;
  const maskShape = fd > 0 ? x.shape.map((s, i) => (i < fd ? s : 1)) : x.shape;
  const mask = dropoutMask(maskShape, x.dtype as "float16" | "float32" | "float64", p);
  if (opts.inplace) return inplace(x, call, (src, o) => applyMask(src, mask, call, o));
  return applyMask(x, mask, call);
}
