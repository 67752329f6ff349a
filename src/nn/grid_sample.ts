/**
 * Spatial transformer sampling: `gridSample` (bilinear, nearest and bicubic; zeros, border and
 * reflection padding), `affineGrid`, and the bicubic resampling behind `interpolate`'s mode
 * "bicubic". Everything is composed of differentiable tensor ops (gather, where, mul/add), so
 * autograd gives the input and grid gradients; the coordinate transform (unnormalize, clip,
 * reflect) is computed without history and re-attached to the grid with PyTorch's own gradient
 * multiplier (borders count as out of bounds, reflections flip the sign).
 *
 * 4-d inputs follow PyTorch 1.13's vectorized CPU kernel (NaN coordinates are clipped to 0 by
 * border/reflection padding), 5-d inputs its scalar kernel (NaN clips to size - 1, non-finite
 * coordinates of zeros padding sample nothing).
 *
 * @module
 */

import type { Tensor } from "../tensor/mod.ts";
import { tensor, zeros } from "../tensor/create.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { recordTwice } from "../autograd/node.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { matmul } from "../tensor/ops/linalg.ts";
import { indexSelect } from "../tensor/ops/indexing.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { reshape, select, unsqueeze } from "../tensor/ops/view.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { checkOptions } from "./linear.ts";

/** Interpolation of `gridSample`. */
export type GridSampleMode = "bilinear" | "nearest" | "bicubic";
/** Padding of `gridSample` for grid locations outside the input. */
export type GridSamplePaddingMode = "zeros" | "border" | "reflection";

/** Options of `gridSample`. */
export interface GridSampleOptions {
  /** "bilinear" (default), "nearest" or "bicubic" (4-d input only). */
  mode?: GridSampleMode;
  /** "zeros" (default), "border" or "reflection". */
  paddingMode?: GridSamplePaddingMode;
  /** -1 and 1 are the centers of the corner pixels (true) or their outer edges (false, default). */
  alignCorners?: boolean | null;
}

/** Options of `affineGrid`. */
export interface AffineGridOptions {
  /** As in `gridSample` (default false). */
  alignCorners?: boolean | null;
}

type Pad = GridSamplePaddingMode;
/** A coordinate without history and the gradient multiplier that leads back to the grid. */
interface Coord {
  v: Tensor;
  m: Tensor | number;
}

const ONE = 1;

function notNan(c: Tensor): Tensor {
  return E.logicalNot(E.isnan(c));
}

/** PyTorch's clip_coordinates value; NaN goes to 0 (vectorized 4-d kernel) or size - 1 (5-d). */
function clip(c: Tensor, size: number, nanTo: number): Tensor {
  return E.where(notNan(c), E.clamp(c, 0, size - 1), nanTo);
}

/** clip_coordinates_get_grad: 1 strictly inside (0, size - 1) and for NaN, 0 on and beyond the borders. */
function clipGrad(c: Tensor, size: number): Tensor {
  return E.logicalNot(E.logical("or", E.compare("le", c, 0), E.compare("ge", c, size - 1)));
}

/** reflect_coordinates(_get_grad) of the vectorized 4-d kernel. */
function reflect2(c: Tensor, size: number, ac: boolean): Coord {
  if (ac && size <= 1) return { v: E.mul(c, 0), m: 0 };
  const low = ac ? 0 : -0.5, span2 = ac ? 2 * (size - 1) : 2 * size;
  const inl = ac ? c : E.sub(c, low);
  const a = E.abs(inl);
  const extra = E.sub(a, E.mul(E.trunc(E.div(a, span2)), span2));
  const refl = E.add(E.neg(extra), span2);
  let v = E.minimum(extra, refl);
  if (!ac) v = E.add(v, low);
  const flip = E.logical("xor", E.compare("gt", extra, refl), E.compare("lt", inl, 0));
  return { v, m: E.where(flip, -1, ONE) };
}

/** reflect_coordinates(_set_grad) of the scalar 5-d kernel. */
function reflect3(c: Tensor, size: number, ac: boolean): Coord {
  if (ac && size <= 1) return { v: E.mul(c, 0), m: 0 };
  const min = ac ? 0 : -0.5, span = ac ? size - 1 : size;
  const d = E.sub(c, min);
  const a = E.abs(d);
  const extra = E.fmod(a, span);
  const even = E.compare("eq", E.remainder(E.floor(E.div(a, span)), 2), 0);
  const v = E.where(even, E.add(extra, min), E.add(E.add(E.neg(extra), span), min));
  const sign = E.logical("xor", E.logicalNot(even), E.compare("lt", d, 0));
  return { v, m: E.where(sign, -1, ONE) };
}

/** grid_sampler_unnormalize (4-d: the vectorized kernel's `(g + 1) * s - 0.5`). */
function unnormalize(g: Tensor, size: number, ac: boolean, rank: number): Tensor {
  if (rank === 2) {
    const g1 = E.add(g, 1);
    if (ac) return E.mul(g1, (size - 1) / 2);
    // PyTorch's build fuses `(g + 1) * s - 0.5` into one FMA: float32 rounds once, from float64
    // (where the product and the difference are exact).
    if (g.dtype === "float32") return E.sub(E.mul(g1.to("float64"), size / 2), 0.5).to("float32");
    return E.sub(E.mul(g1, size / 2), 0.5);
  }
  return ac ? E.mul(E.div(E.add(g, 1), 2), size - 1) : E.div(E.sub(E.mul(E.add(g, 1), size), 1), 2);
}

/** grid_sampler_compute_source_index with its gradient multiplier, without history. */
function sourceIndex(g: Tensor, size: number, pad: Pad, ac: boolean, rank: number): Coord {
  const scale = ac ? (size - 1) / 2 : size / 2;
  let v = unnormalize(g, size, ac, rank);
  let m: Tensor | number = scale;
  const nanTo = rank === 2 ? 0 : size - 1;
  if (pad === "border") {
    m = E.mul(E.castBack(clipGrad(v, size), g.dtype, "gridSample"), scale);
    v = clip(v, size, nanTo);
  } else if (pad === "reflection") {
    const r = rank === 2 ? reflect2(v, size, ac) : reflect3(v, size, ac);
    m = E.mul(E.mul(E.castBack(clipGrad(r.v, size), g.dtype, "gridSample"), r.m), scale);
    v = clip(r.v, size, nanTo);
  }
  if (rank === 3) {
    // safe_downgrade_to_int_range: non-finite or out-of-int coordinates become -100.
    const ok = E.logical(
      "and",
      E.compare("lt", E.abs(v), Infinity),
      E.logical("and", E.compare("le", v, 2147483646), E.compare("ge", v, -2147483648)),
    );
    v = E.where(ok, v, -100);
  }
  return { v, m };
}

/** Attaches a coordinate computed without history to the grid component `g`. */
function attach(g: Tensor, c: Coord): Tensor {
  const m = c.m;
  return recordTwice("GridSamplerCoordBackward", c.v, [g], (gr) => [E.mul(gr, m)]);
}

/** `x > -1 && x < size` (false for NaN and for values no integer type holds). */
function inRange(x: Tensor, size: number): Tensor {
  return E.logical("and", E.compare("gt", x, -1), E.compare("lt", x, size));
}

/** The flat offset `(c0 * size1 + c1) * size2 + c2...` of integral coordinates, in float64 (exact past 2^24). */
function lin(coords: Tensor[], sizes: number[]): Tensor {
  const f64 = (t: Tensor) => (t.dtype === "float64" ? t : t.to("float64"));
  let acc = f64(coords[0]);
  for (let i = 1; i < coords.length; i++) acc = E.add(E.mul(acc, sizes[i]), f64(coords[i]));
  return acc;
}

/** Gathers `flat` (N, C, L) at the flat positions `idx` (N, P) where `mask` holds, 0 elsewhere. */
function take(flat: Tensor, idx: Tensor, mask: Tensor | null): Tensor {
  const [n, ch] = flat.shape;
  const p = idx.shape[1];
  const safe = noGrad(() => (mask ? E.where(mask, idx, 0) : idx).long());
  const v = flat.gather(2, unsqueeze(safe, 1).expand(n, ch, p));
  return mask ? E.where(unsqueeze(mask, 1), v, 0) : v;
}

function and(a: Tensor, b: Tensor): Tensor {
  return E.logical("and", a, b);
}

function sample2d(x: Tensor, grid: Tensor, mode: GridSampleMode, pad: Pad, ac: boolean): Tensor {
  const [n, ch, h, w] = x.shape;
  const [, ho, wo] = grid.shape;
  const flat = reshape(x, [n, ch, h * w]);
  const g = reshape(grid, [n, ho * wo, 2]);
  const gx = select(g, 2, 0), gy = select(g, 2, 1);
  const zerosPad = pad === "zeros";
  let out: Tensor;
  if (mode === "bicubic") {
    const cx = attach(gx, { v: noGrad(() => unnormalize(gx, w, ac, 2)), m: ac ? (w - 1) / 2 : w / 2 });
    const cy = attach(gy, { v: noGrad(() => unnormalize(gy, h, ac, 2)), m: ac ? (h - 1) / 2 : h / 2 });
    const ix = noGrad(() => E.floor(cx)), iy = noGrad(() => E.floor(cy));
    const kx = cubicCoefficients(E.sub(cx, ix)), ky = cubicCoefficients(E.sub(cy, iy));
    const tap = (base: Tensor, k: number, size: number) =>
      noGrad(() => {
        const t = E.add(base, k);
        if (pad === "border") return E.trunc(clip(t, size, 0));
        if (pad === "reflection") return E.trunc(clip(reflect2(t, size, ac).v, size, 0));
        return E.trunc(t);
      });
    const xs = [-1, 0, 1, 2].map((k) => tap(ix, k, w)), ys = [-1, 0, 1, 2].map((k) => tap(iy, k, h));
    const rows = ys.map((yy) => {
      const vals = xs.map((xx) =>
        noGrad(() => ({
          idx: lin([yy, xx], [h, w]),
          mask: zerosPad ? and(inRange(xx, w), inRange(yy, h)) : null,
        }))
      ).map(({ idx, mask }) => take(flat, idx, mask));
      return sum4(vals.map((v, j) => E.mul(unsqueeze(kx[j], 1), v)));
    });
    out = sum4(rows.map((r, i) => E.mul(unsqueeze(ky[i], 1), r)));
  } else {
    const sx = noGrad(() => sourceIndex(gx, w, pad, ac, 2)), sy = noGrad(() => sourceIndex(gy, h, pad, ac, 2));
    if (mode === "nearest") {
      const { idx, mask } = noGrad(() => {
        const rx = E.round(sx.v), ry = E.round(sy.v);
        return { idx: lin([ry, rx], [h, w]), mask: zerosPad ? and(inRange(rx, w), inRange(ry, h)) : null };
      });
      out = zeroGradTo(take(flat, idx, mask), grid);
    } else {
      const cx = attach(gx, sx), cy = attach(gy, sy);
      const x0 = noGrad(() => E.floor(cx)), y0 = noGrad(() => E.floor(cy));
      const we = E.sub(cx, x0), ns = E.sub(cy, y0);
      const ea = E.add(E.neg(we), 1), so = E.add(E.neg(ns), 1);
      const corner = (dx: number, dy: number, wgt: Tensor) => {
        const { idx, mask } = noGrad(() => {
          const xx = E.add(x0, dx), yy = E.add(y0, dy);
          const mx = zerosPad ? inRange(xx, w) : dx ? E.compare("lt", xx, w) : null;
          const my = zerosPad ? inRange(yy, h) : dy ? E.compare("lt", yy, h) : null;
          return { idx: lin([yy, xx], [h, w]), mask: mx && my ? and(mx, my) : mx ?? my };
        });
        return E.mul(take(flat, idx, mask), unsqueeze(wgt, 1));
      };
      out = sum4([
        corner(0, 0, E.mul(so, ea)),
        corner(1, 0, E.mul(so, we)),
        corner(0, 1, E.mul(ns, ea)),
        corner(1, 1, E.mul(ns, we)),
      ]);
    }
  }
  return reshape(out, [n, ch, ho, wo]);
}

function sample3d(x: Tensor, grid: Tensor, mode: GridSampleMode, pad: Pad, ac: boolean): Tensor {
  const [n, ch, d, h, w] = x.shape;
  const [, dO, hO, wO] = grid.shape;
  const flat = reshape(x, [n, ch, d * h * w]);
  const g = reshape(grid, [n, dO * hO * wO, 3]);
  const comps = [0, 1, 2].map((i) => select(g, 2, i));
  const sizes = [w, h, d];
  const src = comps.map((c, i) => noGrad(() => sourceIndex(c, sizes[i], pad, ac, 3)));
  const offset = (xx: Tensor, yy: Tensor, zz: Tensor) => lin([zz, yy, xx], [d, h, w]);
  const bounds = (v: Tensor[]) => and(and(inRange(v[0], w), inRange(v[1], h)), inRange(v[2], d));
  let out: Tensor;
  if (mode === "nearest") {
    const { idx, mask } = noGrad(() => {
      // the scalar 5-d kernel rounds halves away from zero (std::round), unlike the 4-d one
      const r = src.map((s) => E.mul(E.sign(s.v), E.floor(E.add(E.abs(s.v), 0.5))));
      return { idx: offset(r[0], r[1], r[2]), mask: bounds(r) };
    });
    out = zeroGradTo(take(flat, idx, mask), grid);
  } else {
    const c = comps.map((cc, i) => attach(cc, src[i]));
    const lo = c.map((t) => noGrad(() => E.floor(t)));
    const hi = lo.map((t) => noGrad(() => E.add(t, 1)));
    // weights of the low and high neighbour per axis, as (hi - c) and (c - lo)
    const wts = c.map((t, i) => [E.sub(hi[i], t), E.sub(t, lo[i])]);
    const terms: Tensor[] = [];
    for (const dz of [0, 1]) {
      for (const dy of [0, 1]) {
        for (const dx of [0, 1]) {
          const pos = [dx ? hi[0] : lo[0], dy ? hi[1] : lo[1], dz ? hi[2] : lo[2]];
          const { idx, mask } = noGrad(() => ({ idx: offset(pos[0], pos[1], pos[2]), mask: bounds(pos) }));
          const wgt = E.mul(E.mul(wts[0][dx], wts[1][dy]), wts[2][dz]);
          terms.push(E.mul(take(flat, idx, mask), unsqueeze(wgt, 1)));
        }
      }
    }
    out = terms.reduce((a, b) => E.add(a, b));
  }
  return reshape(out, [n, ch, dO, hO, wO]);
}

function sum4(ts: Tensor[]): Tensor {
  return ts.reduce((a, b) => E.add(a, b));
}

/** Nearest sampling has a zero grid gradient in PyTorch (not a missing one). */
function zeroGradTo(out: Tensor, grid: Tensor): Tensor {
  if (!grid.requiresGrad) return out;
  const z = recordTwice("ZeroGridBackward", zeros([...out.shape], { dtype: out.dtype }), [grid], () => [
    zeros([...grid.shape], { dtype: grid.dtype }),
  ]);
  return E.add(out, z);
}

/** The cubic convolution weights (A = -0.75) of the taps at -1, 0, 1, 2 for offsets `t` in [0, 1). */
function cubicCoefficients(t: Tensor): Tensor[] {
  const a = -0.75;
  const far = (x: Tensor) => E.sub(E.mul(E.add(E.mul(E.sub(E.mul(x, a), 5 * a), x), 8 * a), x), 4 * a);
  const near = (x: Tensor) => E.add(E.mul(E.mul(E.sub(E.mul(x, a + 2), a + 3), x), x), 1);
  const u = E.add(E.neg(t), 1);
  return [far(E.add(t, 1)), near(t), near(u), far(E.add(E.neg(t), 2))];
}

function checkFloat(t: Tensor, call: string, name: string): void {
  if (t.dtype !== "float32" && t.dtype !== "float64") {
    throw new TypeError(`${call}: expected ${name} to be a float32 or float64 tensor, got ${t.dtype}`);
  }
}

function checkBool(v: unknown, call: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw new TypeError(`${call}: expected alignCorners to be a boolean, got ${describe(v)}`);
  return v;
}

/**
 * Samples `input` `(N, C, H, W)` (or `(N, C, D, H, W)`) at the normalized locations of `grid`
 * `(N, Ho, Wo, 2)` (or `(N, Do, Ho, Wo, 3)`; x, y(, z) in [-1, 1]), as PyTorch's
 * `F.grid_sample`. Gradients reach the input and the grid (the nearest mode's grid gradient is
 * zero). Mode "bicubic" takes 4-d input only.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const x = tensor([[[[1, 2], [3, 4]]]]);
 * const grid = tensor([[[[-1, -1], [0, 0], [1, 1]]]]);
 * const y = nn.functional.gridSample(x, grid, { alignCorners: true });
 * console.log(y.flatten().tolist()); // [1, 2.5, 4]
 * ```
 */
export function gridSample(input: Tensor, grid: Tensor, opts?: GridSampleOptions): Tensor {
  const call = "gridSample";
  const o = checkOptions<GridSampleOptions>(opts, call, ["mode", "paddingMode", "alignCorners"]);
  const x = checkTensor(input, call), g = checkTensor(grid, call, "grid");
  const mode = o.mode ?? "bilinear", pad = o.paddingMode ?? "zeros";
  if (!["bilinear", "nearest", "bicubic"].includes(mode)) {
    throw new TypeError(`${call}: expected mode to be "bilinear", "nearest" or "bicubic", got ${describe(mode)}`);
  }
  if (!["zeros", "border", "reflection"].includes(pad)) {
    throw new TypeError(
      `${call}: expected paddingMode to be "zeros", "border" or "reflection", got ${describe(pad)}`,
    );
  }
  const ac = checkBool(o.alignCorners, call);
  checkFloat(x, call, "input");
  checkFloat(g, call, "grid");
  if (x.dtype !== g.dtype) {
    throw new TypeError(`${call}: expected input and grid to have the same dtype, got ${x.dtype} and ${g.dtype}`);
  }
  if (x.ndim !== 4 && x.ndim !== 5) {
    throw new RangeError(`${call}: expected 4-d or 5-d input, got shape ${fmt(x.shape)}`);
  }
  if (g.ndim !== x.ndim) {
    throw new RangeError(
      `${call}: expected ${x.ndim}-d input and grid with the same number of dimensions, got input of shape ${
        fmt(x.shape)
      } and grid of shape ${fmt(g.shape)}`,
    );
  }
  const rank = x.ndim - 2;
  if (g.shape[0] !== x.shape[0]) {
    throw new RangeError(
      `${call}: expected grid and input to have the same batch size, got input of shape ${
        fmt(x.shape)
      } and grid of shape ${fmt(g.shape)}`,
    );
  }
  if (g.shape[x.ndim - 1] !== rank) {
    throw new RangeError(
      `${call}: expected grid to have size ${rank} in the last dimension, got grid of shape ${fmt(g.shape)}`,
    );
  }
  for (let i = 2; i < x.ndim; i++) {
    if (x.shape[i] === 0) {
      throw new RangeError(
        `${call}: expected input to have non-empty spatial dimensions, got shape ${
          fmt(x.shape)
        } (dimension ${i} is empty)`,
      );
    }
  }
  if (mode === "bicubic" && rank !== 2) {
    throw new RangeError(`${call}: bicubic interpolation only supports 4-d input, got shape ${fmt(x.shape)}`);
  }
  return rank === 2 ? sample2d(x, g, mode, pad, ac) : sample3d(x, g, mode, pad, ac);
}

/** `linspace(-1, 1, n)` (scaled by (n - 1) / n without aligned corners) as PyTorch computes it. */
function baseCoords(n: number, ac: boolean, f32: boolean): number[] {
  if (n <= 1) return [0];
  const r = f32 ? Math.fround : (v: number) => v;
  const step = r(2 / (n - 1));
  const half = Math.floor(n / 2);
  return Array.from({ length: n }, (_, i) => {
    const v = i < half ? r(-1 + r(step * i)) : r(1 - r(step * (n - 1 - i)));
    return ac ? v : r(r(v * (n - 1)) / n);
  });
}

/**
 * The sampling grid of the affine maps `theta` (`(N, 2, 3)` for `size = [N, C, H, W]`,
 * `(N, 3, 4)` for `[N, C, D, H, W]`), as PyTorch's `F.affine_grid`: `(N, H, W, 2)` or
 * `(N, D, H, W, 3)` normalized coordinates for `gridSample`. Differentiable in `theta`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const theta = tensor([[[1, 0, 0], [0, 1, 0]]]);
 * const grid = nn.functional.affineGrid(theta, [1, 1, 1, 2], { alignCorners: true });
 * console.log(grid.flatten().tolist()); // [-1, 0, 1, 0]
 * ```
 */
export function affineGrid(theta: Tensor, size: readonly number[], opts?: AffineGridOptions): Tensor {
  const call = "affineGrid";
  const o = checkOptions<AffineGridOptions>(opts, call, ["alignCorners"]);
  const t = checkTensor(theta, call, "theta");
  const ac = checkBool(o.alignCorners, call);
  if (t.dtype !== "float32" && t.dtype !== "float64") {
    throw new TypeError(`${call}: expected theta to have a floating point dtype, got ${t.dtype}`);
  }
  if (!Array.isArray(size) || size.some((v) => typeof v !== "number" || !Number.isInteger(v))) {
    throw new TypeError(`${call}: expected size to be an array of integers, got ${describe(size)}`);
  }
  if (size.length !== 4 && size.length !== 5) {
    throw new RangeError(
      `${call}: only 4-d and 5-d sizes are supported (2-d and 3-d transforms), got size ${fmt(size)}`,
    );
  }
  const rank = size.length - 2;
  if (t.ndim !== 3 || t.shape[1] !== rank || t.shape[2] !== rank + 1) {
    throw new RangeError(
      `${call}: expected a batch of ${rank}-d affine matrices of shape [N, ${rank}, ${rank + 1}] for size ${
        fmt(size)
      }, got theta of shape ${fmt(t.shape)}`,
    );
  }
  if (size.some((v) => v <= 0)) throw new RangeError(`${call}: expected a positive output size, got ${fmt(size)}`);
  if (size[0] !== t.shape[0]) {
    throw new RangeError(`${call}: expected theta to hold size[0] = ${size[0]} matrices, got ${t.shape[0]}`);
  }
  const spatial = size.slice(2); // [H, W] or [D, H, W]
  const cells = spatial.reduce((a, b) => a * b, 1);
  if (Math.max(size[0] * cells * rank, cells * (rank + 1)) > 0x7fffffff) {
    throw new RangeError(`${call}: a grid of size ${fmt(size)} exceeds the 2^31-1 elements supported`);
  }
  const f32 = t.dtype === "float32";
  const axes = spatial.map((s) => baseCoords(s, ac, f32)).reverse(); // x (W) first
  const count = spatial.reduce((a, b) => a * b, 1);
  const base = new Float64Array(count * (rank + 1));
  const dims = [...spatial].reverse();
  for (let p = 0; p < count; p++) {
    let r = p;
    for (let k = 0; k < rank; k++) {
      base[p * (rank + 1) + k] = axes[k][r % dims[k]];
      r = Math.floor(r / dims[k]);
    }
    base[p * (rank + 1) + rank] = 1;
  }
  const bt = tensor(base, { shape: [count, rank + 1] }).to(t.dtype);
  const out = matmul(bt, t.transpose(1, 2)); // (N, count, rank)
  return reshape(out, [size[0], ...spatial, rank]);
}

/**
 * Bicubic resampling of `(N, C, H, W)` to `outSizes` (PyTorch's `upsample_bicubic2d`: the
 * A = -0.75 cubic convolution, taps clamped to the border), used by `interpolate`.
 * @internal
 */
export function upsampleBicubic(x: Tensor, outSizes: number[], scales: number[], ac: boolean): Tensor {
  let y = x;
  for (let d = 1; d >= 0; d--) {
    const inS = x.shape[2 + d], outS = outSizes[d];
    // float32 inputs: PyTorch computes the scale and the source index in float (one FMA)
    const r = x.dtype === "float32" ? Math.fround : (v: number) => v;
    const scale = r(ac ? (outS > 1 ? (inS - 1) / (outS - 1) : 0) : scales[d] > 0 ? 1 / scales[d] : inS / outS);
    const idx = [0, 1, 2, 3].map(() => new BigInt64Array(outS));
    const wts = [0, 1, 2, 3].map(() => new Float64Array(outS));
    for (let o = 0; o < outS; o++) {
      const real = r(ac ? scale * o : scale * (o + 0.5) - 0.5);
      const i0 = Math.floor(real);
      const t = real - i0;
      const a = -0.75;
      const far = (v: number) => ((a * v - 5 * a) * v + 8 * a) * v - 4 * a;
      const near = (v: number) => ((a + 2) * v - (a + 3)) * v * v + 1;
      const c = [far(t + 1), near(t), near(1 - t), far(2 - t)];
      for (let j = 0; j < 4; j++) {
        idx[j][o] = BigInt(Math.max(0, Math.min(inS - 1, i0 - 1 + j)));
        wts[j][o] = c[j];
      }
    }
    const dim = 2 + d;
    const terms = idx.map((ix, j) => {
      const wt = tensor(wts[j], { shape: d === 0 ? [outS, 1] : [outS] }).to(x.dtype);
      return E.mul(indexSelect(y, dim, tensor(ix)), wt);
    });
    y = sum4(terms);
  }
  return y;
}
