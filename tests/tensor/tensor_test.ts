/**
 * The Tensor itself: dtypes, views (shape, strides, offset), the live zero-copy typedArray(),
 * in-place variants, conversions, and the thread-count setting.
 */
import assert from "node:assert/strict";
import { arange, getNumThreads, ones, randn, setNumThreads, tensor, tidy, zeros } from "../../mod.ts";

Deno.test("every dtype round-trips through its TypedArray and computes", () => {
  const expectCtor = {
    float32: Float32Array,
    float64: Float64Array,
    int64: BigInt64Array,
    int32: Int32Array,
    uint8: Uint8Array,
    bool: Uint8Array,
  } as const;
  for (const [dtype, ctor] of Object.entries(expectCtor)) {
    const t = ones([2, 3], { dtype: dtype as keyof typeof expectCtor });
    assert.equal(t.dtype, dtype);
    assert.ok(t.typedArray() instanceof ctor, `${dtype} typedArray`);
    assert.ok(t.toArray() instanceof ctor, `${dtype} toArray`);
    assert.equal(t.typedArray().length, 6);
    const s = t.sum();
    assert.equal(Number(s.item()), 6, `${dtype} sum`);
    assert.equal(t.isFloatingPoint(), dtype.startsWith("float"));
  }
  assert.deepEqual(tensor([1, 0, 2]).bool().tolist(), [true, false, true]);
  assert.equal(tensor([1.5]).double().dtype, "float64");
  assert.equal(tensor([1.5]).long().dtype, "int64");
  assert.equal(tensor([1.5]).int().dtype, "int32");
  assert.equal(tensor([1.5], { dtype: "float64" }).float().dtype, "float32");
  const x = tensor([1]);
  assert.equal(x.to("float32"), x, "no conversion returns the tensor itself");
  assert.equal(x.to(ones([1], { dtype: "int32" })).dtype, "int32");
  assert.equal(x.to({ dtype: "float64", device: "cpu" }).dtype, "float64");
  assert.equal(x.cpu(), x);
});

Deno.test("views carry shape, strides and offset, and share storage", () => {
  const t = arange(24).view(2, 3, 4);
  assert.deepEqual(t.strides, [12, 4, 1]);
  assert.deepEqual(t.stride(), [12, 4, 1]);
  assert.equal(t.stride(-1), 1);
  assert.equal(t.size(1), 3);
  assert.deepEqual(t.size(), [2, 3, 4]);
  assert.equal(t.dim(), 3);
  assert.equal(t.ndim, 3);
  assert.equal(t.numel(), 24);
  assert.equal(t.isContiguous(), true);
  const tr = t.transpose(0, 2);
  assert.deepEqual([...tr.shape], [4, 3, 2]);
  assert.deepEqual(tr.strides, [1, 4, 12]);
  assert.equal(tr.isContiguous(), false);
  assert.equal(tr._storage, t._storage);
  const p = t.permute(1, 2, 0);
  assert.deepEqual(p.strides, [4, 1, 12]);
  const n = t.narrow(2, 1, 2);
  assert.equal(n._offset, 1);
  assert.deepEqual(n.strides, [12, 4, 1]);
  const sel = t.select(1, 2);
  assert.equal(sel._offset, 8);
  assert.deepEqual([...sel.shape], [2, 4]);
  assert.deepEqual(sel.strides, [12, 1]);
  assert.deepEqual(sel.tolist(), [[8, 9, 10, 11], [20, 21, 22, 23]]);
  const e = tensor([[1], [2]]).expand(2, 3);
  assert.deepEqual(e.strides, [1, 0]);
  assert.deepEqual(e.tolist(), [[1, 1, 1], [2, 2, 2]]);
  const u = t.unsqueeze(1);
  assert.deepEqual([...u.shape], [2, 1, 3, 4]);
  assert.equal(u.isContiguous(), true);
  // A view of a view keeps the offsets adding up.
  const vv = t.select(0, 1).narrow(1, 1, 2).select(0, 2);
  assert.equal(vv._offset, 12 + 8 + 1);
  assert.deepEqual(vv.tolist(), [21, 22]);
  // Writes through one view are seen by the others.
  t.select(0, 0).select(0, 0).fill_(-1);
  assert.deepEqual(tr.select(0, 0).select(0, 0).tolist(), [-1, 12]);
  // reshape copies only when it must.
  assert.equal(t.reshape(6, 4)._storage, t._storage);
  assert.notEqual(tr.reshape(24)._storage, t._storage);
  assert.equal(ones([3]).t().shape[0], 3);
});

Deno.test("typedArray() is a live zero-copy view of the memory the kernels read and write", () => {
  const a = zeros([2, 3]);
  const view = a.typedArray() as Float32Array;
  // The kernels read what is written through the view.
  view[4] = 5;
  view[0] = -1;
  assert.equal(a.sum().item(), 4);
  assert.deepEqual(a.mul(2).tolist(), [[-2, 0, 0], [0, 10, 0]]);
  // In-place kernels write into the memory the earlier view shows.
  a.add_(1);
  assert.deepEqual([...view], [0, 1, 1, 1, 6, 1]);
  a.mul_(tensor([1, 2, 3]));
  assert.deepEqual([...view], [0, 2, 3, 1, 12, 3]);
  a.zero_();
  assert.deepEqual([...view], [0, 0, 0, 0, 0, 0]);
  a.copy_(tensor([[7, 8, 9], [1, 2, 3]], { dtype: "float64" }));
  assert.deepEqual([...view], [7, 8, 9, 1, 2, 3]);
  // Same buffer every time, and views of contiguous slices map to their elements.
  assert.equal((a.typedArray() as Float32Array).buffer, view.buffer);
  const row = a.select(0, 1).typedArray() as Float32Array;
  assert.equal(row.length, 3);
  assert.equal(row.buffer, view.buffer);
  row[2] = 100;
  assert.equal(view[5], 100);
  const mid = a.view(6).narrow(0, 2, 3).typedArray() as Float32Array;
  assert.deepEqual([...mid], [9, 1, 2]);
  // toArray is a copy.
  const copy = a.toArray() as Float32Array;
  copy[0] = 123;
  assert.equal(view[0], 7);
  // int64 memory shows as BigInt64Array.
  const i = tensor(new BigInt64Array([1n, 2n]));
  (i.typedArray() as BigInt64Array)[1] = 40n;
  assert.equal(i.sum().item(), 41);
  // The view stays valid after dispose (the memory belongs to it too), but the tensor does not.
  a.dispose();
  assert.equal(view[0], 7);
  assert.throws(() => a.typedArray(), /disposed/);
});

Deno.test("in-place variants compute the right values and return the tensor", () => {
  const x = tensor([1, -2, 3, -4]);
  const same = (r: unknown) => assert.equal(r, x);
  same(x.add_(1));
  assert.deepEqual(x.tolist(), [2, -1, 4, -3]);
  same(x.add_(tensor([1, 1, 1, 1]), 2));
  assert.deepEqual(x.tolist(), [4, 1, 6, -1]);
  same(x.sub_(1));
  same(x.sub_(tensor([1, 0, 1, 0]), 0.5));
  assert.deepEqual(x.tolist(), [2.5, 0, 4.5, -2]);
  same(x.mul_(2));
  same(x.div_(tensor([5, 1, 3, 4])));
  assert.deepEqual(x.tolist(), [1, 0, 3, -1]);
  same(x.pow_(2));
  assert.deepEqual(x.tolist(), [1, 0, 9, 1]);
  same(x.sqrt_());
  assert.deepEqual(x.tolist(), [1, 0, 3, 1]);
  same(x.neg_());
  same(x.clamp_(-2, 0));
  assert.deepEqual(x.tolist(), [-1, -0, -2, -1]); // neg_ of 0 is -0, as in PyTorch
  same(x.relu_());
  assert.deepEqual(x.tolist(), [0, -0, 0, 0]); // relu(-0) is -0 in PyTorch too
  same(x.exp_());
  assert.deepEqual(x.tolist(), [1, 1, 1, 1]);
  same(x.addcmul_(tensor([1, 2, 3, 4]), tensor([2, 2, 2, 2]), 0.5));
  assert.deepEqual(x.tolist(), [2, 3, 4, 5]);
  same(x.addcdiv_(tensor([2, 2, 2, 2]), tensor([1, 2, 4, 8]), 2));
  assert.deepEqual(x.tolist(), [6, 5, 5, 5.5]);
  same(x.maskedFill_(tensor([true, false, false, true]), 0));
  assert.deepEqual(x.tolist(), [0, 5, 5, 0]);
  same(x.fill_(7));
  assert.deepEqual(x.tolist(), [7, 7, 7, 7]);
  same(x.zero_());
  assert.deepEqual(x.tolist(), [0, 0, 0, 0]);
  x.view(2, 2).copy_(tensor([1, 2]));
  assert.deepEqual(x.tolist(), [1, 2, 1, 2], "copy_ broadcasts");
  same(x.copy_(tensor(new BigInt64Array([5n, 6n, 7n, 8n]))));
  assert.deepEqual(x.tolist(), [5, 6, 7, 8], "copy_ converts");
  const before = x._version();
  x.add_(1);
  assert.equal(x._version(), before + 1, "every in-place write bumps the version");
  // Integer in-place arithmetic stays integer.
  const i = tensor([5, 7], { dtype: "int32" });
  i.add_(2).mul_(3);
  assert.deepEqual(i.tolist(), [21, 27]);
  assert.equal(i.dtype, "int32");
});

Deno.test("setNumThreads/getNumThreads; results do not depend on the thread count", () => {
  const original = getNumThreads();
  assert.ok(original >= 1);
  try {
    const x = randn([300, 400], { dtype: "float32" });
    const w = randn([400, 50]);
    const run = () =>
      tidy(() => [
        x.sum().item(),
        x.mean(1).toArray(),
        x.exp().mul(x).sum(0).toArray(),
        x.matmul(w).toArray(),
        x.max(1)[1].toArray(),
      ]);
    setNumThreads(1);
    assert.equal(getNumThreads(), 1);
    const one = run();
    setNumThreads(2);
    assert.equal(getNumThreads(), 2);
    const two = run();
    assert.equal(one[0], two[0], "a full sum is bitwise identical");
    assert.deepEqual(one[1], two[1]);
    assert.deepEqual(one[2], two[2]);
    assert.deepEqual(one[4], two[4]);
    // BLAS may split differently across threads: equal to rounding.
    const a = one[3] as Float32Array, b = two[3] as Float32Array;
    for (let k = 0; k < a.length; k++) assert.ok(Math.abs(a[k] - b[k]) <= 1e-4 * (1 + Math.abs(a[k])));
  } finally {
    setNumThreads(original);
  }
  assert.equal(getNumThreads(), original);
});

Deno.test("toString, tolist and item formats", () => {
  assert.equal(String(tensor([1, 2])), "tensor([1,2], shape=[2], dtype=float32)");
  assert.equal(String(tensor([1], { requiresGrad: true })), "tensor([1], shape=[1], dtype=float32, requiresGrad)");
  assert.deepEqual(tensor(new BigInt64Array([3n])).tolist(), [3]);
  assert.equal(tensor(new BigInt64Array([3n])).item(), 3);
  assert.equal(typeof tensor([true]).item(), "number");
});

Deno.test("data: reading detaches, assigning swaps the memory (allowed on leaves that require grad)", () => {
  const p = tensor([1, 2], { requiresGrad: true });
  const d = p.data;
  assert.equal(d.requiresGrad, false);
  assert.equal(d._storage, p._storage);
  const src = ones([3], { dtype: "float64" });
  p.data = src;
  assert.deepEqual([...p.shape], [3]);
  assert.equal(p.dtype, "float64");
  assert.equal(p.requiresGrad, true);
  assert.equal(p.isLeaf, true);
  src.add_(1); // no copy: p sees it
  assert.deepEqual(p.tolist(), [2, 2, 2]);
  assert.throws(
    () => (p.data = ones([2], { dtype: "int64" })),
    /^TypeError: Tensor\.data: a tensor that requires grad needs floating point data, got int64/,
  );
  p.mul(p).sum().backward();
  assert.deepEqual(p.grad!.tolist(), [4, 4, 4]);
});
