/**
 * Convolution layers: `Conv1d`, `Conv2d`, `Conv3d`, `ConvTranspose1d`, `ConvTranspose2d` and
 * `ConvTranspose3d`, with their functional twins `conv1d` ... `convTranspose3d`. One N-d base
 * class per kind (`ConvNd`, `ConvTransposeNd`) holds everything; the public classes differ only
 * in rank. The arithmetic is the native im2col + GEMM kernel (src/tensor/ops/conv.ts).
 *
 * @module
 */

import type { Device, Tensor } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import {
  convolution,
  type ConvOptions as ConvOpOptions,
  convTranspose,
  convTransposeSizes,
} from "../tensor/ops/conv.ts";
import { pad } from "../tensor/ops/pad.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { squeeze, unsqueeze } from "../tensor/ops/view.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { checkFactory, checkOptions, type FloatDType, uniformInit } from "./linear.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";

/** An int, or one int per spatial dim. */
export type IntOrTuple = number | readonly number[];

/** How a convolution fills its padding: zeros, or the modes of `F.pad`. */
export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

const PADDING_MODES: readonly PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];

/** Options of `nn.Conv1d/2d/3d` (PyTorch's keyword arguments). */
export interface ConvOptions {
  /** Step of the kernel (default 1). */
  stride?: IntOrTuple;
  /** Padding added to both sides, or "same" / "valid" (default 0). */
  padding?: IntOrTuple | "same" | "valid";
  /** Spacing between kernel elements (default 1). */
  dilation?: IntOrTuple;
  /** Blocked connections from input to output channels (default 1). */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** How the padding is filled: "zeros" (default), "reflect", "replicate" or "circular" (as `F.pad`). */
  paddingMode?: PaddingMode;
  /** The parameters' dtype (default float32). */
  dtype?: FloatDType;
  /** The parameters' device (default "cpu"). */
  device?: Device;
}

/** Options of `nn.ConvTranspose1d/2d/3d`. */
export interface ConvTransposeOptions {
  /** Step of the kernel (default 1). */
  stride?: IntOrTuple;
  /** `dilation * (kernel - 1) - padding` zeros are added to both sides of the input (default 0). */
  padding?: IntOrTuple;
  /** Extra size added to one side of the output (default 0). */
  outputPadding?: IntOrTuple;
  /** Blocked connections from input to output channels (default 1). */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Spacing between kernel elements (default 1). */
  dilation?: IntOrTuple;
  /** Only "zeros" is supported. */
  paddingMode?: "zeros";
  /** The parameters' dtype (default float32). */
  dtype?: FloatDType;
  /** The parameters' device (default "cpu"). */
  device?: Device;
}

/** Options of the functional convolutions. */
export interface ConvFnOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple | "same" | "valid";
  dilation?: IntOrTuple;
  groups?: number;
}

/** Options of the functional transposed convolutions. */
export interface ConvTransposeFnOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  outputPadding?: IntOrTuple;
  groups?: number;
  dilation?: IntOrTuple;
}

const SPATIAL = ["(N, C, L)", "(N, C, H, W)", "(N, C, D, H, W)"];

/** One int per dim from an int or a tuple, each at least `min`. */
function ints(v: unknown, rank: number, name: string, min: number, call: string): number[] {
  if (typeof v !== "number" && !Array.isArray(v)) {
    throw new TypeError(
      `${call}: expected ${name} to be an integer or an array of ${rank} integers, got ${describe(v)}`,
    );
  }
  const list = typeof v === "number" ? new Array<number>(rank).fill(v) : (v as unknown[]);
  if (list.length !== rank || list.some((x) => typeof x !== "number" || !Number.isInteger(x))) {
    throw new TypeError(
      `${call}: expected ${name} to be an integer or an array of ${rank} integers, got ${describe(v)}`,
    );
  }
  const nums = list as number[];
  if (nums.some((x) => x < min)) {
    throw new RangeError(`${call}: expected ${name} to be >= ${min}, got ${describe(v)}`);
  }
  return nums.slice();
}

function positiveInt(v: unknown, name: string, call: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new TypeError(`${call}: expected ${name} to be a positive integer, got ${describe(v)}`);
  }
  return v;
}

/** Resolved geometry of a convolution: numeric padding plus the "same" right side. */
interface Geometry {
  stride: number[];
  padding: number[];
  paddingEnd: number[];
  dilation: number[];
  groups: number;
}

/** Resolves stride/padding/dilation/groups, including padding "same" and "valid". */
function convGeometry(kernel: readonly number[], o: ConvFnOptions, call: string): Geometry {
  const rank = kernel.length;
  const stride = ints(o.stride ?? 1, rank, "stride", 1, call);
  const dilation = ints(o.dilation ?? 1, rank, "dilation", 1, call);
  const groups = positiveInt(o.groups ?? 1, "groups", call);
  const p = o.padding ?? 0;
  if (p === "valid") {
    const zeros = new Array<number>(rank).fill(0);
    return { stride, padding: zeros, paddingEnd: zeros, dilation, groups };
  }
  if (p === "same") {
    if (stride.some((s) => s !== 1)) {
      throw new RangeError(`${call}: padding="same" is not supported for strided convolutions`);
    }
    const total = kernel.map((k, i) => dilation[i] * (k - 1));
    const left = total.map((t) => Math.floor(t / 2));
    return { stride, padding: left, paddingEnd: total.map((t, i) => t - left[i]), dilation, groups };
  }
  if (typeof p === "string") {
    throw new TypeError(`${call}: expected padding to be "same", "valid" or integers, got ${describe(p)}`);
  }
  const padding = ints(p, rank, "padding", 0, call);
  return { stride, padding, paddingEnd: padding, dilation, groups };
}

/** Batched view of an input with `rank` spatial dims: [x, wasUnbatched]. */
function batched(x: Tensor, rank: number, call: string): [Tensor, boolean] {
  checkTensor(x, call);
  if (x.ndim === rank + 2) return [x, false];
  if (x.ndim === rank + 1) return [unsqueeze(x, 0), true];
  throw new RangeError(
    `${call}: expected ${rank + 1}-d (unbatched) or ${rank + 2}-d (batched) input ${SPATIAL[rank - 1]}, got shape ${
      fmt(x.shape)
    }`,
  );
}

function optionalBias(b: unknown, call: string): Tensor | null {
  if (b === null || b === undefined) return null;
  return checkTensor(b, call, "bias");
}

function convFn(
  rank: number,
  call: string,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | ConvFnOptions | undefined,
  opts: ConvFnOptions | undefined,
): Tensor {
  if (bias !== null && bias !== undefined && !(bias as { _isTensor?: boolean })._isTensor) {
    opts = bias as ConvFnOptions;
    bias = null;
  }
  const o = checkOptions<ConvFnOptions>(opts, call, ["stride", "padding", "dilation", "groups"]);
  checkTensor(weight, call, "weight");
  if (weight.ndim !== rank + 2) {
    throw new RangeError(`${call}: expected a ${rank + 2}-d weight, got shape ${fmt(weight.shape)}`);
  }
  const g = convGeometry(weight.shape.slice(2), o, call);
  const [x, unbatched] = batched(input, rank, call);
  const y = convolution(x, weight, optionalBias(bias, call), g, call);
  return unbatched ? squeeze(y, 0) : y;
}

function convTransposeFn(
  rank: number,
  call: string,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | ConvTransposeFnOptions | undefined,
  opts: ConvTransposeFnOptions | undefined,
): Tensor {
  if (bias !== null && bias !== undefined && !(bias as { _isTensor?: boolean })._isTensor) {
    opts = bias as ConvTransposeFnOptions;
    bias = null;
  }
  const o = checkOptions<ConvTransposeFnOptions>(opts, call, [
    "stride",
    "padding",
    "outputPadding",
    "groups",
    "dilation",
  ]);
  checkTensor(weight, call, "weight");
  if (weight.ndim !== rank + 2) {
    throw new RangeError(`${call}: expected a ${rank + 2}-d weight, got shape ${fmt(weight.shape)}`);
  }
  const g = transposeGeometry(rank, o, call);
  const [x, unbatched] = batched(input, rank, call);
  const y = convTranspose(x, weight, optionalBias(bias, call), g, call);
  return unbatched ? squeeze(y, 0) : y;
}

interface TransposeGeometry {
  stride: number[];
  padding: number[];
  outputPadding: number[];
  dilation: number[];
  groups: number;
}

function transposeGeometry(rank: number, o: ConvTransposeFnOptions, call: string): TransposeGeometry {
  const stride = ints(o.stride ?? 1, rank, "stride", 1, call);
  const dilation = ints(o.dilation ?? 1, rank, "dilation", 1, call);
  if (typeof o.padding === "string") {
    throw new TypeError(`${call}: padding "${o.padding}" is not supported for transposed convolutions`);
  }
  const padding = ints(o.padding ?? 0, rank, "padding", 0, call);
  const outputPadding = ints(o.outputPadding ?? 0, rank, "outputPadding", 0, call);
  checkOutputPadding(outputPadding, stride, dilation, call);
  return { stride, padding, outputPadding, dilation, groups: positiveInt(o.groups ?? 1, "groups", call) };
}

function checkOutputPadding(
  op: readonly number[],
  stride: readonly number[],
  dilation: readonly number[],
  call: string,
) {
  if (op.some((p, i) => p >= stride[i] && p >= dilation[i])) {
    throw new RangeError(
      `${call}: output padding must be smaller than either stride or dilation, but got outputPadding ${
        fmt(op)
      }, stride ${fmt(stride)} and dilation ${fmt(dilation)}`,
    );
  }
}

/**
 * The N-d base of the convolution layers (PyTorch's `_ConvNd`): weight, bias, geometry and
 * PyTorch's default initialisation (kaiming_uniform with a = √5, i.e. U(-1/√fanIn, 1/√fanIn),
 * for the weight and the bias alike).
 */
export abstract class ConvNdBase extends Module {
  /** Channels of the input. */
  inChannels: number;
  /** Channels produced. */
  outChannels: number;
  /** Kernel size per spatial dim. */
  kernelSize: number[];
  /** Stride per spatial dim. */
  stride: number[];
  /** Padding per spatial dim, or "same" / "valid". */
  padding: number[] | "same" | "valid";
  /** Dilation per spatial dim. */
  dilation: number[];
  /** Output padding per spatial dim (transposed convolutions; zeros otherwise). */
  outputPadding: number[];
  /** Groups of blocked connections. */
  groups: number;
  /** How the padding is filled ("zeros" for transposed convolutions). */
  paddingMode: PaddingMode;
  /** True for ConvTranspose layers. */
  transposed: boolean;
  /** The learnable weight: `(out, in / groups, ...k)`, or `(in, out / groups, ...k)` when transposed. */
  declare weight: Parameter;
  /** The learnable bias `(outChannels)`, or null with `{ bias: false }`. */
  declare bias: Parameter | null;

  /** @internal */
  constructor(
    rank: number,
    transposed: boolean,
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrTuple,
    opts: ConvOptions | ConvTransposeOptions,
  ) {
    super();
    const call = this.constructor.name;
    this.inChannels = positiveInt(inChannels, "inChannels", call);
    this.outChannels = positiveInt(outChannels, "outChannels", call);
    this.kernelSize = ints(kernelSize, rank, "kernelSize", 1, call);
    this.transposed = transposed;
    const groups = positiveInt(opts.groups ?? 1, "groups", call);
    if (inChannels % groups !== 0) throw new RangeError(`${call}: inChannels must be divisible by groups`);
    if (outChannels % groups !== 0) throw new RangeError(`${call}: outChannels must be divisible by groups`);
    this.groups = groups;
    const mode = opts.paddingMode ?? "zeros";
    if (!PADDING_MODES.includes(mode)) {
      throw new TypeError(
        `${call}: expected paddingMode to be one of ${PADDING_MODES.join(", ")}, got ${describe(mode)}`,
      );
    }
    if (transposed && mode !== "zeros") {
      throw new TypeError(`${call}: only paddingMode "zeros" is supported for transposed convolutions, got "${mode}"`);
    }
    this.paddingMode = mode;
    if (transposed) {
      const g = transposeGeometry(rank, opts as ConvTransposeOptions, call);
      this.stride = g.stride;
      this.padding = g.padding;
      this.dilation = g.dilation;
      this.outputPadding = g.outputPadding;
    } else {
      const g = convGeometry(this.kernelSize, opts as ConvOptions, call); // validates "same" against the stride
      this.stride = g.stride;
      this.dilation = g.dilation;
      this.padding = opts.padding === "same" || opts.padding === "valid" ? opts.padding : g.padding;
      this.outputPadding = new Array<number>(rank).fill(0);
    }
    const dtype = checkFactory(opts, call);
    const withBias = opts.bias ?? true;
    if (typeof withBias !== "boolean") {
      throw new TypeError(`${call}: expected bias to be a boolean, got ${describe(withBias)}`);
    }
    const wshape = transposed
      ? [inChannels, outChannels / groups, ...this.kernelSize]
      : [outChannels, inChannels / groups, ...this.kernelSize];
    const bound = this._bound(wshape);
    this.weight = new Parameter(uniformInit(wshape, bound, dtype, opts.device));
    if (withBias) this.bias = new Parameter(uniformInit([outChannels], bound, dtype, opts.device));
    else this.registerParameter("bias", null);
  }

  /** 1/√fanIn with fanIn = weight.shape[1] * prod(kernel): the bound of PyTorch's default init. */
  private _bound(wshape: readonly number[]): number {
    const fanIn = wshape.slice(1).reduce((a, b) => a * b, 1);
    return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  }

  /** Re-draws weight and bias from PyTorch's default distribution (in place). */
  resetParameters(): void {
    const bound = this._bound(this.weight.shape);
    noGrad(() => {
      for (const p of [this.weight, this.bias]) if (p) p.uniform_(-bound, bound);
    });
  }

  override extraRepr(): string {
    const t = (v: readonly number[]) => `(${v.join(", ")}${v.length === 1 ? "," : ""})`;
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${t(this.kernelSize)}, stride=${t(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${t(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${t(this.dilation)}`;
    if (this.outputPadding.some((d) => d !== 0)) s += `, output_padding=${t(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ", bias=False";
    return s;
  }
}

/** Normalizes the constructor's trailing arguments: an options object or PyTorch positionals. */
function ctorOptions<O extends object>(rest: unknown[], names: readonly string[], call: string): O {
  if (rest.length === 0) return {} as O;
  if (rest.length === 1 && typeof rest[0] === "object" && rest[0] !== null && !Array.isArray(rest[0])) {
    return checkOptions<O>(rest[0], call, [...names, "paddingMode", "dtype", "device"]);
  }
  const o: Record<string, unknown> = {};
  rest.forEach((v, i) => {
    if (i >= names.length) throw new TypeError(`${call}: too many arguments (${rest.length + 3})`);
    if (v !== undefined) o[names[i]] = v;
  });
  return o as O;
}

const CONV_POSITIONALS = ["stride", "padding", "dilation", "groups", "bias"] as const;
const CONVT_POSITIONALS = ["stride", "padding", "outputPadding", "groups", "bias", "dilation"] as const;

/** The N-d convolution layer; Conv1d/2d/3d fix the rank. */
abstract class ConvNd extends ConvNdBase {
  constructor(rank: number, inChannels: number, outChannels: number, kernelSize: IntOrTuple, rest: unknown[]) {
    const o = ctorOptions<ConvOptions>(rest, CONV_POSITIONALS, new.target.name);
    super(rank, false, inChannels, outChannels, kernelSize, o);
  }

  /** Convolves `input` of shape `(N, C_in, ...)` (or unbatched `(C_in, ...)`). */
  override forward(input: Tensor): Tensor {
    const call = `${this.constructor.name}.forward`;
    const rank = this.kernelSize.length;
    const [x, unbatched] = batched(input, rank, call);
    const g = convGeometry(this.kernelSize, this as ConvFnOptions, call);
    if (x.shape[1] !== this.inChannels) {
      throw new RangeError(
        `${call}: expected input with ${this.inChannels} channels (inChannels), got ${x.shape[1]} channels in shape ${
          fmt(input.shape)
        }`,
      );
    }
    let y: Tensor;
    if (this.paddingMode === "zeros") y = convolution(x, this.weight, this.bias, g as ConvOpOptions, call);
    else {
      // As PyTorch: pad with the mode first (last dim first), then convolve without padding.
      const pads: number[] = [];
      for (let i = rank - 1; i >= 0; i--) pads.push(g.padding[i], g.paddingEnd[i]);
      const zeros = new Array<number>(rank).fill(0);
      const xp = pad(x, pads, this.paddingMode, 0, call);
      y = convolution(xp, this.weight, this.bias, { ...g, padding: zeros, paddingEnd: zeros } as ConvOpOptions, call);
    }
    return unbatched ? squeeze(y, 0) : y;
  }
}

/** The N-d transposed convolution layer; ConvTranspose1d/2d/3d fix the rank. */
abstract class ConvTransposeNd extends ConvNdBase {
  constructor(rank: number, inChannels: number, outChannels: number, kernelSize: IntOrTuple, rest: unknown[]) {
    const o = ctorOptions<ConvTransposeOptions>(rest, CONVT_POSITIONALS, new.target.name);
    super(rank, true, inChannels, outChannels, kernelSize, o);
  }

  /**
   * Applies the transposed convolution to `input` `(N, C_in, ...)` (or unbatched). `outputSize`
   * (spatial sizes, or the full size like `input.shape` of the matching convolution) picks one
   * of the output sizes the stride allows, as PyTorch's `output_size`.
   */
  override forward(input: Tensor, outputSize?: readonly number[] | null): Tensor {
    const call = `${this.constructor.name}.forward`;
    const rank = this.kernelSize.length;
    const [x, unbatched] = batched(input, rank, call);
    if (x.shape[1] !== this.inChannels) {
      throw new RangeError(
        `${call}: expected input with ${this.inChannels} channels (inChannels), got ${x.shape[1]} channels in shape ${
          fmt(input.shape)
        }`,
      );
    }
    const outputPadding = outputSize === undefined || outputSize === null
      ? this.outputPadding
      : this._outputPadding(x, outputSize, unbatched ? 1 : 2, call);
    const g = {
      stride: this.stride,
      padding: this.padding as number[],
      outputPadding,
      dilation: this.dilation,
      groups: this.groups,
    };
    const y = convTranspose(x, this.weight, this.bias, g, call);
    return unbatched ? squeeze(y, 0) : y;
  }

  /** PyTorch's `_output_padding`: the output padding that produces `outputSize`, or a RangeError. */
  private _outputPadding(x: Tensor, outputSize: readonly number[], nonSpatial: number, call: string): number[] {
    const rank = this.kernelSize.length;
    if (!Array.isArray(outputSize) || outputSize.some((s) => typeof s !== "number" || !Number.isInteger(s))) {
      throw new TypeError(`${call}: expected outputSize to be an array of integers, got ${describe(outputSize)}`);
    }
    let sizes = outputSize.slice();
    if (sizes.length === rank + nonSpatial) sizes = sizes.slice(nonSpatial);
    if (sizes.length !== rank) {
      throw new RangeError(
        `${call}: for ${rank + nonSpatial}-d input, outputSize must have ${rank} or ${
          rank + nonSpatial
        } elements (got ${outputSize.length})`,
      );
    }
    const inSizes = x.shape.slice(2);
    const zeros = new Array<number>(rank).fill(0);
    const min = convTransposeSizes(inSizes, this.kernelSize, {
      stride: this.stride,
      padding: this.padding as number[],
      outputPadding: zeros,
      dilation: this.dilation,
      groups: this.groups,
    });
    const max = min.map((m, i) => m + this.stride[i] - 1);
    if (sizes.some((s, i) => s < min[i] || s > max[i])) {
      throw new RangeError(
        `${call}: requested an output size of ${fmt(sizes)}, but valid sizes range from ${fmt(min)} to ${
          fmt(max)
        } (for an input of ${fmt(inSizes)})`,
      );
    }
    return sizes.map((s, i) => s - min[i]);
  }
}

/**
 * 1-d convolution over an input `(N, C_in, L)` (or `(C_in, L)`): output `(N, C_out, L_out)` with
 * `L_out = floor((L + 2 padding - dilation (kernelSize - 1) - 1) / stride + 1)`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.Conv1d(16, 33, 3, { stride: 2 });
 * console.log(m.forward(randn([20, 16, 50])).shape); // [20, 33, 24]
 * ```
 */
export class Conv1d extends ConvNd {
  /** `new Conv1d(in, out, k, { stride, padding, dilation, groups, bias })`, or those positionally. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(1, inChannels, outChannels, kernelSize, rest);
  }
}

/**
 * 2-d convolution over an input `(N, C_in, H, W)` (or `(C_in, H, W)`).
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.Conv2d(16, 33, [3, 5], { stride: [2, 1], padding: [4, 2] });
 * console.log(m.forward(randn([2, 16, 10, 20])).shape); // [2, 33, 8, 20]
 * const same = new nn.Conv2d(4, 4, 3, { padding: "same" });
 * console.log(same.forward(randn([1, 4, 7, 7])).shape); // [1, 4, 7, 7]
 * ```
 */
export class Conv2d extends ConvNd {
  /** `new Conv2d(in, out, k, { stride, padding, dilation, groups, bias })`, or those positionally. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(2, inChannels, outChannels, kernelSize, rest);
  }
}

/**
 * 3-d convolution over an input `(N, C_in, D, H, W)` (or `(C_in, D, H, W)`).
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.Conv3d(4, 6, [3, 5, 2], { stride: [2, 1, 1], padding: [4, 2, 0] });
 * console.log(m.forward(randn([2, 4, 10, 12, 6])).shape); // [2, 6, 8, 12, 5]
 * ```
 */
export class Conv3d extends ConvNd {
  /** `new Conv3d(in, out, k, { stride, padding, dilation, groups, bias })`, or those positionally. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(3, inChannels, outChannels, kernelSize, rest);
  }
}

/**
 * 1-d transposed convolution: `L_out = (L - 1) stride - 2 padding + dilation (kernelSize - 1) +
 * outputPadding + 1`. `forward(x, outputSize)` picks the output size instead of `outputPadding`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.ConvTranspose1d(4, 2, 3, { stride: 2 });
 * console.log(m.forward(randn([1, 4, 5])).shape); // [1, 2, 11]
 * console.log(m.forward(randn([1, 4, 5]), [12]).shape); // [1, 2, 12]
 * ```
 */
export class ConvTranspose1d extends ConvTransposeNd {
  /** `new ConvTranspose1d(in, out, k, { stride, padding, outputPadding, groups, bias, dilation })`. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(1, inChannels, outChannels, kernelSize, rest);
  }
}

/**
 * 2-d transposed convolution (the gradient of Conv2d with respect to its input).
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const down = new nn.Conv2d(16, 16, 3, { stride: 2, padding: 1 });
 * const up = new nn.ConvTranspose2d(16, 16, 3, { stride: 2, padding: 1 });
 * const x = randn([1, 16, 12, 12]);
 * const h = down.forward(x);
 * console.log(h.shape); // [1, 16, 6, 6]
 * console.log(up.forward(h, x.shape).shape); // [1, 16, 12, 12]
 * ```
 */
export class ConvTranspose2d extends ConvTransposeNd {
  /** `new ConvTranspose2d(in, out, k, { stride, padding, outputPadding, groups, bias, dilation })`. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(2, inChannels, outChannels, kernelSize, rest);
  }
}

/**
 * 3-d transposed convolution.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.ConvTranspose3d(4, 2, 3, { stride: 2 });
 * console.log(m.forward(randn([1, 4, 3, 4, 5])).shape); // [1, 2, 7, 9, 11]
 * ```
 */
export class ConvTranspose3d extends ConvTransposeNd {
  /** `new ConvTranspose3d(in, out, k, { stride, padding, outputPadding, groups, bias, dilation })`. */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(3, inChannels, outChannels, kernelSize, rest);
  }
}

/**
 * 1-d convolution: `input` `(N, C_in, L)` or `(C_in, L)`, `weight` `(C_out, C_in / groups, k)`,
 * optional `bias` `(C_out)`. The options may also take the bias's place.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * const y = nn.functional.conv1d(ones([1, 1, 5]), ones([1, 1, 3]), null, { padding: 1 });
 * console.log(y.flatten().tolist()); // [2, 3, 3, 3, 2]
 * ```
 */
export function conv1d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null | ConvFnOptions,
  opts?: ConvFnOptions,
): Tensor {
  return convFn(1, "conv1d", input, weight, bias, opts);
}

/**
 * 2-d convolution: `input` `(N, C_in, H, W)` or `(C_in, H, W)`, `weight` `(C_out, C_in / groups,
 * kH, kW)`, optional `bias` `(C_out)`.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * const y = nn.functional.conv2d(ones([1, 1, 4, 4]), ones([2, 1, 3, 3]), { stride: 1 });
 * console.log(y.shape, y.toArray()[0]); // [1, 2, 2, 2] 9
 * ```
 */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null | ConvFnOptions,
  opts?: ConvFnOptions,
): Tensor {
  return convFn(2, "conv2d", input, weight, bias, opts);
}

/**
 * 3-d convolution: `input` `(N, C_in, D, H, W)` or unbatched, `weight` `(C_out, C_in / groups,
 * kD, kH, kW)`.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * const y = nn.functional.conv3d(ones([1, 2, 3, 3, 3]), ones([1, 2, 3, 3, 3]));
 * console.log(y.shape, y.item()); // [1, 1, 1, 1, 1] 54
 * ```
 */
export function conv3d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null | ConvFnOptions,
  opts?: ConvFnOptions,
): Tensor {
  return convFn(3, "conv3d", input, weight, bias, opts);
}

/**
 * 1-d transposed convolution: `weight` `(C_in, C_out / groups, k)`.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * const y = nn.functional.convTranspose1d(ones([1, 1, 3]), ones([1, 1, 2]), null, { stride: 2 });
 * console.log(y.flatten().tolist()); // [1, 1, 1, 1, 1, 1]
 * ```
 */
export function convTranspose1d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null | ConvTransposeFnOptions,
  opts?: ConvTransposeFnOptions,
): Tensor {
  return convTransposeFn(1, "convTranspose1d", input, weight, bias, opts);
}

/**
 * 2-d transposed convolution: `weight` `(C_in, C_out / groups, kH, kW)`.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * const y = nn.functional.convTranspose2d(ones([1, 1, 2, 2]), ones([1, 3, 2, 2]), { stride: 2 });
 * console.log(y.shape); // [1, 3, 4, 4]
 * ```
 */
export function convTranspose2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null | ConvTransposeFnOptions,
  opts?: ConvTransposeFnOptions,
): Tensor {
  return convTransposeFn(2, "convTranspose2d", input, weight, bias, opts);
}

/**
 * 3-d transposed convolution: `weight` `(C_in, C_out / groups, kD, kH, kW)`.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * const y = nn.functional.convTranspose3d(ones([1, 1, 2, 2, 2]), ones([1, 1, 2, 2, 2]));
 * console.log(y.shape); // [1, 1, 3, 3, 3]
 * ```
 */
export function convTranspose3d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null | ConvTransposeFnOptions,
  opts?: ConvTransposeFnOptions,
): Tensor {
  return convTransposeFn(3, "convTranspose3d", input, weight, bias, opts);
}
