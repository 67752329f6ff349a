import assert from "node:assert/strict";
import { manualSeed, nn, noGrad, ones, randn, type Tensor, tensor } from "../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../util/gradcheck.ts";
import { fixture, fromList, throwsWith } from "../util/fixture_json.ts";

const F = nn.functional;

/** Builds a non-contiguous tensor holding `values` (logical order) by transposing dims 0 and 1. */
function nonContiguous(values: readonly number[], shape: number[]): Tensor {
  const t = fromList(values, shape);
  const swapped = [shape[1], shape[0], ...shape.slice(2)];
  const c = t.transpose(0, 1).contiguous();
  assert.deepEqual(c.shape, swapped);
  const x = c.transpose(0, 1);
  assert.equal(x.isContiguous(), false);
  return x.detach().requiresGrad_(true);
}

for (
  const name of ["basic_2d", "nobias_2d", "batched_3d", "batched_4d_nobias", "vector_1d", "double_2d", "noncontig_3d"]
) {
  Deno.test(`F.linear matches PyTorch (output and gradients): ${name}`, () => {
    const c = fixture("linear", name);
    const dt = c.dtype as "float32" | "float64";
    const tol = dt === "float64" ? [1e-12, 1e-10] : [1e-5, 1e-4];
    const x = name.startsWith("noncontig") ? nonContiguous(c.x, c.inShape) : fromList(c.x, c.inShape, dt, true);
    const w = fromList(c.w, c.wShape, dt, true);
    const b = c.b ? fromList(c.b, [c.wShape[0]], dt, true) : null;
    const y = F.linear(x, w, b);
    assert.deepEqual(y.shape, c.yShape);
    assert.equal(y.dtype, dt);
    assertClose(y.toArray(), c.y, tol[0], tol[1], "output");
    y.backward(fromList(c.gout, c.yShape, dt));
    assertClose(x.grad!.toArray(), c.gx, tol[0], tol[1], "grad input");
    assertClose(w.grad!.toArray(), c.gw, tol[0], tol[1], "grad weight");
    if (b) assertClose(b.grad!.toArray(), c.gb, tol[0], tol[1], "grad bias");
  });
}

Deno.test("nn.Linear loads PyTorch weights and reproduces its output and gradients", () => {
  const c = fixture("linear", "batched_3d");
  const m = new nn.Linear(4, 6);
  m.loadStateDict({ weight: fromList(c.w, c.wShape), bias: fromList(c.b, [6]) });
  const x = fromList(c.x, c.inShape, "float32", true);
  const y = m.forward(x);
  assertClose(y.toArray(), c.y, 1e-5, 1e-4, "output");
  y.backward(fromList(c.gout, c.yShape));
  assertClose(x.grad!.toArray(), c.gx, 1e-5, 1e-4, "grad input");
  assertClose(m.weight.grad!.toArray(), c.gw, 1e-5, 1e-4, "grad weight");
  assertClose(m.bias!.grad!.toArray(), c.gb, 1e-5, 1e-4, "grad bias");
});

Deno.test("Linear on a 2-d input is one GEMM with the bias folded in (addmm); without bias one mm", () => {
  const m = new nn.Linear(3, 2);
  assert.equal(m.forward(randn([4, 3], { requiresGrad: true })).gradFn!.name, "AddmmBackward");
  const nb = new nn.Linear(3, 2, { bias: false });
  assert.equal(nb.forward(randn([4, 3], { requiresGrad: true })).gradFn!.name, "MmBackward");
  // A contiguous N-d input is folded to 2-d: still one addmm under the final reshape.
  const y3 = m.forward(randn([2, 4, 3]));
  assert.equal(y3.gradFn!.name, "ViewBackward");
  assert.equal(y3.gradFn!.inputs[0].gradFn!.name, "AddmmBackward");
});

Deno.test("Linear gradients pass float64 gradcheck (2-d, 3-d, 1-d, no bias)", () => {
  const w = randomDouble([3, 4], 2), b = randomDouble([3], 3);
  gradcheck((x, w, b) => F.linear(x, w, b), [randomDouble([5, 4], 1), w, b]);
  gradcheck((x, w, b) => F.linear(x, w, b), [randomDouble([2, 3, 4], 4), w, b]);
  gradcheck((x, w, b) => F.linear(x, w, b), [randomDouble([4], 5), w, b]);
  gradcheck((x, w) => F.linear(x, w), [randomDouble([2, 4], 6), w]);
  // A non-contiguous N-d input goes through matmul.
  gradcheck((x, w, b) => F.linear(x.transpose(0, 1), w, b), [randomDouble([3, 2, 4], 7), w, b]);
});

Deno.test("Linear.half() stores float16 and computes in float32 (PyTorch's half GEMM result)", () => {
  const c = fixture("linear", "half");
  const m = new nn.Linear(3, 2).half();
  assert.equal(m.weight.dtype, "float16");
  assert.equal(m.bias!.dtype, "float16");
  m.loadStateDict({ weight: fromList(c.w, [2, 3]), bias: fromList(c.b, [2]) });
  const y = m.forward(fromList(c.x, [4, 3]).half());
  assert.equal(y.dtype, "float16");
  assertClose(Array.from(y.toArray() as ArrayLike<number>), c.y, 1e-3, 1e-3, "half output");
  // Backward in half: float16 gradients, equal to float32's to half precision.
  const x = fromList(c.x, [4, 3]).half().requiresGrad_();
  m.forward(x).sum().backward();
  assert.equal(m.weight.grad!.dtype, "float16");
  assert.equal(m.bias!.grad!.dtype, "float16");
  assert.deepEqual(Array.from(m.bias!.grad!.toArray() as ArrayLike<number>), [4, 4]);
  const xs = Array.from({ length: 3 }, (_, j) => c.x.filter((_: number, i: number) => i % 3 === j));
  const colSums = xs.map((col: number[]) => col.reduce((a: number, b: number) => a + b, 0));
  assertClose(
    Array.from(m.weight.grad!.toArray() as ArrayLike<number>),
    [...colSums, ...colSums],
    1e-2,
    1e-3,
    "half weight grad",
  );
  assert.equal(x.grad!.dtype, "float16");
  // Back to float32: values survive, dtype changes, identity of the parameter is kept.
  const w = m.weight;
  m.float();
  assert.equal(m.weight, w);
  assert.equal(w.dtype, "float32");
  assertClose(w.toArray(), c.w, 0, 0, "weight after float()");
});

Deno.test("Linear initialises from U(-1/sqrt(in), 1/sqrt(in)) like PyTorch, and reset redraws", () => {
  manualSeed(3);
  const m = new nn.Linear(100, 50);
  const bound = 1 / Math.sqrt(100);
  const w = m.weight.toArray() as Float32Array, b = m.bias!.toArray() as Float32Array;
  assert.ok(w.every((v) => v >= -bound && v < bound));
  assert.ok(b.every((v) => v >= -bound && v < bound));
  const mean = w.reduce((s, v) => s + v, 0) / w.length;
  const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
  assert.ok(Math.abs(mean) < 0.005, `mean ${mean}`);
  assert.ok(Math.abs(variance - bound * bound / 3) < 0.0003, `variance ${variance}`);
  m.resetParameters();
  const w2 = m.weight.toArray() as Float32Array;
  assert.ok(w2.every((v) => v >= -bound && v < bound));
  assert.notDeepEqual(Array.from(w2), Array.from(w));
  assert.equal(m.weight.requiresGrad, true);
});

Deno.test("Linear options: bias false (option or positional), dtype float64, repr", () => {
  const a = new nn.Linear(4, 2, { bias: false });
  assert.equal(a.bias, null);
  assert.deepEqual(Object.keys(a.stateDict()), ["weight"]);
  assert.deepEqual([...a.namedParameters()].map(([k]) => k), ["weight"]);
  const b = new nn.Linear(4, 2, false);
  assert.equal(b.bias, null);
  const d = new nn.Linear(4, 2, { dtype: "float64" });
  assert.equal(d.weight.dtype, "float64");
  assert.equal(d.forward(randn([3, 4]).double()).dtype, "float64");
  assert.equal(new nn.Linear(20, 30).toString(), "Linear(in_features=20, out_features=30, bias=True)");
  assert.equal(a.toString(), "Linear(in_features=4, out_features=2, bias=False)");
  // A zero-size layer works (PyTorch allows in_features = 0: the output is the bias).
  const z = new nn.Linear(0, 3);
  const y = z.forward(ones([2, 0]));
  assert.deepEqual(y.shape, [2, 3]);
  const bias = Array.from(z.bias!.toArray() as Float32Array);
  assertClose(y.toArray() as Float32Array, [...bias, ...bias], 0, 0, "zero-size output");
});

Deno.test("Linear and F.linear reject bad input before any native call", () => {
  const m = new nn.Linear(20, 30);
  throwsWith(
    () => m.forward(randn([128, 30])),
    RangeError,
    /^Linear\.forward: expected input with last dimension 20 \(in_features\), got shape \[128, 30\]$/,
  );
  throwsWith(() => m.forward(tensor(1)), RangeError, /expected input with last dimension 20.*got shape \[\]/);
  throwsWith(
    () => m.forward([1, 2] as unknown as Tensor),
    TypeError,
    /^Linear\.forward: expected input to be a Tensor, got/,
  );
  throwsWith(
    () => new nn.Linear(2.5, 3),
    TypeError,
    /^Linear: expected inFeatures to be a non-negative integer, got number 2\.5$/,
  );
  throwsWith(
    () => new nn.Linear(2, -1),
    TypeError,
    /^Linear: expected outFeatures to be a non-negative integer, got number -1$/,
  );
  throwsWith(() => new nn.Linear(2, 3, { bias: 1 as unknown as boolean }), TypeError, /expected bias to be a boolean/);
  throwsWith(() => new nn.Linear(2, 3, { dtype: "int64" as "float32" }), TypeError, /expected dtype to be/);
  throwsWith(
    () => F.linear(randn([2, 3]), randn([4, 3, 1])),
    RangeError,
    /^linear: expected weight to be 2-d \(out_features, in_features\), got shape \[4, 3, 1\]$/,
  );
  throwsWith(
    () => F.linear(randn([2, 3]), randn([4, 3]), randn([3])),
    RangeError,
    /^linear: expected bias of shape \[4\] \(out_features\), got shape \[3\]$/,
  );
  throwsWith(
    () => F.linear(randn([2, 5]), randn([4, 3])),
    RangeError,
    /^linear: expected input with last dimension 3 \(in_features\), got shape \[2, 5\]$/,
  );
});

Deno.test("Identity returns its input and ignores constructor arguments", () => {
  const x = randn([2, 3]);
  const id = new nn.Identity(54, { unused: 0.1 });
  assert.equal(id.forward(x), x);
  assert.deepEqual([...id.parameters()], []);
  assert.equal(id.toString(), "Identity()");
});

Deno.test("Linear under noGrad records no graph", () => {
  const m = new nn.Linear(3, 2);
  const y = noGrad(() => m.forward(randn([2, 3])));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
});
