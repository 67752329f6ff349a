/**
 * Finite-difference gradient checks in float64, and small assertion helpers for tests.
 *
 * `gradcheck(fn, inputs)` compares autograd's gradient of `sum(fn(...inputs) * w)` (w a fixed
 * random weight, so every output element matters) with central differences.
 */

import assert from "node:assert/strict";
import { autograd, noGrad, type Tensor, tensor } from "../../mod.ts";

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

function outputsOf(r: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(r) ? r.filter((t) => t && t.requiresGrad !== undefined && t.isFloatingPoint()) : [r];
}

/** Weighted scalar objective of the outputs, with fixed pseudo-random weights. */
function objective(outs: Tensor[], weights: Float64Array[]): Tensor {
  let total: Tensor | null = null;
  outs.forEach((o, i) => {
    const w = tensor(weights[i], { shape: o.shape as number[] });
    const s = o.mul(w).sum();
    total = total === null ? s : total.add(s);
  });
  return total!;
}

function weightsFor(outs: Tensor[]): Float64Array[] {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  return outs.map((o) => Float64Array.from({ length: o.numel() }, () => 0.5 + rnd()));
}

/**
 * Asserts that autograd's gradients of `fn` match central differences for every input that
 * requires grad. Inputs must be float64 leaves.
 */
export function gradcheck(
  fn: (...xs: Tensor[]) => Tensor | Tensor[],
  inputs: Tensor[],
  opts: GradcheckOptions = {},
): void {
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  for (const x of inputs) {
    if (x.requiresGrad) assert.equal(x.dtype, "float64", "gradcheck inputs must be float64");
  }
  const outs0 = outputsOf(fn(...inputs));
  const weights = weightsFor(outs0);
  const diffInputs = inputs.filter((x) => x.requiresGrad);
  const analytic = autograd.grad(objective(outs0, weights), diffInputs, null, { allowUnused: true });
  diffInputs.forEach((x, k) => {
    const data = x.typedArray() as Float64Array;
    const numeric = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const orig = data[i];
      data[i] = orig + eps;
      const fp = noGrad(() => objective(outputsOf(fn(...inputs)), weights).item());
      data[i] = orig - eps;
      const fm = noGrad(() => objective(outputsOf(fn(...inputs)), weights).item());
      data[i] = orig;
      numeric[i] = (fp - fm) / (2 * eps);
    }
    const got = analytic[k] ? (analytic[k]!.contiguous().toArray() as Float64Array) : new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const err = Math.abs(got[i] - numeric[i]);
      if (!(err <= atol + rtol * Math.abs(numeric[i]))) {
        assert.fail(
          `gradcheck: input ${k} element ${i}: autograd ${got[i]} vs numeric ${numeric[i]} (shape [${x.shape}])`,
        );
      }
    }
  });
}

/** A float64 leaf with values from a fixed pseudo-random sequence in [lo, hi). */
export function randomDouble(shape: number[], seed = 1, lo = -1, hi = 1, requiresGrad = true): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  let s = seed * 7919 + 17;
  const data = Float64Array.from({ length: n }, () => {
    s = (s * 16807) % 2147483647;
    return lo + (hi - lo) * (s / 2147483647);
  });
  return tensor(data, { shape, requiresGrad });
}

/** Asserts two arrays are elementwise close. */
export function assertClose(
  actual: ArrayLike<number | bigint>,
  expected: ArrayLike<number | bigint>,
  atol = 1e-5,
  rtol = 1e-4,
  what = "value",
): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]), e = Number(expected[i]);
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      assert.fail(`${what}: element ${i} is ${a}, expected ${e} (atol ${atol}, rtol ${rtol})`);
    }
  }
}
