/**
 * Zero-element and scalar (0-d) tensors: reductions of nothing, empty joins and products, 0-d
 * arithmetic, broadcasting and autograd.
 */
import assert from "node:assert/strict";
import { arange, bmm, cat, matmul, memory, mm, ones, stack, tensor, tidy, zeros } from "../../mod.ts";

const list = (t: { tolist(): unknown }) => t.tolist();

Deno.test("reductions of empty tensors: sum 0, mean NaN, prod 1, max throws", () => {
  tidy(() => {
    const e = zeros([0]);
    assert.equal(e.sum().item(), 0);
    assert.deepEqual(e.sum().shape, []);
    assert.ok(Number.isNaN(e.mean().item()));
    assert.equal(e.prod().item(), 1);
    assert.equal(e.norm().item(), 0);
    assert.ok(Number.isNaN(e.var().item()));
    assert.equal(zeros([0], { dtype: "int32" }).sum().dtype, "int64");
    assert.equal(zeros([0], { dtype: "bool" }).any().item(), 0);
    assert.equal(zeros([0], { dtype: "bool" }).all().item(), 1);
    assert.throws(() => e.max(), /^RangeError: max: expected a non-empty tensor, got shape \[0\]/);
    assert.throws(() => e.min(), /^RangeError: min: expected a non-empty tensor/);
    assert.throws(() => e.argmax(), /^RangeError: argmax: expected a non-empty tensor/);
    // Reducing over a zero-size dim of a non-empty shape.
    const z = zeros([2, 0, 3]);
    assert.deepEqual(list(z.sum(1)), [[0, 0, 0], [0, 0, 0]]);
    assert.ok((z.mean(1).toArray() as Float32Array).every(Number.isNaN));
    assert.deepEqual(z.sum(0).shape, [0, 3]);
    assert.deepEqual(z.max(2)[0].shape, [2, 0]);
    assert.throws(() => z.max(1), /^RangeError: max: cannot reduce over a zero-size dimension 1 of shape \[2, 0, 3\]/);
    assert.throws(() => z.argmin(1), /^RangeError: argmin: cannot reduce over a zero-size dimension 1/);
  });
});

Deno.test("elementwise ops, broadcasting and views of empty tensors", () => {
  tidy(() => {
    const e = zeros([0, 3]);
    assert.deepEqual(e.exp().shape, [0, 3]);
    assert.deepEqual(e.add(ones([3])).shape, [0, 3]);
    assert.deepEqual(e.mul(2).lt(1).shape, [0, 3]);
    assert.deepEqual(e.t().shape, [3, 0]);
    assert.deepEqual(e.view(-1, 3, 1).shape, [0, 3, 1]);
    assert.deepEqual(e.reshape(0).shape, [0]);
    assert.deepEqual(e.t().contiguous().shape, [3, 0]);
    assert.equal(e.typedArray().length, 0);
    assert.equal(e.toArray().length, 0);
    assert.deepEqual(list(e), []);
    assert.deepEqual(tensor([]).shape, [0]);
    assert.equal(tensor([]).dtype, "float32");
    assert.deepEqual(tensor([[]]).shape, [1, 0]);
    assert.deepEqual(arange(0).shape, [0]);
    assert.deepEqual(e.split(2, 0).map((t) => t.shape), [[0, 3]]);
    assert.deepEqual(e.unbind(0), []);
    assert.deepEqual(e.fill_(3).shape, [0, 3]);
    const idx = tensor(new BigInt64Array(0));
    assert.deepEqual(ones([2, 3]).indexSelect(1, idx).shape, [2, 0]);
    assert.deepEqual(ones([2, 3]).gather(1, tensor(new BigInt64Array(0), { shape: [2, 0] })).shape, [2, 0]);
    assert.deepEqual(list(ones([2]).scatter(0, idx, zeros([0]))), [1, 1]);
  });
  const before = memory().bytesInUse;
  const e = zeros([0, 100]);
  assert.equal(memory().bytesInUse, before);
  e.dispose();
});

Deno.test("cat and stack with empty parts", () => {
  tidy(() => {
    const a = ones([2, 3]);
    assert.deepEqual(list(cat([zeros([0, 3]), a])), list(a));
    assert.deepEqual(cat([a, zeros([2, 0])], 1).shape, [2, 3]);
    assert.deepEqual(cat([tensor([]), a]).shape, [2, 3], "legacy: 1-d empty tensors are skipped");
    assert.deepEqual(cat([zeros([0, 3]), zeros([0, 3])]).shape, [0, 3]);
    assert.deepEqual(stack([zeros([0]), zeros([0])]).shape, [2, 0]);
  });
});

Deno.test("matrix products with empty dimensions", () => {
  tidy(() => {
    assert.deepEqual(list(mm(zeros([2, 0]), zeros([0, 3]))), [[0, 0, 0], [0, 0, 0]], "k = 0 gives zeros");
    assert.deepEqual(matmul(zeros([0, 4]), ones([4, 2])).shape, [0, 2]);
    assert.deepEqual(matmul(ones([3, 4]), zeros([4, 0])).shape, [3, 0]);
    assert.deepEqual(bmm(zeros([0, 2, 3]), zeros([0, 3, 4])).shape, [0, 2, 4]);
    assert.deepEqual(list(bmm(zeros([2, 1, 0]), zeros([2, 0, 1]))), [[[0]], [[0]]]);
    assert.equal(zeros([0]).dot(zeros([0])).item(), 0);
    // The gradient of a k = 0 product is empty and exists.
    const a = zeros([2, 0], { requiresGrad: true }), b = zeros([0, 3], { requiresGrad: true });
    mm(a, b).sum().backward();
    assert.deepEqual(a.grad!.shape, [2, 0]);
    assert.deepEqual(b.grad!.shape, [0, 3]);
  });
});

Deno.test("0-d tensors: arithmetic, broadcasting, item, views and reductions", () => {
  tidy(() => {
    const s = tensor(2.5);
    assert.deepEqual(s.shape, []);
    assert.equal(s.ndim, 0);
    assert.equal(s.numel(), 1);
    assert.equal(s.item(), 2.5);
    assert.equal(s.tolist(), 2.5);
    assert.equal(s.toArray().length, 1);
    assert.equal(s.add(tensor(1)).item(), 3.5);
    assert.deepEqual(s.add(tensor(1)).shape, []);
    assert.deepEqual(list(s.mul(ones([3]))), [2.5, 2.5, 2.5]);
    assert.deepEqual(list(ones([2, 1]).sub(s)), [[-1.5], [-1.5]]);
    assert.equal(s.pow(2).item(), 6.25);
    assert.equal(s.neg().exp().log().item(), -2.5);
    assert.deepEqual(s.sum().shape, []);
    assert.equal(s.sum().item(), 2.5);
    assert.equal(s.mean().item(), 2.5);
    assert.equal(s.max().item(), 2.5);
    assert.equal(s.sum(0).item(), 2.5, "dim 0 of a 0-d tensor is allowed");
    assert.equal(s.argmax().item(), 0);
    assert.deepEqual(s.reshape(1).shape, [1]);
    assert.deepEqual(s.view(1, 1).shape, [1, 1]);
    assert.deepEqual(s.unsqueeze(0).shape, [1]);
    assert.deepEqual(s.expand(2, 3).shape, [2, 3]);
    assert.deepEqual(s.flatten().shape, [1]);
    assert.deepEqual(ones([1, 1]).squeeze().shape, []);
    assert.deepEqual(ones([3]).sum().shape, []);
    assert.deepEqual(zeros([]).shape, []);
    assert.equal(zeros([], { dtype: "int64" }).item(), 0);
    assert.equal(tensor(true).dtype, "bool");
    assert.equal(tensor(true).item(), 1);
    assert.equal(tensor(7, { dtype: "int32" }).add(1).item(), 8);
    assert.equal(s.lt(3).item(), 1);
    assert.deepEqual(ones([2, 3]).select(0, 1).select(0, 2).shape, []);
    assert.equal(stack([tensor(1), tensor(2)]).shape[0], 2);
  });
});

Deno.test("autograd through 0-d tensors", () => {
  const w = tensor(3, { dtype: "float64", requiresGrad: true });
  const x = tensor([1, 2], { dtype: "float64" });
  const loss = x.mul(w).sum().mul(w); // w^2 * sum(x)
  loss.backward();
  assert.deepEqual(w.grad!.shape, []);
  assert.equal(w.grad!.item(), 2 * 3 * 3);
  const y = w.mul(2);
  y.backward();
  assert.equal(w.grad!.item(), 18 + 2);
});
