import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { checkCase, checkNoLeaks, checkRoundTrip, fixtureCases, throwsWith } from "./helpers.ts";

const cases = fixtureCases("adadelta");
const named = (name: string) => cases.find((c) => c.name === name)!;

for (const c of cases) {
  Deno.test(`Adadelta matches PyTorch: ${c.name}`, () => checkCase(optim.Adadelta, c));
}

Deno.test("Adadelta stateDict round trip continues exactly", () => {
  for (const name of ["adadelta/rho_lr_wd/float32", "adadelta/groups_skip/float64"]) {
    checkRoundTrip(optim.Adadelta, named(name), 2);
  }
});

Deno.test("Adadelta steps free their temporaries and keep state through tidy", () => {
  for (const name of ["adadelta/rho_lr_wd/float32", "adadelta/groups_skip/float64"]) {
    checkNoLeaks(optim.Adadelta, named(name));
  }
});

Deno.test("Adadelta validates its options with PyTorch's messages", () => {
  const p = [tensor([1, 2], { requiresGrad: true })];
  throwsWith(() => new optim.Adadelta(p, { lr: -0.1 }), RangeError, /^Adadelta: Invalid learning rate: -0\.1$/);
  throwsWith(() => new optim.Adadelta(p, { rho: 1.5 }), RangeError, /Invalid rho value: 1\.5/);
  throwsWith(() => new optim.Adadelta(p, { rho: -0.1 }), RangeError, /Invalid rho value: -0\.1/);
  throwsWith(() => new optim.Adadelta(p, { eps: -1 }), RangeError, /Invalid epsilon value: -1/);
  throwsWith(() => new optim.Adadelta(p, { weightDecay: -1 }), RangeError, /Invalid weight_decay value: -1/);
  assert.equal(new optim.Adadelta(p, { rho: 1 }).defaults.rho, 1); // the bounds are inclusive
});
