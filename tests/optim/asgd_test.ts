import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { throwsWith } from "./helpers.ts";
import { extraSuite } from "./extra_fixture.ts";

extraSuite("ASGD", optim.ASGD, "asgd", [
  "asgd/default/float32",
  "asgd/averaging_wd_maximize/float64",
  "asgd/groups_skip/float64",
]);

Deno.test("ASGD validates its options with PyTorch's messages", () => {
  const p = [tensor([1, 2], { requiresGrad: true })];
  throwsWith(() => new optim.ASGD(p, { lr: -0.1 }), RangeError, /^ASGD: Invalid learning rate: -0\.1$/);
  throwsWith(() => new optim.ASGD(p, { weightDecay: -1 }), RangeError, /^ASGD: Invalid weight_decay value: -1$/);
  // deno-lint-ignore no-explicit-any
  throwsWith(() => new optim.ASGD(p, { t0: "5" as any }), TypeError, /^ASGD: expected t0 to be a number, got/);
  throwsWith(() => new optim.ASGD(p, { weight_decay: 1 } as never), TypeError, /did you mean "weightDecay"/);
  assert.deepEqual(new optim.ASGD(p).defaults, {
    lr: 1e-2,
    lambd: 1e-4,
    alpha: 0.75,
    t0: 1e6,
    weightDecay: 0,
    maximize: false,
  });
});

Deno.test("ASGD copies the parameters into ax until step t0, then averages", () => {
  const w = tensor(new Float64Array([1]), { requiresGrad: true });
  const opt = new optim.ASGD([w], { lr: 0.5, lambd: 0, t0: 1 });
  const seen: number[] = [];
  for (let i = 0; i < 3; i++) {
    w.grad = tensor(new Float64Array([1]));
    opt.step();
    seen.push(w.item());
  }
  // eta stays 0.5 (lambd 0): w = 0.5, 0, -0.5. mu = 1 / max(1, t - t0): 1, 1, then 1.
  assert.deepEqual(seen, [0.5, 0, -0.5]);
  const st = opt.state.get(w)!;
  assert.equal((st.ax as { item(): number }).item(), -0.5);
  w.grad = tensor(new Float64Array([1]));
  opt.step(); // step 4 uses mu = 1 / (3 - 1) = 0.5 set by step 3
  assert.equal(w.item(), -1);
  assert.equal((st.ax as { item(): number }).item(), -0.75);
  assert.equal(st.mu, Math.fround(1 / 3));
  assert.equal(st.eta, 0.5);
});
