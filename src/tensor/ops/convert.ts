/**
 * Copies, dtype/device conversion, fills and random fills.
 *
 * @module
 */

import * as cpu from "../../backend/cpu.ts";
import { checkScalarFits, type DType, isDType, isFloat } from "../../backend/dtype.ts";
import { Unary } from "../../backend/ops.ts";
import { recordTwice } from "../../autograd/node.ts";
import { isGradEnabled as isGradEnabledNow } from "../../autograd/grad_mode.ts";
import { broadcastShapes, broadcastStrides, describe, fmt, numelOf } from "../shape.ts";
import type { Device, Tensor } from "../tensor.ts";
import { castRaw, checkTensor, emptyLike, emptyRaw } from "./util.ts";
import { nextRandom } from "../random.ts";
import * as E from "./elementwise.ts";

/** A contiguous, differentiable copy. */
export function clone(t: Tensor): Tensor {
  t._live("Tensor.clone");
  const out = emptyLike(t, t.dtype);
  cpu.copy(out, t, "Tensor.clone");
  return recordTwice("CloneBackward", out, [t], (g) => [g]);
}

/** Converts to the dtype of a float tensor, keeping the graph. */
function castGrad(t: Tensor, dtype: DType): Tensor {
  const out = castRaw(t, dtype, "Tensor.to");
  if (!isFloat(dtype)) return out;
  return recordTwice("ToCopyBackward", out, [t], (g) => [E.castBack(g, t.dtype, "Tensor.to")]);
}

/** The error for a CUDA request in a CPU-only build. */
export function noCuda(call: string, device: string): Error {
  return new Error(
    `${call}: cannot move to ${device}: this libdenotorch was built without CUDA. ` +
      "Rebuild with `cmake -S native -B native/build -DDT_CUDA=ON` on a machine with the CUDA toolkit.",
  );
}

/** Implements `Tensor.to(dtype | device | tensor | {dtype, device})`. */
export function to(t: Tensor, target: DType | Device | Tensor | { dtype?: DType; device?: Device }): Tensor {
  t._live("Tensor.to");
  let dtype: DType | undefined, device: string | undefined;
  if (typeof target === "string") {
    if (isDType(target)) dtype = target;
    else device = target;
  } else if (target && typeof target === "object" && (target as Tensor)._isTensor) {
    dtype = (target as Tensor).dtype;
    device = (target as Tensor).device;
  } else if (target && typeof target === "object") {
    dtype = (target as { dtype?: DType }).dtype;
    device = (target as { device?: Device }).device;
    if (dtype !== undefined && !isDType(dtype)) {
      throw new TypeError(`Tensor.to: unknown dtype ${describe(dtype)}`);
    }
  } else {
    throw new TypeError(`Tensor.to: expected a dtype, a device, a tensor or {dtype, device}, got ${describe(target)}`);
  }
  if (device !== undefined && device !== "cpu") {
    if (/^cuda(:\d+)?$/.test(device)) throw noCuda("Tensor.to", device);
    throw new TypeError(`Tensor.to: unknown device ${describe(device)}; expected "cpu" or "cuda:N"`);
  }
  if (dtype === undefined || dtype === t.dtype) return t;
  return castGrad(t, dtype);
}

/** Fills every element of `t` with `value` in place. */
export function fill_<T extends Tensor>(t: T, value: number, call: string): T {
  t._live(call);
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new TypeError(`${call}: expected a number, got ${describe(value)}`);
  }
  checkInplaceLeaf(t, call);
  checkScalarFits(Number(value), t.dtype, call);
  if (needsGraph(t)) {
    // Recorded like any in-place op: the filled tensor's gradient to its old value is 0.
    return E.inplace(t, call, (x) => E.where(allTrue(x.shape), Number(value), x), []);
  }
  if (t.dtype === "float16") {
    const full = emptyRaw(t.shape, "float32");
    cpu.unary(Unary.DT_FILL, full, full, Number(value), 0, call);
    cpu.copy(t, full, call);
  } else cpu.unary(Unary.DT_FILL, t, t, Number(value), 0, call);
  t._bumpVersion();
  return t;
}

/** Copies `src` into `t`, broadcasting and converting. */
export function copy_<T extends Tensor>(t: T, src: Tensor): T {
  t._live("Tensor.copy_");
  checkTensor(src, "Tensor.copy_", "src");
  const shape = broadcastShapes(src.shape, t.shape, "Tensor.copy_");
  if (shape.length !== t.ndim || shape.some((d, i) => d !== t.shape[i])) {
    throw new RangeError(`Tensor.copy_: cannot broadcast src of shape ${fmt(src.shape)} to ${fmt(t.shape)}`);
  }
  checkInplaceLeaf(t, "Tensor.copy_");
  if (needsGraph(t, src)) {
    // CopyBackwards: the gradient goes to src (summed over broadcast dims), none to t's old value.
    return E.inplace(t, "Tensor.copy_", (x) => E.where(allTrue(x.shape), src, x), [src]);
  }
  const view = {
    _storage: src._storage,
    dtype: src.dtype,
    _offset: src._offset,
    shape: t.shape,
    strides: broadcastStrides(src.shape, src.strides, t.shape),
  };
  cpu.copy(t, view, "Tensor.copy_");
  t._bumpVersion();
  return t;
}

/** Whether an in-place write into `t` must be recorded (grad mode, and grad involved). */
function needsGraph(t: Tensor, src?: Tensor): boolean {
  return isGradEnabledNow() && (t.requiresGrad || E.viewBase(t)?.requiresGrad === true || src?.requiresGrad === true);
}

function allTrue(shape: readonly number[]): Tensor {
  const m = emptyRaw(shape, "bool");
  cpu.unary(Unary.DT_FILL, m, m, 1, 0, "fill");
  return m;
}

/** In-place ops on a leaf that requires grad are an error while grad mode is on. */
export function checkInplaceLeaf(t: Tensor, call: string): void {
  if (t.requiresGrad && t.isLeaf && isGradEnabledNow()) {
    throw new Error(
      `${call}: a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad()`,
    );
  }
}

/** Fills with random samples in place (uniform [p0, p1) or normal(p0, p1)). */
export function random_<T extends Tensor>(t: T, kind: "uniform" | "normal", p0: number, p1: number, call: string): T {
  t._live(call);
  if (!isFloat(t.dtype)) {
    throw new TypeError(`${call}: expected a floating point tensor, got ${t.dtype}`);
  }
  checkInplaceLeaf(t, call);
  const n = numelOf(t.shape);
  // float16 samples are drawn in float32 and rounded.
  const target = t.isContiguous() && t.dtype !== "float16"
    ? t
    : emptyRaw(t.shape, t.dtype === "float16" ? "float32" : t.dtype);
  const [seed, stream] = nextRandom();
  cpu.random(kind, target, n, seed, stream, p0, p1, call);
  if (target !== t) cpu.copy(t, target, call);
  t._bumpVersion();
  return t;
}

/** A tensor like `t` filled with `value`. */
export function fullLike(t: Tensor, value: number): Tensor {
  const out = emptyLike(t, t.dtype === "float16" ? "float32" : t.dtype);
  cpu.unary(Unary.DT_FILL, out, out, value, 0, "fullLike");
  return out.dtype === t.dtype ? out : castRaw(out, t.dtype, "fullLike");
}
