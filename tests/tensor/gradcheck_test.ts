/**
 * Float64 finite-difference gradient checks for every differentiable op of src/tensor/ops.
 * Inputs avoid the points where an op is not differentiable (|x| near 0, ties, clamp bounds).
 */
import {
  addmm,
  bmm,
  cat,
  dot,
  matmul,
  maximum,
  minimum,
  mm,
  pow,
  stack,
  type Tensor,
  tensor,
  where,
} from "../../mod.ts";
import { gradcheck, randomDouble } from "../util/gradcheck.ts";

/** A float64 leaf of `shape` with values in [lo, hi). */
const rd = (shape: number[], seed: number, lo = -1, hi = 1) => randomDouble(shape, seed, lo, hi);
/** A float64 leaf whose values are away from zero: |x| in [0.3, 1.3), random signs. */
function awayFromZero(shape: number[], seed: number): Tensor {
  const t = rd(shape, seed, 0.3, 1.3);
  const d = t.typedArray() as Float64Array;
  for (let i = 0; i < d.length; i++) if ((i * 7 + seed) % 3 === 0) d[i] = -d[i];
  return t;
}
const idx = (values: number[], shape?: number[]) =>
  tensor(BigInt64Array.from(values.map(BigInt)), { shape: shape ?? [values.length] });
const boolMask = (values: number[], shape: number[]) => tensor(Uint8Array.from(values), { shape }).to("bool");

function check(name: string, fn: (...xs: Tensor[]) => Tensor | Tensor[], inputs: () => Tensor[], opts = {}) {
  Deno.test(`gradcheck ${name}`, () => gradcheck(fn, inputs(), opts));
}

// ------------------------------------------------------------------ binary arithmetic (broadcasting)
check("add broadcast [2,3]+[3]", (a, b) => a.add(b), () => [rd([2, 3], 1), rd([3], 2)]);
check("add alpha [2,1]+[1,3]", (a, b) => a.add(b, 2.5), () => [rd([2, 1], 3), rd([1, 3], 4)]);
check("add scalar", (a) => a.add(1.5), () => [rd([3, 2], 5)]);
check("sub broadcast", (a, b) => a.sub(b), () => [rd([2, 3], 6), rd([2, 1], 7)]);
check("sub alpha", (a, b) => a.sub(b, -0.5), () => [rd([4], 8), rd([4], 9)]);
check("sub scalar", (a) => a.sub(2), () => [rd([3], 10)]);
check("mul broadcast", (a, b) => a.mul(b), () => [rd([2, 3, 2], 11), rd([3, 1], 12)]);
check("mul scalar", (a) => a.mul(-3), () => [rd([5], 13)]);
check("div broadcast", (a, b) => a.div(b), () => [rd([2, 3], 14), rd([3], 15, 0.5, 2)]);
check("div scalar", (a) => a.div(4), () => [rd([3], 16)]);
check("pow tensor^tensor", (a, b) => a.pow(b), () => [rd([2, 3], 17, 0.5, 2), rd([3], 18, -1, 2)]);
check("pow tensor^scalar 2.5", (a) => a.pow(2.5), () => [rd([4], 19, 0.2, 2)]);
check("pow tensor^scalar 3 (negative base)", (a) => a.pow(3), () => [rd([4], 20)]);
check("pow tensor^scalar -1.5", (a) => a.pow(-1.5), () => [rd([4], 21, 0.5, 2)]);
check("pow scalar^tensor", (a) => pow(2.5, a), () => [rd([2, 2], 22)]);
check("maximum", (a, b) => maximum(a, b), () => [rd([2, 3], 23), rd([3], 24)]);
check("minimum", (a, b) => minimum(a, b), () => [rd([2, 3], 25), rd([2, 1], 26)]);
check("atan2", (a, b) => a.atan2(b), () => [rd([2, 3], 27), rd([3], 28, 0.2, 1)]);
check("remainder tensor", (a, b) => a.remainder(b), () => [rd([5], 29, 0.1, 0.9), rd([5], 30, 1.5, 1.9)]);
check("remainder (negative, floor semantics)", (a, b) => a.remainder(b), () => [
  rd([4], 31, -3.8, -3.2),
  rd([4], 32, 1.5, 1.9),
]);
check("remainder scalar", (a) => a.remainder(0.7), () => [rd([4], 33, 0.05, 0.65)]);
check("fmod tensor", (a, b) => a.fmod(b), () => [rd([4], 34, -3.8, -3.2), rd([4], 35, 1.5, 1.9)]);
check("fmod scalar", (a) => a.fmod(1.25), () => [rd([4], 36, 0.05, 1.2)]);

// ------------------------------------------------------------------ unary math
check("neg", (a) => a.neg(), () => [rd([3, 2], 40)]);
check("abs", (a) => a.abs(), () => [awayFromZero([6], 41)]);
check("exp", (a) => a.exp(), () => [rd([3, 2], 42)]);
check("log", (a) => a.log(), () => [rd([5], 43, 0.2, 3)]);
check("log1p", (a) => a.log1p(), () => [rd([5], 44, -0.5, 2)]);
check("expm1", (a) => a.expm1(), () => [rd([5], 45)]);
check("sqrt", (a) => a.sqrt(), () => [rd([5], 46, 0.2, 3)]);
check("rsqrt", (a) => a.rsqrt(), () => [rd([5], 47, 0.2, 3)]);
check("sin", (a) => a.sin(), () => [rd([5], 48, -3, 3)]);
check("cos", (a) => a.cos(), () => [rd([5], 49, -3, 3)]);
check("tanh", (a) => a.tanh(), () => [rd([5], 50, -2, 2)]);
check("sigmoid", (a) => a.sigmoid(), () => [rd([5], 51, -3, 3)]);
check("relu", (a) => a.relu(), () => [awayFromZero([8], 52)]);
check("erf", (a) => a.erf(), () => [rd([5], 53, -2, 2)]);
check("reciprocal", (a) => a.reciprocal(), () => [awayFromZero([5], 54)]);
check("square", (a) => a.square(), () => [rd([5], 55)]);
check("clamp both", (a) => a.clamp(-0.25, 0.5), () => [tensor([-0.9, -0.3, -0.1, 0.2, 0.45, 0.8], {
  dtype: "float64",
  requiresGrad: true,
})]);
check(
  "clamp min only",
  (a) => a.clamp(0.1),
  () => [tensor([-0.5, 0.3, 0.9], { dtype: "float64", requiresGrad: true })],
);
check("clamp max only", (a) => a.clamp(null, 0.1), () => [tensor([-0.5, 0.3, 0.9], {
  dtype: "float64",
  requiresGrad: true,
})]);
check("where broadcast", (a, b) => where(boolMask([1, 0, 1], [3]), a, b), () => [rd([2, 3], 56), rd([2, 1], 57)]);
check("where with scalar", (a) => where(boolMask([1, 0, 0, 1], [2, 2]), a, 0.5), () => [rd([2, 2], 58)]);
check("maskedFill", (a) => a.maskedFill(boolMask([0, 1, 0], [3]), -2), () => [rd([2, 3], 59)]);

// ------------------------------------------------------------------ reductions
check("sum all", (a) => a.sum(), () => [rd([2, 3], 60)]);
check("sum dim keepdim", (a) => a.sum(1, true), () => [rd([2, 3, 2], 61)]);
check("sum dims [0, 2]", (a) => a.sum([0, 2]), () => [rd([2, 3, 2], 62)]);
check("mean all", (a) => a.mean(), () => [rd([2, 3], 63)]);
check("mean dim", (a) => a.mean(-1), () => [rd([2, 3], 64)]);
check("mean dims keepdim", (a) => a.mean([0, 1], true), () => [rd([2, 3, 2], 65)]);
check("prod all", (a) => a.prod(), () => [awayFromZero([2, 3], 66)]);
check("prod dim", (a) => a.prod(1, true), () => [awayFromZero([2, 3], 67)]);
check(
  "prod all with a zero",
  (a) => a.prod(),
  () => [tensor([0.5, 0, -2, 1.5], { dtype: "float64", requiresGrad: true })],
);
check("prod dim with one and two zeros per row", (a) => a.prod(1), () => [
  tensor([[0, 2, 3], [0, 0, 4], [1, -2, 3]], { dtype: "float64", requiresGrad: true }),
]);
check("max all", (a) => a.max(), () => [rd([2, 3], 68)]);
check("min all", (a) => a.min(), () => [rd([2, 3], 69)]);
check("max dim", (a) => a.max(1)[0], () => [rd([3, 4], 70)]);
check("min dim keepdim", (a) => a.min(0, true)[0], () => [rd([3, 4], 71)]);
check("max dim of 3-d (middle)", (a) => a.max(1)[0], () => [rd([2, 3, 2], 72)]);
for (const p of [1, 2, 3, Infinity]) {
  check(`norm p=${p} all`, (a) => a.norm(p), () => [awayFromZero([2, 3], 73)]);
  check(`norm p=${p} dim`, (a) => a.norm(p, 1), () => [awayFromZero([3, 4], 74)]);
}
check("norm p=2 dims keepdim", (a) => a.norm(2, [0, 2], true), () => [rd([2, 3, 2], 75)]);
check("var unbiased all", (a) => a.var(), () => [rd([2, 3], 76)]);
check("var biased dim", (a) => a.var(1, { unbiased: false }), () => [rd([3, 4], 77)]);
check("var dim keepdim", (a) => a.var(0, { keepdim: true }), () => [rd([3, 4], 78)]);
check("std unbiased all", (a) => a.std(), () => [rd([2, 3], 79)]);
check("std dim", (a) => a.std(1, { unbiased: false }), () => [rd([3, 4], 80)]);
check("logsumexp dim", (a) => a.logsumexp(1), () => [rd([3, 4], 81, -2, 2)]);
check("logsumexp dims keepdim", (a) => a.logsumexp([0, 2], true), () => [rd([2, 3, 2], 82, -2, 2)]);

// ------------------------------------------------------------------ views and shape ops
check("view", (a) => a.view(3, 2).mul(a.view(3, 2)), () => [rd([2, 3], 90)]);
check("reshape of a non-contiguous input (copies)", (a) => a.transpose(0, 1).reshape(6), () => [rd([2, 3], 91)]);
check("permute", (a) => a.permute(2, 0, 1), () => [rd([2, 3, 2], 92)]);
check("transpose", (a) => a.transpose(0, 2), () => [rd([2, 3, 2], 93)]);
check("squeeze all", (a) => a.squeeze(), () => [rd([1, 3, 1], 94)]);
check("squeeze dim", (a) => a.squeeze(0), () => [rd([1, 3, 1], 95)]);
check("unsqueeze", (a) => a.unsqueeze(1), () => [rd([2, 3], 96)]);
check("expand", (a) => a.expand(2, 3, 4), () => [rd([3, 1], 97)]);
check("narrow", (a) => a.narrow(1, 1, 2), () => [rd([2, 4], 98)]);
check("select (negative index)", (a) => a.select(1, -1), () => [rd([2, 4], 99)]);
check("flatten", (a) => a.flatten(1), () => [rd([2, 3, 2], 100)]);
check("split sizes", (a) => a.split([1, 3], 1), () => [rd([2, 4], 101)]);
check("split size", (a) => a.split(2, 0), () => [rd([5, 2], 102)]);
check("chunk", (a) => a.chunk(3, 1), () => [rd([2, 5], 103)]);
check("unbind", (a) => a.unbind(1), () => [rd([2, 3], 104)]);
check("repeat", (a) => a.repeat(2, 1, 3), () => [rd([2, 2], 105)]);
check("cat", (a, b, c) => cat([a, b, c], 1), () => [rd([2, 1], 106), rd([2, 3], 107), rd([2, 2], 108)]);
check("stack", (a, b) => stack([a, b], 1), () => [rd([2, 3], 109), rd([2, 3], 110)]);
check("clone", (a) => a.clone().mul(a), () => [rd([3], 111)]);
check("contiguous of a transpose", (a) => a.t().contiguous(), () => [rd([2, 3], 112)]);
check(
  "to float32 and back",
  (a) => a.to("float32").mul(2).to("float64"),
  () => [rd([4], 113)],
  { eps: 1e-3, atol: 1e-3, rtol: 1e-3 },
);

// ------------------------------------------------------------------ linear algebra
check("matmul 1-d @ 1-d", (a, b) => matmul(a, b), () => [rd([3], 120), rd([3], 121)]);
check("matmul 1-d @ 2-d", (a, b) => matmul(a, b), () => [rd([3], 122), rd([3, 2], 123)]);
check("matmul 2-d @ 1-d", (a, b) => matmul(a, b), () => [rd([2, 3], 124), rd([3], 125)]);
check("matmul 2-d @ 2-d", (a, b) => matmul(a, b), () => [rd([2, 3], 126), rd([3, 4], 127)]);
check("matmul 3-d @ 3-d", (a, b) => matmul(a, b), () => [rd([2, 2, 3], 128), rd([2, 3, 2], 129)]);
check("matmul 3-d @ 2-d", (a, b) => matmul(a, b), () => [rd([2, 2, 3], 130), rd([3, 2], 131)]);
check("matmul 2-d @ 3-d", (a, b) => matmul(a, b), () => [rd([2, 3], 132), rd([2, 3, 2], 133)]);
check("matmul 1-d @ 3-d", (a, b) => matmul(a, b), () => [rd([3], 134), rd([2, 3, 2], 135)]);
check("matmul 3-d @ 1-d", (a, b) => matmul(a, b), () => [rd([2, 2, 3], 136), rd([3], 137)]);
check(
  "matmul broadcast batch [2,1,2,3] @ [3,3,2]",
  (a, b) => matmul(a, b),
  () => [rd([2, 1, 2, 3], 138), rd([3, 3, 2], 139)],
);
check("matmul of transposed operands", (a, b) => matmul(a.t(), b.t()), () => [rd([3, 2], 140), rd([4, 3], 141)]);
check("mm", (a, b) => mm(a, b), () => [rd([3, 2], 142), rd([2, 4], 143)]);
check("bmm", (a, b) => bmm(a, b), () => [rd([2, 3, 2], 144), rd([2, 2, 3], 145)]);
check("dot", (a, b) => dot(a, b), () => [rd([4], 146), rd([4], 147)]);
check("addmm bias [n]", (c, a, b) => addmm(c, a, b), () => [rd([4], 148), rd([3, 2], 149), rd([2, 4], 150)]);
check("addmm bias [m, n]", (c, a, b) => addmm(c, a, b), () => [rd([3, 4], 151), rd([3, 2], 152), rd([2, 4], 153)]);
check("addmm bias [m, 1]", (c, a, b) => addmm(c, a, b), () => [rd([3, 1], 154), rd([3, 2], 155), rd([2, 4], 156)]);

// ------------------------------------------------------------------ indexing
check("indexSelect dim 0 (repeated index)", (a) => a.indexSelect(0, idx([2, 0, 2])), () => [rd([3, 2], 160)]);
check("indexSelect dim 1", (a) => a.indexSelect(1, idx([1, 1, 0])), () => [rd([2, 3, 2], 161)]);
check("gather dim 1", (a) => a.gather(1, idx([0, 2, 2, 1, 0, 0], [2, 3])), () => [rd([2, 4], 162)]);
check("gather dim 0, smaller index", (a) => a.gather(0, idx([2, 0, 1], [1, 3])), () => [rd([3, 4], 163)]);
check(
  "scatter (self and src)",
  (a, s) => a.scatter(1, idx([0, 2, 1, 3], [2, 2]), s),
  () => [rd([2, 4], 164), rd([2, 3], 165)],
);
check("scatter scalar value", (a) => a.scatter(0, idx([1, 0, 1], [1, 3]), 2.5), () => [rd([2, 3], 166)]);
check(
  "scatterAdd (duplicates)",
  (a, s) => a.scatterAdd(1, idx([0, 0, 1, 3, 3, 3], [2, 3]), s),
  () => [rd([2, 4], 167), rd([2, 3], 168)],
);
check(
  "indexAdd (duplicates)",
  (a, s) => a.indexAdd(0, idx([1, 0, 1]), s),
  () => [rd([2, 3], 169), rd([3, 3], 170)],
);

// ------------------------------------------------------------------ compositions (graph reuse)
check("shared input along several paths", (a, b) => a.mul(b).add(a.exp()).sum(0).mul(a.sum(0)), () => [
  rd([2, 3], 180),
  rd([3], 181),
]);
