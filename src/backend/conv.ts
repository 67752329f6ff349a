/**
 * CPU wrappers of the N-d vision kernels of native/src/cpu/conv.c, pool.c and upsample.c: one
 * FFI call each, over contiguous views. Callers (src/tensor/ops/{conv,pool,upsample}.ts)
 * validate shapes and options and allocate every output; these functions only marshal the
 * geometry into one Int32Array and map status codes to exceptions.
 *
 * @module
 */

import { check, native } from "../ffi/mod.ts";
import type { View } from "./cpu.ts";
import { at, floatCode, opt } from "./marshal.ts";

const geomBuf = new Int32Array(64);
const scaleBuf = new Float64Array(3);

function geometry(values: readonly number[]): Int32Array {
  if (values.length > geomBuf.length) throw new RangeError(`denotorch: geometry too long (${values.length})`);
  geomBuf.set(values);
  return geomBuf;
}

/**
 * The geometry of a convolution from x-space to y-space: x [N, Cx, ...inSizes], y [N, Cy,
 * ...outSizes], weight [Cy, Cx / groups, ...kernel]. `padding` is the leading padding per dim.
 */
export interface ConvGeometry {
  n: number;
  cx: number;
  cy: number;
  groups: number;
  inSizes: readonly number[];
  outSizes: readonly number[];
  kernel: readonly number[];
  stride: readonly number[];
  padding: readonly number[];
  dilation: readonly number[];
}

function convGeom(g: ConvGeometry): Int32Array {
  return geometry([
    g.n,
    g.cx,
    g.cy,
    g.groups,
    ...g.inSizes,
    ...g.outSizes,
    ...g.kernel,
    ...g.stride,
    ...g.padding,
    ...g.dilation,
  ]);
}

/** y = W * x (+ bias). */
export function convForward(g: ConvGeometry, x: View, w: View, bias: View | null, y: View, call: string): void {
  const rank = g.kernel.length;
  check(native.dt_conv_forward(floatCode(x, call), rank, convGeom(g), at(x), at(w), opt(bias), at(y)), call);
}

/** x = W^T * y (+ bias): conv's input gradient, ConvTranspose's forward. */
export function convTranspose(g: ConvGeometry, y: View, w: View, bias: View | null, x: View, call: string): void {
  const rank = g.kernel.length;
  check(native.dt_conv_transpose(floatCode(y, call), rank, convGeom(g), at(y), at(w), opt(bias), at(x)), call);
}

/** gw = sum_n y[n] * im2col(x[n])^T. */
export function convWeight(g: ConvGeometry, x: View, y: View, gw: View, call: string): void {
  const rank = g.kernel.length;
  check(native.dt_conv_weight(floatCode(x, call), rank, convGeom(g), at(x), at(y), at(gw)), call);
}

/** gb[c] = sum over n, l of y[n, c, l]. */
export function convBiasGrad(n: number, c: number, l: number, y: View, gb: View, call: string): void {
  check(native.dt_conv_bias_grad(floatCode(y, call), n, c, l, at(y), at(gb)), call);
}

/** Pooling ops and window modes of dt_pool_forward. */
export const PoolOp = { MAX: 0, AVG: 1 } as const;
/** Window modes: regular (kernel/stride/padding/dilation), adaptive, fractional. */
export const PoolMode = { WINDOW: 0, ADAPTIVE: 1, FRACTIONAL: 2 } as const;

/** Pooling geometry over contiguous [planes, ...inSizes] -> [planes, ...outSizes]. */
export interface PoolGeometry {
  planes: number;
  inSizes: readonly number[];
  outSizes: readonly number[];
  kernel: readonly number[];
  stride: readonly number[];
  padding: readonly number[];
  dilation: readonly number[];
}

function poolGeom(g: PoolGeometry): Int32Array {
  return geometry([g.planes, ...g.inSizes, ...g.outSizes, ...g.kernel, ...g.stride, ...g.padding, ...g.dilation]);
}

/** Options of average pooling. */
export interface AvgOptions {
  countIncludePad: boolean;
  divisorOverride: number;
}

/** Max (with int64 indices) or average pooling forward. */
export function poolForward(
  op: number,
  mode: number,
  g: PoolGeometry,
  x: View,
  y: View,
  indices: View | null,
  samples: View | null,
  avg: AvgOptions,
  call: string,
): void {
  check(
    native.dt_pool_forward(
      op,
      mode,
      floatCode(x, call),
      g.inSizes.length,
      poolGeom(g),
      at(x),
      at(y),
      opt(indices),
      opt(samples),
      avg.countIncludePad ? 1 : 0,
      avg.divisorOverride,
    ),
    call,
  );
}

/** Average pooling backward: gx from gy. */
export function avgPoolBackward(mode: number, g: PoolGeometry, gy: View, gx: View, avg: AvgOptions, call: string) {
  check(
    native.dt_pool_avg_backward(
      mode,
      floatCode(gy, call),
      g.inSizes.length,
      poolGeom(g),
      at(gy),
      at(gx),
      avg.countIncludePad ? 1 : 0,
      avg.divisorOverride,
    ),
    call,
  );
}

/** Upsampling modes of dt_upsample. */
export const UpsampleMode = { NEAREST: 0, LINEAR: 1 } as const;

/** Resampling geometry over contiguous [planes, ...inSizes] -> [planes, ...outSizes]. */
export interface UpsampleGeometry {
  planes: number;
  inSizes: readonly number[];
  outSizes: readonly number[];
  /** The user's scale factor per dim, or 0 when sizes were given. */
  scales: readonly number[];
}

function upArgs(g: UpsampleGeometry): [number, Int32Array, Float64Array] {
  scaleBuf.fill(0);
  scaleBuf.set(g.scales);
  return [g.inSizes.length, geometry([g.planes, ...g.inSizes, ...g.outSizes]), scaleBuf];
}

/** Nearest or linear resampling forward. */
export function upsample(mode: number, alignCorners: boolean, g: UpsampleGeometry, x: View, y: View, call: string) {
  const [rank, geom, scales] = upArgs(g);
  check(native.dt_upsample(mode, alignCorners ? 1 : 0, floatCode(x, call), rank, geom, scales, at(x), at(y)), call);
}

/** Resampling backward: gx from gy. */
export function upsampleBackward(
  mode: number,
  alignCorners: boolean,
  g: UpsampleGeometry,
  gy: View,
  gx: View,
  call: string,
) {
  const [rank, geom, scales] = upArgs(g);
  check(
    native.dt_upsample_backward(mode, alignCorners ? 1 : 0, floatCode(gy, call), rank, geom, scales, at(gy), at(gx)),
    call,
  );
}
