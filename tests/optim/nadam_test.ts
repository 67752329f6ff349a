import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { throwsWith } from "./helpers.ts";
import { extraSuite } from "./extra_fixture.ts";

extraSuite("NAdam", optim.NAdam, "nadam", [
  "nadam/default/float32",
  "nadam/betas_wd_momentum_decay/float64",
  "nadam/groups_skip/float64",
]);

Deno.test("NAdam validates its options with PyTorch's messages", () => {
  const p = [tensor([1, 2], { requiresGrad: true })];
  throwsWith(() => new optim.NAdam(p, { lr: -0.1 }), RangeError, /^NAdam: Invalid learning rate: -0\.1$/);
  throwsWith(() => new optim.NAdam(p, { eps: -1 }), RangeError, /^NAdam: Invalid epsilon value: -1$/);
  throwsWith(() => new optim.NAdam(p, { betas: [1, 0.9] }), RangeError, /Invalid beta parameter at index 0: 1$/);
  throwsWith(() => new optim.NAdam(p, { betas: [0.9, -0.1] }), RangeError, /Invalid beta parameter at index 1: -0\.1/);
  throwsWith(() => new optim.NAdam(p, { weightDecay: -1 }), RangeError, /^NAdam: Invalid weight_decay value: -1$/);
  throwsWith(
    () => new optim.NAdam(p, { momentumDecay: -0.5 }),
    RangeError,
    /^NAdam: Invalid momentum_decay value: -0\.5$/,
  );
  // 1.13's NAdam has no maximize option.
  // deno-lint-ignore no-explicit-any
  throwsWith(() => new optim.NAdam(p, { maximize: true } as any), TypeError, /^NAdam: unknown option "maximize"/);
  throwsWith(() => new optim.NAdam(p, { momentum_decay: 0.1 } as never), TypeError, /did you mean "momentumDecay"/);
  assert.deepEqual(new optim.NAdam(p).defaults, {
    lr: 2e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    momentumDecay: 4e-3,
  });
});

Deno.test("NAdam keeps mu_product as the float32 product of the momentum schedule", () => {
  const w = tensor(new Float64Array([1, -1]), { requiresGrad: true });
  const opt = new optim.NAdam([w], { lr: 0.1 });
  let want = 1;
  for (let step = 1; step <= 3; step++) {
    w.grad = tensor(new Float64Array([0.5, 0.25]));
    opt.step();
    want = Math.fround(want * Math.fround(0.9 * (1 - 0.5 * 0.96 ** (step * 4e-3))));
    assert.equal(opt.state.get(w)!.mu_product, want);
    assert.equal(opt.state.get(w)!.step, step);
  }
});
