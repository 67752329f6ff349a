import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { checkCase, checkNoLeaks, checkRoundTrip, fixtureCases, throwsWith } from "./helpers.ts";

const cases = fixtureCases("sgd");

for (const c of cases) {
  Deno.test(`SGD matches PyTorch: ${c.name}`, () => checkCase(optim.SGD, c));
}

Deno.test("SGD stateDict round trip continues exactly (momentum, Nesterov, groups)", () => {
  for (const name of ["sgd/momentum_dampening_wd/float32", "sgd/nesterov/float64", "sgd/groups_skip/float64"]) {
    checkRoundTrip(optim.SGD, cases.find((c) => c.name === name)!, 2);
  }
});

Deno.test("SGD steps free their temporaries and keep state through tidy", () => {
  for (const name of ["sgd/plain/float32", "sgd/nesterov_wd_maximize/float32", "sgd/groups_skip/float64"]) {
    checkNoLeaks(optim.SGD, cases.find((c) => c.name === name)!);
  }
});

Deno.test("SGD validates its options with PyTorch's messages", () => {
  const p = [tensor([1, 2], { requiresGrad: true })];
  throwsWith(() => new optim.SGD(p, { lr: -0.1 }), RangeError, /^SGD: Invalid learning rate: -0\.1$/);
  throwsWith(() => new optim.SGD(p, { lr: NaN }), RangeError, /Invalid learning rate: NaN/);
  throwsWith(() => new optim.SGD(p, { lr: 0.1, momentum: -1 }), RangeError, /Invalid momentum value: -1/);
  throwsWith(() => new optim.SGD(p, { lr: 0.1, weightDecay: -0.5 }), RangeError, /Invalid weight_decay value: -0\.5/);
  throwsWith(
    () => new optim.SGD(p, { lr: 0.1, nesterov: true }),
    RangeError,
    /Nesterov momentum requires a momentum and zero dampening/,
  );
  throwsWith(
    () => new optim.SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
    RangeError,
    /Nesterov momentum requires a momentum and zero dampening/,
  );
  // A group's own options are checked too.
  throwsWith(() => new optim.SGD([{ params: p, lr: -1 }], { lr: 0.1 }), RangeError, /Invalid learning rate: -1/);
});

Deno.test("SGD takes a bare number as the learning rate and defaults lr to 1e-3", () => {
  const w = tensor([1], { requiresGrad: true });
  assert.equal(new optim.SGD([w], 0.25).paramGroups[0].lr, 0.25);
  const opt = new optim.SGD([w]);
  assert.equal(opt.paramGroups[0].lr, 1e-3);
  assert.deepEqual(
    { ...opt.paramGroups[0], params: undefined },
    { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, params: undefined },
  );
});

Deno.test("SGD without momentum keeps no state; with momentum the buffer starts as the gradient", () => {
  const w = tensor([1, 2], { requiresGrad: true });
  const plain = new optim.SGD([w], { lr: 0.1 });
  w.grad = tensor([1, 1]);
  plain.step();
  assert.equal(plain.state.size, 0);
  const m = new optim.SGD([w], { lr: 0.1, momentum: 0.9, dampening: 0.5 });
  w.grad = tensor([2, 4]);
  m.step();
  const buf = m.state.get(w)!.momentum_buffer;
  assert.deepEqual(typeof buf === "object" ? buf.tolist() : buf, [2, 4]); // no dampening on the first step
  assert.notEqual(buf, w.grad); // a copy, not the gradient itself
});
