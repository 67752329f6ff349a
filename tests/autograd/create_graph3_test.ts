/**
 * Higher-order gradients (`createGraph`) through batch normalization, upsampling, the
 * remaining elementwise activations, index_select/gather/scatter/scatter_add/index_add, prod
 * and max/min, against PyTorch fixtures (tools/fixtures/create_graph3.py): Hessian-vector
 * products and a gradient penalty through a conv + BatchNorm + upsample generator; float64
 * finite-difference checks of first-order gradient functions; and the clear error of the
 * backwards that remain once-differentiable.
 */

import assert from "node:assert/strict";
import { autograd, enableGrad, nn, type Tensor, tensor } from "../../mod.ts";
import { assertMatches, cases, make, type TensorSpec } from "../util/fixture_act.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";
import { checkHvp, tol2 } from "../util/hvp.ts";

const F = nn.functional;

const cube = (t: Tensor) => t.tanh().pow(3).sum().add(t.pow(2).sum());
const act = (f: (x: Tensor) => Tensor) => (x: Tensor) => cube(f(x).mul(x.sin())).add(f(x.mul(x)).sum());
const bnTrain = (x: Tensor, w: Tensor, b: Tensor) =>
  cube(F.batchNorm(x, null, null, w, b, true, 0.1, 1e-3).mul(x.cos()));

/** The functions of tools/fixtures/create_graph3.py, by the same names (constants last). */
const FNS: Record<string, (...xs: Tensor[]) => Tensor> = {
  elu: act((x) => F.elu(x, 1.3)),
  selu: act((x) => F.selu(x)),
  celu: act((x) => F.celu(x, 0.7)),
  hardswish: act((x) => F.hardswish(x)),
  mish: act((x) => F.mish(x)),
  softsign: act((x) => F.softsign(x)),
  gelu_tanh: act((x) => F.gelu(x, { approximate: "tanh" })),
  softshrink: act((x) => F.softshrink(x, 0.4)),
  hardshrink: act((x) => F.hardshrink(x, 0.3)),
  threshold: act((x) => F.threshold(x, 0.2, -1)),
  hardtanh: act((x) => F.hardtanh(x, -0.5, 0.8)),
  bn_train: bnTrain,
  bn_train_noaffine: (x) => cube(F.batchNorm(x, null, null, null, null, true).mul(x)),
  bn_eval: (x, w, b, rm, rv) => cube(F.batchNorm(x, rm, rv, w, b, false, 0.1, 1e-3).mul(x.cos())),
  up_nearest1d: (x) => cube(F.interpolate(x.mul(x.sin()), { scaleFactor: 2.5, mode: "nearest" })),
  up_nearest2d: (x) => cube(F.interpolate(x.mul(x.sin()), { size: [5, 3], mode: "nearest" })),
  up_nearest3d: (x) => cube(F.interpolate(x.mul(x.sin()), { scaleFactor: 2, mode: "nearest" })),
  up_linear: (x) => cube(F.interpolate(x.mul(x.sin()), { size: 7, mode: "linear", alignCorners: false })),
  up_bilinear: (x) =>
    cube(F.interpolate(x.mul(x.sin()), { scaleFactor: [2, 1.5], mode: "bilinear", alignCorners: false })),
  up_bilinear_ac: (x) => cube(F.interpolate(x.mul(x.sin()), { size: [4, 5], mode: "bilinear", alignCorners: true })),
  up_trilinear: (x) => cube(F.interpolate(x.mul(x.sin()), { scaleFactor: 2, mode: "trilinear" })),
  index_select: (x, i) => cube(x.indexSelect(1, i).mul(x.sum())),
  gather: (x, i) => cube(x.gather(1, i).mul(x.sin().sum())),
  scatter: (x, s, i) => cube(x.scatter(1, i, s.mul(s)).mul(x)),
  scatter_add: (x, s, i) => cube(x.scatterAdd(0, i, s.sin()).mul(x.cos())),
  index_add: (x, s, i) => cube(x.indexAdd(1, i, s.mul(s)).mul(x)),
  prod_dim: (x) => cube(x.prod(1)).add(x.prod(0, true).sum().pow(2)),
  prod_all: (x) => x.prod().pow(2).add(x.prod()),
  max_dim: (x) => cube(x.max(1)[0].mul(x.min(0)[0].sum())),
  max_all: (x) => x.max().pow(3).add(x.min().mul(x.sum())),
};

// deno-lint-ignore no-explicit-any
const all = cases("create_graph3") as any[];

for (const c of all.filter((c) => c.kind === "hvp")) {
  Deno.test(`createGraph HVP: ${c.name}`, () => checkHvp(c, FNS[c.fn]));
}

/** The generator of the fixture: conv, BatchNorm, ReLU, bilinear upsample, conv, nearest upsample, tanh. */
function generator(z: Tensor, p: Tensor[]): Tensor {
  const [w1, b1, g1, s1, w2, b2] = p;
  let h = F.conv2d(z, w1, b1, { padding: 1 });
  h = F.relu(F.batchNorm(h, null, null, g1, s1, true));
  h = F.interpolate(h, { scaleFactor: 2, mode: "bilinear", alignCorners: false });
  h = F.interpolate(F.conv2d(h, w2, b2, { padding: 1 }), { scaleFactor: 2, mode: "nearest" });
  return h.tanh();
}

for (const c of all.filter((c) => c.kind === "gen_penalty")) {
  Deno.test(`createGraph generator gradient penalty: ${c.name}`, () => {
    const ps = (c.params as TensorSpec[]).map((s) => make(s, true));
    const z = make(c.z, true);
    const loss = generator(z, ps).pow(2).mean();
    assertMatches(loss, c.loss, `${c.name}: loss`);
    const [gz] = autograd.grad(loss, [z], null, { createGraph: true });
    assertMatches(gz!, c.gradZ, `${c.name}: dloss/dz`);
    const pen = gz!.flatten(1).norm(2, 1).sub(1).pow(2).mean();
    assertMatches(pen, c.penalty, `${c.name}: penalty`, tol2(c.penalty.dtype));
    const total = loss.add(pen.mul(10));
    assertMatches(total, c.total, `${c.name}: total`, tol2(c.total.dtype));
    const gs = autograd.grad(total, [...ps, z]);
    gs.forEach((g, i) => assertMatches(g!, c.grads[i], `${c.name}: grad ${i}`, tol2(c.grads[i].dtype)));
  });
}

Deno.test("createGraph3: the fixture holds every case", () => {
  assert.ok(all.length >= 42, `expected the fixture cases, got ${all.length}`);
});

/** The gradients of `f` with createGraph, as a function gradcheck can differentiate. */
const gradOf = (f: (...xs: Tensor[]) => Tensor) => (...xs: Tensor[]) =>
  enableGrad(() => autograd.grad(f(...xs), xs, null, { createGraph: true }) as Tensor[]);

Deno.test("createGraph3: first-order gradients of the activations pass gradcheck in float64", () => {
  // Away from the kinks (|x| stays clear of 0, ±0.3, ±0.4, 0.2, -0.5, 0.8 and ±3 by more than the step).
  const x = tensor([[-3.7, -2.2, -1.1, -0.62], [-0.35, 0.05, 0.27, 0.55], [0.95, 1.6, 2.4, 3.5]], {
    dtype: "float64",
    requiresGrad: true,
  });
  for (const f of Object.keys(FNS).slice(0, 11)) gradcheck(gradOf(FNS[f]), [x]);
});

Deno.test("createGraph3: first-order gradients of batch norm and upsampling pass gradcheck in float64", () => {
  const w = randomDouble([3], 2, 0.5, 1.5), b = randomDouble([3], 3);
  for (const shape of [[4, 3], [2, 3, 4], [2, 3, 2, 2], [2, 3, 1, 2, 2]]) {
    gradcheck(gradOf(bnTrain), [randomDouble(shape, 1), w, b]);
  }
  const rm = randomDouble([3], 4, -1, 1, false), rv = randomDouble([3], 5, 0.5, 2, false);
  gradcheck(gradOf((a, ww, bb) => FNS.bn_eval(a, ww, bb, rm, rv)), [randomDouble([2, 3, 3], 6), w, b]);
  gradcheck(gradOf(FNS.up_bilinear_ac), [randomDouble([1, 2, 3, 3], 7)]);
  gradcheck(gradOf(FNS.up_trilinear), [randomDouble([1, 1, 2, 2, 2], 8)]);
  gradcheck(gradOf(FNS.up_nearest2d), [randomDouble([1, 1, 3, 2], 9)]);
});

Deno.test("createGraph3: first-order gradients of indexing, prod and max/min pass gradcheck in float64", () => {
  const x = randomDouble([3, 4], 10), s = randomDouble([3, 3], 11), s2 = randomDouble([3, 2], 12);
  const i1 = tensor([3, 0, 3], { dtype: "int64" });
  const i2 = tensor([[0, 3], [2, 2], [1, 0]], { dtype: "int64" });
  gradcheck(gradOf((a) => FNS.index_select(a, i1)), [x]);
  gradcheck(gradOf((a) => FNS.gather(a, i2)), [x]);
  // scatter with distinct targets per row (with repeats, which write wins is unspecified).
  const i3 = tensor([[0, 3], [2, 1], [1, 0]], { dtype: "int64" });
  gradcheck(gradOf((a, b) => FNS.scatter(a, b, i3)), [x, s2]);
  gradcheck(gradOf((a, b) => FNS.scatter_add(a, b, tensor([[0, 2, 2, 1], [2, 2, 0, 1]], { dtype: "int64" }))), [
    x,
    randomDouble([2, 4], 13),
  ]);
  gradcheck(gradOf((a, b) => FNS.index_add(a, b, i1)), [x, s]);
  gradcheck(gradOf(FNS.prod_dim), [randomDouble([3, 4], 14, 0.5, 1.5)]);
  gradcheck(gradOf(FNS.prod_all), [randomDouble([2, 3], 15, 0.5, 1.5)]);
  // With a zero in a slice, the exclusive-product form (PyTorch's prod_safe_zeros_backward).
  const z = tensor([[0.5, 0, 1.5, 2], [0.9, 1.1, 1.2, 0.7]], { dtype: "float64", requiresGrad: true });
  gradcheck(gradOf((a) => cube(a.prod(1))), [z]);
  gradcheck(gradOf((a) => a.prod().pow(2)), [z]);
  gradcheck(gradOf(FNS.max_dim), [randomDouble([3, 4], 16, -2, 2)]);
  gradcheck(gradOf(FNS.max_all), [randomDouble([3, 4], 17, -2, 2)]);
});

Deno.test("createGraph3: batch norm without createGraph keeps the native backward", () => {
  const x = randomDouble([3, 2, 2], 20), w = randomDouble([2], 21);
  const [gx, gw] = autograd.grad(F.batchNorm(x, null, null, w, null, true).pow(3).sum(), [x, w]);
  assert.equal(gx!.requiresGrad, false);
  assert.equal(gw!.gradFn, null);
  // The same gradients as the composed ones of a backward with createGraph.
  const [hx, hw] = autograd.grad(F.batchNorm(x, null, null, w, null, true).pow(3).sum(), [x, w], null, {
    createGraph: true,
  });
  assert.ok(hx!.requiresGrad);
  assertClose(hx!.toArray() as Float64Array, gx!.toArray() as Float64Array, 1e-12, 1e-10, "dx");
  assertClose(hw!.toArray() as Float64Array, gw!.toArray() as Float64Array, 1e-12, 1e-10, "dw");
});

Deno.test("createGraph3: hardsigmoid stays once-differentiable, as in PyTorch 1.13", () => {
  // PyTorch: "derivative for aten::hardsigmoid_backward is not implemented".
  const x = randomDouble([5], 30, -4, 4);
  const [gx] = autograd.grad(F.hardsigmoid(x).mul(x).sum(), [x], null, { createGraph: true });
  assert.ok(gx!.requiresGrad);
  throwsWith(
    () => autograd.grad(gx!.sum(), [x]),
    Error,
    /^backward: HardsigmoidBackward is not differentiable twice in denotorch/,
  );
});

Deno.test("createGraph3: the recurrent layers' fused kernels stay once-differentiable and say so", () => {
  const x = randomDouble([4, 2], 40);
  const runs: (() => Tensor)[] = [
    () => new nn.LSTM(2, 3).double().forward(x)[0],
    () => new nn.GRU(2, 3).double().forward(x)[0],
    () => new nn.RNN(2, 3).double().forward(x)[0],
    () => new nn.GRUCell(2, 3).double().forward(x),
  ];
  for (const run of runs) {
    const y = run();
    const [gx] = autograd.grad(y.pow(2).sum(), [x], null, { createGraph: true });
    assert.ok(gx!.requiresGrad);
    throwsWith(
      () => autograd.grad(gx!.sum(), [x]),
      Error,
      /^backward: (LSTM|GRU|RNNTanh)Backward is not differentiable twice in denotorch/,
    );
  }
});
