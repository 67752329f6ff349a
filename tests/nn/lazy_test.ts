/**
 * Lazy modules against PyTorch 1.13 (tests/fixtures/lazy, from tools/fixtures/lazy.py): the
 * repr and state-dict keys before the first forward, the class, repr and shapes after it,
 * outputs for loaded weights (also when the weights are loaded into a fresh lazy module), and
 * the errors of inputs PyTorch rejects; then init bounds, optimizers built before the first
 * forward, state-dict round trips in both states, and uninitialized-tensor errors.
 */

import assert from "node:assert/strict";
import { manualSeed, nn, ones, optim, randn, type Tensor, tensor, zeros } from "../../mod.ts";
import { assertMatches, cases, make, type TensorSpec } from "../util/fixture_act.ts";
import { throwsWith } from "../util/fixture_json.ts";

// deno-lint-ignore no-explicit-any
const NN = nn as any;
const all = cases("lazy");

// deno-lint-ignore no-explicit-any
function build(c: any): nn.Module {
  return new NN[c.cls](...c.args, c.opts);
}

const stateOf = (s: Record<string, TensorSpec>): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, make(v)]));

const repr = (m: nn.Module) => String(m);

for (const c of all.filter((c) => c.kind === "module")) {
  const label = `${c.cls}(${JSON.stringify(c.args)}, ${JSON.stringify(c.opts)}) on ${JSON.stringify(c.input.shape)}`;
  Deno.test(`lazy fixture: ${label}`, () => {
    const m = build(c);
    if (c.dtype === "float64") m.double();
    assert.equal(repr(m), c.before.repr);
    assert.deepEqual(Object.keys(m.stateDict()), c.before.keys);
    const params = [...m.parameters()];
    assert.equal(params.length, c.before.params);
    for (const p of params) assert.ok(nn.isLazy(p) && p instanceof nn.Parameter);
    const x = make(c.input);
    m.forward(x);
    assert.equal(m.constructor.name, c.after.cls);
    assert.ok(m instanceof NN[c.after.cls] && !(m instanceof NN[c.cls]) && m instanceof nn.Module);
    assert.equal(repr(m), c.after.repr);
    const sd = m.stateDict();
    assert.deepEqual(Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, [...v.shape]])), c.after.shapes);
    for (const [k, v] of Object.entries(sd)) {
      if (k !== "num_batches_tracked") assert.equal(v.dtype, c.dtype, k);
    }
    // identity kept: the tensors listed before the forward are the module's parameters now
    assert.deepEqual([...m.parameters()], params);
    m.loadStateDict(stateOf(c.state));
    assertMatches(m.forward(x), c.output, `${label}: output`);
    for (const [k, v] of Object.entries(m.stateDict())) assertMatches(v, c.stateAfter[k], `${label}: ${k}`);
    // the same weights loaded into a fresh lazy module (materialized by loadStateDict)
    const fresh = build(c);
    if (c.dtype === "float64") fresh.double();
    fresh.loadStateDict(stateOf(c.state));
    assert.equal(fresh.constructor.name, c.loadedCls);
    assertMatches(fresh.forward(x), c.output, `${label}: output after loading into a lazy module`);
    assert.equal(fresh.constructor.name, c.becameCls);
  });
}

const ERRORS: Record<string, RegExp> = {
  "LazyConv1d [5]":
    /^LazyConv1d\.forward: expected 2D \(unbatched\) or 3D \(batched\) input to LazyConv1d, but got input of size: \[5\]$/,
  "LazyConv2d [2,5]":
    /^LazyConv2d\.forward: expected 3D \(unbatched\) or 4D \(batched\) input to LazyConv2d, but got input of size: \[2, 5\]$/,
  "LazyConv2d [1,3,5,5]": /^LazyConv2d\.forward: in_channels must be divisible by groups, got 3 channels and groups 2$/,
  "LazyConvTranspose1d [3,5]":
    /^LazyConvTranspose1d\.forward: in_channels must be divisible by groups, got 3 channels and groups 2$/,
  "LazyConv3d [1,2,3,3,3,3]": /^LazyConv3d\.forward: expected 4D \(unbatched\) or 5D \(batched\) input to LazyConv3d/,
  "LazyLinear []":
    /^LazyLinear\.forward: expected input with at least 1 dimension \(\*, in_features\), got shape \[\]$/,
  "LazyBatchNorm1d [3]":
    /^LazyBatchNorm1d\.forward: expected input with at least 2 dimensions to infer numFeatures from dim 1, got shape \[3\]$/,
  // PyTorch materializes first, then the regular forward rejects the rank
  "LazyBatchNorm2d [3,5]": /^BatchNorm2d\.forward: expected 4D input \(got 2D input\)$/,
  "LazyInstanceNorm2d [3,5]": /^InstanceNorm2d\.forward: expected 3D or 4D input \(got 2D input\)$/,
};

Deno.test("lazy fixture: the first forwards PyTorch rejects", () => {
  const errs = all.filter((c) => c.kind === "error");
  assert.equal(errs.length, Object.keys(ERRORS).length);
  for (const c of errs) {
    const key = `${c.cls} ${JSON.stringify(c.inputShape)}`;
    assert.ok(ERRORS[key], `no expectation for ${key} (PyTorch: ${c.error})`);
    throwsWith(() => build(c).forward(c.inputShape.length ? randn(c.inputShape) : zeros([])), RangeError, ERRORS[key]);
  }
});

Deno.test("lazy: init bounds after materialization", () => {
  const within = (t: Tensor, b: number) => {
    const v = Array.from(t.toArray() as Float32Array);
    assert.ok(v.every((x) => Math.abs(x) <= b), `|x| <= ${b}`);
    assert.ok(new Set(v).size > v.length / 2, "values are drawn, not constant");
    // With n draws all below b/2 has probability 2^-n: only checked where that is negligible.
    if (v.length >= 32) assert.ok(Math.max(...v.map(Math.abs)) > b / 2, "the range is used");
  };
  manualSeed(0);
  const lin = new nn.LazyLinear(50);
  lin.forward(randn([2, 40]));
  within(lin.weight, 1 / Math.sqrt(40));
  within(lin.bias!, 1 / Math.sqrt(40));
  const conv = new nn.LazyConv2d(8, 3, { groups: 2 });
  conv.forward(randn([1, 4, 5, 5]));
  within(conv.weight, 1 / Math.sqrt(2 * 9)); // fanIn = (4 / groups) * 3 * 3
  within(conv.bias!, 1 / Math.sqrt(2 * 9));
  const convT = new nn.LazyConvTranspose1d(6, 2, { groups: 3 });
  convT.forward(randn([1, 9, 4]));
  assert.deepEqual(convT.weight.shape, [9, 2, 2]);
  within(convT.weight, 1 / Math.sqrt(2 * 2)); // fanIn = weight.shape[1] * k
  const bn = new nn.LazyBatchNorm2d().eval();
  bn.forward(randn([2, 3, 2, 2]));
  assert.deepEqual(bn.weight!.tolist(), [1, 1, 1]);
  assert.deepEqual(bn.bias!.tolist(), [0, 0, 0]);
  assert.deepEqual(bn.running_mean!.tolist(), [0, 0, 0]);
  assert.deepEqual(bn.running_var!.tolist(), [1, 1, 1]);
  assert.equal(bn.num_batches_tracked!.item(), 0);
  assert.equal(bn.numFeatures, 3);
});

Deno.test("lazy: an optimizer built before the first forward updates the materialized parameters", () => {
  const m = new nn.Sequential(new nn.LazyLinear(4), new nn.ReLU(), new nn.LazyLinear(2));
  const params = [...m.parameters()];
  assert.equal(params.length, 4);
  const opt = new optim.Adam(m.parameters(), { lr: 0.01 });
  const x = randn([8, 3]);
  const before = m.forward(x).pow(2).mean().item();
  assert.deepEqual([...m.parameters()], params);
  assert.deepEqual(params.map((p) => p.shape), [[4, 3], [4], [2, 4], [2]]);
  for (let i = 0; i < 20; i++) {
    opt.zeroGrad();
    m.forward(x).pow(2).mean().backward();
    opt.step();
  }
  assert.ok(m.forward(x).pow(2).mean().item() < before);
  assert.ok(params.every((p) => p.grad !== null && p.requiresGrad && p.isLeaf));
  assert.deepEqual(Object.keys(m.stateDict()), ["0.weight", "0.bias", "2.weight", "2.bias"]);
  assert.equal(String(m).split("\n")[1], "  (0): Linear(in_features=3, out_features=4, bias=True)");
});

Deno.test("lazy: uninitialized parameters hold no shape and refuse math", () => {
  const m = new nn.LazyLinear(3);
  assert.ok(m instanceof nn.Linear && m instanceof nn.LazyLinear);
  assert.equal(m.inFeatures, 0);
  assert.ok(m.weight instanceof nn.UninitializedParameter && m.weight instanceof nn.Parameter);
  assert.equal(String(m.weight), "<UninitializedParameter>");
  assert.equal(m.weight.requiresGrad, true);
  const shapeMsg = /^UninitializedParameter: can't access the shape of an uninitialized parameter or buffer/;
  throwsWith(() => m.weight.shape, RangeError, shapeMsg);
  throwsWith(() => m.weight.add(1), RangeError, shapeMsg);
  throwsWith(() => nn.functional.linear(randn([2, 3]), m.weight), RangeError, shapeMsg);
  // an uninitialized state dict cannot be loaded into an initialized module (PyTorch's error too)
  throwsWith(() => new nn.Linear(2, 3).loadStateDict(m.stateDict()), RangeError, shapeMsg);
  const bn = new nn.LazyBatchNorm1d();
  assert.ok(bn.running_mean instanceof nn.UninitializedBuffer && !(bn.running_mean instanceof nn.Parameter));
  assert.equal(bn.num_batches_tracked!.item(), 0);
  throwsWith(() => bn.running_mean!.shape, RangeError, /^UninitializedBuffer: can't access the shape/);
  assert.deepEqual([...bn.buffers()].length, 3);
});

Deno.test("lazy: stateDict and loadStateDict in both states", () => {
  const a = new nn.LazyLinear(3), b = new nn.LazyLinear(3);
  const sd = a.stateDict();
  assert.ok(sd.weight === a.weight && sd.bias === a.bias); // uninitialized entries are the tensors themselves
  assert.deepEqual(b.loadStateDict(sd), { missingKeys: [], unexpectedKeys: [] });
  assert.ok(nn.isLazy(b.weight) && b instanceof nn.LazyLinear);
  // a partial load materializes what it has; strict then reports the missing key, as PyTorch
  const c = new nn.LazyLinear(3);
  throwsWith(
    () => c.loadStateDict({ weight: randn([3, 5]) }),
    RangeError,
    /^LazyLinear\.loadStateDict: Error\(s\) in loading state_dict for LazyLinear:\n\tMissing key\(s\) in state_dict: "bias"\. $/,
  );
  assert.deepEqual(c.weight.shape, [3, 5]);
  assert.ok(nn.isLazy(c.bias));
  assert.deepEqual(c.loadStateDict({ weight: randn([3, 5]) }, { strict: false }).missingKeys, ["bias"]);
  // materialized by loading: forward works, and in_features follows the loaded weight
  const src = new nn.Linear(5, 3);
  const d = new nn.LazyLinear(3);
  d.loadStateDict(src.stateDict());
  assert.equal(d.inFeatures, 5);
  const x = randn([2, 5]);
  assert.deepEqual(d.forward(x).toArray(), src.forward(x).toArray());
  assert.ok(d instanceof nn.Linear && !(d instanceof nn.LazyLinear));
  // unexpected keys are still errors
  throwsWith(
    () => new nn.LazyLinear(3).loadStateDict({ ...src.stateDict(), extra: zeros([1]) }),
    RangeError,
    /Unexpected key\(s\) in state_dict: "extra"/,
  );
});

Deno.test("lazy: a container loads into uninitialized children, which materialize with the loaded shapes", () => {
  const m = new nn.Sequential(new nn.LazyLinear(3), new nn.ReLU(), new nn.LazyLinear(2));
  m.loadStateDict({
    "0.weight": zeros([3, 4]),
    "0.bias": tensor([1, 2, 3]),
    "2.weight": ones([2, 3]),
    "2.bias": zeros([2]),
  });
  const first = m.get(0) as nn.Linear;
  assert.deepEqual(first.weight.shape, [3, 4]);
  assert.equal(first.inFeatures, 4);
  assert.deepEqual(m.forward(randn([1, 4])).tolist(), [[6, 6]]);
  assert.ok(m.get(0) instanceof nn.Linear);
  // A missing key still fails the strict load, naming the key.
  throwsWith(
    () => new nn.Sequential(new nn.LazyLinear(3)).loadStateDict({ "0.weight": zeros([3, 4]) }),
    RangeError,
    /Missing key\(s\) in state_dict: "0\.bias"/,
  );
});

Deno.test("lazy: dtype conversion before materialization, the dtype option, and the module after it", () => {
  const m = new nn.LazyLinear(3).double();
  assert.equal(m.weight.dtype, "float64");
  assert.ok(nn.isLazy(m.weight));
  m.forward(randn([2, 4], { dtype: "float64" }));
  assert.equal(m.weight.dtype, "float64");
  const n = new nn.LazyConv1d(2, 1, { dtype: "float64" });
  assert.equal(n.weight.dtype, "float64");
  n.forward(randn([1, 3, 4], { dtype: "float64" }));
  assert.equal(n.weight.dtype, "float64");
  const bn = new nn.LazyBatchNorm1d({ dtype: "float64" });
  assert.equal(bn.running_var!.dtype, "float64");
  // after materialization the module is an ordinary one: fields register through the Proxy, hooks run
  const extra = new nn.Parameter(zeros([2]));
  (m as unknown as { extra: nn.Parameter }).extra = extra;
  assert.deepEqual(Object.keys(m.stateDict()), ["weight", "bias", "extra"]);
  let seen = 0;
  m.registerForwardHook(() => void seen++);
  m.forward(randn([1, 4], { dtype: "float64" }));
  assert.equal(seen, 1);
});

Deno.test("lazy: user forward pre-hooks run after the module materialized", () => {
  const m = new nn.LazyLinear(2);
  let name = "";
  m.registerForwardPreHook((mod) => void (name = `${mod.constructor.name} ${nn.isLazy((mod as nn.Linear).weight)}`));
  m.forward(randn([1, 3]));
  assert.equal(name, "Linear false");
});

Deno.test("lazy: constructor arguments and errors", () => {
  const inorm = new nn.LazyInstanceNorm1d();
  assert.ok(inorm.affine && inorm.trackRunningStats); // PyTorch 1.13's lazy defaults
  const inorm2 = new nn.LazyInstanceNorm1d(1e-3, 0.1, false);
  assert.ok(!inorm2.affine && inorm2.trackRunningStats && inorm2.eps === 1e-3);
  const inorm3 = new nn.LazyInstanceNorm2d({ trackRunningStats: false });
  assert.ok(inorm3.affine && !inorm3.trackRunningStats);
  const bn = new nn.LazyBatchNorm1d(1e-3, 0.2, false);
  assert.ok(bn.eps === 1e-3 && bn.momentum === 0.2 && !bn.affine && bn.weight === null);
  const conv = new nn.LazyConv2d(4, 3, 1, 1, 1, 2, false); // PyTorch positionals: stride, padding, dilation, groups, bias
  assert.ok(conv.groups === 2 && conv.bias === null && conv.inChannels === 0);
  assert.deepEqual(new nn.LazyLinear(3, false).bias, null);
  throwsWith(
    () => new nn.LazyConv2d(5, 3, { groups: 2 }),
    RangeError,
    /^LazyConv2d: outChannels must be divisible by groups$/,
  );
  throwsWith(
    () => new nn.LazyConv2d(4, 3, { groups: 0 }),
    TypeError,
    /^LazyConv2d: expected groups to be a positive integer/,
  );
  throwsWith(
    () => new nn.LazyLinear(-1),
    TypeError,
    /^LazyLinear: expected outFeatures to be a non-negative integer, got number -1$/,
  );
  throwsWith(
    () => new nn.LazyLinear(3, { in_features: 2 } as never),
    TypeError,
    /^LazyLinear: unknown option "in_features"/,
  );
  throwsWith(() => new nn.LazyBatchNorm1d({ foo: 1 } as never), TypeError, /^LazyBatchNorm1d: unknown option "foo"/);
  throwsWith(() => new nn.LazyInstanceNorm3d({ eps: "x" } as never), TypeError, /^LazyInstanceNorm3d: /);
});

Deno.test("UninitializedParameter / UninitializedBuffer: materialize and conversions", () => {
  const p = new nn.UninitializedParameter();
  assert.equal(p.dtype, "float32");
  const q = p.to("float64");
  assert.ok(q !== p && q instanceof nn.UninitializedParameter && q.dtype === "float64");
  assert.equal(p.to("float32"), p);
  p.materialize([2, 3], { dtype: "float64" });
  const t: Tensor = p;
  assert.ok(t instanceof nn.Parameter && !nn.isLazy(t));
  assert.deepEqual([t.shape, t.dtype, t.requiresGrad], [[2, 3], "float64", true]);
  const b = new nn.UninitializedBuffer(false, { dtype: "float64" });
  b.materialize([4]);
  assert.deepEqual([b.shape, b.dtype, b.requiresGrad, b.constructor.name], [[4], "float64", false, "Tensor"]);
  throwsWith(
    () => new nn.UninitializedParameter().materialize([2, -1]),
    TypeError,
    /^UninitializedParameter\.materialize: expected shape to be an array of non-negative integers, got \[2,-1\]$/,
  );
  throwsWith(
    () => new nn.UninitializedParameter("yes" as never),
    TypeError,
    /^UninitializedParameter: expected requiresGrad to be a boolean/,
  );
  throwsWith(
    () => new nn.UninitializedBuffer(false, { size: 2 } as never),
    TypeError,
    /^UninitializedBuffer: unknown option "size"/,
  );
});
