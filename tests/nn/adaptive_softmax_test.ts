/**
 * AdaptiveLogSoftmaxWithLoss (src/nn/adaptive.ts) against PyTorch 1.13
 * (tests/fixtures/ctc_adaptive/cases.json, written by tools/fixtures/ctc_adaptive.py): with
 * PyTorch's state dict loaded, forward's output and loss, the gradients of the input and of
 * every parameter, logProb and predict; PyTorch's rejections. Plus state-dict keys and shapes,
 * a float64 gradcheck, predict = logProb().argmax(1) and the error messages.
 */
import assert from "node:assert/strict";
import { nn, type Tensor, tensor } from "../../mod.ts";
import { assertMatches, cases, make, type TensorSpec } from "../util/fixture_act.ts";
import { gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

interface AsmCase {
  kind: string;
  name: string;
  inFeatures: number;
  nClasses: number;
  cutoffs: number[];
  opts: { divValue?: number; headBias?: boolean };
  error?: string;
  where?: "constructor" | "forward";
  state: Record<string, TensorSpec>;
  input: TensorSpec;
  target: TensorSpec;
  output: TensorSpec;
  loss: TensorSpec;
  gradOutput: TensorSpec;
  gradLoss: TensorSpec;
  gradInput: TensorSpec;
  gradParams: Record<string, TensorSpec>;
  logProb?: TensorSpec;
  predict?: TensorSpec;
}

for (const c of cases("ctc_adaptive").filter((c) => c.kind === "asm") as AsmCase[]) {
  Deno.test(`AdaptiveLogSoftmaxWithLoss matches PyTorch: ${c.name}`, () => {
    const build = () => new nn.AdaptiveLogSoftmaxWithLoss(c.inFeatures, c.nClasses, c.cutoffs, c.opts);
    if (c.error !== undefined && c.where === "constructor") {
      assert.throws(build, (e: unknown) => e instanceof RangeError, `PyTorch: ${c.error}`);
      return;
    }
    const m = build();
    if (c.input.dtype === "float64") m.double();
    if (c.error !== undefined) {
      assert.throws(
        () => m.forward(make(c.input), make(c.target)),
        (e: unknown) => e instanceof RangeError || e instanceof TypeError,
        `PyTorch: ${c.error}`,
      );
      return;
    }
    assert.deepEqual(Object.keys(m.stateDict()), Object.keys(c.state), "state-dict keys");
    for (const [k, v] of Object.entries(m.stateDict())) assert.deepEqual([...v.shape], c.state[k].shape, k);
    m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, make(v)])));
    const x = make(c.input, true);
    const { output, loss } = m.forward(x, make(c.target));
    assertMatches(output, c.output, "output");
    assertMatches(loss, c.loss, "loss");
    output.mul(make(c.gradOutput)).sum().add(loss.mul(make(c.gradLoss))).backward();
    assertMatches(x.grad!, c.gradInput, "grad of the input");
    for (const [k, p] of m.namedParameters()) {
      const want = c.gradParams[k];
      if (p.grad === null) {
        // PyTorch leaves an unused cluster's parameters without a gradient
        assert.equal(want, null, `${k}: expected a gradient`);
        continue;
      }
      assertMatches(p.grad, want, `grad of ${k}`);
    }
    if (c.logProb) assertMatches(m.logProb(make(c.input)), c.logProb, "logProb");
    if (c.predict) assertMatches(m.predict(make(c.input)), c.predict, "predict");
  });
}

Deno.test("AdaptiveLogSoftmaxWithLoss: submodules, shapes and attributes as PyTorch's", () => {
  const m = new nn.AdaptiveLogSoftmaxWithLoss(16, 100, [10, 50, 80], 2, true);
  assert.deepEqual(m.cutoffs, [10, 50, 80, 100]);
  assert.deepEqual([m.shortlistSize, m.nClusters, m.headSize, m.divValue, m.headBias], [10, 3, 13, 2, true]);
  const shapes = Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, [...v.shape]]));
  assert.deepEqual(shapes, {
    "head.weight": [13, 16],
    "head.bias": [13],
    "tail.0.0.weight": [8, 16],
    "tail.0.1.weight": [40, 8],
    "tail.1.0.weight": [4, 16],
    "tail.1.1.weight": [30, 4],
    "tail.2.0.weight": [2, 16],
    "tail.2.1.weight": [20, 2],
  });
  assert.equal(new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4], { dtype: "float64" }).head.weight.dtype, "float64");
  const before = m.head.weight.clone();
  m.resetParameters();
  assert.notDeepEqual(m.head.weight.tolist(), before.tolist());
});

Deno.test("AdaptiveLogSoftmaxWithLoss gradchecks in float64 (input and every parameter)", () => {
  const m = new nn.AdaptiveLogSoftmaxWithLoss(6, 9, [3, 6], { divValue: 2, headBias: true, dtype: "float64" });
  const x = randomDouble([5, 6], 2);
  const target = tensor(BigInt64Array.from([0n, 4n, 8n, 2n, 6n]));
  const params = [...m.parameters()];
  gradcheck((xi) => {
    const { output, loss } = m.forward(xi, target);
    return [output, loss];
  }, [x]);
  for (const p of params) {
    gradcheck(() => m.forward(x.detach(), target).loss, [p as Tensor]);
  }
});

Deno.test("AdaptiveLogSoftmaxWithLoss: logProb is a distribution and predict is its argmax", () => {
  const m = new nn.AdaptiveLogSoftmaxWithLoss(5, 20, [2, 8], { divValue: 1, headBias: true, dtype: "float64" });
  const x = randomDouble([12, 5], 3, -4, 4, false);
  const lp = m.logProb(x);
  const sums = lp.exp().sum(1).toArray() as Float64Array;
  for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-12);
  assert.deepEqual(m.predict(x).tolist(), lp.argmax(1).tolist());
  assert.deepEqual([...m.predict(x.narrow(0, 0, 0)).shape], [0]);
  // forward's output is logProb at the targets
  const t = tensor(BigInt64Array.from({ length: 12 }, (_, i) => BigInt((i * 7) % 20)));
  const picked = lp.gather(1, t.reshape([12, 1])).reshape([12]);
  const out = m.forward(x, t).output.toArray() as Float64Array;
  (picked.toArray() as Float64Array).forEach((v, i) => assert.ok(Math.abs(v - out[i]) < 1e-12));
});

Deno.test("AdaptiveLogSoftmaxWithLoss error messages name the call, the expected and the actual value", () => {
  const C = "AdaptiveLogSoftmaxWithLoss";
  throwsWith(
    () => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [6, 3]),
    RangeError,
    new RegExp(
      `^${C}: cutoffs should be a sequence of unique, positive integers sorted in an increasing order, where each value is between 1 and n_classes-1 \\(9\\), got \\[6, 3\\]$`,
    ),
  );
  throwsWith(() => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [2.5]), RangeError, /got \[2\.5\]$/);
  throwsWith(
    () => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, []),
    TypeError,
    /^AdaptiveLogSoftmaxWithLoss: expected cutoffs to be a non-empty array of integers, got/,
  );
  throwsWith(
    () => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3], { div_value: 2 } as never),
    TypeError,
    /^AdaptiveLogSoftmaxWithLoss: unknown option "div_value"/,
  );
  throwsWith(
    () => new nn.AdaptiveLogSoftmaxWithLoss(-1, 10, [3]),
    TypeError,
    /^AdaptiveLogSoftmaxWithLoss: expected inFeatures to be a non-negative integer, got number -1$/,
  );
  throwsWith(
    () => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3], 0),
    RangeError,
    /^AdaptiveLogSoftmaxWithLoss: expected divValue to be a positive finite number, got 0$/,
  );
  const m = new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6]);
  const F = `${C}\\.forward`;
  const x = randomDouble([2, 8], 1, -1, 1, false).float();
  throwsWith(
    () => m.forward(x, tensor([0n, 10n])),
    RangeError,
    new RegExp(`^${F}: Target values should be in \\[0, 9\\], but values in range \\[0, 10\\] were found$`),
  );
  throwsWith(() => m.forward(x, tensor([-1n, 2n])), RangeError, /values in range \[-1, 2\] were found$/);
  throwsWith(
    () => m.forward(x, tensor([0n, 1n, 2n])),
    RangeError,
    new RegExp(
      `^${F}: Input and target should have the same size in the batch dimension, got input shape \\[2, 8\\] and target shape \\[3\\]$`,
    ),
  );
  throwsWith(
    () => m.forward(x.reshape([2, 1, 8]), tensor([0n, 1n])),
    RangeError,
    new RegExp(`^${F}: 1D target tensor expects 2D input tensors, got input shape \\[2, 1, 8\\]$`),
  );
  throwsWith(
    () => m.forward(x, tensor(1n)),
    RangeError,
    new RegExp(`^${F}: 0D target tensor expects 1D input tensors, got input shape \\[2, 8\\]$`),
  );
  throwsWith(
    () => m.forward(x, tensor([[0n, 1n]])),
    RangeError,
    new RegExp(`^${F}: 0D or 1D target tensor expected, multi-target not supported; got target shape \\[1, 2\\]$`),
  );
  throwsWith(
    () => m.forward(x, tensor([0, 1])),
    TypeError,
    new RegExp(`^${F}: expected target to hold class indices \\(int64\\), got dtype float32$`),
  );
  throwsWith(
    () => m.forward(x.narrow(1, 0, 7), tensor([0n, 1n])),
    RangeError,
    new RegExp(`^${F}: expected input with last dimension 8 \\(in_features\\), got shape \\[2, 7\\]$`),
  );
  throwsWith(
    () => m.logProb(x.reshape([16])),
    RangeError,
    /^AdaptiveLogSoftmaxWithLoss\.logProb: expected input of shape \(N, 8\), got shape \[16\]$/,
  );
  throwsWith(
    () => m.predict(tensor([[1n]])),
    TypeError,
    /^AdaptiveLogSoftmaxWithLoss\.predict: expected a floating point input, got dtype int64$/,
  );
});
