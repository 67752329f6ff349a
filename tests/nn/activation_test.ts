import assert from "node:assert/strict";
import { nn, noGrad, type Tensor, tensor } from "../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";
import { cases, checkFnCase, type FnCase } from "../util/fixture_act.ts";

const F = nn.functional;
const nums = (t: Tensor): number[] => Array.from(t.toArray() as Float64Array);
// deno-lint-ignore no-explicit-any
const Fany = F as unknown as Record<string, (...a: any[]) => Tensor>;

// ------------------------------------------------------------------ PyTorch fixtures

for (const c of cases("activation") as FnCase[]) {
  Deno.test(`activation matches PyTorch: ${c.name}`, () => {
    checkFnCase(c, (xs, args, opts) => {
      if (c.fn === "softmax2d") return new nn.Softmax2d().forward(xs[0]);
      const extra = Object.keys(opts).length ? [opts] : [];
      return Fany[c.fn](...xs, ...args, ...extra);
    });
  });
}

// ------------------------------------------------------------------ gradchecks (float64)

const gradFns: [string, (x: Tensor) => Tensor][] = [
  ["relu", (x) => F.relu(x)],
  ["relu6", (x) => F.relu6(x)],
  ["elu", (x) => F.elu(x, 0.7)],
  ["leakyRelu", (x) => F.leakyRelu(x, 0.2)],
  ["threshold", (x) => F.threshold(x, 0.1, 20)],
  ["hardtanh", (x) => F.hardtanh(x, -2, 1.5)],
  ["sigmoid", (x) => F.sigmoid(x)],
  ["tanh", (x) => F.tanh(x)],
  ["logsigmoid", (x) => F.logsigmoid(x)],
  ["softplus", (x) => F.softplus(x, { beta: 2, threshold: 3 })],
  ["softshrink", (x) => F.softshrink(x, 0.3)],
  ["softsign", (x) => F.softsign(x)],
  ["tanhshrink", (x) => F.tanhshrink(x)],
  ["softmax dim 1", (x) => F.softmax(x, 1)],
  ["softmax dim 0", (x) => F.softmax(x, 0)],
  ["logSoftmax dim -1", (x) => F.logSoftmax(x, -1)],
  ["logSoftmax dim 1", (x) => F.logSoftmax(x, 1)],
  ["softmin dim 2", (x) => F.softmin(x, 2)],
  ["Softmax2d", (x) => new nn.Softmax2d().forward(x)],
];

for (const [name, fn] of gradFns) {
  Deno.test(`gradcheck (float64): ${name}`, () => {
    // values in [-3, 3), none within 1e-3 of the kinks at 0, ±0.1, ±0.3, 1.5, -2, 3 (beta*x)
    const x = randomDouble([2, 3, 4], 7, -3, 3);
    const d = x.typedArray() as Float64Array;
    for (let i = 0; i < d.length; i++) {
      for (const k of [0, 0.1, -0.1, 0.3, -0.3, 1.5, -2, 1.5]) if (Math.abs(d[i] - k) < 1e-3) d[i] += 0.01;
    }
    gradcheck(fn, [x]);
  });
}

Deno.test("gradcheck (float64): prelu w.r.t. input and the per-channel and shared weights", () => {
  gradcheck((x, w) => F.prelu(x, w), [randomDouble([2, 3, 2, 2], 3, -2, 2), randomDouble([3], 4, 0.1, 0.5)]);
  gradcheck((x, w) => F.prelu(x, w), [randomDouble([4, 3], 5, -2, 2), randomDouble([1], 6, 0.1, 0.5)]);
});

// ------------------------------------------------------------------ numerics

Deno.test("softmax and logSoftmax stay finite on huge logits; rows of softmax sum to 1", () => {
  const x = tensor([[1e30, -1e30, 0], [-1e4, -1e4, -1e4], [88, 89, 90]]);
  const p = F.softmax(x, 1);
  assertClose(p.toArray(), [1, 0, 0, 1 / 3, 1 / 3, 1 / 3, 0.09003057, 0.24472847, 0.66524096], 1e-6, 1e-5);
  const lp = nums(F.logSoftmax(x, 1));
  assert.ok(lp.every((v) => !Number.isNaN(v)), "no NaN in log_softmax");
  assert.equal(lp[0], 0);
  assertClose([lp[1], lp[2]], [-2e30, -1e30], 0, 1e-6);
  assertClose(lp.slice(3, 6), [-1.0986123, -1.0986123, -1.0986123], 1e-6, 0);
  assertClose(F.softmax(x, 1).sum(1).toArray(), [1, 1, 1], 1e-6, 0);
});

Deno.test("softmax of a row holding NaN is NaN for the whole row only (as PyTorch)", () => {
  const p = nums(F.softmax(tensor([[0, NaN], [0, 0]]), 1));
  assert.ok(Number.isNaN(p[0]) && Number.isNaN(p[1]));
  assertClose([p[2], p[3]], [0.5, 0.5]);
});

Deno.test("softmax follows PyTorch's implicit dim: 0 for 1-d and 3-d inputs, 1 for 2-d and 4-d", () => {
  assert.equal(F.implicitSoftmaxDim(0), 0);
  assert.equal(F.implicitSoftmaxDim(1), 0);
  assert.equal(F.implicitSoftmaxDim(2), 1);
  assert.equal(F.implicitSoftmaxDim(3), 0);
  assert.equal(F.implicitSoftmaxDim(4), 1);
  const x = randomDouble([2, 3, 4], 2, -1, 1, false);
  assertClose(F.softmax(x).toArray(), F.softmax(x, 0).toArray(), 0, 0);
  assertClose(new nn.Softmax().forward(x).toArray(), F.softmax(x, 0).toArray(), 0, 0);
  const y = randomDouble([2, 3], 2, -1, 1, false);
  assertClose(new nn.LogSoftmax().forward(y).toArray(), F.logSoftmax(y, 1).toArray(), 0, 0);
});

Deno.test("softmax of a non-contiguous input equals the contiguous result", () => {
  const x = randomDouble([4, 3], 9, -2, 2, false);
  const xt = x.transpose(0, 1);
  assert.equal(xt.isContiguous(), false);
  assertClose(F.softmax(xt, 1).toArray(), F.softmax(xt.contiguous(), 1).toArray(), 0, 0);
  assertClose(F.logSoftmax(xt, 0).toArray(), F.logSoftmax(xt.contiguous(), 0).toArray(), 0, 0);
});

Deno.test("softmax keeps float16 storage (computed in float32) and handles 0-d and empty tensors", () => {
  const h = tensor([1, 2, 3]).half();
  const p = F.softmax(h, 0);
  assert.equal(p.dtype, "float16");
  assertClose(p.toArray() as ArrayLike<number>, [0.09003, 0.24473, 0.66524], 1e-3, 1e-3);
  assert.deepEqual(F.softmax(tensor(5), 0).tolist(), 1);
  assert.deepEqual(F.logSoftmax(tensor(5), -1).tolist(), 0);
  assert.deepEqual(F.softmax(tensor(new Float32Array(0), { shape: [0, 3] }), 1).shape, [0, 3]);
});

// ------------------------------------------------------------------ modules and arguments

Deno.test("modules take PyTorch's positional arguments and the options object alike", () => {
  const x = randomDouble([3, 4], 11, -3, 3, false);
  const same = (a: Tensor, b: Tensor) => assertClose(a.toArray(), b.toArray(), 0, 0);
  same(new nn.LeakyReLU(0.2).forward(x), new nn.LeakyReLU({ negativeSlope: 0.2 }).forward(x));
  same(new nn.LeakyReLU(0.2).forward(x), F.leakyRelu(x, 0.2));
  same(new nn.ELU(0.7).forward(x), new nn.ELU({ alpha: 0.7 }).forward(x));
  same(new nn.Threshold(0.1, 20).forward(x), F.threshold(x, { threshold: 0.1, value: 20 }));
  same(new nn.Hardtanh(-2, 1.5).forward(x), new nn.Hardtanh({ minVal: -2, maxVal: 1.5 }).forward(x));
  same(new nn.Hardtanh(-2, 1.5).forward(x), new nn.Hardtanh({ minValue: -2, maxValue: 1.5 }).forward(x));
  same(new nn.Softplus(2, 3).forward(x), new nn.Softplus({ beta: 2, threshold: 3 }).forward(x));
  same(new nn.Softshrink(1.2).forward(x), F.softshrink(x, { lambd: 1.2 }));
  same(new nn.Softmax(1).forward(x), new nn.Softmax({ dim: 1 }).forward(x));
  same(new nn.Softmin(1).forward(x), F.softmax(x.neg(), 1));
  same(new nn.ReLU6().forward(x), F.hardtanh(x, 0, 6));
  same(new nn.Tanhshrink().forward(x), x.sub(x.tanh()));
  assert.equal(new nn.LeakyReLU().negativeSlope, 0.01);
  assert.equal(new nn.Hardtanh().minVal, -1);
  assert.equal(new nn.ELU().alpha, 1);
  assert.equal(new nn.Softmax().dim, null);
  assert.equal(new nn.LeakyReLU(0.2, true).inplace, true);
  assert.equal(String(new nn.LeakyReLU(0.2)), "LeakyReLU(negative_slope=0.2)");
});

Deno.test("PReLU: one shared slope or one per channel, registered as the parameter 'weight'", () => {
  const m = new nn.PReLU(4, { init: 0.1 });
  assert.deepEqual(Object.keys(m.stateDict()), ["weight"]);
  assertClose(m.weight.toArray(), [0.1, 0.1, 0.1, 0.1], 1e-7, 0);
  assert.equal(new nn.PReLU({ numParameters: 3 }).numParameters, 3);
  const one = new nn.PReLU();
  assertClose(one.weight.toArray(), [0.25], 0, 0);
  const x = tensor([[-4, 4], [8, -8]]);
  assertClose(one.forward(x).toArray(), [-1, 4, 8, -2], 0, 0);
  const y = one.forward(x).sum();
  y.backward();
  assertClose(one.weight.grad!.toArray(), [-12], 0, 0);
});

Deno.test("inplace activations write into their input and return it", () => {
  const fns: [string, (x: Tensor) => Tensor, (x: Tensor) => Tensor][] = [
    ["relu", (x) => F.relu(x, true), (x) => F.relu(x)],
    ["relu_", (x) => F.relu_(x), (x) => F.relu(x)],
    ["relu6", (x) => F.relu6(x, { inplace: true }), (x) => F.relu6(x)],
    ["elu", (x) => F.elu(x, 0.5, true), (x) => F.elu(x, 0.5)],
    ["elu_", (x) => F.elu_(x, 0.5), (x) => F.elu(x, 0.5)],
    ["leakyRelu_", (x) => F.leakyRelu_(x, 0.3), (x) => F.leakyRelu(x, 0.3)],
    ["threshold_", (x) => F.threshold_(x, 0.5, -7), (x) => F.threshold(x, 0.5, -7)],
    ["hardtanh_", (x) => F.hardtanh_(x, -0.5, 0.5), (x) => F.hardtanh(x, -0.5, 0.5)],
    ["ReLU(true)", (x) => new nn.ReLU(true).forward(x), (x) => F.relu(x)],
    ["LeakyReLU inplace", (x) => new nn.LeakyReLU(0.1, { inplace: true }).forward(x), (x) => F.leakyRelu(x, 0.1)],
    ["Hardtanh inplace", (x) => new nn.Hardtanh(-1, 1, true).forward(x), (x) => F.hardtanh(x)],
    ["ELU inplace", (x) => new nn.ELU({ inplace: true }).forward(x), (x) => F.elu(x)],
    ["Threshold inplace", (x) => new nn.Threshold(0, 3, true).forward(x), (x) => F.threshold(x, 0, 3)],
    ["ReLU6 inplace", (x) => new nn.ReLU6(true).forward(x), (x) => F.relu6(x)],
  ];
  for (const [name, inplaceFn, ref] of fns) {
    const x = randomDouble([3, 4], 13, -8, 8, false);
    const expected = ref(x).toArray();
    const r = inplaceFn(x);
    assert.equal(r, x, `${name}: returns its input`);
    assertClose(x.toArray(), expected, 0, 0, name);
  }
});

Deno.test("an inplace activation on a non-leaf keeps gradients right; on a leaf that requires grad it throws", () => {
  const x = randomDouble([5], 21, -2, 2);
  const y = x.mul(3);
  const r = F.leakyRelu(y, 0.1, true);
  assert.equal(r, y);
  r.sum().backward();
  const xs = nums(x);
  assertClose(x.grad!.toArray(), xs.map((v) => (v > 0 ? 3 : 0.3)), 1e-12, 0);
  const leaf = randomDouble([3], 1);
  throwsWith(() => F.relu(leaf, true), Error, /leaf tensor that requires grad .* in-place/);
  // without grad mode the leaf may be overwritten
  noGrad(() => F.relu_(leaf));
  assert.ok(nums(leaf).every((v) => v >= 0));
});

// ------------------------------------------------------------------ errors

Deno.test("activation errors name the call, the expected and the actual value", () => {
  throwsWith(
    () => F.softshrink(tensor([1]), -1),
    RangeError,
    /^softshrink: lambda must be greater or equal to 0, but found to be -1\.$/,
  );
  throwsWith(() => new nn.Softshrink(-0.5), RangeError, /^Softshrink: lambda must be greater or equal to 0/);
  throwsWith(
    () => new nn.Hardtanh(1, -1),
    RangeError,
    /^Hardtanh: expected maxVal > minVal, got minVal 1 and maxVal -1$/,
  );
  throwsWith(
    () => new nn.Softmax2d().forward(tensor([[1, 2]])),
    RangeError,
    /^Softmax2d\.forward: Softmax2d requires a 3D or 4D tensor as input, got shape \[1, 2\]$/,
  );
  throwsWith(
    () => F.prelu(tensor([[1, 2, 3]]), tensor([0.1, 0.2])),
    RangeError,
    /^prelu: Mismatch of parameter numbers and input channel size\. Found parameter numbers = 2 and channel size = 3\.$/,
  );
  throwsWith(
    () => F.softmax(tensor(new BigInt64Array([1n, 2n])), 0),
    TypeError,
    /^softmax: expected a floating point tensor, got dtype int64$/,
  );
  throwsWith(() => F.softmax(tensor([[1, 2]]), 2), RangeError, /^softmax: dim 2 is out of range/);
  throwsWith(() => new nn.LeakyReLU({ slope: 0.1 } as never), TypeError, /^LeakyReLU: unknown option "slope"/);
  throwsWith(
    () => new nn.LeakyReLU(0.1, { negativeSlope: 0.2 } as never),
    TypeError,
    /^LeakyReLU: got multiple values for negativeSlope/,
  );
  throwsWith(() => new nn.ELU("big" as never), TypeError, /^ELU: expected alpha to be a number, got "big"$/);
  throwsWith(() => new nn.Threshold(0.1), TypeError, /^Threshold: expected the arguments threshold and value/);
  throwsWith(() => new nn.Softmax(1.5), TypeError, /^Softmax: expected dim to be an integer or null, got number 1\.5$/);
  throwsWith(() => F.relu(null as unknown as Tensor), TypeError, /^relu: expected input to be a Tensor, got null$/);
  throwsWith(() => new nn.PReLU(0), RangeError, /^PReLU: expected numParameters >= 1, got 0$/);
});
