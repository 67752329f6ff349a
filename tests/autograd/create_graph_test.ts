/**
 * Higher-order gradients (`createGraph`) against PyTorch fixtures (tools/fixtures/create_graph.py):
 * gradients taken with createGraph, Hessian-vector products, a gradient penalty, third
 * derivatives through autograd.grad, the error of a backward that is not twice-differentiable,
 * and a finite-difference check of first-order gradient functions.
 */

import assert from "node:assert/strict";
import { autograd, cat, enableGrad, nn, randn, stack, type Tensor, tensor } from "../../mod.ts";
import { cases, make, type TensorSpec, values } from "../util/fixture_act.ts";
import { assertMatches } from "../util/fixture_act.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";
import { assertGrad, checkHvp, tol2 } from "../util/hvp.ts";

const F = nn.functional;
const NOT_TWICE = /^backward: (\w+) is not differentiable twice in denotorch/;

function mlp(x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor, act: (t: Tensor) => Tensor = (t) => t.tanh()) {
  return F.linear(act(F.linear(x, w1, b1)), w2, b2);
}

/** The functions of tools/fixtures/create_graph.py, by the same names. */
const FNS: Record<string, (...xs: Tensor[]) => Tensor> = {
  cube: (x) => x.pow(3).sum(),
  arith: (x, y) => x.mul(y).add(x.div(y)).sub(x.sub(y).pow(2).mul(0.5)).add(x.mul(3)).sub(y.div(2)).sum(),
  exp_log_sqrt: (x, y) => x.exp().mul(y.log()).add(y.sqrt().mul(x)).sum(),
  tanh_sigmoid: (x, y) => x.tanh().mul(y.sigmoid()).sum(),
  relu_softplus: (x, y) => F.softplus(x).mul(y).add(x.relu().mul(y).mul(y)).sum(),
  abs_neg: (x, y) => x.abs().mul(y.neg()).add(x.neg().pow(2).mul(y.abs())).sum(),
  gelu_silu: (x, y) => F.gelu(x).mul(F.silu(y)).sum(),
  broadcast: (x, y) => x.mul(y).pow(2).sum().add(x.add(y).exp().mean()).add(x.sub(y).sum(1).pow(2).sum()),
  pow_tensor: (x, y) => x.pow(y).sum(),
  mean_views: (x) =>
    x.t().reshape(6).unsqueeze(0).expand(2, 6).pow(3).sum()
      .add(x.mean(1).pow(2).sum())
      .add(x.view(3, 2).permute(1, 0).squeeze().mean().mul(x.sum())),
  matmul: (a, b) => a.matmul(b).tanh().sum(),
  mm_vec: (a, v) => a.matmul(v).pow(2).sum(),
  bmm: (a, b) => a.bmm(b).pow(2).sum().add(a.bmm(b).sigmoid().sum()),
  linear: (x, w, b) => F.linear(x, w, b).sigmoid().pow(2).sum(),
  linear_nobias_3d: (x, w) => F.linear(x, w).tanh().sum(),
  mlp_tanh: (x, w1, b1, w2, b2) => mlp(x, w1, b1, w2, b2).pow(2).sum(),
  mlp_softplus: (x, w1, b1, w2, b2) => mlp(x, w1, b1, w2, b2, (t) => F.softplus(t)).sum(),
  slices_cat: (x, y) => {
    const c = cat([x.narrow(1, 1, 2).pow(2), y.select(0, 1).narrow(0, 0, 2).unsqueeze(0).exp()], 0);
    const st = stack([x.select(1, 0), y.select(1, 2)], 1).sum();
    let r = c.mul(st).sum();
    for (const ch of x.chunk(2, 1)) r = r.add(ch.tanh().sum().mul(ch.sum()));
    return r.add(x.flatten().pow(3).sum());
  },
  var_std_norm_lse: (x) =>
    x.var(1).sum()
      .add(x.std(0, { unbiased: false }).pow(3).sum())
      .add(x.norm(2).mul(x.sum()))
      .add(x.norm(3, 1).sum())
      .add(x.logsumexp(1).pow(2).sum()),
};

const ACTS: Record<string, (t: Tensor) => Tensor> = {
  tanh: (t) => t.tanh(),
  relu: (t) => t.relu(),
  sigmoid: (t) => t.sigmoid(),
};

// deno-lint-ignore no-explicit-any
const all = cases("create_graph") as any[];

for (const c of all.filter((c) => c.kind === "hvp")) {
  Deno.test(`createGraph HVP: ${c.name}`, () => checkHvp(c, FNS[c.fn], (i) => c.gradsRequireGrad[i]));
}

for (const c of all.filter((c) => c.kind === "penalty")) {
  Deno.test(`createGraph gradient penalty: ${c.name}`, () => {
    const ps = (c.params as TensorSpec[]).map((s) => make(s, true));
    const x = make(c.x, true);
    const f = mlp(x, ps[0], ps[1], ps[2], ps[3], ACTS[c.act]).sum();
    const [gx] = autograd.grad(f, [x], null, { createGraph: true });
    assertMatches(gx!, c.gradX, `${c.name}: dx`);
    const pen = gx!.pow(2).sum();
    assertMatches(pen, c.penalty, `${c.name}: penalty`, tol2(c.penalty.dtype));
    const gs = autograd.grad(pen, [...ps, x], null, { allowUnused: true });
    gs.forEach((g, i) => assertGrad(g, c.grads[i], [...ps, x][i], `${c.name}: grad ${i}`));
  });
}

Deno.test("createGraph: third derivative of x³ through autograd.grad twice", () => {
  const x = tensor([2, -1.5, 0.5], { dtype: "float64", requiresGrad: true });
  const [g1] = autograd.grad(x.pow(3).sum(), [x], null, { createGraph: true });
  const [g2] = autograd.grad(g1!.sum(), [x], null, { createGraph: true });
  const [g3] = autograd.grad(g2!.sum(), [x]);
  assert.deepEqual(g1!.tolist(), [12, 6.75, 0.75]);
  assert.deepEqual(g2!.tolist(), [12, -9, 3]);
  assert.deepEqual(g3!.tolist(), [6, 6, 6]);
  assert.equal(g3!.requiresGrad, false);
});

Deno.test("createGraph: a gradOutput that requires grad (the double-backward trick gives J w)", () => {
  const x = tensor([0.3, -1.2, 2], { dtype: "float64", requiresGrad: true });
  const v = tensor([1, 1, 1], { dtype: "float64", requiresGrad: true });
  const w = tensor([0.5, 2, -1], { dtype: "float64" });
  // u = Jᵀ v for y = tanh(x) (J diagonal); d(u·w)/dv = J w = (1 - tanh²(x)) w.
  const [u] = autograd.grad(x.tanh(), [x], [v], { createGraph: true });
  const [jw] = autograd.grad(u!.mul(w).sum(), [v]);
  const t = (x.tolist() as number[]).map(Math.tanh);
  assertClose(jw!.tolist() as number[], t.map((ti, i) => (1 - ti * ti) * [0.5, 2, -1][i]), 1e-14, 1e-14);
});

Deno.test("createGraph: .grad accumulated by backward requires grad and differentiates again", () => {
  const x = tensor([1, 2], { dtype: "float64", requiresGrad: true });
  x.pow(3).sum().backward(undefined, { createGraph: true });
  assert.ok(x.grad!.requiresGrad);
  assert.deepEqual(x.grad!.tolist(), [3, 12]);
  // A second backward adds out of place and keeps the graph: .grad = 3x² + 2x.
  x.pow(2).sum().backward(undefined, { createGraph: true });
  assert.deepEqual(x.grad!.tolist(), [5, 16]);
  const [h] = autograd.grad(x.grad!.sum(), [x]);
  assert.deepEqual(h!.tolist(), [8, 14]); // 6x + 2
  // autograd.backward takes the option too.
  const y = tensor([3], { dtype: "float64", requiresGrad: true });
  autograd.backward([y.exp().sum()], null, { createGraph: true });
  assert.ok(y.grad!.requiresGrad);
});

Deno.test("createGraph: retainGraph defaults to createGraph; without it nothing is recorded", () => {
  const x = tensor([0.5], { dtype: "float64", requiresGrad: true });
  const y = x.tanh().sum();
  const [g] = autograd.grad(y, [x], null, { createGraph: true });
  // The graph was retained: a second backward through y works.
  const [again] = autograd.grad(y, [x]);
  assert.equal(again!.item(), g!.item());
  assert.equal(again!.requiresGrad, false);
  assert.equal(again!.gradFn, null);
  const z = x.tanh().sum();
  z.backward();
  assert.equal(x.grad!.requiresGrad, false);
  throwsWith(() => z.backward(), Error, /backward through the graph a second time/);
});

Deno.test("createGraph: a backward that is not twice-differentiable throws naming its op", () => {
  // CTC loss keeps its native backward (conv, pooling, upsampling and the activations are
  // twice-differentiable: tests/autograd/create_graph2_test.ts, create_graph3_test.ts).
  const x = randomDouble([4, 1, 3]);
  const targets = tensor([[1, 2]], { dtype: "int64" });
  const ctc = (a: Tensor) => F.ctcLoss(F.logSoftmax(a, 2), targets, [4], [2]);
  const [gx] = autograd.grad(ctc(x), [x], null, { createGraph: true });
  assert.ok(gx!.requiresGrad);
  throwsWith(
    () => autograd.grad(gx!.sum(), [x]),
    Error,
    /^backward: CtcLossBackward is not differentiable twice/,
  );
  // The same gradient through .grad.
  const y = randomDouble([4, 1, 3], 2);
  ctc(y.mul(y)).backward(undefined, { createGraph: true });
  const m = y.grad!.sum();
  try {
    m.backward();
    assert.fail("expected an error");
  } catch (e) {
    assert.match((e as Error).message, NOT_TWICE);
    assert.match((e as Error).message, /CtcLossBackward/);
  }
  // A native backward that no second backward reaches is harmless.
  const [gz] = autograd.grad(ctc(randomDouble([4, 1, 3], 3)).mul(2), [x], null, {
    createGraph: true,
    allowUnused: true,
  });
  assert.equal(gz, null);
  const [gw] = autograd.grad(ctc(x), [x], null, { createGraph: true });
  assert.ok(gw!.requiresGrad);
});

Deno.test("createGraph: first-order gradient functions pass gradcheck in float64", () => {
  // gradcheck also evaluates the function inside noGrad (finite differences): enableGrad.
  const gradOf = (f: (...xs: Tensor[]) => Tensor) => (...xs: Tensor[]) =>
    enableGrad(() => autograd.grad(f(...xs), xs, null, { createGraph: true }) as Tensor[]);
  const x = randomDouble([2, 3], 1);
  const y = randomDouble([2, 3], 2, 0.5, 2);
  for (const name of ["arith", "exp_log_sqrt", "tanh_sigmoid", "gelu_silu", "abs_neg"]) {
    gradcheck(gradOf(FNS[name]), [x, y]);
  }
  gradcheck(gradOf(FNS.mean_views), [x]);
  gradcheck(gradOf(FNS.var_std_norm_lse), [x]);
  gradcheck(gradOf(FNS.slices_cat), [x, randomDouble([2, 3], 17)]);
  gradcheck(gradOf(FNS.matmul), [randomDouble([3, 4], 3), randomDouble([4, 2], 4)]);
  gradcheck(gradOf(FNS.bmm), [randomDouble([2, 2, 3], 5), randomDouble([2, 3, 2], 6)]);
  gradcheck(gradOf(FNS.linear), [randomDouble([3, 4], 7), randomDouble([2, 4], 8), randomDouble([2], 9)]);
  const ps = [randomDouble([4, 3], 10), randomDouble([4], 11), randomDouble([1, 4], 12), randomDouble([1], 13)];
  gradcheck(gradOf(FNS.mlp_tanh), [randomDouble([5, 3], 14), ...ps]);
  gradcheck(gradOf(FNS.mlp_softplus), [randomDouble([5, 3], 15), ...ps]);
  gradcheck(gradOf((a) => a.clamp(-0.5, 0.5).mul(a).sum()), [randomDouble([6], 16)]);
  gradcheck(gradOf((a) => a.sqrt().rsqrt().add(a.reciprocal()).add(a.sin().mul(a.cos())).sum()), [y]);
  gradcheck(gradOf((a) => F.leakyRelu(a, 0.2).mul(a).add(F.hardtanh(a, -0.5, 0.5).mul(a)).sum()), [x]);
});

Deno.test("createGraph: values of the stored tensors are read as stored", () => {
  // Guards the fixture reader itself: the first case is x³ on a float64 vector.
  const c = all[0];
  const x = values(c.inputs[0]);
  assertClose(values(c.grads[0]), x.map((v) => 3 * v * v), 1e-12, 1e-12);
});

Deno.test("createGraph through dropout and cosine similarity: their identity-like backwards are twice-differentiable", () => {
  const x = randn([5, 4], { requiresGrad: true, dtype: "float64" });
  const w = randn([4, 4], { requiresGrad: true, dtype: "float64" });
  const z = nn.functional.linear(x, w).tanh();
  const y = nn.functional.dropout(z, { p: 0.5, training: true });
  const mask = y.detach().div(z.detach()); // 0 or 2 where the dropout kept the element
  const [g] = autograd.grad([y.sum()], [x], null, { createGraph: true });
  g!.pow(2).sum().backward();
  // The same penalty with the mask as a constant.
  const w2 = w.detach().clone().requiresGrad_(true);
  const z2 = nn.functional.linear(x, w2).tanh().mul(mask);
  const [g2] = autograd.grad([z2.sum()], [x], null, { createGraph: true });
  g2!.pow(2).sum().backward();
  assertClose(w.grad!.toArray() as Float64Array, w2.grad!.toArray() as Float64Array, 1e-12, 1e-10, "dropout penalty");
  const c = nn.functional.cosineSimilarity(x, x.mul(x)).sum();
  const [gc] = autograd.grad([c], [x], null, { createGraph: true });
  assert.ok(gc!.requiresGrad, "the first gradient carries a graph");
});
