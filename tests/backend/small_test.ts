/**
 * The JavaScript kernels for tiny tensors (src/backend/small.ts) give the native kernels'
 * bits: every pair of awkward operands (signed zeros, subnormals, the largest finite values,
 * infinities, NaN, inexact sums) is computed both ways and compared bit for bit (a NaN only
 * has to be a NaN: its payload is not specified by either side, nor by PyTorch).
 */
import assert from "node:assert/strict";
import { type Tensor, tensor } from "../../mod.ts";
import { Binary, Unary } from "../../src/backend/ops.ts";
import { SMALL_NUMEL, smallBinary, smallUnary } from "../../src/backend/small.ts";
import { emptyRaw } from "../../src/tensor/ops/util.ts";

const F32_SPECIAL = [
  0,
  -0,
  1,
  -1,
  1.5,
  3,
  Math.fround(1 / 3),
  Math.fround(0.1),
  16777217, // 2^24 + 1: not a float32
  3.4028234663852886e38, // largest float32
  -3.4028234663852886e38,
  1.1754943508222875e-38, // smallest normal float32
  1.401298464324817e-45, // smallest subnormal float32
  -5.877471754111438e-39, // a subnormal
  1e-20,
  1e20,
  Infinity,
  -Infinity,
  NaN,
  Math.fround(Math.PI),
  -Math.fround(Math.E),
  65504,
  7,
  -0.5,
];
const F64_SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.1,
  1 / 3,
  2 ** 53 + 2,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  2.2250738585072014e-308, // smallest normal float64
  5e-324, // smallest subnormal float64
  -1e-310,
  1e-200,
  1e200,
  Infinity,
  -Infinity,
  NaN,
  Math.PI,
  -Math.E,
  3,
];

/** Bit patterns equal, or both NaN. */
function sameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const x = actual[i], y = expected[i];
    if (Number.isNaN(y)) assert.ok(Number.isNaN(x), `${what}[${i}]: expected NaN, got ${x}`);
    else assert.ok(Object.is(x, y), `${what}[${i}]: expected ${y}, got ${x}`);
  }
}

/** Every (a, b) pair of `values`, as two flat tensors of n*n elements (the native kernels' size). */
function pairs(values: number[], dtype: "float32" | "float64"): [Tensor, Tensor] {
  const n = values.length;
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a.push(values[i]), b.push(values[j]);
  return [tensor(a, { dtype }), tensor(b, { dtype })];
}

const OPS = [
  ["add", Binary.DT_ADD],
  ["sub", Binary.DT_SUB],
  ["mul", Binary.DT_MUL],
  ["div", Binary.DT_DIV],
] as const;

for (const dtype of ["float32", "float64"] as const) {
  for (const [name, op] of OPS) {
    Deno.test(`small ${name} (${dtype}) gives the native kernel's bits for every pair of awkward operands`, () => {
      const values = dtype === "float32" ? F32_SPECIAL : F64_SPECIAL;
      const n = values.length;
      const [a, b] = pairs(values, dtype);
      assert.ok(a.numel() > SMALL_NUMEL, "the full-size op runs natively");
      const native = (a[name] as (o: Tensor) => Tensor).call(a, b).toArray() as Float32Array;
      for (let i = 0; i < n; i++) {
        // Row i: views with an offset into the big operands, computed in JavaScript.
        const ai = a.narrow(0, i * n, n), bi = b.narrow(0, i * n, n);
        const out = emptyRaw([n], dtype);
        assert.equal(smallBinary(op, out, ai, bi), true, "the small path took it");
        sameBits(out.toArray() as Float32Array, native.subarray(i * n, (i + 1) * n), `${name} row ${i}`);
      }
    });
  }
  for (const [name, op] of [["add", Unary.DT_ADD_SCALAR], ["mul", Unary.DT_MUL_SCALAR]] as const) {
    Deno.test(`small ${name} with a scalar (${dtype}) rounds the scalar to the dtype as the kernel does`, () => {
      const values = dtype === "float32" ? F32_SPECIAL : F64_SPECIAL;
      // Repeated past SMALL_NUMEL so the tensor op itself runs natively.
      const big = tensor([...values, ...values, ...values, ...values], { dtype });
      assert.ok(big.numel() > SMALL_NUMEL);
      const small = tensor(values, { dtype });
      for (const s of [0.1, -0, 3, 1e40, -1e-46, NaN, Infinity, 1 / 3]) {
        const native = (big[name] as (o: number) => Tensor).call(big, s).toArray() as Float32Array;
        const out = emptyRaw([values.length], dtype);
        assert.equal(smallUnary(op, out, small, s), true);
        sameBits(out.toArray() as Float32Array, native.subarray(0, values.length), `${name}(${s})`);
      }
    });
  }
}

Deno.test("the small path declines what the native kernels must do, and writes nothing then", () => {
  const m = tensor([[1, 2], [3, 4]]);
  const t = m.transpose(0, 1); // not row-major
  const out = emptyRaw([2, 2], "float32").fill_(7);
  assert.equal(smallBinary(Binary.DT_ADD, out, t, m), false);
  assert.equal(smallBinary(Binary.DT_POW, out, m, m), false, "only + - * /");
  const i = tensor([1, 2], { dtype: "int32" });
  assert.equal(smallBinary(Binary.DT_ADD, emptyRaw([2], "int32"), i, i), false, "integers");
  const f64 = tensor([1, 2], { dtype: "float64" }), f32 = tensor([1, 2]);
  assert.equal(smallBinary(Binary.DT_ADD, emptyRaw([2], "float64"), f64, f32), false, "mixed dtypes");
  const big = tensor(new Array(SMALL_NUMEL + 1).fill(1));
  assert.equal(smallBinary(Binary.DT_ADD, emptyRaw([SMALL_NUMEL + 1], "float32"), big, big), false, "too large");
  assert.equal(smallUnary(Unary.DT_EXP, out, m, 0), false, "only + and * with a scalar");
  assert.deepEqual(out.tolist(), [[7, 7], [7, 7]]);
  // Broadcast operands (stride 0) are not contiguous either.
  const row = tensor([1, 2]).expand([2, 2]);
  assert.equal(smallBinary(Binary.DT_ADD, out, row, m), false);
  // Through the public ops, each of these still computes the right values natively.
  assert.deepEqual(t.add(m).tolist(), [[2, 5], [5, 8]]);
  assert.deepEqual(row.add(m).tolist(), [[2, 4], [4, 6]]);
});

Deno.test("tiny ops through the public API: views with offsets, sizes 0 and 1, 0-d tensors", () => {
  const x = tensor([1, 2, 3, 4, 5, 6]);
  const a = x.narrow(0, 1, 3), b = x.narrow(0, 3, 3);
  assert.deepEqual(a.add(b).tolist(), [6, 8, 10]);
  assert.deepEqual(a.sub(b).tolist(), [-2, -2, -2]);
  assert.deepEqual(a.mul(b).tolist(), [8, 15, 24]);
  assert.deepEqual(b.div(a).tolist(), [2, 5 / 3, 1.5].map(Math.fround));
  assert.deepEqual(a.add(0.1).tolist(), [2, 3, 4].map((v) => Math.fround(v + Math.fround(0.1))));
  assert.deepEqual(tensor([]).add(tensor([])).tolist(), []);
  assert.equal(tensor(2).mul(tensor(3)).item(), 6);
  assert.deepEqual(tensor([[1, 2]]).add(tensor([[3, 4]])).tolist(), [[4, 6]]);
});
