import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { fixtureSuite, throwsWith } from "./helpers.ts";

fixtureSuite("Adam", optim.Adam, "adam", [
  "adam/betas_wd_amsgrad/float32",
  "adam/eps_maximize/float64",
  "adam/groups_skip/float64",
]);

Deno.test("Adam validates its options with PyTorch's messages", () => {
  const p = [tensor([1, 2], { requiresGrad: true })];
  throwsWith(() => new optim.Adam(p, { lr: -0.1 }), RangeError, /^Adam: Invalid learning rate: -0\.1$/);
  throwsWith(() => new optim.Adam(p, { eps: -1 }), RangeError, /Invalid epsilon value: -1/);
  throwsWith(() => new optim.Adam(p, { betas: [1, 0.9] }), RangeError, /Invalid beta parameter at index 0: 1/);
  throwsWith(() => new optim.Adam(p, { betas: [0.9, -0.1] }), RangeError, /Invalid beta parameter at index 1: -0\.1/);
  throwsWith(() => new optim.Adam(p, { weightDecay: -1 }), RangeError, /Invalid weight_decay value: -1/);
  // deno-lint-ignore no-explicit-any
  throwsWith(() => new optim.Adam(p, { betas: 0.9 as any }), TypeError, /expected betas to be an array of 2 numbers/);
  assert.deepEqual(new optim.Adam(p).defaults, {
    lr: 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
    maximize: false,
  });
});
