import assert from "node:assert/strict";
import { arange, nn, randn, type Tensor, tensor } from "../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";
import { cleanAndPoisoned } from "../util/poison.ts";
import { cases, checkFnCase, type FnCase } from "../util/fixture_act.ts";

const F = nn.functional;
// deno-lint-ignore no-explicit-any
const Fany = F as unknown as Record<string, (...a: any[]) => Tensor>;
const nums = (t: Tensor): number[] => Array.from(t.toArray() as ArrayLike<number>);

// ------------------------------------------------------------------ PyTorch fixtures

for (const c of cases("vision") as FnCase[]) {
  Deno.test(`vision matches PyTorch: ${c.name}`, () => {
    checkFnCase(c, (xs, args, opts) => Fany[c.fn](xs[0], ...args, ...(Object.keys(opts).length ? [opts] : [])));
  });
}

// ------------------------------------------------------------------ gradchecks (float64)

const gradLayers: [string, number[], (x: Tensor) => Tensor][] = [
  ["PixelShuffle", [1, 8, 2, 3], (x) => new nn.PixelShuffle(2).forward(x)],
  ["PixelUnshuffle", [1, 2, 4, 2], (x) => new nn.PixelUnshuffle(2).forward(x)],
  ["UpsamplingNearest2d", [1, 2, 3, 2], (x) => new nn.UpsamplingNearest2d({ scaleFactor: 1.5 }).forward(x)],
  ["UpsamplingBilinear2d", [1, 2, 3, 3], (x) => new nn.UpsamplingBilinear2d({ size: [5, 4] }).forward(x)],
  ["Upsample linear", [2, 1, 4], (x) => new nn.Upsample({ scaleFactor: 1.6, mode: "linear" }).forward(x)],
  ["Upsample bilinear downsample", [1, 1, 5, 6], (x) => new nn.Upsample({ size: [3, 4], mode: "bilinear" }).forward(x)],
  ["Upsample trilinear", [1, 1, 2, 3, 2], (x) => new nn.Upsample({ size: [3, 4, 3], mode: "trilinear" }).forward(x)],
  ["Upsample nearest 3d", [1, 1, 2, 2, 3], (x) => new nn.Upsample({ scaleFactor: [2, 1, 1.5] }).forward(x)],
  ["interpolate area", [1, 2, 5, 4], (x) => F.interpolate(x, { size: [2, 3], mode: "area" })],
];

for (const [name, shape, fn] of gradLayers) {
  Deno.test(`gradcheck (float64): ${name}`, () => gradcheck(fn, [randomDouble(shape, 11)]));
}

// ------------------------------------------------------------------ semantics

Deno.test("PixelShuffle then PixelUnshuffle is the identity; values land where PyTorch puts them", () => {
  const x = arange(16).float().reshape(1, 4, 2, 2);
  const y = new nn.PixelShuffle(2).forward(x);
  assert.deepEqual(y.shape, [1, 1, 4, 4]);
  assert.deepEqual(nums(y), [0, 4, 1, 5, 8, 12, 9, 13, 2, 6, 3, 7, 10, 14, 11, 15]);
  assert.deepEqual(nums(new nn.PixelUnshuffle(2).forward(y)), nums(x));
});

Deno.test("UpsamplingBilinear2d aligns corners: the corner values are kept exactly", () => {
  const x = randn([1, 1, 3, 4]);
  const y = new nn.UpsamplingBilinear2d({ size: [7, 10] }).forward(x);
  const xv = nums(x), yv = nums(y);
  assert.deepEqual([yv[0], yv[9], yv[60], yv[69]], [xv[0], xv[3], xv[8], xv[11]]);
  // the same module output as interpolate with alignCorners: true
  const z = F.interpolate(x, { size: [7, 10], mode: "bilinear", alignCorners: true });
  assertClose(nums(z), yv, 0, 0);
});

Deno.test("interpolate: a scale factor goes to the kernel as PyTorch passes it, unless recomputeScaleFactor", () => {
  const x = tensor([[[0, 1, 2, 3, 4]]]);
  // PyTorch: nearest index floor(o / 1.7), not floor(o * 5 / 8)
  assert.deepEqual(nums(F.interpolate(x, { scaleFactor: 1.7 })), [0, 0, 1, 1, 2, 2, 3, 4]);
  assert.deepEqual(nums(F.interpolate(x, { scaleFactor: 1.7, recomputeScaleFactor: true })), [0, 0, 1, 1, 2, 3, 3, 4]);
  const up = new nn.Upsample({ scaleFactor: 1.7, recomputeScaleFactor: true });
  assert.deepEqual(nums(up.forward(x)), [0, 0, 1, 1, 2, 3, 3, 4]);
});

Deno.test("interpolate: non-contiguous input gives the contiguous result", () => {
  const x = randn([1, 5, 4, 3]).transpose(1, 3);
  assertClose(
    nums(F.interpolate(x, { scaleFactor: 1.5, mode: "bilinear" })),
    nums(F.interpolate(x.contiguous(), { scaleFactor: 1.5, mode: "bilinear" })),
    0,
    0,
  );
});

// ------------------------------------------------------------------ errors

Deno.test("interpolate writes every element of reused (dirty) buffers: outputs and gradients", () => {
  const x = randn([2, 3, 5, 4], { requiresGrad: true });
  for (const mode of ["nearest", "bilinear"] as const) {
    const [clean, poisoned] = cleanAndPoisoned(([x]) => {
      x.grad = null;
      const y = F.interpolate(x, { size: [7, 9], mode });
      y.mul(y).sum().backward();
      return [y, x.grad!].map(nums);
    }, [x]);
    assert.deepEqual(poisoned, clean, mode);
  }
});

Deno.test("vision errors name the call, the expected and the actual values", () => {
  throwsWith(
    () => new nn.PixelShuffle(2).forward(randn([1, 5, 2, 2])),
    RangeError,
    /^PixelShuffle\.forward: expected the channel dimension to be divisible by the square of upscaleFactor, but input\.size\(-3\)=5 is not divisible by 4$/,
  );
  throwsWith(
    () => F.pixelShuffle(randn([4, 2]), 2),
    RangeError,
    /^pixelShuffle: expected input to have at least 3 dimensions, but got input with 2 dimension\(s\)$/,
  );
  throwsWith(() => new nn.PixelShuffle(0), TypeError, /^PixelShuffle: expected upscaleFactor to be a positive integer/);
  throwsWith(
    () => F.interpolate(randn([1, 1, 4])),
    TypeError,
    /^interpolate: either size or scaleFactor should be defined$/,
  );
  throwsWith(
    () => F.interpolate(randn([1, 1, 4]), { size: 3, scaleFactor: 2 }),
    TypeError,
    /^interpolate: only one of size or scaleFactor should be defined$/,
  );
  throwsWith(
    () => F.interpolate(randn([1, 1, 4]), { size: 3, mode: "bilinear" }),
    RangeError,
    /^interpolate: got 3-d input, but bilinear mode needs 4-d input$/,
  );
  throwsWith(
    () => F.interpolate(randn([1, 1, 4, 4]), { scaleFactor: 2, alignCorners: true }),
    TypeError,
    /alignCorners option can only be set with the interpolating modes/,
  );
  throwsWith(
    () => new nn.UpsamplingNearest2d({ size: [2] }).forward(randn([1, 1, 4, 4])),
    TypeError,
    /^UpsamplingNearest2d\.forward: expected size to be a positive integer or 2 positive integers for a 4-d input, got \[2\]$/,
  );
  throwsWith(
    () => F.interpolate(tensor([1, 2, 3]), { size: 2 }),
    RangeError,
    /^interpolate: expected a 3-d, 4-d or 5-d input \(N, C, \.\.\.spatial\), got shape \[3\]$/,
  );
});
