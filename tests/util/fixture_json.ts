/**
 * Reading the JSON fixtures of tests/fixtures/<family>/ (written by tools/fixtures/<family>.py
 * with PyTorch) into tensors, and an assertion for thrown errors.
 */

import assert from "node:assert/strict";
import { type Tensor, tensor } from "../../mod.ts";

/** The parsed JSON of tests/fixtures/<family>/<name>.json. */
// deno-lint-ignore no-explicit-any
export function fixture(family: string, name: string): any {
  return JSON.parse(Deno.readTextFileSync(new URL(`../fixtures/${family}/${name}.json`, import.meta.url)));
}

/** A tensor from a flat list of values. */
export function fromList(
  values: readonly number[],
  shape: readonly number[],
  dtype: "float32" | "float64" | "int64" = "float32",
  requiresGrad = false,
): Tensor {
  const data = dtype === "float64"
    ? Float64Array.from(values)
    : dtype === "int64"
    ? BigInt64Array.from(values, (v) => BigInt(v))
    : Float32Array.from(values);
  return tensor(data, { shape: [...shape], requiresGrad });
}

/** Asserts that `fn` throws an error of class `cls` whose message matches `pattern`. */
export function throwsWith(fn: () => unknown, cls: new (...a: never[]) => Error, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(
      e instanceof cls,
      `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
    );
    assert.match((e as Error).message, pattern);
    return true;
  });
}
