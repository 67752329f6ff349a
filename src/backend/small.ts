/**
 * Tiny elementwise arithmetic in JavaScript, bit-identical to the native kernels.
 *
 * An FFI call costs about 200-250 ns until V8's optimizing compiler has compiled its caller
 * (tens of thousands of calls into a program; after that, about 70-110 ns), while adding two
 * 16-element tensors takes the kernel a few nanoseconds. So for contiguous float tensors of at
 * most `SMALL_NUMEL` elements, `+ - * /` (tensor-tensor and tensor-scalar) run here instead.
 *
 * The results are the same bits as the C kernels': float64 arithmetic is the same IEEE
 * operation, and a float32 `+ - * /` computed in float64 and rounded once to float32 (the
 * Float32Array store) equals the float32 operation, because float64 carries more than
 * 2 x 24 + 2 bits (double rounding is innocuous). `tests/backend/small_test.ts` checks this
 * bit for bit against the native kernels, NaN, infinities and subnormals included. Every
 * other op, dtype, layout or size goes to native code.
 *
 * @module
 */

import type { View } from "./cpu.ts";
import { Binary, Unary } from "./ops.ts";

/** The largest element count computed in JavaScript (about where an FFI call stops dominating). */
export const SMALL_NUMEL = 64;

const ADD = Binary.DT_ADD, SUB = Binary.DT_SUB, MUL = Binary.DT_MUL, DIV = Binary.DT_DIV;
const ADDS = Unary.DT_ADD_SCALAR, MULS = Unary.DT_MUL_SCALAR;

/**
 * The element count of `shape` when `st` lays it out row-major (any offset) and it has at
 * most `SMALL_NUMEL` elements, else -1.
 */
function smallNumel(shape: readonly number[], st: readonly number[]): number {
  let n = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i];
    if (d !== 1 && st[i] !== n) return -1;
    n *= d;
  }
  return n <= SMALL_NUMEL ? n : -1;
}

/** Whether `v` is laid out like a row-major view whose strides are `st` (same array: yes). */
function sameLayout(v: View, shape: readonly number[], st: readonly number[]): boolean {
  const vs = v.strides;
  if (vs === st) return true;
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1 && vs[i] !== st[i]) return false;
  return true;
}

/** `out = a OP b` for the small case; false (nothing written) when native code must run it. */
export function smallBinary(op: number, out: View, a: View, b: View): boolean {
  if (op > DIV) return false;
  const dt = out.dtype;
  if ((dt !== "float32" && dt !== "float64") || a.dtype !== dt || b.dtype !== dt) return false;
  const shape = out.shape, st = out.strides;
  const n = smallNumel(shape, st);
  if (n < 0 || !sameLayout(a, shape, st) || !sameLayout(b, shape, st)) return false;
  const o = out._storage.floats(dt), x = a._storage.floats(dt), y = b._storage.floats(dt);
  const oo = out._offset, ao = a._offset, bo = b._offset;
  if (o === null || x === null || y === null || oo + n > o.length || ao + n > x.length || bo + n > y.length) {
    return false;
  }
  if (op === ADD) { for (let i = 0; i < n; i++) o[oo + i] = x[ao + i] + y[bo + i]; }
  else if (op === SUB) { for (let i = 0; i < n; i++) o[oo + i] = x[ao + i] - y[bo + i]; }
  else if (op === MUL) { for (let i = 0; i < n; i++) o[oo + i] = x[ao + i] * y[bo + i]; }
  else for (let i = 0; i < n; i++) o[oo + i] = x[ao + i] / y[bo + i];
  return true;
}

/** `out = a + p` or `out = a * p` (the scalar rounded to the dtype first, as the kernels do). */
export function smallUnary(op: number, out: View, a: View, p: number): boolean {
  if (op !== ADDS && op !== MULS) return false;
  const dt = out.dtype;
  if ((dt !== "float32" && dt !== "float64") || a.dtype !== dt) return false;
  const shape = out.shape, st = out.strides;
  const n = smallNumel(shape, st);
  if (n < 0 || !sameLayout(a, shape, st)) return false;
  const o = out._storage.floats(dt), x = a._storage.floats(dt);
  const oo = out._offset, ao = a._offset;
  if (o === null || x === null || oo + n > o.length || ao + n > x.length) return false;
  const s = dt === "float32" ? Math.fround(p) : p;
  if (op === ADDS) { for (let i = 0; i < n; i++) o[oo + i] = x[ao + i] + s; }
  else for (let i = 0; i < n; i++) o[oo + i] = x[ao + i] * s;
  return true;
}
