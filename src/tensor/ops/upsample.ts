/**
 * N-d resampling (1, 2 and 3 spatial dims; nearest and (bi/tri)linear) on the native kernels
 * of upsample.c, with the backward beside it.
 *
 * @module
 */

import * as kc from "../../backend/conv.ts";
import { recordTwice } from "../../autograd/node.ts";
import { fmt, numelOf } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { checkTensor, contiguousRaw, emptyRaw } from "./util.ts";

/**
 * Resamples the last `outSizes.length` dims of x to `outSizes`. `scales` holds the user's scale
 * factor per dim (0 when the size was given), which PyTorch's index rules use when present.
 */
export function upsample(
  x: Tensor,
  outSizes: readonly number[],
  scales: readonly number[],
  mode: "nearest" | "linear",
  alignCorners: boolean,
  call: string,
): Tensor {
  checkTensor(x, call);
  if (x.dtype !== "float32" && x.dtype !== "float64") {
    throw new TypeError(`${call}: expected a float32 or float64 input, got dtype ${x.dtype}`);
  }
  const rank = outSizes.length;
  const inSizes = x.shape.slice(-rank);
  if (inSizes.some((s) => s === 0) || outSizes.some((s) => s <= 0)) {
    throw new RangeError(
      `${call}: input and output sizes should be greater than 0, but got input ${fmt(inSizes)} and output ${
        fmt(outSizes)
      }`,
    );
  }
  const lead = x.shape.slice(0, x.ndim - rank);
  const g: kc.UpsampleGeometry = { planes: numelOf(lead), inSizes, outSizes, scales };
  const m = mode === "nearest" ? kc.UpsampleMode.NEAREST : kc.UpsampleMode.LINEAR;
  return resample(x, g, m, alignCorners, mode === "nearest" ? "UpsampleNearest" : "UpsampleLinear", call);
}

/**
 * The forward kernel, recorded with the adjoint kernel as its backward. Both are linear, so
 * each one's backward is the other: gradients of any order stay differentiable.
 */
function resample(
  x: Tensor,
  g: kc.UpsampleGeometry,
  m: number,
  alignCorners: boolean,
  name: string,
  call: string,
): Tensor {
  const lead = x.shape.slice(0, x.ndim - g.inSizes.length);
  const xc = contiguousRaw(x, call);
  const out = emptyRaw([...lead, ...g.outSizes], x.dtype);
  kc.upsample(m, alignCorners, g, xc, out, call);
  return recordTwice(`${name}Backward`, out, [x], (grad) => [spread(grad, x.shape, g, m, alignCorners, name, call)]);
}

/** The adjoint kernel (the forward's backward), recorded with the forward as its own backward. */
function spread(
  grad: Tensor,
  shape: readonly number[],
  g: kc.UpsampleGeometry,
  m: number,
  alignCorners: boolean,
  name: string,
  call: string,
): Tensor {
  const gc = contiguousRaw(grad, call);
  const gx = emptyRaw(shape, grad.dtype); // the kernel zeroes each plane before spreading
  kc.upsampleBackward(m, alignCorners, g, gc, gx, call);
  return recordTwice(`${name}BackwardBackward`, gx, [grad], (gg) => [resample(gg, g, m, alignCorners, name, call)]);
}
