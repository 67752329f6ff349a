/**
 * nn.MultiheadAttention (src/nn/attention.ts) against PyTorch 1.13: outputs, attention weights
 * and the gradients of query/key/value, of a float attn_mask and of every parameter, with the
 * module's parameters loaded from the fixture (tests/fixtures/attention/cases.json, written by
 * tools/fixtures/attention.py); errors where PyTorch raises; float64 gradchecks; parameters,
 * init and state-dict keys; dropout of the attention weights in training mode only.
 */
import assert from "node:assert/strict";
import { manualSeed, nn, ones, type Tensor, tensor, zeros } from "../../mod.ts";
import { assertMatches, cases, make, type TensorSpec } from "../util/fixture_act.ts";
import { gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

interface AttnCase {
  name: string;
  embedDim: number;
  numHeads: number;
  opts: nn.MultiheadAttentionOptions;
  qkv: "self" | "kv" | "none";
  train: boolean;
  params: Record<string, TensorSpec> | null;
  inputs?: TensorSpec[];
  inputShapes?: number[][];
  inputDtype?: "float32" | "float64";
  keyPaddingMask: TensorSpec | null;
  attnMask: TensorSpec | null;
  maskGrad: boolean;
  needWeights: boolean;
  averageAttnWeights: boolean;
  error?: string;
  output: TensorSpec;
  weights: TensorSpec | null;
  gradOutput: TensorSpec;
  gradWeights: TensorSpec | null;
  grads: TensorSpec[];
  maskGradValue: TensorSpec | null;
  paramGrads: Record<string, TensorSpec>;
}

/** A stored mask (bool, uint8 or float) as a tensor. */
function makeMask(s: TensorSpec | null, requiresGrad = false): Tensor | null {
  if (s === null) return null;
  if ((s.dtype as string) === "uint8") {
    return tensor(Uint8Array.from(s.data as number[]), { shape: s.shape, dtype: "uint8" });
  }
  return make(s, requiresGrad);
}

function dtypeOf(c: AttnCase): "float32" | "float64" {
  return c.params ? Object.values(c.params)[0].dtype as "float32" | "float64" : "float64";
}

for (const c of cases("attention") as AttnCase[]) {
  Deno.test(`MultiheadAttention matches PyTorch: ${c.name}`, () => {
    const dtype = dtypeOf(c);
    if (c.error !== undefined && !c.inputShapes?.length) {
      assert.throws(
        () => new nn.MultiheadAttention(c.embedDim, c.numHeads, { ...c.opts, dtype }),
        (e: unknown) => e instanceof TypeError || e instanceof RangeError,
        `PyTorch raised "${c.error}"`,
      );
      return;
    }
    const m = new nn.MultiheadAttention(c.embedDim, c.numHeads, { ...c.opts, dtype });
    m.train(c.train);
    const kpm = makeMask(c.keyPaddingMask);
    const attnMask = makeMask(c.attnMask, c.maskGrad);
    const fopts = {
      keyPaddingMask: kpm,
      attnMask,
      needWeights: c.needWeights,
      averageAttnWeights: c.averageAttnWeights,
    };
    if (c.error !== undefined) {
      const [q, k, v] = c.inputShapes!.map((s) => zeros(s, { dtype: c.inputDtype }));
      assert.throws(
        () => m.forward(q, k, v, fopts),
        (e: unknown) => e instanceof TypeError || e instanceof RangeError,
        `PyTorch raised "${c.error}"`,
      );
      return;
    }
    m.loadStateDict(Object.fromEntries(Object.entries(c.params!).map(([k, s]) => [k, make(s)])));
    assert.deepEqual(Object.keys(m.stateDict()), Object.keys(c.params!), "state-dict keys");
    const xs = c.inputs!.map((s) => make(s, true));
    const [q, k, v] = c.qkv === "self" ? [xs[0], xs[0], xs[0]] : c.qkv === "kv" ? [xs[0], xs[1], xs[1]] : xs;
    const [out, w] = m.forward(q, k, v, fopts);
    assertMatches(out, c.output, "output");
    if (c.weights === null) assert.equal(w, null, "weights with needWeights false");
    else assertMatches(w!, c.weights, "weights");
    let loss = out.mul(make(c.gradOutput)).sum();
    if (w) loss = loss.add(w.mul(make(c.gradWeights!)).sum());
    loss.backward();
    xs.forEach((x, i) => assertMatches(x.grad!, c.grads[i], `grad of input ${i}`));
    if (c.maskGrad) assertMatches(attnMask!.grad!, c.maskGradValue!, "grad of attn_mask");
    const params = Object.fromEntries(m.namedParameters());
    assert.deepEqual(Object.keys(params).sort(), Object.keys(c.paramGrads).sort(), "parameter names");
    for (const [name, g] of Object.entries(c.paramGrads)) assertMatches(params[name].grad!, g, `grad of ${name}`);
  });
}

Deno.test("MultiheadAttention gradchecks in float64: query/key/value and a float attn_mask, every projection path", () => {
  manualSeed(1);
  const checks: [string, nn.MultiheadAttentionOptions, "self" | "kv" | "none"][] = [
    ["packed self-attention", {}, "self"],
    ["packed, key is value, bias_k/bias_v and zero attention", { addBiasKv: true, addZeroAttn: true }, "kv"],
    ["separate projections, batchFirst", { kdim: 3, vdim: 2, batchFirst: true }, "none"],
  ];
  for (const [_name, opts, qkv] of checks) {
    const m = new nn.MultiheadAttention(4, 2, { ...opts, dtype: "float64" });
    const bf = opts.batchFirst ?? false;
    const shape = (seq: number, feat: number) => bf ? [2, seq, feat] : [seq, 2, feat];
    const kpm = tensor(Uint8Array.from([0, 0, 1, 0, 0, 0]), { shape: [2, 3], dtype: "bool" });
    const fn = (...t: Tensor[]) => {
      const [q, k, v] = qkv === "self" ? [t[0], t[0], t[0]] : qkv === "kv" ? [t[0], t[1], t[1]] : t;
      const [out, w] = m.forward(q, k, v, { keyPaddingMask: kpm, attnMask: t[t.length - 1] });
      return out.sum().add(w!.mul(w!).sum());
    };
    const ins = qkv === "self"
      ? [randomDouble(shape(3, 4))]
      : qkv === "kv"
      ? [randomDouble(shape(2, 4)), randomDouble(shape(3, 4), 2)]
      : [randomDouble(shape(2, 4)), randomDouble(shape(3, 3), 2), randomDouble(shape(3, 2), 3)];
    const L = ins[0].shape[bf ? 1 : 0];
    gradcheck(fn, [...ins, randomDouble([L, 3], 9)]);
  }
});

Deno.test("MultiheadAttention: parameters, PyTorch's init and state-dict keys", () => {
  manualSeed(0);
  const m = new nn.MultiheadAttention(16, 4);
  assert.deepEqual(Object.keys(m.stateDict()), ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]);
  assert.deepEqual(m.in_proj_weight!.shape, [48, 16]);
  assert.equal(m.q_proj_weight, null);
  assert.equal(m.bias_k, null);
  assert.equal(m.headDim, 4);
  // xavier_uniform_: U(-sqrt(6 / (fan_in + fan_out)), +), fan_in 16, fan_out 48
  const bound = Math.sqrt(6 / 64);
  const w = Array.from(m.in_proj_weight!.toArray() as Float32Array);
  assert.ok(w.every((x) => Math.abs(x) <= bound) && Math.max(...w.map(Math.abs)) > 0.9 * bound, "xavier bound");
  assert.ok((m.in_proj_bias!.toArray() as Float32Array).every((x) => x === 0), "in_proj_bias zero");
  assert.ok((m.out_proj.bias!.toArray() as Float32Array).every((x) => x === 0), "out_proj.bias zero");
  // out_proj keeps nn.Linear's init: U(-1/sqrt(16), 1/sqrt(16)), not zero
  const ow = Array.from(m.out_proj.weight.toArray() as Float32Array);
  assert.ok(ow.every((x) => Math.abs(x) <= 0.25) && ow.some((x) => x !== 0));
  assert.ok(m.out_proj instanceof nn.Linear);
  assert.equal(
    String(m),
    "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=16, out_features=16, bias=True)\n)",
  );

  const s = new nn.MultiheadAttention(8, 2, { kdim: 3, vdim: 5, bias: false, addBiasKv: true, dtype: "float64" });
  assert.deepEqual(Object.keys(s.stateDict()), [
    "q_proj_weight",
    "k_proj_weight",
    "v_proj_weight",
    "bias_k",
    "bias_v",
    "out_proj.weight",
  ]);
  assert.deepEqual(s.k_proj_weight!.shape, [8, 3]);
  assert.deepEqual(s.v_proj_weight!.shape, [8, 5]);
  assert.deepEqual(s.bias_k!.shape, [1, 1, 8]);
  assert.equal(s.bias_k!.dtype, "float64");
  assert.equal(s.in_proj_weight, null);
  assert.equal(s.in_proj_bias, null);
  assert.equal(s.out_proj.bias, null);
  // xavier_normal_ of (1, 1, E): std sqrt(2 / (E + E))
  manualSeed(3);
  const big = new nn.MultiheadAttention(400, 1, { addBiasKv: true, dtype: "float64" });
  const bk = Array.from(big.bias_k!.toArray() as Float64Array);
  const std = Math.sqrt(bk.reduce((a, x) => a + x * x, 0) / bk.length);
  assert.ok(Math.abs(std - Math.sqrt(1 / 400)) < 0.2 * Math.sqrt(1 / 400), `bias_k std ${std}`);

  // PyTorch's positional order: dropout, bias, addBiasKv, addZeroAttn, kdim, vdim, batchFirst
  const p = new nn.MultiheadAttention(4, 2, 0.1, false, false, true, null, 3, true);
  assert.equal(p.dropout, 0.1);
  assert.equal(p.in_proj_bias, null);
  assert.equal(p.addZeroAttn, true);
  assert.equal(p.vdim, 3);
  assert.equal(p.batchFirst, true);
  // a checkpoint round trip
  const q = new nn.MultiheadAttention(4, 2, 0.1, false, false, true, null, 3, true);
  q.loadStateDict(p.stateDict());
  p.eval(), q.eval(); // dropout 0.1 would draw different masks in training
  const x = ones([1, 2, 4]), key = ones([1, 3, 4]), val = ones([1, 3, 3]);
  assert.deepEqual(q.forward(x, key, val)[0].tolist(), p.forward(x, key, val)[0].tolist());
});

Deno.test("MultiheadAttention: dropout of the attention weights in training mode only", () => {
  manualSeed(0);
  const m = new nn.MultiheadAttention(8, 2, { dropout: 0.5, dtype: "float64" });
  const x = randomDouble([64, 4, 8]);
  m.eval();
  const [outEval, wEval] = m.forward(x, x, x, { averageAttnWeights: false });
  const [outEval2] = m.forward(x, x, x);
  assert.deepEqual(outEval.tolist(), outEval2.tolist(), "eval is deterministic");
  m.train();
  const [outTrain, w] = m.forward(x, x, x, { averageAttnWeights: false });
  const wt = Array.from(w!.toArray() as Float64Array), we = Array.from(wEval!.toArray() as Float64Array);
  const zeros = wt.filter((v) => v === 0).length;
  // about half of the 4 * 2 * 64 * 64 weights are dropped, the rest scaled by 1 / (1 - p) = 2
  assert.ok(Math.abs(zeros / wt.length - 0.5) < 0.02, `dropped fraction ${zeros / wt.length}`);
  assert.ok(wt.every((v, i) => v === 0 || Math.abs(v - 2 * we[i]) < 1e-12), "kept weights are scaled by 2");
  assert.notDeepEqual(outTrain.tolist(), outEval.tolist());
  // dropout is unbiased: a row of weights sums to 1 in expectation (the mean over 512 rows of 64)
  const rowSums = w!.sum(-1).toArray() as Float64Array;
  const meanRow = rowSums.reduce((a, b) => a + b, 0) / rowSums.length;
  assert.ok(Math.abs(meanRow - 1) < 0.05, `mean row sum ${meanRow}`);
  // p = 1 drops everything: the output is out_proj's bias (zero at init)
  const all = new nn.MultiheadAttention(4, 2, { dropout: 1 });
  const y = randomDouble([3, 2, 4]).float();
  const [o1, w1] = all.forward(y, y, y);
  assert.ok((w1!.toArray() as Float32Array).every((v) => v === 0));
  assert.ok((o1.toArray() as Float32Array).every((v) => v === 0));
  all.eval();
  assert.ok((all.forward(y, y, y)[1]!.toArray() as Float32Array).some((v) => v !== 0));
});

Deno.test("MultiheadAttention: errors name the call, the expected and the actual value", () => {
  const E = RangeError, T = TypeError;
  throwsWith(
    () => new nn.MultiheadAttention(5, 2),
    E,
    /^MultiheadAttention: embed_dim must be divisible by num_heads, got embedDim 5 and numHeads 2$/,
  );
  throwsWith(
    () => new nn.MultiheadAttention(4, 0),
    T,
    /^MultiheadAttention: expected numHeads to be a positive integer, got number 0$/,
  );
  throwsWith(
    () => new nn.MultiheadAttention(4, 2, { dropout: 1.5 }),
    E,
    /^MultiheadAttention: dropout probability has to be between 0 and 1, but got 1.5$/,
  );
  throwsWith(
    () => new nn.MultiheadAttention(4, 2, { kdim: 0 }),
    T,
    /^MultiheadAttention: expected kdim to be a positive integer, got number 0$/,
  );
  throwsWith(
    () => new nn.MultiheadAttention(4, 2, { batch_first: true } as nn.MultiheadAttentionOptions),
    T,
    /^MultiheadAttention: unknown option "batch_first"/,
  );
  throwsWith(
    () => new nn.MultiheadAttention(4, 2, { dtype: "int64" as "float32" }),
    T,
    /^MultiheadAttention: expected dtype to be "float16", "float32" or "float64", got "int64"$/,
  );

  const m = new nn.MultiheadAttention(4, 2);
  const q = zeros([3, 2, 4]), kv = zeros([5, 2, 4]);
  const call = "^MultiheadAttention\\.forward: ";
  const re = (s: string) => new RegExp(call + s);
  throwsWith(
    () => m.forward(zeros([4]), kv, kv),
    E,
    re("query should be unbatched 2D or batched 3D tensor but received 1-D query tensor$"),
  );
  throwsWith(
    () => m.forward(q, zeros([5, 4]), kv),
    E,
    re("for batched \\(3-D\\) query, expected key and value to be 3-D but found 2-D and 3-D tensors respectively$"),
  );
  throwsWith(
    () => m.forward(zeros([3, 4]), zeros([5, 4]), kv),
    E,
    re("for unbatched \\(2-D\\) query, expected key and value to be 2-D but found 2-D and 3-D"),
  );
  throwsWith(() => m.forward(zeros([3, 2, 6]), kv, kv), E, re("was expecting embedding dimension of 4, but got 6$"));
  throwsWith(
    () => m.forward(q, zeros([5, 2, 3]), zeros([5, 2, 3])),
    E,
    re("expected key and value with 4 and 4 features \\(kdim, vdim\\), got shapes \\[5, 2, 3\\] and \\[5, 2, 3\\]$"),
  );
  throwsWith(
    () => m.forward(q, kv, zeros([6, 2, 4])),
    E,
    re(
      "expected key and value of one sequence length and the query's batch size 2, got shapes \\[5, 2, 4\\] and \\[6, 2, 4\\]",
    ),
  );
  throwsWith(
    () => m.forward(q, zeros([5, 1, 4]), zeros([5, 1, 4])),
    E,
    re("expected key and value of one sequence length and the query's batch size 2"),
  );
  throwsWith(
    () => m.forward(q.double(), kv.double(), kv.double()),
    T,
    re("expected query, key and value of the parameters' dtype float32, got float64, float64 and float64$"),
  );
  const bool = (shape: number[]) => zeros(shape).gt(0);
  throwsWith(
    () => m.forward(q, kv, kv, { attnMask: bool([3, 4]) }),
    E,
    re("the shape of the 2D attn_mask is \\[3, 4\\], but should be \\[3, 5\\]$"),
  );
  throwsWith(
    () => m.forward(q, kv, kv, { attnMask: bool([2, 3, 5]) }),
    E,
    re("the shape of the 3D attn_mask is \\[2, 3, 5\\], but should be \\[4, 3, 5\\]$"),
  );
  throwsWith(
    () => m.forward(q, kv, kv, { attnMask: bool([1, 4, 3, 5]) }),
    E,
    re("expected attn_mask to be null, 2-D or 3-D but found a 4-D tensor$"),
  );
  throwsWith(
    () => m.forward(q, kv, kv, { attnMask: zeros([3, 5]).long() }),
    T,
    re("only float, byte, and bool types are supported for attn_mask, not int64$"),
  );
  throwsWith(
    () => m.forward(q, kv, kv, { keyPaddingMask: zeros([2, 5]).long() }),
    T,
    re("only bool and floating types of key_padding_mask are supported, got int64$"),
  );
  throwsWith(
    () => m.forward(q, kv, kv, { keyPaddingMask: bool([2, 4]) }),
    E,
    re("expected key_padding_mask of shape \\[2, 5\\], got \\[2, 4\\]$"),
  );
  throwsWith(
    () => m.forward(q, kv, kv, { keyPaddingMask: bool([2, 5, 1]) }),
    E,
    re("for batched \\(3-D\\) query, expected key_padding_mask to be null or 2-D but found a 3-D tensor$"),
  );
  throwsWith(
    () => m.forward(zeros([3, 4]), zeros([5, 4]), zeros([5, 4]), { keyPaddingMask: bool([1, 5]) }),
    E,
    re("for unbatched \\(2-D\\) query, expected key_padding_mask to be null or 1-D but found a 2-D tensor$"),
  );
  throwsWith(
    () => m.forward(zeros([3, 4]), zeros([5, 4]), zeros([5, 4]), { keyPaddingMask: bool([4]) }),
    E,
    re("expected key_padding_mask of shape \\[5\\], got \\[4\\]$"),
  );
  throwsWith(
    () => m.forward(q, kv, kv, { attnMask: zeros([3, 5]), keyPaddingMask: zeros([2, 5]) }),
    T,
    re("a float key_padding_mask cannot be combined with a float attn_mask"),
  );
  throwsWith(
    () => m.forward(q, kv, kv, { need_weights: false } as nn.MultiheadAttentionForwardOptions),
    T,
    re('unknown option "need_weights"'),
  );
  throwsWith(() => m.forward(q, kv, [1] as unknown as Tensor), T, re("expected value to be a Tensor, got"));
  throwsWith(
    () => m.forward(q, kv, kv, { needWeights: 1 } as unknown as nn.MultiheadAttentionForwardOptions),
    T,
    re("expected needWeights to be a boolean, got number 1$"),
  );
  // PyTorch's positional order of forward
  const [, w] = m.forward(q, kv, kv, null, false);
  assert.equal(w, null);
});
