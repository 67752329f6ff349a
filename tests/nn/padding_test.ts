/**
 * Padding (src/tensor/ops/pad.ts, src/nn/padding.ts) against PyTorch 1.13: F.pad values and
 * input gradients in every mode, crops, errors where PyTorch raises, the padding layers, and
 * convolutions with a paddingMode (tests/fixtures/padding/cases.json, written by
 * tools/fixtures/padding.py). Plus float64 gradchecks through each mode.
 */
import assert from "node:assert/strict";
import { nn, type Tensor, tensor } from "../../mod.ts";
import { assertMatches, cases, checkFnCase, type FnCase, make } from "../util/fixture_act.ts";
import { gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

const F = nn.functional;

interface PadCase extends FnCase {
  kind: "pad" | "conv";
  pad: number[];
  mode: nn.PadMode;
  value: number;
  error?: string;
  layer: "Conv1d" | "Conv2d" | "Conv3d";
  inChannels: number;
  outChannels: number;
  kernelSize: number | number[];
}

for (const c of cases("padding") as PadCase[]) {
  if (c.kind === "pad") {
    Deno.test(`pad matches PyTorch: ${c.name}`, () => {
      const x = make(c.inputs[0]);
      if (c.error !== undefined) {
        assert.throws(
          () => F.pad(x, c.pad, c.mode, c.value),
          (e: unknown) => e instanceof TypeError || e instanceof RangeError,
          `PyTorch raised "${c.error}"`,
        );
        return;
      }
      checkFnCase(c, (xs) => F.pad(xs[0], c.pad, { mode: c.mode, value: c.value }));
    });
  } else {
    Deno.test(`${c.layer} with paddingMode matches PyTorch: ${c.name}`, () => {
      const m = new nn[c.layer](c.inChannels, c.outChannels, c.kernelSize, c.opts);
      m.weight = new nn.Parameter(make(c.inputs[1]));
      m.bias = c.inputs[2] ? new nn.Parameter(make(c.inputs[2])) : null;
      const x = make(c.inputs[0], true);
      const y = m.forward(x);
      assertMatches(y, c.output, `${c.name}: output`);
      y.backward(make(c.gradOutput!));
      assertMatches(x.grad!, c.grads[0]!, `${c.name}: grad of the input`);
      assertMatches(m.weight.grad!, c.grads[1]!, `${c.name}: grad of the weight`);
      if (m.bias) assertMatches(m.bias.grad!, c.grads[2]!, `${c.name}: grad of the bias`);
    });
  }
}

Deno.test("pad gradchecks in float64: every mode, 1 to 3 dims, crops", () => {
  const checks: [string, number[], number[], nn.PadMode][] = [
    ["constant", [2, 3], [1, -1], "constant"],
    ["reflect 1d", [1, 2, 5], [3, 2], "reflect"],
    ["reflect 2d crop", [1, 3, 4], [-1, 2, 2, 1], "reflect"],
    ["replicate 3d", [1, 1, 2, 3, 2], [2, 1, 0, 2, 1, 1], "replicate"],
    ["circular 2d", [1, 1, 3, 3], [2, 1, -1, 3], "circular"],
  ];
  for (const [_name, shape, p, mode] of checks) {
    gradcheck((x) => F.pad(x, p, mode), [randomDouble(shape)]);
  }
});

Deno.test("padding layers are F.pad with fixed arguments, and print as PyTorch's", () => {
  const x = tensor([[[0, 1, 2], [3, 4, 5]]]);
  const same = (m: nn.Module, p: number[], mode: nn.PadMode, value = 0) =>
    assert.deepEqual((m.forward(x) as Tensor).tolist(), F.pad(x, p, mode, value).tolist(), m.constructor.name);
  same(new nn.ReflectionPad1d(2), [2, 2], "reflect");
  same(new nn.ReplicationPad1d([1, 3]), [1, 3], "replicate");
  same(new nn.ReflectionPad2d([1, 0, 1, 0]), [1, 0, 1, 0], "reflect");
  same(new nn.ReplicationPad2d(1), [1, 1, 1, 1], "replicate");
  same(new nn.ConstantPad1d(2, -1), [2, 2], "constant", -1);
  same(new nn.ConstantPad2d([0, 1, 1, 0], 3), [0, 1, 1, 0], "constant", 3);
  same(new nn.ZeroPad2d(1), [1, 1, 1, 1], "constant");
  same(new nn.ConstantPad3d(1, 2), [1, 1, 1, 1, 1, 1], "constant", 2);
  const x5 = tensor([[[[[1, 2], [3, 4]]]]]);
  assert.deepEqual(new nn.ReflectionPad3d([1, 0, 0, 0, 0, 0]).forward(x5).tolist(), [[[[[2, 1, 2], [4, 3, 4]]]]]);
  assert.deepEqual(new nn.ReplicationPad3d([0, 0, 0, 0, 1, 0]).forward(x5).shape, [1, 1, 2, 2, 2]);
  assert.equal(new nn.ReflectionPad2d([1, 2, 3, 4]).toString(), "ReflectionPad2d((1, 2, 3, 4))");
  assert.equal(new nn.ConstantPad1d(2, 3.5).toString(), "ConstantPad1d(padding=(2, 2), value=3.5)");
  assert.equal(new nn.ZeroPad2d([1, 0, 0, 1]).toString(), "ZeroPad2d(padding=(1, 0, 0, 1), value=0)");
});

Deno.test("pad and the padding layers reject bad arguments with clear errors", () => {
  const x = tensor([[[1, 2, 3]]]);
  throwsWith(() => F.pad(x, [1, 1], "mirror" as nn.PadMode), TypeError, /^pad: unknown padding mode "mirror"/);
  throwsWith(() => F.pad(x, [1.5, 1]), TypeError, /^pad: expected pad to be an array of integers, got \[1\.5,1\]/);
  throwsWith(() => F.pad(x, [1, 1, 1]), RangeError, /^pad: the pad length must be even, got 3/);
  throwsWith(() => F.pad(x, [1, 1], "reflect", 2), TypeError, /^pad: padding mode "reflect" takes no value, got 2/);
  throwsWith(
    () => F.pad(x, [3, 0], "reflect"),
    RangeError,
    /^pad: reflect padding must be less than the size of the padded dim, got padding \(3, 0\) at dim 2/,
  );
  throwsWith(() => F.pad(x, [4, 0], "circular"), RangeError, /wraps around more than once/);
  throwsWith(() => F.pad(x, [1, 1], { mode: "reflect", valu: 1 } as nn.PadOptions), TypeError, /unknown option "valu"/);
  throwsWith(
    () => new nn.ReflectionPad2d([1, 1]),
    TypeError,
    /^ReflectionPad2d: expected padding to be an integer or 4 integers/,
  );
  throwsWith(
    () => new nn.ReflectionPad2d(1).forward(tensor([[1, 2, 3]])),
    RangeError,
    /^ReflectionPad2d\.forward: reflect padding of the last 2 dims needs a 3-d or 4-d input, got shape \[1, 3\]/,
  );
  throwsWith(
    () => new nn.Conv2d(1, 1, 3, { paddingMode: "mirror" as nn.PaddingMode }),
    TypeError,
    /^Conv2d: expected paddingMode to be one of zeros, reflect, replicate, circular, got "mirror"/,
  );
  throwsWith(
    () => new nn.ConvTranspose2d(1, 1, 3, { paddingMode: "reflect" as "zeros" }),
    TypeError,
    /^ConvTranspose2d: only paddingMode "zeros" is supported for transposed convolutions, got "reflect"/,
  );
});

Deno.test("a convolution with paddingMode pads unbatched input too, and keeps its mode", () => {
  const m = new nn.Conv1d(1, 1, 3, { padding: 1, paddingMode: "circular", bias: false });
  m.weight = new nn.Parameter(tensor([[[1, 0, 0]]]));
  // A shift by one with wrap-around: output[i] = input[i - 1 mod n].
  assert.deepEqual(m.forward(tensor([[1, 2, 3, 4]])).tolist(), [[4, 1, 2, 3]]);
  assert.equal(m.paddingMode, "circular");
});
