import assert from "node:assert/strict";
import { memory, nn, optim, type Tensor, tensor, tidy } from "../../mod.ts";
import { throwsWith } from "./helpers.ts";
import { EXTRA } from "./extra_fixture.ts";

const F = nn.functional;

interface LbfgsCase {
  name: string;
  problem: "quadratic" | "mlp" | "rosenbrock";
  options: Record<string, unknown>;
  dtype: "float32" | "float64";
  data: Record<string, number[]>;
  shapes: number[][];
  initial: number[][];
  steps: { loss: number; calls: number; func_evals: number; n_iter: number; params: number[][] }[];
  state: Record<string, number | number[] | number[][] | (number | null)[]>;
}

const cases: LbfgsCase[] = EXTRA.lbfgs;

function make(values: number[], shape: number[], dtype: string, requiresGrad = false): Tensor {
  const data = dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values);
  return tensor(data, { shape, requiresGrad });
}

/** The loss of a case's problem, written as the fixture script writes it. */
function lossFn(c: LbfgsCase): (params: Tensor[]) => Tensor {
  if (c.problem === "quadratic") {
    const a = make(c.data.a, [5, 5], c.dtype), b = make(c.data.b, [5], c.dtype);
    return ([x]) => a.matmul(x).mul(x).sum().mul(0.5).sub(b.mul(x).sum());
  }
  if (c.problem === "rosenbrock") {
    return ([x]) => {
      const head = x.narrow(0, 0, 3), tail = x.narrow(0, 1, 3);
      return tail.sub(head.pow(2)).pow(2).mul(100).add(head.neg().add(1).pow(2)).sum();
    };
  }
  const xs = make(c.data.x, [6, 3], c.dtype), ys = make(c.data.y, [6, 1], c.dtype);
  return ([w1, b1, w2, b2]) => F.mseLoss(F.linear(F.linear(xs, w1, b1).tanh(), w2, b2), ys);
}

function setup(c: LbfgsCase, initial = c.initial) {
  const params = initial.map((v, i) => make(v, c.shapes[i], c.dtype, true));
  const opt = new optim.LBFGS(params, c.options);
  const f = lossFn(c);
  const counter = { calls: 0 };
  const closure = () => {
    counter.calls++;
    opt.zeroGrad();
    const loss = f(params);
    loss.backward();
    return loss;
  };
  return { params, opt, closure, counter };
}

// "loose" is for the converged case's final history, built from gradients of size ~1e-6 whose
// differences are dominated by rounding (dot products summed in another order than PyTorch's).
const tol = (dtype: string) => dtype === "float64" ? { atol: 1e-10, rtol: 1e-8 } : { atol: 2e-5, rtol: 2e-4 };
const loose = { atol: 1e-9, rtol: 1e-5 };

function close(what: string, got: number | null, want: number | null, dtype: string, t = tol(dtype)): void {
  if (want === null || got === null) {
    assert.equal(got, want, what);
    return;
  }
  const { atol, rtol } = t;
  if (!(Math.abs(got - want) <= atol + rtol * Math.abs(want))) assert.fail(`${what}: ${got}, PyTorch has ${want}`);
}

function closeAll(what: string, got: ArrayLike<number>, want: readonly number[], dtype: string, t = tol(dtype)): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) close(`${what}[${i}]`, got[i], want[i], dtype, t);
}

const arr = (t: unknown) => (t as Tensor).toArray() as ArrayLike<number>;

for (const c of cases) {
  Deno.test(`LBFGS matches PyTorch: ${c.name}`, () => {
    const { params, opt, closure, counter } = setup(c);
    c.steps.forEach((want, s) => {
      counter.calls = 0;
      const loss = opt.step(closure) as Tensor;
      close(`${c.name} step ${s} loss`, loss.item(), want.loss, c.dtype);
      assert.equal(counter.calls, want.calls, `${c.name} step ${s}: closure calls`);
      const st = opt.lbfgsState!;
      assert.equal(st.func_evals, want.func_evals, `${c.name} step ${s}: func_evals`);
      assert.equal(st.n_iter, want.n_iter, `${c.name} step ${s}: n_iter`);
      params.forEach((p, j) => {
        assert.equal(p.dtype, c.dtype);
        closeAll(`${c.name} step ${s} param ${j}`, arr(p), want.params[j], c.dtype);
      });
    });
    const sd = opt.stateDict();
    assert.deepEqual(Object.keys(sd.state), ["0"]);
    const got = sd.state[0] as unknown as Record<string, unknown>;
    const t = c.name.includes("converged") ? loose : tol(c.dtype);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(c.state).sort(), `${c.name}: state keys`);
    for (const [k, v] of Object.entries(c.state)) {
      const g = got[k];
      if (k === "func_evals" || k === "n_iter") assert.equal(g, v, `${c.name}: ${k}`);
      else if (typeof v === "number") close(`${c.name}: state ${k}`, g as number, v, c.dtype, t);
      else if (k === "d" || k === "prev_flat_grad") {
        closeAll(`${c.name}: state ${k}`, arr(g), v as number[], c.dtype, t);
      } else if (k === "old_dirs" || k === "old_stps") {
        const list = v as number[][];
        assert.equal((g as Tensor[]).length, list.length, `${c.name}: ${k} length`);
        list.forEach((w, i) => closeAll(`${c.name}: state ${k}[${i}]`, arr((g as Tensor[])[i]), w, c.dtype, t));
      } else {
        const list = v as (number | null)[];
        assert.equal((g as unknown[]).length, list.length, `${c.name}: ${k} length`);
        list.forEach((w, i) => close(`${c.name}: state ${k}[${i}]`, (g as (number | null)[])[i], w, c.dtype, t));
      }
    }
  });
}

Deno.test("LBFGS stateDict round trip continues exactly", () => {
  for (const name of ["lbfgs/quadratic/plain/float64", "lbfgs/mlp/strong_wolfe/float64"]) {
    const c = cases.find((c) => c.name === name)!;
    const a = setup(c);
    for (let s = 0; s < c.steps.length; s++) a.opt.step(a.closure);
    const b = setup(c);
    b.opt.step(b.closure);
    const saved = b.opt.stateDict();
    const b2 = setup(c, b.params.map((p) => Array.from(arr(p))));
    // The old optimizer steps on (dropping history entries) before the load: the saved state
    // holds copies, not the tensors LBFGS disposes as they leave its history.
    b.opt.step(b.closure);
    b.opt.step(b.closure);
    b2.opt.loadStateDict(saved);
    for (let s = 1; s < c.steps.length; s++) b2.opt.step(b2.closure);
    a.params.forEach((p, j) => assert.deepEqual(arr(b2.params[j]), arr(p), `${name}: parameter ${j}`));
    assert.deepEqual(b2.opt.stateDict().param_groups, a.opt.stateDict().param_groups);
    assert.equal(b2.opt.lbfgsState!.func_evals, a.opt.lbfgsState!.func_evals);
    assert.deepEqual(arr(b2.opt.lbfgsState!.d), arr(a.opt.lbfgsState!.d));
  }
});

// Outside tidy, a closure's temporaries (and the graph the returned loss keeps) live until the
// garbage collector takes them, so the count is only exact for steps run in tidy.
Deno.test("LBFGS steps in tidy leave only the state and the gradients behind", () => {
  for (const name of ["lbfgs/quadratic/plain/float64", "lbfgs/mlp/strong_wolfe/float64"]) {
    const c = cases.find((c) => c.name === name)!;
    {
      const { params, opt, closure } = setup(c);
      const before = memory().liveTensors;
      for (let s = 0; s < c.steps.length; s++) tidy(() => void opt.step(closure));
      const st = opt.lbfgsState!;
      const stateTensors = 2 + st.old_dirs!.length + st.old_stps!.length; // d, prev_flat_grad, history
      assert.equal(st.old_dirs!.length, (c.state.old_dirs as number[][]).length);
      assert.equal(
        memory().liveTensors,
        before + stateTensors + params.length,
        `${name}: live tensors after the steps`,
      );
      c.steps.at(-1)!.params.forEach((want, j) => closeAll(`${name} param ${j}`, arr(params[j]), want, c.dtype));
    }
  }
});

Deno.test("LBFGS defaults and option checks", () => {
  const p = [tensor([1, 2], { requiresGrad: true })];
  const opt = new optim.LBFGS(p);
  assert.deepEqual({ ...opt.paramGroups[0], params: undefined }, {
    lr: 1,
    maxIter: 20,
    maxEval: 25,
    toleranceGrad: 1e-7,
    toleranceChange: 1e-9,
    historySize: 100,
    lineSearchFn: null,
    params: undefined,
  });
  assert.equal(new optim.LBFGS(p, { maxIter: 7 }).defaults.maxEval, 8);
  assert.equal(new optim.LBFGS(p, 0.5).defaults.lr, 0.5);
  throwsWith(
    () => new optim.LBFGS([{ params: p }, { params: [tensor([1], { requiresGrad: true })] }]),
    RangeError,
    /^LBFGS: LBFGS doesn't support per-parameter options \(parameter groups\)$/,
  );
  throwsWith(
    () => opt.addParamGroup({ params: [tensor([1], { requiresGrad: true })] }),
    RangeError,
    /parameter groups/,
  );
  throwsWith(
    () => new optim.LBFGS(p, { lineSearchFn: "backtracking" as never }),
    RangeError,
    /^LBFGS: only 'strong_wolfe' is supported as lineSearchFn, got "backtracking"$/,
  );
  throwsWith(
    () => new optim.LBFGS(p, { lineSearchFn: 1 as never }),
    TypeError,
    /expected lineSearchFn to be "strong_wolfe" or null/,
  );
  throwsWith(
    () => new optim.LBFGS(p, { maxIter: 0 }),
    RangeError,
    /^LBFGS: expected maxIter to be a positive integer, got 0$/,
  );
  throwsWith(
    () => new optim.LBFGS(p, { historySize: 2.5 }),
    RangeError,
    /expected historySize to be a positive integer, got 2\.5/,
  );
  throwsWith(() => new optim.LBFGS(p, { maxEval: "3" as never }), TypeError, /expected maxEval to be a number or null/);
  throwsWith(() => new optim.LBFGS(p, { max_iter: 3 } as never), TypeError, /^LBFGS: unknown option "max_iter"/);
  throwsWith(() => opt.step(), TypeError, /^LBFGS\.step: expected a closure that re-evaluates the model/);
  throwsWith(() => opt.step(() => "x"), TypeError, /expected the closure to return the loss as a tensor or a number/);
});

Deno.test("LBFGS returns at once when the gradient is already below toleranceGrad", () => {
  const x = tensor(new Float64Array([1, 2]), { requiresGrad: true });
  const opt = new optim.LBFGS([x]);
  let calls = 0;
  const loss = opt.step(() => {
    calls++;
    opt.zeroGrad();
    const l = x.sub(tensor(new Float64Array([1, 2]))).square().sum();
    l.backward();
    return l;
  });
  assert.equal(calls, 1);
  assert.equal((loss as Tensor).item(), 0);
  assert.deepEqual(Object.keys(opt.stateDict().state[0]), ["func_evals", "n_iter"]);
  assert.deepEqual(x.tolist(), [1, 2]);
});

Deno.test("LBFGS takes its options from a single parameter group too", () => {
  const p = tensor([1, 2], { requiresGrad: true });
  const opt = new optim.LBFGS([{ params: [p], lineSearchFn: "strong_wolfe", maxIter: 8 }], { lr: 0.5 });
  assert.deepEqual({ ...opt.paramGroups[0], params: undefined }, {
    lr: 0.5,
    maxIter: 8,
    maxEval: 25, // from the defaults, computed from their maxIter, as PyTorch does
    toleranceGrad: 1e-7,
    toleranceChange: 1e-9,
    historySize: 100,
    lineSearchFn: "strong_wolfe",
    params: undefined,
  });
  const q = tensor([1], { requiresGrad: true });
  assert.equal(new optim.LBFGS([{ params: [q], maxIter: 8, maxEval: null as never }]).paramGroups[0].maxEval, 10);
  throwsWith(
    () => new optim.LBFGS([{ params: [q], lineSearchFn: "armijo" as never }]),
    RangeError,
    /^LBFGS: only 'strong_wolfe' is supported as lineSearchFn, got "armijo"$/,
  );
});
