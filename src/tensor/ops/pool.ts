/**
 * N-d pooling (1, 2 and 3 spatial dims) on the native kernels of pool.c: max and average over
 * regular, adaptive and fractional windows, and max unpooling, each with its backward beside
 * it. The last `rank` dims are spatial; every leading dim is a plane (batch and channels).
 * Max pooling returns flat int64 indices into each input plane; its backward scatters the
 * gradient through them (dt_scatter), and unpooling is the same scatter forwards.
 *
 * @module
 */

import * as cpu from "../../backend/cpu.ts";
import * as kc from "../../backend/conv.ts";
import { Reduce } from "../../backend/ops.ts";
import { isGradEnabled } from "../../autograd/grad_mode.ts";
import { recordTwice } from "../../autograd/node.ts";
import { fmt, numelOf } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { zeroLink } from "./elementwise.ts";
import { checkTensor, contiguousRaw, emptyRaw, zerosRaw } from "./util.ts";

/** A regular pooling window; one entry per spatial dim. */
export interface PoolWindow {
  kernel: readonly number[];
  stride: readonly number[];
  padding: readonly number[];
  dilation: readonly number[];
}

/**
 * PyTorch's pooling output size along one dim: `floor` (or `ceil` in ceil mode) of
 * `(in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1`, where in ceil mode the last
 * window must start inside the input or its left padding.
 */
export function poolOutputSize(
  size: number,
  kernel: number,
  stride: number,
  pad: number,
  dilation: number,
  ceilMode: boolean,
): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

function checkFloatInput(x: Tensor, rank: number, call: string): void {
  checkTensor(x, call);
  if (x.dtype !== "float32" && x.dtype !== "float64") {
    throw new TypeError(`${call}: expected a float32 or float64 input, got dtype ${x.dtype}`);
  }
  if (x.ndim < rank + 1) {
    throw new RangeError(`${call}: expected an input with at least ${rank + 1} dims, got shape ${fmt(x.shape)}`);
  }
}

const NO_AVG: kc.AvgOptions = { countIncludePad: true, divisorOverride: 0 };

/**
 * `out[p, idx[p, j]] += src[p, j]` over `planes` planes (`lout` values of `src` scattered into
 * planes of `lin`): the max-pool gradient. Differentiable in `src` (its adjoint is the gather
 * below), so a backward with createGraph can differentiate it again.
 */
function scatterPlanes(
  src: Tensor,
  idx: Tensor,
  shape: readonly number[],
  lin: number,
  lout: number,
  name: string,
  call: string,
): Tensor {
  const out = zerosRaw(shape, src.dtype); // scatter-add target
  const planes = lin === 0 ? 0 : numelOf(shape) / lin;
  if (planes > 0 && lout > 0) cpu.scatter(true, out, contiguousRaw(src, call), idx, planes, lin, lout, 1, call);
  return recordTwice(name, out, [src], (g) => [gatherPlanes(g, idx, src.shape, lin, lout, name, call)]);
}

/** `out[p, j] = src[p, idx[p, j]]`: the adjoint of `scatterPlanes` (and the unpooling gradient). */
function gatherPlanes(
  src: Tensor,
  idx: Tensor,
  shape: readonly number[],
  lin: number,
  lout: number,
  name: string,
  call: string,
): Tensor {
  const out = emptyRaw(shape, src.dtype);
  const planes = lin === 0 ? 0 : numelOf(src.shape) / lin;
  if (planes > 0 && lout > 0) cpu.gather(out, contiguousRaw(src, call), idx, planes, lin, lout, 1, call);
  return recordTwice(name, out, [src], (g) => [scatterPlanes(g, idx, src.shape, lin, lout, name, call)]);
}

/**
 * Max-pool gradient: scatter-add of g through the flat indices into each input plane. In a
 * backward with createGraph it is differentiable in g, and linked to x with a zero
 * derivative, as PyTorch's max_pool backward.
 */
function maxBackward(x: Tensor, indices: Tensor, g: Tensor, lin: number, lout: number, name: string, call: string) {
  const gx = scatterPlanes(g, indices, x.shape, lin, lout, `${name}Backward`, call);
  return isGradEnabled() ? zeroLink(gx, x) : gx;
}

/** What the max poolings return: the values, and the indices unless they were not asked for. */
export type MaxResult<I extends boolean> = [Tensor, I extends true ? Tensor : Tensor | null];

/**
 * Shared driver of the max-style poolings: values and indices, with the scatter backward. The
 * indices are computed only when asked for or when the backward needs them (no int64 buffer
 * for inference).
 */
function maxLike<I extends boolean>(
  mode: number,
  x: Tensor,
  g: kc.PoolGeometry,
  samples: Tensor | null,
  wantIndices: I,
  name: string,
  call: string,
): MaxResult<I> {
  const lead = x.shape.slice(0, x.ndim - g.inSizes.length);
  const xc = contiguousRaw(x, call);
  const out = emptyRaw([...lead, ...g.outSizes], x.dtype);
  const needGrad = isGradEnabled() && x.requiresGrad;
  const idx = wantIndices || needGrad ? emptyRaw(out.shape, "int64") : null;
  kc.poolForward(kc.PoolOp.MAX, mode, g, xc, out, idx, samples, NO_AVG, call);
  if (idx !== null) {
    const lin = numelOf(g.inSizes), lout = numelOf(g.outSizes);
    recordTwice(name, out, [x], (grad) => [maxBackward(x, idx, grad, lin, lout, name, call)], [idx]);
  }
  return [out, idx] as MaxResult<I>;
}

/**
 * Average pooling forward as a differentiable op whose backward (`avgBackward`) is its exact
 * adjoint; each is the other's derivative, so every order of derivative goes through the
 * native kernels.
 */
function avgLike(mode: number, x: Tensor, g: kc.PoolGeometry, avg: kc.AvgOptions, name: string, call: string) {
  const lead = x.shape.slice(0, x.ndim - g.inSizes.length);
  const xc = contiguousRaw(x, call);
  const out = emptyRaw([...lead, ...g.outSizes], x.dtype);
  kc.poolForward(kc.PoolOp.AVG, mode, g, xc, out, null, null, avg, call);
  return recordTwice(name, out, [x], (grad) => [avgBackward(mode, grad, g, avg, x.shape, name, call)]);
}

/** The average-pool gradient for output gradient `grad`: linear in `grad`, recorded when it requires grad. */
function avgBackward(
  mode: number,
  grad: Tensor,
  g: kc.PoolGeometry,
  avg: kc.AvgOptions,
  shape: readonly number[],
  name: string,
  call: string,
): Tensor {
  const gc = contiguousRaw(grad, call);
  const gx = emptyRaw(shape, grad.dtype); // the kernel zeroes each plane before spreading
  kc.avgPoolBackward(mode, g, gc, gx, avg, call);
  return recordTwice(`${name}Backward`, gx, [grad], (gg) => [avgLike(mode, gg, g, avg, name, call)]);
}

function planesOf(x: Tensor, rank: number): number {
  return numelOf(x.shape.slice(0, x.ndim - rank));
}

/**
 * Max pooling over the last `win.kernel.length` dims into `outSizes`; returns [values, indices]
 * (indices null when not wanted and not needed for the backward).
 */
export function maxPool<I extends boolean>(
  x: Tensor,
  win: PoolWindow,
  outSizes: readonly number[],
  wantIndices: I,
  call: string,
): MaxResult<I> {
  const rank = win.kernel.length;
  checkFloatInput(x, rank, call);
  const g = { planes: planesOf(x, rank), inSizes: x.shape.slice(-rank), outSizes, ...win };
  return maxLike(kc.PoolMode.WINDOW, x, g, null, wantIndices, "MaxPoolBackward", call);
}

/** Average pooling over the last `win.kernel.length` dims (dilation must be 1). */
export function avgPool(
  x: Tensor,
  win: PoolWindow,
  outSizes: readonly number[],
  countIncludePad: boolean,
  divisorOverride: number,
  call: string,
): Tensor {
  const rank = win.kernel.length;
  checkFloatInput(x, rank, call);
  const g = { planes: planesOf(x, rank), inSizes: x.shape.slice(-rank), outSizes, ...win };
  return avgLike(kc.PoolMode.WINDOW, x, g, { countIncludePad, divisorOverride }, "AvgPoolBackward", call);
}

function adaptiveGeom(x: Tensor, outSizes: readonly number[], call: string): kc.PoolGeometry {
  const rank = outSizes.length;
  checkFloatInput(x, rank, call);
  const inSizes = x.shape.slice(-rank);
  const empty = inSizes.findIndex((s) => s === 0);
  if (empty >= 0) {
    throw new RangeError(
      `${call}: expected input to have non-zero size for non-batch dimensions, but input has sizes ${
        fmt(x.shape)
      } with dimension ${x.ndim - rank + empty} being empty`,
    );
  }
  const ones = outSizes.map(() => 1), zeros = outSizes.map(() => 0);
  return { planes: planesOf(x, rank), inSizes, outSizes, kernel: ones, stride: ones, padding: zeros, dilation: ones };
}

/** Adaptive max pooling of the last `outSizes.length` dims to `outSizes`; returns [values, indices]. */
export function adaptiveMaxPool<I extends boolean>(
  x: Tensor,
  outSizes: readonly number[],
  wantIndices: I,
  call: string,
): MaxResult<I> {
  const g = adaptiveGeom(x, outSizes, call);
  return maxLike(kc.PoolMode.ADAPTIVE, x, g, null, wantIndices, "AdaptiveMaxPoolBackward", call);
}

/** Adaptive average pooling of the last `outSizes.length` dims to `outSizes`. */
export function adaptiveAvgPool(x: Tensor, outSizes: readonly number[], call: string): Tensor {
  const g = adaptiveGeom(x, outSizes, call);
  return avgLike(kc.PoolMode.ADAPTIVE, x, g, NO_AVG, "AdaptiveAvgPoolBackward", call);
}

/**
 * Fractional max pooling (Graham, 2014) of x [N, C, ...spatial] with pool size `kernel`;
 * `samples` [N, C, rank] in x's dtype are PyTorch's `_random_samples` in [0, 1).
 */
export function fractionalMaxPool<I extends boolean>(
  x: Tensor,
  kernel: readonly number[],
  outSizes: readonly number[],
  samples: Tensor,
  wantIndices: I,
  call: string,
): MaxResult<I> {
  const rank = kernel.length;
  checkFloatInput(x, rank, call);
  checkTensor(samples, call, "randomSamples");
  const lead = x.shape.slice(0, x.ndim - rank);
  const want = [...(lead.length === 1 ? [1] : []), ...lead, rank];
  if (samples.dtype !== x.dtype || samples.numel() !== numelOf(want) || samples.shape.at(-1) !== rank) {
    throw new RangeError(
      `${call}: expected randomSamples of shape ${fmt(want)} and dtype ${x.dtype}, got ${samples.dtype} ${
        fmt(samples.shape)
      }`,
    );
  }
  const inSizes = x.shape.slice(-rank);
  inSizes.forEach((s, i) => {
    const names = rank === 2 ? ["height", "width"] : ["time", "height", "width"];
    if (outSizes[i] + kernel[i] - 1 > s) {
      throw new RangeError(
        `${call}: pool ${names[i]} ${kernel[i]} too large relative to input ${names[i]} ${s} for output ${names[i]} ${
          outSizes[i]
        }`,
      );
    }
  });
  const ones = kernel.map(() => 1), zeros = kernel.map(() => 0);
  const g = { planes: planesOf(x, rank), inSizes, outSizes, kernel, stride: ones, padding: zeros, dilation: ones };
  const s = contiguousRaw(samples, call);
  return maxLike(kc.PoolMode.FRACTIONAL, x, g, s, wantIndices, "FractionalMaxPoolBackward", call);
}

/** Min and max of an int64 tensor (no graph). */
function indexRange(idx: Tensor, call: string): [number, number] {
  const flat = contiguousRaw(idx, call);
  const lo = emptyRaw([], "int64"), hi = emptyRaw([], "int64");
  cpu.reduce(Reduce.DT_RED_MIN, lo, flat, 1, idx.numel(), 1, 0, call);
  cpu.reduce(Reduce.DT_RED_MAX, hi, flat, 1, idx.numel(), 1, 0, call);
  return [Number(lo.toArray()[0]), Number(hi.toArray()[0])];
}

/**
 * Max unpooling: x's values written at the flat `indices` of each output plane of size
 * `outSizes` (zeros elsewhere). An index outside the plane is a RangeError, never a write.
 */
export function maxUnpool(x: Tensor, indices: Tensor, outSizes: readonly number[], call: string): Tensor {
  const rank = outSizes.length;
  checkFloatInput(x, rank, call);
  checkTensor(indices, call, "indices");
  if (indices.dtype !== "int64") throw new TypeError(`${call}: expected int64 indices, got dtype ${indices.dtype}`);
  if (indices.ndim !== x.ndim || indices.shape.some((s, i) => s !== x.shape[i])) {
    throw new RangeError(
      `${call}: expected shape of indices to be same as that of the input tensor (${
        fmt(x.shape)
      }) but got indices tensor with shape: ${fmt(indices.shape)}`,
    );
  }
  const lead = x.shape.slice(0, x.ndim - rank);
  const lin = numelOf(x.shape.slice(-rank)), lout = numelOf(outSizes);
  const planes = numelOf(lead);
  if (indices.numel() > 0) {
    const [lo, hi] = indexRange(indices, call);
    if (lo < 0 || hi >= lout) {
      throw new RangeError(
        `${call}: found an invalid max index: ${lo < 0 ? lo : hi} (output volumes are of size ${outSizes.join("x")})`,
      );
    }
  }
  const xc = contiguousRaw(x, call), ic = contiguousRaw(indices, call);
  const out = zerosRaw([...lead, ...outSizes], x.dtype); // zeros where no index points
  if (planes > 0 && lin > 0) cpu.scatter(false, out, xc, ic, planes, lout, lin, 1, call);
  const back = (grad: Tensor) => [gatherPlanes(grad, ic, x.shape, lout, lin, "MaxUnpoolBackwardBackward", call)];
  return recordTwice("MaxUnpoolBackward", out, [x], back, [ic]);
}
