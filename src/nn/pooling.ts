/**
 * Pooling layers over regular windows: `MaxPool1d/2d/3d`, `MaxUnpool1d/2d/3d`,
 * `AvgPool1d/2d/3d` and `LPPool1d/2d`, with their functional twins.
 * Each family is one N-d class fixed to a rank by its public subclasses; the arithmetic is the
 * rank-generic native kernel of src/tensor/ops/pool.ts. (Adaptive pooling is in
 * adaptive_pooling.ts, fractional max pooling in fractional_pooling.ts.)
 *
 * @module
 */

import type { Tensor } from "../tensor/mod.ts";
import { abs, mul, pow, relu } from "../tensor/ops/elementwise.ts";
import {
  avgPool as avgPoolOp,
  maxPool as maxPoolOp,
  maxUnpool as maxUnpoolOp,
  poolOutputSize,
  type PoolWindow,
} from "../tensor/ops/pool.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { checkOptions } from "./linear.ts";
import { Module } from "./module.ts";

/** An int, or one int per spatial dim. */
export type IntOrTuple = number | readonly number[];

/** What a max pooling returns: the values, or `[values, indices]` with `returnIndices: true`. */
export type PoolResult<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

const NAMES = ["(N, C, L)", "(N, C, H, W)", "(N, C, D, H, W)"];

/** @internal one int per dim from an int or a tuple, each at least `min` */
export function intTuple(v: unknown, rank: number, name: string, min: number, call: string): number[] {
  const bad = () =>
    new TypeError(`${call}: expected ${name} to be an integer or an array of ${rank} integers, got ${describe(v)}`);
  if (typeof v !== "number" && !Array.isArray(v)) throw bad();
  const list = typeof v === "number" ? new Array<number>(rank).fill(v) : (v as unknown[]);
  if (list.length !== rank || list.some((x) => typeof x !== "number" || !Number.isInteger(x))) throw bad();
  const nums = list as number[];
  if (nums.some((x) => x < min)) throw new RangeError(`${call}: expected ${name} to be >= ${min}, got ${describe(v)}`);
  return nums.slice();
}

/** @internal checks an input has `rank + 1` (unbatched) or `rank + 2` dims */
export function checkPoolInput(x: unknown, rank: number, call: string): Tensor {
  const t = checkTensor(x, call);
  if (t.ndim !== rank + 1 && t.ndim !== rank + 2) {
    throw new RangeError(
      `${call}: expected ${rank + 1}-d (unbatched) or ${rank + 2}-d (batched) input ${NAMES[rank - 1]}, got shape ${
        fmt(t.shape)
      }`,
    );
  }
  return t;
}

/** @internal trailing constructor/function arguments: an options object or PyTorch positionals */
export function restOptions<O extends object>(rest: unknown[], names: readonly string[], call: string): O {
  if (rest.length === 0) return {} as O;
  if (rest.length === 1 && typeof rest[0] === "object" && rest[0] !== null && !Array.isArray(rest[0])) {
    return checkOptions<O>(rest[0], call, names);
  }
  if (rest.length > names.length) throw new TypeError(`${call}: too many arguments`);
  const o: Record<string, unknown> = {};
  rest.forEach((v, i) => {
    if (v !== undefined && v !== null) o[names[i]] = v;
  });
  return o as O;
}

/** @internal an optional boolean option */
export function checkBool(v: unknown, name: string, call: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") throw new TypeError(`${call}: expected ${name} to be a boolean, got ${describe(v)}`);
  return v;
}

const dims = (v: readonly number[]) => `(${v.join(" x ")})`;

/** A resolved pooling window plus ceil mode. */
interface Window extends PoolWindow {
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  ceilMode: boolean;
}

/** Resolves kernel/stride/padding/dilation (stride defaults to the kernel) and PyTorch's checks. */
function resolveWindow(
  rank: number,
  kernelSize: unknown,
  o: { stride?: unknown; padding?: unknown; dilation?: unknown; ceilMode?: unknown },
  call: string,
): Window {
  const kernel = intTuple(kernelSize, rank, "kernelSize", 1, call);
  const stride = o.stride === undefined || o.stride === null
    ? kernel.slice()
    : intTuple(o.stride, rank, "stride", 1, call);
  const padding = intTuple(o.padding ?? 0, rank, "padding", 0, call);
  const dilation = intTuple(o.dilation ?? 1, rank, "dilation", 1, call);
  padding.forEach((p, i) => {
    if (p > Math.floor(kernel[i] / 2)) {
      throw new RangeError(
        `${call}: padding should be at most half of kernel size, but got padding=${p} and kernelSize=${kernel[i]}`,
      );
    }
  });
  return { kernel, stride, padding, dilation, ceilMode: checkBool(o.ceilMode, "ceilMode", call, false) };
}

/** Output sizes of a window over the last dims of x, or the "smaller than the kernel" error. */
function windowOutput(x: Tensor, w: Window, call: string): number[] {
  const rank = w.kernel.length;
  const inSizes = x.shape.slice(-rank);
  const out = inSizes.map((s, i) =>
    poolOutputSize(s, w.kernel[i], w.stride[i], w.padding[i], w.dilation[i], w.ceilMode)
  );
  if (out.some((o) => o < 1)) {
    const anyPad = w.padding.some((p) => p > 0), anyDil = w.dilation.some((d) => d > 1);
    const padded = inSizes.map((s, i) => s + 2 * w.padding[i]);
    const eff = w.kernel.map((k, i) => w.dilation[i] * (k - 1) + 1);
    throw new RangeError(
      `${call}: ${anyPad ? "padded " : ""}input size ${dims(padded)} is smaller than the ${
        anyDil ? "dilated " : ""
      }kernel size ${dims(eff)}`,
    );
  }
  return out;
}

// ---------------------------------------------------------------------------- max pooling

/** Options of max pooling. */
export interface MaxPoolOptions {
  /** Window step (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** Implicit -inf padding on both sides, at most half the kernel (default 0). */
  padding?: IntOrTuple;
  /** Spacing between window elements (default 1). */
  dilation?: IntOrTuple;
  /** Also return the flat indices of the maxima (default false). */
  returnIndices?: boolean;
  /** Use ceil instead of floor for the output size (default false). */
  ceilMode?: boolean;
}

const MAXPOOL_POSITIONALS = ["stride", "padding", "dilation", "returnIndices", "ceilMode"] as const;
const MAXPOOL_FN_POSITIONALS = ["stride", "padding", "dilation", "ceilMode", "returnIndices"] as const;

function maxPoolImpl(
  rank: number,
  input: Tensor,
  kernelSize: unknown,
  o: MaxPoolOptions,
  call: string,
): Tensor | [Tensor, Tensor] {
  const x = checkPoolInput(input, rank, call);
  const w = resolveWindow(rank, kernelSize, o, call);
  const withIndices = checkBool(o.returnIndices, "returnIndices", call, false);
  const [out, idx] = maxPoolOp(x, w, windowOutput(x, w, call), withIndices, call);
  return withIndices ? [out, idx!] : out;
}

/** The N-d max pooling layer; MaxPool1d/2d/3d fix the rank. */
abstract class MaxPoolNd<R extends boolean> extends Module {
  /** Window size per dim. */
  kernelSize: number[];
  /** Window step per dim. */
  stride: number[];
  /** Padding per dim. */
  padding: number[];
  /** Dilation per dim. */
  dilation: number[];
  /** Whether `forward` returns `[out, indices]`. */
  returnIndices: boolean;
  /** Ceil instead of floor for the output size. */
  ceilMode: boolean;

  constructor(rank: number, kernelSize: IntOrTuple, rest: unknown[]) {
    super();
    const call = this.constructor.name;
    const o = restOptions<MaxPoolOptions>(rest, MAXPOOL_POSITIONALS, call);
    const w = resolveWindow(rank, kernelSize, o, call);
    this.kernelSize = w.kernel;
    this.stride = w.stride;
    this.padding = w.padding;
    this.dilation = w.dilation;
    this.ceilMode = w.ceilMode;
    this.returnIndices = checkBool(o.returnIndices, "returnIndices", call, false);
  }

  /** Pools `input` `(N, C, ...)` or `(C, ...)`; `[out, indices]` with `returnIndices`. */
  override forward(input: Tensor): PoolResult<R> {
    const call = `${this.constructor.name}.forward`;
    return maxPoolImpl(this.kernelSize.length, input, this.kernelSize, this, call) as PoolResult<R>;
  }

  override extraRepr(): string {
    const k = this.kernelSize.length === 1 ? this.kernelSize[0] : `(${this.kernelSize.join(", ")})`;
    return `kernel_size=${k}, stride=${this.stride}, padding=${this.padding}, dilation=${this.dilation}, ceil_mode=${
      this.ceilMode ? "True" : "False"
    }`;
  }
}

/**
 * 1-d max pooling over `(N, C, L)` or `(C, L)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const pool = new nn.MaxPool1d(2, { returnIndices: true });
 * const [out, idx] = pool.forward(tensor([[[1, 3, 2, 5]]]));
 * console.log(out.flatten().tolist(), idx.flatten().tolist()); // [3, 5] [1, 3]
 * ```
 */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  /** `new MaxPool1d(kernelSize, { stride, padding, dilation, returnIndices, ceilMode })`, or positionally. */
  constructor(kernelSize: IntOrTuple, opts?: MaxPoolOptions & { returnIndices?: R });
  /** PyTorch's positionals: stride, padding, dilation, returnIndices, ceilMode. */
  constructor(kernelSize: IntOrTuple, ...positional: unknown[]);
  constructor(kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(1, kernelSize, rest);
  }
}

/**
 * 2-d max pooling over `(N, C, H, W)` or `(C, H, W)`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const pool = new nn.MaxPool2d(3, { stride: 2 });
 * console.log(pool.forward(randn([1, 16, 50, 32])).shape); // [1, 16, 24, 15]
 * ```
 */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  /** `new MaxPool2d(kernelSize, { stride, padding, dilation, returnIndices, ceilMode })`, or positionally. */
  constructor(kernelSize: IntOrTuple, opts?: MaxPoolOptions & { returnIndices?: R });
  /** PyTorch's positionals: stride, padding, dilation, returnIndices, ceilMode. */
  constructor(kernelSize: IntOrTuple, ...positional: unknown[]);
  constructor(kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(2, kernelSize, rest);
  }
}

/**
 * 3-d max pooling over `(N, C, D, H, W)` or `(C, D, H, W)`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const pool = new nn.MaxPool3d([3, 2, 2], { stride: [2, 1, 2] });
 * console.log(pool.forward(randn([1, 2, 9, 5, 6])).shape); // [1, 2, 4, 4, 3]
 * ```
 */
export class MaxPool3d<R extends boolean = false> extends MaxPoolNd<R> {
  /** `new MaxPool3d(kernelSize, { stride, padding, dilation, returnIndices, ceilMode })`, or positionally. */
  constructor(kernelSize: IntOrTuple, opts?: MaxPoolOptions & { returnIndices?: R });
  /** PyTorch's positionals: stride, padding, dilation, returnIndices, ceilMode. */
  constructor(kernelSize: IntOrTuple, ...positional: unknown[]);
  constructor(kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(3, kernelSize, rest);
  }
}

/**
 * 1-d max pooling; returns `[out, indices]` when `returnIndices` is set. Options may also be
 * given positionally in PyTorch's order (stride, padding, dilation, ceilMode, returnIndices).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = nn.functional.maxPool1d(tensor([[[1, 3, 2, 5, 4]]]), 2, { ceilMode: true });
 * console.log(y.flatten().tolist()); // [3, 5, 4]
 * ```
 */
export function maxPool1d(
  input: Tensor,
  kernelSize: IntOrTuple,
  opts: MaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
export function maxPool1d(
  input: Tensor,
  kernelSize: IntOrTuple,
  opts?: MaxPoolOptions & { returnIndices?: false },
): Tensor;
export function maxPool1d(input: Tensor, kernelSize: IntOrTuple, ...positional: unknown[]): Tensor | [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor | [Tensor, Tensor] {
  return maxPoolImpl(1, input, kernelSize, restOptions(rest, MAXPOOL_FN_POSITIONALS, "maxPool1d"), "maxPool1d");
}

/**
 * 2-d max pooling; returns `[out, indices]` when `returnIndices` is set.
 *
 * @example
 * ```ts
 * import { nn, arange } from "../../mod.ts";
 * const y = nn.functional.maxPool2d(arange(16).float().reshape(1, 1, 4, 4), 2);
 * console.log(y.flatten().tolist()); // [5, 7, 13, 15]
 * ```
 */
export function maxPool2d(
  input: Tensor,
  kernelSize: IntOrTuple,
  opts: MaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
export function maxPool2d(
  input: Tensor,
  kernelSize: IntOrTuple,
  opts?: MaxPoolOptions & { returnIndices?: false },
): Tensor;
export function maxPool2d(input: Tensor, kernelSize: IntOrTuple, ...positional: unknown[]): Tensor | [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor | [Tensor, Tensor] {
  return maxPoolImpl(2, input, kernelSize, restOptions(rest, MAXPOOL_FN_POSITIONALS, "maxPool2d"), "maxPool2d");
}

/**
 * 3-d max pooling; returns `[out, indices]` when `returnIndices` is set.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const y = nn.functional.maxPool3d(randn([1, 1, 4, 4, 4]), 2);
 * console.log(y.shape); // [1, 1, 2, 2, 2]
 * ```
 */
export function maxPool3d(
  input: Tensor,
  kernelSize: IntOrTuple,
  opts: MaxPoolOptions & { returnIndices: true },
): [Tensor, Tensor];
export function maxPool3d(
  input: Tensor,
  kernelSize: IntOrTuple,
  opts?: MaxPoolOptions & { returnIndices?: false },
): Tensor;
export function maxPool3d(input: Tensor, kernelSize: IntOrTuple, ...positional: unknown[]): Tensor | [Tensor, Tensor];
export function maxPool3d(input: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor | [Tensor, Tensor] {
  return maxPoolImpl(3, input, kernelSize, restOptions(rest, MAXPOOL_FN_POSITIONALS, "maxPool3d"), "maxPool3d");
}

// ---------------------------------------------------------------------------- max unpooling

/** Options of max unpooling. */
export interface MaxUnpoolOptions {
  /** Window step of the pooling being inverted (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** Padding of the pooling being inverted (default 0). */
  padding?: IntOrTuple;
}

/** Options of the functional max unpooling. */
export interface MaxUnpoolFnOptions extends MaxUnpoolOptions {
  /** The output size (spatial sizes, or the full size with batch and channel). */
  outputSize?: readonly number[] | null;
}

/** PyTorch's `_unpool_output_size`: the default size, or a checked `outputSize`. */
function unpoolOutput(x: Tensor, w: PoolWindow, outputSize: unknown, call: string): number[] {
  const rank = w.kernel.length;
  const inSizes = x.shape.slice(-rank);
  const dflt = inSizes.map((s, i) => (s - 1) * w.stride[i] + w.kernel[i] - 2 * w.padding[i]);
  if (outputSize === undefined || outputSize === null) {
    if (dflt.some((d) => d < 1)) throw new RangeError(`${call}: the output size ${fmt(dflt)} is too small`);
    return dflt;
  }
  if (!Array.isArray(outputSize) || outputSize.some((s) => typeof s !== "number" || !Number.isInteger(s))) {
    throw new TypeError(`${call}: expected outputSize to be an array of integers, got ${describe(outputSize)}`);
  }
  let sizes = (outputSize as number[]).slice();
  if (sizes.length === rank + 2) sizes = sizes.slice(2);
  if (sizes.length !== rank) {
    throw new RangeError(
      `${call}: outputSize should be a sequence containing ${rank} or ${rank + 2} elements, but it has a length of ${
        (outputSize as number[]).length
      }`,
    );
  }
  sizes.forEach((s, d) => {
    const lo = dflt[d] - w.stride[d], hi = dflt[d] + w.stride[d];
    if (!(lo < s && s < hi)) {
      throw new RangeError(
        `${call}: invalid outputSize ${fmt(sizes)} (dim ${d} must be between ${lo} and ${hi}, exclusive)`,
      );
    }
  });
  return sizes;
}

function maxUnpoolImpl(
  rank: number,
  input: Tensor,
  indices: Tensor,
  kernelSize: unknown,
  o: MaxUnpoolFnOptions,
  call: string,
): Tensor {
  const x = checkPoolInput(input, rank, call);
  const kernel = intTuple(kernelSize, rank, "kernelSize", 1, call);
  const stride = o.stride === undefined || o.stride === null
    ? kernel.slice()
    : intTuple(o.stride, rank, "stride", 1, call);
  const padding = intTuple(o.padding ?? 0, rank, "padding", 0, call);
  const w = { kernel, stride, padding, dilation: kernel.map(() => 1) };
  return maxUnpoolOp(x, indices, unpoolOutput(x, w, o.outputSize, call), call);
}

/** The N-d max unpooling layer; MaxUnpool1d/2d/3d fix the rank. */
abstract class MaxUnpoolNd extends Module {
  /** Window size per dim. */
  kernelSize: number[];
  /** Window step per dim. */
  stride: number[];
  /** Padding per dim. */
  padding: number[];

  constructor(rank: number, kernelSize: IntOrTuple, rest: unknown[]) {
    super();
    const call = this.constructor.name;
    const o = restOptions<MaxUnpoolOptions>(rest, ["stride", "padding"], call);
    this.kernelSize = intTuple(kernelSize, rank, "kernelSize", 1, call);
    this.stride = o.stride === undefined || o.stride === null
      ? this.kernelSize.slice()
      : intTuple(o.stride, rank, "stride", 1, call);
    this.padding = intTuple(o.padding ?? 0, rank, "padding", 0, call);
  }

  /**
   * Places `input`'s values at `indices` (from a MaxPool with `returnIndices`) in a zero output;
   * `outputSize` resolves the sizes a strided pooling leaves ambiguous.
   */
  override forward(input: Tensor, indices: Tensor, outputSize?: readonly number[] | null): Tensor {
    const rank = this.kernelSize.length;
    const o = { stride: this.stride, padding: this.padding, outputSize };
    return maxUnpoolImpl(rank, input, indices, this.kernelSize, o, `${this.constructor.name}.forward`);
  }
}

/**
 * The partial inverse of MaxPool1d: maxima back in place, zeros elsewhere.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const pool = new nn.MaxPool1d(2, { returnIndices: true });
 * const unpool = new nn.MaxUnpool1d(2);
 * const [out, idx] = pool.forward(tensor([[[1, 3, 2, 5]]]));
 * console.log(unpool.forward(out, idx).flatten().tolist()); // [0, 3, 0, 5]
 * ```
 */
export class MaxUnpool1d extends MaxUnpoolNd {
  /** `new MaxUnpool1d(kernelSize, { stride, padding })`. */
  constructor(kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(1, kernelSize, rest);
  }
}

/**
 * The partial inverse of MaxPool2d.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const pool = new nn.MaxPool2d(2, { returnIndices: true });
 * const unpool = new nn.MaxUnpool2d(2);
 * const [out, idx] = pool.forward(randn([1, 1, 5, 5]));
 * console.log(unpool.forward(out, idx, [5, 5]).shape); // [1, 1, 5, 5]
 * ```
 */
export class MaxUnpool2d extends MaxUnpoolNd {
  /** `new MaxUnpool2d(kernelSize, { stride, padding })`. */
  constructor(kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(2, kernelSize, rest);
  }
}

/**
 * The partial inverse of MaxPool3d.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const pool = new nn.MaxPool3d(2, { returnIndices: true });
 * const [out, idx] = pool.forward(randn([1, 1, 4, 4, 4]));
 * console.log(new nn.MaxUnpool3d(2).forward(out, idx).shape); // [1, 1, 4, 4, 4]
 * ```
 */
export class MaxUnpool3d extends MaxUnpoolNd {
  /** `new MaxUnpool3d(kernelSize, { stride, padding })`. */
  constructor(kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(3, kernelSize, rest);
  }
}

/**
 * Functional 1-d max unpooling.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = nn.functional.maxUnpool1d(tensor([[[3, 5]]]), tensor(new BigInt64Array([1n, 3n]), { shape: [1, 1, 2] }), 2);
 * console.log(y.flatten().tolist()); // [0, 3, 0, 5]
 * ```
 */
export function maxUnpool1d(input: Tensor, indices: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  const o = restOptions<MaxUnpoolFnOptions>(rest, ["stride", "padding", "outputSize"], "maxUnpool1d");
  return maxUnpoolImpl(1, input, indices, kernelSize, o, "maxUnpool1d");
}

/**
 * Functional 2-d max unpooling.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = nn.functional.maxUnpool2d(tensor([[[[7]]]]), tensor(new BigInt64Array([3n]), { shape: [1, 1, 1, 1] }), 2);
 * console.log(y.flatten().tolist()); // [0, 0, 0, 7]
 * ```
 */
export function maxUnpool2d(input: Tensor, indices: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  const o = restOptions<MaxUnpoolFnOptions>(rest, ["stride", "padding", "outputSize"], "maxUnpool2d");
  return maxUnpoolImpl(2, input, indices, kernelSize, o, "maxUnpool2d");
}

/**
 * Functional 3-d max unpooling.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = nn.functional.maxUnpool3d(tensor([[[[[7]]]]]), tensor(new BigInt64Array([7n]), { shape: [1, 1, 1, 1, 1] }), 2);
 * console.log(y.shape, y.toArray()[7]); // [1, 1, 2, 2, 2] 7
 * ```
 */
export function maxUnpool3d(input: Tensor, indices: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  const o = restOptions<MaxUnpoolFnOptions>(rest, ["stride", "padding", "outputSize"], "maxUnpool3d");
  return maxUnpoolImpl(3, input, indices, kernelSize, o, "maxUnpool3d");
}

// ---------------------------------------------------------------------------- average pooling

/** Options of average pooling. */
export interface AvgPoolOptions {
  /** Window step (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** Implicit zero padding on both sides, at most half the kernel (default 0). */
  padding?: IntOrTuple;
  /** Use ceil instead of floor for the output size (default false). */
  ceilMode?: boolean;
  /** Count the padding zeros in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide by this instead of the window size. */
  divisorOverride?: number | null;
}

const AVGPOOL_POSITIONALS = ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"] as const;

function avgPoolImpl(rank: number, input: Tensor, kernelSize: unknown, o: AvgPoolOptions, call: string): Tensor {
  const x = checkPoolInput(input, rank, call);
  const w = resolveWindow(rank, kernelSize, { ...o, dilation: 1 }, call);
  const cip = checkBool(o.countIncludePad, "countIncludePad", call, true);
  let div = 0;
  if (o.divisorOverride !== undefined && o.divisorOverride !== null) {
    if (typeof o.divisorOverride !== "number" || !Number.isInteger(o.divisorOverride) || o.divisorOverride < 1) {
      throw new RangeError(
        `${call}: expected divisorOverride to be a positive integer, got ${describe(o.divisorOverride)}`,
      );
    }
    div = o.divisorOverride;
  }
  return avgPoolOp(x, w, windowOutput(x, w, call), cip, div, call);
}

/** The N-d average pooling layer; AvgPool1d/2d/3d fix the rank. */
abstract class AvgPoolNd extends Module {
  /** Window size per dim. */
  kernelSize: number[];
  /** Window step per dim. */
  stride: number[];
  /** Padding per dim. */
  padding: number[];
  /** Ceil instead of floor for the output size. */
  ceilMode: boolean;
  /** Count padding zeros in the divisor. */
  countIncludePad: boolean;
  /** Divisor replacing the window size, or null. */
  divisorOverride: number | null;

  constructor(rank: number, kernelSize: IntOrTuple, rest: unknown[]) {
    super();
    const call = this.constructor.name;
    const o = restOptions<AvgPoolOptions>(rest, AVGPOOL_POSITIONALS, call);
    const w = resolveWindow(rank, kernelSize, { ...o, dilation: 1 }, call);
    this.kernelSize = w.kernel;
    this.stride = w.stride;
    this.padding = w.padding;
    this.ceilMode = w.ceilMode;
    this.countIncludePad = checkBool(o.countIncludePad, "countIncludePad", call, true);
    this.divisorOverride = o.divisorOverride ?? null;
  }

  /** Averages `input` `(N, C, ...)` or `(C, ...)` over each window. */
  override forward(input: Tensor): Tensor {
    return avgPoolImpl(this.kernelSize.length, input, this.kernelSize, this, `${this.constructor.name}.forward`);
  }
}

/**
 * 1-d average pooling.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const pool = new nn.AvgPool1d(3, { stride: 2 });
 * console.log(pool.forward(tensor([[[1, 2, 3, 4, 5, 6, 7]]])).flatten().tolist()); // [2, 4, 6]
 * ```
 */
export class AvgPool1d extends AvgPoolNd {
  /** `new AvgPool1d(kernelSize, { stride, padding, ceilMode, countIncludePad })`, or positionally. */
  constructor(kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(1, kernelSize, rest);
  }
}

/**
 * 2-d average pooling.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const pool = new nn.AvgPool2d([3, 2], { stride: [2, 1] });
 * console.log(pool.forward(randn([20, 16, 50, 32])).shape); // [20, 16, 24, 31]
 * ```
 */
export class AvgPool2d extends AvgPoolNd {
  /** `new AvgPool2d(kernelSize, { stride, padding, ceilMode, countIncludePad, divisorOverride })`. */
  constructor(kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(2, kernelSize, rest);
  }
}

/**
 * 3-d average pooling.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const pool = new nn.AvgPool3d(2);
 * console.log(pool.forward(randn([1, 2, 4, 4, 4])).shape); // [1, 2, 2, 2, 2]
 * ```
 */
export class AvgPool3d extends AvgPoolNd {
  /** `new AvgPool3d(kernelSize, { stride, padding, ceilMode, countIncludePad, divisorOverride })`. */
  constructor(kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(3, kernelSize, rest);
  }
}

/**
 * Functional 1-d average pooling.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = nn.functional.avgPool1d(tensor([[[1, 2, 3, 4]]]), 2);
 * console.log(y.flatten().tolist()); // [1.5, 3.5]
 * ```
 */
export function avgPool1d(input: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  return avgPoolImpl(1, input, kernelSize, restOptions(rest, AVGPOOL_POSITIONALS, "avgPool1d"), "avgPool1d");
}

/**
 * Functional 2-d average pooling.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * const y = nn.functional.avgPool2d(ones([1, 1, 4, 4]), 2, { padding: 1, countIncludePad: true });
 * console.log(y.flatten().tolist()); // [0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25]
 * ```
 */
export function avgPool2d(input: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  return avgPoolImpl(2, input, kernelSize, restOptions(rest, AVGPOOL_POSITIONALS, "avgPool2d"), "avgPool2d");
}

/**
 * Functional 3-d average pooling.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * console.log(nn.functional.avgPool3d(ones([1, 1, 2, 2, 2]), 2).item()); // 1
 * ```
 */
export function avgPool3d(input: Tensor, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  return avgPoolImpl(3, input, kernelSize, restOptions(rest, AVGPOOL_POSITIONALS, "avgPool3d"), "avgPool3d");
}

// ---------------------------------------------------------------------------- power-average pooling

/** Options of LP pooling. */
export interface LPPoolOptions {
  /** Window step (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** Use ceil instead of floor for the output size (default false). */
  ceilMode?: boolean;
}

function lpPoolImpl(
  rank: number,
  input: Tensor,
  normType: unknown,
  kernelSize: unknown,
  o: LPPoolOptions,
  call: string,
) {
  if (typeof normType !== "number" || Number.isNaN(normType) || normType === 0) {
    throw new TypeError(`${call}: expected normType to be a non-zero number, got ${describe(normType)}`);
  }
  const x = checkPoolInput(input, rank, call);
  const w = resolveWindow(rank, kernelSize, { stride: o.stride, ceilMode: o.ceilMode }, call);
  // PyTorch's formula: (sign(s) * relu(|s|) * prod(kernel)) ^ (1/p) with s = avg_pool(x^p)
  const s = avgPoolOp(pow(x, normType), w, windowOutput(x, w, call), true, 0, call);
  const n = w.kernel.reduce((a, b) => a * b, 1);
  return pow(mul(mul(s.sign(), relu(abs(s))), n), 1 / normType);
}

/** The N-d power-average pooling layer; LPPool1d/2d fix the rank. */
abstract class LPPoolNd extends Module {
  /** The power p. */
  normType: number;
  /** Window size per dim. */
  kernelSize: number[];
  /** Window step per dim. */
  stride: number[];
  /** Ceil instead of floor for the output size. */
  ceilMode: boolean;

  constructor(rank: number, normType: number, kernelSize: IntOrTuple, rest: unknown[]) {
    super();
    const call = this.constructor.name;
    const o = restOptions<LPPoolOptions>(rest, ["stride", "ceilMode"], call);
    const w = resolveWindow(rank, kernelSize, o, call);
    if (typeof normType !== "number" || Number.isNaN(normType) || normType === 0) {
      throw new TypeError(`${call}: expected normType to be a non-zero number, got ${describe(normType)}`);
    }
    this.normType = normType;
    this.kernelSize = w.kernel;
    this.stride = w.stride;
    this.ceilMode = w.ceilMode;
  }

  /** `(sum over each window of x^p)^(1/p)`. */
  override forward(input: Tensor): Tensor {
    const call = `${this.constructor.name}.forward`;
    return lpPoolImpl(this.kernelSize.length, input, this.normType, this.kernelSize, this, call);
  }
}

/**
 * 1-d power-average pooling: `(sum over each window of x^p)^(1/p)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = new nn.LPPool1d(2, 2).forward(tensor([[[3, 4, 6, 8]]]));
 * console.log(y.flatten().tolist()); // [5, 10]
 * ```
 */
export class LPPool1d extends LPPoolNd {
  /** `new LPPool1d(normType, kernelSize, { stride, ceilMode })`. */
  constructor(normType: number, kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(1, normType, kernelSize, rest);
  }
}

/**
 * 2-d power-average pooling.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.LPPool2d(1.2, [3, 2], { stride: [2, 1] });
 * console.log(m.forward(randn([20, 16, 50, 32])).shape); // [20, 16, 24, 31]
 * ```
 */
export class LPPool2d extends LPPoolNd {
  /** `new LPPool2d(normType, kernelSize, { stride, ceilMode })`. */
  constructor(normType: number, kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(2, normType, kernelSize, rest);
  }
}

/**
 * Functional 1-d power-average pooling.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.lpPool1d(tensor([[[3, 4]]]), 2, 2).item()); // 5
 * ```
 */
export function lpPool1d(input: Tensor, normType: number, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  return lpPoolImpl(1, input, normType, kernelSize, restOptions(rest, ["stride", "ceilMode"], "lpPool1d"), "lpPool1d");
}

/**
 * Functional 2-d power-average pooling.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.lpPool2d(tensor([[[[1, 2], [2, 4]]]]), 2, 2).item()); // 5
 * ```
 */
export function lpPool2d(input: Tensor, normType: number, kernelSize: IntOrTuple, ...rest: unknown[]): Tensor {
  return lpPoolImpl(2, input, normType, kernelSize, restOptions(rest, ["stride", "ceilMode"], "lpPool2d"), "lpPool2d");
}
