/**
 * Adaptive pooling layers: `AdaptiveMaxPool1d/2d/3d` and `AdaptiveAvgPool1d/2d/3d`, with their
 * functional twins. The windows follow PyTorch's rule (output position o covers
 * `[floor(o * in / out), ceil((o + 1) * in / out))`), so any input size pools to the requested
 * output size; the arithmetic is the rank-generic native pooling kernel.
 *
 * @module
 */

import type { Tensor } from "../tensor/mod.ts";
import { adaptiveAvgPool as avgOp, adaptiveMaxPool as maxOp } from "../tensor/ops/pool.ts";
import { describe } from "../tensor/shape.ts";
import { checkPoolInput, type PoolResult, restOptions } from "./pooling.ts";
import { Module } from "./module.ts";

/** An output size: one int for every dim, or one per dim where null keeps the input's size. */
export type AdaptiveSize = number | readonly (number | null)[];

/** Options of adaptive max pooling. */
export interface AdaptiveMaxPoolOptions {
  /** Also return the flat indices of the maxima (default false). */
  returnIndices?: boolean;
}

/** The output sizes for input `x`: nulls take the input's size. */
function resolveSize(x: Tensor, rank: number, size: unknown, call: string): number[] {
  const list = typeof size === "number" ? new Array<number>(rank).fill(size) : Array.isArray(size) ? size : null;
  if (
    !list || list.length !== rank ||
    list.some((v) => v !== null && (typeof v !== "number" || !Number.isInteger(v) || v < 0))
  ) {
    throw new TypeError(
      `${call}: expected outputSize to be a non-negative integer or ${rank} integers (or null), got ${describe(size)}`,
    );
  }
  const inSizes = x.shape.slice(-rank);
  return list.map((v, i) => (v === null ? inSizes[i] : v as number));
}

function checkSize(size: unknown, rank: number, call: string): AdaptiveSize {
  const list = typeof size === "number" ? [size] : Array.isArray(size) ? size : null;
  if (
    !list || (typeof size !== "number" && list.length !== rank) ||
    list.some((v) => v !== null && (typeof v !== "number" || !Number.isInteger(v) || v < 0))
  ) {
    throw new TypeError(
      `${call}: expected outputSize to be a non-negative integer or ${rank} integers (or null), got ${describe(size)}`,
    );
  }
  return typeof size === "number" ? size : (size as (number | null)[]).slice();
}

function maxImpl(rank: number, input: Tensor, size: unknown, returnIndices: unknown, call: string) {
  const x = checkPoolInput(input, rank, call);
  if (returnIndices !== undefined && typeof returnIndices !== "boolean") {
    throw new TypeError(`${call}: expected returnIndices to be a boolean, got ${describe(returnIndices)}`);
  }
  const [out, idx] = maxOp(x, resolveSize(x, rank, size, call), returnIndices === true, call);
  return returnIndices ? [out, idx!] as [Tensor, Tensor] : out;
}

function avgImpl(rank: number, input: Tensor, size: unknown, call: string): Tensor {
  const x = checkPoolInput(input, rank, call);
  return avgOp(x, resolveSize(x, rank, size, call), call);
}

/** The N-d adaptive max pooling layer; AdaptiveMaxPool1d/2d/3d fix the rank. */
abstract class AdaptiveMaxPoolNd<R extends boolean> extends Module {
  /** The target output size. */
  outputSize: AdaptiveSize;
  /** Whether `forward` returns `[out, indices]`. */
  returnIndices: boolean;
  /** @internal the number of spatial dims */
  _rank: number;

  constructor(rank: number, outputSize: AdaptiveSize, rest: unknown[]) {
    super();
    this._rank = rank;
    const call = this.constructor.name;
    const o = restOptions<AdaptiveMaxPoolOptions>(rest, ["returnIndices"], call);
    this.outputSize = checkSize(outputSize, rank, call);
    if (o.returnIndices !== undefined && typeof o.returnIndices !== "boolean") {
      throw new TypeError(`${call}: expected returnIndices to be a boolean, got ${describe(o.returnIndices)}`);
    }
    this.returnIndices = o.returnIndices ?? false;
  }

  /** Pools `input` `(N, C, ...)` or `(C, ...)` to `outputSize`; `[out, indices]` with `returnIndices`. */
  override forward(input: Tensor): PoolResult<R> {
    const call = `${this.constructor.name}.forward`;
    return maxImpl(this._rank, input, this.outputSize, this.returnIndices, call) as PoolResult<R>;
  }
}

/** The N-d adaptive average pooling layer; AdaptiveAvgPool1d/2d/3d fix the rank. */
abstract class AdaptiveAvgPoolNd extends Module {
  /** The target output size. */
  outputSize: AdaptiveSize;
  /** @internal the number of spatial dims */
  _rank: number;

  constructor(rank: number, outputSize: AdaptiveSize) {
    super();
    this._rank = rank;
    this.outputSize = checkSize(outputSize, rank, this.constructor.name);
  }

  /** Averages `input` `(N, C, ...)` or `(C, ...)` down to `outputSize`. */
  override forward(input: Tensor): Tensor {
    return avgImpl(this._rank, input, this.outputSize, `${this.constructor.name}.forward`);
  }
}

/**
 * 1-d adaptive max pooling to `outputSize` positions.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const m = new nn.AdaptiveMaxPool1d(2, { returnIndices: true });
 * const [out, idx] = m.forward(tensor([[[1, 5, 2, 3, 4]]]));
 * console.log(out.flatten().tolist(), idx.flatten().tolist()); // [5, 4] [1, 4]
 * ```
 */
export class AdaptiveMaxPool1d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  /** `new AdaptiveMaxPool1d(outputSize, { returnIndices })`. */
  constructor(outputSize: AdaptiveSize, opts?: AdaptiveMaxPoolOptions & { returnIndices?: R });
  /** PyTorch's positional `returnIndices`. */
  constructor(outputSize: AdaptiveSize, returnIndices: R);
  constructor(outputSize: AdaptiveSize, ...rest: unknown[]) {
    super(1, outputSize, rest);
  }
}

/**
 * 2-d adaptive max pooling; `outputSize` entries may be null to keep the input's size.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * console.log(new nn.AdaptiveMaxPool2d([5, 7]).forward(randn([1, 64, 8, 9])).shape); // [1, 64, 5, 7]
 * console.log(new nn.AdaptiveMaxPool2d([null, 7]).forward(randn([1, 64, 10, 9])).shape); // [1, 64, 10, 7]
 * ```
 */
export class AdaptiveMaxPool2d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  /** `new AdaptiveMaxPool2d(outputSize, { returnIndices })`. */
  constructor(outputSize: AdaptiveSize, opts?: AdaptiveMaxPoolOptions & { returnIndices?: R });
  /** PyTorch's positional `returnIndices`. */
  constructor(outputSize: AdaptiveSize, returnIndices: R);
  constructor(outputSize: AdaptiveSize, ...rest: unknown[]) {
    super(2, outputSize, rest);
  }
}

/**
 * 3-d adaptive max pooling.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * console.log(new nn.AdaptiveMaxPool3d(2).forward(randn([1, 3, 5, 6, 7])).shape); // [1, 3, 2, 2, 2]
 * ```
 */
export class AdaptiveMaxPool3d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  /** `new AdaptiveMaxPool3d(outputSize, { returnIndices })`. */
  constructor(outputSize: AdaptiveSize, opts?: AdaptiveMaxPoolOptions & { returnIndices?: R });
  /** PyTorch's positional `returnIndices`. */
  constructor(outputSize: AdaptiveSize, returnIndices: R);
  constructor(outputSize: AdaptiveSize, ...rest: unknown[]) {
    super(3, outputSize, rest);
  }
}

/**
 * 1-d adaptive average pooling.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = new nn.AdaptiveAvgPool1d(2).forward(tensor([[[1, 2, 3, 4]]]));
 * console.log(y.flatten().tolist()); // [1.5, 3.5]
 * ```
 */
export class AdaptiveAvgPool1d extends AdaptiveAvgPoolNd {
  /** `new AdaptiveAvgPool1d(outputSize)`. */
  constructor(outputSize: AdaptiveSize) {
    super(1, outputSize);
  }
}

/**
 * 2-d adaptive average pooling (`new AdaptiveAvgPool2d(1)` is global average pooling).
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * console.log(new nn.AdaptiveAvgPool2d([5, 7]).forward(randn([1, 64, 8, 9])).shape); // [1, 64, 5, 7]
 * ```
 */
export class AdaptiveAvgPool2d extends AdaptiveAvgPoolNd {
  /** `new AdaptiveAvgPool2d(outputSize)`. */
  constructor(outputSize: AdaptiveSize) {
    super(2, outputSize);
  }
}

/**
 * 3-d adaptive average pooling.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * console.log(new nn.AdaptiveAvgPool3d([1, 2, 3]).forward(randn([2, 3, 4, 5, 6])).shape); // [2, 3, 1, 2, 3]
 * ```
 */
export class AdaptiveAvgPool3d extends AdaptiveAvgPoolNd {
  /** `new AdaptiveAvgPool3d(outputSize)`. */
  constructor(outputSize: AdaptiveSize) {
    super(3, outputSize);
  }
}

/**
 * Functional 1-d adaptive max pooling; `[out, indices]` with `returnIndices`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.adaptiveMaxPool1d(tensor([[[1, 5, 2]]]), 1).item()); // 5
 * ```
 */
export function adaptiveMaxPool1d(
  input: Tensor,
  outputSize: AdaptiveSize,
  opts: AdaptiveMaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
export function adaptiveMaxPool1d(
  input: Tensor,
  outputSize: AdaptiveSize,
  opts?: AdaptiveMaxPoolOptions & { returnIndices?: false },
): Tensor;
export function adaptiveMaxPool1d(
  input: Tensor,
  outputSize: AdaptiveSize,
  returnIndices: boolean,
): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool1d(
  input: Tensor,
  outputSize: AdaptiveSize,
  ...rest: unknown[]
): Tensor | [Tensor, Tensor] {
  const o = restOptions<AdaptiveMaxPoolOptions>(rest, ["returnIndices"], "adaptiveMaxPool1d");
  return maxImpl(1, input, outputSize, o.returnIndices, "adaptiveMaxPool1d");
}

/**
 * Functional 2-d adaptive max pooling; `[out, indices]` with `returnIndices`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const [y, idx] = nn.functional.adaptiveMaxPool2d(randn([1, 2, 5, 5]), 2, { returnIndices: true });
 * console.log(y.shape, idx.dtype); // [1, 2, 2, 2] int64
 * ```
 */
export function adaptiveMaxPool2d(
  input: Tensor,
  outputSize: AdaptiveSize,
  opts: AdaptiveMaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
export function adaptiveMaxPool2d(
  input: Tensor,
  outputSize: AdaptiveSize,
  opts?: AdaptiveMaxPoolOptions & { returnIndices?: false },
): Tensor;
export function adaptiveMaxPool2d(
  input: Tensor,
  outputSize: AdaptiveSize,
  returnIndices: boolean,
): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool2d(
  input: Tensor,
  outputSize: AdaptiveSize,
  ...rest: unknown[]
): Tensor | [Tensor, Tensor] {
  const o = restOptions<AdaptiveMaxPoolOptions>(rest, ["returnIndices"], "adaptiveMaxPool2d");
  return maxImpl(2, input, outputSize, o.returnIndices, "adaptiveMaxPool2d");
}

/**
 * Functional 3-d adaptive max pooling; `[out, indices]` with `returnIndices`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * console.log(nn.functional.adaptiveMaxPool3d(randn([1, 2, 3, 4, 5]), 1).shape); // [1, 2, 1, 1, 1]
 * ```
 */
export function adaptiveMaxPool3d(
  input: Tensor,
  outputSize: AdaptiveSize,
  opts: AdaptiveMaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
export function adaptiveMaxPool3d(
  input: Tensor,
  outputSize: AdaptiveSize,
  opts?: AdaptiveMaxPoolOptions & { returnIndices?: false },
): Tensor;
export function adaptiveMaxPool3d(
  input: Tensor,
  outputSize: AdaptiveSize,
  returnIndices: boolean,
): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool3d(
  input: Tensor,
  outputSize: AdaptiveSize,
  ...rest: unknown[]
): Tensor | [Tensor, Tensor] {
  const o = restOptions<AdaptiveMaxPoolOptions>(rest, ["returnIndices"], "adaptiveMaxPool3d");
  return maxImpl(3, input, outputSize, o.returnIndices, "adaptiveMaxPool3d");
}

/**
 * Functional 1-d adaptive average pooling.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.adaptiveAvgPool1d(tensor([[[1, 2, 6]]]), 1).item()); // 3
 * ```
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return avgImpl(1, input, outputSize, "adaptiveAvgPool1d");
}

/**
 * Functional 2-d adaptive average pooling.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * console.log(nn.functional.adaptiveAvgPool2d(ones([2, 3, 7, 7]), 1).shape); // [2, 3, 1, 1]
 * ```
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return avgImpl(2, input, outputSize, "adaptiveAvgPool2d");
}

/**
 * Functional 3-d adaptive average pooling.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * console.log(nn.functional.adaptiveAvgPool3d(ones([1, 1, 4, 4, 4]), 2).shape); // [1, 1, 2, 2, 2]
 * ```
 */
export function adaptiveAvgPool3d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return avgImpl(3, input, outputSize, "adaptiveAvgPool3d");
}
