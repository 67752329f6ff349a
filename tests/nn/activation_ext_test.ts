/**
 * The modern activations (src/nn/activation_ext.ts and their native kernels) against PyTorch
 * 1.13: outputs and input gradients of every functional form and layer, edge values (NaN,
 * infinities, huge magnitudes, the kinks), 0-d and zero-size inputs, and the inputs PyTorch
 * rejects (tests/fixtures/activation_ext/cases.json, written by tools/fixtures/activation_ext.py).
 * Plus float64 gradchecks, error messages, in-place forms and module behaviour.
 */
import assert from "node:assert/strict";
import { nn, noGrad, type Tensor, tensor } from "../../mod.ts";
import { cases, checkFnCase, type FnCase, make } from "../util/fixture_act.ts";
import { gradcheck, randomDouble } from "../util/gradcheck.ts";
import { throwsWith } from "../util/fixture_json.ts";

const F = nn.functional;

interface ExtCase extends FnCase {
  error?: string;
}

// deno-lint-ignore no-explicit-any
type AnyFn = (...a: any[]) => Tensor;
const fns = F as unknown as Record<string, AnyFn>;

/** Tolerances [atol, rtol]: float64 is held to a few ulps; float32 allows PyTorch's vectorized erf/exp. */
function tolFor(c: ExtCase): [number, number] {
  return c.output.dtype === "float64" ? [1e-15, 1e-13] : [1e-6, 1e-5];
}

/** The layer computing the same as a stored functional call. */
// deno-lint-ignore no-explicit-any
function layerFor(fn: string, args: any[], opts: Record<string, any>): nn.Module {
  switch (fn) {
    case "gelu":
      return new nn.GELU(opts);
    case "silu":
      return new nn.SiLU();
    case "mish":
      return new nn.Mish();
    case "hardswish":
      return new nn.Hardswish();
    case "hardsigmoid":
      return new nn.Hardsigmoid();
    case "celu":
      return new nn.CELU(...args);
    case "selu":
      return new nn.SELU();
    case "glu":
      return new nn.GLU(...args);
    case "hardshrink":
      return new nn.Hardshrink(...args);
  }
  throw new Error(`no layer for ${fn}`);
}

const all = cases("activation_ext") as ExtCase[];

Deno.test("the fixture covers every activation, edge values and PyTorch's errors", () => {
  const names = new Set(all.map((c) => c.fn));
  for (const n of ["gelu", "silu", "mish", "hardswish", "hardsigmoid", "celu", "selu", "glu", "hardshrink"]) {
    assert.ok(names.has(n), n);
  }
  assert.ok(all.filter((c) => c.name.includes("_edges_")).length >= 20);
  assert.ok(all.filter((c) => c.error !== undefined).length >= 15);
});

for (const c of all) {
  Deno.test(`${c.fn} matches PyTorch: ${c.name}`, () => {
    const x = make(c.inputs[0]);
    if (c.error !== undefined) {
      assert.throws(
        () => fns[c.fn](x, ...c.args, c.opts),
        (e: unknown) => e instanceof TypeError || e instanceof RangeError,
        `PyTorch raised "${c.error}"`,
      );
      return;
    }
    checkFnCase(c, (xs, args, opts) => fns[c.fn](xs[0], ...args, opts), tolFor(c));
    // the layer computes the same
    checkFnCase(c, (xs, args, opts) => layerFor(c.fn, args, opts).forward(xs[0]) as Tensor, tolFor(c));
  });
}

Deno.test("kinks and NaN follow PyTorch's vectorized kernels", () => {
  const grad = (f: (t: Tensor) => Tensor, v: number[]) => {
    const x = tensor(Float64Array.from(v), { requiresGrad: true });
    f(x).sum().backward();
    return x.grad!.tolist() as number[];
  };
  assert.deepEqual(grad(F.hardswish, [-3, 3, -3.0001, 2.5]), [-0.5, 1, 0, 2.5 / 3 + 0.5]);
  assert.ok(Number.isNaN(grad(F.hardswish, [NaN])[0]));
  const sixth = Math.fround(1 / 6); // PyTorch's one_sixth is a float constant, even in float64
  assert.deepEqual(grad(F.hardsigmoid, [-3, 3, 0, NaN]), [0, 0, sixth, 0]);
  assert.deepEqual(grad((t) => F.hardshrink(t, 0.5), [-0.5, 0.5, 0.6, NaN]), [0, 0, 1, 0]);
  assert.ok(Number.isNaN(grad(F.selu, [NaN])[0]));
  assert.ok(Number.isNaN(grad(F.celu, [NaN])[0]));
  // CELU's derivative scales by 1 / (float)alpha, as PyTorch's derivatives.yaml has it
  assert.deepEqual(grad((t) => F.celu(t, 0.3), [0]), [0.3 * (1 / Math.fround(0.3))]);
  const y = F.hardshrink(tensor([NaN, -Infinity, 0.5]), 0.5).tolist() as number[];
  assert.ok(Number.isNaN(y[0]));
  assert.deepEqual(y.slice(1), [-Infinity, 0]);
});

Deno.test("float64 gradchecks of every activation away from the kinks", () => {
  const away = (shape: number[], kinks: number[]) => {
    const x = randomDouble(shape);
    const d = x.typedArray() as Float64Array;
    for (let i = 0; i < d.length; i++) {
      d[i] *= 2.5;
      for (const k of kinks) if (Math.abs(d[i] - k) < 1e-3) d[i] += 0.01;
    }
    return x;
  };
  const checks: [string, (t: Tensor) => Tensor, number[]][] = [
    ["gelu", (t) => F.gelu(t), []],
    ["gelu tanh", (t) => F.gelu(t, { approximate: "tanh" }), []],
    ["silu", (t) => F.silu(t), []],
    ["mish", (t) => F.mish(t), []],
    ["hardswish", (t) => F.hardswish(t), [-3, 3]],
    ["hardsigmoid", (t) => F.hardsigmoid(t), [-3, 3]],
    ["celu", (t) => F.celu(t, 0.7), [0]],
    ["celu negative alpha", (t) => F.celu(t, -2), [0]],
    ["selu", (t) => F.selu(t), [0]],
    ["hardshrink", (t) => F.hardshrink(t, 0.4), [-0.4, 0.4]],
    ["glu dim -1", (t) => F.glu(t), []],
    ["glu dim 0", (t) => F.glu(t, 0), []],
    ["GELU layer", (t) => new nn.GELU().forward(t) as Tensor, []],
  ];
  for (const [what, f, kinks] of checks) {
    try {
      gradcheck(f, [away([4, 6], kinks)]);
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`);
    }
  }
});

Deno.test("error messages name the call, the expected and the actual value", () => {
  const x = tensor([1, 2, 3, 4]);
  const ints = tensor([1n, 2n]);
  throwsWith(
    () => F.gelu(ints),
    TypeError,
    /^gelu: expected a floating point input, got dtype int64$/,
  );
  throwsWith(() => new nn.SiLU().forward(ints), TypeError, /^SiLU\.forward: expected a floating point input/);
  throwsWith(() => F.hardshrink(tensor([true])), TypeError, /^hardshrink: .* got dtype bool$/);
  throwsWith(
    () => F.gelu(x, { approximate: "fast" as "tanh" }),
    RangeError,
    /^gelu: approximate argument must be either "none" or "tanh", got "fast"$/,
  );
  throwsWith(() => new nn.GELU("fast" as "tanh"), RangeError, /^GELU: approximate argument must be either/);
  throwsWith(
    () => F.gelu(x, { approximate: null as unknown as "tanh" }),
    TypeError,
    /^gelu: expected approximate to be a string, got null$/,
  );
  // approximate is keyword-only in F.gelu, as in PyTorch
  throwsWith(() => (F.gelu as AnyFn)(x, "tanh"), TypeError, /^gelu: takes at most 0 positional argument/);
  throwsWith(() => F.celu(x, 0), RangeError, /^celu: alpha cannot be 0 for CELU \(it divides by alpha\), got 0$/);
  throwsWith(() => new nn.CELU({ alpha: 0 }), RangeError, /^CELU: alpha cannot be 0/);
  throwsWith(() => F.celu(x, NaN), TypeError, /^celu: expected alpha to be a number, got number NaN$/);
  throwsWith(() => F.glu(tensor(1)), RangeError, /^glu: glu does not support scalars \(0-d input\)/);
  throwsWith(
    () => F.glu(tensor([[1, 2, 3]])),
    RangeError,
    /^glu: Halving dimension must be even, but dimension 1 is size 3 \(input shape \[1, 3\]\)$/,
  );
  throwsWith(
    () => new nn.GLU(0).forward(tensor([[1, 2, 3]])),
    RangeError,
    /^GLU\.forward: Halving dimension must be even, but dimension 0 is size 1/,
  );
  throwsWith(
    () => F.glu(x, 1),
    RangeError,
    /^glu: dim 1 is out of range for a tensor of 1 dimensions \(expected -1 to 0\)$/,
  );
  throwsWith(() => F.glu(x, 0.5), TypeError, /^glu: expected dim to be an integer, got number 0\.5$/);
  throwsWith(() => new nn.GLU({ dims: 1 } as never), TypeError, /^GLU: unknown option "dims" \(expected dim\)$/);
  throwsWith(
    () => F.silu(x, { inPlace: true } as never),
    TypeError,
    /^silu: unknown option "inPlace" \(expected inplace\)$/,
  );
  throwsWith(() => F.mish([1, 2] as never), TypeError, /^mish: expected input to be a Tensor, got \[1,2\]$/);
  throwsWith(
    () => new nn.Hardswish(1 as never),
    TypeError,
    /^Hardswish: expected inplace to be a boolean, got number 1$/,
  );
  throwsWith(() => F.hardshrink(x, "1" as never), TypeError, /^hardshrink: expected lambd to be a number, got "1"$/);
  const leaf = tensor([1, 2], { requiresGrad: true });
  assert.throws(
    () => F.selu(leaf, true),
    /selu: a leaf tensor that requires grad is being used in an in-place operation/,
  );
});

Deno.test("in-place forms overwrite the input, return it, and keep autograd's gradient", () => {
  const inplaceFns: [string, (t: Tensor) => Tensor, (t: Tensor) => Tensor][] = [
    ["silu", (t) => F.silu(t, true), (t) => F.silu(t)],
    ["mish", (t) => F.mish(t, { inplace: true }), (t) => F.mish(t)],
    ["hardswish", (t) => F.hardswish(t, true), (t) => F.hardswish(t)],
    ["hardsigmoid", (t) => F.hardsigmoid(t, true), (t) => F.hardsigmoid(t)],
    ["celu", (t) => F.celu(t, 0.5, true), (t) => F.celu(t, 0.5)],
    ["celu_", (t) => F.celu_(t, 2), (t) => F.celu(t, 2)],
    ["selu", (t) => F.selu(t, { inplace: true }), (t) => F.selu(t)],
    ["selu_", (t) => F.selu_(t), (t) => F.selu(t)],
    ["SiLU layer", (t) => new nn.SiLU(true).forward(t) as Tensor, (t) => F.silu(t)],
    ["CELU layer", (t) => new nn.CELU(0.5, { inplace: true }).forward(t) as Tensor, (t) => F.celu(t, 0.5)],
    ["Hardswish layer", (t) => new nn.Hardswish({ inplace: true }).forward(t) as Tensor, (t) => F.hardswish(t)],
  ];
  for (const [what, ip, op] of inplaceFns) {
    const v = [-4, -3, -1.5, -0.2, 0, 0.7, 3, 5];
    const x = tensor(Float64Array.from(v));
    const y = noGrad(() => ip(x));
    assert.equal(y, x, `${what}: returns its input`);
    assert.deepEqual(x.tolist(), op(tensor(Float64Array.from(v))).tolist(), `${what}: values`);
    // through autograd: in place on a non-leaf
    const a = tensor(Float64Array.from(v), { requiresGrad: true });
    ip(a.mul(1)).sum().backward();
    const b = tensor(Float64Array.from(v), { requiresGrad: true });
    op(b).sum().backward();
    assert.deepEqual(a.grad!.tolist(), b.grad!.tolist(), `${what}: gradient`);
  }
});

Deno.test("layers: no parameters, PyTorch's reprs and attributes, positional or options arguments", () => {
  const reprs: [nn.Module, string][] = [
    [new nn.GELU(), "GELU(approximate='none')"],
    [new nn.GELU({ approximate: "tanh" }), "GELU(approximate='tanh')"],
    [new nn.SiLU(), "SiLU()"],
    [new nn.SiLU(true), "SiLU(inplace=True)"],
    [new nn.Mish({ inplace: true }), "Mish(inplace=True)"],
    [new nn.Hardswish(true), "Hardswish()"],
    [new nn.Hardsigmoid(true), "Hardsigmoid()"],
    [new nn.CELU(), "CELU(alpha=1.0)"],
    [new nn.CELU(0.5, true), "CELU(alpha=0.5, inplace=True)"],
    [new nn.CELU({ alpha: 1e-5 }), "CELU(alpha=1e-05)"],
    [new nn.SELU(), "SELU()"],
    [new nn.SELU({ inplace: true }), "SELU(inplace=True)"],
    [new nn.GLU(), "GLU(dim=-1)"],
    [new nn.GLU({ dim: 1 }), "GLU(dim=1)"],
    [new nn.Hardshrink(), "Hardshrink(0.5)"],
    [new nn.Hardshrink(2), "Hardshrink(2.0)"],
  ];
  for (const [m, r] of reprs) {
    assert.equal(m.toString(), r);
    assert.deepEqual([...m.parameters()], []);
    assert.deepEqual(Object.keys(m.stateDict()), []);
  }
  assert.equal(new nn.CELU(0.25).alpha, 0.25);
  assert.equal(new nn.GLU(2).dim, 2);
  assert.equal(new nn.Hardshrink({ lambd: 1.5 }).lambd, 1.5);
  assert.equal(new nn.GELU("tanh").approximate, "tanh");
  assert.equal(new nn.Mish().inplace, false);
  // in a Sequential, with train/eval making no difference
  const net = new nn.Sequential(new nn.Linear(4, 6), new nn.GELU(), new nn.GLU(), new nn.SELU());
  const x = tensor([[0.5, -1, 2, 0]]);
  const train = net.forward(x) as Tensor;
  net.eval();
  assert.deepEqual((net.forward(x) as Tensor).tolist(), train.tolist());
  assert.deepEqual(train.shape, [1, 3]);
  assert.deepEqual(Object.keys(net.stateDict()), ["0.weight", "0.bias"]);
});

Deno.test("dtypes: float16/32/64 keep their dtype, large inputs take the parallel path", () => {
  for (const f of [F.gelu, F.silu, F.mish, F.hardswish, F.hardsigmoid, F.celu, F.selu, F.hardshrink, F.glu]) {
    assert.equal(f(tensor([1, 2])).dtype, "float32");
    assert.equal(f(tensor(Float64Array.of(1, 2))).dtype, "float64");
    assert.equal(f(tensor([1, 2]).to("float16")).dtype, "float16");
  }
  // float16 is computed in float32 and rounded once
  const h = F.gelu(tensor([1, -2]).to("float16"));
  assert.deepEqual(h.tolist(), F.gelu(tensor([1, -2])).to("float16").tolist());
  // 70000 elements (the kernels go parallel above 32768): same values as one element at a time
  const n = 70000;
  const v = Float64Array.from({ length: n }, (_, i) => (i % 1000) / 100 - 5);
  const big = F.gelu(tensor(v)).typedArray() as Float64Array;
  const small = F.gelu(tensor(v.slice(0, 1000))).typedArray() as Float64Array;
  for (let i = 0; i < n; i++) assert.equal(big[i], small[i % 1000]);
  // a non-contiguous input (a transposed view)
  const m = tensor(Float64Array.from({ length: 12 }, (_, i) => i - 6), { shape: [3, 4] });
  assert.deepEqual(F.mish(m.t()).tolist(), F.mish(m).t().tolist());
});
