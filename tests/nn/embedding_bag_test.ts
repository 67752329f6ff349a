/**
 * EmbeddingBag (src/nn/sparse.ts) against PyTorch 1.13: outputs, weight and per-sample-weight
 * gradients of F.embedding_bag in every mode, 2-d and 1-d inputs, empty bags, padding_idx,
 * include_last_offset, scale_grad_by_freq and max_norm (with the renormalised weight), and
 * the calls PyTorch rejects (tests/fixtures/fold_bag/cases.json, written by
 * tools/fixtures/fold_bag.py). Plus float64 gradchecks, error messages, the module, and the
 * inputs where PyTorch crashes or is undefined.
 */
import assert from "node:assert/strict";
import { nn, type Tensor, tensor, zeros } from "../../mod.ts";
import { assertMatches, cases, make, type TensorSpec } from "../util/fixture_act.ts";
import { gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

const F = nn.functional;

interface BagCase {
  kind: "bag";
  name: string;
  weight: TensorSpec;
  indices: TensorSpec;
  offsets: TensorSpec | null;
  psw: TensorSpec | null;
  opts: nn.EmbeddingBagOptions;
  error?: string;
  output: TensorSpec;
  gradOutput: TensorSpec;
  gradWeight: TensorSpec;
  gradPsw: TensorSpec | null;
  weightAfter?: TensorSpec;
}

/** int32 specs become int32 tensors (fixture_act's `make` knows float, int64 and bool). */
function indexTensor(s: TensorSpec): Tensor {
  if ((s.dtype as string) === "int32") return tensor(Int32Array.from(s.data as number[]), { shape: s.shape });
  return make(s);
}

const bagCases = (cases("fold_bag") as BagCase[]).filter((c) => c.kind === "bag");

for (const c of bagCases) {
  Deno.test(`embeddingBag matches PyTorch: ${c.name}`, () => {
    const isFloat = c.weight.dtype.startsWith("float");
    const w = make(c.weight, isFloat);
    const idx = indexTensor(c.indices);
    const offsets = c.offsets ? indexTensor(c.offsets) : null;
    const psw = c.psw ? make(c.psw, c.psw.dtype.startsWith("float")) : null;
    const run = () => F.embeddingBag(idx, w, offsets, { ...c.opts, perSampleWeights: psw });
    if (c.error !== undefined) {
      assert.throws(
        run,
        (e: unknown) => (e instanceof TypeError || e instanceof RangeError) && e.message.startsWith("embeddingBag: "),
        `PyTorch raised "${c.error}"`,
      );
      return;
    }
    const out = run();
    assertMatches(out, c.output, `${c.name}: output`);
    if (c.weightAfter) assertMatches(w, c.weightAfter, `${c.name}: weight after max_norm`);
    out.backward(make(c.gradOutput));
    assertMatches(w.grad!, c.gradWeight, `${c.name}: grad of the weight`);
    if (c.gradPsw) assertMatches(psw!.grad!, c.gradPsw, `${c.name}: grad of perSampleWeights`);
  });
}

Deno.test("the bag fixtures cover every mode, both dtypes, empty bags and rejections", () => {
  for (const mode of ["sum", "mean", "max"]) {
    assert.ok(bagCases.filter((c) => c.opts.mode === mode && !c.error).length >= 8, mode);
  }
  assert.ok(bagCases.some((c) => c.output?.dtype === "float32" && c.opts.mode === "max"));
  assert.ok(bagCases.some((c) => c.gradPsw));
  assert.ok(bagCases.some((c) => c.weightAfter));
  assert.ok(bagCases.filter((c) => c.error).length >= 15);
});

const longs = (...v: number[]) => tensor(BigInt64Array.from(v, BigInt));

Deno.test("embeddingBag gradchecks in float64: sum with per-sample weights, mean with padding, max", () => {
  const idx = longs(1, 2, 4, 4, 0, 3, 2), off = longs(0, 3, 3, 5);
  gradcheck(
    (w, p) => F.embeddingBag(idx, w, off, { mode: "sum", perSampleWeights: p }),
    [randomDouble([5, 3], 1), randomDouble([7], 2)],
  );
  gradcheck((w) => F.embeddingBag(idx, w, off, { mode: "mean", paddingIdx: 2 }), [randomDouble([5, 3], 3)]);
  gradcheck((w) => F.embeddingBag(idx, w, off, { mode: "max" }), [randomDouble([5, 3], 4)]);
  gradcheck((w) => F.embeddingBag(idx.view(7, 1), w, { mode: "max", paddingIdx: 0 }), [randomDouble([5, 2], 5)]);
});

Deno.test("embeddingBag takes offsets third, in the options, or PyTorch's positionals", () => {
  const w = tensor([[0, 0], [1, 2], [3, 4], [5, 6]]);
  const idx = longs(1, 2, 3, 3), off = longs(0, 2, 2);
  const want = [[4, 6], [0, 0], [10, 12]];
  assert.deepEqual(F.embeddingBag(idx, w, off, { mode: "sum" }).tolist(), want);
  assert.deepEqual(F.embeddingBag(idx, w, { offsets: off, mode: "sum" }).tolist(), want);
  assert.deepEqual(F.embeddingBag(idx, w, off, null, 2, false, "sum").tolist(), want);
  assert.deepEqual(F.embeddingBag(idx, w, off, { mode: "mean" }).tolist(), [[2, 3], [0, 0], [5, 6]]);
  assert.deepEqual(F.embeddingBag(idx, w, off, { mode: "max" }).tolist(), [[3, 4], [0, 0], [5, 6]]);
  assert.deepEqual(F.embeddingBag(idx.view(2, 2), w).tolist(), [[2, 3], [5, 6]]);
});

Deno.test("where PyTorch 1.13 crashes or is undefined, embeddingBag is consistent and documented", () => {
  const w = tensor(Float64Array.from({ length: 12 }, (_, i) => i), { shape: [6, 2] });
  // No bag at all (PyTorch segfaults): an empty (0, D) result.
  assert.deepEqual(F.embeddingBag(longs(1, 2), w, longs(), { mode: "sum" }).shape, [0, 2]);
  assert.deepEqual(F.embeddingBag(longs(1, 2), w, longs(0), { includeLastOffset: true }).shape, [0, 2]);
  // Indices after the last offset with includeLastOffset are left out in every mode. PyTorch's
  // float64 "sum" gives the same [[6, 8], [6, 7]]; its "mean" divides by a count that includes
  // them and its "max" corrupts memory.
  const idx = longs(1, 2, 3, 4, 5), off = longs(0, 2, 3);
  const o = { includeLastOffset: true };
  assert.deepEqual(F.embeddingBag(idx, w, off, { ...o, mode: "sum" }).tolist(), [[6, 8], [6, 7]]);
  assert.deepEqual(F.embeddingBag(idx, w, off, { ...o, mode: "mean" }).tolist(), [[3, 4], [6, 7]]);
  assert.deepEqual(F.embeddingBag(idx, w, off, { ...o, mode: "max" }).tolist(), [[4, 5], [6, 7]]);
  const wg = w.clone().requiresGrad_();
  F.embeddingBag(idx, wg, off, { ...o, mode: "sum" }).sum().backward();
  assert.deepEqual(wg.grad!.tolist(), [[0, 0], [1, 1], [1, 1], [1, 1], [0, 0], [0, 0]]);
  // scaleGradByFreq divides each row's gradient by its index's frequency; PyTorch 1.13's CPU
  // kernel reads the count of another index when counts differ (pytorch/pytorch#190063), and
  // would give 0.5 for row 3 here.
  const ws = zeros([4, 3], { requiresGrad: true });
  F.embeddingBag(longs(1, 1, 3), ws, longs(0), { mode: "sum", scaleGradByFreq: true }).sum().backward();
  assert.deepEqual(ws.grad!.select(1, 0).tolist(), [0, 1, 0, 1]);
  // Decreasing offsets (PyTorch does not check them) are refused.
  throwsWith(
    () => F.embeddingBag(idx, w, longs(0, 3, 2)),
    RangeError,
    /^embeddingBag: offsets must be non-decreasing, got offsets\[2\] = 2 after 3$/,
  );
});

Deno.test("embeddingBag keeps float16 (summed in float32, rounded once), as PyTorch's half results", () => {
  const w = tensor([[0.1, 0.2], [0.3, 0.7]]).half();
  const idx = longs(0, 1, 1, 0), off = longs(0);
  const mean = F.embeddingBag(idx, w, off);
  assert.equal(mean.dtype, "float16");
  assert.deepEqual(mean.float().tolist(), [[0.199951171875, 0.4501953125]]); // PyTorch 1.13
  const p = tensor([1, 2, 3, 4]).half();
  assert.deepEqual(F.embeddingBag(idx, w, off, { mode: "sum", perSampleWeights: p }).dtype, "float16");
  assert.deepEqual(F.embeddingBag(idx, w, off, { mode: "max" }).float().tolist(), [[0.300048828125, 0.7001953125]]);
});

Deno.test("embeddingBag with maxNorm renormalises the looked-up rows in place, before the reduction", () => {
  const w = tensor([[3, 4], [0, 0.5], [6, 8]], { dtype: "float64" });
  const out = F.embeddingBag(longs(0, 1), w, longs(0), { mode: "sum", maxNorm: 1 });
  const [a, b] = out.toArray() as Float64Array;
  assert.ok(Math.abs(a - 0.6) < 1e-6 && Math.abs(b - 1.3) < 1e-6, `${a}, ${b}`);
  assert.deepEqual(w.narrow(0, 2, 1).tolist(), [[6, 8]]); // not looked up: unchanged
  assert.ok(Math.abs(Number(w.narrow(0, 0, 1).norm().item()) - 1) < 1e-6);
});

Deno.test("nn.EmbeddingBag: weight, padding row, options, forward, fromPretrained and repr", () => {
  const bag = new nn.EmbeddingBag(10, 3, { mode: "sum", paddingIdx: -1 });
  assert.deepEqual(Object.keys(bag.stateDict()), ["weight"]);
  assert.deepEqual(bag.weight.shape, [10, 3]);
  assert.equal(bag.weight.dtype, "float32");
  assert.equal(bag.paddingIdx, 9);
  assert.deepEqual(bag.weight.narrow(0, 9, 1).tolist(), [[0, 0, 0]]);
  assert.equal(bag.toString(), "EmbeddingBag(10, 3, mode=sum, padding_idx=9)");
  const input = longs(1, 2, 9, 5, 4), offsets = longs(0, 3);
  const out = bag.forward(input, offsets);
  assert.deepEqual(out.tolist(), F.embeddingBag(input, bag.weight, offsets, { mode: "sum", paddingIdx: 9 }).tolist());
  const psw = tensor([1, 2, 3, 4, 5]);
  const weighted = bag.forward(input, offsets, psw);
  const w = bag.weight;
  const row = (i: number) => w.narrow(0, i, 1);
  const want = row(1).add(row(2).mul(2)).tolist();
  (weighted.narrow(0, 0, 1).toArray() as Float32Array).forEach((v, k) =>
    assert.ok(Math.abs(v - (want as number[][])[0][k]) < 1e-6)
  );
  out.sum().backward();
  assert.deepEqual(bag.weight.grad!.narrow(0, 9, 1).tolist(), [[0, 0, 0]]);
  assert.deepEqual(bag.weight.grad!.narrow(0, 4, 1).tolist(), [[1, 1, 1]]);

  const d = new nn.EmbeddingBag(4, 2, { dtype: "float64", maxNorm: 2, normType: 1, scaleGradByFreq: true });
  assert.equal(d.weight.dtype, "float64");
  assert.equal(d.mode, "mean");
  assert.equal(d.toString(), "EmbeddingBag(4, 2, max_norm=2, norm_type=1, scale_grad_by_freq=True, mode=mean)");

  const pre = nn.EmbeddingBag.fromPretrained(tensor([[1, 2.5, 3], [4, 5.5, 6]]));
  assert.equal(pre.weight.requiresGrad, false);
  assert.deepEqual(pre.forward(longs(1, 0).view(1, 2)).tolist(), [[2.5, 4, 4.5]]);
  const thawed = nn.EmbeddingBag.fromPretrained(tensor([[1, 2], [3, 4]]), { freeze: false, mode: "max" });
  assert.equal(thawed.weight.requiresGrad, true);
  assert.deepEqual(thawed.forward(longs(0, 1), longs(0)).tolist(), [[3, 4]]);
});

Deno.test("embeddingBag and nn.EmbeddingBag reject bad arguments with clear errors", () => {
  const w = zeros([5, 2]);
  const idx = longs(1, 2), off = longs(0);
  throwsWith(
    () => F.embeddingBag(idx, w, off, { mode: "min" as nn.EmbeddingBagMode }),
    TypeError,
    /^embeddingBag: expected mode to be one of "sum", "mean" or "max", got "min"$/,
  );
  throwsWith(
    () => F.embeddingBag(idx, w, off, { mode: "max", scaleGradByFreq: true }),
    TypeError,
    /^embeddingBag: max mode does not support scaling the gradient by the frequency \(scaleGradByFreq\)$/,
  );
  throwsWith(
    () => F.embeddingBag(idx, w, off, { perSampleWeights: zeros([2]) }),
    TypeError,
    /^embeddingBag: perSampleWeights is only supported for mode "sum", got mode "mean"$/,
  );
  throwsWith(
    () => F.embeddingBag(idx, w, off, { mode: "sum", perSampleWeights: zeros([3]) }),
    RangeError,
    /^embeddingBag: perSampleWeights must have the same shape as the input \[2\], got \[3\]$/,
  );
  throwsWith(
    () => F.embeddingBag(idx, w, off, { mode: "sum", perSampleWeights: zeros([2], { dtype: "float64" }) }),
    TypeError,
    /^embeddingBag: expected perSampleWeights to have the weight's dtype float32, got float64$/,
  );
  throwsWith(
    () => F.embeddingBag(idx, w),
    TypeError,
    /^embeddingBag: a 1-d input needs offsets \(a 1-d tensor\), got null$/,
  );
  throwsWith(
    () => F.embeddingBag(idx.view(1, 2), w, off),
    TypeError,
    /^embeddingBag: if input is 2-d, offsets has to be null/,
  );
  throwsWith(
    () => F.embeddingBag(idx.view(1, 1, 2), w),
    RangeError,
    /^embeddingBag: input has to be a 1-d or 2-d tensor, got shape \[1, 1, 2\]$/,
  );
  throwsWith(
    () => F.embeddingBag(zeros([3, 0], { dtype: "int64" }), w),
    RangeError,
    /^embeddingBag: a 2-d input needs bags of non-zero length, got shape \[3, 0\]$/,
  );
  throwsWith(
    () => F.embeddingBag(idx, w, longs(1)),
    RangeError,
    /^embeddingBag: offsets\[0\] has to be 0 \(the first bag starts at position 0\), got 1$/,
  );
  throwsWith(
    () => F.embeddingBag(idx, w, longs(0, 3)),
    RangeError,
    /^embeddingBag: offsets\[-1\] can not be greater than the input's length 2, got 3$/,
  );
  throwsWith(
    () => F.embeddingBag(longs(1, 5), w, off),
    RangeError,
    /^embeddingBag: expected every index to be >= 0 and < num_embeddings \(5\), got 5$/,
  );
  throwsWith(
    () => F.embeddingBag(idx, w, longs(), { includeLastOffset: true }),
    RangeError,
    /^embeddingBag: with includeLastOffset, offsets needs at least 1 entry, got 0$/,
  );
  throwsWith(
    () => F.embeddingBag(idx, w, off, { paddingIdx: 5 }),
    RangeError,
    /^embeddingBag: paddingIdx must be within numEmbeddings \(5\), got 5$/,
  );
  throwsWith(
    () => F.embeddingBag(idx, zeros([5, 2], { dtype: "int64" }), off),
    TypeError,
    /^embeddingBag: expected a floating point weight, got dtype int64$/,
  );
  throwsWith(
    () => F.embeddingBag(idx, zeros([5]), off),
    RangeError,
    /^embeddingBag: expected weight to be 2-d \(num_embeddings, embedding_dim\), got shape \[5\]$/,
  );
  throwsWith(
    () => F.embeddingBag(tensor([1, 2]), w, off),
    TypeError,
    /^embeddingBag: expected input to be an int64 or int32 tensor of indices, got dtype float32$/,
  );
  throwsWith(
    () => F.embeddingBag(idx, w, off, { mod: "sum" } as never),
    TypeError,
    /^embeddingBag: unknown option "mod"/,
  );
  throwsWith(
    () => new nn.EmbeddingBag(5, 2, { mode: "max", sparse: true }),
    TypeError,
    /^EmbeddingBag: max mode does not support sparse weights$/,
  );
  throwsWith(
    () => new nn.EmbeddingBag(5, 2, { include_last_offset: true } as never),
    TypeError,
    /did you mean "includeLastOffset"/,
  );
  throwsWith(
    () => new nn.EmbeddingBag(5, 2, { _weight: zeros([4, 2]) }),
    RangeError,
    /^EmbeddingBag: shape of weight does not match numEmbeddings and embeddingDim: expected \[5, 2\], got \[4, 2\]$/,
  );
  throwsWith(
    () => new nn.EmbeddingBag(5, 2).forward(idx),
    TypeError,
    /^EmbeddingBag\.forward: a 1-d input needs offsets/,
  );
  throwsWith(
    () => nn.EmbeddingBag.fromPretrained(zeros([5])),
    RangeError,
    /^EmbeddingBag\.fromPretrained: embeddings parameter is expected to be 2-dimensional, got shape \[5\]$/,
  );
});
