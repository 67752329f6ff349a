import assert from "node:assert/strict";
import { nn, noGrad, randn, type Tensor, tensor } from "../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";
import { cleanAndPoisoned } from "../util/poison.ts";
import { assertMatches, cases, checkFnCase, type FnCase, make, type TensorSpec } from "../util/fixture_act.ts";

const F = nn.functional;
const nums = (t: Tensor): number[] => Array.from(t.toArray() as Float64Array);

interface Step {
  input: TensorSpec;
  output: TensorSpec;
  gradOutput: TensorSpec;
  grads: { input: TensorSpec; weight: TensorSpec | null; bias: TensorSpec | null };
  stateAfter: Record<string, TensorSpec>;
}

// ------------------------------------------------------------------ PyTorch fixtures

for (const c of cases("batchnorm")) {
  if (c.kind !== "module") continue;
  Deno.test(`${c.module} matches PyTorch over ${c.steps.length} step(s): ${c.name}`, () => {
    // deno-lint-ignore no-explicit-any
    const Cls = (nn as any)[c.module];
    const m: nn.BatchNormNd = Object.keys(c.opts).length ? new Cls(...c.args, c.opts) : new Cls(...c.args);
    if (c.dtype === "float64") m.double();
    m.loadStateDict(
      Object.fromEntries(Object.entries(c.state as Record<string, TensorSpec>).map(([k, v]) => [k, make(v)])),
    );
    m.train(c.train);
    const t: [number, number] = c.dtype === "float64" ? [1e-10, 1e-8] : [2e-5, 2e-4];
    (c.steps as Step[]).forEach((s, i) => {
      m.zeroGrad();
      const x = make(s.input, true);
      const y = m.forward(x);
      assertMatches(y, s.output, `step ${i} output`, t);
      y.backward(make(s.gradOutput));
      assertMatches(x.grad!, s.grads.input, `step ${i} grad input`, t);
      if (s.grads.weight) assertMatches(m.weight!.grad!, s.grads.weight, `step ${i} grad weight`, t);
      if (s.grads.bias) assertMatches(m.bias!.grad!, s.grads.bias, `step ${i} grad bias`, t);
      const sd = m.stateDict();
      assert.deepEqual(Object.keys(sd), Object.keys(s.stateAfter), "state-dict keys");
      for (const [k, v] of Object.entries(s.stateAfter)) assertMatches(sd[k], v, `step ${i} state ${k}`, t);
    });
  });
}

const fnCases = cases("batchnorm").filter((c) => c.kind === "functional") as FnCase[];

Deno.test("F.batchNorm matches PyTorch: training with a weight only, no running statistics", () => {
  const c = fnCases.find((c) => c.name === "fn_train_weight_only")!;
  checkFnCase(c, ([x, w]) => F.batchNorm(x, null, null, { weight: w, training: true }));
});

Deno.test("F.batchNorm matches PyTorch: evaluation with running statistics (positional order too)", () => {
  const c = fnCases.find((c) => c.name === "fn_eval_running")!;
  checkFnCase(c, ([x, w, b, rm, rv]) => F.batchNorm(x, rm, rv, { weight: w, bias: b, training: false, eps: 1e-4 }));
  checkFnCase(c, ([x, w, b, rm, rv]) => F.batchNorm(x, rm, rv, w, b, false, 0.1, 1e-4));
});

// ------------------------------------------------------------------ gradchecks (float64)

for (const shape of [[6, 4], [4, 3, 5], [3, 2, 3, 2], [2, 2, 2, 2, 3], [3, 70]]) {
  Deno.test(`gradcheck (float64): batch norm in training, input/weight/bias, shape [${shape}]`, () => {
    const c = shape[1];
    gradcheck(
      (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }),
      [randomDouble(shape, 1, -2, 2), randomDouble([c], 2, 0.5, 1.5), randomDouble([c], 3)],
    );
  });
}

Deno.test("gradcheck (float64): batch norm in evaluation (running statistics), input/weight/bias", () => {
  const rm = randomDouble([3], 4, -1, 1, false), rv = randomDouble([3], 5, 0.5, 2, false);
  gradcheck(
    (x, w, b) => F.batchNorm(x, rm, rv, { weight: w, bias: b, training: false }),
    [randomDouble([4, 3, 2], 6, -2, 2), randomDouble([3], 7, 0.5, 1.5), randomDouble([3], 8)],
  );
});

Deno.test("gradcheck (float64): BatchNorm2d module in train and eval mode (affine and not)", () => {
  for (const affine of [true, false]) {
    for (const train of [true, false]) {
      const m = new nn.BatchNorm2d(3, { affine }).double().train(train);
      gradcheck((x) => m.forward(x), [randomDouble([2, 3, 2, 3], 9, -2, 2)]);
    }
  }
});

// ------------------------------------------------------------------ semantics

Deno.test("momentum null keeps a cumulative average of the batch statistics (num_batches_tracked counts)", () => {
  const m = new nn.BatchNorm1d(2, { momentum: null }).double();
  const batches = [
    randomDouble([5, 2], 1, -3, 3, false),
    randomDouble([5, 2], 2, 0, 4, false),
    randomDouble([5, 2], 3),
  ];
  const means: number[][] = [], vars: number[][] = [];
  for (const b of batches) {
    means.push(nums(b.mean(0)));
    vars.push(nums(b.var(0)));
    noGrad(() => m.forward(b));
  }
  // with 1/k factors the running mean is the plain average of the k batch means; the running
  // variance averages the unbiased batch variances and the initial 1 as 1/1 weight drops it
  const avg = (rows: number[][]) => [0, 1].map((j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  assertClose(nums(m.running_mean!), avg(means), 1e-12, 1e-10);
  assertClose(nums(m.running_var!), avg(vars), 1e-12, 1e-10);
  assert.equal(m.num_batches_tracked!.dtype, "int64");
  assert.equal(m.num_batches_tracked!.item(), 3);
});

Deno.test("momentum updates running_mean with the batch mean and running_var with the unbiased variance", () => {
  const m = new nn.BatchNorm1d(3, { momentum: 0.25 }).double();
  const x = randomDouble([4, 3], 5, -2, 2, false);
  m.forward(x);
  assertClose(nums(m.running_mean!), nums(x.mean(0)).map((v) => 0.25 * v), 1e-12, 1e-10);
  assertClose(nums(m.running_var!), nums(x.var(0)).map((v) => 0.75 + 0.25 * v), 1e-12, 1e-10);
  m.eval();
  const before = nums(m.running_mean!);
  m.forward(x);
  assert.deepEqual(nums(m.running_mean!), before, "evaluation leaves the running statistics alone");
  assert.equal(m.num_batches_tracked!.item(), 1);
});

Deno.test("state dict: PyTorch's keys in order, int64 num_batches_tracked survives double()", () => {
  const m = new nn.BatchNorm2d(4).double();
  assert.deepEqual(Object.keys(m.stateDict()), [
    "weight",
    "bias",
    "running_mean",
    "running_var",
    "num_batches_tracked",
  ]);
  assert.equal(m.running_mean!.dtype, "float64");
  assert.equal(m.num_batches_tracked!.dtype, "int64");
  assert.deepEqual(m.num_batches_tracked!.shape, []);
  assert.deepEqual(Object.keys(new nn.BatchNorm1d(3, { affine: false }).stateDict()), [
    "running_mean",
    "running_var",
    "num_batches_tracked",
  ]);
  assert.deepEqual(Object.keys(new nn.BatchNorm1d(3, { trackRunningStats: false }).stateDict()), ["weight", "bias"]);
  assert.deepEqual([...new nn.BatchNorm3d(3).parameters()].length, 2);
  const pos = new nn.BatchNorm1d(3, 1e-3, null, false);
  assert.equal(pos.eps, 1e-3);
  assert.equal(pos.momentum, null);
  assert.equal(pos.affine, false);
  assert.equal(
    String(new nn.BatchNorm2d(4)),
    "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
  );
});

Deno.test("resetRunningStats / resetParameters restore the initial state", () => {
  const m = new nn.BatchNorm1d(2);
  m.forward(tensor([[1, 2], [3, 5]]));
  noGrad(() => m.weight!.fill_(3));
  m.resetParameters();
  assert.deepEqual(m.running_mean!.tolist(), [0, 0]);
  assert.deepEqual(m.running_var!.tolist(), [1, 1]);
  assert.equal(m.num_batches_tracked!.item(), 0);
  assert.deepEqual(m.weight!.tolist(), [1, 1]);
});

Deno.test("a non-contiguous input gives the contiguous result; float32 matches float64 closely", () => {
  const x = randomDouble([3, 4, 5], 12, -2, 2, false).transpose(0, 2);
  assert.equal(x.isContiguous(), false);
  const a = F.batchNorm(x, null, null, { training: true });
  const b = F.batchNorm(x.contiguous(), null, null, { training: true });
  assertClose(nums(a), nums(b), 0, 0);
  const c = F.batchNorm(x.float(), null, null, { training: true });
  assertClose(nums(c), nums(b), 1e-5, 1e-4);
});

Deno.test("batch norm followed by an inplace ReLU backpropagates like the out-of-place pair", () => {
  const x1 = randomDouble([4, 3, 2, 2], 30, -2, 2);
  const x2 = randomDouble([4, 3, 2, 2], 30, -2, 2);
  const m = new nn.BatchNorm2d(3).double();
  F.relu(m.forward(x1), true).sum().backward();
  const gw = nums(m.weight!.grad!);
  m.zeroGrad();
  F.relu(m.forward(x2)).sum().backward();
  assertClose(nums(x1.grad!), nums(x2.grad!), 1e-12, 1e-10);
  assertClose(gw, nums(m.weight!.grad!), 1e-12, 1e-10);
});

Deno.test("one value per channel is fine in evaluation mode", () => {
  const m = new nn.BatchNorm1d(5).eval();
  assertClose(
    nums(m.forward(tensor([[1, 2, 3, 4, 5]]))),
    [1, 2, 3, 4, 5].map((v) => v / Math.sqrt(1 + 1e-5)),
    1e-6,
    1e-6,
  );
});

// ------------------------------------------------------------------ errors

Deno.test("batch norm writes every element of reused (dirty) buffers: outputs, statistics and gradients", () => {
  for (const shape of [[4, 3, 5, 6], [6, 5]]) {
    const c = shape[1];
    const x = randn(shape, { requiresGrad: true }), w = randn([c], { requiresGrad: true });
    const b = randn([c], { requiresGrad: true });
    for (const training of [true, false]) {
      const [clean, poisoned] = cleanAndPoisoned(([x, w, b]) => {
        for (const t of [x, w, b]) t.grad = null;
        const rm = tensor(new Float32Array(c).fill(0.5)), rv = tensor(new Float32Array(c).fill(2));
        const y = F.batchNorm(x, rm, rv, w, b, training);
        y.mul(y).sum().backward();
        return [y, rm, rv, x.grad!, w.grad!, b.grad!].map(nums);
      }, [x, w, b]);
      assert.deepEqual(poisoned, clean, `${shape} training ${training}`);
    }
  }
});

Deno.test("batch norm errors name the call, the expected and the actual value", () => {
  throwsWith(
    () => new nn.BatchNorm1d(5).forward(tensor([[1, 2, 3, 4, 5]])),
    RangeError,
    /^BatchNorm1d\.forward: Expected more than 1 value per channel when training, got input size \[1, 5\]$/,
  );
  throwsWith(
    () => F.batchNorm(tensor([[[1], [2]]]), null, null, { training: true }),
    RangeError,
    /^batchNorm: Expected more than 1 value per channel when training, got input size \[1, 2, 1\]$/,
  );
  throwsWith(
    () => new nn.BatchNorm1d(5).forward(tensor([[[[1]]]])),
    RangeError,
    /^BatchNorm1d\.forward: expected 2D or 3D input \(got 4D input\)$/,
  );
  throwsWith(
    () => new nn.BatchNorm2d(3).forward(tensor([[1, 2]])),
    RangeError,
    /^BatchNorm2d\.forward: expected 4D input \(got 2D input\)$/,
  );
  throwsWith(
    () => new nn.BatchNorm3d(3).forward(tensor([[1, 2]])),
    RangeError,
    /^BatchNorm3d\.forward: expected 5D input \(got 2D input\)$/,
  );
  throwsWith(
    () => new nn.BatchNorm1d(5).forward(tensor([[1, 2, 3, 4], [1, 2, 3, 4]])),
    RangeError,
    /^BatchNorm1d\.forward: expected input with 5 channels \(dim 1\), got shape \[2, 4\]$/,
  );
  throwsWith(
    () => F.batchNorm(tensor([[1, 2], [3, 4]]), null, null),
    TypeError,
    /^batchNorm: running_mean and running_var must be defined in evaluation mode$/,
  );
  throwsWith(
    () => F.batchNorm(tensor([[1, 2], [3, 4]]), tensor([0, 0, 0]), tensor([1, 1, 1])),
    RangeError,
    /^batchNorm: running_mean should contain 2 elements not 3$/,
  );
  throwsWith(
    () => F.batchNorm(tensor([[1, 2], [3, 4]]), null, null, { weight: tensor([1]), training: true }),
    RangeError,
    /^batchNorm: weight should contain 2 elements not 1$/,
  );
  throwsWith(
    () => F.batchNorm(tensor(new BigInt64Array([1n, 2n, 3n, 4n]), { shape: [2, 2] }), null, null, { training: true }),
    TypeError,
    /^batchNorm: expected a floating point input, got dtype int64$/,
  );
  throwsWith(
    () => new nn.BatchNorm2d(3, { momentun: 0.2 } as never),
    TypeError,
    /^BatchNorm2d: unknown option "momentun"/,
  );
  throwsWith(
    () => new (nn.BatchNorm2d as unknown as new () => unknown)(),
    TypeError,
    /^BatchNorm2d: expected numFeatures to be a non-negative integer, got undefined$/,
  );
});
