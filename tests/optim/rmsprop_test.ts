import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { checkCase, checkNoLeaks, checkRoundTrip, fixtureCases, throwsWith } from "./helpers.ts";

const cases = fixtureCases("rmsprop");
const named = (name: string) => cases.find((c) => c.name === name)!;

for (const c of cases) {
  Deno.test(`RMSprop matches PyTorch: ${c.name}`, () => checkCase(optim.RMSprop, c));
}

Deno.test("RMSprop stateDict round trip continues exactly", () => {
  for (
    const name of ["rmsprop/centered_momentum_wd/float32", "rmsprop/momentum/float64", "rmsprop/groups_skip/float64"]
  ) checkRoundTrip(optim.RMSprop, named(name), 2);
});

Deno.test("RMSprop steps free their temporaries and keep state through tidy", () => {
  for (
    const name of ["rmsprop/centered_momentum_wd/float32", "rmsprop/momentum/float64", "rmsprop/groups_skip/float64"]
  ) checkNoLeaks(optim.RMSprop, named(name));
});

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
