import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { checkCase, checkNoLeaks, checkRoundTrip, fixtureCases, throwsWith } from "./helpers.ts";

const cases = fixtureCases("adam");
const named = (name: string) => cases.find((c) => c.name === name)!;

for (const c of cases) {
  Deno.test(`Adam matches PyTorch: ${c.name}`, () => checkCase(optim.Adam, c));
}

Deno.test("Adam stateDict round trip continues exactly", () => {
  for (const name of ["adam/betas_wd_amsgrad/float32", "adam/eps_maximize/float64", "adam/groups_skip/float64"]) {
    checkRoundTrip(optim.Adam, named(name), 2);
  }
});

Deno.test("Adam steps free their temporaries and keep state through tidy", () => {
  for (const name of ["adam/betas_wd_amsgrad/float32", "adam/eps_maximize/float64", "adam/groups_skip/float64"]) {
    checkNoLeaks(optim.Adam, named(name));
  }
});

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
