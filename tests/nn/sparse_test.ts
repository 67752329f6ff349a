import assert from "node:assert/strict";
import { manualSeed, nn, noGrad, ones, randn, type Tensor, tensor } from "../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { fixture, fromList, throwsWith } from "../util/fixture_json.ts";

const F = nn.functional;
const idx = (values: number[], shape?: number[]) =>
  tensor(BigInt64Array.from(values, (v) => BigInt(v)), { shape: shape ?? [values.length] });

const CASES = [
  "basic",
  "padding_idx",
  "padding_idx_negative",
  "scale_grad_by_freq",
  "scale_freq_padding",
  "max_norm",
  "max_norm_l1",
  "max_norm_p3_padding",
  "double_1d",
  "scalar_index",
];

for (const name of CASES) {
  Deno.test(`F.embedding matches PyTorch (output, weight gradient, weight after): ${name}`, () => {
    const c = fixture("sparse", name);
    const dt = c.dtype as "float32" | "float64";
    const tol = dt === "float64" ? [1e-12, 1e-10] : [1e-6, 1e-5];
    const w = fromList(c.weight, [c.num, c.dim], dt, true);
    const ind = fromList(c.indices, c.indShape, "int64");
    const y = F.embedding(ind, w, c.options);
    assert.deepEqual(y.shape, c.yShape);
    assert.equal(y.dtype, dt);
    assertClose(y.toArray() as Float32Array, c.y, tol[0], tol[1], "output");
    assertClose(w.toArray() as Float32Array, c.weightAfter, tol[0], tol[1], "weight after forward");
    y.backward(fromList(c.gout, c.yShape, dt));
    assertClose(w.grad!.toArray() as Float32Array, c.gw, tol[0], tol[1], "weight grad");
  });
}

Deno.test("nn.Embedding reproduces PyTorch through the module (padding row grad zero, freq scaling)", () => {
  for (const name of ["padding_idx", "scale_freq_padding", "max_norm"]) {
    const c = fixture("sparse", name);
    const emb = new nn.Embedding(c.num, c.dim, c.options);
    emb.loadStateDict({ weight: fromList(c.weight, [c.num, c.dim]) });
    const y = emb.forward(fromList(c.indices, c.indShape, "int64"));
    assertClose(y.toArray() as Float32Array, c.y, 1e-6, 1e-5, `${name}: output`);
    assertClose(emb.weight.toArray() as Float32Array, c.weightAfter, 1e-6, 1e-5, `${name}: weight after`);
    y.backward(fromList(c.gout, c.yShape));
    assertClose(emb.weight.grad!.toArray() as Float32Array, c.gw, 1e-6, 1e-5, `${name}: weight grad`);
    if (c.options.paddingIdx !== undefined) {
      const row = emb.weight.grad!.select(0, emb.paddingIdx!);
      assert.equal(row.abs().sum().item(), 0, "the padding row gets no gradient");
    }
  }
});

Deno.test("Embedding initialises from N(0, 1) with the padding row zeroed; int32 indices work", () => {
  manualSeed(5);
  const emb = new nn.Embedding(200, 50, { paddingIdx: -2 });
  assert.equal(emb.paddingIdx, 198);
  const w = emb.weight.toArray() as Float32Array;
  const rows = Array.from({ length: 200 }, (_, i) => w.subarray(i * 50, i * 50 + 50));
  assert.ok(rows[198].every((v) => v === 0));
  const rest = rows.filter((_, i) => i !== 198).flatMap((r) => Array.from(r));
  const mean = rest.reduce((a, b) => a + b, 0) / rest.length;
  const variance = rest.reduce((a, b) => a + (b - mean) ** 2, 0) / rest.length;
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.05, `mean ${mean}, var ${variance}`);
  const i32 = tensor(new Int32Array([198, 3]));
  assert.deepEqual(emb.forward(i32).shape, [2, 50]);
  assert.deepEqual(Array.from(emb.forward(i32).select(0, 0).toArray() as Float32Array), new Array(50).fill(0));
  assert.equal(emb.toString(), "Embedding(200, 50, padding_idx=198)");
  assert.deepEqual(Object.keys(emb.stateDict()), ["weight"]);
});

Deno.test("Embedding weight gradient passes float64 gradcheck (repeated indices, any index shape)", () => {
  // paddingIdx and scaleGradByFreq deliberately differ from the true derivative; the PyTorch
  // fixtures above pin those down.
  gradcheck((w) => F.embedding(idx([0, 2, 2, 4, 1, 2], [2, 3]), w), [randomDouble([5, 3], 1)]);
  gradcheck((w) => F.embedding(idx([3, 3, 0, 1], [2, 1, 2]), w), [randomDouble([4, 2], 2)]);
  gradcheck((w) => F.embedding(idx([1]), w).mul(F.embedding(idx([1]), w)), [randomDouble([2, 3], 3)]);
});

Deno.test("Embedding.fromPretrained shares the tensor, freezes by default, keeps options", () => {
  const weight = tensor([[1, 2.3, 3], [4, 5.1, 6.3]]);
  const emb = nn.Embedding.fromPretrained(weight);
  assert.equal(emb.weight.requiresGrad, false);
  assertClose(emb.forward(idx([1])).toArray() as Float32Array, [4, 5.1, 6.3], 1e-6, 0);
  noGrad(() => emb.weight.fill_(0));
  assert.equal(weight.abs().sum().item(), 0, "the pretrained tensor is shared, not copied");
  const trainable = nn.Embedding.fromPretrained(ones([3, 2]), { freeze: false, paddingIdx: 1, maxNorm: 1 });
  assert.equal(trainable.weight.requiresGrad, true);
  assert.equal(trainable.paddingIdx, 1);
  // The padding row of a pretrained weight is used as given (not zeroed), as in PyTorch.
  assert.equal(trainable.weight.select(0, 1).sum().item(), 2);
  // maxNorm renormalises the looked-up row to norm 1 / (sqrt(2) + 1e-7) * sqrt(2).
  trainable.forward(idx([0]));
  assertClose(
    trainable.weight.select(0, 0).toArray() as Float32Array,
    [1, 1].map((v) => v / (Math.SQRT2 + 1e-7)),
    1e-6,
    0,
  );
  assertClose(trainable.weight.select(0, 2).toArray() as Float32Array, [1, 1], 0, 0, "rows not looked up stay");
  throwsWith(
    () => nn.Embedding.fromPretrained(ones([3])),
    RangeError,
    /^Embedding\.fromPretrained: embeddings parameter is expected to be 2-dimensional, got shape \[3\]$/,
  );
});

Deno.test("sparse: true is accepted and gives the dense gradient", () => {
  const emb = new nn.Embedding(4, 2, { sparse: true });
  emb.forward(idx([1, 1, 3])).sum().backward();
  assert.deepEqual(emb.weight.grad!.tolist(), [[0, 0], [2, 2], [0, 0], [1, 1]]);
  assert.equal(emb.toString(), "Embedding(4, 2, sparse=True)");
});

Deno.test("Embedding on float64 and float16 weights keeps the weight's dtype", () => {
  const e64 = new nn.Embedding(3, 2, { dtype: "float64" });
  assert.equal(e64.forward(idx([2])).dtype, "float64");
  const e16 = new nn.Embedding(3, 2).half();
  const y = e16.forward(idx([2, 0]));
  assert.equal(y.dtype, "float16");
  assertClose(
    Array.from(y.toArray() as ArrayLike<number>),
    [
      ...Array.from(e16.weight.select(0, 2).toArray() as ArrayLike<number>),
      ...Array.from(e16.weight.select(0, 0).toArray() as ArrayLike<number>),
    ],
    0,
    0,
  );
  y.sum().backward();
  assert.equal(e16.weight.grad!.dtype, "float16");
  assert.deepEqual(e16.weight.grad!.tolist(), [[1, 1], [0, 0], [1, 1]]);
});

Deno.test("Embedding validates indices and options before any native call", () => {
  const emb = new nn.Embedding(10, 3);
  throwsWith(
    () => emb.forward(randn([2])),
    TypeError,
    /^Embedding\.forward: expected input to be an int64 or int32 tensor of indices, got dtype float32$/,
  );
  throwsWith(
    () => emb.forward(idx([1, 10])),
    RangeError,
    /^embedding: index 10 is out of bounds for dimension 0 with size 10$/,
  );
  throwsWith(
    () => emb.forward(idx([-1])),
    RangeError,
    /^embedding: index -1 is out of bounds for dimension 0 with size 10$/,
  );
  throwsWith(
    () => emb.forward([1] as unknown as Tensor),
    TypeError,
    /^Embedding\.forward: expected input to be a Tensor of indices, got \[1\]$/,
  );
  throwsWith(
    () => new nn.Embedding(10, 3, { paddingIdx: 10 }),
    RangeError,
    /^Embedding: paddingIdx must be within numEmbeddings \(10\), got 10$/,
  );
  throwsWith(() => new nn.Embedding(10, 3, { paddingIdx: -11 }), RangeError, /paddingIdx must be within numEmbeddings/);
  throwsWith(
    () => new nn.Embedding(10, 3, { paddingIdx: 1.5 }),
    TypeError,
    /^Embedding: expected paddingIdx to be an integer or null, got number 1\.5$/,
  );
  throwsWith(
    () => new nn.Embedding(-1, 3),
    TypeError,
    /^Embedding: expected numEmbeddings to be a non-negative integer, got number -1$/,
  );
  throwsWith(
    () => new nn.Embedding(3, 3, { maxNorm: "1" as unknown as number }),
    TypeError,
    /expected maxNorm to be a number or null/,
  );
  throwsWith(
    () => new nn.Embedding(3, 2, { _weight: ones([2, 2]) }),
    RangeError,
    /^Embedding: shape of weight does not match numEmbeddings and embeddingDim: expected \[3, 2\], got \[2, 2\]$/,
  );
  throwsWith(
    () => F.embedding(idx([0]), ones([3])),
    RangeError,
    /^embedding: expected weight to be 2-d \(num_embeddings, embedding_dim\), got shape \[3\]$/,
  );
  // Nothing was written by the failed lookups.
  assert.equal(emb.weight.grad, null);
});

Deno.test("Embedding with empty indices gives an empty output and a zero gradient", () => {
  const emb = new nn.Embedding(4, 3);
  const y = emb.forward(idx([], [0, 2]));
  assert.deepEqual(y.shape, [0, 2, 3]);
  y.sum().backward();
  assert.equal(emb.weight.grad!.abs().sum().item(), 0);
});
