import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { fixtureSuite, throwsWith } from "./helpers.ts";

fixtureSuite("Adadelta", optim.Adadelta, "adadelta", ["adadelta/rho_lr_wd/float32", "adadelta/groups_skip/float64"]);

Deno.test("Adadelta validates its options with PyTorch's messages", () => {
  const p = [tensor([1, 2], { requiresGrad: true })];
  throwsWith(() => new optim.Adadelta(p, { lr: -0.1 }), RangeError, /^Adadelta: Invalid learning rate: -0\.1$/);
  throwsWith(() => new optim.Adadelta(p, { rho: 1.5 }), RangeError, /Invalid rho value: 1\.5/);
  throwsWith(() => new optim.Adadelta(p, { rho: -0.1 }), RangeError, /Invalid rho value: -0\.1/);
  throwsWith(() => new optim.Adadelta(p, { eps: -1 }), RangeError, /Invalid epsilon value: -1/);
  throwsWith(() => new optim.Adadelta(p, { weightDecay: -1 }), RangeError, /Invalid weight_decay value: -1/);
  assert.equal(new optim.Adadelta(p, { rho: 1 }).defaults.rho, 1); // the bounds are inclusive
});
