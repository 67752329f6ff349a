import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { fixtureSuite, throwsWith } from "./helpers.ts";

fixtureSuite("Adamax", optim.Adamax, "adamax", ["adamax/betas_wd/float32", "adamax/groups_skip/float64"]);

Deno.test("Adamax validates its options with PyTorch's messages", () => {
  const p = [tensor([1, 2], { requiresGrad: true })];
  throwsWith(() => new optim.Adamax(p, { lr: -0.1 }), RangeError, /^Adamax: Invalid learning rate: -0\.1$/);
  throwsWith(() => new optim.Adamax(p, { eps: -1 }), RangeError, /Invalid epsilon value: -1/);
  throwsWith(() => new optim.Adamax(p, { betas: [-0.1, 0.9] }), RangeError, /Invalid beta parameter at index 0: -0\.1/);
  throwsWith(() => new optim.Adamax(p, { betas: [0.9, 1.1] }), RangeError, /Invalid beta parameter at index 1: 1\.1/);
  throwsWith(() => new optim.Adamax(p, { weightDecay: -1 }), RangeError, /Invalid weight_decay value: -1/);
  assert.equal(new optim.Adamax(p).defaults.lr, 2e-3);
});
