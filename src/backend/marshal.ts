/**
 * The argument marshalling every CPU backend file shares: a view's storage bytes (whole, or
 * from its first element for kernels that take no offset) and the dtype code a kernel is
 * called with. One copy here keeps the "used after dispose" and dtype errors identical across
 * src/backend/{cpu,nn_kernels,rnn,conv}.ts.
 *
 * @module
 */

import { type DType, DTYPES } from "./dtype.ts";
import type { View } from "./cpu.ts";

/** The whole storage of a view (for kernels that take the element offset separately). */
export function bytes(v: View): Uint8Array {
  const b = v._storage.bytes;
  if (b === null) throw new Error("denotorch: storage was released (a tensor was used after dispose)");
  return b;
}

/** The bytes starting at the view's first element (for kernels that take no offset). */
export function at(v: View): Uint8Array {
  const b = bytes(v);
  return v._offset === 0 ? b : b.subarray(v._offset * DTYPES[v.dtype].itemsize);
}

/** Like `at`, with null passing through (an optional operand). */
export function opt(v: View | null): Uint8Array | null {
  return v === null ? null : at(v);
}

/** The kernel code of any dtype that has CPU kernels. */
export function code(d: DType, call: string): number {
  const c = DTYPES[d].code;
  if (c < 0) throw new TypeError(`${call}: dtype ${d} has no CPU kernels; convert it with .float() first`);
  return c;
}

/** The kernel code of a float32 or float64 view (the layer kernels are floating-point only). */
export function floatCode(v: View, call: string): number {
  if (v.dtype !== "float32" && v.dtype !== "float64") {
    throw new TypeError(`${call}: expected a float32 or float64 tensor, got ${v.dtype}`);
  }
  return DTYPES[v.dtype].code;
}
