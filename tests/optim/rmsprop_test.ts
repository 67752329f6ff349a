import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { fixtureSuite, throwsWith } from "./helpers.ts";

fixtureSuite("RMSprop", optim.RMSprop, "rmsprop", [
  "rmsprop/centered_momentum_wd/float32",
  "rmsprop/momentum/float64",
  "rmsprop/groups_skip/float64",
]);

Deno.test("RMSprop validates its options with PyTorch's messages", () => {
  const p = [tensor([1, 2], { requiresGrad: true })];
  throwsWith(() => new optim.RMSprop(p, { lr: -0.1 }), RangeError, /^RMSprop: Invalid learning rate: -0\.1$/);
  throwsWith(() => new optim.RMSprop(p, { eps: -1 }), RangeError, /Invalid epsilon value: -1/);
  throwsWith(() => new optim.RMSprop(p, { momentum: -1 }), RangeError, /Invalid momentum value: -1/);
  throwsWith(() => new optim.RMSprop(p, { weightDecay: -1 }), RangeError, /Invalid weight_decay value: -1/);
  throwsWith(() => new optim.RMSprop(p, { alpha: -0.5 }), RangeError, /Invalid alpha value: -0\.5/);
  // deno-lint-ignore no-explicit-any
  throwsWith(() => new optim.RMSprop(p, { centered: 1 as any }), TypeError, /expected centered to be a boolean/);
  assert.equal(new optim.RMSprop(p).defaults.alpha, 0.99);
});
