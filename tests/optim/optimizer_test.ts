import assert from "node:assert/strict";
import { noGrad, optim, type Tensor, tensor } from "../../mod.ts";
import { throwsWith } from "./helpers.ts";

const param = (values: number[]) => tensor(values, { requiresGrad: true });

Deno.test("Optimizer rejects bad parameter lists with PyTorch's messages", () => {
  const w = param([1, 2]);
  throwsWith(
    () => new optim.SGD(w as never, { lr: 0.1 }),
    TypeError,
    /^SGD: params argument given to the optimizer should be an iterable of Tensors or dicts, but got a Tensor$/,
  );
  throwsWith(() => new optim.SGD([], { lr: 0.1 }), RangeError, /^SGD: optimizer got an empty parameter list$/);
  throwsWith(() => new optim.Adam(new Set([w])), TypeError, /ordering of tensors in sets will change between runs/);
  throwsWith(
    () => new optim.SGD([w, 3] as never),
    TypeError,
    /optimizer can only optimize Tensors, but one of the params is number 3/,
  );
  throwsWith(() => new optim.SGD([w.mul(2)]), RangeError, /addParamGroup: can't optimize a non-leaf Tensor/);
  throwsWith(
    () => new optim.SGD([{ params: [w] }, { params: [param([1]), w] }]),
    RangeError,
    /some parameters appear in more than one parameter group/,
  );
  throwsWith(
    () => new optim.SGD(42 as never),
    TypeError,
    /expected params to be an iterable of Tensors or groups, got number 42/,
  );
  throwsWith(() => new optim.SGD([{ lr: 1 }] as never), TypeError, /param group must have a params entry/);
  const disposed = param([1]);
  disposed.dispose();
  throwsWith(() => new optim.SGD([disposed]), Error, /the tensor was disposed/);
});

Deno.test("Optimizer rejects unknown and mistyped options", () => {
  const w = param([1]);
  const o = (x: unknown) => x as never;
  throwsWith(
    () => new optim.SGD([w], o({ weight_decay: 0.1 })),
    TypeError,
    /unknown option "weight_decay"; did you mean "weightDecay"\?/,
  );
  throwsWith(
    () => new optim.SGD([w], o({ foo: 1 })),
    TypeError,
    /^SGD: unknown option "foo"; expected one of lr, momentum,/,
  );
  throwsWith(() => new optim.SGD([w], o({ lr: "0.1" })), TypeError, /^SGD: expected lr to be a number, got "0\.1"$/);
  throwsWith(
    () => new optim.SGD([w], o({ nesterov: 1 })),
    TypeError,
    /expected nesterov to be a boolean, got number 1/,
  );
  throwsWith(() => new optim.SGD([w], o("fast")), TypeError, /expected an options object, got "fast"/);
  throwsWith(
    () => new optim.Adam([{ params: [w], weight_decay: 1 }] as never),
    TypeError,
    /did you mean "weightDecay"\?/,
  );
  throwsWith(
    () => new optim.Adam([{ params: [w], betas: [0.9] }] as never),
    TypeError,
    /betas to be an array of 2 numbers/,
  );
});

Deno.test("Parameter groups: own options, defaults for the rest, extra keys kept, addParamGroup", () => {
  const a = param([1]), b = param([2]), c = param([3]);
  const opt = new optim.SGD([{ params: [a], lr: 1, name: "head" }, { params: b }], { lr: 0.5, momentum: 0.25 });
  assert.equal(opt.paramGroups.length, 2);
  assert.equal(opt.paramGroups[0].lr, 1);
  assert.equal(opt.paramGroups[0].name, "head");
  assert.equal(opt.paramGroups[1].lr, 0.5);
  assert.equal(opt.paramGroups[1].momentum, 0.25);
  assert.deepEqual(opt.paramGroups[1].params, [b]); // a lone tensor becomes a list
  opt.addParamGroup({ params: [c], momentum: 0 });
  assert.equal(opt.paramGroups[2].lr, 0.5);
  throwsWith(() => opt.addParamGroup({ params: [a] }), RangeError, /more than one parameter group/);
  throwsWith(() => opt.addParamGroup({ params: [param([0])], lr: -2 }), RangeError, /^SGD: Invalid learning rate: -2$/);
  // Each group updates with its own options; lr may be changed between steps.
  for (const p of [a, b, c]) p.grad = tensor([1]);
  opt.step();
  assert.deepEqual([a.item(), b.item(), c.item()], [0, 1.5, 2.5]);
  opt.paramGroups[2].lr = 2;
  opt.step();
  assert.equal(c.item(), 0.5);
});

Deno.test("zeroGrad sets gradients to null by default, or zeroes them in place", () => {
  const w = param([1, 2]);
  const opt = new optim.SGD([w], { lr: 0.1 });
  w.mul(3).sum().backward();
  opt.zeroGrad();
  assert.equal(w.grad, null);
  w.mul(3).sum().backward();
  const g = opt.paramGroups[0].params[0].grad!; // (w.grad is narrowed to null above)
  opt.zeroGrad(false);
  assert.equal(w.grad, g); // the same tensor, zeroed
  assert.deepEqual(g.tolist(), [0, 0]);
  assert.equal(g.requiresGrad, false);
  w.mul(2).sum().backward(); // accumulates into the zeroed gradient
  assert.deepEqual(g.tolist(), [2, 2]);
  opt.step(); // a parameter whose gradient is null is skipped
  opt.zeroGrad();
  opt.step();
  assert.deepEqual(w.tolist(), [0.800000011920929, 1.7999999523162842]);
});

Deno.test("step runs the closure with grad mode on and returns its loss", () => {
  const w = param([2]);
  const opt = new optim.SGD([w], { lr: 0.25 });
  const loss = noGrad(() =>
    opt.step(() => {
      opt.zeroGrad();
      const l = w.mul(w).sum();
      l.backward();
      return l;
    })
  );
  assert.equal((loss as Tensor).item(), 4);
  assert.equal(w.item(), 1); // 2 - 0.25 * 4
  assert.equal(opt.step(), undefined);
  throwsWith(() => opt.step(5 as never), TypeError, /SGD\.step: expected closure to be a function, got number 5/);
});

Deno.test("stateDict has PyTorch's layout: state by parameter index, param_groups with indices", () => {
  const a = param([1, 2]), b = param([3]), c = param([4]);
  const opt = new optim.Adam([{ params: [a, b] }, { params: [c], lr: 0.1 }], { lr: 0.01, betas: [0.8, 0.9] });
  a.grad = tensor([1, 1]);
  c.grad = tensor([1]);
  opt.step();
  const sd = opt.stateDict();
  assert.deepEqual(Object.keys(sd), ["state", "param_groups"]);
  assert.deepEqual(Object.keys(sd.state), ["0", "2"]); // b had no gradient, so no state
  assert.deepEqual(Object.keys(sd.state[0]), ["step", "exp_avg", "exp_avg_sq"]);
  assert.equal(sd.state[0].step, 1);
  assert.deepEqual(sd.param_groups, [
    { lr: 0.01, betas: [0.8, 0.9], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [0, 1] },
    { lr: 0.1, betas: [0.8, 0.9], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [2] },
  ]);
  // The groups are copies: editing them does not change the optimizer.
  sd.param_groups[0].lr = 5;
  sd.param_groups[0].betas[0] = 0;
  assert.equal(opt.paramGroups[0].lr, 0.01);
  assert.equal(opt.paramGroups[0].betas[0], 0.8);
});

Deno.test("loadStateDict copies tensors, converts dtypes and a tensor step, and restores options", () => {
  const w = param([1, 2]);
  const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
  const buf = tensor(new Float64Array([0.5, 0.25]));
  opt.loadStateDict({
    state: { 7: { momentum_buffer: buf, step: tensor(3) } }, // saved indices map to the groups in order
    param_groups: [{
      lr: 0.2,
      momentum: 0.5,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
      params: [7],
    }],
  });
  const st = opt.state.get(w)!;
  const loaded = st.momentum_buffer as Tensor;
  assert.equal(loaded.dtype, "float32"); // cast to the parameter's dtype
  assert.notEqual(loaded, buf);
  assert.equal(st.step, 3);
  assert.equal(opt.paramGroups[0].lr, 0.2);
  assert.deepEqual(opt.paramGroups[0].params, [w]);
  buf.fill_(100); // the optimizer holds a copy
  w.grad = tensor([1, 1]);
  opt.step(); // buf = 0.5 * [0.5, 0.25] + [1, 1]; w -= 0.2 * buf
  assert.deepEqual(loaded.tolist(), [1.25, 1.125]);
  assert.deepEqual(w.tolist(), [0.75, 1.774999976158142]);
});

Deno.test("loadStateDict rejects state dicts that do not fit", () => {
  const a = param([1, 2]), b = param([3]);
  const opt = new optim.SGD([{ params: [a] }, { params: [b] }], { lr: 0.1, momentum: 0.9 });
  const groups = opt.stateDict().param_groups;
  throwsWith(
    () => opt.loadStateDict({ state: {}, param_groups: [groups[0]] }),
    RangeError,
    /^SGD\.loadStateDict: loaded state dict has a different number of parameter groups \(1, expected 2\)$/,
  );
  throwsWith(
    () => opt.loadStateDict({ state: {}, param_groups: [groups[0], { ...groups[1], params: [1, 2] }] }),
    RangeError,
    /loaded state dict contains a parameter group that doesn't match the size of optimizer's group/,
  );
  throwsWith(
    () => opt.loadStateDict({ state: { 0: { momentum_buffer: tensor([1, 2, 3]) } }, param_groups: groups }),
    RangeError,
    /state momentum_buffer of parameter 0 has shape \[3\], but the parameter has shape \[2\]/,
  );
  throwsWith(
    () => opt.loadStateDict({ state: { 5: {} }, param_groups: groups }),
    RangeError,
    /state refers to parameter index 5, which no parameter group holds/,
  );
  throwsWith(
    () => opt.loadStateDict({ state: { 0: { momentum_buffer: "x" } }, param_groups: groups } as never),
    TypeError,
    /expected state momentum_buffer of parameter 0 to be a Tensor or a number/,
  );
  throwsWith(
    () => opt.loadStateDict({ state: {}, param_groups: [groups[0], { ...groups[1], lr: -1 }] }),
    RangeError,
    /Invalid learning rate: -1/,
  );
  throwsWith(() => opt.loadStateDict(null as never), TypeError, /expected a state dict object, got null/);
  throwsWith(() => opt.loadStateDict({ state: {} } as never), TypeError, /expected param_groups to be an array/);
  // A failed load leaves the optimizer as it was.
  assert.equal(opt.paramGroups[1].lr, 0.1);
});

Deno.test("every optimizer updates float64 parameters in float64 and skips parameters without gradients", () => {
  for (const Cls of [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad, optim.Adadelta, optim.Adamax]) {
    const w = tensor(new Float64Array([1, 2]), { requiresGrad: true });
    const idle = param([5]);
    const opt = new Cls([w, idle], { lr: 0.1 });
    w.grad = tensor(new Float64Array([0.5, -0.5]));
    opt.step();
    assert.equal(w.dtype, "float64");
    assert.notDeepEqual(w.tolist(), [1, 2], Cls.name);
    assert.deepEqual(idle.tolist(), [5], Cls.name);
  }
});

Deno.test("non-contiguous parameters and gradients take the generic path with the same results", () => {
  const base = [0.5, -1, 2, 0.25, -0.75, 1.5];
  const grads = [[0.1, -0.2, 0.3, -0.4, 0.5, -0.6], [-0.3, 0.2, 0.1, 0.6, -0.5, 0.4]];
  const optionsFor: Record<string, Record<string, unknown>> = {
    SGD: { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1 },
    Adam: { lr: 0.1, amsgrad: true },
    AdamW: { lr: 0.1 },
    RMSprop: { lr: 0.1, centered: true, momentum: 0.5 },
    Adagrad: { lr: 0.1 },
    Adadelta: { lr: 0.5 },
    Adamax: { lr: 0.1 },
  };
  for (const Cls of [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad, optim.Adadelta, optim.Adamax]) {
    // Reference: contiguous [3, 2] parameter and gradients.
    const ref = tensor(base, { shape: [3, 2], requiresGrad: true });
    const refOpt = new Cls([ref], optionsFor[Cls.name]);
    // Same values through transposed views: a [2, 3] leaf viewed as [3, 2].
    const storage = tensor(base, { shape: [3, 2] }).t().contiguous(); // [2, 3] holding the transpose
    const view = storage.t().requiresGrad_(); // [3, 2], non-contiguous
    assert.equal(view.isContiguous(), false);
    const viewOpt = new Cls([view], optionsFor[Cls.name]);
    for (const g of grads) {
      ref.grad = tensor(g, { shape: [3, 2] });
      refOpt.step();
      view.grad = tensor(new Float64Array(g), { shape: [3, 2] }).t().contiguous().t(); // float64, non-contiguous
      viewOpt.step();
    }
    const got = view.tolist() as number[][], want = ref.tolist() as number[][];
    got.flat().forEach((v, i) =>
      assert.ok(Math.abs(v - want.flat()[i]) < 1e-6, `${Cls.name}: element ${i}: ${v} vs ${want.flat()[i]}`)
    );
    assert.equal(view.dtype, "float32");
  }
});
