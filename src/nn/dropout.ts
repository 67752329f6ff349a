/**
 * Dropout layers: `Dropout` (elementwise), `Dropout1d`, `Dropout2d` and `Dropout3d` (whole
 * channels), with their functional twins `dropout`, `dropout1d`, `dropout2d` and `dropout3d`.
 * In training, kept values are scaled by 1/(1-p) so the expectation is unchanged; in
 * evaluation they return the input. `AlphaDropout` / `FeatureAlphaDropout` (and
 * `alphaDropout` / `featureAlphaDropout`) are the SELU-preserving variants: dropped values are
 * set to SELU's negative saturation and an affine map keeps mean 0 and variance 1.
 *
 * @module
 */

import { full, type Tensor } from "../tensor/mod.ts";
import { checkDropoutP, dropout as dropoutOp, dropoutMask } from "../tensor/ops/dropout.ts";
import { add, compare, inplace as inplaceOp, mul, where } from "../tensor/ops/elementwise.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { checkOptionKeys } from "./linear.ts";
import { Module } from "./module.ts";

/** Options of the functional dropouts. */
export interface DropoutFnOptions {
  /** The drop probability (default 0.5), when not given positionally. */
  p?: number;
  /** Apply dropout (default true); false returns the input. */
  training?: boolean;
  /** Overwrite the input (default false). */
  inplace?: boolean;
}

/** Options of the dropout modules. */
export interface DropoutOptions {
  /** The drop probability (default 0.5). */
  p?: number;
  /** Overwrite the input (default false). */
  inplace?: boolean;
}

function fnArgs(
  call: string,
  p: number | DropoutFnOptions | undefined,
  opts: DropoutFnOptions | boolean | undefined,
  defaultTraining = true,
): { p: number; training: boolean; inplace: boolean } {
  let o: DropoutFnOptions = {};
  let prob: unknown = 0.5;
  if (typeof p === "object" && p !== null) {
    o = p;
    prob = p.p ?? 0.5;
  } else if (p !== undefined) prob = p;
  if (typeof opts === "boolean") o = { ...o, training: opts };
  else if (opts !== undefined) {
    if (opts === null || typeof opts !== "object") {
      throw new TypeError(`${call}: expected an options object { training, inplace }, got ${describe(opts)}`);
    }
    o = { ...o, ...opts };
  }
  checkOptionKeys(o as Record<string, unknown>, call, ["p", "training", "inplace"]);
  const training = o.training ?? defaultTraining, inplace = o.inplace ?? false;
  if (typeof training !== "boolean") {
    throw new TypeError(`${call}: expected training to be a boolean, got ${describe(training)}`);
  }
  if (typeof inplace !== "boolean") {
    throw new TypeError(`${call}: expected inplace to be a boolean, got ${describe(inplace)}`);
  }
  return { p: checkDropoutP(prob, call), training, inplace };
}

/**
 * Zeroes each element with probability `p` and scales the rest by 1/(1-p) (training only).
 * `F.dropout(x)`, `F.dropout(x, 0.2)`, `F.dropout(x, 0.2, { training: false })`,
 * `F.dropout(x, 0.2, this.training)` or `F.dropout(x, { p: 0.2, inplace: true })`.
 *
 * @example
 * ```ts
 * import { manualSeed, nn, ones } from "../../mod.ts";
 * manualSeed(1);
 * const y = nn.functional.dropout(ones([6]), 0.5);
 * console.log(y.toArray().every((v) => v === 0 || v === 2)); // true
 * console.log(nn.functional.dropout(ones([2]), 0.5, { training: false }).tolist()); // [1, 1]
 * ```
 */
export function dropout(
  input: Tensor,
  p?: number | DropoutFnOptions,
  opts?: DropoutFnOptions | boolean,
): Tensor {
  const call = "dropout";
  checkTensor(input, call);
  const a = fnArgs(call, p, opts);
  return dropoutOp(input, a.p, a.training, { inplace: a.inplace });
}

/**
 * Channel dropout for (N, C, H, W) inputs: zeroes whole channels `input[n, c]` with
 * probability `p` and scales the rest by 1/(1-p). As in PyTorch, any input with at least 2
 * dims is treated as (N, C, ...), so a 3-d input gets channel-wise 1-d dropout.
 *
 * @example
 * ```ts
 * import { manualSeed, nn, ones } from "../../mod.ts";
 * manualSeed(2);
 * const y = nn.functional.dropout2d(ones([1, 4, 2, 2]), 0.5);
 * const sums = y.sum([2, 3]).toArray(); // each channel is all 0 or all 2
 * console.log([...sums].every((s) => s === 0 || s === 8)); // true
 * ```
 */
export function dropout2d(
  input: Tensor,
  p?: number | DropoutFnOptions,
  opts?: DropoutFnOptions | boolean,
): Tensor {
  const call = "dropout2d";
  checkTensor(input, call);
  const a = fnArgs(call, p, opts);
  return dropoutOp(input, a.p, a.training, { inplace: a.inplace, featureDims: 2, call });
}

/**
 * Channel dropout for (N, C, D, H, W) inputs: zeroes whole channels `input[n, c]` with
 * probability `p`. A 4-d input is one unbatched sample (C, D, H, W), whose channels (dim 0)
 * are dropped, as in PyTorch (which unsqueezes non-5-d inputs).
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * const y = nn.functional.dropout3d(ones([2, 3, 1, 2, 2]), 0.3, { training: false });
 * console.log(y.shape); // [2, 3, 1, 2, 2]
 * ```
 */
export function dropout3d(
  input: Tensor,
  p?: number | DropoutFnOptions,
  opts?: DropoutFnOptions | boolean,
): Tensor {
  const call = "dropout3d";
  checkTensor(input, call);
  const a = fnArgs(call, p, opts);
  return dropoutOp(input, a.p, a.training, { inplace: a.inplace, featureDims: input.ndim === 5 ? 2 : 1, call });
}

/** The shared constructor logic of the dropout modules: `(p?, opts?)` or `({ p, inplace })`. */
abstract class DropoutNd extends Module {
  /** The drop probability. */
  p: number;
  /** Whether the input is overwritten. */
  inplace: boolean;

  constructor(name: string, p?: number | DropoutOptions, opts?: DropoutOptions | boolean) {
    super();
    let o: DropoutOptions = {};
    let prob: unknown = 0.5;
    if (typeof p === "object" && p !== null) {
      o = p;
      prob = p.p ?? 0.5;
    } else if (p !== undefined) prob = p;
    if (typeof opts === "boolean") o = { ...o, inplace: opts };
    else if (opts !== undefined) {
      if (opts === null || typeof opts !== "object") {
        throw new TypeError(`${name}: expected an options object { inplace }, got ${describe(opts)}`);
      }
      o = { ...o, ...opts };
    }
    checkOptionKeys(o as Record<string, unknown>, name, ["p", "inplace"]);
    this.p = checkDropoutP(prob, name);
    const inplace = o.inplace ?? false;
    if (typeof inplace !== "boolean") {
      throw new TypeError(`${name}: expected inplace to be a boolean, got ${describe(inplace)}`);
    }
    this.inplace = inplace;
  }

  override extraRepr(): string {
    return `p=${this.p}, inplace=${this.inplace ? "True" : "False"}`;
  }
}

/**
 * During training, zeroes each element with probability `p` (a fresh mask per call) and
 * scales the others by 1/(1-p); in evaluation mode returns the input. Any input shape.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.Dropout(0.2); // or new nn.Dropout({ p: 0.2, inplace: false })
 * const x = randn([20, 16]);
 * console.log(m.forward(x).shape); // [20, 16]
 * m.eval();
 * console.log(m.forward(x) === x); // true
 * ```
 */
export class Dropout extends DropoutNd {
  constructor(p?: number | DropoutOptions, opts?: DropoutOptions | boolean) {
    super("Dropout", p, opts);
  }

  /** Applies dropout in training mode; returns `input` in evaluation mode. */
  override forward(input: Tensor): Tensor {
    checkTensor(input, "Dropout.forward");
    return dropoutOp(input, this.p, this.training, { inplace: this.inplace });
  }
}

/**
 * During training, zeroes whole channels of an (N, C, H, W) input with probability `p` and
 * scales the others by 1/(1-p) (see `F.dropout2d` for other ranks).
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.Dropout2d(0.2);
 * console.log(m.forward(randn([20, 16, 8, 8])).shape); // [20, 16, 8, 8]
 * ```
 */
export class Dropout2d extends DropoutNd {
  constructor(p?: number | DropoutOptions, opts?: DropoutOptions | boolean) {
    super("Dropout2d", p, opts);
  }

  /** Applies channel dropout in training mode; returns `input` in evaluation mode. */
  override forward(input: Tensor): Tensor {
    checkTensor(input, "Dropout2d.forward");
    return dropoutOp(input, this.p, this.training, {
      inplace: this.inplace,
      featureDims: 2,
      call: "Dropout2d.forward",
    });
  }
}

/**
 * During training, zeroes whole channels of an (N, C, D, H, W) input (or the channels of an
 * unbatched (C, D, H, W) one) with probability `p` and scales the others by 1/(1-p).
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.Dropout3d(0.2);
 * console.log(m.forward(randn([4, 16, 2, 8, 8])).shape); // [4, 16, 2, 8, 8]
 * ```
 */
export class Dropout3d extends DropoutNd {
  constructor(p?: number | DropoutOptions, opts?: DropoutOptions | boolean) {
    super("Dropout3d", p, opts);
  }

  /** Applies channel dropout in training mode; returns `input` in evaluation mode. */
  override forward(input: Tensor): Tensor {
    checkTensor(input, "Dropout3d.forward");
    const featureDims = input.ndim === 5 ? 2 : 1;
    return dropoutOp(input, this.p, this.training, { inplace: this.inplace, featureDims, call: "Dropout3d.forward" });
  }
}

/** SELU's negative saturation -λα is -ALPHA_DROPOUT_ALPHA (PyTorch's alpha' = -1.7580993408473766). */
const SELU_SATURATION = 1.7580993408473766;

/**
 * The affine map of alpha dropout as PyTorch 1.13 computes it in the input's dtype
 * (`noise.bernoulli_(1-p)`, `b = noise.add(-1).mul_(alpha*a).add_(alpha*a*p)`, `noise.mul_(a)`,
 * `input * noise + b`): kept elements become `x*a + alpha*a*p`, dropped ones
 * `-alpha*a + alpha*a*p`, with `a = 1/sqrt((alpha^2 p + 1)(1 - p))`. Rounds like PyTorch.
 */
function alphaConstants(p: number, dtype: string): { scale: number; keepShift: number; dropValue: number } {
  const r = dtype === "float64" ? (v: number) => v : Math.fround; // float16 is computed in float32
  const alpha = SELU_SATURATION;
  const a = 1 / Math.sqrt((alpha * alpha * p + 1) * (1 - p));
  const shift = r(alpha * a * p);
  return { scale: r(a), keepShift: r(r(0 * r(alpha * a)) + shift), dropValue: r(r(-1 * r(alpha * a)) + shift) };
}

/** The training-mode checks and computation shared by the alpha dropouts. */
function alphaDropoutImpl(
  input: Tensor,
  p: number,
  training: boolean,
  feature: boolean,
  inplace: boolean,
  call: string,
): Tensor {
  // PyTorch's order: the early return, p = 1, the feature dims, then the (float) noise.
  if (p === 0 || !training || input.numel() === 0) return input;
  // p = 1: PyTorch multiplies by zero (signed zeros, NaN stays NaN), with no affine shift.
  if (p === 1) {
    const zero = (x: Tensor, o?: Tensor) => mul(x, full([], 0, { dtype: x.dtype }), o);
    return inplace ? inplaceOp(input, call, zero) : zero(input);
  }
  if (feature && input.ndim < 2) {
    throw new RangeError(
      `${call}: Feature dropout requires at least 2 dimensions in the input, got shape ${fmt(input.shape)}`,
    );
  }
  const dt = input.dtype;
  if (dt !== "float16" && dt !== "float32" && dt !== "float64") {
    throw new TypeError(`${call}: expected a floating point input, got dtype ${dt}`);
  }
  const maskShape = feature ? input.shape.map((s, i) => (i < 2 ? s : 1)) : input.shape;
  const mask = dropoutMask(maskShape, dt, p);
  const keep = compare("gt", mask, 0);
  const c = alphaConstants(p, dt);
  // 0-d tensors in the input's dtype, so float64 constants stay exact
  const [ks, kk, kd] = [c.scale, c.keepShift, c.dropValue].map((v) => full([], v, { dtype: dt }));
  const scale = where(keep, ks, 0), shift = where(keep, kk, kd);
  for (const t of [mask, keep, ks, kk, kd]) t.dispose();
  const fn = (x: Tensor, o?: Tensor) => add(mul(x, scale), shift, 1, o);
  return inplace ? inplaceOp(input, call, fn) : fn(input);
}

/**
 * Alpha dropout (for SELU networks): in training each element is set to SELU's saturation
 * value with probability `p`, then an affine map keeps zero mean and unit variance. As in
 * PyTorch, **training defaults to false** here: `F.alphaDropout(x, 0.2, true)` or
 * `F.alphaDropout(x, 0.2, { training: true })`. p = 1 gives zeros.
 *
 * @example
 * ```ts
 * import { manualSeed, nn, randn } from "../../mod.ts";
 * manualSeed(0);
 * const x = randn([4, 5]);
 * console.log(nn.functional.alphaDropout(x, 0.2) === x); // true (training is false)
 * const y = nn.functional.alphaDropout(x, 0.2, true);
 * console.log(y.shape); // [4, 5]
 * ```
 */
export function alphaDropout(
  input: Tensor,
  p?: number | DropoutFnOptions,
  opts?: DropoutFnOptions | boolean,
): Tensor {
  const call = "alphaDropout";
  checkTensor(input, call);
  const a = fnArgs(call, p, opts, false);
  return alphaDropoutImpl(input, a.p, a.training, false, a.inplace, call);
}

/**
 * Channel-wise alpha dropout on (N, C, ...) inputs: whole channels `input[n, c]` are set to
 * SELU's saturation value with probability `p`, then the alpha-dropout affine map applies.
 * Training defaults to false, as in PyTorch. A training-mode input needs at least 2 dims.
 *
 * @example
 * ```ts
 * import { manualSeed, nn, ones } from "../../mod.ts";
 * manualSeed(3);
 * const y = nn.functional.featureAlphaDropout(ones([2, 3, 4]), 0.5, { training: true });
 * const v = y.toArray();
 * // every channel holds one value (kept or dropped)
 * console.log([0, 1, 2, 3, 4, 5].every((c) => v.slice(4 * c, 4 * c + 4).every((e) => e === v[4 * c]))); // true
 * ```
 */
export function featureAlphaDropout(
  input: Tensor,
  p?: number | DropoutFnOptions,
  opts?: DropoutFnOptions | boolean,
): Tensor {
  const call = "featureAlphaDropout";
  checkTensor(input, call);
  const a = fnArgs(call, p, opts, false);
  return alphaDropoutImpl(input, a.p, a.training, true, a.inplace, call);
}

function dropout1dImpl(input: Tensor, p: number, training: boolean, inplace: boolean, call: string): Tensor {
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new RangeError(
      `${call}: Expected 2D or 3D input, but received a ${input.ndim}D input (shape ${
        fmt(input.shape)
      }). Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, ` +
        "a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).",
    );
  }
  return dropoutOp(input, p, training, { inplace, featureDims: input.ndim === 3 ? 2 : 1, call });
}

/**
 * Channel dropout for (N, C, L) or unbatched (C, L) inputs: zeroes whole channels with
 * probability `p` and scales the rest by 1/(1-p) (training defaults to true).
 *
 * @example
 * ```ts
 * import { manualSeed, nn, ones } from "../../mod.ts";
 * manualSeed(4);
 * const y = nn.functional.dropout1d(ones([2, 3, 4]), 0.5);
 * const sums = y.sum(2).toArray(); // each channel is all 0 or all 2
 * console.log([...sums].every((s) => s === 0 || s === 8)); // true
 * ```
 */
export function dropout1d(
  input: Tensor,
  p?: number | DropoutFnOptions,
  opts?: DropoutFnOptions | boolean,
): Tensor {
  const call = "dropout1d";
  checkTensor(input, call);
  const a = fnArgs(call, p, opts);
  return dropout1dImpl(input, a.p, a.training, a.inplace, call);
}

/**
 * During training, zeroes whole channels of an (N, C, L) input (or an unbatched (C, L) one)
 * with probability `p` and scales the others by 1/(1-p); in evaluation returns the input.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.Dropout1d(0.2);
 * console.log(m.forward(randn([20, 16, 32])).shape); // [20, 16, 32]
 * console.log(m.toString()); // Dropout1d(p=0.2, inplace=False)
 * ```
 */
export class Dropout1d extends DropoutNd {
  constructor(p?: number | DropoutOptions, opts?: DropoutOptions | boolean) {
    super("Dropout1d", p, opts);
  }

  /** Applies channel dropout in training mode; returns `input` in evaluation mode. */
  override forward(input: Tensor): Tensor {
    const call = "Dropout1d.forward";
    checkTensor(input, call);
    return dropout1dImpl(input, this.p, this.training, this.inplace, call);
  }
}

/**
 * Alpha dropout for SELU networks: during training, each element is set to SELU's negative
 * saturation with probability `p` and an affine map keeps the mean and variance of a
 * normalized input (mean 0, variance 1); in evaluation mode returns the input.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.AlphaDropout(0.2);
 * const x = randn([20, 16]);
 * console.log(m.forward(x).shape); // [20, 16]
 * m.eval();
 * console.log(m.forward(x) === x); // true
 * ```
 */
export class AlphaDropout extends DropoutNd {
  constructor(p?: number | DropoutOptions, opts?: DropoutOptions | boolean) {
    super("AlphaDropout", p, opts);
  }

  /** Applies alpha dropout in training mode; returns `input` in evaluation mode. */
  override forward(input: Tensor): Tensor {
    const call = "AlphaDropout.forward";
    checkTensor(input, call);
    return alphaDropoutImpl(input, this.p, this.training, false, this.inplace, call);
  }
}

/**
 * Channel-wise alpha dropout: during training, whole channels of an (N, C, ...) input are set
 * to SELU's negative saturation with probability `p`, then the alpha-dropout affine map keeps
 * the mean and variance; in evaluation mode returns the input.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.FeatureAlphaDropout(0.2);
 * console.log(m.forward(randn([20, 16, 4, 4])).shape); // [20, 16, 4, 4]
 * ```
 */
export class FeatureAlphaDropout extends DropoutNd {
  constructor(p?: number | DropoutOptions, opts?: DropoutOptions | boolean) {
    super("FeatureAlphaDropout", p, opts);
  }

  /** Applies channel-wise alpha dropout in training mode; returns `input` in evaluation mode. */
  override forward(input: Tensor): Tensor {
    const call = "FeatureAlphaDropout.forward";
    checkTensor(input, call);
    return alphaDropoutImpl(input, this.p, this.training, true, this.inplace, call);
  }
}
