import assert from "node:assert/strict";
import { nn, type Tensor, tensor } from "../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";
import { cases, checkFnCase, type FnCase, hydrate, make } from "../util/fixture_act.ts";

const F = nn.functional;
// deno-lint-ignore no-explicit-any
type Any = any;
const Fany = F as unknown as Record<string, (...a: Any[]) => Tensor>;
const NN = nn as unknown as Record<string, new (...a: Any[]) => nn.Module>;
const nums = (t: Tensor): number[] => Array.from(t.toArray() as Float64Array, Number);

/** The distances the fixtures name (tools/fixtures/loss_regression.py). */
const DISTANCES: Record<string, () => unknown> = {
  cosine: () => (a: Tensor, b: Tensor) => F.cosineSimilarity(a, b).neg().add(1),
  l1: () => (a: Tensor, b: Tensor) => F.pairwiseDistance(a, b, 1),
  module: () => new nn.PairwiseDistance(3),
};
function withDistance(v: Any): Any {
  if (Array.isArray(v)) return v.map(withDistance);
  if (v && typeof v === "object" && typeof v.distanceFunction === "string") {
    return { ...v, distanceFunction: DISTANCES[v.distanceFunction]() };
  }
  return v;
}

interface Case extends FnCase {
  ctor?: { cls: string; args: Any[] };
  error?: { cls: "TypeError" | "RangeError"; torch: string };
}

function run(c: Case, xs: Tensor[], args: Any[], opts: Record<string, Any>): Tensor {
  const rest = Object.keys(opts).length ? [withDistance(opts)] : [];
  if (c.ctor) return new NN[c.ctor.cls](...withDistance(hydrate(c.ctor.args))).forward(...xs);
  if (/^[A-Z]/.test(c.fn)) return new NN[c.fn](...withDistance(args), ...rest).forward(...xs);
  return Fany[c.fn](...xs, ...args, ...rest);
}

const all = cases("loss_regression") as Case[];
for (const c of all) {
  if (c.error) {
    Deno.test(`loss_regression rejects like PyTorch: ${c.name} (${c.error.torch})`, () => {
      const xs = c.inputs.map((s) => make(s));
      const cls = c.error!.cls === "TypeError" ? TypeError : RangeError;
      const call = /^[A-Z]/.test(c.fn) ? `${c.fn}.forward` : c.fn;
      throwsWith(() => run(c, xs, hydrate(c.args), hydrate(c.opts)), cls, new RegExp(`^${call.replace(".", "\\.")}: `));
    });
  } else {
    Deno.test(`loss_regression matches PyTorch: ${c.name}`, () => {
      checkFnCase(c, (xs, args, opts) => run(c, xs, args, opts));
    });
  }
}

Deno.test("loss_regression fixtures cover every loss, reduction, dtype and the rejected inputs", () => {
  const fns = new Set(all.map((c) => c.fn));
  for (
    const f of [
      "huberLoss",
      "poissonNllLoss",
      "gaussianNllLoss",
      "tripletMarginLoss",
      "tripletMarginWithDistanceLoss",
      "HuberLoss",
      "PoissonNLLLoss",
      "GaussianNLLLoss",
      "TripletMarginLoss",
      "TripletMarginWithDistanceLoss",
      "CosineSimilarity",
    ]
  ) assert.ok(fns.has(f), f);
  assert.ok(all.some((c) => c.output?.dtype === "float32"));
  assert.ok(all.filter((c) => c.error).length >= 15);
  assert.ok(all.length >= 100);
});

// ------------------------------------------------------------------ exact values

Deno.test("huberLoss: quadratic below delta, linear from delta on (gradient +-delta at |d| = delta)", () => {
  const x = tensor(new Float64Array([0.5, 1, -1, 3, 0]), { requiresGrad: true });
  const l = F.huberLoss(x, tensor(new Float64Array(5)), { reduction: "none" });
  assert.deepEqual(l.tolist(), [0.125, 0.5, 0.5, 2.5, 0]);
  l.sum().backward();
  assert.deepEqual(x.grad!.tolist(), [0.5, 1, -1, 1, 0]);
  const m = new nn.HuberLoss("sum", 2);
  assert.equal(m.delta, 2);
  assert.equal(m.reduction, "sum");
  assert.equal(m.forward(tensor([3]), tensor([0])).item(), 4);
});

Deno.test("poissonNllLoss: the Stirling term only where target > 1", () => {
  const t = tensor(new Float64Array([0, 0.5, 1, 2]));
  const x = tensor(new Float64Array([0, 0, 0, 0]));
  const plain = nums(F.poissonNllLoss(x, t, { reduction: "none" }));
  const full = nums(F.poissonNllLoss(x, t, { full: true, reduction: "none" }));
  assert.deepEqual(full.slice(0, 3), plain.slice(0, 3));
  assertClose([full[3] - plain[3]], [2 * Math.log(2) - 2 + 0.5 * Math.log(4 * Math.PI)], 1e-12, 0);
  const m = new nn.PoissonNLLLoss(false, true, null, 1e-3, false);
  assert.deepEqual([m.logInput, m.full, m.eps, m.reduction], [false, true, 1e-3, "none"]);
  assert.equal(new nn.PoissonNLLLoss({ sizeAverage: false }).reduction, "sum");
});

Deno.test("gaussianNllLoss: clamped variances keep their gradient (PyTorch clamps under no_grad)", () => {
  const v = tensor(new Float64Array([0, 4]), { requiresGrad: true });
  const l = F.gaussianNllLoss(tensor(new Float64Array([0, 0])), tensor(new Float64Array([1, 2])), v, {
    eps: 0.5,
    reduction: "none",
  });
  assertClose(nums(l), [0.5 * (Math.log(0.5) + 2), 0.5 * (Math.log(4) + 1)], 1e-12, 0);
  l.sum().backward();
  // d/dv 0.5 (log v + d^2 / v) = 0.5 (1 / v - d^2 / v^2) at the clamped v = 0.5
  assertClose(nums(v.grad!), [0.5 * (2 - 4), 0.5 * (0.25 - 4 / 16)], 1e-12, 0);
  const full = F.gaussianNllLoss(tensor([0]), tensor([0]), tensor([1]), true);
  assertClose(nums(full), [0.5 * Math.log(2 * Math.PI)], 1e-6, 0);
});

Deno.test("TripletMarginLoss: swap takes the smaller negative distance; fields as PyTorch's", () => {
  const a = tensor([[0, 0]]), p = tensor([[0, 1]]), n = tensor([[0, 3]]);
  // d(a, p) = 1, d(a, n) = 3, d(p, n) = 2
  assert.equal(F.tripletMarginLoss(a, p, n, { margin: 2.5, eps: 0 }).item(), 0.5);
  assert.equal(F.tripletMarginLoss(a, p, n, { margin: 2.5, eps: 0, swap: true }).item(), 1.5);
  const m = new nn.TripletMarginLoss(1.5, 1, 0, true, null, false);
  assert.deepEqual([m.margin, m.p, m.eps, m.swap, m.reduction], [1.5, 1, 0, true, "none"]);
  assert.deepEqual(m.forward(a, p, n).tolist(), [0.5]);
});

Deno.test("TripletMarginWithDistanceLoss: a PairwiseDistance child by default, named as in PyTorch", () => {
  const m = new nn.TripletMarginWithDistanceLoss();
  assert.ok(m.distanceFunction instanceof nn.PairwiseDistance);
  assert.deepEqual([...m.namedChildren()].map(([k]) => k), ["distance_function"]);
  assert.deepEqual(Object.keys(m.stateDict()), []);
  // a distance module with parameters keeps PyTorch's state-dict keys
  class Scaled extends nn.Module {
    scale = new nn.Parameter(tensor([2]));
    override forward(x: Tensor, y: Tensor) {
      return F.pairwiseDistance(x, y).mul(this.scale);
    }
  }
  const learned = new nn.TripletMarginWithDistanceLoss({ distanceFunction: new Scaled(), margin: 0.5 });
  assert.deepEqual(Object.keys(learned.stateDict()), ["distance_function.scale"]);
  const fn = (x: Tensor, y: Tensor) => x.sub(y).abs().sum(-1);
  const l1 = new nn.TripletMarginWithDistanceLoss({ distanceFunction: fn, swap: true, reduction: "sum" });
  assert.equal(l1.distanceFunction, fn);
  assert.deepEqual([...l1.namedChildren()], []);
  // d(a, p) = 1, d(a, n) = 3, d(p, n) = 2: swap gives max(0, 1 - 2 + 1) = 0
  assert.equal(l1.forward(tensor([[0, 0]]), tensor([[0, 1]]), tensor([[0, 3]])).item(), 0);
});

Deno.test("CosineSimilarity module: positional and options, equals the functional", () => {
  const a = randomDouble([3, 4], 21, -1, 1, false), b = randomDouble([3, 4], 22, -1, 1, false);
  const m = new nn.CosineSimilarity(0, 1e-3);
  assert.deepEqual([m.dim, m.eps], [0, 1e-3]);
  assert.deepEqual(nums(m.forward(a, b)), nums(F.cosineSimilarity(a, b, 0, 1e-3)));
  const d = new nn.CosineSimilarity();
  assert.deepEqual([d.dim, d.eps], [1, 1e-8]);
  assert.equal(String(d), "CosineSimilarity()");
});

Deno.test("loss modules keep PyTorch's defaults", () => {
  const h = new nn.HuberLoss();
  assert.deepEqual([h.reduction, h.delta], ["mean", 1]);
  const p = new nn.PoissonNLLLoss();
  assert.deepEqual([p.logInput, p.full, p.eps, p.reduction], [true, false, 1e-8, "mean"]);
  const g = new nn.GaussianNLLLoss();
  assert.deepEqual([g.full, g.eps, g.reduction], [false, 1e-6, "mean"]);
  const t = new nn.TripletMarginLoss();
  assert.deepEqual([t.margin, t.p, t.eps, t.swap, t.reduction], [1, 2, 1e-6, false, "mean"]);
  const w = new nn.TripletMarginWithDistanceLoss();
  assert.deepEqual([w.margin, w.swap, w.reduction], [1, false, "mean"]);
  for (const m of [h, p, g, t, w]) assert.deepEqual([...m.parameters()], []);
});

// ------------------------------------------------------------------ gradchecks

Deno.test("gradcheck (float64): huber, poisson (both inputs, full), gaussian (input, target, var)", () => {
  const x = () => randomDouble([3, 4], 31, -3, 3);
  const y = () => randomDouble([3, 4], 32, -3, 3);
  gradcheck((a, b) => F.huberLoss(a, b, { reduction: "none", delta: 0.7 }), [x(), y()]);
  gradcheck((a, b) => F.huberLoss(a, b), [x(), randomDouble([4], 33, -3, 3)]);
  const counts = () => randomDouble([3, 4], 34, 1.2, 6);
  gradcheck((a, b) => F.poissonNllLoss(a, b, { full: true, reduction: "none" }), [x(), counts()]);
  gradcheck((a, b) => F.poissonNllLoss(a, b, { logInput: false, full: true }), [
    randomDouble([3, 4], 35, 0.2, 3),
    counts(),
  ]);
  const v = () => randomDouble([3, 4], 36, 0.3, 2);
  gradcheck((a, b, s) => F.gaussianNllLoss(a, b, s, { reduction: "none", full: true }), [x(), y(), v()]);
  gradcheck((a, b, s) => F.gaussianNllLoss(a, b, s), [x(), y(), randomDouble([3], 37, 0.3, 2)]);
  gradcheck((a, b, s) => F.gaussianNllLoss(a, b, s, { reduction: "sum" }), [
    x(),
    y(),
    randomDouble([3, 1], 38, 0.3, 2),
  ]);
});

Deno.test("gradcheck (float64): triplet losses (p 1, 2, 3, swap) and a custom distance", () => {
  const t = (seed: number) => randomDouble([4, 3], seed, -1, 1);
  for (const p of [1, 2, 3]) {
    gradcheck((a, b, c) => F.tripletMarginLoss(a, b, c, { p, margin: 2, reduction: "none" }), [t(41), t(42), t(43)]);
  }
  gradcheck((a, b, c) => F.tripletMarginLoss(a, b, c, { swap: true, margin: 2 }), [t(44), t(45), t(46)]);
  const cos = (a: Tensor, b: Tensor) => F.cosineSimilarity(a, b).neg().add(1);
  gradcheck((a, b, c) => F.tripletMarginWithDistanceLoss(a, b, c, { distanceFunction: cos, swap: true, margin: 1.5 }), [
    t(47),
    t(48),
    t(49),
  ]);
  gradcheck((a, b) => new nn.CosineSimilarity(0).forward(a, b), [t(50), t(51)]);
});

// ------------------------------------------------------------------ errors

Deno.test("loss_regression errors name the call, the expected and the actual value", () => {
  const x = tensor([[1, 2], [3, 4]]);
  throwsWith(
    () => F.huberLoss(x, x, { delta: 0 }),
    RangeError,
    /^huberLoss: huber_loss does not support non-positive values for delta, got delta = 0$/,
  );
  throwsWith(() => new nn.HuberLoss({ delta: -1 }), RangeError, /^HuberLoss: .* got delta = -1$/);
  throwsWith(
    () => F.huberLoss(tensor(new BigInt64Array([1n])), tensor(new BigInt64Array([1n]))),
    TypeError,
    /^huberLoss: expected input to be a floating point tensor, got dtype int64$/,
  );
  // the target is cast to the input's dtype, as PyTorch's kernel does
  const mixed = F.huberLoss(x, tensor(new BigInt64Array([1n, 2n, 3n, 5n]), { shape: [2, 2] }), { reduction: "none" });
  assert.equal(mixed.dtype, "float32");
  assert.deepEqual(mixed.tolist(), [[0, 0], [0, 0.5]]);
  assert.equal(F.huberLoss(x, x.double()).dtype, "float32");
  throwsWith(
    () => F.cosineSimilarity(tensor(new BigInt64Array([1n])), tensor(new BigInt64Array([1n])), 0),
    TypeError,
    /^cosineSimilarity: expected common dtype to be floating point, got dtypes int64 and int64$/,
  );
  throwsWith(
    () => F.huberLoss(x, tensor([1, 2, 3])),
    RangeError,
    /^huberLoss: .*\[2, 2\].*\[3\]|^huberLoss: .*\[3\].*\[2, 2\]/,
  );
  throwsWith(
    () => new nn.HuberLoss({ reduction: "avg" as never }),
    RangeError,
    /^HuberLoss: "avg" is not a valid value for reduction \(expected "none", "mean" or "sum"\)$/,
  );
  throwsWith(
    () => new nn.HuberLoss({ sizeAverage: false } as never),
    TypeError,
    /^HuberLoss: unknown option "sizeAverage"/,
  );
  throwsWith(
    () => new nn.PoissonNLLLoss({ log_input: false } as never),
    TypeError,
    /^PoissonNLLLoss: unknown option "log_input"/,
  );
  throwsWith(
    () => F.poissonNllLoss(x, x, "yes" as never),
    TypeError,
    /^poissonNllLoss: expected logInput to be a boolean, got /,
  );
  throwsWith(
    () => F.gaussianNllLoss(x, x, tensor([[1, -1], [1, 1]])),
    RangeError,
    /^gaussianNllLoss: var has negative entry\/entries$/,
  );
  throwsWith(
    () => F.gaussianNllLoss(x, x, tensor([1, 1, 1])),
    RangeError,
    /^gaussianNllLoss: var is of incorrect size: expected the input's shape \[2, 2\], or it without its last dim or with a last dim of 1, got \[3\]$/,
  );
  throwsWith(
    () => new nn.GaussianNLLLoss().forward(x, x, tensor(new BigInt64Array([1n, 1n]))),
    TypeError,
    /^GaussianNLLLoss\.forward: expected var to be a floating point tensor, got dtype int64$/,
  );
  throwsWith(
    () => new nn.GaussianNLLLoss().forward(x, x, null as never),
    TypeError,
    /^GaussianNLLLoss\.forward: expected var to be a Tensor, got null$/,
  );
  throwsWith(() => new (nn.GaussianNLLLoss as Any)(true), TypeError, /^GaussianNLLLoss: takes at most 0 positional/);
  throwsWith(() => new nn.GaussianNLLLoss({ sizeAverage: false } as never), TypeError, /unknown option "sizeAverage"/);
});

Deno.test("triplet and cosine errors name the call, the expected and the actual value", () => {
  const a = tensor([[1, 2], [3, 4]]);
  throwsWith(
    () => F.tripletMarginLoss(a, a, tensor([1, 2])),
    RangeError,
    /^tripletMarginLoss: All inputs should have same dimension but got 2D, 2D and 1D inputs\.$/,
  );
  throwsWith(
    () => new nn.TripletMarginLoss().forward(a, a, tensor([[1, 2, 3]])),
    RangeError,
    /^TripletMarginLoss\.forward: /,
  );
  throwsWith(
    () => new nn.TripletMarginLoss().forward(a, undefined as never, a),
    TypeError,
    /^TripletMarginLoss\.forward: expected positive to be a Tensor, got undefined$/,
  );
  throwsWith(
    () => new nn.TripletMarginLoss({ swap: 1 } as never),
    TypeError,
    /^TripletMarginLoss: expected swap to be a boolean, got number 1$/,
  );
  throwsWith(
    () => F.tripletMarginWithDistanceLoss(a, a, a, { distanceFunction: 3 } as never),
    TypeError,
    /^tripletMarginWithDistanceLoss: expected distanceFunction to be a function, a Module or null, got number$/,
  );
  throwsWith(
    () => F.tripletMarginWithDistanceLoss(a, a, a, { distanceFunction: () => 1 } as never),
    TypeError,
    /^tripletMarginWithDistanceLoss: expected the distanceFunction's result to be a Tensor, got number 1$/,
  );
  throwsWith(
    () => (F.tripletMarginWithDistanceLoss as Any)(a, a, a, 1.5),
    TypeError,
    /^tripletMarginWithDistanceLoss: takes at most 0 positional argument\(s\)/,
  );
  throwsWith(
    () => new nn.TripletMarginWithDistanceLoss({ reduction: "batchmean" } as never),
    RangeError,
    /^TripletMarginWithDistanceLoss: "batchmean" is not a valid value for reduction/,
  );
  throwsWith(
    () => new nn.CosineSimilarity(2).forward(a, a),
    RangeError,
    /^CosineSimilarity\.forward: dim 2 is out of range/,
  );
  throwsWith(
    () => new nn.CosineSimilarity({ dim: 0.5 }),
    TypeError,
    /^CosineSimilarity: expected dim to be an integer, got number 0\.5$/,
  );
});
