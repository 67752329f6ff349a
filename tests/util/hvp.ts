/**
 * Shared checks of the createGraph fixtures (tools/fixtures/create_graph*.py): second-order
 * tolerances, gradients PyTorch reports as unused, and one Hessian-vector-product case.
 */

import assert from "node:assert/strict";
import { autograd, type Tensor } from "../../mod.ts";
import { assertMatches, make, type TensorSpec, tol } from "./fixture_act.ts";
import { assertClose } from "./gradcheck.ts";

/** Second-order results are sums of products: a little looser than first-order values. */
export function tol2(dtype: string): [number, number] {
  const [a, r] = tol(dtype);
  return [a * 10, r * 10];
}

/** A gradient PyTorch reports as unused (null) must be null or zero here. */
export function assertGrad(got: Tensor | null, want: TensorSpec | null, like: Tensor, what: string): void {
  if (want === null) {
    if (got !== null) assertClose(Array.from(got.toArray() as ArrayLike<number>), new Array(like.numel()).fill(0));
    return;
  }
  assert.ok(got !== null, `${what}: expected a gradient, got null`);
  assertMatches(got, want, what, tol2(want.dtype));
}

/** One stored HVP case: value, first gradients (with their requiresGrad), then H·v. */
export interface HvpCase {
  name: string;
  inputs: TensorSpec[];
  consts?: TensorSpec[];
  output: TensorSpec;
  grads: TensorSpec[];
  v: TensorSpec[];
  hvp: (TensorSpec | null)[];
}

/**
 * Runs `fn(...inputs, ...consts)`, checks its value and its createGraph gradients (whose
 * requiresGrad must equal `requiresGrad(i)`), then the Hessian-vector product along `v`.
 */
export function checkHvp(
  c: HvpCase,
  fn: (...t: Tensor[]) => Tensor,
  requiresGrad: (i: number) => boolean = () => true,
): void {
  const xs = c.inputs.map((s) => make(s, true));
  const consts = (c.consts ?? []).map((s) => make(s));
  const out = fn(...xs, ...consts);
  assertMatches(out, c.output, `${c.name}: value`);
  const grads = autograd.grad(out, xs, null, { createGraph: true });
  grads.forEach((g, i) => {
    assert.equal(g!.requiresGrad, requiresGrad(i), `${c.name}: grad ${i} requires grad`);
    assertMatches(g!, c.grads[i], `${c.name}: grad ${i}`);
  });
  const vs = c.v.map((s) => make(s));
  let dot = grads[0]!.mul(vs[0]).sum();
  for (let i = 1; i < xs.length; i++) dot = dot.add(grads[i]!.mul(vs[i]).sum());
  const hv = autograd.grad(dot, xs, null, { allowUnused: true });
  hv.forEach((h, i) => assertGrad(h, c.hvp[i], xs[i], `${c.name}: Hv ${i}`));
}
