import assert from "node:assert/strict";
import { manualSeed, nn, type Tensor, tensor, zeros } from "../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";
import { assertMatches, cases, checkFnCase, type FnCase, hydrate, make, type TensorSpec } from "../util/fixture_act.ts";

const F = nn.functional;
// deno-lint-ignore no-explicit-any
const Fany = F as unknown as Record<string, (...a: any[]) => Tensor>;
const nums = (t: Tensor): number[] => Array.from(t.toArray() as Float64Array);
const fixture = JSON.parse(Deno.readTextFileSync(new URL("../fixtures/misc_fns/cases.json", import.meta.url)));

// deno-lint-ignore no-explicit-any
function callFn(fn: string, xs: Tensor[], args: any[], opts: Record<string, any>): Tensor {
  const rest = Object.keys(opts).length ? [opts] : [];
  if (fn === "CrossMapLRN2d") {
    const [size, ...more] = args;
    // deno-lint-ignore no-explicit-any
    const Ctor = nn.CrossMapLRN2d as unknown as new (...a: any[]) => InstanceType<typeof nn.CrossMapLRN2d>;
    return new Ctor(size, ...more, ...rest).forward(xs[0]);
  }
  return Fany[fn](...xs, ...args, ...rest);
}

for (const c of cases("misc_fns") as FnCase[]) {
  Deno.test(`misc_fns matches PyTorch: ${c.name}`, () => {
    checkFnCase(c, (xs, args, opts) => callFn(c.fn, xs, args, opts));
  });
}

// PyTorch's messages (RuntimeError/AssertionError there) -> our TypeError/RangeError regexes.
const ERRORS: Record<string, [new (...a: never[]) => Error, RegExp]> = {
  pdist_3d: [RangeError, /^pdist: pdist only supports 2D tensors, got: 3D$/],
  pdist_1d: [RangeError, /^pdist: pdist only supports 2D tensors, got: 1D$/],
  pdist_int: [TypeError, /^pdist: pdist only supports floating-point dtypes, got int64$/],
  pdist_negative_p: [RangeError, /^pdist: pdist only supports non-negative p values, got -1$/],
  rrelu_bounds: [
    RangeError,
    /^rrelu: Lower bound should be less than or equal to the upper bound, got lower 0.5 and upper 0.2$/,
  ],
  rrelu_int: [TypeError, /^rrelu: expected a floating point input, got dtype int64$/],
  crossmap_3d: [RangeError, /^CrossMapLRN2d.forward: expected a 4-D input \(N, C, H, W\), got 3-D$/],
};

Deno.test("misc_fns: the inputs PyTorch rejects throw TypeError/RangeError naming the call", () => {
  assert.equal(fixture.errors.length, Object.keys(ERRORS).length);
  for (const e of fixture.errors) {
    const [cls, re] = ERRORS[e.name];
    const xs = (e.inputs as TensorSpec[]).map((s) => make(s));
    throwsWith(() => callFn(e.fn, xs, hydrate(e.args), hydrate(e.opts)), cls, re);
  }
});

// ------------------------------------------------------------------ multiHeadAttentionForward

// deno-lint-ignore no-explicit-any
function runMha(c: any, training = false) {
  const inputs = (c.inputs as TensorSpec[]).map((s) => make(s, true));
  const [q, k, v] = c.selfAttn ? [inputs[0], inputs[0], inputs[0]] : inputs;
  // deno-lint-ignore no-explicit-any
  const leaf = (x: any) => (x && x.t ? make(x.t, x.t.dtype !== "bool") : x);
  const p = Object.fromEntries(Object.entries(c.params).map(([n, x]) => [n, leaf(x)])) as Record<string, Tensor | null>;
  const o = Object.fromEntries(Object.entries(c.opts).map(([n, x]) => [n, leaf(x)]));
  if (training) o.training = true;
  const [out, w] = F.multiHeadAttentionForward(
    q,
    k,
    v,
    c.embedDim,
    c.numHeads,
    p.inProjWeight,
    p.inProjBias,
    p.biasK,
    p.biasV,
    c.addZeroAttn,
    0,
    p.outProjWeight!,
    p.outProjBias,
    o,
  );
  return { q, k, v, p, o, out, w };
}

for (const c of fixture.mha) {
  Deno.test(`multiHeadAttentionForward matches PyTorch: ${c.name}`, () => {
    const { q, k, v, p, o, out, w } = runMha(c);
    assertMatches(out, c.output, `${c.name}: output`);
    if (c.weights === null) assert.equal(w, null);
    else assertMatches(w!, c.weights, `${c.name}: weights`);
    let loss = out.mul(make(c.gradOutput)).sum();
    if (w) loss = loss.add(w.mul(make(c.gradWeights)).sum());
    loss.backward();
    const leaves: Record<string, Tensor | null> = { query: q, key: k, value: v, ...p, ...o } as never;
    assert.ok(Object.keys(c.grads).length >= 3, `${c.name}: enough gradients stored`);
    for (const [name, g] of Object.entries(c.grads)) {
      assert.ok(leaves[name]?.grad, `${c.name}: ${name} got no gradient`);
      assertMatches(leaves[name]!.grad!, g as TensorSpec, `${c.name}: grad of ${name}`);
    }
  });
}

Deno.test("multiHeadAttentionForward: PyTorch's assertion failures are RangeErrors with its messages", () => {
  const names = fixture.mhaErrors.map((e: { name: string }) => e.name);
  assert.deepEqual(names, ["embed_check", "static_with_bias", "static_k_shape"]);
  const E = 4, H = 2;
  const q = zeros([3, 2, E]), k = zeros([4, 2, E]), inW = zeros([3 * E, E]), outW = zeros([E, E]);
  const call = (o: Record<string, unknown> = {}, e = E, bk: Tensor | null = null) =>
    F.multiHeadAttentionForward(q, k, k, e, H, inW, null, bk, bk, false, 0, outW, null, { training: false, ...o });
  throwsWith(
    () => call({}, 6),
    RangeError,
    /^multiHeadAttentionForward: was expecting embedding dimension of 6, but got 4$/,
  );
  throwsWith(
    () => call({ staticK: zeros([4, 4, 2]) }, E, zeros([1, 1, E])),
    RangeError,
    /^multiHeadAttentionForward: bias cannot be added to static key\.$/,
  );
  throwsWith(
    () => call({ staticK: zeros([3, 4, 2]) }),
    RangeError,
    /^multiHeadAttentionForward: expecting static_k\.size\(0\) of 4, but got 3$/,
  );
  throwsWith(
    () => call({ staticK: zeros([4, 4, 3]) }),
    RangeError,
    /^multiHeadAttentionForward: expecting static_k\.size\(2\) of 2, but got 3$/,
  );
  throwsWith(() => call({}, 5), RangeError, /^multiHeadAttentionForward: embed_dim 5 not divisible by num_heads 2$/);
  throwsWith(
    () => call({ useSeparateProjWeight: true }),
    TypeError,
    /^multiHeadAttentionForward: useSeparateProjWeight is true but qProjWeight is null$/,
  );
  throwsWith(() => call({ dropoutP: 0 }), TypeError, /^multiHeadAttentionForward: .*dropoutP/);
  throwsWith(
    () => F.multiHeadAttentionForward(q, k, k, E, H, inW, null, null, null, false, 2, outW, null),
    RangeError,
    /^multiHeadAttentionForward: dropout probability has to be between 0 and 1, but got 2$/,
  );
});

Deno.test("nn.MultiheadAttention equals F.multiHeadAttentionForward on its parameters (train and eval)", () => {
  manualSeed(3);
  const m = new nn.MultiheadAttention(6, 3, { kdim: 4, vdim: 5, addBiasKv: true, addZeroAttn: true, dropout: 0.5 });
  const q = randomDouble([2, 3, 6], 1, -1, 1, false).float();
  const k = randomDouble([4, 3, 4], 2, -1, 1, false).float();
  const v = randomDouble([4, 3, 5], 3, -1, 1, false).float();
  const fn = (training: boolean) =>
    F.multiHeadAttentionForward(
      q,
      k,
      v,
      6,
      3,
      null,
      m.in_proj_bias,
      m.bias_k,
      m.bias_v,
      true,
      0.5,
      m.out_proj.weight,
      m.out_proj.bias,
      {
        training,
        useSeparateProjWeight: true,
        qProjWeight: m.q_proj_weight,
        kProjWeight: m.k_proj_weight,
        vProjWeight: m.v_proj_weight,
      },
    );
  m.eval();
  const [a, wa] = m.forward(q, k, v);
  const [b, wb] = fn(false);
  assert.deepEqual(a.tolist(), b.tolist());
  assert.deepEqual(wa!.tolist(), wb!.tolist());
  m.train();
  manualSeed(11);
  const [c] = m.forward(q, k, v);
  manualSeed(11);
  const [d] = fn(true);
  assert.deepEqual(c.tolist(), d.tolist());
  assert.notDeepEqual(c.tolist(), a.tolist()); // dropout was applied
});

Deno.test("multiHeadAttentionForward: staticK/staticV replace the projected keys and values", () => {
  const E = 4, H = 2, N = 2;
  const q = randomDouble([3, N, E], 4, -1, 1, false), key = randomDouble([5, N, E], 5, -1, 1, false);
  const sk = randomDouble([N * H, 6, 2], 6, -1, 1, false), sv = randomDouble([N * H, 6, 2], 7, -1, 1, false);
  const inW = randomDouble([3 * E, E], 8, -1, 1, false), outW = randomDouble([E, E], 9, -1, 1, false);
  const [, w] = F.multiHeadAttentionForward(q, key, key, E, H, inW, null, null, null, false, 0, outW, null, {
    staticK: sk,
    staticV: sv,
  });
  assert.deepEqual(w!.shape, [N, 3, 6]); // the source length is the static keys'
  throwsWith(
    () => F.multiHeadAttentionForward(q, key, key, E, H, inW, null, null, null, false, 0, outW, null, { staticK: sk }),
    RangeError,
    /^multiHeadAttentionForward: expected keys and values of one source length, got 6 and 5/,
  );
});

// ------------------------------------------------------------------ pdist

Deno.test("pdist: condensed order and gradcheck (float64) for p 1, 2, 3, 1.5, 0.5", () => {
  const x = tensor(Float64Array.from([0, 0, 3, 4, 6, 8, 1, 1]), { shape: [4, 2] });
  assertClose(nums(F.pdist(x)), [5, 10, Math.SQRT2, 5, Math.hypot(2, 3), Math.hypot(5, 7)], 1e-12, 0);
  for (const p of [1, 2, 3, 1.5, 0.5]) gradcheck((a) => F.pdist(a, p), [randomDouble([4, 3], 12 + p)]);
  assert.deepEqual(F.pdist(zeros([1, 3])).shape, [0]);
  const z = zeros([0, 3], { requiresGrad: true });
  F.pdist(z).sum().backward();
  assert.deepEqual(z.grad!.shape, [0, 3]);
});

// ------------------------------------------------------------------ rrelu

Deno.test("rrelu in training: slopes uniform in [lower, upper] from manualSeed, gradient = the slope used", () => {
  const n = 20000;
  const x = tensor(new Float64Array(n).fill(-2), { requiresGrad: true });
  manualSeed(5);
  const y = F.rrelu(x, 0.2, 0.6, true);
  const slopes = nums(y).map((v) => v / -2);
  assert.ok(slopes.every((s) => s >= 0.2 && s <= 0.6));
  const mean = slopes.reduce((a, b) => a + b) / n;
  const variance = slopes.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  assert.ok(Math.abs(mean - 0.4) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(variance - 0.4 ** 2 / 12) < 0.001, `variance ${variance}`);
  y.backward(tensor(new Float64Array(n).fill(1)));
  assertClose(nums(x.grad!), slopes, 1e-12, 0, "gradient is the recovered slope");
  manualSeed(5);
  assert.deepEqual(nums(F.rrelu(x.detach(), 0.2, 0.6, true)), nums(y)); // repeatable
  // positive inputs keep slope 1; training with lower === upper is exact
  const pos = F.rrelu(tensor([3, -4]), { lower: 0.25, upper: 0.25, training: true });
  assert.deepEqual(pos.tolist(), [3, -1]);
});

Deno.test("RReLU module: random in training, fixed (lower + upper) / 2 in eval; inplace; repr", () => {
  const m = new nn.RReLU(0.1, 0.3);
  assert.equal(m.toString(), "RReLU(lower=0.1, upper=0.3)");
  assert.equal(new nn.RReLU().toString(), "RReLU(lower=0.125, upper=0.3333333333333333)");
  assert.equal(new nn.RReLU({ lower: 0, upper: 1, inplace: true }).toString(), "RReLU(lower=0, upper=1, inplace=True)");
  assert.equal(m.training, true);
  const x = tensor(new Float64Array(1000).fill(-1));
  const ys = nums(m.forward(x));
  assert.ok(new Set(ys).size > 100 && ys.every((v) => v <= -0.1 && v >= -0.3));
  m.eval();
  assertClose(nums(m.forward(tensor(Float64Array.from([-10, 5])))), [-2, 5], 1e-12, 0);
  const ip = new nn.RReLU(0.5, 0.5, true);
  const t = tensor([-2, 2]);
  assert.equal(ip.forward(t), t);
  assert.deepEqual(t.tolist(), [-1, 2]);
  const u = tensor([-4, 1]);
  assert.equal(F.rrelu_(u, 0.5, 0.5, true), u);
  assert.deepEqual(u.tolist(), [-2, 1]);
  // in place on a non-leaf keeps autograd's gradient (the slope)
  const leaf = tensor(Float64Array.from([-1, 2]), { requiresGrad: true });
  const h = leaf.mul(1);
  F.rrelu(h, 0.2, 0.2, true, true).sum().backward();
  assertClose(nums(leaf.grad!), [0.2, 1], 1e-12, 0);
  assert.deepEqual(Object.keys(m.stateDict()), []);
  throwsWith(() => new nn.RReLU({ slope: 1 } as never), TypeError, /^RReLU: .*slope/);
});

// ------------------------------------------------------------------ gumbelSoftmax

Deno.test("gumbelSoftmax: hard samples are one-hot with frequencies softmax(logits)", () => {
  manualSeed(7);
  const logits = tensor(Float64Array.from([1, 0, -1, 0.5]));
  const probs = nums(F.softmax(logits, 0));
  const n = 20000;
  const y = F.gumbelSoftmax(logits.unsqueeze(0).expand([n, 4]).contiguous(), { hard: true });
  const v = nums(y);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const row = v.slice(4 * i, 4 * i + 4);
    assert.equal(row.filter((e) => e === 1).length, 1);
    assert.equal(row.filter((e) => e === 0).length, 3);
    counts[row.indexOf(1)]++;
  }
  counts.forEach((c, i) => assert.ok(Math.abs(c / n - probs[i]) < 0.015, `class ${i}: ${c / n} vs ${probs[i]}`));
  // soft samples: rows sum to 1, dim respected, the same argmax frequencies
  const soft = F.gumbelSoftmax(logits.unsqueeze(1).expand([4, 500]).contiguous(), { dim: 0 });
  assertClose(nums(soft.sum(0)), new Array(500).fill(1), 1e-12, 0);
});

Deno.test("gumbelSoftmax: the hard path's gradient equals the soft path's (straight-through)", () => {
  const logits = randomDouble([3, 5], 21);
  const g = randomDouble([3, 5], 22, -1, 1, false);
  manualSeed(9);
  const soft = F.gumbelSoftmax(logits, 0.7);
  soft.backward(g);
  const gradSoft = nums(logits.grad!);
  logits.grad = null;
  manualSeed(9);
  const hard = F.gumbelSoftmax(logits, 0.7, true);
  hard.backward(g);
  assertClose(nums(logits.grad!), gradSoft, 1e-12, 0);
  // the hard sample is the one-hot of the soft sample's argmax (same noise)
  const s = nums(soft), h = nums(hard);
  for (let r = 0; r < 3; r++) {
    const row = s.slice(5 * r, 5 * r + 5);
    const arg = row.indexOf(Math.max(...row));
    assertClose(h.slice(5 * r, 5 * r + 5), row.map((_, i) => (i === arg ? 1 : 0)), 1e-12, 0);
  }
});

Deno.test("gumbelSoftmax: tau -> 0 tends to one-hot, large tau to uniform; errors", () => {
  manualSeed(13);
  const logits = randomDouble([200, 6], 23, -1, 1, false);
  const maxOf = (t: Tensor) => {
    const v = nums(t);
    let acc = 0;
    for (let r = 0; r < 200; r++) acc += Math.max(...v.slice(6 * r, 6 * r + 6));
    return acc / 200;
  };
  assert.ok(maxOf(F.gumbelSoftmax(logits, { tau: 0.01 })) > 0.99);
  assert.ok(maxOf(F.gumbelSoftmax(logits, { tau: 1000 })) < 1 / 6 + 0.01);
  const y = F.gumbelSoftmax(tensor([[1, 2]]), { tau: 0.5 });
  assert.equal(y.dtype, "float32");
  throwsWith(
    () => F.gumbelSoftmax(tensor([1n, 2n])),
    TypeError,
    /^gumbelSoftmax: expected a floating point input, got dtype int64$/,
  );
  throwsWith(() => F.gumbelSoftmax(tensor([[1, 2]]), { dim: 2 }), RangeError, /^gumbelSoftmax: /);
  throwsWith(
    () => F.gumbelSoftmax(tensor([[1, 2]]), { temperature: 2 } as never),
    TypeError,
    /^gumbelSoftmax: .*temperature/,
  );
});

// ------------------------------------------------------------------ CrossMapLRN2d

Deno.test("CrossMapLRN2d: repr, no parameters, differs from LocalResponseNorm as PyTorch's does", () => {
  const m = new nn.CrossMapLRN2d(3);
  assert.equal(m.toString(), "CrossMapLRN2d(3, alpha=0.0001, beta=0.75, k=1)");
  assert.equal(new nn.CrossMapLRN2d(5, 0.5, 0.25, 2).toString(), "CrossMapLRN2d(5, alpha=0.5, beta=0.25, k=2)");
  assert.deepEqual(Object.keys(m.stateDict()), []);
  // channel 0 stays in every window: with only channel 0 nonzero, every channel's scale sees it
  const x = zeros([1, 6, 1, 1]);
  x.data.narrow(1, 0, 1).fill_(2);
  x.data.narrow(1, 5, 1).fill_(1);
  const cm = new nn.CrossMapLRN2d(3, { alpha: 3, beta: 1, k: 1 }).forward(x);
  const lrn = new nn.LocalResponseNorm(3, { alpha: 3, beta: 1, k: 1 }).forward(x);
  // scale[5] = 1 + (x0² + x4² + x5²) = 6 (LocalResponseNorm: 1 + x4² + x5² = 2)
  assertClose(nums(cm.double()), [2 / 5, 0, 0, 0, 0, 1 / 6], 1e-6, 0);
  assertClose(nums(lrn.double()), [2 / 5, 0, 0, 0, 0, 1 / 2], 1e-6, 0);
  assert.deepEqual(m.forward(zeros([0, 3, 2, 2])).shape, [0, 3, 2, 2]);
  throwsWith(
    () => new nn.CrossMapLRN2d(0),
    TypeError,
    /^CrossMapLRN2d: expected size to be a positive integer, got number 0$/,
  );
  throwsWith(() => m.forward(tensor([[[[1n]]]])), TypeError, /^CrossMapLRN2d.forward: /);
});

Deno.test("multiHeadAttentionForward takes a uint8 key padding mask as bool (PyTorch 1.13's functional)", () => {
  const E = 4, H = 2;
  const x = randomDouble([3, 2, E], 31, -1, 1, false);
  const inW = randomDouble([3 * E, E], 32, -1, 1, false), outW = randomDouble([E, E], 33, -1, 1, false);
  const run = (kpm: Tensor) =>
    F.multiHeadAttentionForward(x, x, x, E, H, inW, null, null, null, false, 0, outW, null, {
      keyPaddingMask: kpm,
    })[1]!;
  const u8 = tensor(Uint8Array.from([0, 1, 0, 0, 0, 1]), { shape: [2, 3] });
  const b = tensor(Uint8Array.from([0, 1, 0, 0, 0, 1]), { shape: [2, 3], dtype: "bool" });
  assert.deepEqual(run(u8).tolist(), run(b).tolist());
  assert.equal((run(b).toArray() as Float64Array)[1], 0);
});

Deno.test("CrossMapLRN2d: size 1 has PyTorch's failing backward; float16 keeps its dtype", () => {
  const x = randomDouble([1, 3, 2, 1], 41);
  const y = new nn.CrossMapLRN2d(1, 0.5).forward(x);
  throwsWith(
    () => y.sum().backward(),
    RangeError,
    /^CrossMapLRN2d.forward: PyTorch 1.13's CrossMapLRN2d has no backward for size 1 \(start \(1\) \+ length \(3\) exceeds dimension size \(3\)\)$/,
  );
  const h = new nn.CrossMapLRN2d(3, 0.5).forward(x.detach().half());
  assert.equal(h.dtype, "float16");
  const ref = new nn.CrossMapLRN2d(3, 0.5).forward(x.detach());
  assertClose(Array.from(h.float().toArray() as Float32Array), nums(ref), 2e-3, 2e-3);
});

Deno.test("gumbelSoftmax: zero-size inputs (a hard sample needs a non-empty dim, as PyTorch's max)", () => {
  assert.deepEqual(F.gumbelSoftmax(zeros([0, 3]), { hard: true }).shape, [0, 3]);
  assert.deepEqual(F.gumbelSoftmax(zeros([2, 0])).shape, [2, 0]);
  throwsWith(
    () => F.gumbelSoftmax(zeros([2, 0]), { hard: true }),
    RangeError,
    /^gumbelSoftmax: hard samples take the max over dim 1, expected it to have non-zero size, got shape \[2, 0\]$/,
  );
  assert.equal(F.rrelu(zeros([3]).half(), { training: true }).dtype, "float16");
});
