/**
 * Shared checks for the optimizer tests: replaying PyTorch trajectories from
 * tests/fixtures/optim/*.json (made by tools/fixtures/optim.py), the stateDict round trip, and
 * an error-assertion helper.
 */

import assert from "node:assert/strict";
import { memory, type optim, type Tensor, tensor, tidy } from "../../mod.ts";

/** One recorded PyTorch run. */
export interface OptimCase {
  name: string;
  options: Record<string, unknown>;
  groups: ({ params: number[] } & Record<string, unknown>)[] | null;
  dtype: "float32" | "float64";
  shapes: number[][];
  initial: number[][];
  steps: { grads: (number[] | null)[]; params: number[][] }[];
  state: Record<string, number | number[]>[];
}

// deno-lint-ignore no-explicit-any
export type OptimizerClass = new (params: any, options?: any) => optim.Optimizer<any>;

/** The cases of tests/fixtures/optim/<name>.json. */
export function fixtureCases(name: string): OptimCase[] {
  const url = new URL(`../fixtures/optim/${name}.json`, import.meta.url);
  return JSON.parse(Deno.readTextFileSync(url)).cases;
}

function makeTensor(values: readonly number[], shape: number[], dtype: string, requiresGrad = false): Tensor {
  const data = dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values);
  return tensor(data, { shape, requiresGrad });
}

/** Tolerances per dtype: float64 pins the formula down to rounding, float32 follows the benchmarks. */
export function tolerance(dtype: string): { atol: number; rtol: number } {
  return dtype === "float64" ? { atol: 1e-12, rtol: 1e-10 } : { atol: 1e-6, rtol: 1e-5 };
}

/** Asserts that `got` matches `want` elementwise within the tolerance, naming the first bad element. */
export function assertClose(what: string, got: ArrayLike<number>, want: readonly number[], dtype: string): void {
  const { atol, rtol } = tolerance(dtype);
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= atol + rtol * Math.abs(want[i]))) {
      assert.fail(`${what}: element ${i} is ${got[i]}, PyTorch has ${want[i]} (atol ${atol}, rtol ${rtol})`);
    }
  }
}

/** The parameters of a case and an optimizer over them, built the way the fixture script did. */
export function build(Cls: OptimizerClass, c: OptimCase): { params: Tensor[]; opt: optim.Optimizer } {
  const params = c.initial.map((v, i) => makeTensor(v, c.shapes[i], c.dtype, true));
  const spec = c.groups === null ? params : c.groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]) }));
  return { params, opt: new Cls(spec, c.options) };
}

/** Feeds the gradients of step `s` and steps once. */
export function feed(c: OptimCase, s: number, params: Tensor[], opt: optim.Optimizer): void {
  c.steps[s].grads.forEach((g, j) => {
    params[j].grad = g === null ? null : makeTensor(g, c.shapes[j], c.dtype);
  });
  opt.step();
}

/** Replays a case and compares every step's parameters and the final state with PyTorch's. */
export function checkCase(Cls: OptimizerClass, c: OptimCase): void {
  const { params, opt } = build(Cls, c);
  c.steps.forEach((step, s) => {
    feed(c, s, params, opt);
    params.forEach((p, j) => {
      assert.equal(p.dtype, c.dtype);
      assertClose(`${c.name} step ${s} param ${j}`, p.toArray() as ArrayLike<number>, step.params[j], c.dtype);
    });
  });
  const sd = opt.stateDict();
  c.state.forEach((want, j) => {
    const got = sd.state[j];
    if (Object.keys(want).length === 0) {
      // PyTorch's SGD without momentum stores momentum_buffer = None; denotorch stores nothing.
      assert.ok(got === undefined || Object.keys(got).length === 0, `${c.name}: unexpected state for parameter ${j}`);
      return;
    }
    assert.ok(got, `${c.name}: no state for parameter ${j}`);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${c.name}: state keys of parameter ${j}`);
    for (const [k, v] of Object.entries(want)) {
      const g = got[k];
      if (typeof v === "number") assert.equal(g, v, `${c.name}: state ${k} of parameter ${j}`);
      else {
        assert.ok(typeof g === "object", `${c.name}: state ${k} should be a tensor`);
        assertClose(
          `${c.name}: state ${k} of parameter ${j}`,
          (g as Tensor).toArray() as ArrayLike<number>,
          v,
          c.dtype,
        );
      }
    }
  });
}

/**
 * Runs a case uninterrupted, and again with a stateDict / fresh optimizer / loadStateDict
 * break after `at` steps; the two runs must agree bit for bit.
 */
export function checkRoundTrip(Cls: OptimizerClass, c: OptimCase, at: number): void {
  const a = build(Cls, c);
  for (let s = 0; s < c.steps.length; s++) feed(c, s, a.params, a.opt);

  const b = build(Cls, c);
  for (let s = 0; s < at; s++) feed(c, s, b.params, b.opt);
  const saved = b.opt.stateDict();
  // A new optimizer over new tensors holding the same values, as after reloading a checkpoint.
  const params2 = b.params.map((p) => tensor(p.toArray(), { shape: [...p.shape], requiresGrad: true }));
  const spec = c.groups === null ? params2 : c.groups.map((g) => ({ ...g, params: g.params.map((i) => params2[i]) }));
  const opt2 = new Cls(spec, c.options);
  opt2.loadStateDict(saved);
  // Stepping the old optimizer on must not disturb the loaded copy: its tensors are copies.
  feed(c, at, b.params, b.opt);
  for (let s = at; s < c.steps.length; s++) feed(c, s, params2, opt2);
  a.params.forEach((p, j) => {
    assert.deepEqual(params2[j].toArray(), p.toArray(), `${c.name}: parameter ${j} after the round trip`);
  });
  const sa = a.opt.stateDict(), s2 = opt2.stateDict();
  assert.deepEqual(s2.param_groups, sa.param_groups);
  for (const [j, st] of Object.entries(sa.state)) {
    for (const [k, v] of Object.entries(st)) {
      const w = s2.state[Number(j)][k];
      if (typeof v === "number") assert.equal(w, v);
      else assert.deepEqual((w as Tensor).toArray(), v.toArray(), `${c.name}: state ${k} of parameter ${j}`);
    }
  }
}

function countState(opt: optim.Optimizer): number {
  let n = 0;
  for (const st of opt.state.values()) {
    for (const v of Object.values(st)) {
      if (typeof v === "object") {
        assert.equal(v.isDisposed, false, "a state tensor was disposed");
        n++;
      }
    }
  }
  return n;
}

/**
 * Steps leave nothing behind but the optimizer state: temporaries are freed as the step goes,
 * and state created inside `tidy` survives it. Runs the case once plainly and once in `tidy`.
 */
export function checkNoLeaks(Cls: OptimizerClass, c: OptimCase): void {
  for (const useTidy of [false, true]) {
    const { params, opt } = build(Cls, c);
    const clear = () =>
      params.forEach((p) => {
        p.grad?.dispose();
        p.grad = null;
      });
    const before = memory().liveTensors - countState(opt); // Adagrad has state from the start
    for (let s = 0; s < c.steps.length; s++) {
      if (useTidy) tidy(() => feed(c, s, params, opt));
      else feed(c, s, params, opt);
      clear();
    }
    assert.equal(
      memory().liveTensors,
      before + countState(opt),
      `${c.name}: live tensors after the steps (tidy ${useTidy})`,
    );
    c.steps.at(-1)!.params.forEach((want, j) => {
      assertClose(`${c.name} param ${j} (tidy ${useTidy})`, params[j].toArray() as ArrayLike<number>, want, c.dtype);
    });
  }
}

/** Asserts that `fn` throws an instance of `Cls` whose message matches `re`. */
export function throwsWith(fn: () => unknown, Cls: ErrorConstructor, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Cls, `expected a ${Cls.name}, got ${e}`);
    assert.match((e as Error).message, re);
    return true;
  });
}

/**
 * Registers the tests every optimizer file shares: each PyTorch case of `fixture` replayed, and
 * over the `picked` cases a stateDict round trip (break after 2 steps) and a leak check.
 */
export function fixtureSuite(label: string, Cls: OptimizerClass, fixture: string, picked: readonly string[]): void {
  const cases = fixtureCases(fixture);
  const named = (name: string) => {
    const c = cases.find((c) => c.name === name);
    if (c === undefined) throw new Error(`${fixture}: no fixture case ${name}`);
    return c;
  };
  for (const c of cases) {
    Deno.test(`${label} matches PyTorch: ${c.name}`, () => checkCase(Cls, c));
  }
  Deno.test(`${label} stateDict round trip continues exactly`, () => {
    for (const name of picked) checkRoundTrip(Cls, named(name), 2);
  });
  Deno.test(`${label} steps free their temporaries and keep state through tidy`, () => {
    for (const name of picked) checkNoLeaks(Cls, named(name));
  });
}
