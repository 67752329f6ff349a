import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { throwsWith } from "./helpers.ts";
import { extraSuite } from "./extra_fixture.ts";

extraSuite("Rprop", optim.Rprop, "rprop", [
  "rprop/default/float32",
  "rprop/etas_step_sizes_maximize/float64",
  "rprop/groups_skip/float64",
]);

Deno.test("Rprop validates its options with PyTorch's messages", () => {
  const p = [tensor([1, 2], { requiresGrad: true })];
  throwsWith(() => new optim.Rprop(p, { lr: -0.1 }), RangeError, /^Rprop: Invalid learning rate: -0\.1$/);
  throwsWith(() => new optim.Rprop(p, { etas: [1, 1.2] }), RangeError, /^Rprop: Invalid eta values: 1, 1\.2$/);
  throwsWith(() => new optim.Rprop(p, { etas: [0.5, 0.9] }), RangeError, /^Rprop: Invalid eta values: 0\.5, 0\.9$/);
  throwsWith(() => new optim.Rprop(p, { etas: [0, 1.2] }), RangeError, /Invalid eta values: 0, 1\.2/);
  throwsWith(
    // deno-lint-ignore no-explicit-any
    () => new optim.Rprop(p, { stepSizes: 1 as any }),
    TypeError,
    /^Rprop: expected stepSizes to be an array of 2 numbers, got/,
  );
  throwsWith(() => new optim.Rprop(p, { step_sizes: [1, 2] } as never), TypeError, /did you mean "stepSizes"/);
  assert.deepEqual(new optim.Rprop(p).defaults, { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false });
});

Deno.test("Rprop grows, shrinks and clamps step sizes by the gradient's sign", () => {
  const w = tensor(new Float64Array([0, 0, 0]), { requiresGrad: true });
  const opt = new optim.Rprop([w], { lr: 0.1, stepSizes: [0.06, 0.11] });
  const feed = (g: number[]) => {
    w.grad = tensor(new Float64Array(g));
    opt.step();
  };
  feed([1, 1, 0]); // first step: prev is 0, so every factor is 1
  assert.deepEqual(w.tolist(), [-0.1, -0.1, 0]);
  feed([1, -1, 1]); // same sign: 0.1 * 1.2 clamped to 0.11; flip: 0.05 clamped to 0.06, no move
  const st = opt.state.get(w)!;
  assert.deepEqual((st.step_size as { tolist(): unknown }).tolist(), [0.11, 0.06, 0.1]);
  assert.deepEqual((st.prev as { tolist(): unknown }).tolist(), [1, 0, 1]);
  assert.deepEqual(Array.from(w.toArray() as Float64Array, (x) => +x.toFixed(12)), [-0.21, -0.1, -0.1]);
  assert.equal(st.step, 2);
});
