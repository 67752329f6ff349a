/**
 * N-d convolution and transposed convolution (1, 2 and 3 spatial dims) on the native
 * im2col + GEMM kernels, each with its backward beside it. Both ops see one geometry from
 * x-space to y-space (see src/backend/conv.ts): a convolution maps x to y, a transposed
 * convolution maps y back to x, so the three kernels (forward, transpose, weight) serve both.
 *
 * @module
 */

import * as kc from "../../backend/conv.ts";
import { isGradEnabled } from "../../autograd/grad_mode.ts";
import { recordTwice } from "../../autograd/node.ts";
import { fmt, numelOf } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { sum } from "./reduce.ts";
import { checkTensor, contiguousRaw, emptyRaw, zerosRaw } from "./util.ts";

/** Geometry options of a convolution; every list has one entry per spatial dim. */
export interface ConvOptions {
  stride: readonly number[];
  /** Leading (left) padding. */
  padding: readonly number[];
  /** Trailing (right) padding; defaults to `padding` (asymmetric only for padding "same"). */
  paddingEnd?: readonly number[];
  dilation: readonly number[];
  groups: number;
}

/** Options of a transposed convolution. */
export interface ConvTransposeOptions {
  stride: readonly number[];
  padding: readonly number[];
  outputPadding: readonly number[];
  dilation: readonly number[];
  groups: number;
}

const dims = (v: readonly number[]) => `(${v.join(" x ")})`;

/** Checks dtypes and the weight/bias/input agreement shared by both ops. */
function checkOperands(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  groups: number,
  transposed: boolean,
  call: string,
): void {
  checkTensor(x, call);
  checkTensor(weight, call, "weight");
  if (bias !== null) checkTensor(bias, call, "bias");
  if (x.dtype !== "float32" && x.dtype !== "float64") {
    throw new TypeError(`${call}: expected a float32 or float64 input, got dtype ${x.dtype}`);
  }
  for (const [name, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t !== null && t.dtype !== x.dtype) {
      throw new TypeError(
        `${call}: expected input and ${name} to have the same dtype, got ${x.dtype} and ${t.dtype}`,
      );
    }
  }
  if (weight.ndim !== x.ndim) {
    throw new RangeError(
      `${call}: expected a ${x.ndim}-d weight for a ${x.ndim}-d input, got weight of shape ${fmt(weight.shape)}`,
    );
  }
  const cin = x.shape[1];
  if (!transposed && weight.shape[1] * groups !== cin) {
    throw new RangeError(
      `${call}: given groups=${groups}, weight of size ${fmt(weight.shape)}, expected input${fmt(x.shape)} to have ${
        weight.shape[1] * groups
      } channels, but got ${cin} channels instead`,
    );
  }
  if (transposed && weight.shape[0] !== cin) {
    throw new RangeError(
      `${call}: given transposed=1, weight of size ${fmt(weight.shape)}, expected input${fmt(x.shape)} to have ${
        weight.shape[0]
      } channels, but got ${cin} channels instead`,
    );
  }
  if (x.ndim < 3 || x.ndim > 5) {
    throw new RangeError(`${call}: expected 1 to 3 spatial dims, got input of shape ${fmt(x.shape)}`);
  }
  if (cin === 0) throw new RangeError(`${call}: expected an input with at least one channel, got ${fmt(x.shape)}`);
  const lead = weight.shape[0];
  if (lead % groups !== 0 || lead === 0) {
    throw new RangeError(
      `${call}: weight of size ${fmt(weight.shape)} does not split into ${groups} groups along dim 0`,
    );
  }
  const cout = transposed ? weight.shape[1] * groups : weight.shape[0];
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== cout)) {
    throw new RangeError(`${call}: expected bias of shape [${cout}], got ${fmt(bias.shape)}`);
  }
}

// The three kernels of one geometry as differentiable ops, for backwards with createGraph:
// F(x, w) maps x-space to y-space, T(y, w) is its adjoint in x, and W(x, y) is the weight
// gradient, so <F(x, w), y> = <x, T(y, w)> = <w, W(x, y)>. Each one's derivatives are the
// other two, which makes every order of derivative exact for any stride, padding (also
// asymmetric), dilation, groups and output padding the geometry encodes.

/** y = F(x, w): the convolution of geometry `g` (no bias), differentiable any number of times. */
function geoF(g: kc.ConvGeometry, x: Tensor, w: Tensor, call: string): Tensor {
  const y = emptyRaw([g.n, g.cy, ...g.outSizes], x.dtype);
  kc.convForward(g, contiguousRaw(x, call), contiguousRaw(w, call), null, y, call);
  return recordTwice("ConvolutionBackward", y, [x, w], (gy) => [
    x.requiresGrad ? geoT(g, gy, w, call) : null,
    w.requiresGrad ? geoW(g, x, gy, call) : null,
  ], [x, w]);
}

/** x = T(y, w): the transposed convolution of geometry `g` (no bias). */
function geoT(g: kc.ConvGeometry, y: Tensor, w: Tensor, call: string): Tensor {
  const x = emptyRaw([g.n, g.cx, ...g.inSizes], y.dtype);
  kc.convTranspose(g, contiguousRaw(y, call), contiguousRaw(w, call), null, x, call);
  return recordTwice("ConvolutionBackward", x, [y, w], (gx) => [
    y.requiresGrad ? geoF(g, gx, w, call) : null,
    w.requiresGrad ? geoW(g, gx, y, call) : null,
  ], [y, w]);
}

/** gw = W(x, y): the weight gradient of geometry `g` for input x and output gradient y. */
function geoW(g: kc.ConvGeometry, x: Tensor, y: Tensor, call: string): Tensor {
  const gw = zerosRaw([g.cy, g.cx / g.groups, ...g.kernel], x.dtype);
  if (x.numel() > 0 && y.numel() > 0) kc.convWeight(g, contiguousRaw(x, call), contiguousRaw(y, call), gw, call);
  return recordTwice("ConvolutionBackward", gw, [x, y], (ggw) => [
    x.requiresGrad ? geoT(g, y, ggw, call) : null,
    y.requiresGrad ? geoF(g, x, ggw, call) : null,
  ], [x, y]);
}

/**
 * Gradients of a convolution (or, `transposed`, of a transposed convolution) for the output
 * gradient `grad`: the input's through the opposite kernel, the weight's, and the bias's (a
 * channel sum of `grad`). `xc`/`wc` are the contiguous input and weight the forward used. In
 * a backward with createGraph (grad mode on, and `grad`, `x` or `weight` requiring grad) the
 * gradients are the differentiable ops above instead of raw kernel calls.
 */
function grads(
  transposed: boolean,
  g: kc.ConvGeometry,
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  xc: Tensor,
  wc: Tensor,
  grad: Tensor,
  call: string,
): (Tensor | null)[] {
  if (isGradEnabled() && (grad.requiresGrad || x.requiresGrad || weight.requiresGrad)) {
    const spatial = g.kernel.map((_, i) => i + 2);
    return [
      x.requiresGrad ? (transposed ? geoF(g, grad, weight, call) : geoT(g, grad, weight, call)) : null,
      weight.requiresGrad ? (transposed ? geoW(g, grad, x, call) : geoW(g, x, grad, call)) : null,
      bias !== null && bias.requiresGrad ? sum(grad, [0, ...spatial]) : null,
    ];
  }
  const gc = contiguousRaw(grad, call);
  let gx: Tensor | null = null, gw: Tensor | null = null, gb: Tensor | null = null;
  if (x.requiresGrad) {
    gx = emptyRaw(x.shape, x.dtype);
    if (transposed) kc.convForward(g, gc, wc, null, gx, call);
    else kc.convTranspose(g, gc, wc, null, gx, call);
  }
  if (weight.requiresGrad) {
    // An empty batch (or output) has a zero weight gradient; the kernel wants data to read.
    gw = zerosRaw(weight.shape, weight.dtype);
    if (xc.numel() > 0 && gc.numel() > 0) {
      if (transposed) kc.convWeight(g, gc, xc, gw, call);
      else kc.convWeight(g, xc, gc, gw, call);
    }
  }
  if (bias !== null && bias.requiresGrad) {
    const [n, c] = gc.shape;
    gb = emptyRaw([c], bias.dtype);
    kc.convBiasGrad(n, c, numelOf(gc.shape.slice(2)), gc, gb, call);
  }
  return [gx, gw, gb];
}

/**
 * N-d convolution of a batched input x [N, Cin, ...] with weight [Cout, Cin / groups, ...k]
 * and an optional bias [Cout]. Throws a RangeError when the (padded) input is smaller than the
 * (dilated) kernel.
 */
const INT32_MAX = 2147483647;

export function convolution(x: Tensor, weight: Tensor, bias: Tensor | null, o: ConvOptions, call: string): Tensor {
  checkOperands(x, weight, bias, o.groups, false, call);
  const inSizes = x.shape.slice(2), kernel = weight.shape.slice(2);
  const padEnd = o.paddingEnd ?? o.padding;
  const padded = inSizes.map((s, i) => s + o.padding[i] + padEnd[i]);
  const eff = kernel.map((k, i) => o.dilation[i] * (k - 1) + 1);
  if (padded.some((p, i) => p < eff[i])) {
    const anyPad = o.padding.some((p, i) => p + padEnd[i] > 0), anyDil = o.dilation.some((d) => d > 1);
    throw new RangeError(
      `${call}: ${anyPad ? "padded " : ""}input size ${dims(padded)} is smaller than the ${
        anyDil ? "dilated " : ""
      }kernel size ${dims(eff)}`,
    );
  }
  const outSizes = padded.map((p, i) => Math.floor((p - eff[i]) / o.stride[i]) + 1);
  const [n, cin] = x.shape, cout = weight.shape[0];
  // The kernels index with int32 sizes: a padded size or an output past 2^31-1 elements is refused here.
  const outNumel = n * cout * outSizes.reduce((a, b) => a * b, 1);
  if (padded.some((p) => p > INT32_MAX) || outNumel > INT32_MAX) {
    throw new RangeError(
      `${call}: the padded input ${
        dims(padded)
      } or the output (${outNumel} elements) exceeds the 2^31-1 limit of the kernels`,
    );
  }
  const g: kc.ConvGeometry = {
    n,
    cx: cin,
    cy: cout,
    groups: o.groups,
    inSizes,
    outSizes,
    kernel,
    stride: o.stride,
    padding: o.padding,
    dilation: o.dilation,
  };
  const xc = contiguousRaw(x, call), wc = contiguousRaw(weight, call);
  const bc = bias === null ? null : contiguousRaw(bias, call);
  const out = emptyRaw([n, cout, ...outSizes], x.dtype);
  kc.convForward(g, xc, wc, bc, out, call);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  const backward = (grad: Tensor) => grads(false, g, x, weight, bias, xc, wc, grad, call);
  return recordTwice("ConvolutionBackward", out, inputs, backward, [xc, wc]);
}

/**
 * The output sizes of a transposed convolution: `(in - 1) * stride - 2 * padding +
 * dilation * (kernel - 1) + outputPadding + 1` per dim.
 */
export function convTransposeSizes(
  inSizes: readonly number[],
  kernel: readonly number[],
  o: ConvTransposeOptions,
): number[] {
  return inSizes.map((s, i) =>
    (s - 1) * o.stride[i] - 2 * o.padding[i] + o.dilation[i] * (kernel[i] - 1) + o.outputPadding[i] + 1
  );
}

/**
 * N-d transposed convolution of x [N, Cin, ...] with weight [Cin, Cout / groups, ...k] and an
 * optional bias [Cout]: the gradient of a convolution with respect to its input.
 */
export function convTranspose(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  o: ConvTransposeOptions,
  call: string,
): Tensor {
  checkOperands(x, weight, bias, o.groups, true, call);
  const inSizes = x.shape.slice(2), kernel = weight.shape.slice(2);
  const outSizes = convTransposeSizes(inSizes, kernel, o);
  if (outSizes.some((s) => s < 1)) {
    throw new RangeError(
      `${call}: the output size ${dims(outSizes)} computed from input size ${dims(inSizes)} is too small`,
    );
  }
  const [n, cin] = x.shape, cout = weight.shape[1] * o.groups;
  // seen as a convolution from the output (x-space) to this op's input (y-space)
  const g: kc.ConvGeometry = {
    n,
    cx: cout,
    cy: cin,
    groups: o.groups,
    inSizes: outSizes,
    outSizes: inSizes,
    kernel,
    stride: o.stride,
    padding: o.padding,
    dilation: o.dilation,
  };
  const xc = contiguousRaw(x, call), wc = contiguousRaw(weight, call);
  const bc = bias === null ? null : contiguousRaw(bias, call);
  const out = emptyRaw([n, cout, ...outSizes], x.dtype);
  kc.convTranspose(g, xc, wc, bc, out, call);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  const backward = (grad: Tensor) => grads(true, g, x, weight, bias, xc, wc, grad, call);
  return recordTwice("ConvolutionBackward", out, inputs, backward, [xc, wc]);
}
