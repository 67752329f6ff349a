/**
 * The autograd engine: topological order, accumulation, retainGraph, autograd.backward and
 * autograd.grad, noGrad/enableGrad, detach, requiresGrad_, tensor hooks, in-place rules and
 * the version counter.
 */
import assert from "node:assert/strict";
import { autograd, enableGrad, isGradEnabled, noGrad, ones, type Tensor, tensor, zeros } from "../../mod.ts";

const f64 = (data: number[] | number[][], requiresGrad = true) => tensor(data, { dtype: "float64", requiresGrad });
const list = (t: Tensor | null) => (t === null ? null : t.tolist());

Deno.test("backward runs each node once, after all of its gradient arrived (topological order)", () => {
  const x = f64([1, 2]);
  const a = x.mul(2);
  const b = a.mul(3);
  const c = a.add(b); // a reaches c directly and through b
  const y = c.mul(c.detach()).sum(); // dy/dc = c
  const order: string[] = [];
  const seen: Record<string, number[]> = {};
  for (const [name, t] of [["a", a], ["b", b], ["c", c]] as const) {
    t.registerHook((g) => {
      order.push(name);
      seen[name] = [...(g.toArray() as Float64Array)];
    });
  }
  y.backward();
  assert.deepEqual(order, ["c", "b", "a"]);
  // c = 8x -> dy/dc = c = [8, 16]; dy/db = c; dy/da = c + 3c = 4c.
  assert.deepEqual(seen.c, [8, 16]);
  assert.deepEqual(seen.b, [8, 16]);
  assert.deepEqual(seen.a, [32, 64]);
  assert.deepEqual(list(x.grad), [64, 128]);
});

Deno.test("gradients accumulate across backward calls until zeroed", () => {
  const w = f64([1, -2, 3]);
  for (let i = 0; i < 2; i++) w.mul(w).sum().backward();
  assert.deepEqual(list(w.grad), [4, -8, 12]);
  w.grad = null;
  w.mul(5).sum().backward();
  assert.deepEqual(list(w.grad), [5, 5, 5]);
  // An assigned grad is added to in place by the next backward.
  const g = zeros([3], { dtype: "float64" });
  w.grad = g;
  w.sum().backward();
  assert.equal(w.grad, g);
  assert.deepEqual(list(g), [1, 1, 1]);
  assert.throws(() => (w.grad = zeros([2], { dtype: "float64" })), /assigned grad has shape \[2\]/);
});

Deno.test("retainGraph allows a second backward; without it the second one throws clearly", () => {
  const x = f64([1, 2]);
  const y = x.exp().sum();
  y.backward(undefined, { retainGraph: true });
  y.backward();
  assert.deepEqual(list(x.grad), [2 * Math.E, 2 * Math.exp(2)]);
  assert.throws(
    () => y.backward(),
    /trying to backward through the graph a second time \(through SumBackward\).*retainGraph: true/,
  );
  // autograd.grad frees the graph too unless asked otherwise.
  const z = x.mul(x).sum();
  autograd.grad(z, [x], null, { retainGraph: true });
  const [gx] = autograd.grad(z, [x]);
  assert.deepEqual(list(gx), [2, 4]);
  assert.throws(() => autograd.grad(z, [x]), /backward through the graph a second time/);
});

Deno.test("autograd.backward seeds several outputs with their gradients", () => {
  const x = f64([1, 2, 3]);
  const y1 = x.mul(2);
  const y2 = x.mul(x);
  autograd.backward([y1, y2], [tensor([1, 1, 1], { dtype: "float64" }), tensor([1, 0, 2], { dtype: "float64" })]);
  assert.deepEqual(list(x.grad), [2 + 2, 2 + 0, 2 + 12]);
  const s = x.sum();
  autograd.backward(s); // one-element output: implicit 1
  assert.deepEqual(list(x.grad), [5, 3, 15]);
  assert.throws(() => autograd.backward(x.mul(2)), /grad can be implicitly created only for scalar outputs/);
  assert.throws(() => autograd.backward(ones([2])), /does not require grad/);
  assert.throws(() => autograd.backward([42 as unknown as Tensor]), /expected tensors\[0\] to be a Tensor/);
});

Deno.test("autograd.grad returns gradients without touching .grad, also for intermediates", () => {
  const x = f64([1, 2]);
  const w = f64([3, 4]);
  const h = x.mul(w);
  const y = h.sum().mul(h.sum());
  const [gx, gh, gw] = autograd.grad(y, [x, h, w], null, { retainGraph: true });
  const s = 1 * 3 + 2 * 4;
  assert.deepEqual(list(gx), [2 * s * 3, 2 * s * 4]);
  assert.deepEqual(list(gh), [2 * s, 2 * s]);
  assert.deepEqual(list(gw), [2 * s * 1, 2 * s * 2]);
  assert.equal(x.grad, null);
  assert.equal(w.grad, null);
  // gradOutputs scale the seed.
  const [gx2] = autograd.grad(y, [x], [tensor(0.5, { dtype: "float64" })], { retainGraph: true });
  assert.deepEqual(list(gx2), [s * 3, s * 4]);
  // An unused input is an error unless allowUnused.
  const u = f64([1]);
  assert.throws(() => autograd.grad(y, [u], null, { retainGraph: true }), /appears to not have been used/);
  assert.deepEqual(autograd.grad(y, [u, x], null, { allowUnused: true }).map((g) => g === null), [true, false]);
  assert.throws(() => autograd.grad(x.sum(), [ones([2])]), /does not require grad/);
});

Deno.test("noGrad records nothing and restores the mode, even on throw; enableGrad inside it", () => {
  const x = f64([1, 2]);
  const y = noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  assert.equal(isGradEnabled(), true);
  assert.throws(() =>
    noGrad(() => {
      throw new Error("inside");
    }), /inside/);
  assert.equal(isGradEnabled(), true);
  const z = noGrad(() => {
    assert.equal(isGradEnabled(), false);
    const inner = enableGrad(() => x.mul(3));
    assert.equal(isGradEnabled(), false);
    return inner;
  });
  assert.equal(z.requiresGrad, true);
  assert.equal(z.gradFn?.name, "MulBackward");
  // In-place on a leaf that requires grad is allowed under noGrad (optimizer updates).
  noGrad(() => x.sub_(1));
  assert.deepEqual(list(x), [0, 1]);
});

Deno.test("detach shares storage and cuts the graph; detach_ works in place", () => {
  const x = f64([1, 2, 3]);
  const y = x.mul(2);
  const d = y.detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.isLeaf, true);
  assert.equal(d._storage, y._storage);
  (d.typedArray() as Float64Array)[0] = 100;
  assert.equal(y.toArray()[0], 100, "detach shares memory");
  const data = x.data;
  assert.equal(data.requiresGrad, false);
  assert.equal(data._storage, x._storage);
  y.mul(d).sum().backward(); // d is a constant
  assert.deepEqual(list(x.grad), [200, 8, 12]);
  const z = x.mul(3);
  z.detach_();
  assert.equal(z.requiresGrad, false);
  assert.equal(z.gradFn, null);
});

Deno.test("requiresGrad_ rules: leaves only, floating point only", () => {
  const x = tensor([1, 2]);
  assert.equal(x.requiresGrad_(), x);
  assert.equal(x.requiresGrad, true);
  assert.equal(x.isLeaf, true);
  const y = x.mul(2);
  assert.equal(y.isLeaf, false);
  assert.throws(() => y.requiresGrad_(false), /you can only change requiresGrad of leaf tensors/);
  assert.throws(
    () => tensor(new Int32Array([1, 2])).requiresGrad_(),
    (e) => e instanceof TypeError && /only floating point tensors can require gradients, got int32/.test(e.message),
  );
  assert.throws(() => tensor([1, 2], { dtype: "int64", requiresGrad: true }), TypeError);
  x.requiresGrad = false;
  assert.equal(x.mul(2).requiresGrad, false);
});

Deno.test("registerHook observes and replaces gradients; the handle removes it", () => {
  const x = f64([1, 2]);
  const seen: number[][] = [];
  const h1 = x.registerHook((g) => {
    seen.push([...(g.toArray() as Float64Array)]);
  });
  const h2 = x.registerHook((g) => g.mul(10)); // replaces what reaches .grad
  x.mul(3).sum().backward();
  assert.deepEqual(seen, [[3, 3]]);
  assert.deepEqual(list(x.grad), [30, 30]);
  h2.remove();
  h2.remove(); // idempotent
  x.grad = null;
  x.mul(3).sum().backward();
  assert.deepEqual(list(x.grad), [3, 3]);
  h1.remove();
  x.mul(3).sum().backward();
  assert.equal(seen.length, 2);
  // A hook on an intermediate changes what flows further back.
  const w = f64([1, 1]);
  const mid = w.mul(2);
  mid.registerHook((g) => g.mul(0));
  mid.add(w).sum().backward();
  assert.deepEqual(list(w.grad), [1, 1]);
  assert.throws(() => ones([2]).registerHook(() => {}), /doesn't require gradient/);
});

Deno.test("in-place ops: a leaf that requires grad refuses them; non-leaves record them", () => {
  const x = f64([1, -2, 3]);
  const leafErr = /a leaf tensor that requires grad is being used in an in-place operation/;
  for (
    const f of [
      () => x.add_(1),
      () => x.mul_(2),
      () => x.sub_(1),
      () => x.div_(2),
      () => x.clamp_(0, 1),
      () => x.zero_(),
      () => x.fill_(3),
      () => x.copy_(ones([3], { dtype: "float64" })),
      () => x.relu_(),
    ]
  ) assert.throws(f, leafErr);
  assert.deepEqual(list(x), [1, -2, 3]);
  const y = x.mul(2);
  y.add_(1).mul_(y.detach().clone()); // y = (2x + 1) * c with c = 2x + 1 as a constant
  y.sum().backward();
  assert.deepEqual(list(x.grad), [6, -6, 14]);
  assert.equal(y.gradFn?.name, "MulBackward");
  const z = x.mul(1);
  z.relu_();
  z.sum().backward();
  assert.deepEqual(list(x.grad), [7, -6, 15]);
});

Deno.test("modifying a saved tensor in place makes backward fail (version counter)", () => {
  const x = f64([1, 2]);
  const h = x.mul(2);
  const y = h.mul(h).sum(); // MulBackward saved h
  h.add_(1);
  assert.throws(
    () => y.backward(),
    /one of the tensors needed for gradient computation has been modified by an in-place operation.*MulBackward/,
  );
  // exp saves its output: modifying the output is caught too.
  const e = x.exp();
  const z = e.sum();
  noGrad(() => e.mul_(2));
  assert.throws(() => z.backward(), /modified by an in-place operation/);
  // detach() shares the version counter: y.mul_(y.detach()) saved a tensor it then modified.
  const y2 = x.mul(2);
  y2.mul_(y2.detach());
  assert.throws(() => y2.sum().backward(), /modified by an in-place operation/);
  // A tensor that no backward reads may change freely.
  const a = x.add(1);
  const s = a.sum();
  a.mul_(3);
  s.backward();
  assert.deepEqual(list(x.grad), [1, 1]);
});

Deno.test("backward argument errors", () => {
  const x = f64([1, 2]);
  assert.throws(() => x.mul(2).backward(), /grad can be implicitly created only for scalar outputs, got shape \[2\]/);
  assert.throws(() => ones([1]).backward(), /does not require grad and does not have a gradFn/);
  assert.throws(() => x.mul(2).backward(ones([3], { dtype: "float64" })), /gradient of shape \[3\] does not match/);
  const y = x.mul(2);
  y.backward(tensor([1, 0.5], { dtype: "float64" }));
  assert.deepEqual(list(x.grad), [2, 1]);
});

Deno.test("gradFn names and leaf flags", () => {
  const x = f64([1, 2]);
  assert.equal(x.gradFn, null);
  assert.equal(x.isLeaf, true);
  assert.equal(x.add(1).gradFn?.name, "AddBackward");
  assert.equal(x.sum().gradFn?.name, "SumBackward");
  assert.equal(x.view(2, 1).gradFn?.name, "ViewBackward");
  assert.equal(ones([2]).add(1).gradFn, null);
  assert.equal(ones([2]).add(x).requiresGrad, true);
});

Deno.test("in-place ops on views rewrite the base's history (CopySlices), as in PyTorch", () => {
  const x = f64([1, 2, 3]);
  // A view of a leaf that requires grad refuses in-place ops.
  assert.throws(() => x.narrow(0, 0, 1).add_(1), /a view of a leaf tensor that requires grad/);
  assert.throws(() => x.select(0, 0).fill_(0), /a view of a leaf tensor that requires grad/);
  // The base sees the op: d/dx sum(y) with y[0] *= 3.
  let y = x.mul(2);
  y.narrow(0, 0, 1).mul_(3);
  assert.deepEqual(list(y), [6, 4, 6]);
  assert.equal(y.gradFn?.name, "CopySlices");
  y.sum().backward();
  assert.deepEqual(list(x.grad), [6, 2, 2]);
  // The view itself is a view of the new history.
  x.grad = null;
  y = x.mul(2);
  const v = y.narrow(0, 0, 2);
  v.mul_(3);
  v.sum().backward();
  assert.deepEqual(list(x.grad), [6, 6, 0]);
  // fill_ through a view zeroes that region's gradient; the result feeds a second use of y.
  x.grad = null;
  y = x.mul(2);
  y.select(0, 1).fill_(0);
  y.sum().backward();
  assert.deepEqual(list(x.grad), [2, 0, 2]);
  // An op whose other operand needs grad, written into a view of a plain buffer.
  const w = f64([5, 7]);
  const buf = zeros([4], { dtype: "float64" });
  buf.narrow(0, 1, 2).add_(w);
  assert.equal(buf.requiresGrad, true);
  buf.mul(tensor([1, 2, 3, 4], { dtype: "float64" })).sum().backward();
  assert.deepEqual(list(w.grad), [2, 3]);
  // A self-referencing update (PyTorch: [128, 576, 24]).
  x.grad = null;
  y = x.mul(2);
  y.narrow(0, 0, 2).mul_(y.narrow(0, 1, 2).detach().clone());
  assert.deepEqual(list(y), [8, 24, 6]);
  y.mul(y).sum().backward();
  assert.deepEqual(list(x.grad), [128, 576, 24]);
});

Deno.test("fill_ and copy_ are recorded when gradients are involved", () => {
  const x = f64([1, 2, 3]);
  const y = x.mul(2);
  y.fill_(1);
  y.sum().backward();
  assert.deepEqual(list(x.grad), [0, 0, 0]);
  const w = f64([5, 7, 9]);
  const buf = zeros([2, 3], { dtype: "float64" });
  buf.copy_(w); // broadcast
  buf.sum().backward();
  assert.deepEqual(list(w.grad), [2, 2, 2]);
  // Without grad involved, nothing is recorded.
  const plain = zeros([2]);
  plain.copy_(ones([2]));
  assert.equal(plain.requiresGrad, false);
  assert.equal(plain.gradFn, null);
});

Deno.test("leaf gradients never alias each other, the caller's seed or what a hook kept", () => {
  const a = f64([1, 2]), b = f64([3, 4]);
  const seed = tensor([1, 1], { dtype: "float64" });
  a.add(b).backward(seed); // AddBackward hands the same tensor to both inputs
  assert.notEqual(a.grad, b.grad);
  assert.notEqual(a.grad, seed);
  a.mul(2).add(b).sum().backward();
  assert.deepEqual(list(a.grad), [3, 3]);
  assert.deepEqual(list(b.grad), [2, 2]);
  assert.deepEqual(list(seed), [1, 1], "the seed is untouched");
  const c = f64([1, 2]);
  let kept: Tensor | null = null;
  c.registerHook((g) => {
    kept = g;
  });
  c.mul(3).backward(tensor([1, 1], { dtype: "float64" }).mul(1));
  c.mul(3).backward(tensor([1, 1], { dtype: "float64" }).mul(1));
  assert.deepEqual(list(c.grad), [6, 6]);
  assert.deepEqual(list(kept), [3, 3], "the tensor a hook kept did not become .grad");
});
