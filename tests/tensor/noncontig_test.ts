/**
 * Non-contiguous inputs give the same results as contiguous ones: transposed, sliced with an
 * offset, expanded (stride 0), strided (every other element) and permuted layouts, through
 * elementwise ops, reductions, matrix products, indexing, joins and in-place writes.
 */
import assert from "node:assert/strict";
import { addmm, bmm, cat, matmul, mm, stack, type Tensor, tensor, tidy, where } from "../../mod.ts";
import { assertClose, randomDouble } from "../util/gradcheck.ts";

/** Fresh float64 data (no grad) of a shape, different per seed. */
const data = (shape: number[], seed: number) => randomDouble(shape, seed, -2, 2, false);

/** Ways to build a [3, 4] float64 view that is not contiguous (name, view). */
function layouts(seed: number): [string, Tensor][] {
  return [
    ["transposed", data([4, 3], seed).t()],
    ["sliced with offset", data([5, 7], seed).narrow(0, 1, 3).narrow(1, 2, 4)],
    ["expanded rows (stride 0)", data([1, 4], seed).expand(3, 4)],
    ["expanded columns (stride 0)", data([3, 1], seed).expand(3, 4)],
    ["every other element", data([3, 8], seed).view(3, 4, 2).select(2, 1)],
    ["selected from a permuted 3-d", data([2, 4, 3], seed).permute(0, 2, 1).select(0, 1)],
  ];
}

function same(a: Tensor, b: Tensor, what: string, tol = 0): void {
  assert.equal(a.dtype, b.dtype, `${what}: dtype`);
  assert.deepEqual([...a.shape], [...b.shape], `${what}: shape`);
  const x = a.contiguous().toArray() as ArrayLike<number | bigint>;
  const y = b.contiguous().toArray() as ArrayLike<number | bigint>;
  if (tol === 0) assert.deepEqual(Array.from(x, Number), Array.from(y, Number), what);
  else assertClose(x, y, tol, tol, what);
}

/** f(view) must equal f(view.contiguous()) for every layout. */
function agree(name: string, f: (x: Tensor, y: Tensor) => Tensor | Tensor[], tol = 0): void {
  Deno.test(`non-contiguous == contiguous: ${name}`, () => {
    tidy(() => {
      const ls = layouts(1), others = layouts(2);
      for (let i = 0; i < ls.length; i++) {
        const [lname, x] = ls[i];
        const y = others[(i + 1) % others.length][1];
        assert.ok(!x.isContiguous(), `${lname} should not be contiguous`);
        const got = f(x, y);
        const want = f(x.contiguous(), y.contiguous());
        const g = Array.isArray(got) ? got : [got], w = Array.isArray(want) ? want : [want];
        assert.equal(g.length, w.length);
        g.forEach((t, k) => same(t, w[k], `${name} on ${lname} [${k}]`, tol));
      }
    });
  });
}

// ------------------------------------------------------------------ elementwise
agree("add", (x, y) => x.add(y));
agree("sub with alpha", (x, y) => x.sub(y, 0.5));
agree("mul broadcast row", (x) => x.mul(x.select(0, 1)));
agree("div", (x, y) => x.div(y.abs().add(0.5)));
agree("pow", (x, y) => x.abs().add(0.1).pow(y));
agree("maximum", (x, y) => x.maximum(y));
agree("atan2", (x, y) => x.atan2(y));
agree("remainder", (x) => x.remainder(0.75));
agree("compare", (x, y) => x.lt(y));
agree("where", (x, y) => where(x.gt(0), x, y));
agree("maskedFill", (x) => x.maskedFill(x.lt(0), 7));
agree("unary chain", (x) => x.exp().neg().abs().sigmoid().tanh().sqrt());
agree("clamp", (x) => x.clamp(-0.5, 0.5));
agree("scalar ops", (x) => x.mul(3).add(1).div(2).sub(0.25));
agree("to float32", (x) => x.to("float32"));
agree("to int64", (x) => x.mul(10).to("int64"));
agree("clone", (x) => x.clone());

// ------------------------------------------------------------------ reductions
agree("sum all", (x) => x.sum());
agree("sum dim 0", (x) => x.sum(0));
agree("sum dim 1 keepdim", (x) => x.sum(1, true));
agree("mean dims", (x) => x.mean([0, 1]));
agree("prod dim", (x) => x.prod(1));
agree("max dim (values, indices)", (x) => x.max(0));
agree("min all", (x) => x.min());
agree("argmax dim", (x) => x.argmax(1));
agree("argmin flattened", (x) => x.argmin());
agree("norm p=3 dim", (x) => x.norm(3, 0));
agree("var dim", (x) => x.var(1));
agree("std all", (x) => x.std());
agree("logsumexp", (x) => x.logsumexp(0));
agree("any/all", (x) => [x.gt(0).any(1), x.gt(-1).all(0)]);

// ------------------------------------------------------------------ products
agree("mm", (x, y) => mm(x, y.t()), 1e-12);
agree("mm (non-contiguous right)", (x, y) => mm(y.t().contiguous(), x), 1e-12);
agree("matmul with a vector", (x, y) => matmul(x, y.select(0, 0)), 1e-12);
agree("matmul broadcast batch", (x, y) => matmul(x.unsqueeze(0).expand(2, 3, 4), y.t()), 1e-12);
agree("bmm", (x, y) => bmm(stack([x, y]), stack([y.t(), x.t()])), 1e-12);
agree("addmm", (x, y) => addmm(x.select(0, 0), y.t(), x), 1e-12);
agree("dot", (x, y) => x.select(0, 2).dot(y.select(0, 1)), 1e-12);

// ------------------------------------------------------------------ indexing and joins
const i64 = (v: number[], shape?: number[]) =>
  tensor(BigInt64Array.from(v.map(BigInt)), { shape: shape ?? [v.length] });
agree("indexSelect dim 0", (x) => x.indexSelect(0, i64([2, 0, 2])));
agree("indexSelect dim 1", (x) => x.indexSelect(1, i64([3, 1])));
agree("gather", (x) => x.gather(1, i64([0, 3, 1, 1, 2, 0], [3, 2])));
agree("scatter", (x, y) => x.scatter(1, i64([0, 3, 2, 1, 1, 0], [3, 2]), y));
agree("scatterAdd", (x, y) => x.scatterAdd(0, i64([0, 0, 2, 1, 1, 1, 0, 2], [2, 4]), y));
agree("indexAdd", (x, y) => x.indexAdd(1, i64([1, 1]), y.narrow(1, 0, 2)));
agree("cat", (x, y) => cat([x, y, x], 1));
agree("stack", (x, y) => stack([x, y], 2));
agree("reshape / flatten", (x) => [x.reshape(12), x.flatten(), x.reshape(4, 3)]);
agree("repeat", (x) => x.repeat(2, 1));

Deno.test("in-place ops on non-contiguous views write through to the base", () => {
  const base = data([4, 3], 3);
  const expect = (base.toArray() as Float64Array).slice();
  const v = base.t(); // [3, 4], strides [1, 3]
  v.mul_(2).add_(1);
  assertClose(base.toArray() as Float64Array, expect.map((e) => 2 * e + 1), 0, 0, "transposed view");
  const b2 = data([5, 7], 4);
  const before = (b2.toArray() as Float64Array).slice();
  b2.narrow(0, 1, 3).narrow(1, 2, 4).fill_(0);
  const after = b2.toArray() as Float64Array;
  for (let r = 0; r < 5; r++) {
    for (let c = 0; c < 7; c++) {
      const inside = r >= 1 && r < 4 && c >= 2 && c < 6;
      assert.equal(after[r * 7 + c], inside ? 0 : before[r * 7 + c], `(${r}, ${c})`);
    }
  }
  // copy_ from a non-contiguous source into a non-contiguous destination.
  const dst = data([4, 3], 5);
  dst.t().copy_(data([3, 8], 6).view(3, 4, 2).select(2, 1));
  same(dst.t(), data([3, 8], 6).view(3, 4, 2).select(2, 1), "copy_");
  // clamp_ on a strided view leaves the skipped elements alone.
  const s = data([3, 8], 7);
  const keep = (s.toArray() as Float64Array).slice();
  s.view(3, 4, 2).select(2, 0).clamp_(-0.1, 0.1);
  const sa = s.toArray() as Float64Array;
  for (let i = 0; i < 24; i++) {
    assert.equal(sa[i], i % 2 === 0 ? Math.min(0.1, Math.max(-0.1, keep[i])) : keep[i]);
  }
});

Deno.test("gradients through non-contiguous views equal those through contiguous copies", () => {
  for (const [lname, v] of layouts(8).filter(([n]) => !n.startsWith("expanded"))) {
    const leafA = data([3, 4], 9).requiresGrad_();
    const w = data([4, 2], 10);
    // The same values reached through the layout, then through a contiguous copy.
    const viaView = v.detach().requiresGrad_();
    const viaCopy = v.contiguous().detach().requiresGrad_();
    viaView.mul(leafA).matmul(w).exp().sum().backward();
    viaCopy.mul(leafA).matmul(w).exp().sum().backward();
    same(viaView.grad!, viaCopy.grad!, `grad via ${lname}`, 1e-12);
  }
});
