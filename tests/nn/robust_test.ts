/**
 * Robustness (issue 8) against PyTorch 1.13 fixtures (tools/fixtures/robust.py): NaN and Inf
 * propagate as in PyTorch through every activation, softmax, pooling (max pool picks NaN),
 * batch norm, convolution, matmul, reductions and losses; zero-size batches go through the
 * layers with PyTorch's output shapes, and losses of an empty batch give PyTorch's values
 * (mean of nothing is NaN, sum is 0).
 */
import assert from "node:assert/strict";
import { nn, noGrad, type Tensor, tensor, zeros } from "../../mod.ts";

const F = nn.functional;
// deno-lint-ignore no-explicit-any
type Any = any;
type Enc = number | "nan" | "inf" | "-inf";
interface T {
  shape: number[];
  values: Enc[];
}
const fx = JSON.parse(await Deno.readTextFile(new URL("../fixtures/robust/cases.json", import.meta.url)));

const dec = (v: Enc) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);
const make = (t: T) => tensor(Float32Array.from(t.values.map(dec)), { shape: t.shape });

function same(got: Tensor, want: T, what: string) {
  assert.deepEqual([...got.shape], want.shape, `${what}: shape`);
  const g = Array.from(got.toArray() as Float32Array, Number);
  want.values.map(dec).forEach((w, i) => {
    const v = g[i];
    if (Number.isNaN(w)) assert.ok(Number.isNaN(v), `${what}[${i}]: expected NaN, got ${v}`);
    else if (!Number.isFinite(w)) assert.equal(v, w, `${what}[${i}]`);
    else assert.ok(Math.abs(v - w) <= 1e-5 + 1e-5 * Math.abs(w), `${what}[${i}]: ${v} vs ${w}`);
  });
}

Deno.test("NaN and Inf through activations and softmax match PyTorch", () => {
  let n = 0;
  for (const c of fx.cases) {
    if (c.kind === "activation" && c.fn === "softshrink") {
      // Deliberate divergence (native/src/cpu/unary.c keeps NaN, as PyTorch 2 does); 1.13 gives 0.
      const got = Array.from(F.softshrink(make(c.input)).toArray() as Float32Array);
      assert.ok(Number.isNaN(got[0]) && dec(c.output.values[0]) === 0);
      c.output.values.slice(1).map(dec).forEach((w: number, i: number) =>
        assert.ok(Math.abs(got[i + 1] - w) < 1e-6 || got[i + 1] === w, `softshrink[${i + 1}]`)
      );
      n++;
    } else if (c.kind === "activation") {
      same((F as Any)[c.fn](make(c.input), ...c.args), c.output, `F.${c.fn}`);
      n++;
    } else if (c.kind === "softmax") {
      same((F as Any)[c.fn](make(c.input), c.dim), c.output, `F.${c.fn}`);
      n++;
    }
  }
  assert.equal(n, 17);
});

Deno.test("NaN and Inf through pooling (max pool picks NaN), batch norm, conv and matmul match PyTorch", () => {
  for (const c of fx.cases) {
    const x = () => make(c.input);
    if (c.kind === "maxPool1d") same(F.maxPool1d(x(), c.kernel) as Tensor, c.output, "maxPool1d");
    else if (c.kind === "avgPool1d") same(F.avgPool1d(x(), c.kernel), c.output, "avgPool1d");
    else if (c.kind === "conv1d") same(F.conv1d(x(), make(c.weight)), c.output, "conv1d");
    else if (c.kind === "matmul") same(make(c.a).matmul(make(c.b)), c.output, "matmul");
    else if (c.kind === "batchNormEval") {
      const bn = new nn.BatchNorm1d(2).eval();
      noGrad(() => {
        (bn as Any).running_mean.copy_(tensor(c.runningMean));
        (bn as Any).running_var.copy_(tensor(c.runningVar));
      });
      same(bn.forward(x()), c.output, "BatchNorm1d eval");
    } else if (c.kind === "batchNormTrain") {
      const bn = new nn.BatchNorm1d(2);
      same(bn.forward(x()), c.output, "BatchNorm1d train");
      same((bn as Any).running_mean, { shape: [2], values: c.runningMean }, "running_mean");
      same((bn as Any).running_var, { shape: [2], values: c.runningVar }, "running_var");
    }
  }
});

Deno.test("NaN and Inf through reductions and losses match PyTorch", () => {
  for (const c of fx.cases) {
    const x = () => make(c.input);
    if (c.kind === "reduce") {
      const r = c.dim === null ? (x() as Any)[c.fn]() : (x() as Any)[c.fn](c.dim);
      same(r, c.output, `${c.fn}(${c.dim})`);
    } else if (c.kind === "reduceIdx") {
      const [v, i] = (x() as Any)[c.fn](c.dim);
      same(v, c.output, `${c.fn}(${c.dim}) values`);
      assert.deepEqual(i.tolist(), c.indices, `${c.fn}(${c.dim}) indices`);
    } else if (c.kind === "loss") {
      same((F as Any)[c.fn](x(), make(c.target), { reduction: c.reduction }), c.output, `${c.fn} ${c.reduction}`);
    } else if (c.kind === "crossEntropy") {
      const t = tensor(BigInt64Array.from(c.target.map(BigInt)));
      same(F.crossEntropy(x(), t, { reduction: c.reduction }), c.output, `crossEntropy ${c.reduction}`);
    }
  }
});

Deno.test("zero-size batches through the layers give PyTorch's shapes", () => {
  for (const z of fx.zeroSize) {
    const m = new (nn as Any)[z.layer](...z.args, ...(z.opts ? [z.opts] : []));
    if (z.eval) m.eval();
    const input = z.int ? zeros(z.input, { dtype: "int64" }) : zeros(z.input);
    const out = m.forward(input);
    assert.deepEqual([...out.shape], z.output, z.layer);
  }
  // BatchNorm in training with an empty batch: PyTorch 1.13 accepts it too.
  assert.equal(fx.bnTrainEmptyError, null);
  assert.deepEqual(new nn.BatchNorm2d(3).forward(zeros([0, 3, 2, 2])).shape, [0, 3, 2, 2]);
});

Deno.test("losses of an empty batch: none is empty, mean is NaN, sum is 0, as in PyTorch", () => {
  for (const c of fx.zeroLoss) {
    const x = zeros(c.shape);
    const target = c.fn === "crossEntropy" || c.fn === "nllLoss" ? zeros([0], { dtype: "int64" }) : zeros(c.shape);
    same((F as Any)[c.fn](x, target, { reduction: c.reduction }), c.output, `${c.fn} ${c.reduction}`);
  }
});
