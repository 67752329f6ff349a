/**
 * The storage pool (src/backend/storage.ts): released memory is reused by the next allocation
 * of its size, never while user code can see it; reused memory is zeroed wherever an op relies
 * on zeros; the pool is bounded and is not part of memory().bytesInUse.
 */
import assert from "node:assert/strict";
import { full, memory, noGrad, ones, tensor, tidy, zeros } from "../../mod.ts";
import { clearPool, DEFAULT_POOL_LIMIT, poolBytes } from "../../src/backend/storage.ts";

/** Leaves a released buffer full of `value` in the pool for the next allocation of `shape`. */
function dirty(shape: number[], value = NaN, dtype: "float32" | "float64" = "float32"): void {
  full(shape, value, { dtype }).dispose();
}

Deno.test("a disposed tensor's memory is reused by the next allocation of its size; pooled bytes are not in use", () => {
  clearPool();
  const before = memory();
  const t = zeros([1000]);
  const bytes = t._storage.bytes;
  t.dispose();
  assert.equal(poolBytes(), 4000);
  assert.deepEqual(memory(), before, "pooled memory is not counted as in use");
  const u = ones([1000]);
  assert.equal(u._storage.bytes, bytes, "the same buffer came back");
  assert.equal(poolBytes(), 0);
  assert.deepEqual(Array.from(u.toArray() as Float32Array).slice(0, 3), [1, 1, 1]);
  u.dispose();
  // tidy's temporaries go back too: a second identical step allocates nothing new.
  const x = ones([64]);
  tidy(() => x.mul(2).add(1).exp().sum().item());
  const pooled = poolBytes();
  assert.ok(pooled >= 3 * 256, `pooled ${pooled}`);
  tidy(() => x.mul(2).add(1).exp().sum().item());
  assert.equal(poolBytes(), pooled);
  x.dispose();
});

Deno.test("a pooled storage comes back as new: no users, version 0, counted in use again, unreadable while pooled", () => {
  clearPool();
  const before = memory();
  const t = zeros([8]);
  const s = t._storage;
  t.add_(1); // bumps the version
  assert.ok(s.version > 0);
  const view = t.narrow(0, 2, 3); // a second user of the same storage
  assert.equal(s.users(), 2);
  t.dispose();
  assert.equal(poolBytes(), 0, "a view still uses it");
  view.dispose();
  assert.equal(poolBytes(), 32);
  assert.equal(s.bytes, null, "a pooled storage has no readable bytes");
  assert.deepEqual(memory(), before);
  const u = ones([8]);
  assert.equal(u._storage, s, "the storage object itself is reused");
  assert.equal(s.version, 0);
  assert.equal(s.users(), 1);
  assert.equal(memory().bytesInUse, before.bytesInUse + 32);
  assert.deepEqual(u.tolist(), [1, 1, 1, 1, 1, 1, 1, 1]);
  // A storage whose tensor registered a finalizer (made outside tidy) and was disposed is
  // reused with its own accounting again; its users are counted right.
  const w = u.narrow(0, 0, 4);
  assert.equal(s.users(), 2);
  w.dispose();
  u.dispose();
  assert.deepEqual(memory(), before);
});

Deno.test("memory handed out by typedArray() is never reused; the view stays the tensor's own", () => {
  clearPool();
  const t = zeros([100]);
  const view = t.typedArray() as Float32Array;
  t.dispose();
  assert.equal(poolBytes(), 0, "exposed memory does not enter the pool");
  const u = zeros([100]);
  view[0] = 5;
  assert.equal(u.toArray()[0], 0, "a later tensor does not share the exposed memory");
  u.dispose();
  // A view handed out from a view exposes the whole storage.
  const base = zeros([4, 25]);
  const row = base.narrow(0, 1, 1);
  const rowView = row.typedArray();
  base.dispose();
  row.dispose();
  assert.equal(poolBytes(), 0);
  assert.equal(rowView.length, 25);
});

Deno.test("ops on reused (dirty) memory: outputs are fully written, and zeros are zeros where kernels accumulate", () => {
  clearPool();
  noGrad(() => {
    dirty([3, 4]);
    assert.deepEqual(zeros([3, 4]).sum().item(), 0);
    const a = tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]);
    dirty([3, 4]);
    assert.deepEqual(a.add(1).tolist(), [[2, 3, 4, 5], [6, 7, 8, 9], [10, 11, 12, 13]]);
    dirty([4]);
    assert.deepEqual(a.sum(0).tolist(), [15, 18, 21, 24]);
    dirty([3, 3]);
    assert.deepEqual(a.matmul(a.t()).tolist(), [[30, 70, 110], [70, 174, 278], [110, 278, 446]]);
  });
  // Backward kernels that scatter or pad into a zero tensor (max along a dim, index_select,
  // gather, narrow) get a pooled buffer full of NaN when one of the right size is free.
  const x = tensor([[1, 5, 2], [7, 3, 4]], { requiresGrad: true });
  const grads = (f: () => unknown): number[][] => {
    x.grad = null;
    tidy(() => {
      const y = f() as typeof x;
      dirty([2, 3]);
      dirty([2, 3]);
      y.sum().backward();
    });
    return x.grad!.tolist() as number[][];
  };
  assert.deepEqual(grads(() => x.max(1)[0]), [[0, 1, 0], [1, 0, 0]]);
  assert.deepEqual(grads(() => x.indexSelect(1, tensor(new BigInt64Array([2n, 2n])))), [[0, 0, 2], [0, 0, 2]]);
  assert.deepEqual(grads(() => x.gather(1, tensor(new BigInt64Array([0n, 0n]), { shape: [2, 1] }))), [[1, 0, 0], [
    1,
    0,
    0,
  ]]);
  assert.deepEqual(grads(() => x.narrow(1, 1, 1)), [[0, 1, 0], [0, 1, 0]]);
  x.dispose();
});

Deno.test("the pool is bounded: a byte budget, oldest sizes evicted first, 0 disables it", () => {
  try {
    clearPool(10_000);
    zeros([1000]).dispose(); // 4000 bytes
    zeros([1001]).dispose(); // 4004 bytes
    assert.equal(poolBytes(), 8004);
    zeros([1002]).dispose(); // 4008 more would exceed 10,000: the oldest size (4000) goes
    assert.equal(poolBytes(), 8012);
    const a = zeros([1000]), b = zeros([1001]);
    assert.equal(poolBytes(), 4008, "only the 4004-byte buffer was still pooled");
    a.dispose();
    b.dispose();
    zeros([5000]).dispose(); // larger than the whole budget: never pooled
    assert.ok(poolBytes() <= 10_000);
    clearPool(0);
    zeros([10]).dispose();
    assert.equal(poolBytes(), 0);
  } finally {
    clearPool(DEFAULT_POOL_LIMIT);
  }
});
