/**
 * Dropout layers: `Dropout` (elementwise), `Dropout2d` and `Dropout3d` (whole channels), with
 * their functional twins `dropout`, `dropout2d` and `dropout3d`. In training, kept values are
 * scaled by 1/(1-p) so the expectation is unchanged; in evaluation they return the input.
 *
 * @module
 */

import type { Tensor } from "../tensor/mod.ts";
import { checkDropoutP, dropout as dropoutOp } from "../tensor/ops/dropout.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { describe } from "../tensor/shape.ts";
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
  const training = o.training ?? true, inplace = o.inplace ?? false;
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
