/**
 * nn.utils.weightNorm / spectralNorm (PyTorch 1.13's hook versions) and nn.utils.parametrize
 * against tools/fixtures/norm_utils.py, plus module behaviour and error messages.
 */

import assert from "node:assert/strict";
import { nn, noGrad, optim, randn, type Tensor, tensor, zeros } from "../../../mod.ts";
import { assertMatches, cases, make, type TensorSpec } from "../../util/fixture_act.ts";
import { gradcheck, randomDouble } from "../../util/gradcheck.ts";
import { throwsWith } from "../../util/fixture_json.ts";
import { deepCopyModule } from "../../../src/nn/deep_copy.ts";

const U = nn.utils;
const P = nn.utils.parametrize;
// deno-lint-ignore no-explicit-any
type Any = any;

interface Spec {
  module: string;
  args: number[];
  kwargs?: Record<string, unknown>;
}

function build(spec: Spec, dtype: string, params?: Record<string, TensorSpec>): Any {
  const Ctor = (nn as Any)[spec.module];
  const m = spec.kwargs ? new Ctor(...spec.args, spec.kwargs) : new Ctor(...spec.args);
  if (dtype === "float64") m.double();
  if (params) m.loadStateDict(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, make(v)])));
  return m;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const named = (m: Any): Record<string, Tensor> => Object.fromEntries(m.namedParameters());

function checkGrads(m: Any, x: Tensor, grads: Record<string, TensorSpec | null>, what: string): void {
  const params = named(m);
  for (const [k, g] of Object.entries(grads)) {
    const t = k === "x" ? x : params[k];
    assert.ok(t, `${what}: no parameter ${k}`);
    if (g === null) assert.equal(t.grad, null, `${what}: grad of ${k}`);
    else assertMatches(t.grad!, g, `${what}: grad of ${k}`);
  }
}

function checkState(m: Any, state: Record<string, TensorSpec>, what: string): void {
  const sd = m.stateDict();
  assert.deepEqual(Object.keys(sd), Object.keys(state), `${what}: keys`);
  for (const [k, v] of Object.entries(state)) assertMatches(sd[k], v, `${what}: ${k}`);
}

const all = cases("norm_utils");

// ------------------------------------------------------------------ weightNorm

for (const c of all.filter((c) => c.kind === "weightNorm")) {
  const title = `weightNorm matches PyTorch: ${c.spec.module}(${c.spec.args}) ${c.name}, dim=${c.dim}, ${c.dtype}`;
  Deno.test(title, () => {
    const m = build(c.spec, c.dtype, c.params);
    if (c.error) {
      throwsWith(
        () => U.weightNorm(m, { name: c.name, dim: c.dim }),
        RangeError,
        new RegExp(`^weightNorm: ${escape(c.error)}$`),
      );
      return;
    }
    U.weightNorm(m, { name: c.name, dim: c.dim });
    assertMatches(m[`${c.name}_g`], c.g, "g");
    assertMatches(m[`${c.name}_v`], c.v, "v");
    assert.ok(m[`${c.name}_g`] instanceof nn.Parameter && m[`${c.name}_v`] instanceof nn.Parameter);
    assert.deepEqual(Object.keys(m.stateDict()), c.keys);
    const x = make(c.x, true);
    const out = m.forward(x);
    assertMatches(out, c.out, "output");
    out.backward(make(c.gradOut));
    checkGrads(m, x, c.grads, title);
    U.removeWeightNorm(m, c.name);
    assert.deepEqual(Object.keys(m.stateDict()), c.removedKeys);
    assert.ok(m[c.name] instanceof nn.Parameter);
    assertMatches(m[c.name], c.removed, "weight after removeWeightNorm");
    assert.equal(m._forwardPreHooks.length, 0);
  });
}

Deno.test("weightNorm: float64 gradcheck through g, v and the input, for dim 0, 1 and null", () => {
  for (const dim of [0, 1, null]) {
    const m = U.weightNorm(new nn.Conv1d(2, 3, 2).double(), { dim });
    (m.weight_v.typedArray() as Float64Array).set(randomDouble([3, 2, 2], 7).typedArray() as Float64Array);
    gradcheck((_g, _v, x) => m.forward(x), [m.weight_g, m.weight_v, randomDouble([1, 2, 4], 3)]);
  }
});

Deno.test("weightNorm: the weight is recomputed before each forward, is a plain tensor, and PyTorch's positionals work", () => {
  const m = U.weightNorm(new nn.Linear(3, 2).double(), "weight", null);
  assert.deepEqual(m.weight_g.shape, []);
  const w1 = m.weight as Tensor;
  assert.ok(!(w1 instanceof nn.Parameter) && w1.requiresGrad);
  noGrad(() => m.weight_g.fill_(2));
  const x = randn([4, 3], { dtype: "float64" });
  m.forward(x);
  const w = m.weight as Tensor;
  assert.ok(Math.abs(w.norm().item() - 2) < 1e-12, "‖w‖ = g after a forward");
  assert.deepEqual([...m.parameters()].length, 3);
  // The optimizer updates g and v; the next forward sees them.
  const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
  m.forward(x).sum().backward();
  opt.step();
  m.forward(x);
  assert.ok(Math.abs((m.weight as Tensor).norm().item() - m.weight_g.item()) < 1e-12);
});

Deno.test("weightNorm / removeWeightNorm: errors", () => {
  const m = U.weightNorm(new nn.Linear(3, 4));
  throwsWith(
    () => U.weightNorm(m),
    RangeError,
    /^weightNorm: Cannot register two weight_norm hooks on the same parameter weight$/,
  );
  throwsWith(
    () => U.removeWeightNorm(m, "bias"),
    RangeError,
    /^removeWeightNorm: weight_norm of 'bias' not found in Linear$/,
  );
  throwsWith(
    () => U.weightNorm(new nn.Linear(3, 4), { name: "foo" }),
    RangeError,
    /^weightNorm: Linear has no parameter 'foo'$/,
  );
  throwsWith(
    () => U.weightNorm(new nn.Linear(3, 4, { bias: false }), { name: "bias" }),
    RangeError,
    /^weightNorm: cannot be applied as parameter 'bias' is null$/,
  );
  throwsWith(
    () => U.weightNorm(new nn.Linear(3, 4), { dim: 0.5 }),
    TypeError,
    /^weightNorm: expected dim to be an integer or null, got number 0\.5/,
  );
  throwsWith(
    () => U.weightNorm(new nn.Linear(3, 4), { nam: "w" } as Any),
    TypeError,
    /^weightNorm: unknown option "nam"/,
  );
  throwsWith(() => U.weightNorm({} as Any), TypeError, /^weightNorm: expected an nn\.Module, got/);
  throwsWith(
    () => U.weightNorm(new nn.Linear(3, 4), { name: 3 } as Any),
    TypeError,
    /^weightNorm: expected name to be a string, got number 3/,
  );
  for (const [f, cls, what] of [[U.weightNorm, "WeightNorm", "weight"], [U.spectralNorm, "SpectralNorm", "spectral"]]) {
    throwsWith(
      () => (f as Any)(new nn.LazyLinear(3)),
      RangeError,
      new RegExp(
        `^${(f as Any).name}: The module passed to \`${cls}\` can't have uninitialized parameters\. Make sure to ` +
          `run the dummy forward before applying ${what} normalization$`,
      ),
    );
  }
  // Removing and applying again works.
  U.removeWeightNorm(m);
  U.weightNorm(m, { dim: 1 });
  assert.deepEqual(m.weight_g.shape, [1, 3]);
});

// ------------------------------------------------------------------ spectralNorm

const snOpts = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k === "n_power_iterations" ? "nPowerIterations" : k, v]));

for (const c of all.filter((c) => c.kind === "spectralNorm")) {
  const title = `spectralNorm matches PyTorch: ${c.spec.module}(${c.spec.args}) ${JSON.stringify(c.opts)}, ${c.dtype}`;
  Deno.test(title, () => {
    const opts = snOpts(c.opts);
    const m = build(c.spec, c.dtype, c.params);
    if (c.error) {
      const re = c.error.startsWith("Expected n_power")
        ? /^spectralNorm: Expected nPowerIterations to be positive, but got nPowerIterations=0$/
        : /^spectralNorm: expected dim in \[0, 1\] \(negative dims are not wrapped\), got -?\d$/;
      throwsWith(() => U.spectralNorm(m, opts), RangeError, re);
      return;
    }
    const name = (opts.name as string) ?? "weight";
    U.spectralNorm(m, opts);
    assert.deepEqual(Object.keys(m.stateDict()), c.keys);
    const u = m[`${name}_u`] as Tensor, v = m[`${name}_v`] as Tensor;
    assert.deepEqual([u.shape, v.shape, u.dtype], [c.u0.shape, c.v0.shape, c.dtype]);
    // Normalized (a large eps may leave a short draw shorter than 1, as in PyTorch).
    for (const t of [u, v]) {
      const n = t.norm().item();
      assert.ok(opts.eps === undefined ? Math.abs(n - 1) < 1e-6 : n <= 1 + 1e-6, `u, v normalized: ${n}`);
    }
    assert.ok(m[`${name}_orig`] instanceof nn.Parameter && !u.requiresGrad);
    noGrad(() => {
      u.copy_(make(c.u0));
      v.copy_(make(c.v0));
    });
    const x = make(c.x, true), x2 = make(c.x2);
    const out = m.forward(x).add(m.forward(x2));
    assertMatches(out, c.out, "training output");
    out.backward(make(c.gradOut));
    checkGrads(m, x, c.grads, title);
    assertMatches(u, c.u1, "u after two training forwards");
    assertMatches(v, c.v1, "v after two training forwards");
    m.eval();
    assertMatches(noGrad(() => m.forward(x2)), c.evalOut, "eval output");
    assertMatches(u, c.u1, "eval mode leaves u alone");
    m.train();
    noGrad(() => {
      for (let i = 0; i < 4; i++) m.forward(x2);
    });
    checkState(m, c.trained, "state after four more training forwards");
    const fresh = U.spectralNorm(build(c.spec, c.dtype), opts);
    fresh.loadStateDict(
      Object.fromEntries(Object.entries(c.trained as Record<string, TensorSpec>).map(([k, s]) => [k, make(s)])),
    );
    fresh.eval();
    assertMatches(noGrad(() => fresh.forward(x2)), c.loadedEvalOut, "PyTorch's state dict, eval mode");
    U.removeSpectralNorm(m, name);
    assert.deepEqual(Object.keys(m.stateDict()), c.removedKeys);
    assertMatches(m[name], c.removed, "weight after removeSpectralNorm");
    assert.ok(m[name] instanceof nn.Parameter);
  });
}

Deno.test("spectralNorm: default dim 1 for ConvTranspose, the weight exists before the first forward, positionals", () => {
  const t = U.spectralNorm(new nn.ConvTranspose2d(3, 5, 2));
  assert.deepEqual([t.weight_u.shape, t.weight_v.shape], [[5], [12]]);
  const c = U.spectralNorm(new nn.Conv2d(3, 5, 2), "weight", 2, 1e-12, 1);
  assert.deepEqual([c.weight_u.shape, c.weight_v.shape], [[3], [20]]);
  assert.deepEqual(c.weight.shape, [5, 3, 2, 2]);
  assert.equal(c.weight.toArray().join(), c.weight_orig.toArray().join());
  // With singular values 5, 1, 0.5, 0.1 the power iteration finds σ = 5: the weight becomes W / 5.
  const l = U.spectralNorm(new nn.Linear(4, 4).double(), { nPowerIterations: 30 });
  const diag = tensor(new Float64Array([5, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.1]), { shape: [4, 4] });
  const q = tensor(new Float64Array([0.6, 0.8, 0, 0, -0.8, 0.6, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), { shape: [4, 4] });
  noGrad(() => l.weight_orig.copy_(q.matmul(diag).matmul(q.t())));
  l.forward(zeros([1, 4], { dtype: "float64" }));
  const expected = Array.from(q.matmul(diag).matmul(q.t()).div(5).toArray() as Float64Array);
  assertMatches(l.weight as Tensor, { shape: [4, 4], dtype: "float64", data: expected }, "W / σ");
});

Deno.test("spectralNorm / removeSpectralNorm: errors", () => {
  const m = U.spectralNorm(new nn.Linear(3, 4));
  throwsWith(
    () => U.spectralNorm(m),
    RangeError,
    /^spectralNorm: Cannot register two spectral_norm hooks on the same parameter weight$/,
  );
  throwsWith(
    () => U.removeSpectralNorm(new nn.Linear(2, 2)),
    RangeError,
    /^removeSpectralNorm: spectral_norm of 'weight' not found in Linear$/,
  );
  throwsWith(
    () => U.spectralNorm(new nn.Linear(3, 4), { name: "foo" }),
    RangeError,
    /^spectralNorm: Linear has no parameter 'foo'$/,
  );
  throwsWith(
    () => U.spectralNorm(new nn.Linear(3, 4), { eps: "a" } as Any),
    TypeError,
    /^spectralNorm: expected eps to be a number, got/,
  );
  throwsWith(
    () => U.spectralNorm(new nn.Linear(3, 4, { bias: false }), { name: "bias" }),
    RangeError,
    /^spectralNorm: cannot be applied as parameter 'bias' is null$/,
  );
  // Both hooks on one module, on different parameters.
  U.weightNorm(m, { name: "bias" });
  assert.deepEqual(Object.keys(m.stateDict()), ["weight_orig", "bias_g", "bias_v", "weight_u", "weight_v"]);
  assert.deepEqual(m.forward(randn([2, 3])).shape, [2, 4]);
});

// ------------------------------------------------------------------ parametrize

class Scale extends nn.Module {
  constructor(public s: number) {
    super();
  }
  override forward(x: Tensor) {
    return x.mul(this.s);
  }
  rightInverse(x: Tensor) {
    return x.div(this.s);
  }
}
class Exp extends nn.Module {
  override forward(x: Tensor) {
    return x.exp();
  }
  rightInverse(x: Tensor) {
    return x.log();
  }
}
class Masked extends nn.Module {
  constructor(shape: number[]) {
    super();
    this.registerBuffer("mask", zeros(shape, { dtype: "float64" }));
  }
  override forward(x: Tensor) {
    return x.mul((this as Any).mask);
  }
}
class RankOne extends nn.Module {
  override forward(a: Tensor, b: Tensor) {
    return a.unsqueeze(-1).matmul(b.unsqueeze(-2));
  }
  rightInverse(z: Tensor) {
    return [z.select(1, 0), zeros([z.shape[1]], { dtype: z.dtype }).add(1)];
  }
}
class Transposer extends nn.Module {
  override forward(x: Tensor) {
    return x.t();
  }
}
class ToFloat32 extends nn.Module {
  override forward(x: Tensor) {
    return x.to("float32");
  }
}
const MAKERS: Record<string, (...a: Any[]) => nn.Module> = {
  Scale: (s) => new Scale(s),
  Exp: () => new Exp(),
  Masked: (s) => new Masked(s),
  RankOne: () => new RankOne(),
  Transposer: () => new Transposer(),
  ToFloat32: () => new ToFloat32(),
};

function parametrized(c: Any): Any {
  const m = build(c.spec, "float64", c.params);
  for (const [t, cls, args] of c.regs) P.registerParametrization(m, t, MAKERS[cls](...args));
  m.loadStateDict(
    Object.fromEntries(Object.entries(c.state as Record<string, TensorSpec>).map(([k, s]) => [k, make(s)])),
  );
  return m;
}

for (const c of all.filter((c) => c.kind === "parametrize")) {
  Deno.test(`registerParametrization matches PyTorch: ${c.title}`, () => {
    const m = parametrized(c);
    assert.equal(m.constructor.name, c.className);
    assert.equal(P.typeBeforeParametrizations(m), nn.Linear);
    assert.equal(Object.getPrototypeOf(Object.getPrototypeOf(m)), nn.Linear.prototype, "a subclass of Linear");
    checkState(m, c.state, "state dict");
    const x = make(c.x, true);
    const out = m.forward(x);
    assertMatches(out, c.out, "output");
    out.backward(make(c.gradOut));
    checkGrads(m, x, c.grads, c.title);
    assertMatches(m.weight, c.weight, "module.weight");
    const tname = c.regs[0][0];
    if (c.assigned) {
      m[tname] = make(c.assigned);
      checkState(m, c.afterAssign, "state after assigning (rightInverse)");
    }
    for (const leave of [true, false]) {
      const r = c.removed[String(leave)];
      const mm = parametrized(c);
      if (c.assigned) mm[tname] = make(c.assigned);
      const names = [...new Set(c.regs.map((x: Any) => x[0]))] as string[];
      if (r.error) {
        throwsWith(
          () => P.removeParametrizations(mm, names[0], { leaveParametrized: leave }),
          RangeError,
          /^removeParametrizations: Cannot leave unparametrized \(`leaveParametrized: false`\) a tensor that is parametrized in terms of a sequence of tensors\.$/,
        );
        continue;
      }
      for (const n of names) P.removeParametrizations(mm, n, { leaveParametrized: leave });
      assert.deepEqual(Object.keys(mm.stateDict()), r.keys);
      assert.equal(mm.constructor.name, r.className);
      assert.ok(!P.isParametrized(mm) && mm.parametrizations === undefined);
      for (const n of names) assertMatches(mm[n], r.values[n], `${n} after removal (leave ${leave})`);
    }
  });
}

for (const c of all.filter((c) => c.kind === "parametrizeError")) {
  Deno.test(`registerParametrization checks like PyTorch: ${c.title}`, () => {
    const m = build(c.spec, "float64", c.params);
    const reg = () => P.registerParametrization(m, "weight", MAKERS[c.cls](...c.args), { unsafe: c.unsafe });
    if (!c.error) {
      reg();
      assert.deepEqual(m.weight.shape, c.weightShape);
      assert.deepEqual(Object.keys(m.stateDict()), c.keys);
      return;
    }
    const msg = escape(c.error).replace(/torch\\\.Size\\\(\\\[(.*?)\\\]\\\)/g, "\\[$1\\]").replace(
      /torch\\\.(float\d+)/g,
      "$1",
    );
    throwsWith(
      reg,
      c.error.includes("dtype") ? TypeError : RangeError,
      new RegExp(`^registerParametrization: ${msg}$`),
    );
    assert.ok(
      !P.isParametrized(m) && m.weight instanceof nn.Parameter,
      "a failed registration leaves the module alone",
    );
  });
}

Deno.test("parametrize: the original keeps its identity (optimizers stay valid) and training updates it", () => {
  const m = new nn.Linear(3, 2).double();
  const w0 = m.weight;
  const pm = P.registerParametrization(m, "weight", new Scale(2));
  assert.equal(pm.parametrizations.weight.original, w0);
  const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
  const before = w0.toArray().slice();
  m.forward(randn([4, 3], { dtype: "float64" })).sum().backward();
  opt.step();
  assert.notDeepEqual(w0.toArray(), before);
  // Chained: `original` stays the first parametrization's input.
  P.registerParametrization(m, "weight", new Scale(3));
  assert.equal(pm.parametrizations.weight.original, w0);
  assert.equal(pm.parametrizations.weight.length, 2);
  const sixTimes = Array.from(w0.toArray() as Float64Array, (v) => v * 6);
  assertMatches(m.weight, { shape: [2, 3], dtype: "float64", data: sixTimes }, "chain");
  P.removeParametrizations(m, "weight");
  assert.equal(m.weight, w0, "leaveParametrized keeps the Parameter object");
  assertMatches(w0, { shape: [2, 3], dtype: "float64", data: sixTimes }, "the parametrized values are written into it");
});

Deno.test("parametrize: buffers, isParametrized, typeBeforeParametrizations, train mode, cached", () => {
  const bn = new nn.BatchNorm1d(3).double();
  const pbn = P.registerParametrization(bn, "running_var", new Scale(2));
  assert.ok(P.isParametrized(bn) && P.isParametrized(bn, "running_var") && !P.isParametrized(bn, "weight"));
  assert.ok(!(pbn.parametrizations.running_var.original instanceof nn.Parameter));
  assert.ok(Object.keys(bn.stateDict()).includes("parametrizations.running_var.original"));
  assert.equal(P.typeBeforeParametrizations(bn), nn.BatchNorm1d);
  assert.equal(P.typeBeforeParametrizations(new nn.Linear(1, 1)), nn.Linear);
  const m = new nn.Linear(2, 2).eval();
  const s = new Scale(1);
  P.registerParametrization(m, "weight", s);
  assert.equal(s.training, false, "the parametrization takes the module's mode");
  let calls = 0;
  s.registerForwardHook(() => void calls++);
  calls = 0;
  P.cached(() => {
    m.forward(randn([1, 2]));
    m.forward(randn([1, 2]));
    assert.equal(m.weight, m.weight);
  });
  assert.equal(calls, 1, "computed once inside cached()");
  m.forward(randn([1, 2]));
  assert.equal(calls, 2);
  assert.equal(P.cached(() => 7), 7);
});

Deno.test("parametrize: errors", () => {
  const m = P.registerParametrization(new nn.Linear(2, 2), "weight", new Transposer());
  throwsWith(() => (m.weight = tensor([[1, 2], [3, 4]]) as Any), TypeError, /does not implement rightInverse$/);
  throwsWith(
    () => ((m as Any).weight = new nn.Parameter(zeros([2, 2]))),
    RangeError,
    /attribute 'weight' already exists/,
  );
  assert.ok(!m._parameters.has("weight"), "the rejected Parameter is not registered");
  throwsWith(
    () => P.registerParametrization(new nn.Linear(2, 2), "foo", new Scale(1)),
    RangeError,
    /^registerParametrization: Module 'Linear' does not have a parameter, a buffer, or a parametrized element with name 'foo'$/,
  );
  throwsWith(
    () => P.registerParametrization(new nn.Linear(2, 2), "weight", ((x: Tensor) => x) as Any),
    TypeError,
    /^registerParametrization: expected the parametrization to be an nn\.Module/,
  );
  throwsWith(
    () => P.registerParametrization(new nn.Linear(2, 2), "weight", new Scale(1), { unsafe: 1 } as Any),
    TypeError,
    /^registerParametrization: expected unsafe to be a boolean, got number 1/,
  );
  throwsWith(
    () => P.removeParametrizations(new nn.Linear(2, 2), "weight"),
    RangeError,
    /^removeParametrizations: Module Linear does not have a parametrization on weight$/,
  );
  throwsWith(
    () => P.removeParametrizations(m, "weight", { leave: true } as Any),
    TypeError,
    /^removeParametrizations: unknown option "leave"/,
  );
  throwsWith(() => P.cached(3 as Any), TypeError, /^cached: expected a function, got number 3/);
  // A chained parametrization must keep the shape.
  const l = P.registerParametrization(new nn.Linear(3, 2), "weight", new Scale(2));
  throwsWith(
    () => P.registerParametrization(l, "weight", new Transposer()),
    RangeError,
    /^registerParametrization: Registering a parametrization may not change the shape of the tensor, unless the `unsafe` flag is enabled\.\nmodule\.weight\.shape: \[2, 3\]\nparametrization\(module\.weight\)\.shape: \[3, 2\]$/,
  );
  assert.equal(l.parametrizations.weight.length, 1);
});

Deno.test("parametrized and weight-normed modules survive a deep copy (as Transformer's layer clones make)", () => {
  const m = P.registerParametrization(new nn.Linear(2, 2), "weight", new Scale(2));
  const c = deepCopyModule(m);
  assert.equal(c.constructor.name, "ParametrizedLinear");
  assert.deepEqual(Object.keys(c.stateDict()), ["bias", "parametrizations.weight.original"]);
  const x = randn([3, 2]);
  assert.deepEqual(c.forward(x).toArray(), m.forward(x).toArray());
  noGrad(() => c.parametrizations.weight.original.fill_(0));
  assert.ok((m.weight as Tensor).abs().sum().item() > 0 && (c.weight as Tensor).abs().sum().item() === 0);
  const w = U.weightNorm(new nn.Linear(2, 2));
  const wc = deepCopyModule(w);
  noGrad(() => wc.weight_g.fill_(0));
  wc.forward(x);
  w.forward(x);
  assert.ok((w.weight as Tensor).abs().sum().item() > 0 && (wc.weight as Tensor).abs().sum().item() === 0);
});
