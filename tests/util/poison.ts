/**
 * Checks that ops write every element of the buffers they take from the storage pool (which
 * hands out released memory without clearing it): `afterPoison` first runs `f` on NaN inputs of
 * the same shapes inside `tidy`, so every buffer `f` allocates goes back to the pool full of NaN
 * (or of whatever NaN inputs produce), then runs `f` on the real inputs, whose allocations now
 * reuse those buffers. Any element a kernel leaves unwritten shows up as a difference from a run
 * on a cleared pool.
 */
import { full, type Tensor, tidy } from "../../mod.ts";
import { clearPool } from "../../src/backend/storage.ts";

/** `f(inputs)` on a cleared pool, and `f(inputs)` after a poisoning run; `f` returns plain data. */
export function cleanAndPoisoned<T>(f: (inputs: Tensor[]) => T, inputs: Tensor[]): [T, T] {
  clearPool();
  const clean = f(inputs);
  clearPool();
  tidy(() => {
    f(inputs.map((t) => full(t.shape, NaN, { dtype: t.dtype, requiresGrad: t.requiresGrad })));
  });
  const poisoned = f(inputs);
  clearPool();
  return [clean, poisoned];
}
