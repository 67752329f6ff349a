/**
 * Normalization layers (src/nn/normalization.ts) against PyTorch 1.13: layerNorm, groupNorm,
 * instanceNorm, localResponseNorm and normalize (outputs and input/weight/bias gradients, errors
 * where PyTorch raises), InstanceNorm modules over two training steps then evaluation (running
 * statistics, outputs, gradients), from tests/fixtures/normalization/cases.json written by
 * tools/fixtures/normalization.py. Plus float64 gradchecks, module state and error messages.
 */
import assert from "node:assert/strict";
import { nn, noGrad, type Tensor, tensor, zeros } from "../../mod.ts";
import { assertMatches, cases, checkFnCase, type FnCase, make, type TensorSpec } from "../util/fixture_act.ts";
import { gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

const F = nn.functional;

interface NormFnCase extends FnCase {
  kind: "fn";
  aux: boolean[];
  error?: string;
  runningMean?: TensorSpec | null;
  runningVar?: TensorSpec | null;
  /** [atol, rtol] where PyTorch's float32 kernel is itself less accurate than ours */
  tol?: [number, number];
  /** then: the float64 result rounded to float32, which we must match tightly */
  exact?: TensorSpec;
  /** and the float64 input gradient for `gradOutput`, rounded to float32 */
  exactGrad?: TensorSpec;
}

interface Step {
  train: boolean;
  input: TensorSpec;
  output: TensorSpec;
  gradOutput: TensorSpec;
  gradInput: TensorSpec;
  gradWeight: TensorSpec | null;
  gradBias: TensorSpec | null;
  state: Record<string, TensorSpec>;
}

interface ModuleCase {
  kind: "module";
  name: string;
  layer: "InstanceNorm1d" | "InstanceNorm2d" | "InstanceNorm3d";
  numFeatures: number;
  opts: nn.InstanceNormOptions;
  init: Record<string, TensorSpec>;
  keys: string[];
  repr: string;
  steps: Step[];
}

/** Calls F[c.fn] with the stored tensors: xs[0] the input, then the present aux tensors in order. */
// deno-lint-ignore no-explicit-any
function callFn(c: NormFnCase, xs: Tensor[], args: any[], opts: Record<string, any>): Tensor {
  const rest = xs.slice(1);
  const aux = c.aux.map((present) => (present ? rest.shift()! : null));
  switch (c.fn) {
    case "layerNorm":
      return F.layerNorm(xs[0], args[0], { weight: aux[0], bias: aux[1], ...opts });
    case "groupNorm":
      return F.groupNorm(xs[0], args[0], { weight: aux[0], bias: aux[1], ...opts });
    case "instanceNorm":
      return F.instanceNorm(xs[0], { weight: aux[0], bias: aux[1], ...opts });
    case "localResponseNorm":
      return F.localResponseNorm(xs[0], args[0], opts);
    case "normalize":
      return F.normalize(xs[0], opts);
  }
  throw new Error(`unknown fn ${c.fn}`);
}

for (const c of cases("normalization") as (NormFnCase | ModuleCase)[]) {
  if (c.kind === "fn") {
    Deno.test(`${c.fn} matches PyTorch: ${c.name}`, () => {
      if (c.error !== undefined) {
        const xs = c.inputs.map((s) => make(s));
        assert.throws(
          () => callFn(c, xs, c.args, c.opts),
          (e: unknown) => e instanceof TypeError || e instanceof RangeError,
          `PyTorch raised "${c.error}"`,
        );
        return;
      }
      // the running statistics are tensors in opts: keep them to compare after the call
      let opts: Record<string, unknown> = {};
      checkFnCase(c, (xs, args, o) => {
        opts = o;
        return callFn(c, xs, args, o);
      }, c.tol);
      if (c.exact) {
        const x = make(c.inputs[0], true);
        const y = callFn(c, [x, ...c.inputs.slice(1).map((t) => make(t))], c.args, c.opts);
        assertMatches(y, c.exact, `${c.name}: output vs the float64 result`, [1e-4, 1e-4]);
        y.backward(make(c.gradOutput!));
        assertMatches(x.grad!, c.exactGrad!, `${c.name}: grad vs the float64 result`, [1e-4, 1e-4]);
      }
      if (c.runningMean) assertMatches(opts.runningMean as Tensor, c.runningMean, `${c.name}: running mean`);
      if (c.runningVar) assertMatches(opts.runningVar as Tensor, c.runningVar, `${c.name}: running var`);
    });
  } else {
    Deno.test(`${c.layer} matches PyTorch over training and evaluation: ${c.name}`, () => {
      const m = new nn[c.layer](c.numFeatures, c.opts);
      assert.deepEqual(Object.keys(m.stateDict()), c.keys);
      assert.equal(m.toString(), c.repr);
      m.loadStateDict(Object.fromEntries(Object.entries(c.init).map(([k, s]) => [k, make(s)])));
      c.steps.forEach((s, i) => {
        const what = `${c.name}: step ${i}`;
        m.train(s.train);
        m.zeroGrad();
        const x = make(s.input, true);
        const y = m.forward(x);
        assertMatches(y, s.output, `${what}: output`);
        y.backward(make(s.gradOutput));
        assertMatches(x.grad!, s.gradInput, `${what}: grad of the input`);
        if (s.gradWeight) assertMatches(m.weight!.grad!, s.gradWeight, `${what}: grad of the weight`);
        if (s.gradBias) assertMatches(m.bias!.grad!, s.gradBias, `${what}: grad of the bias`);
        const state = m.stateDict();
        for (const [k, spec] of Object.entries(s.state)) assertMatches(state[k], spec, `${what}: ${k}`);
      });
    });
  }
}

Deno.test("normalization gradchecks in float64: input, weight and bias", () => {
  const w = (shape: number[]) => randomDouble(shape);
  gradcheck((x, a, b) => F.layerNorm(x, [3, 2], a, b), [w([2, 3, 2]), w([3, 2]), w([3, 2])]);
  gradcheck((x) => F.layerNorm(x, [4], { eps: 0.1 }), [w([3, 4])]);
  gradcheck((x, a, b) => F.groupNorm(x, 2, a, b), [w([2, 4, 3]), w([4]), w([4])]);
  gradcheck((x) => F.groupNorm(x, 3, { eps: 1e-3 }), [w([1, 6, 2, 2])]);
  gradcheck((x, a, b) => F.instanceNorm(x, { weight: a, bias: b }), [w([2, 3, 4]), w([3]), w([3])]);
  gradcheck(
    (x) =>
      F.instanceNorm(x, tensor(new Float64Array([0.1, -0.2])), tensor(new Float64Array([1.5, 0.5])), null, null, false),
    [w([2, 2, 3])],
  );
  gradcheck((x) => F.localResponseNorm(x, 3, { alpha: 0.5, beta: 0.75, k: 2 }), [w([2, 4, 3])]);
  gradcheck((x) => F.localResponseNorm(x, 2, 0.4, 1.2, 1.5), [w([1, 3, 2, 2])]);
  gradcheck((x) => F.normalize(x, { p: 3, dim: 0 }), [w([3, 2])]);
  gradcheck((x) => F.normalize(x), [w([2, 4])]);
});

Deno.test("normalization modules: parameters, buffers, state-dict keys and repr like PyTorch's", () => {
  const ln = new nn.LayerNorm([2, 3]);
  assert.deepEqual(Object.keys(ln.stateDict()), ["weight", "bias"]);
  assert.deepEqual(ln.weight!.shape, [2, 3]);
  assert.deepEqual(ln.weight!.tolist(), [[1, 1, 1], [1, 1, 1]]);
  assert.deepEqual(ln.bias!.tolist(), [[0, 0, 0], [0, 0, 0]]);
  assert.equal(ln.toString(), "LayerNorm((2, 3), eps=1e-05, elementwise_affine=True)");
  assert.equal(new nn.LayerNorm(10).toString(), "LayerNorm((10,), eps=1e-05, elementwise_affine=True)");
  const ln2 = new nn.LayerNorm(4, 1e-3, false);
  assert.equal(ln2.weight, null);
  assert.deepEqual(Object.keys(ln2.stateDict()), []);
  assert.equal(ln2.toString(), "LayerNorm((4,), eps=0.001, elementwise_affine=False)");
  assert.equal(new nn.LayerNorm(4, { dtype: "float64" }).weight!.dtype, "float64");

  const gn = new nn.GroupNorm(2, 4, { affine: false, eps: 1e-6 });
  assert.deepEqual(Object.keys(gn.stateDict()), []);
  assert.equal(gn.toString(), "GroupNorm(2, 4, eps=1e-06, affine=False)");
  assert.deepEqual(Object.keys(new nn.GroupNorm(1, 3).stateDict()), ["weight", "bias"]);

  const inorm = new nn.InstanceNorm1d(3);
  assert.deepEqual(Object.keys(inorm.stateDict()), []);
  assert.equal(inorm.runningMean, null);
  assert.equal(inorm.toString(), "InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)");
  const tracked = new nn.InstanceNorm2d(2, 1e-5, 0.2, true, true);
  assert.deepEqual(Object.keys(tracked.stateDict()), [
    "weight",
    "bias",
    "running_mean",
    "running_var",
    "num_batches_tracked",
  ]);
  assert.deepEqual([...tracked.buffers()].map((b) => b.dtype), ["float32", "float32", "int64"]);
  tracked.forward(zeros([2, 2, 3, 3]).add(tensor([[[[1]], [[2]]]])));
  // PyTorch 1.13's instance norm never counts batches
  assert.equal(tracked.numBatchesTracked!.item(), 0);
  assert.deepEqual(tracked.runningMean!.tolist(), [0.20000000298023224, 0.4000000059604645]);
  assert.deepEqual(tracked.runningVar!.tolist(), [0.800000011920929, 0.800000011920929]);
  tracked.resetRunningStats();
  assert.deepEqual(tracked.runningMean!.tolist(), [0, 0]);

  const lrn = new nn.LocalResponseNorm(3, { alpha: 1e-3, beta: 0.5, k: 2 });
  assert.equal(lrn.toString(), "LocalResponseNorm(3, alpha=0.001, beta=0.5, k=2.0)");
  assert.deepEqual(Object.keys(lrn.stateDict()), []);
});

Deno.test("InstanceNorm: eval without tracking uses the input's statistics; unbatched input", () => {
  const m = new nn.InstanceNorm1d(2, { eps: 0 }).eval();
  const y = m.forward(tensor([[[1, 3], [2, 6]]]));
  assert.deepEqual(y.tolist(), [[[-1, 1], [-1, 1]]]);
  assert.deepEqual(m.forward(tensor([[1, 3], [2, 6]])).tolist(), [[-1, 1], [-1, 1]]);
  // without affine or running statistics PyTorch 1.13 does not look at the channel count
  assert.deepEqual(m.forward(tensor([[[1, 3], [2, 6], [0, 2]]])).shape, [1, 3, 2]);
  const t = new nn.InstanceNorm1d(2, { trackRunningStats: true, eps: 0 }).eval();
  noGrad(() => t.runningMean!.fill_(1));
  assert.deepEqual(t.forward(tensor([[[1, 3], [1, 1]]])).tolist(), [[[0, 2], [0, 0]]]);
});

Deno.test("localResponseNorm returns an empty input itself; normalize of a 0-d tensor", () => {
  const e = zeros([0, 3, 2]);
  assert.equal(F.localResponseNorm(e, 2), e);
  assert.deepEqual(F.normalize(tensor(-3), { dim: 0 }).item(), -1);
});

Deno.test("normalization layers reject bad arguments with clear errors", () => {
  const x = tensor([[[1, 2, 3], [4, 5, 6]]]);
  throwsWith(
    () => F.layerNorm(x, [4]),
    RangeError,
    /^layerNorm: given normalizedShape \[4\], expected input with shape \[\*, 4\], got shape \[1, 2, 3\]/,
  );
  throwsWith(() => F.layerNorm(x, []), RangeError, /^layerNorm: expected normalizedShape to contain at least one/);
  throwsWith(() => F.layerNorm(x, [1.5]), TypeError, /^layerNorm: expected normalizedShape to be a non-negative/);
  throwsWith(
    () => F.layerNorm(x, [3], zeros([2])),
    RangeError,
    /^layerNorm: expected weight of shape \[3\], got shape \[2\]/,
  );
  throwsWith(
    () => F.layerNorm(x, [3], zeros([3], { dtype: "float64" })),
    TypeError,
    /^layerNorm: expected weight of dtype float32 \(the input's\), got float64/,
  );
  throwsWith(
    () => F.layerNorm(tensor([[1, 2]], { dtype: "int64" }), [2]),
    TypeError,
    /^layerNorm: expected a float32 or float64 input, got dtype int64/,
  );
  throwsWith(
    () => F.layerNorm(x, [3], { epsilon: 1 } as nn.functional.LayerNormFnOptions),
    TypeError,
    /unknown option "epsilon"/,
  );
  throwsWith(() => new nn.LayerNorm(2).forward(x), RangeError, /^LayerNorm\.forward: given normalizedShape \[2\]/);
  throwsWith(
    () => new nn.LayerNorm(3, { affine: true } as nn.LayerNormOptions),
    TypeError,
    /^LayerNorm: unknown option "affine"/,
  );
  throwsWith(
    () => new nn.LayerNorm(3, { dtype: "int64" as "float32" }),
    TypeError,
    /^LayerNorm: expected dtype "float32" or "float64", got "int64"/,
  );

  throwsWith(
    () => new nn.GroupNorm(2, 3),
    RangeError,
    /^GroupNorm: numChannels must be divisible by numGroups, got numChannels=3 and numGroups=2/,
  );
  throwsWith(
    () => new nn.GroupNorm(0, 4),
    TypeError,
    /^GroupNorm: expected numGroups to be a positive integer, got number 0/,
  );
  throwsWith(
    () => F.groupNorm(tensor([[1, 2, 3]]), 2),
    RangeError,
    /^groupNorm: expected the number of channels in input to be divisible by numGroups, got input of shape \[1, 3\] and numGroups=2/,
  );
  throwsWith(
    () => F.groupNorm(tensor([[1, 2]]), 2),
    RangeError,
    /^groupNorm: Expected more than 1 value per channel when training, got input size \[1, 2\]/,
  );
  throwsWith(() => F.groupNorm(tensor([1, 2]), 1), RangeError, /^groupNorm: expected input of shape \(N, C, \*\)/);
  throwsWith(
    () => new nn.GroupNorm(2, 4).forward(zeros([1, 3, 2])),
    RangeError,
    /^GroupNorm\.forward: expected the number of channels/,
  );
  throwsWith(
    () => new nn.GroupNorm(1, 4).forward(x),
    RangeError,
    /^GroupNorm\.forward: expected weight of shape \[2\], got shape \[4\]/,
  );

  throwsWith(
    () => F.instanceNorm(tensor([[1, 2]])),
    RangeError,
    /^instanceNorm: Expected more than 1 spatial element when training, got input size \[1, 2\]/,
  );
  throwsWith(
    () => F.instanceNorm(x, { useInputStats: false }),
    TypeError,
    /^instanceNorm: expected runningMean and runningVar to be given when useInputStats is false/,
  );
  throwsWith(
    () => F.instanceNorm(x, { weight: zeros([3]) }),
    RangeError,
    /^instanceNorm: expected weight of shape \[2\], got shape \[3\]/,
  );
  throwsWith(
    () => new nn.InstanceNorm1d(2).forward(tensor([1, 2])),
    RangeError,
    /^InstanceNorm1d\.forward: expected 2D or 3D input \(got 1D input\)/,
  );
  throwsWith(
    () => new nn.InstanceNorm2d(2).forward(tensor([[1, 2]])),
    RangeError,
    /^InstanceNorm2d\.forward: expected 3D or 4D input \(got 2D input\)/,
  );
  throwsWith(
    () => new nn.InstanceNorm3d(2).forward(x),
    RangeError,
    /^InstanceNorm3d\.forward: expected 4D or 5D input \(got 3D input\)/,
  );
  throwsWith(
    () => new nn.InstanceNorm1d(3, { affine: true }).forward(x),
    RangeError,
    /^InstanceNorm1d\.forward: expected input with 3 channels \(dim 1\), got shape \[1, 2, 3\]/,
  );
  throwsWith(
    () => new nn.InstanceNorm1d(3, { trackRunningStats: true }).forward(tensor([[1, 2], [3, 4]])),
    RangeError,
    /^InstanceNorm1d\.forward: expected input with 3 channels \(dim 0\), got shape \[2, 2\]/,
  );
  throwsWith(
    () => new nn.InstanceNorm1d(-1),
    TypeError,
    /^InstanceNorm1d: expected numFeatures to be a non-negative integer, got number -1/,
  );
  throwsWith(
    () => new nn.InstanceNorm1d(2, { momentum: null } as unknown as nn.InstanceNormOptions),
    TypeError,
    /^InstanceNorm1d: expected momentum to be a number, got null/,
  );

  throwsWith(
    () => F.localResponseNorm(tensor([[1, 2]]), 2),
    RangeError,
    /^localResponseNorm: expected 3D or higher dimensionality input \(got 2 dimensions\)/,
  );
  throwsWith(
    () => new nn.LocalResponseNorm(0),
    TypeError,
    /^LocalResponseNorm: expected size to be a positive integer, got number 0/,
  );
  throwsWith(
    () => new nn.LocalResponseNorm(2).forward(tensor([1])),
    RangeError,
    /^LocalResponseNorm\.forward: expected 3D/,
  );
  throwsWith(() => F.normalize(tensor([1, 2]), { dim: 1 }), RangeError, /^normalize: /);
  throwsWith(
    () => F.normalize(tensor([1, 2]), { q: 1 } as nn.functional.NormalizeOptions),
    TypeError,
    /^normalize: unknown option "q"/,
  );
});
