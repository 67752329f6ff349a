/**
 * Values, dtypes and shapes of tensor ops against PyTorch 1.13 (tests/fixtures/tensor/ops.json,
 * written by tools/fixtures/tensor_ops.py): dtype promotion, true division, comparison dtypes,
 * remainder/fmod signs, rounding, ties, NaN propagation, reductions, factories, indexing.
 * Where PyTorch raises, denotorch must throw a TypeError or RangeError.
 */
import assert from "node:assert/strict";
import * as dt from "../../mod.ts";
import type { DType, Tensor } from "../../mod.ts";

interface TensorJson {
  shape: number[];
  dtype: DType;
  data?: (number | string)[];
  fill?: number | string;
}
interface Case {
  name: string;
  call: "method" | "fn";
  op: string;
  args: unknown[];
  expect: TensorJson | TensorJson[] | { error: string };
}

const fixture = JSON.parse(
  Deno.readTextFileSync(new URL("../fixtures/tensor/ops.json", import.meta.url)),
) as { torch: string; cases: Case[] };

function num(v: number | string): number {
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  return v as number;
}

function values(j: TensorJson): number[] {
  const n = j.shape.reduce((a, b) => a * b, 1);
  return j.data !== undefined ? j.data.map(num) : new Array(n).fill(num(j.fill!));
}

function decodeTensor(j: TensorJson): Tensor {
  const v = values(j);
  const shape = j.shape;
  switch (j.dtype) {
    case "float32":
      return dt.tensor(Float32Array.from(v), { shape });
    case "float64":
      return dt.tensor(Float64Array.from(v), { shape });
    case "int64":
      return dt.tensor(BigInt64Array.from(v, (x) => BigInt(x)), { shape });
    case "int32":
      return dt.tensor(Int32Array.from(v), { shape });
    case "uint8":
      return dt.tensor(Uint8Array.from(v), { shape });
    case "bool":
      return dt.tensor(Uint8Array.from(v), { shape, dtype: "bool" });
    default:
      throw new Error(`fixture dtype ${j.dtype}`);
  }
}

function decodeArg(a: unknown): unknown {
  if (Array.isArray(a)) return a.map(decodeArg);
  if (a !== null && typeof a === "object" && "dtype" in a && "shape" in a) return decodeTensor(a as TensorJson);
  if (a === "inf" || a === "-inf" || a === "nan") return num(a);
  return a;
}

// deno-lint-ignore no-explicit-any
const functions: Record<string, (...a: any[]) => unknown> = {
  pow: dt.pow,
  where: dt.where,
  cat: dt.cat,
  stack: dt.stack,
  mm: dt.mm,
  bmm: dt.bmm,
  dot: dt.dot,
  addmm: dt.addmm,
  matmul: dt.matmul,
  arange: dt.arange,
  linspace: dt.linspace,
  eye: dt.eye,
  full: dt.full,
};

function run(c: Case): unknown {
  const args = c.args.map(decodeArg);
  if (c.call === "fn") {
    const f = functions[c.op];
    assert.ok(f, `no function ${c.op}`);
    return f(...args);
  }
  const self = args[0] as Tensor;
  // deno-lint-ignore no-explicit-any
  const method = (self as any)[c.op];
  assert.equal(typeof method, "function", `Tensor has no method ${c.op}`);
  return method.apply(self, args.slice(1));
}

function compare(got: Tensor, want: TensorJson, what: string): void {
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  assert.deepEqual([...got.shape], want.shape, `${what}: shape`);
  const g = Array.from(got.toArray() as ArrayLike<number | bigint>, Number);
  const w = values(want);
  const float = want.dtype === "float32" || want.dtype === "float64";
  const rtol = want.dtype === "float64" ? 1e-12 : 2e-6;
  // float32 sums and products of O(1) values legitimately differ from PyTorch's in the last
  // bits (accumulation order), hence an absolute floor of a few float32 ulps of 1.
  const atol = want.dtype === "float64" ? 1e-14 : 1e-6;
  for (let i = 0; i < w.length; i++) {
    const a = g[i], e = w[i];
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${what}: element ${i} is ${a}, expected NaN`);
    } else if (!float || !Number.isFinite(e)) {
      assert.equal(a, e, `${what}: element ${i}`);
    } else {
      assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}: element ${i} is ${a}, expected ${e}`);
    }
  }
}

for (const c of fixture.cases) {
  Deno.test(`vs PyTorch ${fixture.torch}: ${c.name}`, () => {
    if ("error" in c.expect) {
      assert.throws(
        () => run(c),
        (e: unknown) => e instanceof TypeError || e instanceof RangeError,
        `PyTorch raises "${c.expect.error}"`,
      );
      return;
    }
    const r = dt.tidy(() => {
      const out = run(c);
      return Array.isArray(out) ? out.map((t) => t.contiguous()) : (out as Tensor).contiguous();
    });
    if (Array.isArray(c.expect)) {
      assert.ok(Array.isArray(r), "expected several outputs");
      assert.equal(r.length, c.expect.length, "number of outputs");
      c.expect.forEach((w, i) => compare(r[i], w, `output ${i}`));
    } else {
      assert.ok(!Array.isArray(r), "expected one output");
      compare(r as Tensor, c.expect, "output");
    }
  });
}
