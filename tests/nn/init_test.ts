/**
 * nn.init (src/nn/init.ts) against PyTorch 1.13: gains, fans, the bounds and stds the random
 * initializers derive from them, eye_/dirac_ values, orthogonal_'s matrix for a fixed draw and
 * erfinv (tests/fixtures/init/cases.json, written by tools/fixtures/init.py), error messages;
 * then statistical checks of the random initializers over many draws.
 */
import assert from "node:assert/strict";
import { empty, manualSeed, nn, type Tensor, tensor, zeros } from "../../mod.ts";
import { _erfinv, _orthogonalFrom } from "../../src/nn/init_linalg.ts";
import { fixture, throwsWith } from "../util/fixture_json.ts";

const I = nn.init;
const F = fixture("init", "cases");
// deno-lint-ignore no-explicit-any
const call = (name: string, ...args: any[]): any => (I as any)[name](...args);

const arr = (t: Tensor) => Array.from(t.toArray() as Float32Array | Float64Array, Number);

function moments(v: number[]): { mean: number; std: number; maxAbs: number; min: number; max: number } {
  let s = 0, min = Infinity, max = -Infinity, maxAbs = 0;
  for (const x of v) {
    s += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
    maxAbs = Math.max(maxAbs, Math.abs(x));
  }
  const mean = s / v.length;
  let ss = 0;
  for (const x of v) ss += (x - mean) ** 2;
  return { mean, std: Math.sqrt(ss / (v.length - 1)), maxAbs, min, max };
}

/** At least `n` samples of `init` applied to fresh tensors of `shape`. */
function samples(shape: number[], n: number, init: (t: Tensor) => unknown, dtype: "float32" | "float64" = "float32") {
  const numel = shape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let i = 0; i < Math.ceil(n / numel); i++) {
    const t = empty(shape, { dtype });
    assert.equal(init(t), t, "initializers return the tensor they fill");
    out.push(...arr(t));
  }
  return out;
}

Deno.test("calculateGain matches torch.nn.init.calculate_gain", () => {
  for (const c of F.gains) {
    assert.equal(I.calculateGain(c.nonlinearity, c.param), c.gain, `${c.nonlinearity}, ${c.param}`);
  }
  assert.equal(I.calculateGain("leakyRelu", 0.2), I.calculateGain("leaky_relu", 0.2));
  assert.equal(I.calculateGain("leakyRelu"), Math.sqrt(2 / (1 + 0.01 ** 2)));
  assert.equal(I.calculateGain("convTranspose2d"), 1);
});

Deno.test("calculateFanInAndFanOut matches PyTorch's _calculate_fan_in_and_fan_out", () => {
  for (const c of F.fans) {
    assert.deepEqual(I.calculateFanInAndFanOut(empty(c.shape)), [c.fanIn, c.fanOut], `shape ${c.shape}`);
  }
});

for (const c of F.fans) {
  if (c.inits.length === 0) continue;
  Deno.test(`xavier/kaiming draw within PyTorch's bound / with its std: shape [${c.shape}]`, () => {
    manualSeed(c.shape.length * 100 + c.shape[0]);
    for (const init of c.inits) {
      if (c.shape.includes(0)) {
        const t = empty(c.shape);
        assert.equal(call(init.fn, t, ...init.args), t, "zero-element tensors are accepted");
        continue;
      }
      const v = samples(c.shape, 8000, (t) => call(init.fn, t, ...init.args));
      const m = moments(v);
      const what = `${init.fn}(${JSON.stringify(init.args)}) on [${c.shape}]`;
      if (init.bound !== undefined) {
        assert.ok(m.maxAbs <= init.bound, `${what}: ${m.maxAbs} > bound ${init.bound}`);
        assert.ok(m.maxAbs >= 0.995 * init.bound, `${what}: max |v| ${m.maxAbs} far below bound ${init.bound}`);
        assert.ok(Math.abs(m.mean) < 0.05 * init.bound, `${what}: mean ${m.mean}`);
      } else {
        assert.ok(Math.abs(m.std / init.std - 1) < 0.05, `${what}: std ${m.std}, expected ${init.std}`);
        assert.ok(Math.abs(m.mean) < 0.06 * init.std, `${what}: mean ${m.mean}`);
      }
    }
  });
}

Deno.test("kaiming: camelCase modes, positional arguments and PyTorch's Linear recipe", () => {
  const w = empty([5, 30]);
  // kaiming_uniform_(w, a=sqrt(5)) is nn.Linear's init: bound 1/sqrt(fan_in)
  const v = samples([5, 30], 20000, (t) => I.kaimingUniform_(t, Math.sqrt(5)));
  const m = moments(v);
  assert.ok(m.maxAbs <= 1 / Math.sqrt(30) && m.maxAbs > 0.995 / Math.sqrt(30), `${m.maxAbs}`);
  for (const mode of ["fanOut", "fan_out", "FAN_OUT"] as const) {
    const s = moments(
      samples([5, 30], 20000, (t) => I.kaimingNormal_(t, { mode: mode as nn.init.FanMode, nonlinearity: "relu" })),
    );
    assert.ok(Math.abs(s.std / Math.sqrt(2 / 5) - 1) < 0.05, `${mode}: ${s.std}`);
  }
  const p = moments(samples([5, 30], 20000, (t) => I.kaimingUniform_(t, 0, "fanOut", "tanh")));
  assert.ok(p.maxAbs <= (5 / 3) * Math.sqrt(3 / 5) && p.maxAbs > 0.995 * (5 / 3) * Math.sqrt(3 / 5));
  throwsWith(
    () => I.kaimingUniform_(w, { mode: "fanIn", slope: 1 } as never),
    TypeError,
    /^kaimingUniform_: unknown option "slope"/,
  );
  throwsWith(() => I.kaimingUniform_(w, 1, { a: 2 } as never), TypeError, /multiple values for a/);
});

Deno.test("initializers match PyTorch's errors", () => {
  for (const c of F.errors) {
    const [fn, shape, ...args] = c.ts;
    const cls = c.cls === "TypeError" ? TypeError : RangeError;
    const run = () => (shape === null ? call(fn, ...args) : call(fn, empty(shape), ...args));
    throwsWith(run, cls, new RegExp(`^${fn}: `));
    if (c.exact === false) continue;
    try {
      run();
    } catch (e) {
      const msg = (e as Error).message.toLowerCase();
      assert.ok(msg.includes(c.error.toLowerCase()), `${c.name}: "${(e as Error).message}" lacks "${c.error}"`);
    }
  }
  throwsWith(
    () => I.truncNormal_(empty([3]), { a: 1, b: -1 }),
    RangeError,
    /^truncNormal_: uniform_ expects .* from=1 > to=-1/,
  );
});

Deno.test("kaiming and orthogonal leave zero-element tensors as PyTorch does (no error)", () => {
  for (const c of F.noops) {
    const t = empty(c.shape);
    assert.equal(call(c.fn, t), t, `${c.fn} on [${c.shape}]`);
  }
});

Deno.test("eye_ and dirac_ match PyTorch, in any dtype and through views", () => {
  for (const c of F.eye) {
    assert.deepEqual(arr(I.eye_(empty(c.shape))), c.data, `eye_ [${c.shape}]`);
    assert.deepEqual(arr(I.eye_(empty(c.shape, { dtype: "float64" }))), c.data);
  }
  for (const c of F.dirac) {
    assert.deepEqual(arr(I.dirac_(empty(c.shape), c.groups)), c.data, `dirac_ [${c.shape}] groups ${c.groups}`);
    assert.deepEqual(arr(I.dirac_(empty(c.shape), { groups: c.groups })), c.data);
  }
  const ints = I.eye_(zeros([2, 3], { dtype: "int64" }));
  assert.deepEqual(ints.tolist(), [[1, 0, 0], [0, 1, 0]]);
  const base = zeros([3, 2]);
  I.eye_(base.t()); // a non-contiguous view
  assert.deepEqual(base.tolist(), [[1, 0], [0, 1], [0, 0]]);
});

Deno.test("orthogonal_: the matrix of a fixed draw matches PyTorch's (linalg.qr, sign(diag R))", () => {
  for (const c of F.orthogonal) {
    const q = _orthogonalFrom(Float64Array.from(c.draw), c.rows, c.cols);
    assert.equal(q.length, c.q.length);
    for (let i = 0; i < q.length; i++) {
      assert.ok(Math.abs(q[i] - c.q[i]) < 1e-12, `[${c.shape}] element ${i}: ${q[i]} vs ${c.q[i]}`);
    }
  }
});

Deno.test("orthogonal_ makes orthonormal rows (wide) or columns (tall), times gain", () => {
  for (const dtype of ["float64", "float32"] as const) {
    const tol = dtype === "float64" ? 1e-12 : 2e-6;
    for (
      const [shape, gain] of [[[5, 3], 1], [[3, 5], 1], [[4, 4], 2], [[8, 2, 3, 3], 0.5], [[2, 3, 2, 2], 1]] as const
    ) {
      const w = I.orthogonal_(empty([...shape], { dtype }), gain);
      const rows = shape[0];
      const cols = w.numel() / rows;
      const m = w.reshape([rows, cols]);
      const g = rows < cols ? m.matmul(m.t()) : m.t().matmul(m);
      const k = Math.min(rows, cols);
      const expect = I.eye_(empty([k, k], { dtype })).mul(gain * gain);
      const err = g.sub(expect).abs().max().item();
      assert.ok(err < tol * gain * gain * 10, `${dtype} [${shape}] gain ${gain}: ${err}`);
    }
  }
  manualSeed(7);
  const a = arr(I.orthogonal_(empty([4, 6])));
  manualSeed(7);
  assert.deepEqual(arr(I.orthogonal_(empty([4, 6]))), a, "manualSeed makes orthogonal_ repeatable");
  const base = zeros([6, 4]);
  I.orthogonal_(base.t()); // a non-contiguous [4, 6] view
  const m = base.t();
  assert.ok(m.matmul(m.t()).sub(I.eye_(empty([4, 4]))).abs().max().item() < 1e-5);
});

Deno.test("erfinv (used by truncNormal_) matches torch.erfinv in float64", () => {
  const x = arr(_erfinv(tensor(Float64Array.from(F.erfinv.y))));
  F.erfinv.x.forEach((e: number | string, i: number) => {
    const want = e === "inf" ? Infinity : e === "-inf" ? -Infinity : (e as number);
    if (!Number.isFinite(want)) return assert.equal(x[i], want);
    // erfinv's own conditioning near ±1: dx = √π/2 · exp(x²) · dy
    const tol = 1e-15 + 2e-16 * Math.exp(want * want) * Math.abs(want) + 2e-16 * Math.abs(want);
    assert.ok(Math.abs(x[i] - want) <= tol * 4, `erfinv(${F.erfinv.y[i]}): ${x[i]} vs ${want}`);
  });
});

const erf1 = (v: number) => tensor([v], { dtype: "float64" }).erf().item();
const Phi = (v: number) => (1 + erf1(v / Math.SQRT2)) / 2;
const phi = (v: number) => Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);

Deno.test("truncNormal_ stays in [a, b] with the truncated normal's mean and std", () => {
  manualSeed(3);
  for (
    const [mean, std, a, b, dtype] of [
      [0, 1, -2, 2, "float32"],
      [1, 2, 0, 3, "float64"],
      [0, 1, 2, 3, "float32"],
      [0.5, 0.02, 0.46, 0.54, "float32"],
    ] as const
  ) {
    const v = arr(I.truncNormal_(empty([200000], { dtype }), mean, std, a, b));
    const m = moments(v);
    assert.ok(m.min >= a && m.max <= b, `[${a}, ${b}]: ${m.min}..${m.max}`);
    const al = (a - mean) / std, be = (b - mean) / std, z = Phi(be) - Phi(al);
    const tm = mean + std * (phi(al) - phi(be)) / z;
    const ts = std * Math.sqrt(1 + (al * phi(al) - be * phi(be)) / z - ((phi(al) - phi(be)) / z) ** 2);
    assert.ok(Math.abs(m.mean - tm) < 5 * ts / Math.sqrt(v.length), `mean ${m.mean} vs ${tm}`);
    assert.ok(Math.abs(m.std / ts - 1) < 0.01, `std ${m.std} vs ${ts}`);
    assert.ok(m.max - m.min > 0.95 * (b - a), "the draws fill [a, b]");
  }
  assert.deepEqual(arr(I.truncNormal_(empty([3]), { a: 0.25, b: 0.25 })), [0.25, 0.25, 0.25]);
  const d = moments(arr(I.truncNormal_(empty([100000]))));
  assert.ok(d.min >= -2 && d.max <= 2 && Math.abs(d.std - 0.8796) < 0.01, "defaults mean 0, std 1, [-2, 2]");
});

Deno.test("uniform_, normal_, constant_, ones_, zeros_", () => {
  manualSeed(11);
  const u = moments(arr(I.uniform_(empty([100000]), -3, 5)));
  assert.ok(u.min >= -3 && u.max < 5 && u.min < -2.99 && u.max > 4.99 && Math.abs(u.mean - 1) < 0.03);
  const u01 = moments(arr(I.uniform_(empty([100000]))));
  assert.ok(u01.min >= 0 && u01.max < 1 && Math.abs(u01.mean - 0.5) < 0.01);
  const uo = moments(arr(I.uniform_(empty([1000]), { a: 2, b: 2.5 })));
  assert.ok(uo.min >= 2 && uo.max < 2.5);
  const n = moments(arr(I.normal_(empty([100000], { dtype: "float64" }), 2, 3)));
  assert.ok(Math.abs(n.mean - 2) < 0.05 && Math.abs(n.std - 3) < 0.05, `${n.mean} ${n.std}`);
  const n01 = moments(arr(I.normal_(empty([100000]), { std: 0.5 })));
  assert.ok(Math.abs(n01.mean) < 0.01 && Math.abs(n01.std - 0.5) < 0.01);
  assert.deepEqual(I.constant_(empty([2, 2]), 0.5).tolist(), [[0.5, 0.5], [0.5, 0.5]]);
  assert.deepEqual(I.constant_(empty([2], { dtype: "int64" }), { val: 7 }).tolist(), [7, 7]);
  assert.deepEqual(I.ones_(empty([3])).tolist(), [1, 1, 1]);
  assert.deepEqual(I.zeros_(empty([3], { dtype: "float64" })).tolist(), [0, 0, 0]);
  throwsWith(
    () => I.uniform_(empty([2], { dtype: "int64" })),
    TypeError,
    /^uniform_: expected a floating point tensor, got int64/,
  );
  throwsWith(() => I.normal_(empty([2]), { mean: 0, sd: 1 } as never), TypeError, /^normal_: unknown option "sd"/);
  throwsWith(
    () => I.constant_(empty([2]), undefined as never),
    TypeError,
    /^constant_: missing the required argument val/,
  );
  throwsWith(() => I.ones_([1, 2] as never), TypeError, /^ones_: expected tensor to be a Tensor, got/);
  throwsWith(() => I.xavierUniform_(empty([2, 2]), NaN), TypeError, /^xavierUniform_: expected gain to be a number/);
});

Deno.test("initializers fill parameters in place without recording autograd history", () => {
  const lin = new nn.Linear(20, 30);
  const w = lin.weight;
  for (const f of [I.xavierUniform_, I.xavierNormal_, I.kaimingUniform_, I.kaimingNormal_, I.orthogonal_, I.eye_]) {
    assert.equal(f(lin.weight), w);
    assert.ok(w.requiresGrad && w.isLeaf && w.gradFn === null);
  }
  for (const f of [I.uniform_, I.normal_, I.truncNormal_, I.ones_, I.zeros_]) assert.equal(f(lin.bias!), lin.bias);
  I.constant_(lin.bias!, 0.1);
  I.sparse_(lin.weight, 0.1);
  I.dirac_(new nn.Conv2d(2, 2, 3).weight);
  const y = lin.forward(empty([1, 20]).fill_(1)).sum();
  y.backward();
  assert.deepEqual(lin.weight.grad!.shape, [30, 20], "the parameters still train");
});

Deno.test("random initializers repeat under manualSeed", () => {
  const inits: [string, (t: Tensor) => unknown][] = [
    ["uniform_", (t) => I.uniform_(t)],
    ["normal_", (t) => I.normal_(t)],
    ["truncNormal_", (t) => I.truncNormal_(t)],
    ["xavierUniform_", (t) => I.xavierUniform_(t)],
    ["kaimingNormal_", (t) => I.kaimingNormal_(t)],
    ["sparse_", (t) => I.sparse_(t, 0.5)],
  ];
  for (const [name, f] of inits) {
    manualSeed(5);
    const a = empty([6, 4]);
    f(a);
    manualSeed(5);
    const b = empty([6, 4]);
    f(b);
    assert.deepEqual(arr(a), arr(b), name);
  }
});

Deno.test("sparse_ zeros ceil(sparsity · rows) random rows in each column", () => {
  manualSeed(2);
  for (
    const [rows, cols, sp] of [[10, 7, 0.3], [7, 5, 0.5], [5, 3, 0], [4, 3, 1], [3, 2, 1.5], [100, 50, 0.01], [
      1,
      4,
      0.2,
    ]]
  ) {
    const w = I.sparse_(empty([rows, cols], { dtype: "float64" }), sp, 0.5);
    const zerosPerCol = Math.min(Math.ceil(sp * rows), rows);
    const v = arr(w);
    for (let c = 0; c < cols; c++) {
      let z = 0;
      for (let r = 0; r < rows; r++) z += v[r * cols + c] === 0 ? 1 : 0;
      assert.equal(z, zerosPerCol, `[${rows}, ${cols}] sparsity ${sp}, column ${c}`);
    }
  }
  // every row is equally likely to be zeroed, and the nonzeros are N(0, std²)
  const rows = 8, cols = 4000;
  const v = arr(I.sparse_(empty([rows, cols]), 0.25, 0.1));
  const counts = new Array(rows).fill(0);
  const nz: number[] = [];
  v.forEach((x, i) => (x === 0 ? counts[Math.floor(i / cols)]++ : nz.push(x)));
  for (const k of counts) assert.ok(Math.abs(k - cols / 4) < 5 * Math.sqrt(cols * 0.25 * 0.75), `${counts}`);
  assert.ok(Math.abs(moments(nz).std - 0.1) < 0.003);
  throwsWith(() => I.sparse_(empty([3, 3]), -0.1), RangeError, /^sparse_: expected sparsity >= 0, got -0.1/);
  throwsWith(() => I.sparse_(empty([3, 3]), undefined as never), TypeError, /^sparse_: missing the required argument/);
});

Deno.test("every initializer fills float16 tensors and accepts zero-element ones", () => {
  const fills: [string, (t: Tensor) => unknown][] = [
    ["uniform_", (t) => I.uniform_(t, -1, 1)],
    ["normal_", (t) => I.normal_(t)],
    ["truncNormal_", (t) => I.truncNormal_(t)],
    ["xavierUniform_", (t) => I.xavierUniform_(t)],
    ["xavierNormal_", (t) => I.xavierNormal_(t)],
    ["kaimingUniform_", (t) => I.kaimingUniform_(t)],
    ["kaimingNormal_", (t) => I.kaimingNormal_(t)],
    ["orthogonal_", (t) => I.orthogonal_(t)],
    ["sparse_", (t) => I.sparse_(t, 0.5)],
    ["eye_", (t) => I.eye_(t)],
    ["constant_", (t) => I.constant_(t, 0.5)],
  ];
  for (const [name, f] of fills) {
    const t = empty([6, 4], { dtype: "float16" });
    f(t);
    assert.equal(t.dtype, "float16");
    const v = arr(t.float());
    assert.ok(v.every(Number.isFinite) && v.some((x) => x !== 0), name);
    for (const shape of [[0, 3], [3, 0]]) assert.deepEqual((f(empty(shape)) as Tensor).shape, shape, name);
  }
  const m = I.orthogonal_(empty([6, 4], { dtype: "float16" })).float();
  assert.ok(m.t().matmul(m).sub(I.eye_(empty([4, 4]))).abs().max().item() < 5e-3);
  assert.equal(I.dirac_(empty([3, 3, 3], { dtype: "float16" })).float().sum().item(), 3);
});
