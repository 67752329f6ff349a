import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { fixtureSuite, throwsWith } from "./helpers.ts";

fixtureSuite("Adagrad", optim.Adagrad, "adagrad", ["adagrad/lr_decay_init_acc/float32", "adagrad/groups_skip/float64"]);

Deno.test("Adagrad validates its options with PyTorch's messages", () => {
  const p = [tensor([1, 2], { requiresGrad: true })];
  throwsWith(() => new optim.Adagrad(p, { lr: -0.1 }), RangeError, /^Adagrad: Invalid learning rate: -0\.1$/);
  throwsWith(() => new optim.Adagrad(p, { lrDecay: -1 }), RangeError, /Invalid lr_decay value: -1/);
  throwsWith(() => new optim.Adagrad(p, { weightDecay: -1 }), RangeError, /Invalid weight_decay value: -1/);
  throwsWith(
    () => new optim.Adagrad(p, { initialAccumulatorValue: -1 }),
    RangeError,
    /Invalid initial_accumulator_value value: -1/,
  );
  throwsWith(() => new optim.Adagrad(p, { eps: -1 }), RangeError, /Invalid epsilon value: -1/);
});

Deno.test("Adagrad creates its state at construction from the constructor's initialAccumulatorValue", () => {
  const w = tensor([1, 2], { requiresGrad: true });
  const b = tensor([3], { requiresGrad: true });
  const opt = new optim.Adagrad([w], { initialAccumulatorValue: 0.5 });
  const st = opt.stateDict().state[0];
  assert.equal(st.step, 0);
  assert.deepEqual(typeof st.sum === "object" ? st.sum.tolist() : null, [0.5, 0.5]);
  // PyTorch ignores a group's own value here (the groups_skip fixture case pins that down).
  opt.addParamGroup({ params: [b], initialAccumulatorValue: 2 });
  assert.equal(opt.paramGroups[1].initialAccumulatorValue, 2);
  const sb = opt.stateDict().state[1];
  assert.deepEqual(typeof sb.sum === "object" ? sb.sum.tolist() : null, [0.5]);
});
