/**
 * Reads the fixtures of tools/fixtures/{activation,batchnorm,loss,distance}.py (format in
 * tools/fixtures/act_common.py: tensors as {shape, dtype, data} with non-finite values as
 * strings) and checks a functional case against PyTorch: output, then input gradients for
 * the fixed output gradient.
 */

import assert from "node:assert/strict";
import { type Tensor, tensor } from "../../mod.ts";
import { assertClose } from "./gradcheck.ts";

/** A stored tensor. */
export interface TensorSpec {
  shape: number[];
  dtype: "float32" | "float64" | "int64" | "bool";
  data: (number | string | boolean)[];
}

/** One stored functional call. */
export interface FnCase {
  name: string;
  fn: string;
  inputs: TensorSpec[];
  gradInputs: number[];
  // deno-lint-ignore no-explicit-any
  args: any[];
  // deno-lint-ignore no-explicit-any
  opts: Record<string, any>;
  output: TensorSpec;
  gradOutput: TensorSpec | null;
  grads: (TensorSpec | null)[];
}

/** The cases of tests/fixtures/<family>/cases.json. */
// deno-lint-ignore no-explicit-any
export function cases(family: string): any[] {
  const url = new URL(`../fixtures/${family}/cases.json`, import.meta.url);
  return JSON.parse(Deno.readTextFileSync(url)).cases;
}

/** The stored values as numbers (NaN and infinities restored). */
export function values(s: TensorSpec): number[] {
  return s.data.map((v) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v)));
}

/** A tensor from a stored spec. */
export function make(s: TensorSpec, requiresGrad = false): Tensor {
  const v = values(s);
  if (s.dtype === "bool") return tensor(Uint8Array.from(v), { shape: s.shape, dtype: "bool" });
  const data = s.dtype === "float64"
    ? Float64Array.from(v)
    : s.dtype === "int64"
    ? BigInt64Array.from(v, (x) => BigInt(x))
    : Float32Array.from(v);
  return tensor(data, { shape: s.shape, requiresGrad });
}

/** Turns {t: spec} objects nested in args/options into tensors. */
// deno-lint-ignore no-explicit-any
export function hydrate(v: any): any {
  if (Array.isArray(v)) return v.map(hydrate);
  if (v && typeof v === "object") {
    if (v.t) return make(v.t);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hydrate(x)]));
  }
  return v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v;
}

/** Tolerances by dtype: [atol, rtol]. */
export function tol(dtype: string): [number, number] {
  return dtype === "float64" ? [1e-10, 1e-8] : [1e-5, 1e-4];
}

/** Compares a tensor with a stored one: shape, dtype and values (NaN where NaN). */
export function assertMatches(actual: Tensor, expected: TensorSpec, what: string, t = tol(expected.dtype)): void {
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  const got = Array.from(actual.toArray() as ArrayLike<number | bigint>, Number); // int64 data is bigint
  assertClose(got, values(expected), t[0], t[1], what);
}

/**
 * Runs a stored functional case through `call(inputs, args, opts)` and compares the output and
 * the gradients of the inputs that require grad.
 */
export function checkFnCase(
  c: FnCase,
  // deno-lint-ignore no-explicit-any
  call: (inputs: Tensor[], args: any[], opts: Record<string, any>) => Tensor,
  t?: [number, number],
): void {
  const xs = c.inputs.map((s, i) => make(s, c.gradInputs.includes(i)));
  const opts = hydrate(c.opts);
  const out = call(xs, hydrate(c.args), opts);
  assertMatches(out, c.output, `${c.name}: output`, t);
  if (c.gradOutput === null || c.gradInputs.length === 0) return;
  out.backward(make(c.gradOutput));
  c.gradInputs.forEach((i) => {
    const g = c.grads[i];
    if (g === null) return;
    assert.ok(xs[i].grad, `${c.name}: input ${i} got no gradient`);
    assertMatches(xs[i].grad!, g, `${c.name}: grad of input ${i}`, t);
  });
}
