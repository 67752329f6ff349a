/**
 * Normalization layers newer than the seed: `LayerNorm`, `GroupNorm` and `LocalResponseNorm`,
 * with their functional twins `layerNorm`, `groupNorm`, `localResponseNorm`, plus `normalize`
 * (Lp normalization along a dim), and PyTorch 1.13's legacy `CrossMapLRN2d`. The InstanceNorm layers are in instancenorm.ts (as PyTorch
 * splits them) and share this file's helpers.
 *
 * Every layer is a composition of differentiable tensor ops (mean, subtraction, rsqrt, ...),
 * so autograd needs nothing special. Statistics use the biased variance, computed from the
 * centred input (two passes).
 *
 * @module
 */

import type { Device, Tensor } from "../tensor/mod.ts";
import { full, zeros } from "../tensor/create.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { record } from "../autograd/node.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { mean, norm } from "../tensor/ops/reduce.ts";
import { cat, narrow, reshape } from "../tensor/ops/view.ts";
import { pad as padOp } from "../tensor/ops/pad.ts";
import { avgPool } from "../tensor/ops/pool.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { describe, fmt, normDim, numelOf } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";
import { type ArgSpec, parseArgs } from "./positional.ts";

/** The dtypes of normalization parameters and of the inputs LayerNorm/GroupNorm/InstanceNorm take. */
export type NormDType = "float32" | "float64";

/** @internal Python's `repr` of a float (`1e-05`, `0.1`, `1.0`), for `extraRepr`. */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const [mant, e] = v.toExponential().split("e");
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  const s = String(v);
  return s.includes(".") ? s : `${s}.0`;
}

/** @internal Python's `True`/`False`. */
export const pyBool = (b: boolean) => (b ? "True" : "False");

/** @internal a float32/float64 input, else a TypeError naming `call` */
export function checkFloatInput(x: Tensor, call: string): void {
  if (x.dtype !== "float32" && x.dtype !== "float64") {
    throw new TypeError(`${call}: expected a float32 or float64 input, got dtype ${x.dtype}`);
  }
}

/** @internal checks an optional per-channel (or per-element) tensor: its shape and the input's dtype */
export function checkAux(t: Tensor | null, x: Tensor, shape: readonly number[], name: string, call: string): void {
  if (t === null) return;
  if (t.ndim !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
    throw new RangeError(`${call}: expected ${name} of shape ${fmt(shape)}, got shape ${fmt(t.shape)}`);
  }
  if (t.dtype !== x.dtype) {
    throw new TypeError(`${call}: expected ${name} of dtype ${x.dtype} (the input's), got ${t.dtype}`);
  }
}

/** @internal `(x - mean) / sqrt(var + eps)` over `dims`, with the biased variance of the centred input */
export function standardize(x: Tensor, dims: number[], eps: number): Tensor {
  const xc = E.sub(x, mean(x, dims, true));
  return E.mul(xc, E.rsqrt(E.add(mean(E.mul(xc, xc), dims, true), eps)));
}

/** @internal `y * weight + bias` with per-channel (dim 1) affine parameters broadcast over (N, C, *) */
export function channelAffine(y: Tensor, weight: Tensor | null, bias: Tensor | null): Tensor {
  const at = (t: Tensor) => reshape(t, [t.numel(), ...y.shape.slice(2).map(() => 1)]);
  if (weight) y = E.mul(y, at(weight));
  if (bias) y = E.add(y, at(bias));
  return y;
}

/** @internal the checked dtype/device options of a layer's parameters */
export function factoryDtype(dtype: unknown, device: unknown, call: string): { dtype: NormDType; device?: Device } {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new TypeError(`${call}: expected dtype "float32" or "float64", got ${describe(dtype)}`);
  }
  if (device !== undefined && typeof device !== "string") {
    throw new TypeError(`${call}: expected device to be "cpu" or "cuda:N", got ${describe(device)}`);
  }
  return { dtype, device: device as Device | undefined };
}

/** @internal the keyword-only dtype/device options */
export const FACTORY_SPECS: ArgSpec[] = [
  { name: "dtype", kind: "any", default: "float32", keywordOnly: true },
  { name: "device", kind: "any", default: undefined, keywordOnly: true },
];

// ------------------------------------------------------------------ LayerNorm

/** Options of `F.layerNorm` (also accepted positionally after `normalizedShape`). */
export interface LayerNormFnOptions {
  /** Elementwise scale of shape `normalizedShape` (default none: 1). */
  weight?: Tensor | null;
  /** Elementwise shift of shape `normalizedShape` (default none: 0). */
  bias?: Tensor | null;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

function checkNormalizedShape(s: unknown, call: string): number[] {
  const list = typeof s === "number" ? [s] : s;
  if (!Array.isArray(list) || list.some((d) => typeof d !== "number" || !Number.isInteger(d) || d < 0)) {
    throw new TypeError(
      `${call}: expected normalizedShape to be a non-negative integer or an array of them, got ${describe(s)}`,
    );
  }
  if (list.length === 0) {
    throw new RangeError(`${call}: expected normalizedShape to contain at least one element, got []`);
  }
  if (list.reduce((a: number, b: number) => a * b, 1) > 0x7fffffff || list.some((d: number) => d > 0x7fffffff)) {
    throw new RangeError(`${call}: a normalizedShape of [${list.join(", ")}] exceeds the 2^31-1 elements supported`);
  }
  return [...list];
}

function layerNormImpl(
  call: string,
  x: Tensor,
  shape: number[],
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
): Tensor {
  checkTensor(x, call);
  checkFloatInput(x, call);
  const k = shape.length, lead = x.ndim - k;
  if (lead < 0 || shape.some((s, i) => x.shape[lead + i] !== s)) {
    throw new RangeError(
      `${call}: given normalizedShape ${fmt(shape)}, expected input with shape [*, ${shape.join(", ")}], got shape ${
        fmt(x.shape)
      }`,
    );
  }
  checkAux(weight, x, shape, "weight", call);
  checkAux(bias, x, shape, "bias", call);
  let y = standardize(x, shape.map((_, i) => lead + i), eps);
  if (weight) y = E.mul(y, weight);
  if (bias) y = E.add(y, bias);
  return y;
}

/**
 * Layer normalization over the last `normalizedShape.length` dims:
 * `(x - mean) / sqrt(var + eps) * weight + bias` with the biased variance.
 * `F.layerNorm(x, [4])`, `F.layerNorm(x, [4], w, b, 1e-6)` or `F.layerNorm(x, [4], { weight, bias, eps })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = nn.functional.layerNorm(tensor([[1, 3], [2, 6]]), [2], { eps: 0 });
 * console.log(y.tolist()); // [[-1, 1], [-1, 1]]
 * ```
 */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  weight?: Tensor | null | LayerNormFnOptions,
  bias?: Tensor | null,
  eps?: number,
): Tensor {
  const call = "layerNorm";
  const a = parseArgs(call, [weight, bias, eps], [
    { name: "weight", kind: "tensor?", default: null },
    { name: "bias", kind: "tensor?", default: null },
    { name: "eps", kind: "number", default: 1e-5 },
  ]);
  const shape = checkNormalizedShape(normalizedShape, call);
  return layerNormImpl(call, input, shape, a.weight as Tensor | null, a.bias as Tensor | null, a.eps as number);
}

/** Options of `nn.LayerNorm`. */
export interface LayerNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn `weight` (ones) and `bias` (zeros) of shape `normalizedShape` (default true). */
  elementwiseAffine?: boolean;
  /** The parameters' dtype (default float32). */
  dtype?: NormDType;
  /** The parameters' device (default "cpu"). */
  device?: Device;
}

/**
 * Layer normalization over the trailing dims given by `normalizedShape`:
 * `new nn.LayerNorm(10)`, `new nn.LayerNorm([5, 10], { eps: 1e-6, elementwiseAffine: false })`
 * (PyTorch's positional `eps` and `elementwiseAffine` are accepted too).
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const ln = new nn.LayerNorm(10);
 * console.log(ln.forward(randn([2, 5, 10])).shape); // [2, 5, 10]
 * console.log(Object.keys(ln.stateDict())); // ["weight", "bias"]
 * console.log(ln.toString()); // LayerNorm((10,), eps=1e-05, elementwise_affine=True)
 * ```
 */
export class LayerNorm extends Module {
  /** The normalized trailing shape. */
  normalizedShape: number[];
  /** Added to the variance. */
  eps: number;
  /** Whether `weight` and `bias` exist. */
  elementwiseAffine: boolean;
  /** Elementwise scale of shape `normalizedShape` (ones at start), or null. */
  declare weight: Parameter | null;
  /** Elementwise shift of shape `normalizedShape` (zeros at start), or null. */
  declare bias: Parameter | null;

  /** `normalizedShape`, then `eps` and `elementwiseAffine` positionally or in the options object. */
  constructor(
    normalizedShape: number | readonly number[],
    eps?: number | LayerNormOptions,
    elementwiseAffine?: boolean | LayerNormOptions,
    opts?: LayerNormOptions,
  ) {
    super();
    const call = "LayerNorm";
    const a = parseArgs(call, [eps, elementwiseAffine, opts], [
      { name: "eps", kind: "number", default: 1e-5 },
      { name: "elementwiseAffine", kind: "boolean", default: true },
      ...FACTORY_SPECS,
    ]);
    const f = factoryDtype(a.dtype, a.device, call);
    this.normalizedShape = checkNormalizedShape(normalizedShape, call);
    this.eps = a.eps as number;
    this.elementwiseAffine = a.elementwiseAffine as boolean;
    if (this.elementwiseAffine) {
      this.weight = new Parameter(full(this.normalizedShape, 1, f));
      this.bias = new Parameter(zeros(this.normalizedShape, f));
    } else {
      this.registerParameter("weight", null);
      this.registerParameter("bias", null);
    }
  }

  /** Sets `weight` to ones and `bias` to zeros. */
  resetParameters(): void {
    noGrad(() => {
      this.weight?.fill_(1);
      this.bias?.zero_();
    });
  }

  /** Normalizes `input` (*, ...normalizedShape) over its trailing dims. */
  override forward(input: Tensor): Tensor {
    return layerNormImpl("LayerNorm.forward", input, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  /** PyTorch's `extra_repr`: `(10,), eps=1e-05, elementwise_affine=True`. */
  override extraRepr(): string {
    const s = this.normalizedShape;
    const tuple = s.length === 1 ? `(${s[0]},)` : `(${s.join(", ")})`;
    return `${tuple}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

// ------------------------------------------------------------------ GroupNorm

/** Options of `F.groupNorm` (also accepted positionally after `numGroups`). */
export interface GroupNormFnOptions {
  /** Per-channel scale of shape (C) (default none: 1). */
  weight?: Tensor | null;
  /** Per-channel shift of shape (C) (default none: 0). */
  bias?: Tensor | null;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

function checkGroups(g: unknown, call: string): number {
  if (typeof g !== "number" || !Number.isInteger(g) || g <= 0) {
    throw new TypeError(`${call}: expected numGroups to be a positive integer, got ${describe(g)}`);
  }
  return g;
}

function groupNormImpl(
  call: string,
  x: Tensor,
  groups: number,
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
): Tensor {
  checkTensor(x, call);
  checkFloatInput(x, call);
  if (x.ndim < 2) {
    throw new RangeError(`${call}: expected input of shape (N, C, *) with at least 2 dims, got shape ${fmt(x.shape)}`);
  }
  const n = x.shape[0], c = x.shape[1], spatial = x.shape.slice(2);
  if (c % groups !== 0) {
    throw new RangeError(
      `${call}: expected the number of channels in input to be divisible by numGroups, got input of shape ${
        fmt(x.shape)
      } and numGroups=${groups}`,
    );
  }
  checkAux(weight, x, [c], "weight", call);
  checkAux(bias, x, [c], "bias", call);
  if (Math.floor((n * c) / groups) * numelOf(spatial) === 1) {
    throw new RangeError(
      `${call}: Expected more than 1 value per channel when training, got input size ${
        fmt([Math.floor((n * c) / groups), groups, ...spatial])
      }`,
    );
  }
  const grouped = reshape(x, [n, groups, (c / groups) * numelOf(spatial)]);
  return channelAffine(reshape(standardize(grouped, [2], eps), x.shape), weight, bias);
}

/**
 * Group normalization of (N, C, *) input: the C channels are split into `numGroups` groups,
 * each normalized over its channels and all spatial positions, then a per-channel affine.
 * `F.groupNorm(x, 2)`, `F.groupNorm(x, 2, w, b, eps)` or `F.groupNorm(x, 2, { weight, bias, eps })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = nn.functional.groupNorm(tensor([[1, 3, 5, 9]]), 2, { eps: 0 });
 * console.log(y.tolist()); // [[-1, 1, -1, 1]]
 * ```
 */
export function groupNorm(
  input: Tensor,
  numGroups: number,
  weight?: Tensor | null | GroupNormFnOptions,
  bias?: Tensor | null,
  eps?: number,
): Tensor {
  const call = "groupNorm";
  const a = parseArgs(call, [weight, bias, eps], [
    { name: "weight", kind: "tensor?", default: null },
    { name: "bias", kind: "tensor?", default: null },
    { name: "eps", kind: "number", default: 1e-5 },
  ]);
  const g = checkGroups(numGroups, call);
  return groupNormImpl(call, input, g, a.weight as Tensor | null, a.bias as Tensor | null, a.eps as number);
}

/** Options of `nn.GroupNorm`. */
export interface GroupNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a per-channel `weight` (ones) and `bias` (zeros) (default true). */
  affine?: boolean;
  /** The parameters' dtype (default float32). */
  dtype?: NormDType;
  /** The parameters' device (default "cpu"). */
  device?: Device;
}

/**
 * Group normalization: `new nn.GroupNorm(numGroups, numChannels)`, with `eps` and `affine`
 * positionally or in the options object. `numChannels` must be divisible by `numGroups`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const gn = new nn.GroupNorm(3, 6);
 * console.log(gn.forward(randn([20, 6, 10, 10])).shape); // [20, 6, 10, 10]
 * console.log(gn.toString()); // GroupNorm(3, 6, eps=1e-05, affine=True)
 * ```
 */
export class GroupNorm extends Module {
  /** The number of channel groups. */
  numGroups: number;
  /** The number of channels C. */
  numChannels: number;
  /** Added to the variance. */
  eps: number;
  /** Whether `weight` and `bias` exist. */
  affine: boolean;
  /** Per-channel scale (ones at start), or null without `affine`. */
  declare weight: Parameter | null;
  /** Per-channel shift (zeros at start), or null without `affine`. */
  declare bias: Parameter | null;

  /** `numGroups`, `numChannels`, then `eps` and `affine` positionally or in the options object. */
  constructor(
    numGroups: number,
    numChannels: number,
    eps?: number | GroupNormOptions,
    affine?: boolean | GroupNormOptions,
    opts?: GroupNormOptions,
  ) {
    super();
    const call = "GroupNorm";
    const a = parseArgs(call, [eps, affine, opts], [
      { name: "eps", kind: "number", default: 1e-5 },
      { name: "affine", kind: "boolean", default: true },
      ...FACTORY_SPECS,
    ]);
    const f = factoryDtype(a.dtype, a.device, call);
    this.numGroups = checkGroups(numGroups, call);
    if (typeof numChannels !== "number" || !Number.isInteger(numChannels) || numChannels < 0) {
      throw new TypeError(`${call}: expected numChannels to be a non-negative integer, got ${describe(numChannels)}`);
    }
    if (numChannels > 0x7fffffff) {
      throw new RangeError(`${call}: numChannels must be at most 2^31-1, got ${numChannels}`);
    }
    if (numChannels % numGroups !== 0) {
      throw new RangeError(
        `${call}: numChannels must be divisible by numGroups, got numChannels=${numChannels} and numGroups=${numGroups}`,
      );
    }
    this.numChannels = numChannels;
    this.eps = a.eps as number;
    this.affine = a.affine as boolean;
    if (this.affine) {
      this.weight = new Parameter(full([numChannels], 1, f));
      this.bias = new Parameter(zeros([numChannels], f));
    } else {
      this.registerParameter("weight", null);
      this.registerParameter("bias", null);
    }
  }

  /** Sets `weight` to ones and `bias` to zeros. */
  resetParameters(): void {
    noGrad(() => {
      this.weight?.fill_(1);
      this.bias?.zero_();
    });
  }

  /** Normalizes `input` (N, C, *) per group of channels. */
  override forward(input: Tensor): Tensor {
    return groupNormImpl("GroupNorm.forward", input, this.numGroups, this.weight, this.bias, this.eps);
  }

  /** PyTorch's `extra_repr`: `3, 6, eps=1e-05, affine=True`. */
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

// ------------------------------------------------------------------ LocalResponseNorm

/** Options of `LocalResponseNorm` / `F.localResponseNorm` (also accepted positionally after `size`). */
export interface LocalResponseNormOptions {
  /** The multiplicative factor (default 1e-4). */
  alpha?: number;
  /** The exponent (default 0.75). */
  beta?: number;
  /** The additive factor (default 1). */
  k?: number;
}

const LRN_SPECS: ArgSpec[] = [
  { name: "alpha", kind: "number", default: 1e-4 },
  { name: "beta", kind: "number", default: 0.75 },
  { name: "k", kind: "number", default: 1 },
];

function checkLrnSize(size: unknown, call: string): number {
  if (typeof size !== "number" || !Number.isInteger(size) || size <= 0) {
    throw new TypeError(`${call}: expected size to be a positive integer, got ${describe(size)}`);
  }
  return size;
}

function lrnImpl(call: string, x: Tensor, size: number, alpha: number, beta: number, k: number): Tensor {
  checkTensor(x, call);
  if (x.ndim < 3) {
    throw new RangeError(`${call}: expected 3D or higher dimensionality input (got ${x.ndim} dimensions)`);
  }
  if (x.numel() === 0) return x; // PyTorch returns the input itself
  // The mean of x² over a window of `size` channels (zero-padded: size/2 before, (size-1)/2
  // after), as PyTorch's pad + avg_pool over a (N, 1, C, S) view.
  const [n, c] = x.shape;
  const s = numelOf(x.shape.slice(2));
  const sq = reshape(E.mul(x, x), [n, 1, c, s]);
  const padded = padOp(sq, [0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)], "constant", 0, call);
  const win = { kernel: [size, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1] };
  const avg = reshape(avgPool(padded, win, [c, s], true, 0, call), x.shape);
  return E.div(x, E.pow(E.add(E.mul(avg, alpha), k), beta));
}

/**
 * Local response normalization across channels of (N, C, *) input:
 * `x / (k + alpha / size * Σ x²)^beta` over a window of `size` neighbouring channels.
 * `F.localResponseNorm(x, 2)`, `F.localResponseNorm(x, 2, 1e-4, 0.75, 1)` or `{ alpha, beta, k }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = nn.functional.localResponseNorm(tensor([[[2], [2]]]), 2, { alpha: 1, beta: 1, k: 0 });
 * console.log(y.tolist()); // [[[1], [0.5]]]
 * ```
 */
export function localResponseNorm(
  input: Tensor,
  size: number,
  alpha?: number | LocalResponseNormOptions,
  beta?: number,
  k?: number,
): Tensor {
  const call = "localResponseNorm";
  const a = parseArgs(call, [alpha, beta, k], LRN_SPECS);
  return lrnImpl(call, input, checkLrnSize(size, call), a.alpha as number, a.beta as number, a.k as number);
}

/** The fields and arguments LocalResponseNorm and CrossMapLRN2d share (siblings, as in PyTorch). */
abstract class LrnBase extends Module {
  /** The number of neighbouring channels in the window. */
  size: number;
  /** The multiplicative factor. */
  alpha: number;
  /** The exponent. */
  beta: number;
  /** The additive factor. */
  k: number;
  /** `size`, then `alpha` (1e-4), `beta` (0.75), `k` (1) positionally or in the options object. */
  constructor(size: number, alpha?: number | LocalResponseNormOptions, beta?: number, k?: number) {
    super();
    const call = new.target.name;
    const a = parseArgs(call, [alpha, beta, k], LRN_SPECS);
    this.size = checkLrnSize(size, call);
    this.alpha = a.alpha as number;
    this.beta = a.beta as number;
    this.k = a.k as number;
  }
}

/**
 * Local response normalization across channels: `new nn.LocalResponseNorm(2)`,
 * `new nn.LocalResponseNorm(3, 1e-3, 0.5, 2)` or `new nn.LocalResponseNorm(3, { alpha, beta, k })`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const lrn = new nn.LocalResponseNorm(2);
 * console.log(lrn.forward(randn([32, 5, 24, 24])).shape); // [32, 5, 24, 24]
 * console.log(lrn.toString()); // LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)
 * ```
 */
export class LocalResponseNorm extends LrnBase {
  /** Normalizes `input` (N, C, *) across channels. */
  override forward(input: Tensor): Tensor {
    return lrnImpl("LocalResponseNorm.forward", input, this.size, this.alpha, this.beta, this.k);
  }
  /** PyTorch's `extra_repr`: `2, alpha=0.0001, beta=0.75, k=1.0`. */
  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}

// ------------------------------------------------------------------ CrossMapLRN2d

/** Python's `str` of a number as `str.format` shows it (an integer without `.0`). */
const pyNum = (v: number) => (Number.isInteger(v) ? String(v) : pyFloat(v));

/** Sum of `size` consecutive channels of `t` (N, C', H, W) at every offset: (N, C' - size + 1, H, W). */
function windowSum(t: Tensor, size: number): Tensor {
  const c = t.shape[1] - size + 1;
  let acc = narrow(t, 1, 0, c);
  for (let j = 1; j < size; j++) acc = E.add(acc, narrow(t, 1, j, c));
  return acc;
}

/** `t` with `before` and `after` zero channels around dim 1. */
function padChannels(t: Tensor, before: number, after: number): Tensor {
  const parts: Tensor[] = [];
  const z = (n: number) => zeros([t.shape[0], n, ...t.shape.slice(2)], { dtype: t.dtype });
  if (before > 0) parts.push(z(before));
  parts.push(t);
  if (after > 0) parts.push(z(after));
  return parts.length === 1 ? t : cat(parts, 1);
}

function crossMapLrn(call: string, x: Tensor, size: number, alpha: number, beta: number, k: number): Tensor {
  checkTensor(x, call);
  if (x.ndim !== 4) throw new RangeError(`${call}: expected a 4-D input (N, C, H, W), got ${x.ndim}-D`);
  // float16 is computed in float32 and rounded once (PyTorch rounds after every step)
  if (x.dtype === "float16") return crossMapLrn(call, x.to("float32"), size, alpha, beta, k).to("float16");
  checkFloatInput(x, call);
  const c = x.shape[1];
  if (x.numel() === 0) return E.mul(x, 1);
  // PyTorch 1.13's torch.nn._functions.CrossMapLRN2d: a running sum over channels that adds
  // x²[c + P - 1] and drops x²[c - P] only for c > P (P = floor((size - 1) / 2 + 1)), so
  // channel 0 stays in every window: scale[c] = x²[0] + Σ x²[max(1, c-P+1) .. min(c+P-1, C-1)].
  const pre = Math.floor((size - 1) / 2 + 1);
  const [scale, out] = noGrad(() => {
    const sq = E.mul(x, x);
    const first = narrow(sq, 1, 0, 1);
    const rest = c > 1 ? padChannels(narrow(sq, 1, 1, c - 1), pre - 1 + 1, pre - 1) : padChannels(first, 0, 0);
    // rest has channel 0 zeroed (leading zero channel + pre - 1 pads), length c + 2(pre - 1)
    const win = c > 1 ? windowSum(rest, 2 * pre - 1) : E.mul(first, 0);
    const sc = E.add(E.mul(E.add(win, first), alpha / size), k);
    return [sc, E.mul(x, E.pow(sc, -beta))];
  });
  // PyTorch's own backward (not the exact gradient of the forward above): with
  // r = g * out / scale zero-padded to C + size - 1 channels from offset I = trunc(size - (size - 1) / 2),
  // grad[c] = g[c] * scale[c]^-beta - 2 alpha beta / size * x[c] * Σ r_padded[c .. c + size - 1].
  const inv = Math.trunc(size - (size - 1) / 2);
  return record("CrossMapLRN2dBackward", out, [x], (g) => {
    if (inv > size - 1) {
      // PyTorch 1.13's backward narrows C channels at offset 1 out of C + size - 1 = C
      throw new RangeError(
        `${call}: PyTorch 1.13's CrossMapLRN2d has no backward for size 1 (start (1) + length (${c}) exceeds ` +
          `dimension size (${c}))`,
      );
    }
    const ratio = E.div(E.mul(g, out), scale);
    const padded = padChannels(ratio, inv, Math.max(0, size - 1 - inv));
    const acc = narrow(windowSum(padded, size), 1, 0, c);
    return [E.sub(E.mul(g, E.pow(scale, -beta)), E.mul(E.mul(x, acc), (2 * alpha * beta) / size))];
  }, [x, out, scale]);
}

/**
 * PyTorch 1.13's legacy `nn.CrossMapLRN2d` (from Lua Torch): local response normalization
 * across the channels of a 4-d input `(N, C, H, W)`, `x * (k + alpha / size * Σ x²)^-beta`.
 * It differs from `LocalResponseNorm` as PyTorch's does: the window of channel c is
 * `[c - P + 1, c + P - 1]` with `P = floor((size - 1) / 2) + 1` (so even sizes are widened),
 * channel 0 is never dropped from the running sum (it stays in every window), and the
 * backward is PyTorch's hand-written one, reproduced exactly (it is not the exact gradient of
 * that forward; first derivatives only). `new nn.CrossMapLRN2d(3)`,
 * `new nn.CrossMapLRN2d(3, 1e-3, 0.5, 2)` or `new nn.CrossMapLRN2d(3, { alpha, beta, k })`.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * const lrn = new nn.CrossMapLRN2d(3, { alpha: 3, beta: 1, k: 1 });
 * console.log(lrn.toString()); // CrossMapLRN2d(3, alpha=3, beta=1, k=1)
 * console.log(lrn.forward(ones([1, 2, 1, 1])).tolist()); // [[[[0.3333333432674408]], [[0.3333333432674408]]]]
 * ```
 */
export class CrossMapLRN2d extends LrnBase {
  /** Normalizes `input` (N, C, H, W) across channels. */
  override forward(input: Tensor): Tensor {
    return crossMapLrn("CrossMapLRN2d.forward", input, this.size, this.alpha, this.beta, this.k);
  }
  /** PyTorch's `extra_repr`: `3, alpha=0.0001, beta=0.75, k=1`. */
  override extraRepr(): string {
    return `${this.size}, alpha=${pyNum(this.alpha)}, beta=${pyNum(this.beta)}, k=${pyNum(this.k)}`;
  }
}

// ------------------------------------------------------------------ normalize

/** Options of `F.normalize` (also accepted positionally). */
export interface NormalizeOptions {
  /** The norm degree (default 2; Infinity allowed). */
  p?: number;
  /** The dim along which vectors are normalized (default 1). */
  dim?: number;
  /** The lower bound of the norm (default 1e-12). */
  eps?: number;
}

/**
 * Lp normalization along `dim`: `x / max(||x||_p, eps)`. `F.normalize(x)`,
 * `F.normalize(x, 1, 0)` (p, dim, eps positionally) or `F.normalize(x, { p, dim, eps })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.normalize(tensor([[3, 4], [0, 0]])).tolist()); // [[0.6000000238418579, 0.800000011920929], [0, 0]]
 * ```
 */
export function normalize(input: Tensor, p?: number | NormalizeOptions, dim?: number, eps?: number): Tensor {
  const call = "normalize";
  const a = parseArgs(call, [p, dim, eps], [
    { name: "p", kind: "number", default: 2 },
    { name: "dim", kind: "int", default: 1 },
    { name: "eps", kind: "number", default: 1e-12 },
  ]);
  checkTensor(input, call);
  const d = normDim(a.dim as number, Math.max(input.ndim, 1), call);
  return E.div(input, E.clamp(norm(input, a.p as number, input.ndim === 0 ? undefined : d, true), a.eps as number));
}
