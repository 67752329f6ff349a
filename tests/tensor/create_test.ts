/**
 * Factories: tensor() from TypedArrays and nested arrays with {shape, dtype, requiresGrad},
 * zeros/ones/full/empty/rand/randn/randint/arange/linspace/eye, the *Like helpers, manualSeed.
 */
import assert from "node:assert/strict";
import {
  arange,
  empty,
  eye,
  full,
  linspace,
  manualSeed,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  tensor,
  Variable,
  zeros,
  zerosLike,
} from "../../mod.ts";

Deno.test("tensor() from each TypedArray: dtype follows the array, data is copied", () => {
  const cases: [ArrayBufferView, string][] = [
    [new Float32Array([1.5, -2, 3]), "float32"],
    [new Float64Array([1.5, -2, 3]), "float64"],
    [new BigInt64Array([1n, -2n, 3n]), "int64"],
    [new Int32Array([1, -2, 3]), "int32"],
    [new Uint8Array([1, 254, 3]), "uint8"],
  ];
  for (const [arr, dtype] of cases) {
    const t = tensor(arr);
    assert.equal(t.dtype, dtype);
    assert.deepEqual([...t.shape], [3]);
    assert.deepEqual(Array.from(t.toArray() as ArrayLike<number | bigint>), Array.from(arr as unknown as number[]));
    (arr as unknown as (number | bigint)[])[0] = typeof (arr as BigInt64Array)[0] === "bigint" ? 99n : 99;
    assert.notEqual(Number(t.toArray()[0]), 99, `${dtype}: the tensor owns a copy`);
  }
  // bool from bytes, and a dtype conversion on the way in
  const b = tensor(new Uint8Array([0, 2, 1]), { dtype: "bool" });
  assert.equal(b.dtype, "bool");
  assert.deepEqual(b.tolist(), [false, true, true]);
  const f = tensor(new Float64Array([1.9, -1.9]), { dtype: "int32" });
  assert.deepEqual([...f.toArray()], [1, -1]);
  // shape and requiresGrad options; a subarray with a byte offset
  const sub = new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]).subarray(2, 8);
  const s = tensor(sub, { shape: [2, 3], requiresGrad: true });
  assert.deepEqual(s.tolist(), [[2, 3, 4], [5, 6, 7]]);
  assert.equal(s.requiresGrad, true);
  assert.equal(s.isLeaf, true);
  // int64 keeps values beyond 2^53 exactly
  const big = tensor(new BigInt64Array([2n ** 60n + 1n, -(2n ** 62n)]));
  assert.deepEqual([...(big.toArray() as BigInt64Array)], [2n ** 60n + 1n, -(2n ** 62n)]);
});

Deno.test("tensor() from nested arrays, numbers and booleans", () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.equal(t.dtype, "float32");
  assert.deepEqual([...t.shape], [2, 3]);
  assert.deepEqual(t.tolist(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual([...tensor([[[1], [2]]]).shape], [1, 2, 1]);
  assert.equal(tensor([true, false]).dtype, "bool");
  assert.deepEqual(tensor([true, false]).tolist(), [true, false]);
  assert.equal(tensor([1, 2], { dtype: "int64" }).dtype, "int64");
  assert.deepEqual(tensor([1.7, -1.7], { dtype: "int64" }).tolist(), [1, -1]);
  assert.deepEqual(tensor([1, 2, 3, 4], { shape: [2, 2] }).tolist(), [[1, 2], [3, 4]]);
  assert.deepEqual(tensor(3).shape, []);
  assert.equal(tensor(3, { dtype: "float64" }).item(), 3);
  assert.equal(tensor([0.1], { dtype: "float64" }).item(), 0.1, "float64 keeps the exact double");
  assert.equal(tensor([0.1]).item(), Math.fround(0.1));
  assert.equal(tensor([1], { requiresGrad: true, dtype: "float64" }).requiresGrad, true);
  assert.equal(tensor([1]).device, "cpu");
  assert.equal(tensor([1], { device: "cpu" }).device, "cpu");
});

Deno.test("constant factories take a shape and the options", () => {
  assert.deepEqual(zeros([2, 2]).tolist(), [[0, 0], [0, 0]]);
  assert.equal(zeros([2]).dtype, "float32");
  assert.deepEqual(ones([3], { dtype: "int32" }).tolist(), [1, 1, 1]);
  assert.equal(ones([3], { dtype: "int32" }).dtype, "int32");
  assert.deepEqual(ones([2], { dtype: "bool" }).tolist(), [true, true]);
  assert.deepEqual(full([2, 1], -3.5, { dtype: "float64" }).tolist(), [[-3.5], [-3.5]]);
  assert.deepEqual(full([2], 255, { dtype: "uint8" }).tolist(), [255, 255]);
  assert.deepEqual(full([1], 2 ** 40, { dtype: "int64" }).tolist(), [2 ** 40]);
  const e = empty([2, 3], { dtype: "int64" });
  assert.deepEqual([...e.shape], [2, 3]);
  assert.equal(e.dtype, "int64");
  assert.equal(zeros([2], { requiresGrad: true }).requiresGrad, true);
  const x = tensor([[1, 2]], { dtype: "float64" });
  assert.deepEqual(zerosLike(x).tolist(), [[0, 0]]);
  assert.equal(zerosLike(x).dtype, "float64");
  assert.equal(onesLike(x, { dtype: "int32" }).dtype, "int32");
  assert.deepEqual(eye(2, 3).tolist(), [[1, 0, 0], [0, 1, 0]]);
  assert.deepEqual(eye(2, 2, { dtype: "int64" }).tolist(), [[1, 0], [0, 1]]);
});

Deno.test("arange and linspace: PyTorch's lengths and dtypes", () => {
  assert.deepEqual(arange(4).tolist(), [0, 1, 2, 3]);
  assert.equal(arange(4).dtype, "int64");
  assert.deepEqual(arange(1, 10, 4).tolist(), [1, 5, 9]);
  assert.deepEqual(arange(3, -3, -2).tolist(), [3, 1, -1]);
  assert.equal(arange(0, 1, 0.25).dtype, "float32");
  assert.deepEqual(arange(0, 1, 0.25).tolist(), [0, 0.25, 0.5, 0.75]);
  assert.equal(arange(0, 1, 0.1).numel(), 10);
  assert.equal(arange(5, { dtype: "float64" }).dtype, "float64");
  assert.equal(arange(2, 5, { dtype: "int32" }).dtype, "int32");
  assert.deepEqual(arange(2, 5, { dtype: "int32" }).tolist(), [2, 3, 4]);
  assert.deepEqual(linspace(0, 1, 5).tolist(), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(linspace(2, 2, 1).tolist(), [2]);
  assert.equal(linspace(0, 1, 0).numel(), 0);
});

Deno.test("manualSeed makes rand/randn/randint/uniform_/normal_ repeatable", () => {
  const draw = () =>
    [
      rand([5]).toArray(),
      randn([2, 3], { dtype: "float64" }).toArray(),
      randint(-3, 7, [6]).toArray(),
      zeros([4]).uniform_(2, 3).toArray(),
      zeros([4]).normal_(10, 0.5).toArray(),
    ].map((a) => Array.from(a as ArrayLike<number | bigint>, Number));
  manualSeed(1234);
  const first = draw();
  manualSeed(1234);
  const second = draw();
  assert.deepEqual(first, second);
  manualSeed(1235);
  assert.notDeepEqual(draw()[0], first[0]);
  // Successive calls without reseeding differ.
  assert.notDeepEqual(rand([5]).toArray(), rand([5]).toArray());
  // Large seeds are accepted.
  manualSeed(2 ** 40 + 7);
  const a = rand([3]).toArray();
  manualSeed(2 ** 40 + 7);
  assert.deepEqual(rand([3]).toArray(), a);
});

Deno.test("random factories: ranges, moments, dtypes and shapes", () => {
  manualSeed(7);
  const u = rand([20000]);
  assert.equal(u.dtype, "float32");
  assert.ok(u.min().item() >= 0 && u.max().item() < 1);
  assert.ok(Math.abs(u.mean().item() - 0.5) < 0.01);
  const n = randn([20000], { dtype: "float64" });
  assert.equal(n.dtype, "float64");
  assert.ok(Math.abs(n.mean().item()) < 0.03, `mean ${n.mean().item()}`);
  assert.ok(Math.abs(n.std().item() - 1) < 0.03, `std ${n.std().item()}`);
  const r = randint(-3, 7, [1000]);
  assert.equal(r.dtype, "int64");
  assert.equal(r.min().item(), -3);
  assert.equal(r.max().item(), 6);
  const v = zeros([1000], { dtype: "float64" }).uniform_(-2, -1);
  assert.ok(v.min().item() >= -2 && v.max().item() < -1);
  assert.deepEqual([...randn([2, 0, 3]).shape], [2, 0, 3]);
  assert.equal(randn([3], { requiresGrad: true }).requiresGrad, true);
  // A non-contiguous target is filled through a temporary.
  const base = zeros([4, 3]);
  base.t().normal_();
  assert.ok(base.abs().sum().item() > 0);
});

Deno.test("Variable returns the tensor, or a detached alias when requiresGrad changes", () => {
  const t = ones([2]);
  assert.equal(Variable(t), t);
  const v = Variable(t, { requiresGrad: true });
  assert.equal(v.requiresGrad, true);
  assert.equal(t.requiresGrad, false);
  assert.equal(v._storage, t._storage);
  assert.throws(() => Variable(3 as never), /^TypeError: Variable: expected a Tensor, got number 3/);
});

Deno.test("tensor() takes bigints: int64, exact over the whole range; mixed with numbers, float32", () => {
  const a = tensor([[1n, -2n], [3n, 4n]]);
  assert.equal(a.dtype, "int64");
  assert.deepEqual(a.shape, [2, 2]);
  const big = tensor([9007199254740993n, -(2n ** 63n), 2n ** 63n - 1n]);
  assert.deepEqual(Array.from(big.toArray() as BigInt64Array), [9007199254740993n, -(2n ** 63n), 2n ** 63n - 1n]);
  const s = tensor(7n);
  assert.equal(s.dtype, "int64");
  assert.deepEqual(s.shape, []);
  assert.equal(
    tensor([1n, true]).dtype,
    "int64",
    "bools beside bigints count as integers (PyTorch: [True, 2] is int64)",
  );
  const mixed = tensor([1n, 2.5]);
  assert.equal(mixed.dtype, "float32", "a JavaScript number is a float here, as 2.5 is in Python");
  assert.deepEqual(mixed.tolist(), [1, 2.5]);
  assert.deepEqual(tensor([1n, 2n], { dtype: "float64" }).tolist(), [1, 2]);
  assert.deepEqual(Array.from(tensor([5n, 2.9], { dtype: "int64" }).toArray() as BigInt64Array), [5n, 2n]);
  assert.deepEqual(a.matmul(a).tolist(), [[-5, -10], [15, 10]]);
});
