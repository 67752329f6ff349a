/**
 * Fractional max pooling (Graham, 2014): `FractionalMaxPool2d` and `FractionalMaxPool3d`, with
 * their functional twins. Windows of a fixed size sit at pseudo-random increasing positions
 * (PyTorch's interval sequence, pinned by `randomSamples`), so the output can shrink by any
 * ratio; the arithmetic is the rank-generic native pooling kernel.
 *
 * @module
 */

import { rand, type Tensor } from "../tensor/mod.ts";
import { fractionalMaxPool as fractionalOp } from "../tensor/ops/pool.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { describe } from "../tensor/shape.ts";
import { checkOptions } from "./linear.ts";
import { Module } from "./module.ts";
import { checkBool, checkPoolInput, type IntOrTuple, intTuple, type PoolResult } from "./pooling.ts";

/** Options of fractional max pooling: exactly one of `outputSize` and `outputRatio`. */
const FRACTIONAL_KEYS = ["outputSize", "outputRatio", "returnIndices", "randomSamples"];

export interface FractionalMaxPoolOptions {
  /** The output size per spatial dim. */
  outputSize?: IntOrTuple | null;
  /** The output size as a fraction (0, 1) of the input size. */
  outputRatio?: number | readonly number[] | null;
  /** Also return the flat indices of the maxima (default false). */
  returnIndices?: boolean;
  /** PyTorch's `_random_samples` `(N, C, rank)` in [0, 1), pinning the pseudo-random windows. */
  randomSamples?: Tensor | null;
}

interface Fractional {
  kernel: number[];
  outputSize: number[] | null;
  outputRatio: number[] | null;
  returnIndices: boolean;
  randomSamples: Tensor | null;
}

function resolveFractional(rank: number, kernelSize: unknown, o: FractionalMaxPoolOptions, call: string): Fractional {
  const kernel = intTuple(kernelSize, rank, "kernelSize", 1, call);
  const hasSize = o.outputSize !== undefined && o.outputSize !== null;
  const hasRatio = o.outputRatio !== undefined && o.outputRatio !== null;
  if (hasSize === hasRatio) {
    throw new TypeError(
      `${call}: requires specifying either an output size, or a pooling ratio${hasSize ? ", not both" : ""}`,
    );
  }
  let outputRatio: number[] | null = null;
  if (hasRatio) {
    const r = o.outputRatio!;
    const list = typeof r === "number" ? new Array<number>(rank).fill(r) : Array.isArray(r) ? r.slice() : null;
    if (!list || list.length !== rank || list.some((v) => typeof v !== "number")) {
      throw new TypeError(`${call}: expected outputRatio to be a number or ${rank} numbers, got ${describe(r)}`);
    }
    if (list.some((v) => !(v > 0 && v < 1))) {
      throw new RangeError(`${call}: outputRatio must be between 0 and 1 (got ${describe(r)})`);
    }
    outputRatio = list;
  }
  const rs = o.randomSamples ?? null;
  if (rs !== null) checkTensor(rs, call, "randomSamples");
  return {
    kernel,
    outputSize: hasSize ? intTuple(o.outputSize, rank, "outputSize", 1, call) : null,
    outputRatio,
    returnIndices: checkBool(o.returnIndices, "returnIndices", call, false),
    randomSamples: rs,
  };
}

function fractionalImpl(rank: number, input: Tensor, f: Fractional, call: string): Tensor | [Tensor, Tensor] {
  const x = checkPoolInput(input, rank, call);
  const inSizes = x.shape.slice(-rank);
  const out = f.outputSize ?? inSizes.map((s, i) => Math.trunc(s * f.outputRatio![i]));
  const samples = f.randomSamples ??
    rand([x.ndim === rank + 1 ? 1 : x.shape[0], x.shape[x.ndim - rank - 1], rank], { dtype: x.dtype });
  const [y, idx] = fractionalOp(x, f.kernel, out, samples, f.returnIndices, call);
  return f.returnIndices ? [y, idx!] : y;
}

/** The N-d fractional max pooling layer; FractionalMaxPool2d/3d fix the rank. */
abstract class FractionalMaxPoolNd<R extends boolean> extends Module {
  /** Pool size per dim. */
  kernelSize: number[];
  /** Output size per dim, or null when `outputRatio` is used. */
  outputSize: number[] | null;
  /** Output ratio per dim, or null when `outputSize` is used. */
  outputRatio: number[] | null;
  /** Whether `forward` returns `[out, indices]`. */
  returnIndices: boolean;

  constructor(rank: number, kernelSize: IntOrTuple, opts: FractionalMaxPoolOptions | undefined) {
    super();
    const call = this.constructor.name;
    const f = resolveFractional(
      rank,
      kernelSize,
      checkOptions<FractionalMaxPoolOptions>(opts, call, FRACTIONAL_KEYS),
      call,
    );
    this.kernelSize = f.kernel;
    this.outputSize = f.outputSize;
    this.outputRatio = f.outputRatio;
    this.returnIndices = f.returnIndices;
    // a buffer, as PyTorch's `_random_samples` (in the state dict only when given)
    this.registerBuffer("_random_samples", f.randomSamples);
  }

  /** Fixed random samples `(N, C, rank)` (the `_random_samples` buffer), or null to draw fresh ones per call. */
  get randomSamples(): Tensor | null {
    return this._buffers.get("_random_samples") ?? null;
  }

  /** Pools `input` `(N, C, ...)` or `(C, ...)` over pseudo-random windows. */
  override forward(input: Tensor): PoolResult<R> {
    const f: Fractional = {
      kernel: this.kernelSize,
      outputSize: this.outputSize,
      outputRatio: this.outputRatio,
      returnIndices: this.returnIndices,
      randomSamples: this.randomSamples,
    };
    return fractionalImpl(this.kernelSize.length, input, f, `${this.constructor.name}.forward`) as PoolResult<R>;
  }
}

/**
 * 2-d fractional max pooling (Graham, 2014): windows of `kernelSize` at pseudo-random,
 * increasing positions chosen so the output has `outputSize` (or `outputRatio` of the input).
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.FractionalMaxPool2d(3, { outputRatio: [0.5, 0.5] });
 * console.log(m.forward(randn([20, 16, 50, 32])).shape); // [20, 16, 25, 16]
 * ```
 */
export class FractionalMaxPool2d<R extends boolean = false> extends FractionalMaxPoolNd<R> {
  /** `new FractionalMaxPool2d(kernelSize, { outputSize | outputRatio, returnIndices, randomSamples })`. */
  constructor(kernelSize: IntOrTuple, opts?: FractionalMaxPoolOptions & { returnIndices?: R }) {
    super(2, kernelSize, opts);
  }
}

/**
 * 3-d fractional max pooling.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.FractionalMaxPool3d(2, { outputSize: [3, 4, 5] });
 * console.log(m.forward(randn([1, 2, 6, 8, 9])).shape); // [1, 2, 3, 4, 5]
 * ```
 */
export class FractionalMaxPool3d<R extends boolean = false> extends FractionalMaxPoolNd<R> {
  /** `new FractionalMaxPool3d(kernelSize, { outputSize | outputRatio, returnIndices, randomSamples })`. */
  constructor(kernelSize: IntOrTuple, opts?: FractionalMaxPoolOptions & { returnIndices?: R }) {
    super(3, kernelSize, opts);
  }
}

/**
 * Functional 2-d fractional max pooling; `[out, indices]` with `returnIndices`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const y = nn.functional.fractionalMaxPool2d(randn([1, 1, 9, 9]), 2, { outputSize: 4 });
 * console.log(y.shape); // [1, 1, 4, 4]
 * ```
 */
export function fractionalMaxPool2d(
  input: Tensor,
  kernelSize: IntOrTuple,
  opts: FractionalMaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
export function fractionalMaxPool2d(
  input: Tensor,
  kernelSize: IntOrTuple,
  opts?: FractionalMaxPoolOptions & { returnIndices?: false },
): Tensor;
export function fractionalMaxPool2d(
  input: Tensor,
  kernelSize: IntOrTuple,
  opts?: FractionalMaxPoolOptions,
): Tensor | [Tensor, Tensor] {
  const call = "fractionalMaxPool2d";
  return fractionalImpl(
    2,
    input,
    resolveFractional(2, kernelSize, checkOptions(opts, call, FRACTIONAL_KEYS), call),
    call,
  );
}

/**
 * Functional 3-d fractional max pooling; `[out, indices]` with `returnIndices`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const y = nn.functional.fractionalMaxPool3d(randn([1, 1, 6, 6, 6]), 2, { outputRatio: 0.5 });
 * console.log(y.shape); // [1, 1, 3, 3, 3]
 * ```
 */
export function fractionalMaxPool3d(
  input: Tensor,
  kernelSize: IntOrTuple,
  opts: FractionalMaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
export function fractionalMaxPool3d(
  input: Tensor,
  kernelSize: IntOrTuple,
  opts?: FractionalMaxPoolOptions & { returnIndices?: false },
): Tensor;
export function fractionalMaxPool3d(
  input: Tensor,
  kernelSize: IntOrTuple,
  opts?: FractionalMaxPoolOptions,
): Tensor | [Tensor, Tensor] {
  const call = "fractionalMaxPool3d";
  return fractionalImpl(
    3,
    input,
    resolveFractional(3, kernelSize, checkOptions(opts, call, FRACTIONAL_KEYS), call),
    call,
  );
}
