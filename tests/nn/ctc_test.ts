/**
 * CTCLoss / F.ctcLoss (src/nn/loss_ctc.ts over the native kernel of native/src/cpu/ctc.c)
 * against PyTorch 1.13 (tests/fixtures/ctc_adaptive/cases.json, written by
 * tools/fixtures/ctc_adaptive.py): values and log_probs gradients for padded and concatenated
 * targets, every reduction, zeroInfinity, impossible alignments, unbatched input and an empty
 * batch, and PyTorch's rejections. Plus float64 gradchecks, thread-count independence, the
 * documented choices where PyTorch reads out of bounds, error messages and the module.
 */
import assert from "node:assert/strict";
import { getNumThreads, nn, setNumThreads, type Tensor, tensor, tidy } from "../../mod.ts";
import { assertMatches, cases, make, type TensorSpec } from "../util/fixture_act.ts";
import { gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

const F = nn.functional;

interface CtcCase {
  kind: string;
  name: string;
  logProbs: TensorSpec | { ref: string };
  targets: TensorSpec;
  inputLengths: number[];
  targetLengths: number[];
  lengthsAs: "list" | "int64" | "int32" | "float32" | "bool";
  opts: nn.CTCLossOptions;
  error?: string;
  output: TensorSpec;
  gradOutput: TensorSpec;
  grad: TensorSpec;
}

const all = cases("ctc_adaptive");
const shared: Record<string, TensorSpec> = all.find((c) => c.kind === "shared").tensors;

/** A tensor of a stored spec, int32 and bool included. */
function build(s: TensorSpec, requiresGrad = false): Tensor {
  if ((s.dtype as string) === "int32") return tensor(Int32Array.from(s.data as number[]), { shape: s.shape });
  return make(s, requiresGrad && (s.dtype === "float32" || s.dtype === "float64"));
}

function lengths(c: CtcCase, v: number[]): nn.CTCLengths {
  switch (c.lengthsAs) {
    case "list":
      return v;
    case "int64":
      return tensor(BigInt64Array.from(v, BigInt));
    case "int32":
      return tensor(Int32Array.from(v));
    case "float32":
      return tensor(Float32Array.from(v));
    case "bool":
      return tensor(Uint8Array.from(v), { dtype: "bool" });
  }
}

for (const c of all.filter((c) => c.kind === "ctc") as CtcCase[]) {
  Deno.test(`ctcLoss matches PyTorch: ${c.name}`, () => {
    const spec = "ref" in c.logProbs ? shared[c.logProbs.ref] : c.logProbs;
    const x = build(spec, c.error === undefined);
    const call = () => F.ctcLoss(x, build(c.targets), lengths(c, c.inputLengths), lengths(c, c.targetLengths), c.opts);
    if (c.error !== undefined) {
      assert.throws(call, (e: unknown) => e instanceof TypeError || e instanceof RangeError, `PyTorch: ${c.error}`);
      return;
    }
    const out = call();
    assertMatches(out, c.output, `${c.name}: output`);
    out.backward(make(c.gradOutput));
    if (x.numel() > 0) assertMatches(x.grad!, c.grad, `${c.name}: grad`);
  });
}

Deno.test("CTCLoss module equals the functional form and takes PyTorch's positionals", () => {
  const c = all.find((c) => c.name === "padded none") as CtcCase;
  const x = make(shared.x);
  const tg = make(c.targets);
  const m = new nn.CTCLoss(0, "none");
  assert.equal(m.blank, 0);
  assert.equal(m.reduction, "none");
  assert.equal(m.zeroInfinity, false);
  assertMatches(m.forward(x, tg, c.inputLengths, c.targetLengths), c.output, "module output");
  const z = new nn.CTCLoss({ blank: 2, reduction: "sum", zeroInfinity: true });
  assert.deepEqual([z.blank, z.reduction, z.zeroInfinity], [2, "sum", true]);
  assert.equal(new nn.CTCLoss().extraRepr(), "");
  assert.deepEqual(Object.keys(new nn.CTCLoss().stateDict()), []);
  // bigint lengths are accepted as well
  assertMatches(
    F.ctcLoss(x, tg, c.inputLengths.map(BigInt), c.targetLengths.map(BigInt), 0, "none"),
    c.output,
    "bigint",
  );
});

Deno.test("ctcLoss gradchecks in float64 through logSoftmax (repeats, blank, padding, zeroInfinity)", () => {
  const logits = randomDouble([6, 3, 4], 3, -2, 2);
  const tg = tensor(BigInt64Array.from([1, 1, 2, 3, 0, 0, 2, 3, 0].map(BigInt)), { shape: [3, 3] });
  for (const reduction of ["mean", "sum", "none"] as const) {
    gradcheck((z) => F.ctcLoss(F.logSoftmax(z, 2), tg, [6, 5, 3], [3, 1, 2], { reduction }), [logits]);
  }
  // blank 3: labels from 0 to 2 (a target that holds the blank label gets PyTorch's value, not a derivative)
  const tg3 = tensor(BigInt64Array.from([0, 0, 2, 1, 2, 0, 2, 1, 1].map(BigInt)), { shape: [3, 3] });
  gradcheck((z) => F.ctcLoss(F.logSoftmax(z, 2), tg3, [6, 5, 4], [3, 3, 2], { blank: 3, reduction: "sum" }), [logits]);
  // sample 0 is impossible (3 repeats in 3 frames): zeroInfinity masks it, the others keep their gradient
  gradcheck((z) => F.ctcLoss(F.logSoftmax(z, 2), tg, [3, 5, 3], [3, 1, 2], { zeroInfinity: true }), [logits]);
  // Not checked on free log-probabilities: PyTorch's formula exp(lp) - occupancy is the
  // gradient for normalized ones (it adds exp(lp), which log_softmax's backward cancels).
});

Deno.test("ctcLoss: one batch equals its samples run one by one, on 1 thread and on several", () => {
  // 40 x 24 x 41 forward variables: above the kernels' OpenMP threshold
  const T = 40, N = 24, C = 9, S = 20;
  const logits = randomDouble([T, N, C], 5, -3, 3, false);
  const lp = F.logSoftmax(logits, 2).detach().requiresGrad_();
  const tgData = BigInt64Array.from({ length: N * S }, (_, i) => BigInt(1 + ((i * 7 + (i >> 3)) % (C - 1))));
  const tg = tensor(tgData, { shape: [N, S] });
  const il = Array.from({ length: N }, (_, b) => T - (b % 5));
  const tl = Array.from({ length: N }, (_, b) => S - (b % 7));
  const before = getNumThreads();
  const run = (threads: number) => {
    setNumThreads(threads);
    lp.grad = null;
    const l = F.ctcLoss(lp, tg, il, tl, { reduction: "none" });
    l.sum().backward();
    return [l.toArray() as Float64Array, lp.grad!.toArray() as Float64Array];
  };
  try {
    const [l1, g1] = run(1);
    const [l4, g4] = run(4);
    assert.deepEqual(l4, l1);
    assert.deepEqual(g4, g1);
    for (const b of [0, 7, 23]) {
      const one = F.ctcLoss(lp.detach().narrow(1, b, 1), tg.narrow(0, b, 1), [il[b]], [tl[b]], { reduction: "none" });
      assert.equal(one.item(), l1[b]);
    }
  } finally {
    setNumThreads(before);
  }
});

Deno.test("ctcLoss: an empty input costs 0 for an empty target and inf otherwise (PyTorch reads out of bounds)", () => {
  const x = make(shared.x, true);
  const tg = tensor(BigInt64Array.from([1n, 2n, 3n]), { shape: [3, 1] });
  const l = F.ctcLoss(x, tg, [0, 0, 5], [0, 1, 1], { reduction: "none" });
  const v = l.toArray() as Float64Array;
  assert.equal(v[0], 0);
  assert.equal(v[1], Infinity);
  assert.ok(Number.isFinite(v[2]));
  const z = F.ctcLoss(x, tg, [0, 0, 5], [0, 1, 1], { reduction: "sum", zeroInfinity: true });
  z.backward();
  const g = x.grad!;
  // samples 0 and 1 have no frames: their gradient columns are zero
  assert.ok((g.narrow(1, 0, 2).abs().sum().item() as number) === 0);
  assert.ok((g.narrow(1, 2, 1).abs().sum().item() as number) > 0);
  // T = 0 (PyTorch fails in narrow): every input length is 0
  const e = F.ctcLoss(make(shared.x).narrow(0, 0, 0), tg, [0, 0, 0], [0, 0, 1], { reduction: "none" });
  assert.deepEqual(Array.from(e.toArray() as Float64Array), [0, 0, Infinity]);
});

Deno.test("ctcLoss error messages name the call, the expected and the actual value", () => {
  const x = make(shared.x);
  const tg = tensor(BigInt64Array.from([1n, 2n, 2n, 3n, 1n, 4n, 4n, 0n, 0n]), { shape: [3, 3] });
  const il = [5, 4, 3], tl = [3, 2, 1];
  throwsWith(
    () => F.ctcLoss(x, tg, il, tl, { blank: 5 }),
    RangeError,
    /^ctcLoss: blank must be in label range \[0, 5\), got 5$/,
  );
  throwsWith(
    () => F.ctcLoss(x, tg, [5, 4], tl),
    RangeError,
    /^ctcLoss: inputLengths must be of size batch_size \(3\), got 2 value\(s\)$/,
  );
  throwsWith(
    () => F.ctcLoss(x, tg, il, [3, 2]),
    RangeError,
    /^ctcLoss: targetLengths must be of size batch_size \(3\), got 2/,
  );
  throwsWith(
    () => F.ctcLoss(x, tg, [6, 4, 3], tl),
    RangeError,
    /^ctcLoss: expected inputLengths to have value at most 5 \(T\), but got value 6$/,
  );
  throwsWith(
    () => F.ctcLoss(x, tg, [5, -1, 3], tl),
    RangeError,
    /^ctcLoss: expected inputLengths to have values at least 0, but got value -1$/,
  );
  throwsWith(
    () => F.ctcLoss(x, tg, il, [3, -2, 1]),
    RangeError,
    /^ctcLoss: expected targetLengths to have values at least 0, but got value -2$/,
  );
  throwsWith(
    () => F.ctcLoss(x, tg, il, [4, 2, 1]),
    RangeError,
    /^ctcLoss: expected targets of shape \(N, S\) with S >= 4 \(the largest target length\), got shape \[3, 3\]$/,
  );
  throwsWith(
    () => F.ctcLoss(x, tg.narrow(0, 0, 2), il, tl),
    RangeError,
    /^ctcLoss: expected targets of shape \(N, S\) with N = 3 \(the batch size\), got shape \[2, 3\]$/,
  );
  throwsWith(
    () => F.ctcLoss(x, tensor(BigInt64Array.from([1n, 2n])), il, tl),
    RangeError,
    /^ctcLoss: expected concatenated targets of length 6 \(the sum of targetLengths\), got shape \[2\]$/,
  );
  throwsWith(
    () => F.ctcLoss(x, tg.reshape([1, 3, 3]), il, tl),
    RangeError,
    /^ctcLoss: expected targets with 1 \(concatenated\) or 2 \(N, S\) dimensions, got shape \[1, 3, 3\]$/,
  );
  throwsWith(
    () => F.ctcLoss(x.reshape([15, 5]).narrow(0, 0, 1).reshape([5]), tg, il, tl),
    RangeError,
    /^ctcLoss: expected logProbs of shape \(T, N, C\) or unbatched \(T, C\), got shape \[5\]$/,
  );
  throwsWith(
    () => F.ctcLoss(x.to("float16"), tg, il, tl),
    TypeError,
    /^ctcLoss: expected logProbs to be float32 or float64, got dtype float16$/,
  );
  throwsWith(
    () => F.ctcLoss(x, tg, tensor([5, 4, 3]), tl),
    TypeError,
    /^ctcLoss: inputLengths must be integral, got dtype float32$/,
  );
  throwsWith(
    () => F.ctcLoss(x, tg, [5, 4.5, 3], tl),
    TypeError,
    /^ctcLoss: expected inputLengths to hold integers, got number 4\.5$/,
  );
  throwsWith(
    () => F.ctcLoss(x, tg, 5 as unknown as number[], tl),
    TypeError,
    /^ctcLoss: expected inputLengths to be an integer tensor or an array of integers, got number 5$/,
  );
  // PyTorch reads out of bounds for labels outside [0, C): rejected here
  const bad = tensor(BigInt64Array.from([1n, 2n, 7n, 3n, 1n, 4n, 4n, 0n, 0n]), { shape: [3, 3] });
  throwsWith(
    () => F.ctcLoss(x, bad, il, tl),
    RangeError,
    /^ctcLoss: target 7 of sample 0 is out of bounds \(expected a class index in \[0, 5\)\)$/,
  );
  // labels past a sample's target length are padding and never read
  F.ctcLoss(x, bad, il, [2, 2, 1]);
  throwsWith(
    () => F.ctcLoss(x, tg, il, tl, { reduction: "avg" as "sum" }),
    RangeError,
    /^ctcLoss: "avg" is not a valid value for reduction/,
  );
  throwsWith(
    () => F.ctcLoss(x, tg, il, tl, { zero_infinity: true } as nn.CTCLossOptions),
    TypeError,
    /^ctcLoss: unknown option "zero_infinity"/,
  );
  throwsWith(
    () => new nn.CTCLoss({ blank: 1.5 }),
    TypeError,
    /^CTCLoss: expected blank to be an integer, got number 1\.5$/,
  );
  throwsWith(
    () => new nn.CTCLoss().forward(x, tg, il, [3, 2]),
    RangeError,
    /^CTCLoss\.forward: targetLengths must be of size batch_size/,
  );
});

Deno.test("ctcLoss: a transposed (batch-first) input and a tidy scope give the same loss and gradient", () => {
  const x = F.logSoftmax(randomDouble([3, 8, 5], 9, -2, 2, false), 2).detach().requiresGrad_();
  const tg = tensor(BigInt64Array.from([1, 2, 3, 4, 4, 1, 2, 0, 3].map(BigInt)), { shape: [3, 3] });
  const l1 = F.ctcLoss(x.transpose(0, 1), tg, [8, 7, 6], [3, 2, 3]);
  l1.backward();
  const g1 = x.grad!.clone();
  x.grad = null;
  const l2 = tidy(() => F.ctcLoss(x.transpose(0, 1).contiguous(), tg, [8, 7, 6], [3, 2, 3]));
  l2.backward();
  assert.equal(l2.item(), l1.item());
  assert.deepEqual(x.grad!.toArray(), g1.toArray());
});
