/**
 * The fused elementwise paths against PyTorch 1.13 (tests/fixtures/tensor/fused.json, written by
 * tools/fixtures/fused_ops.py): division by a scalar is true division (bit for bit), add/sub
 * with alpha, addcmul_ and addcdiv_ (one native pass, broadcasting); their gradients; and the
 * in-place forms writing into self without temporaries.
 */
import assert from "node:assert/strict";
import { type DType, memory, noGrad, type Tensor, tensor, tidy } from "../../mod.ts";
import { gradcheck, randomDouble } from "../util/gradcheck.ts";

interface TensorJson {
  shape: number[];
  dtype: DType;
  data: number[];
}
interface Case {
  op: "div_scalar" | "add_alpha" | "sub_alpha" | "addcmul_" | "addcdiv_";
  args: (TensorJson | number)[];
  expect: TensorJson;
}

const fixture = JSON.parse(
  Deno.readTextFileSync(new URL("../fixtures/tensor/fused.json", import.meta.url)),
) as { torch: string; cases: Case[] };

function decode(j: TensorJson): Tensor {
  const data = j.dtype === "float32" ? Float32Array.from(j.data) : Float64Array.from(j.data);
  return tensor(data, { shape: j.shape });
}

/** The expected values rounded to the case's dtype. */
function expected(j: TensorJson): Float32Array | Float64Array {
  return j.dtype === "float32" ? Float32Array.from(j.data) : Float64Array.from(j.data);
}

function run(c: Case): Tensor {
  const t = (i: number) => decode(c.args[i] as TensorJson);
  const n = (i: number) => c.args[i] as number;
  switch (c.op) {
    case "div_scalar":
      return t(0).div(n(1));
    case "add_alpha":
      return t(0).add(t(1), n(2));
    case "sub_alpha":
      return t(0).sub(t(1), n(2));
    case "addcmul_":
      return t(0).addcmul_(t(1), t(2), n(3));
    case "addcdiv_":
      return t(0).addcdiv_(t(1), t(2), n(3));
  }
}

Deno.test("division by a scalar is true division, bit for bit as PyTorch (float32, float64)", () => {
  const cases = fixture.cases.filter((c) => c.op === "div_scalar");
  assert.equal(cases.length, 6);
  for (const c of cases) {
    const got = tidy(() => run(c).toArray());
    assert.deepEqual(got, expected(c.expect), `${c.expect.dtype} / ${c.args[1]}`);
  }
});

Deno.test("add/sub with alpha, addcmul_ and addcdiv_ match PyTorch (fused native pass, broadcasting)", () => {
  const cases = fixture.cases.filter((c) => c.op !== "div_scalar");
  assert.equal(cases.length, 30);
  for (const c of cases) {
    const got = tidy(() => run(c).toArray()) as Float32Array | Float64Array;
    const want = expected(c.expect);
    assert.equal(got.constructor, want.constructor, `${c.op} dtype`);
    const ulp = c.expect.dtype === "float32" ? 2 ** -23 : 2 ** -52;
    for (let i = 0; i < want.length; i++) {
      // Same expression order as PyTorch's kernels; PyTorch's vector add uses an FMA, so allow 2 ulps.
      const tol = 2 * ulp * Math.max(1, Math.abs(want[i]));
      assert.ok(Math.abs(got[i] - want[i]) <= tol, `${c.op} ${c.expect.dtype} [${i}]: ${got[i]} vs ${want[i]}`);
    }
  }
});

Deno.test("in-place add_ with alpha, sub_, addcmul_ and addcdiv_ write into self without temporaries", () => {
  const x = tensor([1, 2, 3, 4]), a = tensor([1, 1, 2, 2]), b = tensor([2, 4, 8, 16]);
  const before = memory();
  const storage = x._storage;
  x.add_(a, 0.5).sub_(b, 0.25).addcmul_(a, b, 2).addcdiv_(b, a, -0.5).mul_(2).div_(4);
  // Outside tidy a temporary would stay counted until the GC: the counts are exactly unchanged.
  assert.deepEqual(memory(), before);
  assert.equal(x._storage, storage);
  const want = [1, 2, 3, 4].map((v, i) => {
    const av = [1, 1, 2, 2][i], bv = [2, 4, 8, 16][i];
    return ((v + 0.5 * av - 0.25 * bv + 2 * av * bv - 0.5 * bv / av) * 2) / 4;
  });
  assert.deepEqual(x.tolist(), want);
  for (const t of [x, a, b]) t.dispose();
});

Deno.test("gradients of add/sub with alpha, addcmul and addcdiv pass float64 gradcheck", () => {
  const s = randomDouble([3, 4], 1), t1 = randomDouble([3, 4], 2), t2 = randomDouble([1, 4], 3, 0.5, 2);
  gradcheck((x, y) => x.add(y, 0.7), [s, t1]);
  gradcheck((x, y) => x.sub(y, -1.5), [s, t2]);
  gradcheck((x, y, z) => x.clone().addcmul_(y, z, 0.3), [s, t1, t2]);
  gradcheck((x, y, z) => x.clone().addcdiv_(y, z, -1.25), [s, t1, t2]);
  gradcheck((x) => x.div(3), [s]);
});

Deno.test("integer tensors keep the composed paths: int64 addcmul_, and addcdiv_ refuses as PyTorch does", () => {
  const x = tensor(new BigInt64Array([1n, 2n]));
  x.addcmul_(tensor(new BigInt64Array([2n, 3n])), tensor(new BigInt64Array([4n, 5n])), 2);
  assert.deepEqual(x.tolist(), [17, 32]);
  assert.equal(x.dtype, "int64");
  assert.throws(
    () => x.addcdiv_(tensor(new BigInt64Array([2n, 3n])), tensor(new BigInt64Array([4n, 5n]))),
    TypeError,
  );
  // float16 computes in float32 and stores float16.
  const h = noGrad(() => tensor([1, 2]).half());
  h.addcmul_(tensor([1, 1]).half(), tensor([0.5, 0.25]).half(), 2);
  assert.equal(h.dtype, "float16");
  assert.deepEqual(h.tolist(), [2, 2.5]);
});
