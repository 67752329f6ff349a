/**
 * nn.Bilinear / F.bilinear and F.oneHot against PyTorch 1.13 (tests/fixtures/dropout_bilinear,
 * from tools/fixtures/dropout_bilinear.py): values and the gradients of both inputs, the weight
 * and the bias; PyTorch's init, shapes and errors.
 */

import assert from "node:assert/strict";
import { manualSeed, nn, noGrad, randn, type Tensor, tensor } from "../../mod.ts";
import { assertMatches, cases, checkFnCase, type FnCase, make, type TensorSpec } from "../util/fixture_act.ts";
import { gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

const F = nn.functional;
const all = cases("dropout_bilinear");

for (const c of all.filter((c) => c.kind === "fn" && c.fn === "bilinear") as FnCase[]) {
  Deno.test(`bilinear matches PyTorch: ${c.name}`, () => {
    checkFnCase(c, (xs) => F.bilinear(xs[0], xs[1], xs[2], xs[3] ?? null));
  });
  if (c.inputs.length === 4 && c.inputs[0].dtype === "float64") {
    Deno.test(`Bilinear module matches PyTorch: ${c.name}`, () => {
      const [s1, s2, w, b] = c.inputs;
      const [o, i1, i2] = w.shape;
      const m = new nn.Bilinear(i1, i2, o, { dtype: "float64" });
      noGrad(() => {
        m.weight.copy_(make(w));
        m.bias!.copy_(make(b));
      });
      const x1 = make(s1, true), x2 = make(s2, true);
      const y = m.forward(x1, x2);
      assertMatches(y, c.output, `${c.name}: module output`);
      y.backward(make(c.gradOutput!));
      assertMatches(x1.grad!, c.grads[0]!, `${c.name}: grad input1`);
      assertMatches(x2.grad!, c.grads[1]!, `${c.name}: grad input2`);
      assertMatches(m.weight.grad!, c.grads[2]!, `${c.name}: grad weight`);
      assertMatches(m.bias!.grad!, c.grads[3]!, `${c.name}: grad bias`);
    });
  }
}

const r = (...shape: number[]) => randn(shape, { dtype: "float64" });
const w = r(4, 3, 2), b = r(4);
const bilinearErrors: Record<string, [() => unknown, new (...a: never[]) => Error, RegExp]> = {
  "bilinear dims mismatch": [
    () => F.bilinear(r(3), r(1, 2), w, b),
    RangeError,
    /^bilinear: input dimensions do not match: got 1 and 2$/,
  ],
  "bilinear dims mismatch 3 vs 2": [
    () => F.bilinear(r(7, 5, 3), r(5, 2), w, b),
    RangeError,
    /^bilinear: input dimensions do not match: got 3 and 2$/,
  ],
  "bilinear batch mismatch": [
    () => F.bilinear(r(5, 3), r(6, 2), w, b),
    RangeError,
    /^bilinear: input batch dimensions do not match at dim 0: got 5 and 6$/,
  ],
  "bilinear input1 size": [
    () => F.bilinear(r(5, 2), r(5, 2), w, b),
    RangeError,
    /^bilinear: input1 size does not match weight size: got 2 but expected 3$/,
  ],
  "bilinear input2 size": [
    () => F.bilinear(r(5, 3), r(5, 3), w, b),
    RangeError,
    /^bilinear: input2 size does not match weight size: got 3 but expected 2$/,
  ],
  "bilinear bias size": [
    () => F.bilinear(r(5, 3), r(5, 2), w, r(3)),
    RangeError,
    /^bilinear: bias size does not match weight size: expected shape \[4\] \(out_features\), got shape \[3\]$/,
  ],
  "bilinear 0-d bias": [
    () => F.bilinear(r(5, 3), r(5, 2), w, r()),
    RangeError,
    /^bilinear: bias size does not match weight size: expected shape \[4\] \(out_features\), got shape \[\]$/,
  ],
  "bilinear 2-d weight": [
    () => F.bilinear(r(5, 3), r(5, 2), r(4, 3), b),
    RangeError,
    /^bilinear: expected weight to be 3-d \(out_features, in1_features, in2_features\), got shape \[4, 3\]$/,
  ],
  "bilinear 0-d inputs": [
    () => F.bilinear(r(), r(), r(4, 1, 1)),
    RangeError,
    /^bilinear: expected inputs with at least 1 dimension, got shapes \[\] and \[\]$/,
  ],
  "bilinear dtype mismatch": [
    () => F.bilinear(randn([5, 3]), randn([5, 2]), w),
    TypeError,
    /^bilinear: expected input1, input2, weight and bias of one dtype, got float32, float32, float64$/,
  ],
  "Bilinear in1=0": [
    () => new nn.Bilinear(0, 2, 4),
    RangeError,
    /^Bilinear: expected in1Features to be positive .*, got 0$/,
  ],
  "Bilinear.forward input1 size": [
    () => new nn.Bilinear(3, 2, 4).forward(randn([5, 2]), randn([5, 2])),
    RangeError,
    /^Bilinear\.forward: input1 size does not match weight size: got 2 but expected 3$/,
  ],
};

Deno.test("bilinear and Bilinear reject what PyTorch rejects, with clear errors", () => {
  const errs = all.filter((c) => c.kind === "error" && c.name in bilinearErrors);
  assert.equal(errs.length, Object.keys(bilinearErrors).length, "every error case has a call");
  for (const c of errs) {
    const [fn, cls, re] = bilinearErrors[c.name];
    throwsWith(fn, cls, re);
  }
  throwsWith(
    () => F.bilinear("x" as unknown as Tensor, r(2), w),
    TypeError,
    /^bilinear: expected input1 to be a Tensor/,
  );
  throwsWith(() => new nn.Bilinear(3, 2, 4, { bias: 1 as unknown as boolean }), TypeError, /^Bilinear: expected bias/);
  throwsWith(
    () => new nn.Bilinear(3, 2, 4, { in_features: 2 } as never),
    TypeError,
    /^Bilinear: unknown option "in_features"/,
  );
  throwsWith(
    () => new nn.Bilinear(3, -2, 4),
    TypeError,
    /^Bilinear: expected in2Features to be a non-negative integer/,
  );
  throwsWith(() => new nn.Bilinear(3, 2, 4, { dtype: "int64" as never }), TypeError, /^Bilinear: expected dtype/);
});

Deno.test("Bilinear: PyTorch's parameter names, shapes, init bound 1/sqrt(in1Features) and repr", () => {
  const c = all.find((c) => c.kind === "module")!;
  const m = new nn.Bilinear(3, 2, 4);
  assert.deepEqual(Object.keys(m.stateDict()), c.keys);
  assert.deepEqual([...m.weight.shape], c.weightShape);
  assert.deepEqual([...m.bias!.shape], c.biasShape);
  assert.equal(m.toString(), c.repr[0]);
  const nb = new nn.Bilinear(3, 2, 4, false);
  assert.equal(nb.toString(), c.repr[1]);
  assert.equal(nb.bias, null);
  assert.deepEqual(Object.keys(nb.stateDict()), ["weight"]);
  assert.equal(new nn.Bilinear(3, 2, 4, { bias: false }).bias, null);
  manualSeed(2);
  const big = new nn.Bilinear(25, 30, 40, { dtype: "float64" });
  const bound = 1 / 5;
  for (const p of [big.weight, big.bias!]) {
    const v = Array.from(p.toArray() as Float64Array);
    assert.equal(p.dtype, "float64");
    assert.ok(v.every((e) => e >= -bound && e <= bound), "inside the bound");
    if (p === big.weight) assert.ok(Math.max(...v) > 0.99 * bound && Math.min(...v) < -0.99 * bound, "fills the bound");
  }
  const wv = Array.from(big.weight.toArray() as Float64Array);
  const mean = wv.reduce((a, e) => a + e, 0) / wv.length;
  const variance = wv.reduce((a, e) => a + (e - mean) ** 2, 0) / wv.length;
  assert.ok(Math.abs(mean) < 0.005 && Math.abs(variance - bound * bound / 3) < 0.001, `U(-b, b): ${mean} ${variance}`);
  big.resetParameters();
  assert.ok(Array.from(big.weight.toArray() as Float64Array).every((e) => Math.abs(e) <= bound));
  assert.deepEqual([...big.forward(randn([7, 25], { dtype: "float64" }), randn([7, 30], { dtype: "float64" })).shape], [
    7,
    40,
  ]);
  assert.equal(new nn.Bilinear(3, 2, 4, { dtype: "float16" }).weight.dtype, "float16");
});

Deno.test("bilinear gradchecks in float64, also with non-contiguous inputs", () => {
  gradcheck(
    (x1, x2, w, b) => F.bilinear(x1, x2, w, b),
    [randomDouble([3, 4], 1), randomDouble([3, 2], 2), randomDouble([5, 4, 2], 3), randomDouble([5], 4)],
  );
  gradcheck(
    (x1, x2, w) => F.bilinear(x1.transpose(0, 1), x2.transpose(0, 1), w),
    [randomDouble([4, 3], 5), randomDouble([2, 3], 6), randomDouble([2, 4, 2], 7)],
  );
  // non-contiguous batched input against the contiguous copy
  const x1 = randn([2, 4, 3], { dtype: "float64" }).transpose(0, 1), x2 = randn([4, 2, 5], { dtype: "float64" });
  const wt = randn([6, 3, 5], { dtype: "float64" });
  const a = F.bilinear(x1, x2, wt), e = F.bilinear(x1.contiguous(), x2, wt);
  assert.deepEqual(Array.from(a.toArray() as Float64Array), Array.from(e.toArray() as Float64Array));
});

interface OneHotCase {
  name: string;
  input: TensorSpec;
  args: number[];
  output: TensorSpec;
}

for (const c of all.filter((c) => c.kind === "oneHot") as OneHotCase[]) {
  Deno.test(`oneHot matches PyTorch: ${c.name}`, () => {
    const y = F.oneHot(make(c.input), ...c.args);
    assertMatches(y, c.output, c.name);
  });
}

const i64 = (v: number[]) => tensor(BigInt64Array.from(v, BigInt));
const oneHotErrors: Record<string, [() => unknown, new (...a: never[]) => Error, RegExp]> = {
  "oneHot negative": [
    () => F.oneHot(i64([0, 2, -1])),
    RangeError,
    /^oneHot: Class values must be non-negative, got -1$/,
  ],
  "oneHot too few classes": [
    () => F.oneHot(i64([0, 2, 1]), 2),
    RangeError,
    /^oneHot: Class values must be smaller than num_classes \(2\), got 2$/,
  ],
  "oneHot numClasses -2": [
    () => F.oneHot(i64([1]), -2),
    RangeError,
    /^oneHot: Class values must be smaller than num_classes \(-2\), got 1$/,
  ],
  "oneHot numClasses 0": [
    () => F.oneHot(i64([0]), 0),
    RangeError,
    /^oneHot: Class values must be smaller than num_classes \(0\), got 0$/,
  ],
  "oneHot float input": [
    () => F.oneHot(tensor([0, 2])),
    TypeError,
    /^oneHot: one_hot is only applicable to index tensor \(dtype int64\), got dtype float32$/,
  ],
  "oneHot int32 input": [
    () => F.oneHot(tensor(Int32Array.from([0, 2]))),
    TypeError,
    /^oneHot: one_hot is only applicable to index tensor \(dtype int64\), got dtype int32$/,
  ],
  "oneHot bool input": [
    () => F.oneHot(tensor(Uint8Array.from([1]), { dtype: "bool" })),
    TypeError,
    /^oneHot: .* got dtype bool$/,
  ],
  "oneHot empty inferred": [
    () => F.oneHot(i64([])),
    RangeError,
    /^oneHot: Can not infer total number of classes from empty tensor \(numClasses -1\)$/,
  ],
  "oneHot empty numClasses 0": [
    () => F.oneHot(i64([]), 0),
    RangeError,
    /^oneHot: Can not infer total number of classes from empty tensor \(numClasses 0\)$/,
  ],
};

Deno.test("oneHot rejects what PyTorch rejects, with clear errors", () => {
  const errs = all.filter((c) => c.kind === "error" && c.name in oneHotErrors);
  assert.equal(errs.length, Object.keys(oneHotErrors).length, "every error case has a call");
  for (const c of errs) {
    const [fn, cls, re] = oneHotErrors[c.name];
    throwsWith(fn, cls, re);
  }
  throwsWith(
    () => F.oneHot(i64([1]), 2.5),
    TypeError,
    /^oneHot: expected numClasses to be an integer, got number 2\.5$/,
  );
  throwsWith(() => F.oneHot([1, 2] as unknown as Tensor), TypeError, /^oneHot: expected input to be a Tensor/);
});

Deno.test("oneHot of a non-contiguous view and of a large index", () => {
  const x = i64([0, 1, 2, 3, 4, 5]).reshape([2, 3]).transpose(0, 1); // [[0, 3], [1, 4], [2, 5]]
  const y = F.oneHot(x);
  assert.deepEqual([...y.shape], [3, 2, 6]);
  assert.equal(y.dtype, "int64");
  assert.deepEqual(y.argmax(2).tolist(), [[0, 3], [1, 4], [2, 5]]);
  assert.deepEqual(F.oneHot(i64([1000])).sum().item(), 1);
});
