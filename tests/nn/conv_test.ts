import assert from "node:assert/strict";
import { cat, getNumThreads, manualSeed, nn, noGrad, randn, setNumThreads, type Tensor } from "../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";
import { cleanAndPoisoned } from "../util/poison.ts";
import { cases, checkFnCase, type FnCase } from "../util/fixture_act.ts";

const F = nn.functional;
// deno-lint-ignore no-explicit-any
const Fany = F as unknown as Record<string, (...a: any[]) => Tensor>;
const nums = (t: Tensor): number[] => Array.from(t.toArray() as Float64Array, Number);

// ------------------------------------------------------------------ PyTorch fixtures

for (const c of cases("conv") as FnCase[]) {
  Deno.test(`conv matches PyTorch: ${c.name}`, () => {
    checkFnCase(c, (xs, _args, opts) => Fany[c.fn](xs[0], xs[1], xs[2] ?? null, opts));
  });
}

// ------------------------------------------------------------------ gradchecks (float64)

const gradCases: [string, number[], number[], number[], (x: Tensor, w: Tensor, b: Tensor) => Tensor][] = [
  [
    "conv1d",
    [2, 4, 7],
    [6, 2, 3],
    [6],
    (x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2, groups: 2 }),
  ],
  ["conv2d", [2, 2, 5, 4], [3, 2, 3, 2], [3], (x, w, b) => F.conv2d(x, w, b, { stride: [2, 1], padding: [1, 1] })],
  ["conv2d same", [1, 2, 4, 5], [2, 1, 2, 3], [2], (x, w, b) => F.conv2d(x, w, b, { padding: "same", groups: 2 })],
  [
    "conv3d",
    [1, 2, 4, 3, 4],
    [2, 2, 2, 2, 3],
    [2],
    (x, w, b) => F.conv3d(x, w, b, { padding: [1, 0, 1], dilation: [1, 1, 2] }),
  ],
  [
    "convTranspose1d",
    [2, 2, 4],
    [2, 3, 3],
    [3],
    (x, w, b) => F.convTranspose1d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
  ],
  [
    "convTranspose2d",
    [1, 4, 3, 3],
    [4, 1, 2, 3],
    [2],
    (x, w, b) => F.convTranspose2d(x, w, b, { stride: [2, 1], groups: 2, dilation: [1, 2] }),
  ],
  [
    "convTranspose3d",
    [1, 2, 2, 2, 3],
    [2, 2, 2, 2, 2],
    [2],
    (x, w, b) => F.convTranspose3d(x, w, b, { stride: [2, 1, 2], padding: [0, 1, 1], outputPadding: [1, 0, 1] }),
  ],
];

for (const [name, xs, ws, bs, fn] of gradCases) {
  Deno.test(`gradcheck (float64): ${name} w.r.t. input, weight and bias`, () => {
    gradcheck(fn, [randomDouble(xs, 1), randomDouble(ws, 2), randomDouble(bs, 3)]);
  });
}

Deno.test("gradcheck (float64): the modules Conv1d/2d/3d and ConvTranspose1d/2d/3d w.r.t. their input", () => {
  const mods: [nn.Module, number[]][] = [
    [new nn.Conv1d(2, 3, 2, { stride: 2 }), [2, 2, 5]],
    [new nn.Conv2d(2, 2, [2, 3], { padding: [1, 0], bias: false }), [1, 2, 3, 4]],
    [new nn.Conv3d(1, 2, 2), [1, 1, 3, 2, 3]],
    [new nn.ConvTranspose1d(2, 2, 3, { stride: 2 }), [1, 2, 3]],
    [new nn.ConvTranspose2d(2, 1, 2, { padding: 1 }), [1, 2, 3, 3]],
    [new nn.ConvTranspose3d(1, 2, 2, { stride: [1, 2, 1] }), [1, 1, 2, 2, 2]],
  ];
  for (const [m, shape] of mods) {
    m.double();
    gradcheck((x) => m.forward(x), [randomDouble(shape, 4)]);
  }
});

// ------------------------------------------------------------------ modules

Deno.test("Conv2d: weight/bias shapes, state-dict keys and PyTorch's default init bounds", () => {
  manualSeed(1);
  const m = new nn.Conv2d(6, 8, [3, 2], { groups: 2 });
  assert.deepEqual([...m.weight.shape], [8, 3, 3, 2]);
  assert.deepEqual([...m.bias!.shape], [8]);
  assert.deepEqual(Object.keys(m.stateDict()), ["weight", "bias"]);
  const bound = 1 / Math.sqrt(3 * 3 * 2); // fan_in = in/groups * kh * kw
  for (const p of [m.weight, m.bias!]) {
    const v = nums(p);
    assert.ok(v.every((x) => Math.abs(x) <= bound), "values within the kaiming_uniform(a=sqrt(5)) bound");
    assert.ok(Math.max(...v.map(Math.abs)) > bound * 0.5, "values spread over the bound");
  }
  const t = new nn.ConvTranspose2d(4, 6, 3, { groups: 2, bias: false });
  assert.deepEqual([...t.weight.shape], [4, 3, 3, 3]);
  assert.equal(t.bias, null);
  assert.deepEqual(Object.keys(t.stateDict()), ["weight"]);
  assert.ok(nums(t.weight).every((x) => Math.abs(x) <= 1 / Math.sqrt(27)));
});

Deno.test("Conv2d: PyTorch positionals (stride, padding, dilation, groups, bias) equal the options object", () => {
  const a = new nn.Conv2d(4, 4, 3, 2, 1, 1, 2, false);
  assert.deepEqual([a.stride, a.padding, a.dilation, a.groups, a.bias], [[2, 2], [1, 1], [1, 1], 2, null]);
  const x = randn([1, 4, 7, 7]);
  assert.deepEqual(a.forward(x).shape, [1, 4, 4, 4]);
});

Deno.test("Conv1d/2d/3d accept unbatched input and match the batched result", () => {
  for (
    const [m, shape] of [[new nn.Conv1d(2, 3, 3), [2, 6]], [new nn.Conv2d(2, 3, 3), [2, 5, 4]], [
      new nn.Conv3d(2, 3, 2),
      [2, 3, 3, 3],
    ]] as [nn.Module, number[]][]
  ) {
    const x = randn(shape);
    const y = m.forward(x), yb = m.forward(x.unsqueeze(0));
    assert.deepEqual(y.shape, yb.shape.slice(1));
    assertClose(y.toArray() as Float32Array, yb.toArray() as Float32Array, 1e-6, 1e-6);
  }
});

Deno.test("ConvTranspose2d.forward(x, outputSize) picks each size the stride allows, as PyTorch", () => {
  const down = new nn.Conv2d(4, 4, 3, { stride: 2, padding: 1 });
  const up = new nn.ConvTranspose2d(4, 4, 3, { stride: 2, padding: 1 });
  const x = randn([1, 4, 12, 11]);
  const h = down.forward(x);
  assert.deepEqual(h.shape, [1, 4, 6, 6]);
  assert.deepEqual(up.forward(h).shape, [1, 4, 11, 11]);
  assert.deepEqual(up.forward(h, x.shape).shape, [1, 4, 12, 11]);
  assert.deepEqual(up.forward(h, [11, 12]).shape, [1, 4, 11, 12]);
  // the same as outputPadding [1, 0] given to the layer
  const up2 = new nn.ConvTranspose2d(4, 4, 3, { stride: 2, padding: 1, outputPadding: [1, 0] });
  up2.loadStateDict(up.stateDict());
  assertClose(up.forward(h, [12, 11]).toArray() as Float32Array, up2.forward(h).toArray() as Float32Array, 0, 0);
  throwsWith(
    () => up.forward(h, [1, 4, 14, 14]),
    RangeError,
    /^ConvTranspose2d\.forward: requested an output size of \[14, 14\], but valid sizes range from \[11, 11\] to \[12, 12\] \(for an input of \[6, 6\]\)$/,
  );
  throwsWith(() => up.forward(h, [12]), RangeError, /outputSize must have 2 or 4 elements \(got 1\)/);
});

Deno.test("convolution: non-contiguous inputs and weights give the contiguous result", () => {
  const x = randn([2, 5, 6, 3]), w = randn([4, 3, 2, 2]), b = randn([4]);
  const xt = x.transpose(1, 3), wt = w.transpose(1, 0).contiguous().transpose(1, 0);
  assert.equal(xt.isContiguous(), false);
  assert.equal(wt.isContiguous(), false);
  const a = F.conv2d(xt, wt, b, { padding: 1 }), c = F.conv2d(xt.contiguous(), w, b, { padding: 1 });
  assertClose(a.toArray() as Float32Array, c.toArray() as Float32Array, 0, 0);
});

Deno.test("convolution: the batch-parallel and the sample-by-sample paths agree, for any thread count", () => {
  const saved = getNumThreads();
  try {
    const x = randomDouble([4, 6, 9, 9], 5, -1, 1, false), w = randomDouble([8, 3, 3, 3], 6, -1, 1, false);
    const run = (xx: Tensor) => noGrad(() => F.conv2d(xx, w, null, { padding: 1, groups: 2 }));
    setNumThreads(2);
    const batched = nums(run(x)); // 4 samples over 2 threads: batch-parallel
    const single = [0, 1, 2, 3].flatMap((i) => nums(run(x.narrow(0, i, 1)))); // one sample: threaded GEMMs
    setNumThreads(1);
    const serial = nums(run(x));
    assertClose(batched, single, 1e-12, 1e-12);
    assertClose(batched, serial, 1e-12, 1e-12);
    // weight gradient: per-thread partial sums against the serial sum
    const grads = [2, 1].map((n) => {
      setNumThreads(n);
      const wg = w.clone().requiresGrad_(true);
      F.conv2d(x, wg, null, { padding: 1, groups: 2 }).sum().backward();
      return nums(wg.grad!);
    });
    assertClose(grads[0], grads[1], 1e-10, 1e-12);
  } finally {
    setNumThreads(saved);
  }
});

Deno.test("convolution: the Winograd 3x3 path equals the im2col path (output and all gradients)", () => {
  // 3x3 stride-1 convolutions with >= 32 channels and >= 128 2x2 output tiles take Winograd
  // F(2x2, 3x3) in the forward, weight and (as a flipped forward) input-gradient kernels; the
  // reference sums convolutions over chunks of 8 input channels, which stay on im2col (checked
  // against PyTorch above). Odd sizes leave partial tiles; groups and padding 0/1/2 vary.
  const configs: [number[], number, number, number, string][] = [
    [[2, 32, 16, 16], 32, 1, 1, "float64"],
    [[2, 32, 15, 17], 48, 1, 1, "float64"],
    [[3, 64, 12, 13], 64, 2, 0, "float64"],
    [[2, 32, 11, 14], 32, 1, 2, "float64"],
    [[2, 32, 16, 16], 32, 1, 1, "float32"],
  ];
  for (const [xs, cout, groups, padding, dtype] of configs) {
    const cin = xs[1], cg = cin / groups, og = cout / groups;
    const base = [randomDouble(xs, 11), randomDouble([cout, cg, 3, 3], 12), randomDouble([cout], 13)];
    const [x, w, b] = base.map((t) => t.to(dtype as "float32").detach().requiresGrad_(true));
    const [xr, wr, br] = base.map((t) => t.to(dtype as "float32").detach().requiresGrad_(true));
    const y = F.conv2d(x, w, b, { padding, groups });
    const parts: Tensor[] = [];
    for (let gi = 0; gi < groups; gi++) {
      let acc: Tensor | null = null;
      for (let c0 = 0; c0 < cg; c0 += 8) {
        const xc = xr.narrow(1, gi * cg + c0, 8), wc = wr.narrow(0, gi * og, og).narrow(1, c0, 8);
        const part = F.conv2d(xc, wc, null, { padding });
        acc = acc === null ? part : acc.add(part);
      }
      parts.push(acc!);
    }
    const yr = cat(parts, 1).add(br.view(1, cout, 1, 1));
    const gout = randomDouble([...y.shape], 14, -1, 1, false).to(dtype as "float32");
    y.backward(gout);
    yr.backward(gout);
    const [atol, rtol] = dtype === "float64" ? [1e-10, 1e-10] : [2e-4, 1e-4];
    const what = `${dtype} ${xs} -> ${cout} groups ${groups} padding ${padding}`;
    assertClose(nums(y), nums(yr), atol, rtol, `${what} output`);
    assertClose(nums(x.grad!), nums(xr.grad!), atol, rtol, `${what} input grad`);
    assertClose(nums(w.grad!), nums(wr.grad!), atol * 10, rtol, `${what} weight grad`);
    assertClose(nums(b.grad!), nums(br.grad!), atol * 10, rtol, `${what} bias grad`);
  }
});

Deno.test("convolution writes every element of reused (dirty) buffers: outputs and all gradients", () => {
  manualSeed(21);
  const configs: [number[], number[], (x: Tensor, w: Tensor, b: Tensor) => Tensor][] = [
    [[4, 3, 7, 6], [5, 3, 3, 3], (x, w, b) => F.conv2d(x, w, b, { padding: 1 })], // batch-parallel im2col
    [[3, 3, 7, 6], [6, 1, 2, 3], (x, w, b) => F.conv2d(x, w, b, { stride: 2, groups: 3 })], // samples in order
    [[2, 32, 9, 11], [32, 32, 3, 3], (x, w, b) => F.conv2d(x, w, b, { padding: 1 })], // Winograd
    [[2, 4, 9], [3, 4, 1], (x, w, b) => F.conv1d(x, w, b)], // pointwise
    [[2, 4, 5, 5], [4, 3, 3, 3], (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2 })], // col2im
  ];
  for (const [xs, ws, fn] of configs) {
    const bn = fn.toString().includes("Transpose") ? ws[1] : ws[0];
    const x = randn(xs, { requiresGrad: true }), w = randn(ws, { requiresGrad: true });
    const b = randn([bn], { requiresGrad: true });
    const g = randn(fn(x, w, b).shape);
    const [clean, poisoned] = cleanAndPoisoned(([x, w, b, g]) => {
      for (const t of [x, w, b]) t.grad = null;
      const y = fn(x, w, b);
      y.backward(g);
      return [y, x.grad!, w.grad!, b.grad!].map(nums);
    }, [x, w, b, g]);
    assert.deepEqual(poisoned, clean, `${fn}`);
  }
});

// ------------------------------------------------------------------ errors

Deno.test("Conv2d errors name the call, the expected and the actual values", () => {
  const m = new nn.Conv2d(3, 4, 3);
  throwsWith(
    () => m.forward(randn([1, 3, 2, 2])),
    RangeError,
    /^Conv2d\.forward: input size \(2 x 2\) is smaller than the kernel size \(3 x 3\)$/,
  );
  throwsWith(
    () => new nn.Conv2d(3, 4, 3, { padding: 1, dilation: 2 }).forward(randn([1, 3, 2, 2])),
    RangeError,
    /^Conv2d\.forward: padded input size \(4 x 4\) is smaller than the dilated kernel size \(5 x 5\)$/,
  );
  throwsWith(
    () => m.forward(randn([5, 5])),
    RangeError,
    /^Conv2d\.forward: expected 3-d \(unbatched\) or 4-d \(batched\) input \(N, C, H, W\), got shape \[5, 5\]$/,
  );
  throwsWith(
    () => m.forward(randn([1, 2, 5, 5])),
    RangeError,
    /^Conv2d\.forward: expected input with 3 channels \(inChannels\), got 2 channels in shape \[1, 2, 5, 5\]$/,
  );
  throwsWith(
    () => F.conv2d(randn([1, 2, 5, 5]), randn([1, 1, 3, 3])),
    RangeError,
    /^conv2d: given groups=1, weight of size \[1, 1, 3, 3\], expected input\[1, 2, 5, 5\] to have 1 channels, but got 2 channels instead$/,
  );
  throwsWith(
    () => F.conv2d(randn([1, 2, 5, 5]).double(), randn([1, 2, 3, 3])),
    TypeError,
    /^conv2d: expected input and weight to have the same dtype, got float64 and float32$/,
  );
  throwsWith(() => new nn.Conv2d(4, 4, 2, { padding: "same", stride: 2 }), RangeError, /not supported for strided/);
  throwsWith(
    () => new nn.Conv2d(3, 4, 3, { groups: 2 }),
    RangeError,
    /^Conv2d: inChannels must be divisible by groups$/,
  );
  throwsWith(() => new nn.Conv1d(2, 4, [3, 3]), TypeError, /^Conv1d: expected kernelSize to be an integer or an array/);
  throwsWith(() => new nn.Conv3d(2, 4, 0), RangeError, /^Conv3d: expected kernelSize to be >= 1, got number 0$/);
  throwsWith(
    () => new nn.ConvTranspose2d(4, 4, 3, { stride: 2, outputPadding: 2 }),
    RangeError,
    /^ConvTranspose2d: output padding must be smaller than either stride or dilation/,
  );
  throwsWith(
    () => F.conv1d(randn([1, 2, 5]), randn([2, 2, 3]), randn([3])),
    RangeError,
    /^conv1d: expected bias of shape \[2\], got \[3\]$/,
  );
});

Deno.test("convolutions refuse unknown option keys, naming the call and the accepted keys", () => {
  assert.throws(
    () => new nn.Conv2d(1, 2, 3, { strides: 2 } as never),
    (e: Error) =>
      e instanceof TypeError &&
      e.message ===
        'Conv2d: unknown option "strides"; expected stride, padding, dilation, groups, bias, paddingMode, dtype, device',
  );
  assert.throws(
    () => nn.functional.conv2d(randn([1, 1, 4, 4]), randn([1, 1, 3, 3]), { padd: 1 } as never),
    (e: Error) =>
      e instanceof TypeError &&
      e.message === 'conv2d: unknown option "padd"; expected stride, padding, dilation, groups',
  );
  assert.throws(
    () => new nn.ConvTranspose2d(1, 2, 3, { output_padding: 1 } as never),
    (e: Error) => e instanceof TypeError && /did you mean "outputPadding"/.test(e.message),
  );
});

Deno.test("a padding that makes the padded input or the output pass 2^31-1 elements is refused by name", () => {
  throwsWith(
    () => new nn.Conv1d(1, 1, 3, { padding: 2 ** 30 }).forward(randn([1, 1, 4])),
    RangeError,
    /^Conv1d\.forward: the padded input \(2147483652\) or the output \(2147483650 elements\) exceeds the 2\^31-1 limit/,
  );
});
