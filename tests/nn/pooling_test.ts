import assert from "node:assert/strict";
import { manualSeed, nn, randn, type Tensor, tensor } from "../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";
import { cleanAndPoisoned } from "../util/poison.ts";
import { cases, checkFnCase, type FnCase, type TensorSpec, values } from "../util/fixture_act.ts";

const F = nn.functional;
// deno-lint-ignore no-explicit-any
const Fany = F as unknown as Record<string, (...a: any[]) => Tensor | [Tensor, Tensor]>;
const nums = (t: Tensor): number[] => Array.from(t.toArray() as ArrayLike<number | bigint>, Number);

// ------------------------------------------------------------------ PyTorch fixtures

for (const c of cases("pooling") as (FnCase & { indices: TensorSpec | null })[]) {
  Deno.test(`pooling matches PyTorch: ${c.name}`, () => {
    let indices: Tensor | null = null;
    checkFnCase(c, (xs, args, opts) => {
      const r = Fany[c.fn](...xs, ...args, opts);
      if (!Array.isArray(r)) return r;
      indices = r[1];
      return r[0];
    });
    if (c.indices) {
      assert.ok(indices, "returnIndices gave [out, indices]");
      const idx = indices as Tensor;
      assert.equal(idx.dtype, "int64");
      assert.deepEqual([...idx.shape], c.indices.shape);
      assert.deepEqual(nums(idx), values(c.indices));
    }
  });
}

// ------------------------------------------------------------------ gradchecks (float64)

const first = (r: Tensor | [Tensor, Tensor]) => (Array.isArray(r) ? r[0] : r);
const samples = (shape: number[]) => randomDouble(shape, 9, 0, 1, false);
const gradLayers: [string, number[], (x: Tensor) => Tensor][] = [
  ["MaxPool1d", [2, 2, 7], (x) => first(new nn.MaxPool1d(3, { stride: 2, padding: 1 }).forward(x))],
  ["MaxPool2d", [1, 2, 5, 6], (x) => first(new nn.MaxPool2d([2, 3], { dilation: [2, 1], ceilMode: true }).forward(x))],
  ["MaxPool3d", [1, 1, 4, 5, 4], (x) => first(new nn.MaxPool3d(2, { stride: [1, 2, 2] }).forward(x))],
  ["AvgPool1d", [2, 2, 7], (x) => new nn.AvgPool1d(3, { stride: 2, padding: 1, countIncludePad: false }).forward(x)],
  ["AvgPool2d", [1, 2, 5, 5], (x) => new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true }).forward(x)],
  ["AvgPool3d", [1, 1, 4, 4, 5], (x) => new nn.AvgPool3d([2, 2, 3], { divisorOverride: 5 }).forward(x)],
  ["LPPool1d", [1, 2, 6], (x) => new nn.LPPool1d(2, 3, { stride: 1 }).forward(x.abs().add(0.1))],
  ["LPPool2d", [1, 2, 4, 4], (x) => new nn.LPPool2d(1.5, 2).forward(x.abs().add(0.1))],
  ["AdaptiveMaxPool1d", [2, 2, 7], (x) => first(new nn.AdaptiveMaxPool1d(3).forward(x))],
  ["AdaptiveMaxPool2d", [1, 2, 5, 4], (x) => first(new nn.AdaptiveMaxPool2d([3, 3]).forward(x))],
  ["AdaptiveMaxPool3d", [1, 1, 3, 4, 5], (x) => first(new nn.AdaptiveMaxPool3d([2, 2, 3]).forward(x))],
  ["AdaptiveAvgPool1d", [2, 2, 5], (x) => new nn.AdaptiveAvgPool1d(3).forward(x)],
  ["AdaptiveAvgPool2d", [1, 2, 5, 3], (x) => new nn.AdaptiveAvgPool2d([2, 4]).forward(x)],
  ["AdaptiveAvgPool3d", [1, 1, 3, 4, 5], (x) => new nn.AdaptiveAvgPool3d(2).forward(x)],
  [
    "FractionalMaxPool2d",
    [2, 2, 7, 6],
    (x) => first(new nn.FractionalMaxPool2d(2, { outputSize: [3, 4], randomSamples: samples([2, 2, 2]) }).forward(x)),
  ],
  [
    "FractionalMaxPool3d",
    [1, 2, 4, 5, 4],
    (x) => first(new nn.FractionalMaxPool3d(2, { outputRatio: 0.5, randomSamples: samples([1, 2, 3]) }).forward(x)),
  ],
];

for (const [name, shape, fn] of gradLayers) {
  Deno.test(`gradcheck (float64): ${name}`, () => gradcheck(fn, [randomDouble(shape, 3)]));
}

Deno.test("gradcheck (float64): MaxUnpool1d/2d/3d w.r.t. the values", () => {
  for (const rank of [1, 2, 3]) {
    const shape = [1, 2, ...[5, 4, 4].slice(0, rank)];
    const [, idx] = [F.maxPool1d, F.maxPool2d, F.maxPool3d][rank - 1](randn(shape).double(), 2, {
      returnIndices: true,
    }) as [Tensor, Tensor];
    const unpool = new [nn.MaxUnpool1d, nn.MaxUnpool2d, nn.MaxUnpool3d][rank - 1](2);
    gradcheck((v) => unpool.forward(v, idx, shape), [randomDouble([...idx.shape], rank)]);
  }
});

// ------------------------------------------------------------------ semantics

Deno.test("MaxPool2d with returnIndices returns [out, indices] that MaxUnpool2d inverts", () => {
  const x = tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]);
  const [out, idx] = new nn.MaxPool2d(2, { returnIndices: true }).forward(x) as [Tensor, Tensor];
  assert.deepEqual(nums(out), [6, 8, 14, 16]);
  assert.deepEqual(nums(idx), [5, 7, 13, 15]);
  const back = new nn.MaxUnpool2d(2).forward(out, idx);
  assert.deepEqual(nums(back), [0, 0, 0, 0, 0, 6, 0, 8, 0, 0, 0, 0, 0, 14, 0, 16]);
  assert.ok(!Array.isArray(new nn.MaxPool2d(2).forward(x)), "without returnIndices: one tensor");
});

Deno.test("ceilMode: the last window must start inside the input or its left padding (PyTorch's rule)", () => {
  const x = tensor([[[1, 2, 3, 4, 5]]]);
  // floor: 3 windows; ceil would give 4, but the 4th starts at 6 - 1 = 5 >= 5: dropped
  assert.deepEqual(F.maxPool1d(x, 2, { stride: 2, padding: 1 }).shape, [1, 1, 3]);
  assert.deepEqual(F.maxPool1d(x, 2, { stride: 2, padding: 1, ceilMode: true }).shape, [1, 1, 3]);
  // without padding the extra window starts at 4 (inside): kept, and averages only real elements
  assert.deepEqual(nums(F.avgPool1d(x, 2, { stride: 2, ceilMode: true }) as Tensor), [1.5, 3.5, 5]);
});

Deno.test("FractionalMaxPool2d: randomSamples is the _random_samples buffer; without it draws follow manualSeed", () => {
  const s = tensor(new Float32Array([0.25, 0.75, 0.5, 0.1]), { shape: [1, 2, 2] });
  const pinned = new nn.FractionalMaxPool2d(2, { outputSize: [3, 3], randomSamples: s });
  assert.deepEqual(Object.keys(pinned.stateDict()), ["_random_samples"]);
  const x = randn([1, 2, 7, 7]);
  assert.deepEqual(nums(pinned.forward(x) as Tensor), nums(pinned.forward(x) as Tensor));
  const free = new nn.FractionalMaxPool2d(2, { outputRatio: 0.5 });
  assert.deepEqual(Object.keys(free.stateDict()), []);
  manualSeed(3);
  const a = nums(free.forward(x) as Tensor);
  manualSeed(3);
  assert.deepEqual(nums(free.forward(x) as Tensor), a);
});

Deno.test("pooling: non-contiguous input gives the contiguous result", () => {
  const x = randn([2, 6, 5, 3]).transpose(1, 3);
  assert.equal(x.isContiguous(), false);
  for (const f of [(t: Tensor) => F.maxPool2d(t, 2) as Tensor, (t: Tensor) => F.avgPool2d(t, 2, { padding: 1 })]) {
    assertClose(nums(f(x)), nums(f(x.contiguous())), 0, 0);
  }
});

// ------------------------------------------------------------------ errors

Deno.test("pooling writes every element of reused (dirty) buffers: values, indices and gradients", () => {
  manualSeed(22);
  const ops: ((x: Tensor) => Tensor[])[] = [
    (x) => F.maxPool2d(x, 2, { returnIndices: true }),
    (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, returnIndices: true }),
    (x) => [F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false })],
    (x) => [F.adaptiveAvgPool2d(x, 1)],
    (x) => [F.adaptiveAvgPool2d(x, [3, 4])],
    (x) => F.adaptiveMaxPool2d(x, [3, 2], true) as [Tensor, Tensor],
    (x) => {
      const [v, i] = F.maxPool2d(x, 2, { returnIndices: true });
      return [F.maxUnpool2d(v, i, 2, { outputSize: [x.shape[2], x.shape[3]] })];
    },
  ];
  const x = randn([3, 4, 7, 9], { requiresGrad: true });
  for (const op of ops) {
    const [clean, poisoned] = cleanAndPoisoned(([x]) => {
      x.grad = null;
      const outs = op(x);
      outs[0].mul(outs[0]).sum().backward();
      return [...outs, x.grad!].map(nums);
    }, [x]);
    assert.deepEqual(poisoned, clean, `${op}`);
  }
});

Deno.test("pooling errors name the call, the expected and the actual values", () => {
  throwsWith(
    () => new nn.MaxPool2d(3).forward(randn([1, 1, 2, 2])),
    RangeError,
    /^MaxPool2d\.forward: input size \(2 x 2\) is smaller than the kernel size \(3 x 3\)$/,
  );
  throwsWith(
    () => F.avgPool3d(randn([1, 1, 2, 2, 2]), 3),
    RangeError,
    /^avgPool3d: input size \(2 x 2 x 2\) is smaller than the kernel size \(3 x 3 x 3\)$/,
  );
  throwsWith(
    () => F.maxPool1d(randn([1, 1, 1]), 3, { padding: 1, dilation: 2 }),
    RangeError,
    /^maxPool1d: padded input size \(3\) is smaller than the dilated kernel size \(5\)$/,
  );
  throwsWith(
    () => new nn.MaxPool2d(3, { padding: 2 }),
    RangeError,
    /^MaxPool2d: padding should be at most half of kernel size, but got padding=2 and kernelSize=3$/,
  );
  throwsWith(
    () => new nn.MaxPool2d(2).forward(randn([5, 5])),
    RangeError,
    /^MaxPool2d\.forward: expected 3-d \(unbatched\) or 4-d \(batched\) input \(N, C, H, W\), got shape \[5, 5\]$/,
  );
  throwsWith(
    () => new nn.AvgPool2d(2, { divisorOverride: 0 }).forward(randn([1, 2, 2])),
    RangeError,
    /divisorOverride/,
  );
  throwsWith(
    () => F.adaptiveAvgPool2d(randn([1, 1, 0, 3]), 2),
    RangeError,
    /^adaptiveAvgPool2d: expected input to have non-zero size for non-batch dimensions, but input has sizes \[1, 1, 0, 3\] with dimension 2 being empty$/,
  );
  throwsWith(() => new nn.FractionalMaxPool2d(2), TypeError, /either an output size, or a pooling ratio/);
  throwsWith(
    () => new nn.FractionalMaxPool2d(2, { outputRatio: 1.5 }),
    RangeError,
    /^FractionalMaxPool2d: outputRatio must be between 0 and 1 \(got number 1\.5\)$/,
  );
  throwsWith(
    () => F.fractionalMaxPool2d(randn([1, 1, 5, 5]), 3, { outputSize: 4 }),
    RangeError,
    /^fractionalMaxPool2d: pool height 3 too large relative to input height 5 for output height 4$/,
  );
  throwsWith(
    () => F.fractionalMaxPool2d(randn([1, 2, 5, 5]), 2, { outputSize: 2, randomSamples: randn([1, 1, 2]) }),
    RangeError,
    /^fractionalMaxPool2d: expected randomSamples of shape \[1, 2, 2\] and dtype float32, got float32 \[1, 1, 2\]$/,
  );
});

Deno.test("MaxUnpool: an index outside the output plane is a RangeError, never a write", () => {
  const unpool = new nn.MaxUnpool2d(2);
  const x = randn([1, 2, 3, 3]);
  const idx = tensor(BigInt64Array.from({ length: 18 }, (_, i) => BigInt(i % 9)), { shape: [1, 2, 3, 3] });
  assert.deepEqual(unpool.forward(x, idx).shape, [1, 2, 6, 6]);
  const bad = idx.clone();
  (bad.typedArray() as BigInt64Array)[17] = 36n;
  throwsWith(
    () => unpool.forward(x, bad),
    RangeError,
    /^MaxUnpool2d\.forward: found an invalid max index: 36 \(output volumes are of size 6x6\)$/,
  );
  (bad.typedArray() as BigInt64Array)[17] = -1n;
  throwsWith(() => unpool.forward(x, bad), RangeError, /invalid max index: -1 /);
  throwsWith(
    () => unpool.forward(x, idx.narrow(3, 0, 2)),
    RangeError,
    /^MaxUnpool2d\.forward: expected shape of indices to be same as that of the input tensor \(\[1, 2, 3, 3\]\) but got indices tensor with shape: \[1, 2, 3, 2\]$/,
  );
  throwsWith(
    () => unpool.forward(x, idx, [9, 9]),
    RangeError,
    /^MaxUnpool2d\.forward: invalid outputSize \[9, 9\] \(dim 0 must be between 4 and 8, exclusive\)$/,
  );
  throwsWith(() => unpool.forward(x, idx.float()), TypeError, /expected int64 indices, got dtype float32/);
});

Deno.test("pooling and resampling refuse unknown option keys, naming the call and the accepted keys", () => {
  const cases: [() => unknown, RegExp][] = [
    [
      () => new nn.MaxPool2d(2, { ceil_mode: true } as never),
      /^MaxPool2d: unknown option "ceil_mode" \(options are camelCase: did you mean "ceilMode"\?\); expected stride, padding, dilation, returnIndices, ceilMode$/,
    ],
    [
      () => new nn.AvgPool2d(2, { countIncludePads: false } as never),
      /^AvgPool2d: unknown option "countIncludePads"; expected stride, padding, ceilMode, countIncludePad, divisorOverride$/,
    ],
    [
      () => new nn.FractionalMaxPool2d(2, { outputsize: [3, 3] } as never),
      /^FractionalMaxPool2d: unknown option "outputsize"/,
    ],
    [
      () => new nn.UpsamplingNearest2d({ scale: 2 } as never),
      /^UpsamplingNearest2d: unknown option "scale"; expected size, scaleFactor$/,
    ],
  ];
  for (const [fn, re] of cases) assert.throws(fn, (e: Error) => e instanceof TypeError && re.test(e.message));
});
