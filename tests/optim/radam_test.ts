import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { throwsWith } from "./helpers.ts";
import { extraSuite } from "./extra_fixture.ts";

extraSuite("RAdam", optim.RAdam, "radam", [
  "radam/default/float32",
  "radam/betas_wd_eps/float64",
  "radam/groups_skip/float64",
]);

Deno.test("RAdam validates its options with PyTorch's messages", () => {
  const p = [tensor([1, 2], { requiresGrad: true })];
  throwsWith(() => new optim.RAdam(p, { lr: -0.1 }), RangeError, /^RAdam: Invalid learning rate: -0\.1$/);
  throwsWith(() => new optim.RAdam(p, { eps: -1 }), RangeError, /^RAdam: Invalid epsilon value: -1$/);
  throwsWith(() => new optim.RAdam(p, { betas: [1, 0.9] }), RangeError, /Invalid beta parameter at index 0: 1$/);
  throwsWith(() => new optim.RAdam(p, { betas: [0.9, 1] }), RangeError, /Invalid beta parameter at index 1: 1$/);
  throwsWith(() => new optim.RAdam(p, { weightDecay: -1 }), RangeError, /^RAdam: Invalid weight_decay value: -1$/);
  // deno-lint-ignore no-explicit-any
  throwsWith(() => new optim.RAdam(p, { maximize: true } as any), TypeError, /^RAdam: unknown option "maximize"/);
  assert.deepEqual(new optim.RAdam(p).defaults, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
});

Deno.test("RAdam switches to the rectified step once rho_t exceeds 5 (step 6 with beta2 = 0.999)", () => {
  // With a constant gradient g, m / (1 - β1^t) = g, so the unrectified step is exactly lr * g.
  const w = tensor(new Float64Array([0]), { requiresGrad: true });
  const opt = new optim.RAdam([w], { lr: 0.1 });
  const moves: number[] = [];
  for (let step = 1; step <= 7; step++) {
    const before = w.item();
    w.grad = tensor(new Float64Array([2]));
    opt.step();
    moves.push(before - w.item());
  }
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(moves[i] - 0.2) < 1e-12, `step ${i + 1} moved ${moves[i]}`);
  // Rectified: lr * g * r_t * sqrt(1 - β2^t) / (|g| sqrt(1 - β2^t) ... ) is far smaller than lr * g.
  const rho = (t: number) => 1999 - 2 * t * 0.999 ** t / (1 - 0.999 ** t);
  assert.ok(rho(5) <= 5 && rho(6) > 5);
  const r6 = Math.sqrt((rho(6) - 4) * (rho(6) - 2) * 1999 / (1995 * 1997 * rho(6)));
  const want6 = 0.1 * r6 * Math.sqrt(1 - 0.999 ** 6) / (Math.sqrt(4 * (1 - 0.999 ** 6)) + 1e-8) * 2;
  assert.ok(Math.abs(moves[5] - want6) < 1e-12, `step 6 moved ${moves[5]}, want ${want6}`);
});
