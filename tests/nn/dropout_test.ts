import assert from "node:assert/strict";
import { manualSeed, nn, noGrad, ones, randn, type Tensor, tensor } from "../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

const F = nn.functional;

const values = (t: Tensor) => Array.from(t.toArray() as Float32Array);

Deno.test("Dropout zeroes about p of the elements and scales the rest by 1/(1-p)", () => {
  manualSeed(0);
  for (const p of [0.2, 0.5, 0.9]) {
    const m = new nn.Dropout(p);
    const y = values(m.forward(ones([200, 500])));
    const zeros = y.filter((v) => v === 0).length;
    const scale = Math.fround(1 / (1 - p));
    assert.ok(y.every((v) => v === 0 || v === scale), `values are 0 or ${scale}`);
    // 100000 Bernoulli draws: the rate is within 5 standard deviations of p.
    const sd = Math.sqrt(p * (1 - p) / y.length);
    assert.ok(Math.abs(zeros / y.length - p) < 5 * sd, `p=${p}: drop rate ${zeros / y.length}`);
  }
});

Deno.test("Dropout's gradient is the same mask times the output gradient", () => {
  manualSeed(1);
  const x = randn([30, 40], { requiresGrad: true });
  const y = F.dropout(x, 0.3);
  const g = randn([30, 40]);
  y.backward(g);
  const xv = values(x), yv = values(y), gv = values(g), gx = values(x.grad!);
  for (let i = 0; i < xv.length; i++) {
    const kept = yv[i] !== 0;
    const scale = Math.fround(1 / 0.7);
    if (kept) assert.ok(Math.abs(yv[i] - xv[i] * scale) < 1e-6 * Math.abs(xv[i] * scale) + 1e-7);
    assert.ok(Math.abs(gx[i] - (kept ? gv[i] * scale : 0)) < 1e-5, `element ${i}`);
  }
  // In float64, with the random mask fixed by reseeding before each evaluation, gradcheck holds.
  gradcheck((x) => {
    manualSeed(7);
    return F.dropout(x, 0.4);
  }, [randomDouble([6, 5], 1)]);
});

Deno.test("Dropout in eval mode, with p = 0 or training false returns the input itself", () => {
  const x = randn([4, 4], { requiresGrad: true });
  const m = new nn.Dropout(0.5);
  m.eval();
  assert.equal(m.forward(x), x);
  assert.equal(new nn.Dropout(0).forward(x), x);
  assert.equal(F.dropout(x, 0.5, { training: false }), x);
  assert.equal(F.dropout(x, 0.5, false), x);
  assert.equal(new nn.Dropout2d(0.5).eval().forward(x), x);
  assert.equal(new nn.Dropout3d(0.5).eval().forward(x), x);
  m.train();
  assert.notEqual(m.forward(x), x);
});

Deno.test("Dropout with p = 1 zeroes everything, and its gradient is zero", () => {
  const x = randn([3, 5], { requiresGrad: true });
  const y = F.dropout(x, 1);
  assert.ok(values(y).every((v) => v === 0));
  y.sum().backward();
  assert.ok(values(x.grad!).every((v) => v === 0));
});

Deno.test("Dropout2d zeroes whole (sample, channel) planes; Dropout3d whole volumes", () => {
  manualSeed(2);
  const x = ones([8, 16, 3, 4]);
  const y = new nn.Dropout2d(0.5).forward(x);
  const planes = y.reshape([8 * 16, 12]);
  let dropped = 0;
  for (let i = 0; i < 8 * 16; i++) {
    const row = values(planes.select(0, i));
    assert.ok(row.every((v) => v === row[0]) && (row[0] === 0 || row[0] === 2), `plane ${i} is uniform`);
    if (row[0] === 0) dropped++;
  }
  assert.ok(dropped > 30 && dropped < 98, `dropped ${dropped} of 128 planes`);
  const y3 = new nn.Dropout3d(0.5).forward(ones([4, 8, 2, 3, 3]));
  const vols = y3.reshape([32, 18]);
  for (let i = 0; i < 32; i++) {
    const row = values(vols.select(0, i));
    assert.ok(row.every((v) => v === row[0]), `volume ${i} is uniform`);
  }
  // A 3-d input to dropout2d is (N, C, L): channel-wise per sample (PyTorch 1.13's behaviour).
  const y1 = values(F.dropout2d(ones([5, 6, 7]), 0.5).reshape([30, 7]));
  for (let i = 0; i < 30; i++) assert.ok(y1.slice(i * 7, i * 7 + 7).every((v) => v === y1[i * 7]));
  // An unbatched 4-d input to dropout3d is (C, D, H, W): whole channels of dim 0.
  const u = values(F.dropout3d(ones([6, 2, 2, 2]), 0.5).reshape([6, 8]));
  for (let i = 0; i < 6; i++) assert.ok(u.slice(i * 8, i * 8 + 8).every((v) => v === u[i * 8]));
});

Deno.test("Dropout2d gradient is the channel mask broadcast over the plane", () => {
  manualSeed(4);
  const x = randn([2, 3, 2, 2], { requiresGrad: true });
  const y = F.dropout2d(x, 0.5);
  y.backward(ones([2, 3, 2, 2]));
  const yv = values(y), gx = values(x.grad!);
  for (let i = 0; i < yv.length; i++) assert.equal(gx[i], yv[i] === 0 ? 0 : 2);
  gradcheck((x) => {
    manualSeed(9);
    return F.dropout2d(x, 0.5);
  }, [randomDouble([2, 4, 3], 2)]);
});

Deno.test("inplace dropout writes into the input and keeps autograd working on non-leaf tensors", () => {
  manualSeed(3);
  const x = ones([50]);
  const y = new nn.Dropout(0.5, { inplace: true }).forward(x);
  assert.equal(y, x);
  assert.ok(values(x).every((v) => v === 0 || v === 2));
  assert.ok(values(x).some((v) => v === 0));
  const leaf = randn([20], { requiresGrad: true });
  const h = leaf.mul(1);
  const out = F.dropout(h, { p: 0.5, inplace: true });
  assert.equal(out, h);
  out.sum().backward();
  assertClose(values(leaf.grad!), values(h).map((v) => (v === 0 ? 0 : 2)), 0, 0, "grad through in-place dropout");
  // An in-place op on a leaf that requires grad is an error, as in PyTorch.
  throwsWith(
    () => F.dropout(randn([3], { requiresGrad: true }), 0.5, { inplace: true }),
    Error,
    /a leaf tensor that requires grad is being used in an in-place operation/,
  );
  const d2 = new nn.Dropout2d({ p: 0.5, inplace: true });
  const img = ones([2, 3, 2, 2]);
  assert.equal(d2.forward(img), img);
});

Deno.test("The same seed gives the same mask; float64 and float16 inputs keep their dtype", () => {
  manualSeed(11);
  const a = values(F.dropout(ones([100]), 0.5));
  manualSeed(11);
  const b = values(F.dropout(ones([100]), 0.5));
  assert.deepEqual(a, b);
  assert.notDeepEqual(values(F.dropout(ones([100]), 0.5)), a, "the next call draws a new mask");
  const d = F.dropout(ones([10], { dtype: "float64" }), 0.5);
  assert.equal(d.dtype, "float64");
  const h = F.dropout(ones([10]).half(), 0.5);
  assert.equal(h.dtype, "float16");
  assert.ok(Array.from(h.toArray() as ArrayLike<number>).every((v) => v === 0 || v === 2));
});

Deno.test("Dropout constructors and F.dropout accept PyTorch's spellings and reject bad p", () => {
  assert.equal(new nn.Dropout().p, 0.5);
  assert.equal(new nn.Dropout(0.2).p, 0.2);
  assert.equal(new nn.Dropout({ p: 0.3 }).p, 0.3);
  assert.equal(new nn.Dropout(0.3, true).inplace, true);
  assert.equal(new nn.Dropout({ inplace: true }).p, 0.5);
  assert.equal(new nn.Dropout(0.2).toString(), "Dropout(p=0.2, inplace=False)");
  assert.equal(new nn.Dropout3d(0.1, { inplace: true }).toString(), "Dropout3d(p=0.1, inplace=True)");
  assert.deepEqual([...new nn.Dropout().parameters()], []);
  throwsWith(
    () => new nn.Dropout(1.5),
    RangeError,
    /^Dropout: dropout probability has to be between 0 and 1, but got 1\.5$/,
  );
  throwsWith(
    () => new nn.Dropout2d(-0.1),
    RangeError,
    /^Dropout2d: dropout probability has to be between 0 and 1, but got -0\.1$/,
  );
  throwsWith(
    () => F.dropout(ones([2]), 2),
    RangeError,
    /^dropout: dropout probability has to be between 0 and 1, but got 2$/,
  );
  throwsWith(
    () => F.dropout3d(ones([2]), NaN),
    RangeError,
    /^dropout3d: dropout probability has to be between 0 and 1, but got NaN$/,
  );
  throwsWith(
    () => new nn.Dropout(0.5, { inplace: "yes" as unknown as boolean }),
    TypeError,
    /^Dropout: expected inplace to be a boolean/,
  );
  throwsWith(
    () => new nn.Dropout2d(0.5).forward(ones([4])),
    RangeError,
    /^Dropout2d\.forward: feature dropout requires at least 2 dimensions in the input, got shape \[4\]$/,
  );
  throwsWith(
    () => new nn.Dropout().forward("x" as unknown as Tensor),
    TypeError,
    /^Dropout\.forward: expected input to be a Tensor, got "x"$/,
  );
  throwsWith(
    () => F.dropout(tensor(new BigInt64Array([1n])), 0.5),
    TypeError,
    /^dropout: expected a floating point input, got dtype int64$/,
  );
  // Empty inputs pass through.
  const e = ones([0, 3]);
  assert.equal(F.dropout(e, 0.5), e);
  assert.equal(noGrad(() => F.dropout(ones([2]), 0.5)).requiresGrad, false);
});
