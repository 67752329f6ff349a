/**
 * Vision layers: `PixelShuffle`, `PixelUnshuffle`, `Upsample`, `UpsamplingNearest2d` and
 * `UpsamplingBilinear2d`, with their functional twins `pixelShuffle`, `pixelUnshuffle`,
 * `interpolate` (alias `upsample`), `upsampleNearest` and `upsampleBilinear`. Pixel shuffles are
 * views plus one copy; resampling is the rank-generic native kernel of
 * src/tensor/ops/upsample.ts (nearest and linear/bilinear/trilinear), and mode "area" is
 * adaptive average pooling, as in PyTorch.
 *
 * @module
 */

import type { Tensor } from "../tensor/mod.ts";
import { adaptiveAvgPool } from "../tensor/ops/pool.ts";
import { upsample as upsampleOp } from "../tensor/ops/upsample.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { permute, reshape } from "../tensor/ops/view.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { upsampleBicubic } from "./grid_sample.ts";
import { checkOptions } from "./linear.ts";
import { Module } from "./module.ts";

function checkFactor(v: unknown, name: string, call: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new TypeError(`${call}: expected ${name} to be a positive integer, got ${describe(v)}`);
  }
  return v;
}

function shuffle(input: Tensor, r: number, call: string): Tensor {
  const x = checkTensor(input, call);
  if (x.ndim < 3) {
    throw new RangeError(
      `${call}: expected input to have at least 3 dimensions, but got input with ${x.ndim} dimension(s)`,
    );
  }
  const lead = x.shape.slice(0, -3);
  const [c, h, w] = x.shape.slice(-3);
  if (c % (r * r) !== 0) {
    throw new RangeError(
      `${call}: expected the channel dimension to be divisible by the square of upscaleFactor, but input.size(-3)=${c} is not divisible by ${
        r * r
      }`,
    );
  }
  const oc = c / (r * r), n = lead.length;
  const split = reshape(x, [...lead, oc, r, r, h, w]);
  const ld = lead.map((_, i) => i);
  const moved = permute(split, [...ld, n, n + 3, n + 1, n + 4, n + 2]);
  return reshape(moved, [...lead, oc, h * r, w * r]);
}

function unshuffle(input: Tensor, r: number, call: string): Tensor {
  const x = checkTensor(input, call);
  if (x.ndim < 3) {
    throw new RangeError(
      `${call}: expected input to have at least 3 dimensions, but got input with ${x.ndim} dimension(s)`,
    );
  }
  const lead = x.shape.slice(0, -3);
  const [c, h, w] = x.shape.slice(-3);
  if (h % r !== 0 || w % r !== 0) {
    throw new RangeError(
      `${call}: expected height ${h} and width ${w} to be divisible by downscaleFactor ${r}, got shape ${fmt(x.shape)}`,
    );
  }
  const n = lead.length;
  const split = reshape(x, [...lead, c, h / r, r, w / r, r]);
  const ld = lead.map((_, i) => i);
  const moved = permute(split, [...ld, n, n + 2, n + 4, n + 1, n + 3]);
  return reshape(moved, [...lead, c * r * r, h / r, w / r]);
}

/**
 * Rearranges `(*, C r², H, W)` into `(*, C, H r, W r)` (sub-pixel convolution, Shi et al. 2016).
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const ps = new nn.PixelShuffle(3);
 * console.log(ps.forward(randn([1, 9, 4, 4])).shape); // [1, 1, 12, 12]
 * ```
 */
export class PixelShuffle extends Module {
  /** The factor r. */
  upscaleFactor: number;

  constructor(upscaleFactor: number) {
    super();
    this.upscaleFactor = checkFactor(upscaleFactor, "upscaleFactor", "PixelShuffle");
  }

  /** `(*, C r², H, W)` to `(*, C, H r, W r)`. */
  override forward(input: Tensor): Tensor {
    return shuffle(input, this.upscaleFactor, "PixelShuffle.forward");
  }

  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

/**
 * The inverse of PixelShuffle: `(*, C, H r, W r)` into `(*, C r², H, W)`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * console.log(new nn.PixelUnshuffle(2).forward(randn([1, 1, 4, 6])).shape); // [1, 4, 2, 3]
 * ```
 */
export class PixelUnshuffle extends Module {
  /** The factor r. */
  downscaleFactor: number;

  constructor(downscaleFactor: number) {
    super();
    this.downscaleFactor = checkFactor(downscaleFactor, "downscaleFactor", "PixelUnshuffle");
  }

  /** `(*, C, H r, W r)` to `(*, C r², H, W)`. */
  override forward(input: Tensor): Tensor {
    return unshuffle(input, this.downscaleFactor, "PixelUnshuffle.forward");
  }
}

/**
 * Functional pixel shuffle.
 *
 * @example
 * ```ts
 * import { nn, arange } from "../../mod.ts";
 * const y = nn.functional.pixelShuffle(arange(4).float().reshape(1, 4, 1, 1), 2);
 * console.log(y.shape, y.flatten().tolist()); // [1, 1, 2, 2] [0, 1, 2, 3]
 * ```
 */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  return shuffle(input, checkFactor(upscaleFactor, "upscaleFactor", "pixelShuffle"), "pixelShuffle");
}

/**
 * Functional pixel unshuffle.
 *
 * @example
 * ```ts
 * import { nn, arange } from "../../mod.ts";
 * console.log(nn.functional.pixelUnshuffle(arange(4).reshape(1, 1, 2, 2), 2).shape); // [1, 4, 1, 1]
 * ```
 */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  return unshuffle(input, checkFactor(downscaleFactor, "downscaleFactor", "pixelUnshuffle"), "pixelUnshuffle");
}

/** Resampling modes of `interpolate` and `Upsample`. */
export type InterpolateMode = "nearest" | "linear" | "bilinear" | "bicubic" | "trilinear" | "area";

/** Options of `interpolate` / `Upsample`: exactly one of `size` and `scaleFactor`. */
const INTERPOLATE_KEYS = ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor"];

export interface InterpolateOptions {
  /** The output spatial size (one int for every dim, or one per dim). */
  size?: number | readonly number[] | null;
  /** Multiplier of the spatial size (one for every dim, or one per dim). */
  scaleFactor?: number | readonly number[] | null;
  /** "nearest" (default), "linear" (3-d input), "bilinear" or "bicubic" (4-d), "trilinear" (5-d) or "area". */
  mode?: InterpolateMode;
  /** Align the corner pixels of input and output (linear modes only; default false). */
  alignCorners?: boolean | null;
  /** Use the computed output size to recompute the scale (default false). */
  recomputeScaleFactor?: boolean | null;
}

const LINEAR_RANK: Record<string, number> = { linear: 1, bilinear: 2, bicubic: 2, trilinear: 3 };

function interpolateImpl(input: Tensor, o: InterpolateOptions, call: string): Tensor {
  const x = checkTensor(input, call);
  const mode = o.mode ?? "nearest";
  if (!["nearest", "linear", "bilinear", "bicubic", "trilinear", "area"].includes(mode)) {
    throw new TypeError(
      `${call}: mode ${describe(mode)} is not supported (nearest, linear, bilinear, bicubic, trilinear or area)`,
    );
  }
  if (x.ndim < 3 || x.ndim > 5) {
    throw new RangeError(`${call}: expected a 3-d, 4-d or 5-d input (N, C, ...spatial), got shape ${fmt(x.shape)}`);
  }
  const rank = x.ndim - 2;
  const linear = mode in LINEAR_RANK;
  if (linear && LINEAR_RANK[mode] !== rank) {
    throw new RangeError(`${call}: got ${x.ndim}-d input, but ${mode} mode needs ${LINEAR_RANK[mode] + 2}-d input`);
  }
  const ac = o.alignCorners ?? null;
  if (ac !== null && typeof ac !== "boolean") {
    throw new TypeError(`${call}: expected alignCorners to be a boolean, got ${describe(ac)}`);
  }
  if (ac !== null && !linear) {
    throw new TypeError(
      `${call}: the alignCorners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear`,
    );
  }
  const hasSize = o.size !== undefined && o.size !== null;
  const hasScale = o.scaleFactor !== undefined && o.scaleFactor !== null;
  if (hasSize && hasScale) throw new TypeError(`${call}: only one of size or scaleFactor should be defined`);
  if (!hasSize && !hasScale) throw new TypeError(`${call}: either size or scaleFactor should be defined`);
  const inSizes = x.shape.slice(2);
  let outSizes: number[];
  let scales = inSizes.map(() => 0);
  if (hasSize) {
    const s = o.size!;
    const list = typeof s === "number" ? inSizes.map(() => s) : Array.isArray(s) ? s.slice() : null;
    if (!list || list.length !== rank || list.some((v) => typeof v !== "number" || !Number.isInteger(v) || v < 1)) {
      throw new TypeError(
        `${call}: expected size to be a positive integer or ${rank} positive integers for a ${x.ndim}-d input, got ${
          describe(s)
        }`,
      );
    }
    outSizes = list;
  } else {
    const f = o.scaleFactor!;
    const list = typeof f === "number" ? inSizes.map(() => f) : Array.isArray(f) ? f.slice() : null;
    if (!list || list.length !== rank || list.some((v) => typeof v !== "number" || !(v > 0))) {
      throw new TypeError(
        `${call}: expected scaleFactor to be a positive number or ${rank} positive numbers for a ${x.ndim}-d input, got ${
          describe(f)
        }`,
      );
    }
    outSizes = inSizes.map((s, i) => Math.floor(s * list[i]));
    if (!o.recomputeScaleFactor) scales = list;
  }
  if (mode === "area") return adaptiveAvgPool(x, outSizes, call);
  if (mode === "bicubic") return upsampleBicubic(x, outSizes, scales, ac ?? false);
  return upsampleOp(x, outSizes, scales, linear ? "linear" : "nearest", ac ?? false, call);
}

/**
 * Resizes `input` `(N, C, ...spatial)` to `size`, or by `scaleFactor`, with PyTorch's
 * `interpolate` rules (nearest picks `floor(o * scale)`, linear modes blend the two neighbours
 * of each dim).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const x = tensor([[[1, 2]]]);
 * console.log(nn.functional.interpolate(x, { scaleFactor: 2 }).flatten().tolist()); // [1, 1, 2, 2]
 * const y = nn.functional.interpolate(x, { size: 3, mode: "linear", alignCorners: true });
 * console.log(y.flatten().tolist()); // [1, 1.5, 2]
 * ```
 */
export function interpolate(input: Tensor, opts?: InterpolateOptions): Tensor {
  return interpolateImpl(input, checkOptions<InterpolateOptions>(opts, "interpolate", INTERPOLATE_KEYS), "interpolate");
}

/**
 * The older name of `interpolate`.
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * console.log(nn.functional.upsample(ones([1, 1, 2, 2]), { size: [3, 5] }).shape); // [1, 1, 3, 5]
 * ```
 */
export function upsample(input: Tensor, opts?: InterpolateOptions): Tensor {
  return interpolateImpl(input, checkOptions<InterpolateOptions>(opts, "upsample", INTERPOLATE_KEYS), "upsample");
}

/** `size` or `scaleFactor` of the fixed-mode upsampling layers. */
export interface UpsamplingOptions {
  /** The output spatial size. */
  size?: number | readonly number[] | null;
  /** Multiplier of the spatial size. */
  scaleFactor?: number | readonly number[] | null;
}

/**
 * Nearest-neighbour upsampling of a 4-d input (`interpolate` with mode "nearest").
 *
 * @example
 * ```ts
 * import { nn, ones } from "../../mod.ts";
 * console.log(nn.functional.upsampleNearest(ones([1, 1, 2, 2]), { scaleFactor: 2 }).shape); // [1, 1, 4, 4]
 * ```
 */
export function upsampleNearest(input: Tensor, opts?: UpsamplingOptions): Tensor {
  const o = checkOptions<UpsamplingOptions>(opts, "upsampleNearest", ["size", "scaleFactor"]);
  return interpolateImpl(input, { size: o.size, scaleFactor: o.scaleFactor, mode: "nearest" }, "upsampleNearest");
}

/**
 * Bilinear upsampling of a 4-d input with aligned corners (`interpolate` with mode "bilinear"
 * and alignCorners true).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = nn.functional.upsampleBilinear(tensor([[[[0, 3]]]]), { size: [1, 4] });
 * console.log(y.flatten().tolist()); // [0, 1, 2, 3]
 * ```
 */
export function upsampleBilinear(input: Tensor, opts?: UpsamplingOptions): Tensor {
  const o = checkOptions<UpsamplingOptions>(opts, "upsampleBilinear", ["size", "scaleFactor"]);
  const call = "upsampleBilinear";
  return interpolateImpl(
    input,
    { size: o.size, scaleFactor: o.scaleFactor, mode: "bilinear", alignCorners: true },
    call,
  );
}

/**
 * Upsamples `(N, C, ...spatial)` inputs to `size` or by `scaleFactor` with a fixed mode.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const up = new nn.Upsample({ scaleFactor: 2, mode: "bilinear" });
 * console.log(up.forward(randn([1, 3, 4, 5])).shape); // [1, 3, 8, 10]
 * ```
 */
export class Upsample extends Module {
  /** The output size, or null. */
  size: number | readonly number[] | null;
  /** The scale factor, or null. */
  scaleFactor: number | readonly number[] | null;
  /** The resampling mode. */
  mode: InterpolateMode;
  /** Corner alignment of the linear modes, or null. */
  alignCorners: boolean | null;
  /** Recompute the scale from the output size (PyTorch's `recompute_scale_factor`), or null. */
  recomputeScaleFactor: boolean | null;

  constructor(opts?: InterpolateOptions) {
    super();
    const o = checkOptions<InterpolateOptions>(opts, this.constructor.name, INTERPOLATE_KEYS);
    this.size = o.size ?? null;
    this.scaleFactor = o.scaleFactor ?? null;
    this.mode = o.mode ?? "nearest";
    this.alignCorners = o.alignCorners ?? null;
    this.recomputeScaleFactor = o.recomputeScaleFactor ?? null;
  }

  /** Resizes `input`. */
  override forward(input: Tensor): Tensor {
    const o = {
      size: this.size,
      scaleFactor: this.scaleFactor,
      mode: this.mode,
      alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    };
    return interpolateImpl(input, o, `${this.constructor.name}.forward`);
  }
}

/**
 * 2-d nearest-neighbour upsampling of `(N, C, H, W)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const up = new nn.UpsamplingNearest2d({ scaleFactor: 2 });
 * console.log(up.forward(tensor([[[[1, 2]]]])).flatten().tolist()); // [1, 1, 2, 2, 1, 1, 2, 2]
 * ```
 */
export class UpsamplingNearest2d extends Upsample {
  constructor(opts?: UpsamplingOptions) {
    const o = checkOptions<UpsamplingOptions>(opts, "UpsamplingNearest2d", ["size", "scaleFactor"]);
    super({ size: o.size, scaleFactor: o.scaleFactor, mode: "nearest" });
  }
}

/**
 * 2-d bilinear upsampling of `(N, C, H, W)` with aligned corners (PyTorch's
 * `UpsamplingBilinear2d`).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const up = new nn.UpsamplingBilinear2d({ size: [1, 3] });
 * console.log(up.forward(tensor([[[[0, 2]]]])).flatten().tolist()); // [0, 1, 2]
 * ```
 */
export class UpsamplingBilinear2d extends Upsample {
  constructor(opts?: UpsamplingOptions) {
    const o = checkOptions<UpsamplingOptions>(opts, "UpsamplingBilinear2d", ["size", "scaleFactor"]);
    super({ size: o.size, scaleFactor: o.scaleFactor, mode: "bilinear", alignCorners: true });
  }
}

function channelShuffleImpl(input: Tensor, groups: number, call: string): Tensor {
  const x = checkTensor(input, call);
  if (typeof groups !== "number" || !Number.isInteger(groups) || groups < 1) {
    throw new RangeError(`${call}: expected groups to be a positive integer, got ${describe(groups)}`);
  }
  if (x.ndim < 3) {
    throw new RangeError(`${call}: expected input with more than 2 dimensions, got shape ${fmt(x.shape)}`);
  }
  const [n, c, ...rest] = x.shape;
  if (c % groups !== 0) {
    throw new RangeError(
      `${call}: expected the number of channels to be divisible by groups, got ${c} channels and ${groups} groups`,
    );
  }
  const split = reshape(x, [n, groups, c / groups, ...rest]);
  const ld = rest.map((_, i) => i + 3);
  return reshape(permute(split, [0, 2, 1, ...ld]), x.shape);
}

/**
 * Divides the channels of `(N, C, *)` into `groups` groups and interleaves them (ShuffleNet):
 * channel `g * (C / groups) + k` moves to `k * groups + g`.
 *
 * @example
 * ```ts
 * import { nn, arange } from "../../mod.ts";
 * const y = nn.functional.channelShuffle(arange(4).float().reshape(1, 4, 1), 2);
 * console.log(y.flatten().tolist()); // [0, 2, 1, 3]
 * ```
 */
export function channelShuffle(input: Tensor, groups: number): Tensor {
  return channelShuffleImpl(input, groups, "channelShuffle");
}

/**
 * Shuffles the channels of `(N, C, *)` in `groups` groups (PyTorch's `nn.ChannelShuffle`).
 *
 * @example
 * ```ts
 * import { nn, arange } from "../../mod.ts";
 * const cs = new nn.ChannelShuffle(3);
 * console.log(cs.forward(arange(6).float().reshape(1, 6, 1, 1)).flatten().tolist()); // [0, 2, 4, 1, 3, 5]
 * ```
 */
export class ChannelShuffle extends Module {
  /** The number of groups. */
  groups: number;

  constructor(groups: number) {
    super();
    if (typeof groups !== "number" || !Number.isInteger(groups)) {
      throw new TypeError(`ChannelShuffle: expected groups to be an integer, got ${describe(groups)}`);
    }
    this.groups = groups;
  }

  /** `(N, C, *)` with its channels shuffled. */
  override forward(input: Tensor): Tensor {
    return channelShuffleImpl(input, this.groups, "ChannelShuffle.forward");
  }

  override extraRepr(): string {
    return `groups=${this.groups}`;
  }
}
