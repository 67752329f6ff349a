/**
 * nn.TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder, TransformerDecoder and
 * Transformer (src/nn/transformer.ts) against PyTorch 1.13: outputs and the gradients of the
 * inputs and parameters, with the state dicts of tests/fixtures/transformer/cases.json (written by
 * tools/fixtures/transformer.py) loaded strictly; errors where PyTorch raises; float64
 * gradchecks; state-dict keys, deep-copied layers, init, dropout in training only, options.
 */
import assert from "node:assert/strict";
import { manualSeed, nn, ones, randn, type Tensor, tensor, zeros } from "../../mod.ts";
import { assertMatches, cases, make, type TensorSpec } from "../util/fixture_act.ts";
import { gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

type Kind = "encoderLayer" | "decoderLayer" | "encoder" | "decoder" | "transformer";

interface TransformerCase {
  name: string;
  kind: Kind;
  dModel: number;
  nhead: number;
  opts: Record<string, unknown>;
  numLayers: number;
  norm: boolean;
  train: boolean;
  paramSeed?: number;
  paramShapes?: [string, number[]][];
  dtype?: "float32" | "float64";
  inputs?: TensorSpec[];
  inputShapes?: number[][];
  inputDtype?: "float32" | "float64";
  masks: Record<string, TensorSpec>;
  error?: string;
  where?: "constructor" | "forward";
  output: TensorSpec;
  gradOutput: TensorSpec;
  grads: TensorSpec[];
  paramGrads: Record<string, TensorSpec> | null;
}

const ACTIVATIONS: Record<string, (x: Tensor) => Tensor> = { tanh: (x) => x.tanh() };

/** tools/fixtures/transformer.py's gen_param: exact multiples of 1/1000 from an integer hash. */
function genParam(i: number, shape: number[], seed: number, dtype: "float32" | "float64"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Float64Array.from(
    { length: n },
    (_, j) => (((j * j * 31 + j * 7919 + i * 104729 + seed * 7) % 1999) - 999) / 1000,
  );
  return tensor(v, { shape }).to(dtype);
}

function makeMask(s: TensorSpec): Tensor {
  if ((s.dtype as string) === "uint8") {
    return tensor(Uint8Array.from(s.data as number[]), { shape: s.shape, dtype: "uint8" });
  }
  return make(s);
}

// deno-lint-ignore no-explicit-any
function build(c: TransformerCase, dtype: "float32" | "float64"): any {
  const o: Record<string, unknown> = { ...c.opts, dtype };
  const act = o.activation;
  if (typeof act === "string" && act in ACTIVATIONS) o.activation = ACTIVATIONS[act];
  const eps = (c.opts.layerNormEps as number | undefined) ?? 1e-5;
  const norm = c.norm ? new nn.LayerNorm(c.dModel, { eps, dtype }) : null;
  switch (c.kind) {
    case "encoderLayer":
      return new nn.TransformerEncoderLayer(c.dModel, c.nhead, o);
    case "decoderLayer":
      return new nn.TransformerDecoderLayer(c.dModel, c.nhead, o);
    case "encoder":
      return new nn.TransformerEncoder(new nn.TransformerEncoderLayer(c.dModel, c.nhead, o), c.numLayers, { norm });
    case "decoder":
      return new nn.TransformerDecoder(new nn.TransformerDecoderLayer(c.dModel, c.nhead, o), c.numLayers, { norm });
    default:
      return new nn.Transformer({ dModel: c.dModel, nhead: c.nhead, ...o });
  }
}

// deno-lint-ignore no-explicit-any
function run(c: TransformerCase, m: any, xs: Tensor[], masks: Record<string, Tensor>): Tensor {
  return c.kind === "encoderLayer" || c.kind === "encoder" ? m.forward(xs[0], masks) : m.forward(xs[0], xs[1], masks);
}

for (const c of cases("transformer") as TransformerCase[]) {
  Deno.test(`Transformer layers match PyTorch: ${c.name}`, () => {
    const masks = Object.fromEntries(Object.entries(c.masks).map(([k, s]) => [k, makeMask(s)]));
    if (c.error !== undefined) {
      const dtype = (c.inputDtype === "float32" && c.kind !== "encoder" ? "float32" : "float64") as
        | "float32"
        | "float64";
      const isError = (e: unknown) => e instanceof TypeError || e instanceof RangeError;
      if (c.where === "constructor") {
        assert.throws(() => build(c, "float64"), isError, `PyTorch raised "${c.error}"`);
        return;
      }
      const m = build(c, c.kind === "encoder" ? "float64" : dtype);
      m.eval();
      const xs = c.inputShapes!.map((s) => zeros(s, { dtype: c.inputDtype }));
      assert.throws(() => run(c, m, xs, masks), isError, `PyTorch raised "${c.error}"`);
      return;
    }
    const dtype = c.dtype!;
    const m = build(c, dtype);
    m.train(c.train);
    const sd = Object.fromEntries(c.paramShapes!.map(([k, shape], i) => [k, genParam(i, shape, c.paramSeed!, dtype)]));
    m.loadStateDict(sd); // strict: every key of PyTorch's state dict, no other
    assert.deepEqual(
      Object.entries(m.stateDict() as Record<string, Tensor>).map(([k, t]) => [k, [...t.shape]]),
      c.paramShapes,
      "state-dict keys, order and shapes",
    );
    const xs = c.inputs!.map((s) => make(s, true));
    const out = run(c, m, xs, masks);
    assertMatches(out, c.output, "output");
    out.mul(make(c.gradOutput)).sum().backward();
    xs.forEach((x, i) => assertMatches(x.grad!, c.grads[i], `grad of input ${i}`));
    if (c.paramGrads) {
      const params = Object.fromEntries(m.namedParameters()) as Record<string, Tensor>;
      assert.deepEqual(Object.keys(params), Object.keys(c.paramGrads), "parameter names");
      for (const [name, g] of Object.entries(c.paramGrads)) assertMatches(params[name].grad!, g, `grad of ${name}`);
    }
  });
}

Deno.test("Transformer layers gradcheck in float64: inputs, memory and a float mask", () => {
  manualSeed(2);
  const enc = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dtype: "float64" }).eval();
  const kpm = tensor(Uint8Array.from([0, 0, 1, 0, 0, 0]), { shape: [2, 3], dtype: "bool" });
  gradcheck((x, mask) => enc.forward(x, { srcMask: mask, srcKeyPaddingMask: kpm }), [
    randomDouble([3, 2, 4]),
    randomDouble([3, 3], 2),
  ]);
  const dec = new nn.TransformerDecoderLayer(4, 2, {
    dimFeedforward: 6,
    normFirst: true,
    activation: "gelu",
    batchFirst: true,
    dtype: "float64",
  }).eval();
  gradcheck((tgt, mem, mask) => dec.forward(tgt, mem, { tgtMask: mask }), [
    randomDouble([2, 3, 4], 3),
    randomDouble([2, 4, 4], 4),
    randomDouble([3, 3], 5),
  ]);
  const model = new nn.Transformer({
    dModel: 4,
    nhead: 2,
    numEncoderLayers: 1,
    numDecoderLayers: 1,
    dimFeedforward: 6,
    dtype: "float64",
  }).eval();
  const causal = nn.Transformer.generateSquareSubsequentMask(2, { dtype: "float64" });
  gradcheck((src, tgt) => model.forward(src, tgt, { tgtMask: causal }), [
    randomDouble([3, 2, 4], 6),
    randomDouble([2, 2, 4], 7),
  ]);
});

Deno.test("Transformer layers: PyTorch's state-dict keys and submodule order", () => {
  const enc = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
  assert.deepEqual([...enc.namedChildren()].map(([n]) => n), [
    "self_attn",
    "linear1",
    "dropout",
    "linear2",
    "norm1",
    "norm2",
    "dropout1",
    "dropout2",
  ]);
  const dec = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, activation: new nn.GELU() });
  // a module activation is registered last, as PyTorch's __setattr__ does
  assert.deepEqual([...dec.namedChildren()].map(([n]) => n), [
    "self_attn",
    "multihead_attn",
    "linear1",
    "dropout",
    "linear2",
    "norm1",
    "norm2",
    "norm3",
    "dropout1",
    "dropout2",
    "dropout3",
    "activation",
  ]);
  assert.equal(Object.keys(dec.stateDict()).length, 18);
  const model = new nn.Transformer({
    dModel: 8,
    nhead: 2,
    numEncoderLayers: 2,
    numDecoderLayers: 1,
    dimFeedforward: 4,
  });
  const keys = Object.keys(model.stateDict());
  assert.equal(keys.length, 2 * 12 + 2 + 18 + 2);
  assert.deepEqual(keys.slice(0, 2), [
    "encoder.layers.0.self_attn.in_proj_weight",
    "encoder.layers.0.self_attn.in_proj_bias",
  ]);
  assert.deepEqual(keys.slice(24, 28), [
    "encoder.norm.weight",
    "encoder.norm.bias",
    "decoder.layers.0.self_attn.in_proj_weight",
    "decoder.layers.0.self_attn.in_proj_bias",
  ]);
  assert.equal(model.encoder instanceof nn.TransformerEncoder, true);
  assert.equal((model.decoder as nn.TransformerDecoder).numLayers, 1);
  assert.equal(model.dModel, 8);
  assert.equal(model.nhead, 2);
  assert.equal(model.batchFirst, false);
  assert.equal(
    String(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6 })),
    [
      "TransformerEncoderLayer(",
      "  (self_attn): MultiheadAttention(",
      "    (out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, bias=True)",
      "  )",
      "  (linear1): Linear(in_features=4, out_features=6, bias=True)",
      "  (dropout): Dropout(p=0.1, inplace=False)",
      "  (linear2): Linear(in_features=6, out_features=4, bias=True)",
      "  (norm1): LayerNorm((4,), eps=1e-05, elementwise_affine=True)",
      "  (norm2): LayerNorm((4,), eps=1e-05, elementwise_affine=True)",
      "  (dropout1): Dropout(p=0.1, inplace=False)",
      "  (dropout2): Dropout(p=0.1, inplace=False)",
      ")",
    ].join("\n"),
  );
});

Deno.test("TransformerEncoder/Decoder: the layers are independent deep copies (PyTorch's _get_clones)", () => {
  manualSeed(0);
  const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0.25, normFirst: true });
  layer.eval();
  const seen: string[] = [];
  layer.registerForwardHook(() => void seen.push("hook"));
  const stack = new nn.TransformerEncoder(layer, 3);
  assert.equal(stack.layers.length, 3);
  assert.equal(stack.numLayers, 3);
  assert.equal(stack.norm, null);
  assert.equal(stack.enableNestedTensor, true);
  assert.equal(stack.maskCheck, true);
  const copies = [...stack.layers] as nn.TransformerEncoderLayer[];
  const w = layer.linear1.weight.toArray();
  for (const c of copies) {
    assert.ok(c instanceof nn.TransformerEncoderLayer);
    assert.notEqual(c, layer);
    assert.notEqual(c.linear1.weight, layer.linear1.weight);
    assert.ok(c.linear1.weight instanceof nn.Parameter && c.linear1.weight.requiresGrad);
    assert.deepEqual(c.linear1.weight.toArray(), w, "a copy starts with the layer's values");
    assert.equal(c.normFirst, true);
    assert.equal(c.training, false, "the training flag is copied");
    assert.equal(c.dropout.p, 0.25);
    assert.equal(c.activation, nn.functional.relu, "functions are shared, as deepcopy does");
  }
  // writing one copy leaves the others and the original alone
  copies[0].linear1.weight.data.fill_(7);
  assert.deepEqual(layer.linear1.weight.toArray(), w);
  assert.deepEqual(copies[1].linear1.weight.toArray(), w);
  // a copy's registries are its own: assigning a new module to a copy does not touch the layer
  copies[1].norm1 = new nn.LayerNorm(4, { eps: 0.5 });
  assert.equal(layer.norm1.eps, 1e-5);
  // the number of distinct parameters is 3 x 12 (no sharing)
  assert.equal([...stack.parameters()].length, 36);
  // hooks are copied with the layer (as deepcopy copies _forward_hooks)
  stack.forward(randn([2, 1, 4]));
  assert.deepEqual(seen, ["hook", "hook", "hook"]);
  // parameters of one copy get their own gradients
  copies[0].linear1.weight.data.copy_(layer.linear1.weight);
  stack.forward(randn([2, 1, 4])).sum().backward();
  assert.ok(copies[0].linear1.weight.grad !== null && layer.linear1.weight.grad === null);

  // a module activation is copied per layer; a parameter tied inside the layer stays tied in each copy
  const gl = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 4, activation: new nn.GELU() });
  gl.linear2.weight = gl.linear1.weight; // both (4, 4)
  const tied = new nn.TransformerEncoder(gl, 2);
  const [t0, t1] = [...tied.layers] as nn.TransformerEncoderLayer[];
  assert.ok(t0.activation instanceof nn.GELU && t0.activation !== gl.activation && t0.activation !== t1.activation);
  assert.equal(t0.linear2.weight, t0.linear1.weight);
  assert.notEqual(t0.linear1.weight, t1.linear1.weight);
  assert.equal([...tied.parameters()].length, 2 * 11);

  const dec = new nn.TransformerDecoder(
    new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6 }),
    2,
    new nn.LayerNorm(4),
  );
  assert.ok(dec.norm instanceof nn.LayerNorm);
  assert.deepEqual(Object.keys(dec.stateDict()).slice(-2), ["norm.weight", "norm.bias"]);
  assert.equal([...dec.parameters()].length, 2 * 18 + 2);
});

Deno.test("Transformer: xavier-uniform init of every matrix, biases and norms as their layers make them", () => {
  manualSeed(0);
  const model = new nn.Transformer({
    dModel: 16,
    nhead: 4,
    numEncoderLayers: 1,
    numDecoderLayers: 1,
    dimFeedforward: 32,
  });
  const p = Object.fromEntries(model.namedParameters()) as Record<string, Tensor>;
  const within = (name: string, bound: number) => {
    const v = Array.from(p[name].toArray() as Float32Array);
    assert.ok(v.every((x) => Math.abs(x) <= bound), `${name} within ${bound}`);
    assert.ok(Math.max(...v.map(Math.abs)) > 0.9 * bound, `${name} fills U(-${bound}, ${bound})`);
  };
  within("encoder.layers.0.self_attn.in_proj_weight", Math.sqrt(6 / (16 + 48)));
  within("encoder.layers.0.linear1.weight", Math.sqrt(6 / (16 + 32)));
  within("decoder.layers.0.linear2.weight", Math.sqrt(6 / (32 + 16)));
  // out_proj.weight is reset too (nn.Linear's bound would be 1/sqrt(16) = 0.25 < the xavier bound 0.433)
  within("decoder.layers.0.multihead_attn.out_proj.weight", Math.sqrt(6 / 32));
  const zerosOf = (name: string) => (p[name].toArray() as Float32Array).every((x) => x === 0);
  assert.ok(zerosOf("encoder.layers.0.self_attn.in_proj_bias") && zerosOf("encoder.norm.bias"));
  assert.ok((p["encoder.norm.weight"].toArray() as Float32Array).every((x) => x === 1));
  // 1-D linear biases keep nn.Linear's U(-1/sqrt(fanIn), 1/sqrt(fanIn))
  const b = Array.from(p["encoder.layers.0.linear1.bias"].toArray() as Float32Array);
  assert.ok(b.every((x) => Math.abs(x) <= 0.25) && b.some((x) => x !== 0));
  // custom encoder/decoder are used as given (and their matrices reset, as PyTorch does)
  const enc = new nn.Linear(16, 16), dec = new nn.Linear(16, 16, { bias: false });
  const custom = new nn.Transformer({ dModel: 16, nhead: 4, customEncoder: enc, customDecoder: dec });
  assert.equal(custom.encoder, enc);
  assert.equal(custom.decoder, dec);
  assert.deepEqual(Object.keys(custom.stateDict()), ["encoder.weight", "encoder.bias", "decoder.weight"]);
});

Deno.test("Transformer layers: dropout in training mode only", () => {
  manualSeed(0);
  const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0.5, dtype: "float64" });
  const x = randomDouble([5, 3, 8], 3, -1, 1, false);
  layer.eval();
  const a = layer.forward(x).tolist(), b = layer.forward(x).tolist();
  assert.deepEqual(a, b, "eval is deterministic");
  layer.train();
  assert.notDeepEqual(layer.forward(x).tolist(), a, "training draws dropout masks");
  const noDrop = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, dtype: "float64" });
  const mem = randomDouble([4, 3, 8], 4, -1, 1, false);
  assert.deepEqual(noDrop.forward(x, mem).tolist(), noDrop.eval().forward(x, mem).tolist(), "p = 0 trains as eval");
});

Deno.test("Transformer layers: PyTorch's positional arguments, options-only form and activations", () => {
  const l = new nn.TransformerEncoderLayer(4, 2, 6, 0.0, "gelu", 1e-3, true, true, { dtype: "float64" });
  assert.equal(l.linear1.outFeatures, 6);
  assert.equal(l.dropout.p, 0);
  assert.equal(l.activation, nn.functional.gelu);
  assert.equal(l.norm1.eps, 1e-3);
  assert.equal(l.self_attn.batchFirst, true);
  assert.equal(l.normFirst, true);
  assert.equal(l.linear2.weight.dtype, "float64");
  const o = new nn.TransformerDecoderLayer({ dModel: 6, nhead: 3, dimFeedforward: 5 });
  assert.equal(o.multihead_attn.numHeads, 3);
  assert.equal(o.activation, nn.functional.relu);
  // a callable activation and a module activation give the same values
  const x = randomDouble([3, 2, 4], 5, -1, 1, false);
  const f = new nn.TransformerEncoderLayer(4, 2, {
    dimFeedforward: 6,
    activation: (t: Tensor) => t.tanh(),
    dtype: "float64",
  });
  const m = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, activation: new nn.Tanh(), dtype: "float64" });
  m.loadStateDict(f.stateDict());
  f.eval(), m.eval();
  assert.deepEqual(f.forward(x).tolist(), m.forward(x).tolist());
  // forward's positional masks: (src, srcMask, srcKeyPaddingMask)
  const kpm = tensor(Uint8Array.from([0, 0, 1, 0, 0, 0]), { shape: [2, 3], dtype: "bool" });
  const mask = nn.Transformer.generateSquareSubsequentMask(3);
  assert.deepEqual(f.forward(x, mask, kpm).tolist(), f.forward(x, { srcMask: mask, srcKeyPaddingMask: kpm }).tolist());
  // TransformerEncoder(layer, n, norm) with the norm positional
  const e = new nn.TransformerEncoder(f, 1, new nn.LayerNorm(4, { dtype: "float64" }), false);
  assert.ok(e.norm instanceof nn.LayerNorm);
  assert.equal(e.enableNestedTensor, false);
  assert.deepEqual(e.forward(x, mask, kpm).tolist(), e.forward(x, { mask, srcKeyPaddingMask: kpm }).tolist());
  // Transformer positional: dModel, nhead, numEncoderLayers, numDecoderLayers, dimFeedforward
  const t = new nn.Transformer(4, 2, 1, 2, 6, { batchFirst: true });
  assert.equal((t.decoder as nn.TransformerDecoder).layers.length, 2);
  assert.equal(t.batchFirst, true);
  assert.deepEqual(t.forward(ones([2, 3, 4]), ones([2, 5, 4])).shape, [2, 5, 4]);
});

Deno.test("Transformer.generateSquareSubsequentMask", () => {
  const m = nn.Transformer.generateSquareSubsequentMask(4);
  assert.equal(m.dtype, "float32");
  assert.deepEqual(m.tolist(), [
    [0, -Infinity, -Infinity, -Infinity],
    [0, 0, -Infinity, -Infinity],
    [0, 0, 0, -Infinity],
    [0, 0, 0, 0],
  ]);
  assert.deepEqual(nn.Transformer.generateSquareSubsequentMask(0).shape, [0, 0]);
  assert.equal(nn.Transformer.generateSquareSubsequentMask(2, { dtype: "float64" }).dtype, "float64");
  throwsWith(
    () => nn.Transformer.generateSquareSubsequentMask(-1),
    TypeError,
    /^Transformer\.generateSquareSubsequentMask: expected sz to be a non-negative integer, got number -1$/,
  );
});

Deno.test("Transformer layers: errors name the call and the values", () => {
  throwsWith(
    () => new nn.TransformerEncoderLayer(5, 2),
    RangeError,
    /^TransformerEncoderLayer: embed_dim must be divisible by num_heads, got dModel 5 and nhead 2$/,
  );
  throwsWith(
    () => new nn.TransformerDecoderLayer(4, 2, { activation: "tanh" as "relu" }),
    TypeError,
    /^TransformerDecoderLayer: activation should be relu\/gelu, not tanh$/,
  );
  throwsWith(
    () => new nn.TransformerEncoderLayer(4, 2, { activation: 3 as unknown as "relu" }),
    TypeError,
    /^TransformerEncoderLayer: expected activation to be "relu", "gelu", a function or a Module, got number 3$/,
  );
  throwsWith(
    () => new nn.TransformerEncoderLayer(4, undefined as unknown as number),
    TypeError,
    /^TransformerEncoderLayer: missing the required argument nhead$/,
  );
  throwsWith(
    () => new nn.TransformerEncoderLayer(0, 2),
    TypeError,
    /^TransformerEncoderLayer: expected dModel to be a positive integer, got number 0$/,
  );
  throwsWith(
    () => new nn.TransformerEncoderLayer(4, 2, { dropout: 1.5 }),
    RangeError,
    /^TransformerEncoderLayer: dropout probability has to be between 0 and 1, but got 1\.5$/,
  );
  throwsWith(
    () => new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: -1 }),
    TypeError,
    /^TransformerEncoderLayer: expected dimFeedforward to be a non-negative integer, got number -1$/,
  );
  throwsWith(
    () => new nn.TransformerEncoderLayer(4, 2, { dtype: "float16" as "float32" }),
    TypeError,
    /^TransformerEncoderLayer: expected dtype "float32" or "float64", got "float16"$/,
  );
  throwsWith(
    () => new nn.TransformerEncoderLayer(4, 2, { dim_feedforward: 8 } as unknown as nn.TransformerLayerOptions),
    TypeError,
    /^TransformerEncoderLayer: unknown option "dim_feedforward"/,
  );
  throwsWith(
    () => new nn.TransformerEncoder({} as nn.Module, 2),
    TypeError,
    /^TransformerEncoder: expected the layer to be a Module, got/,
  );
  const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6 });
  throwsWith(
    () => new nn.TransformerEncoder(layer, 1.5),
    TypeError,
    /^TransformerEncoder: expected numLayers to be a non-negative integer, got number 1\.5$/,
  );
  throwsWith(
    () => new nn.TransformerDecoder(layer, 2, { norm: 3 as unknown as nn.Module }),
    TypeError,
    /^TransformerDecoder: expected norm to be a Module or null, got number 3$/,
  );
  throwsWith(
    () => new nn.Transformer({ dModel: 6, nhead: 4 }),
    RangeError,
    /^Transformer: embed_dim must be divisible by num_heads, got dModel 6 and nhead 4$/,
  );
  // forward: sublayers' messages are re-raised under the caller's name
  throwsWith(
    () => layer.forward(zeros([3, 2, 5])),
    RangeError,
    /^TransformerEncoderLayer\.forward: was expecting embedding dimension of 4, but got 5$/,
  );
  throwsWith(
    () => layer.forward(zeros([3, 2, 4]), { srcKeyPaddingMask: zeros([2, 3], { dtype: "int64" }) }),
    TypeError,
    /^TransformerEncoderLayer\.forward: only bool and floating types of key_padding_mask are supported, got src_key_padding_mask int64$/,
  );
  throwsWith(
    () => layer.forward("x" as unknown as Tensor),
    TypeError,
    /^TransformerEncoderLayer\.forward: expected src to be a Tensor, got "x"$/,
  );
  const stack = new nn.TransformerEncoder(layer, 2);
  throwsWith(
    () => stack.forward(zeros([3, 2, 4]), { mask: zeros([3, 4], { dtype: "bool" }) }),
    RangeError,
    /^TransformerEncoder\.forward: the shape of the 2D attn_mask is \[3, 4\], but should be \[3, 3\]$/,
  );
  throwsWith(
    () => new nn.TransformerEncoder(layer, 0).forward(zeros([3, 2, 4])),
    RangeError,
    /^TransformerEncoder\.forward: the encoder has no layers/,
  );
  const model = new nn.Transformer({
    dModel: 4,
    nhead: 2,
    numEncoderLayers: 1,
    numDecoderLayers: 1,
    dimFeedforward: 6,
  });
  throwsWith(
    () => model.forward(zeros([4, 2, 4]), zeros([3, 3, 4])),
    RangeError,
    /^Transformer\.forward: the batch number of src and tgt must be equal, got src \[4, 2, 4\] and tgt \[3, 3, 4\] \(batchFirst false\)$/,
  );
  throwsWith(
    () => model.forward(zeros([4, 2, 4]), zeros([3, 2, 6])),
    RangeError,
    /^Transformer\.forward: the feature number of src and tgt must be equal to d_model 4, got src \[4, 2, 4\] and tgt \[3, 2, 6\]$/,
  );
  throwsWith(
    () => model.forward(zeros([4, 2, 4]), zeros([3, 2, 4]), { memoryMask: zeros([3, 5]) }),
    RangeError,
    /^Transformer\.forward: the shape of the 2D attn_mask is \[3, 5\], but should be \[3, 4\]$/,
  );
  throwsWith(
    () => model.forward(zeros([4, 2, 4]), zeros([3, 2, 4]), { srcMsk: null } as nn.TransformerForwardOptions),
    TypeError,
    /^Transformer\.forward: unknown option "srcMsk"/,
  );
});
