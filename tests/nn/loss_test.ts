import assert from "node:assert/strict";
import { nn, type Tensor, tensor } from "../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";
import { cases, checkFnCase, type FnCase } from "../util/fixture_act.ts";

const F = nn.functional;
// deno-lint-ignore no-explicit-any
const Fany = F as unknown as Record<string, (...a: any[]) => Tensor>;
const nums = (t: Tensor): number[] => Array.from(t.toArray() as Float64Array);
const long = (...v: number[]) => tensor(BigInt64Array.from(v, (x) => BigInt(x)));

// ------------------------------------------------------------------ PyTorch fixtures

for (const c of cases("loss") as FnCase[]) {
  Deno.test(`loss matches PyTorch: ${c.name}`, () => {
    checkFnCase(c, (xs, args, opts) => Fany[c.fn](...xs, ...args, ...(Object.keys(opts).length ? [opts] : [])));
  });
}

// ------------------------------------------------------------------ modules equal their functional twins

Deno.test("every loss module computes its functional twin with the same options", () => {
  const x = randomDouble([4, 5], 1, -2, 2, false), y = randomDouble([4, 5], 2, -2, 2, false);
  const p = randomDouble([4, 5], 3, 0.05, 0.95, false), q = randomDouble([4, 5], 4, 0, 1, false);
  const lp = F.logSoftmax(x, 1), t = long(0, 4, 2, 1);
  const sgn = tensor([1, -1, 1, -1], { dtype: "float64" });
  const w = randomDouble([5], 5, 0.5, 2, false);
  const a = randomDouble([4], 6, -1, 1, false), b = randomDouble([4], 7, -1, 1, false);
  const mlt = tensor(
    new BigInt64Array([1n, 3n, -1n, 0n, 0n, 2n, 2n, 4n, -1n, 1n, 0n, 1n, 2n, 3n, 4n, 4n, -1n, 0n, 0n, 0n]),
    {
      shape: [4, 5],
    },
  );
  const pairs: [string, Tensor, Tensor][] = [];
  for (const reduction of ["mean", "sum", "none"] as const) {
    const o = { reduction };
    pairs.push(
      ["L1Loss", new nn.L1Loss(o).forward(x, y), F.l1Loss(x, y, o)],
      ["MSELoss", new nn.MSELoss(o).forward(x, y), F.mseLoss(x, y, o)],
      [
        "SmoothL1Loss",
        new nn.SmoothL1Loss({ ...o, beta: 0.5 }).forward(x, y),
        F.smoothL1Loss(x, y, { ...o, beta: 0.5 }),
      ],
      ["NLLLoss", new nn.NLLLoss({ ...o, weight: w }).forward(lp, t), F.nllLoss(lp, t, { ...o, weight: w })],
      ["NLLLoss2d", new nn.NLLLoss2d(o).forward(lp, t), F.nllLoss(lp, t, o)],
      [
        "CrossEntropyLoss",
        new nn.CrossEntropyLoss({ ...o, weight: w, ignoreIndex: 2, labelSmoothing: 0.1 }).forward(x, t),
        F.crossEntropy(x, t, { ...o, weight: w, ignoreIndex: 2, labelSmoothing: 0.1 }),
      ],
      ["KLDivLoss", new nn.KLDivLoss(o).forward(lp, q), F.klDiv(lp, q, o)],
      ["BCELoss", new nn.BCELoss({ ...o, weight: w }).forward(p, q), F.binaryCrossEntropy(p, q, { ...o, weight: w })],
      [
        "BCEWithLogitsLoss",
        new nn.BCEWithLogitsLoss({ ...o, posWeight: w }).forward(x, q),
        F.binaryCrossEntropyWithLogits(x, q, { ...o, posWeight: w }),
      ],
      [
        "MarginRankingLoss",
        new nn.MarginRankingLoss({ ...o, margin: 0.2 }).forward(a, b, sgn),
        F.marginRankingLoss(a, b, sgn, { ...o, margin: 0.2 }),
      ],
      [
        "HingeEmbeddingLoss",
        new nn.HingeEmbeddingLoss({ ...o, margin: 2 }).forward(a, sgn),
        F.hingeEmbeddingLoss(a, sgn, { ...o, margin: 2 }),
      ],
      ["SoftMarginLoss", new nn.SoftMarginLoss(o).forward(a, sgn), F.softMarginLoss(a, sgn, o)],
      [
        "MultiLabelSoftMarginLoss",
        new nn.MultiLabelSoftMarginLoss({ ...o, weight: w }).forward(x, q.gt(0.5).double()),
        F.multilabelSoftMarginLoss(x, q.gt(0.5).double(), { ...o, weight: w }),
      ],
      [
        "CosineEmbeddingLoss",
        new nn.CosineEmbeddingLoss({ ...o, margin: 0.1 }).forward(x, y, sgn),
        F.cosineEmbeddingLoss(x, y, sgn, { ...o, margin: 0.1 }),
      ],
      [
        "MultiMarginLoss",
        new nn.MultiMarginLoss({ ...o, p: 2, weight: w }).forward(x, t),
        F.multiMarginLoss(x, t, { ...o, p: 2, weight: w }),
      ],
      ["MultiLabelMarginLoss", new nn.MultiLabelMarginLoss(o).forward(x, mlt), F.multilabelMarginLoss(x, mlt, o)],
    );
  }
  for (const [name, m, f] of pairs) {
    assert.deepEqual(m.shape, f.shape, name);
    assertClose(nums(m), nums(f), 0, 0, name);
  }
});

Deno.test("the seed's sizeAverage/reduce resolve like PyTorch's legacy_get_string and win over reduction", () => {
  const mk = (o: Record<string, unknown>) => new nn.L1Loss(o).reduction;
  assert.equal(mk({}), "mean");
  assert.equal(mk({ sizeAverage: false }), "sum");
  assert.equal(mk({ sizeAverage: true }), "mean");
  assert.equal(mk({ reduce: false }), "none");
  assert.equal(mk({ sizeAverage: false, reduce: false }), "none");
  assert.equal(mk({ sizeAverage: false, reduction: "none" }), "sum");
  assert.equal(mk({ reduce: true, reduction: "sum" }), "mean");
  assert.equal(mk({ reduction: "sum" }), "sum");
  assert.equal(new nn.L1Loss(false).reduction, "sum", "PyTorch's positional size_average");
  assert.equal(new nn.KLDivLoss({ reduction: "batchmean" }).reduction, "batchmean");
});

Deno.test("weighted losses register `weight` (and `pos_weight`) as buffers, like PyTorch", () => {
  const w = tensor([1, 2, 3]);
  assert.deepEqual(Object.keys(new nn.CrossEntropyLoss({ weight: w }).stateDict()), ["weight"]);
  assert.deepEqual(Object.keys(new nn.CrossEntropyLoss().stateDict()), []);
  assert.deepEqual(Object.keys(new nn.BCEWithLogitsLoss({ weight: w, posWeight: w }).stateDict()), [
    "weight",
    "pos_weight",
  ]);
  assert.deepEqual(Object.keys(new nn.MultiMarginLoss({ weight: w }).stateDict()), ["weight"]);
  const m = new nn.NLLLoss({ weight: w }).double();
  assert.equal(m.weight!.dtype, "float64");
  assert.equal(new nn.NLLLoss(w).weight, w, "PyTorch's positional weight");
});

// ------------------------------------------------------------------ behaviour at the edges

Deno.test("cross entropy stays finite for huge logits and equals log_softmax + nll", () => {
  const x = tensor([[1e30, 0, -1e30], [88, 89, 90]]);
  const t = long(2, 0);
  const l = F.crossEntropy(x, t, { reduction: "none" });
  assertClose(nums(l), [2e30, 2.40760596], 1e-5, 1e-6);
  const xd = randomDouble([6, 5], 3, -5, 5);
  const td = long(0, 1, 2, 3, 4, -100);
  assertClose(nums(F.crossEntropy(xd, td)), nums(F.nllLoss(F.logSoftmax(xd, 1), td)), 1e-12, 1e-12);
});

Deno.test("ignoreIndex: every ignored target makes mean NaN (0/0) and its gradient zero, as in PyTorch", () => {
  const x = randomDouble([3, 4], 8, -1, 1);
  const l = F.crossEntropy(x, long(-100, -100, -100));
  assert.ok(Number.isNaN(l.item()));
  l.backward();
  assert.deepEqual(nums(x.grad!), new Array(12).fill(0));
  assert.equal(F.nllLoss(x, long(3, 3, 3), { ignoreIndex: 3, reduction: "sum" }).item(), 0);
  assert.deepEqual(nums(F.nllLoss(x, long(3, 0, 3), { ignoreIndex: 3, reduction: "none" }))[0], 0);
  // an ignored index may lie outside [0, C)
  assert.doesNotThrow(() => F.nllLoss(x, long(7, 0, 7), { ignoreIndex: 7 }));
});

Deno.test("binary cross entropy at exactly 0 and 1 clamps its logs at -100 (finite loss)", () => {
  const l = F.binaryCrossEntropy(tensor([0, 1, 0, 1]), tensor([0, 1, 1, 0]), { reduction: "none" });
  assertClose(nums(l), [0, 0, 100, 100], 0, 0);
});

Deno.test("cross entropy accepts int32 class indices and a non-contiguous input", () => {
  const x = randomDouble([5, 3], 9, -2, 2, false).transpose(0, 1);
  const t64 = long(0, 4, 2);
  const t32 = t64.to("int32");
  assertClose(nums(F.crossEntropy(x, t32)), nums(F.crossEntropy(x.contiguous(), t64)), 0, 0);
});

// ------------------------------------------------------------------ gradchecks (float64)

const r = (shape: number[], seed: number, lo = -1, hi = 1) => randomDouble(shape, seed, lo, hi);
const c = (shape: number[], seed: number, lo = -1, hi = 1) => randomDouble(shape, seed, lo, hi, false);

for (const reduction of ["mean", "sum", "none"] as const) {
  const o = { reduction };
  const t = long(1, 0, 3, -100, 2);
  const w = c([4], 1, 0.5, 2);
  const checks: [string, (...xs: Tensor[]) => Tensor, Tensor[]][] = [
    ["l1Loss", (a, b) => F.l1Loss(a, b, o), [r([3, 4], 1), r([3, 4], 2)]],
    ["mseLoss", (a, b) => F.mseLoss(a, b, o), [r([3, 4], 1), r([3, 4], 2)]],
    ["smoothL1Loss", (a, b) => F.smoothL1Loss(a, b, { ...o, beta: 0.5 }), [r([3, 4], 3, -2, 2), r([3, 4], 4)]],
    ["nllLoss", (a) => F.nllLoss(a, t, { ...o, weight: w }), [r([5, 4], 5)]],
    ["crossEntropy", (a) => F.crossEntropy(a, t, { ...o, weight: w }), [r([5, 4], 6, -3, 3)]],
    ["crossEntropy smoothing", (a) => F.crossEntropy(a, t, { ...o, weight: w, labelSmoothing: 0.2 }), [r([5, 4], 7)]],
    ["crossEntropy spatial", (a) => F.crossEntropy(a, long(0, 3, 1, 2, 2, -100).reshape([2, 3]), o), [r([2, 4, 3], 8)]],
    ["crossEntropy probs", (a, p) => F.crossEntropy(a, p, { ...o, weight: w }), [r([3, 4], 9), r([3, 4], 10, 0, 1)]],
    ["klDiv", (a, b) => F.klDiv(a, b, o), [r([3, 4], 11, -3, -0.1), r([3, 4], 12, 0.1, 1)]],
    ["klDiv logTarget", (a, b) => F.klDiv(a, b, { ...o, logTarget: true }), [r([3, 4], 13), r([3, 4], 14)]],
    ["binaryCrossEntropy", (a, b) => F.binaryCrossEntropy(a, b, { ...o, weight: w }), [
      r([3, 4], 15, 0.05, 0.95),
      r([3, 4], 16, 0, 1),
    ]],
    ["binaryCrossEntropyWithLogits", (a, b) => F.binaryCrossEntropyWithLogits(a, b, { ...o, posWeight: w }), [
      r([3, 4], 17, -4, 4),
      r([3, 4], 18, 0, 1),
    ]],
    ["marginRankingLoss", (a, b) => F.marginRankingLoss(a, b, c([5], 0).sign(), { ...o, margin: 0.1 }), [
      r([5], 19),
      r([5], 20),
    ]],
    ["hingeEmbeddingLoss", (a) => F.hingeEmbeddingLoss(a, c([3, 4], 21).sign(), { ...o, margin: 0.7 }), [
      r([3, 4], 22),
    ]],
    ["softMarginLoss", (a) => F.softMarginLoss(a, c([3, 4], 23).sign(), o), [r([3, 4], 24, -3, 3)]],
    [
      "multilabelSoftMarginLoss",
      (a) => F.multilabelSoftMarginLoss(a, c([3, 4], 25).gt(0).double(), { ...o, weight: w }),
      [
        r([3, 4], 26),
      ],
    ],
    ["cosineEmbeddingLoss", (a, b) => F.cosineEmbeddingLoss(a, b, c([5], 27).sign(), { ...o, margin: -0.5 }), [
      r([5, 3], 28),
      r([5, 3], 29),
    ]],
    ["multiMarginLoss", (a) => F.multiMarginLoss(a, long(0, 3, 2), { ...o, p: 2, margin: 0.8, weight: w }), [
      r([3, 4], 30),
    ]],
    ["multilabelMarginLoss", (a) => F.multilabelMarginLoss(a, long(3, 0, -1, 1, 2, 2, 1, 0).reshape([2, 4]), o), [
      r([2, 4], 31),
    ]],
  ];
  for (const [name, fn, inputs] of checks) {
    Deno.test(`gradcheck (float64): ${name}, reduction ${reduction}`, () => gradcheck(fn, inputs));
  }
}

// ------------------------------------------------------------------ errors

Deno.test("class targets out of range are RangeErrors naming the call and the valid range", () => {
  const x = tensor([[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]);
  throwsWith(
    () => F.crossEntropy(x, long(1, 7)),
    RangeError,
    /^crossEntropy: Target 7 is out of bounds \(expected a class index in \[0, 5\) or ignoreIndex -100\)$/,
  );
  throwsWith(() => F.nllLoss(x, long(-1, 0)), RangeError, /^nllLoss: Target -1 is out of bounds/);
  throwsWith(
    () => new nn.CrossEntropyLoss().forward(x, long(5, 0)),
    RangeError,
    /^CrossEntropyLoss\.forward: Target 5 is out of bounds/,
  );
  throwsWith(() => new nn.NLLLoss().forward(x, long(0, 9)), RangeError, /^NLLLoss\.forward: Target 9 is out of bounds/);
  throwsWith(
    () => F.multiMarginLoss(x, long(0, 5)),
    RangeError,
    /^multiMarginLoss: target 5 is out of range \(expected a value in \[0, 5\)\)$/,
  );
  throwsWith(
    () => F.multilabelMarginLoss(x, long(0, -2, 0, 0, 0, 0, 0, 0, 0, 0).reshape([2, 5])),
    RangeError,
    /^multilabelMarginLoss: target -2 is out of range \(expected a value in \[-1, 5\)\)$/,
  );
});

Deno.test("shape, dtype and option errors are clear", () => {
  const x = tensor([[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
  throwsWith(
    () => F.crossEntropy(x, long(0, 1, 2)),
    RangeError,
    /^crossEntropy: Expected input batch_size \(2\) to match target batch_size \(3\)\.$/,
  );
  throwsWith(
    () => F.nllLoss(tensor([[[0.5]], [[0.5]]]).reshape([1, 2, 1, 1]), long(0, 0).reshape([1, 2, 1])),
    RangeError,
    /^nllLoss: expected target of shape \[1, 1, 1\] for input of shape \[1, 2, 1, 1\], got \[1, 2, 1\]$/,
  );
  throwsWith(
    () => F.nllLoss(x, long(0, 1), { weight: tensor([1, 2]) }),
    RangeError,
    /^nllLoss: weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: \[2\]$/,
  );
  throwsWith(
    () => F.nllLoss(x, tensor([0, 1])),
    TypeError,
    /^nllLoss: expected target to hold class indices \(int64\), got dtype float32$/,
  );
  throwsWith(
    () => F.crossEntropy(x, tensor([[1, 0, 0]])),
    RangeError,
    /^crossEntropy: expected class-probability target of the input's shape \[2, 3\]/,
  );
  throwsWith(
    () => F.binaryCrossEntropy(tensor([0.5, 1.5]), tensor([0, 1])),
    RangeError,
    /^binaryCrossEntropy: all elements of input should be between 0 and 1$/,
  );
  throwsWith(
    () => new nn.BCELoss().forward(tensor([0.5, NaN]), tensor([0, 1])),
    RangeError,
    /^BCELoss\.forward: all elements of input should be between 0 and 1$/,
  );
  throwsWith(
    () => F.binaryCrossEntropy(tensor([0.5, 0.5]), tensor([0, 1, 1])),
    RangeError,
    /^binaryCrossEntropy: Using a target size \(\[3\]\) that is different to the input size \(\[2\]\) is deprecated/,
  );
  throwsWith(
    () => F.binaryCrossEntropyWithLogits(tensor([0.5, 0.5]), tensor([0, 1, 1])),
    RangeError,
    /^binaryCrossEntropyWithLogits: Target size \(\[3\]\) must be the same as input size \(\[2\]\)$/,
  );
  throwsWith(() => F.mseLoss(tensor([1, 2]), tensor([1, 2, 3])), RangeError, /^mseLoss: /);
  throwsWith(
    () => new nn.CrossEntropyLoss({ labelSmoothing: 1.5 }),
    RangeError,
    /^CrossEntropyLoss: label_smoothing must be between 0\.0 and 1\.0\. Got: 1\.5$/,
  );
  throwsWith(
    () => new nn.MSELoss({ reduction: "avg" } as never),
    RangeError,
    /^MSELoss: "avg" is not a valid value for reduction/,
  );
  throwsWith(
    () => F.l1Loss(x, x, { reduction: "batchmean" } as never),
    RangeError,
    /^l1Loss: "batchmean" is not a valid value/,
  );
  throwsWith(
    () => new nn.MultiMarginLoss({ p: 3 }),
    RangeError,
    /^MultiMarginLoss: only p == 1 and p == 2 supported, got p = 3$/,
  );
  throwsWith(
    () => F.multiMarginLoss(x, long(0, 1, 2)),
    RangeError,
    /^multiMarginLoss: inconsistent target size, got: \[3\] for input of shape \[2, 3\]$/,
  );
  throwsWith(
    () => F.marginRankingLoss(tensor([1, 2]), tensor([[1, 2]]), tensor([1, 1])),
    RangeError,
    /^marginRankingLoss: All input tensors should have same dimension but got sizes: input1: \[2\], input2: \[1, 2\], target: \[2\]$/,
  );
  throwsWith(
    () => F.cosineEmbeddingLoss(tensor([1, 2]), tensor([1, 2]), tensor([1])),
    RangeError,
    /^cosineEmbeddingLoss: 1D target tensor expects 2D input tensors, but found inputs with sizes \[2\] and \[2\]\.$/,
  );
  throwsWith(
    () => F.smoothL1Loss(x, x, { beta: -1 }),
    RangeError,
    /^smoothL1Loss: smooth_l1_loss does not support negative values for beta, got -1$/,
  );
  throwsWith(() => new nn.L1Loss({ sizeAverag: false } as never), TypeError, /^L1Loss: unknown option "sizeAverag"/);
  throwsWith(
    () => F.mseLoss(x, null as unknown as Tensor),
    TypeError,
    /^mseLoss: expected target to be a Tensor, got null$/,
  );
});
