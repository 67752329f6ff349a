/**
 * Higher-order gradients (`createGraph`) through convolution, pooling, softmax, the common
 * losses and embedding, against PyTorch fixtures (tools/fixtures/create_graph2.py):
 * Hessian-vector products, a WGAN-GP critic's gradient penalty, a cross-entropy classifier's
 * input-gradient penalty; float64 finite-difference checks of first-order gradient functions;
 * and the clear error of the backwards that remain once-differentiable.
 */

import assert from "node:assert/strict";
import { autograd, enableGrad, nn, type Tensor, tensor } from "../../mod.ts";
import { assertMatches, cases, make, type TensorSpec, values } from "../util/fixture_act.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";
import { checkHvp, tol2 } from "../util/hvp.ts";

const F = nn.functional;

const cube = (t: Tensor) => t.tanh().pow(3).sum().add(t.pow(2).sum());

/** The functions of tools/fixtures/create_graph2.py, by the same names (constants last). */
const FNS: Record<string, (...xs: Tensor[]) => Tensor> = {
  conv1d: (x, w, b) => cube(F.conv1d(x, w, b, { stride: 2, padding: 1 })),
  conv1d_same: (x, w) => cube(F.conv1d(x, w, null, { padding: "same", dilation: 2, groups: 2 })),
  conv2d: (x, w, b) => cube(F.conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 })),
  conv2d_same: (x, w) => cube(F.conv2d(x, w, null, { padding: "same" })),
  conv3d: (x, w, b) => cube(F.conv3d(x, w, b, { stride: 2, padding: 1 })),
  conv_transpose1d: (x, w, b) =>
    cube(F.convTranspose1d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2, dilation: 2 })),
  conv_transpose2d: (x, w, b) =>
    cube(F.convTranspose2d(x, w, b, { stride: [2, 3], padding: [1, 0], outputPadding: [1, 2] })),
  conv_transpose3d: (x, w) => cube(F.convTranspose3d(x, w, null, { stride: 2, padding: 1, outputPadding: 1 })),
  avg_pool1d: (x) =>
    cube(F.avgPool1d(x.tanh().mul(x), 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false })),
  avg_pool2d: (x) =>
    cube(F.avgPool2d(x.mul(x), [3, 2], { stride: [2, 1], padding: [1, 1], ceilMode: true, countIncludePad: true })),
  avg_pool2d_divisor: (x) => cube(F.avgPool2d(x.tanh().mul(x), 2, { divisorOverride: 3 })),
  avg_pool3d: (x) => cube(F.avgPool3d(x.mul(x), 2, { stride: 1, padding: 1, countIncludePad: false })),
  adaptive_avg_pool1d: (x) => cube(F.adaptiveAvgPool1d(x.mul(x), 3)),
  adaptive_avg_pool2d: (x) => cube(F.adaptiveAvgPool2d(x.tanh().mul(x), [2, 3])),
  adaptive_avg_pool3d: (x) => cube(F.adaptiveAvgPool3d(x.mul(x), [2, 1, 2])),
  max_pool1d: (x) => cube(F.maxPool1d(x.mul(x.sin()), 3, { stride: 2, padding: 1, dilation: 2, ceilMode: true })),
  max_pool2d: (x) => cube(F.maxPool2d(x.mul(x.sin()), [2, 3], { stride: [2, 1], padding: [1, 1] })),
  max_pool3d: (x) => cube(F.maxPool3d(x.mul(x.sin()), 2)),
  adaptive_max_pool1d: (x) => cube(F.adaptiveMaxPool1d(x.mul(x.sin()), 3)),
  adaptive_max_pool2d: (x) => cube(F.adaptiveMaxPool2d(x.mul(x.sin()), [2, 3])),
  max_unpool2d: (x) => {
    const [v, i] = F.maxPool2d(x, 2, { returnIndices: true });
    return cube(F.maxUnpool2d(v, i, 2).mul(x.sin()));
  },
  softmax: (x) => cube(F.softmax(x, 1)).add(F.softmax(x, -1).mul(x).sum()),
  log_softmax: (x) => cube(F.logSoftmax(x, 0)).add(F.logSoftmax(x, 2).mul(x).sum()),
  cross_entropy: (x, t) => F.crossEntropy(x, t).mul(F.crossEntropy(x.sin(), t, { reduction: "sum" })),
  cross_entropy_weighted: (x, t, w) => cube(F.crossEntropy(x, t, w, { ignoreIndex: 1, reduction: "none" })),
  cross_entropy_spatial: (x, t, w) => F.crossEntropy(x, t, w, { ignoreIndex: 2 }).pow(2),
  cross_entropy_smoothing: (x, t) => F.crossEntropy(x, t, { labelSmoothing: 0.2 }).pow(2),
  cross_entropy_probs: (x, y) => F.crossEntropy(x, F.softmax(y, 1), { labelSmoothing: 0.1 }).pow(2),
  cross_entropy_unbatched: (x, t) => F.crossEntropy(x.tanh().mul(2), t).pow(2),
  nll_loss: (x, t, w) =>
    F.nllLoss(F.logSoftmax(x, 1), t, w).pow(2).add(cube(F.nllLoss(x.tanh(), t, { reduction: "none" }))),
  nll_loss_spatial: (x, t) => F.nllLoss(x.sin(), t, { ignoreIndex: 0, reduction: "sum" }).pow(2),
  mse_loss: (x, y) => F.mseLoss(x.tanh(), y).pow(2).add(cube(F.mseLoss(x, y.sin(), { reduction: "none" }))),
  l1_loss: (x, y) => F.l1Loss(x.tanh(), y).pow(2).add(F.l1Loss(x.mul(y), y, { reduction: "sum" })),
  smooth_l1_loss: (x, y) =>
    F.smoothL1Loss(x.mul(2), y, { beta: 0.5 }).pow(2).add(cube(F.smoothL1Loss(x.sin(), y, { reduction: "none" }))),
  huber_loss: (x, y) => F.huberLoss(x.mul(2), y, { delta: 0.7 }).pow(2),
  binary_cross_entropy: (x, y, w) =>
    F.binaryCrossEntropy(x.sigmoid(), y.sigmoid(), w).pow(2)
      .add(cube(F.binaryCrossEntropy(x.sigmoid(), y.sigmoid(), { reduction: "none" }))),
  bce_with_logits: (x, y, w, pw) =>
    F.binaryCrossEntropyWithLogits(x, y.sigmoid(), w, { posWeight: pw }).pow(2)
      .add(cube(F.binaryCrossEntropyWithLogits(x.mul(2), y.sigmoid(), { reduction: "none" }))),
  kl_div: (x, y) =>
    F.klDiv(F.logSoftmax(x, 1), F.softmax(y, 1), { reduction: "batchmean" }).pow(2)
      .add(cube(F.klDiv(F.logSoftmax(x, 1), F.logSoftmax(y, 1), { reduction: "none", logTarget: true }))),
  embedding: (w, i) => cube(F.embedding(i, w)),
  embedding_padding_freq: (w, i) => cube(F.embedding(i, w.mul(w), { paddingIdx: 0, scaleGradByFreq: true })),
};

// deno-lint-ignore no-explicit-any
const all = cases("create_graph2") as any[];

for (const c of all.filter((c) => c.kind === "hvp")) {
  Deno.test(`createGraph HVP: ${c.name}`, () => checkHvp(c, FNS[c.fn]));
}

/** The WGAN-GP critic of the fixture: conv, leaky ReLU, pool, strided conv, tanh, adaptive pool, linear. */
function critic(x: Tensor, p: Tensor[], pool: string): Tensor {
  const [w1, b1, w2, b2, w3, b3] = p;
  let h = F.leakyRelu(F.conv2d(x, w1, b1, { padding: 1 }), 0.2);
  h = pool === "avg" ? F.avgPool2d(h, 2) : F.maxPool2d(h, 2);
  h = F.conv2d(h, w2, b2, { stride: 2, padding: 1 }).tanh();
  h = pool === "avg" ? F.adaptiveAvgPool2d(h, 1) : F.adaptiveMaxPool2d(h, 1);
  return F.linear(h.flatten(1), w3, b3);
}

for (const c of all.filter((c) => c.kind === "wgan")) {
  Deno.test(`createGraph WGAN-GP: ${c.name}`, () => {
    const ps = (c.params as TensorSpec[]).map((s) => make(s, true));
    const real = make(c.real), fake = make(c.fake), eps = make(c.eps);
    const xh = eps.mul(real).add(eps.neg().add(1).mul(fake)).requiresGrad_(true);
    const [gx] = autograd.grad(critic(xh, ps, c.pool).sum(), [xh], null, { createGraph: true });
    assertMatches(gx!, c.gradX, `${c.name}: dD/dx`);
    const pen = gx!.flatten(1).norm(2, 1).sub(1).pow(2).mean();
    assertMatches(pen, c.penalty, `${c.name}: penalty`, tol2(c.penalty.dtype));
    const loss = critic(fake, ps, c.pool).mean().sub(critic(real, ps, c.pool).mean()).add(pen.mul(10));
    assertMatches(loss, c.loss, `${c.name}: loss`, tol2(c.loss.dtype));
    // The training step's way: backward into the parameters' .grad.
    loss.backward();
    ps.forEach((p, i) => assertMatches(p.grad!, c.grads[i], `${c.name}: grad ${i}`, tol2(c.grads[i].dtype)));
  });
}

function classifier(x: Tensor, p: Tensor[]): Tensor {
  const [w1, b1, w2, b2] = p;
  const h = F.maxPool1d(F.conv1d(x, w1, b1, { padding: 1 }).relu(), 2);
  return F.linear(h.flatten(1), w2, b2);
}

for (const c of all.filter((c) => c.kind === "ce_penalty")) {
  Deno.test(`createGraph input-gradient penalty: ${c.name}`, () => {
    const ps = (c.params as TensorSpec[]).map((s) => make(s, true));
    const x = make(c.x, true), t = make(c.target);
    const loss = F.crossEntropy(classifier(x, ps), t);
    assertMatches(loss, c.loss, `${c.name}: loss`);
    const [gx] = autograd.grad(loss, [x], null, { createGraph: true });
    assertMatches(gx!, c.gradX, `${c.name}: dx`);
    const total = loss.add(gx!.pow(2).sum());
    assertMatches(total, c.total, `${c.name}: total`);
    const gs = autograd.grad(total, [...ps, x]);
    gs.forEach((g, i) => assertMatches(g!, c.grads[i], `${c.name}: grad ${i}`, tol2(c.grads[i].dtype)));
  });
}

Deno.test("createGraph2: values of the stored tensors are read as stored", () => {
  assert.ok(all.length >= 45, `expected the fixture cases, got ${all.length}`);
  const c = all.find((c) => c.fn === "embedding");
  assert.deepEqual(values(c.consts[0]), [0, 2, 2, 4, 1, 2]);
});

/** The gradients of `f` with createGraph, as a function gradcheck can differentiate. */
const gradOf = (f: (...xs: Tensor[]) => Tensor) => (...xs: Tensor[]) =>
  enableGrad(() => autograd.grad(f(...xs), xs, null, { createGraph: true }) as Tensor[]);

Deno.test("createGraph2: first-order gradients of convolutions pass gradcheck in float64", () => {
  const x1 = randomDouble([2, 4, 7], 1), w1 = randomDouble([4, 2, 4], 2), b1 = randomDouble([4], 3);
  gradcheck(gradOf((x, w, b) => F.conv1d(x, w, b, { padding: "same", dilation: 2, groups: 2 }).tanh().sum()), [
    x1,
    w1,
    b1,
  ]);
  const x2 = randomDouble([1, 2, 4, 5], 4), w2 = randomDouble([4, 1, 2, 3], 5);
  gradcheck(gradOf((x, w) => cube(F.conv2d(x, w, null, { stride: [2, 1], padding: [1, 0], groups: 2 }))), [x2, w2]);
  const x3 = randomDouble([1, 2, 3, 2], 6), w3 = randomDouble([2, 2, 2, 3], 7), b3 = randomDouble([4], 8);
  gradcheck(
    gradOf((x, w, b) => cube(F.convTranspose2d(x, w, b, { stride: 2, padding: [0, 1], outputPadding: 1, groups: 2 }))),
    [x3, w3, b3],
  );
  const x4 = randomDouble([1, 1, 3, 3, 3], 9), w4 = randomDouble([2, 1, 2, 2, 2], 10);
  gradcheck(gradOf((x, w) => cube(F.conv3d(x, w, null, { padding: [1, 0, 1], dilation: [1, 2, 1] }))), [x4, w4]);
  gradcheck(gradOf((x, w) => cube(F.convTranspose1d(x, w, null, { stride: 3, dilation: 2 }))), [
    randomDouble([2, 2, 3], 11),
    randomDouble([2, 3, 2], 12),
  ]);
});

Deno.test("createGraph2: first-order gradients of pooling pass gradcheck in float64", () => {
  const x = randomDouble([2, 2, 5, 5], 20);
  const opts = { stride: 2, padding: 1, ceilMode: true, countIncludePad: false };
  gradcheck(gradOf((a) => cube(F.avgPool2d(a.mul(a), 3, opts))), [x]);
  gradcheck(gradOf((a) => cube(F.avgPool1d(a.tanh().mul(a), 2, { divisorOverride: 3 }))), [randomDouble([2, 7], 21)]);
  gradcheck(gradOf((a) => cube(F.adaptiveAvgPool2d(a.mul(a), [3, 2]))), [x]);
  gradcheck(gradOf((a) => cube(F.adaptiveAvgPool3d(a.mul(a), [2, 2, 1]))), [randomDouble([1, 1, 3, 3, 3], 22)]);
  // Max pooling is piecewise linear: the gradient function is smooth away from ties.
  gradcheck(gradOf((a) => cube(F.maxPool2d(a.mul(a.sin()), 2, { padding: 1 }))), [x]);
  gradcheck(gradOf((a) => cube(F.adaptiveMaxPool1d(a.mul(a.sin()), 3))), [randomDouble([2, 7], 23)]);
  gradcheck(
    gradOf((a) => {
      const [v, i] = F.maxPool1d(a, 2, { returnIndices: true });
      return cube(F.maxUnpool1d(v.mul(v), i, 2).mul(a));
    }),
    [randomDouble([1, 2, 6], 24)],
  );
  // Fractional max pooling shares max pooling's backward, power-average pooling average pooling's.
  const samples = tensor([[[0.3, 0.8], [0.55, 0.1]]], { dtype: "float64" });
  gradcheck(gradOf((a) => cube(F.fractionalMaxPool2d(a.mul(a.sin()), 2, { outputSize: 3, randomSamples: samples }))), [
    randomDouble([1, 2, 5, 5], 25),
  ]);
  gradcheck(gradOf((a) => cube(F.lpPool1d(a, 2, 3, { stride: 2 }))), [randomDouble([2, 7], 26, 0.5, 2)]);
});

Deno.test("createGraph2: first-order gradients of softmax, losses and embedding pass gradcheck in float64", () => {
  const x = randomDouble([3, 4], 30, -2, 2), y = randomDouble([3, 4], 31, -2, 2);
  const t = tensor([1, 0, 3], { dtype: "int64" });
  const w = randomDouble([4], 32, 0.2, 2, false);
  gradcheck(gradOf((a) => cube(F.softmax(a, 0)).add(cube(F.logSoftmax(a, 1)))), [x]);
  gradcheck(gradOf((a) => F.crossEntropy(a, t, w, { ignoreIndex: 0 }).pow(2)), [x]);
  gradcheck(gradOf((a) => cube(F.crossEntropy(a, t, { reduction: "none", labelSmoothing: 0.3 }))), [x]);
  gradcheck(gradOf((a) => cube(F.nllLoss(a.tanh(), t, w, { reduction: "none" }))), [x]);
  gradcheck(gradOf((a, b) => F.mseLoss(a.tanh(), b).pow(2).add(F.l1Loss(a.mul(b), b).pow(2))), [x, y]);
  gradcheck(gradOf((a, b) => cube(F.smoothL1Loss(a, b, { beta: 2, reduction: "none" }))), [x, y]);
  gradcheck(gradOf((a, b) => F.binaryCrossEntropy(a.sigmoid(), b.sigmoid()).pow(2)), [x, y]);
  gradcheck(gradOf((a, b) => F.binaryCrossEntropyWithLogits(a, b.sigmoid(), { posWeight: w }).pow(2)), [x, y]);
  gradcheck(gradOf((a, b) => F.klDiv(F.logSoftmax(a, 1), F.softmax(b, 1), { reduction: "batchmean" }).pow(2)), [x, y]);
  const idx = tensor([[0, 2, 2], [3, 0, 1]], { dtype: "int64" });
  gradcheck(gradOf((e) => cube(F.embedding(idx, e.mul(e), { paddingIdx: 2, scaleGradByFreq: true }))), [
    randomDouble([4, 3], 33),
  ]);
});

Deno.test("createGraph2: a gradOutput that requires grad flows through conv, pool and softmax gradients", () => {
  // u = Jᵀ v is linear in v: d(u·w)/dv = J w, compared with the Jacobian J taken column by column.
  const x = randomDouble([1, 1, 4, 4], 40), k = randomDouble([2, 1, 2, 2], 41, -1, 1, false);
  const f = (a: Tensor) => F.softmax(F.avgPool2d(F.conv2d(a, k, null, { padding: 1 }), 2), 1);
  const y = f(x);
  const v = randomDouble([...y.shape], 42);
  const wv = randomDouble([...x.shape], 43, -1, 1, false);
  const [u] = autograd.grad(y, [x], [v], { createGraph: true });
  const [jw] = autograd.grad(u!.mul(wv).sum(), [v]);
  // J w by forward differences of f along w.
  const h = 1e-6;
  const plus = f(x.detach().add(wv.mul(h))), minus = f(x.detach().sub(wv.mul(h)));
  const fd = plus.sub(minus).div(2 * h);
  assertClose(jw!.toArray() as Float64Array, fd.toArray() as Float64Array, 1e-7, 1e-6, "J w");
});

Deno.test("createGraph2: the native backwards stay once-only and say so", () => {
  // Without createGraph nothing is recorded: gradients carry no graph.
  const x = randomDouble([1, 1, 4, 4], 50);
  const wt = randomDouble([1, 1, 2, 2], 51);
  const [g] = autograd.grad(F.maxPool2d(F.conv2d(x, wt), 2).sum(), [x, wt]);
  assert.equal(g!.requiresGrad, false);
  assert.equal(g!.gradFn, null);
  // CTC loss keeps its native backward: a second backward through it throws naming the op.
  const z = randomDouble([3, 1, 3], 52);
  const lp = F.logSoftmax(z.mul(z), 2);
  const [gz] = autograd.grad(F.ctcLoss(lp, tensor([[1]], { dtype: "int64" }), [3], [1]), [z], null, {
    createGraph: true,
  });
  assert.ok(gz!.requiresGrad);
  throwsWith(() => autograd.grad(gz!.sum(), [z]), Error, /^backward: \w+ is not differentiable twice in denotorch/);
  // float16 embedding weights compute in float32 natively: once-only too.
  const e = tensor([[1, 2], [3, 4]], { dtype: "float16", requiresGrad: true });
  const [ge] = autograd.grad(F.embedding(tensor([1, 0, 1], { dtype: "int64" }), e.mul(e)).sum(), [e], null, {
    createGraph: true,
  });
  throwsWith(() => autograd.grad(ge!.sum(), [e]), Error, /^backward: EmbeddingBackward is not differentiable twice/);
});

Deno.test("createGraph2: an empty batch gives zero weight and bias gradients, with and without a graph", () => {
  for (const createGraph of [false, true]) {
    for (const transposed of [false, true]) {
      const x = randomDouble([0, 2, 5], 60);
      const w = randomDouble([2, 2, 2], 61), b = randomDouble([2], 62);
      const y = transposed ? F.convTranspose1d(x, w, b) : F.conv1d(x, w, b);
      const [gx, gw, gb] = autograd.grad(y.pow(2).sum(), [x, w, b], null, { createGraph });
      assert.deepEqual(gx!.shape, [0, 2, 5]);
      assert.deepEqual(Array.from(gw!.toArray() as Float64Array), new Array(8).fill(0));
      assert.deepEqual(Array.from(gb!.toArray() as Float64Array), [0, 0]);
      if (createGraph) {
        const h = autograd.grad(gw!.sum().add(gb!.sum()), [x, w, b], null, { allowUnused: true });
        h.forEach((t) => t === null || assert.ok((t.toArray() as Float64Array).every((v) => v === 0)));
      }
    }
  }
});
