/**
 * float16 tensors store half precision and compute in float32 on the CPU (there are no half
 * kernels): every op takes float16 in and gives float16 out, equal to the float32 result
 * rounded to float16, as PyTorch's CPU half ops.
 */

import assert from "node:assert/strict";
import { cat, manualSeed, randn, type Tensor, tensor, where } from "../../mod.ts";

const idx = (v: number[], shape?: number[]) => tensor(BigInt64Array.from(v, BigInt), { shape: shape ?? [v.length] });
/** The float32 result rounded to float16, as numbers. */
const rounded = (t: Tensor) => Array.from(t.half().toArray() as ArrayLike<number>);
const values = (t: Tensor) => Array.from(t.toArray() as ArrayLike<number>);

Deno.test("float16 ops give float16 results equal to the float32 computation rounded to half", () => {
  manualSeed(0);
  const f = randn([3, 4]).half().float(); // float32 values that are exact halves
  const h = f.half();
  const cases: [string, (x: Tensor) => Tensor][] = [
    ["add", (x) => x.add(x)],
    ["mul", (x) => x.mul(3)],
    ["exp", (x) => x.exp()],
    ["sum(1)", (x) => x.sum(1)],
    ["mean", (x) => x.mean()],
    ["max", (x) => x.max()],
    ["max(1)", (x) => x.max(1)[0]],
    ["min(0)", (x) => x.min(0)[0]],
    ["norm", (x) => x.norm()],
    ["var(1)", (x) => x.var(1)],
    ["logsumexp(1)", (x) => x.logsumexp(1)],
    ["prod(1)", (x) => x.prod(1)],
    ["matmul", (x) => x.matmul(x.t())],
    ["indexSelect", (x) => x.indexSelect(0, idx([2, 0, 2]))],
    ["gather", (x) => x.gather(1, idx([3, 0, 1], [3, 1]))],
    ["maskedFill", (x) => x.maskedFill(x.gt(0), 0.5)],
    ["where", (x) => where(x.gt(0), x, 1.5)],
    ["cat", (x) => cat([x, x], 1)],
  ];
  for (const [name, fn] of cases) {
    const got = fn(h);
    assert.equal(got.dtype, "float16", `${name}: dtype`);
    const want = rounded(fn(f));
    const have = values(got);
    assert.equal(have.length, want.length, name);
    // float32 -> float16 rounding of the same float32 value; allow one half ulp for ops whose
    // float32 summation order may differ.
    have.forEach((v, i) =>
      assert.ok(Math.abs(v - want[i]) <= 1e-3 * Math.max(1, Math.abs(want[i])), `${name}[${i}]: ${v} vs ${want[i]}`)
    );
  }
  assert.deepEqual(values(h.argmax(1)), values(f.argmax(1)));
  assert.equal(h.argmax().item(), f.argmax().item());
});

Deno.test("float16 gradients flow through reductions, matmul, indexing and broadcasting", () => {
  const x = randn([3, 4]).half().requiresGrad_();
  const b = randn([4]).half().requiresGrad_();
  const y = x.add(b).max(1)[0].sum().add(x.matmul(x.t()).sum()).add(x.indexSelect(0, idx([1, 1])).sum());
  y.backward();
  assert.equal(x.grad!.dtype, "float16");
  assert.equal(b.grad!.dtype, "float16");
  // The same in float32 (from the same half values) agrees to half precision.
  const xf = x.detach().float().requiresGrad_(), bf = b.detach().float().requiresGrad_();
  xf.add(bf).max(1)[0].sum().add(xf.matmul(xf.t()).sum()).add(xf.indexSelect(0, idx([1, 1])).sum()).backward();
  values(x.grad!).forEach((v, i) => assert.ok(Math.abs(v - values(xf.grad!)[i]) < 1e-2, `x.grad[${i}]`));
  values(b.grad!).forEach((v, i) => assert.ok(Math.abs(v - values(bf.grad!)[i]) < 1e-2, `b.grad[${i}]`));
});

Deno.test("float16 tensors can be filled with random samples", () => {
  const h = randn([1000]).half();
  h.uniform_(-1, 1);
  const v = values(h);
  assert.ok(v.every((x) => x >= -1 && x <= 1));
  assert.ok(Math.abs(v.reduce((a, x) => a + x, 0) / v.length) < 0.1);
  h.normal_(0, 1);
  assert.equal(h.dtype, "float16");
});
