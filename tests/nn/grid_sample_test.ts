/**
 * gridSample, affineGrid, interpolate's bicubic mode and ChannelShuffle (src/nn/grid_sample.ts,
 * src/nn/vision.ts) against PyTorch 1.13: values and input/grid/theta gradients in every mode,
 * padding mode and alignCorners, NaN and far-away coordinates, rejected inputs
 * (tests/fixtures/grid_sample/cases.json, written by tools/fixtures/grid_sample.py); float64
 * gradchecks; error messages; the ChannelShuffle module.
 */
import assert from "node:assert/strict";
import { nn, type Tensor, tensor } from "../../mod.ts";
import { cases, checkFnCase, type FnCase, make } from "../util/fixture_act.ts";
import { gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

const F = nn.functional;

interface Case extends FnCase {
  error?: string;
  kind?: string;
}

// deno-lint-ignore no-explicit-any
function run(c: Case, xs: Tensor[], args: any[], opts: Record<string, any>): Tensor {
  switch (c.fn) {
    case "gridSample":
      return F.gridSample(xs[0], xs[1], opts);
    case "affineGrid":
      return F.affineGrid(xs[0], args[0], opts);
    case "interpolate":
      return F.interpolate(xs[0], opts);
    case "channelShuffle":
      return F.channelShuffle(xs[0], args[0]);
    case "stn": {
      const g = F.affineGrid(xs[1], [...xs[0].shape], { alignCorners: false });
      return F.gridSample(xs[0], g, { alignCorners: false });
    }
  }
  throw new Error(`unknown fixture function ${c.fn}`);
}

for (const c of cases("grid_sample") as Case[]) {
  Deno.test(`${c.fn} matches PyTorch: ${c.name}`, () => {
    if (c.error !== undefined) {
      const xs = c.inputs.map((s) => make(s));
      assert.throws(
        () => run(c, xs, c.args, c.opts),
        (e: unknown) => e instanceof TypeError || e instanceof RangeError,
        `PyTorch raised "${c.error}"`,
      );
      return;
    }
    checkFnCase(c, (xs, args, opts) => run(c, xs, args, opts));
  });
}

Deno.test("gridSample gradchecks in float64: input and grid, every mode and padding", () => {
  for (const mode of ["bilinear", "bicubic"] as const) {
    for (const paddingMode of ["zeros", "border", "reflection"] as const) {
      for (const alignCorners of [false, true]) {
        const x = randomDouble([1, 2, 3, 4], 3);
        const g = randomDouble([1, 2, 3, 2], 5, -1.7, 1.7);
        gradcheck((a, b) => F.gridSample(a, b, { mode, paddingMode, alignCorners }), [x, g]);
      }
    }
  }
  for (const paddingMode of ["zeros", "border", "reflection"] as const) {
    const x = randomDouble([1, 1, 2, 3, 3], 7);
    const g = randomDouble([1, 2, 1, 2, 3], 9, -1.6, 1.6);
    gradcheck((a, b) => F.gridSample(a, b, { paddingMode }), [x, g]);
  }
  const x = randomDouble([1, 2, 3, 3], 11);
  const g = randomDouble([1, 2, 2, 2], 13, -1.2, 1.2, false);
  gradcheck((a) => F.gridSample(a, g, { mode: "nearest" }), [x]);
});

Deno.test("gridSample nearest gives the grid a zero gradient, not none", () => {
  const x = randomDouble([1, 1, 2, 2], 1, -1, 1, false);
  const g = randomDouble([1, 2, 2, 2], 2);
  F.gridSample(x, g, { mode: "nearest" }).sum().backward();
  assert.deepEqual(Array.from(g.grad!.toArray() as Float64Array), new Array(8).fill(0));
});

Deno.test("affineGrid and bicubic interpolate gradchecks in float64", () => {
  gradcheck((t) => F.affineGrid(t, [2, 1, 3, 4]), [randomDouble([2, 2, 3], 1)]);
  gradcheck((t) => F.affineGrid(t, [1, 1, 2, 3, 2], { alignCorners: true }), [randomDouble([1, 3, 4], 2)]);
  gradcheck((x) => F.interpolate(x, { scaleFactor: [1.5, 2], mode: "bicubic" }), [randomDouble([1, 2, 3, 3], 3)]);
  gradcheck((x) => F.interpolate(x, { size: [4, 2], mode: "bicubic", alignCorners: true }), [
    randomDouble([1, 1, 3, 5], 4),
  ]);
});

Deno.test("gridSample, affineGrid and channelShuffle errors name the call, the expected and the actual value", () => {
  const x = tensor(new Float64Array(16), { shape: [1, 1, 4, 4] });
  const g = tensor(new Float64Array(8), { shape: [1, 2, 2, 2] });
  throwsWith(
    () => F.gridSample(x, g, { mode: "area" as never }),
    TypeError,
    /^gridSample: expected mode to be "bilinear", "nearest" or "bicubic", got "area"/,
  );
  throwsWith(
    () => F.gridSample(x, g, { paddingMode: "reflect" as never }),
    TypeError,
    /^gridSample: expected paddingMode to be "zeros", "border" or "reflection", got "reflect"/,
  );
  throwsWith(
    () => F.gridSample(x, g, { align_corners: true } as never),
    TypeError,
    /^gridSample: unknown option "align_corners"/,
  );
  throwsWith(
    () => F.gridSample(x, g.float()),
    TypeError,
    /^gridSample: expected input and grid to have the same dtype, got float64 and float32/,
  );
  throwsWith(
    () => F.gridSample(x, g.reshape(2, 1, 2, 2)),
    RangeError,
    /^gridSample: expected grid and input to have the same batch size, got input of shape \[1, 1, 4, 4\] and grid of shape \[2, 1, 2, 2\]/,
  );
  throwsWith(
    () => F.gridSample(x, g.reshape(1, 4, 1, 2).expand(1, 4, 1, 2).reshape(1, 2, 2, 2).narrow(3, 0, 1)),
    RangeError,
    /^gridSample: expected grid to have size 2 in the last dimension, got grid of shape \[1, 2, 2, 1\]/,
  );
  throwsWith(
    () => F.gridSample(x.reshape(1, 1, 1, 4, 4), g.reshape(1, 1, 2, 2, 2), { mode: "bicubic" }),
    RangeError,
    /^gridSample: expected grid to have size 3/,
  );
  throwsWith(
    () => F.affineGrid(g.reshape(1, 2, 4).narrow(2, 0, 3), [1, 1, 2]),
    RangeError,
    /^affineGrid: only 4-d and 5-d sizes are supported \(2-d and 3-d transforms\), got size \[1, 1, 2\]/,
  );
  throwsWith(
    () => F.affineGrid(tensor(new Float64Array(8), { shape: [2, 2, 2] }), [2, 1, 2, 2]),
    RangeError,
    /^affineGrid: expected a batch of 2-d affine matrices of shape \[N, 2, 3\] for size \[2, 1, 2, 2\], got theta of shape \[2, 2, 2\]/,
  );
  throwsWith(
    () => F.channelShuffle(x.reshape(1, 16), 2),
    RangeError,
    /^channelShuffle: expected input with more than 2 dimensions, got shape \[1, 16\]/,
  );
  throwsWith(
    () => F.channelShuffle(x.reshape(1, 4, 4), 3),
    RangeError,
    /^channelShuffle: expected the number of channels to be divisible by groups, got 4 channels and 3 groups/,
  );
  throwsWith(
    () => new nn.ChannelShuffle(2).forward(x.reshape(1, 4, 4).narrow(1, 0, 3)),
    RangeError,
    /^ChannelShuffle.forward: expected the number of channels/,
  );
  throwsWith(
    () => F.interpolate(x.reshape(1, 4, 4), { scaleFactor: 2, mode: "bicubic" }),
    RangeError,
    /^interpolate: got 3-d input, but bicubic mode needs 4-d input/,
  );
});

Deno.test("ChannelShuffle module: no parameters, PyTorch's repr, Upsample bicubic", () => {
  const m = new nn.ChannelShuffle(2);
  assert.equal([...m.parameters()].length, 0);
  assert.deepEqual(Object.keys(m.stateDict()), []);
  assert.equal(m.extraRepr(), "groups=2");
  const x = tensor([0, 1, 2, 3, 4, 5], { shape: [1, 6, 1] });
  assert.deepEqual(m.forward(x).flatten().tolist(), [0, 3, 1, 4, 2, 5]);
  const up = new nn.Upsample({ scaleFactor: 2, mode: "bicubic", alignCorners: true });
  assert.deepEqual(up.forward(tensor([[[[1, 1], [1, 1]]]])).shape, [1, 1, 4, 4]);
});

Deno.test("gridSample takes non-contiguous input and grid; channelShuffle gradchecks (PyTorch 1.13 has no backward)", () => {
  const x = randomDouble([1, 4, 3, 2], 21, -1, 1, false);
  const g = randomDouble([1, 2, 3, 2], 22, -1.3, 1.3, false);
  const xt = x.permute(0, 1, 3, 2).contiguous().permute(0, 1, 3, 2); // same values, transposed strides
  const gt = g.permute(0, 2, 1, 3).contiguous().permute(0, 2, 1, 3);
  assert.ok(!xt.isContiguous() && !gt.isContiguous());
  for (const mode of ["bilinear", "nearest", "bicubic"] as const) {
    assert.deepEqual(F.gridSample(xt, gt, { mode }).tolist(), F.gridSample(x, g, { mode }).tolist());
  }
  gradcheck((a) => F.channelShuffle(a, 2), [randomDouble([2, 4, 3], 23)]);
  gradcheck((a) => new nn.ChannelShuffle(3).forward(a), [randomDouble([1, 6, 2, 2], 24)]);
});
