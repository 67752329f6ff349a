/**
 * optim.lrScheduler against PyTorch 1.13 (tests/fixtures/lr_scheduler/cases.json, made by
 * tools/fixtures/lr_scheduler.py): learning-rate (and cycled momentum) sequences, final state
 * dicts, verbose output, state-dict round trips in the middle of a schedule, and errors.
 */

import assert from "node:assert/strict";
import { optim, tensor } from "../../mod.ts";
import { throwsWith } from "../util/fixture_json.ts";

const S = optim.lrScheduler;
type Sched = optim.lrScheduler.LRScheduler | optim.lrScheduler.ReduceLROnPlateau;

// deno-lint-ignore no-explicit-any
type Json = any;

const FNS: Record<string, (x: number) => number> = {
  exp95: (e) => 0.95 ** e,
  inv: (e) => 1 / (e + 1),
  const09: () => 0.9,
  warm4: (e) => Math.min(1.0, (e + 1) / 4),
  inv1p: (x) => 1 / (1 + x),
  half: (x) => 0.5 ** x,
};

const fixture = JSON.parse(
  Deno.readTextFileSync(new URL("../fixtures/lr_scheduler/cases.json", import.meta.url)),
);
const CASES: Json[] = fixture.cases;

function hydrate(v: Json): Json {
  if (v !== null && typeof v === "object" && !Array.isArray(v) && "fn" in v) return FNS[v.fn];
  if (Array.isArray(v)) return v.map(hydrate);
  return v;
}

function makeOptimizer(spec: Json): optim.Optimizer {
  const groups = spec.groups.map((g: Json) => ({ ...g, params: [tensor([1, 2], { requiresGrad: true })] }));
  // deno-lint-ignore no-explicit-any
  const Cls = (optim as any)[spec.cls];
  return new Cls(groups, spec.options);
}

function makeScheduler(spec: Json, opt: optim.Optimizer): Sched {
  // deno-lint-ignore no-explicit-any
  const Cls = (S as any)[spec.cls];
  const args = (spec.args ?? []).map(hydrate);
  const opts = Object.fromEntries(Object.entries(spec.opts ?? {}).map(([k, v]) => [k, hydrate(v)]));
  if (spec.cls === "ChainedScheduler") return new Cls(spec.schedulers.map((s: Json) => makeScheduler(s, opt)));
  if (spec.cls === "SequentialLR") {
    const subs = spec.schedulers.map((s: Json) => makeScheduler(s, opt));
    const owner = spec.otherOptimizer ? makeOptimizer(spec.otherOptimizer) : opt;
    return new Cls(owner, subs, ...args, opts);
  }
  return new Cls(opt, ...args, opts);
}

function doStep(s: Sched, arg: number | null): void {
  if (s instanceof S.ReduceLROnPlateau) s.step(arg as number);
  else if (arg === null) s.step();
  else s.step(arg);
}

const lrsOf = (opt: optim.Optimizer) => opt.paramGroups.map((g) => g.lr as number);
const momentaOf = (opt: optim.Optimizer) =>
  opt.paramGroups.map((g) => "betas" in g ? (g.betas as number[])[0] : (g.momentum as number | undefined) ?? 0);

/** Relative 1e-13: Math.cos / pow / log may differ from glibc's by an ulp, and the recursions carry that on. */
function close(got: number, want: number): boolean {
  if (got === want) return true;
  return Math.abs(got - want) <= 1e-13 * Math.max(Math.abs(want), 1e-300) + 1e-300;
}

function assertNumbers(what: string, got: readonly number[], want: readonly number[]): void {
  assert.equal(got.length, want.length, `${what}: length`);
  got.forEach((g, i) => {
    if (!close(g, want[i])) assert.fail(`${what}[${i}]: got ${g}, PyTorch has ${want[i]}`);
  });
}

function revive(v: Json): Json {
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  if (Array.isArray(v)) return v.map(revive);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
  return v;
}

function assertState(what: string, got: Json, want: Json): void {
  if (typeof want === "number") {
    assert.equal(typeof got, "number", `${what}: expected a number, got ${got}`);
    if (!close(got, want)) assert.fail(`${what}: got ${got}, PyTorch has ${want}`);
  } else if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${what}: expected an array, got ${JSON.stringify(got)}`);
    assert.equal(got.length, want.length, `${what}: length`);
    want.forEach((w, i) => assertState(`${what}[${i}]`, got[i], w));
  } else if (want !== null && typeof want === "object") {
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: keys`);
    for (const k of Object.keys(want)) assertState(`${what}.${k}`, got[k], want[k]);
  } else assert.equal(got, want, what);
}

const ERROR_CLASS: Record<string, ErrorConstructor> = {
  ValueError: RangeError,
  KeyError: RangeError,
  ZeroDivisionError: RangeError,
  TypeError: TypeError,
};

/** Our message for each PyTorch error case (PyTorch's text, with camelCase option names). */
const MESSAGES: Record<string, RegExp> = {
  "LambdaLR/wrong_count": /^LambdaLR: Expected 2 lr_lambdas, but got 1$/,
  "MultiplicativeLR/wrong_count": /^MultiplicativeLR: Expected 2 lr_lambdas, but got 3$/,
  "StepLR/missing_initial_lr":
    /^StepLR: param 'initial_lr' is not specified in param_groups\[0\] when resuming an optimizer$/,
  "ConstantLR/factor_above_1": /^ConstantLR: Constant multiplicative factor expected to be between 0 and 1, got 1\.5$/,
  "ConstantLR/factor_negative":
    /^ConstantLR: Constant multiplicative factor expected to be between 0 and 1, got -0\.1$/,
  "ConstantLR/factor_zero": /^ConstantLR\.step: float division by zero$/,
  "LinearLR/start_above_1": /^LinearLR: Starting multiplicative factor expected to be between 0 and 1, got 1\.5$/,
  "LinearLR/end_negative": /^LinearLR: Ending multiplicative factor expected to be between 0 and 1, got -0\.1$/,
  "LinearLR/start_zero": /^LinearLR\.step: float division by zero$/,
  "CosineAnnealingLR/tmax_zero": /^CosineAnnealingLR\.step: integer division or modulo by zero$/,
  "SequentialLR/milestone_count":
    /^SequentialLR: Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers 2 and the number of milestones to be equal to 2$/,
  "SequentialLR/other_optimizer":
    /^SequentialLR: Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index 0 to be different than the optimizer passed in\.$/,
  "ReduceLROnPlateau/factor_1": /^ReduceLROnPlateau: Factor should be < 1\.0, got 1$/,
  "ReduceLROnPlateau/bad_mode": /^ReduceLROnPlateau: mode mean is unknown!$/,
  "ReduceLROnPlateau/bad_threshold_mode": /^ReduceLROnPlateau: threshold mode pct is unknown!$/,
  "ReduceLROnPlateau/min_lr_count": /^ReduceLROnPlateau: expected 2 min_lrs, got 1$/,
  "CyclicLR/adam_momentum": /^CyclicLR: optimizer must support momentum with `cycleMomentum` option enabled$/,
  "CyclicLR/bad_mode": /^CyclicLR: mode is invalid and scaleFn is null \(mode "sine"\)$/,
  "CyclicLR/base_lr_count": /^CyclicLR: expected 2 values for baseLr, got 1$/,
  "CyclicLR/step_size_up_zero": /^CyclicLR\.step: float division by zero$/,
  "OneCycleLR/past_the_end": /^OneCycleLR\.step: Tried to step 7 times\. The specified number of total steps is 5$/,
  "OneCycleLR/no_total": /^OneCycleLR: You must define either totalSteps OR \(epochs AND stepsPerEpoch\)$/,
  "OneCycleLR/total_zero": /^OneCycleLR: Expected positive integer totalSteps, but got 0$/,
  "OneCycleLR/epochs_zero": /^OneCycleLR: Expected positive integer epochs, but got 0$/,
  "OneCycleLR/pct_start": /^OneCycleLR: Expected float between 0 and 1 pctStart, but got 1\.5$/,
  "OneCycleLR/anneal": /^OneCycleLR: annealStrategy must be one of 'cos' or 'linear', instead got exp$/,
  "OneCycleLR/adagrad_momentum": /^OneCycleLR: optimizer must support momentum with `cycleMomentum` option enabled$/,
  "OneCycleLR/empty_first_phase": /^OneCycleLR\.step: float division by zero$/,
  "OneCycleLR/max_lr_count": /^OneCycleLR: expected 2 values for maxLr, got 3$/,
  "CosineAnnealingWarmRestarts/negative_epoch":
    /^CosineAnnealingWarmRestarts\.step: Expected non-negative epoch, but got -1$/,
  "CosineAnnealingWarmRestarts/t0_zero": /^CosineAnnealingWarmRestarts: Expected positive integer T0, but got 0$/,
  "CosineAnnealingWarmRestarts/t0_fraction":
    /^CosineAnnealingWarmRestarts: Expected positive integer T0, but got 2\.5$/,
  "CosineAnnealingWarmRestarts/tmult_zero": /^CosineAnnealingWarmRestarts: Expected integer TMult >= 1, but got 0$/,
};

function withConsole<T>(fn: () => T): [T, string[]] {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    return [fn(), lines];
  } finally {
    console.log = orig;
  }
}

function checkCase(c: Json): void {
  const opt = makeOptimizer(c.optimizer);
  const err = c.error;
  if (err?.at === "init") {
    throwsWith(() => makeScheduler(c.scheduler, opt), ERROR_CLASS[err.type], MESSAGES[c.name]);
    return;
  }
  const [s, printed] = withConsole(() => {
    const s = makeScheduler(c.scheduler, opt);
    const check = (i: number) => {
      assertNumbers(`${c.name}: lr after step ${i}`, lrsOf(opt), c.lrs[i]);
      if (c.momenta) assertNumbers(`${c.name}: momentum after step ${i}`, momentaOf(opt), c.momenta[i]);
      if (i > 0) assertNumbers(`${c.name}: getLastLr after step ${i}`, s.getLastLr(), c.lrs[i]);
    };
    check(0);
    c.steps.forEach((arg: number | null, i: number) => {
      if (err?.at === i) throwsWith(() => doStep(s, arg), ERROR_CLASS[err.type], MESSAGES[c.name]);
      else if (err === undefined || i < err.at) {
        doStep(s, arg);
        check(i + 1);
      }
    });
    return s;
  });
  assert.deepEqual(printed, c.printed ?? [], `${c.name}: verbose output`);
  assertState(`${c.name}: stateDict`, s.stateDict(), revive(c.stateDict));
}

for (const c of CASES) {
  Deno.test(`lrScheduler matches PyTorch: ${c.name}`, () => checkCase(c));
}

Deno.test("lrScheduler: every PyTorch error case has an expected message", () => {
  for (const c of CASES) if (c.error) assert.ok(MESSAGES[c.name], `no message for ${c.name}`);
});

Deno.test("lrScheduler: a state-dict round trip in the middle of a schedule continues exactly", () => {
  const picked = CASES.filter((c) => c.resumeAt !== undefined);
  assert.ok(picked.length >= 15);
  for (const c of picked) {
    const k = c.resumeAt;
    const opt = makeOptimizer(c.optimizer);
    const s = makeScheduler(c.scheduler, opt);
    for (const arg of c.steps.slice(0, k)) doStep(s, arg);
    const osd = opt.stateDict(), ssd = s.stateDict();
    const opt2 = makeOptimizer(c.optimizer);
    const s2 = makeScheduler(c.scheduler, opt2);
    opt2.loadStateDict(osd);
    s2.loadStateDict(ssd);
    // Stepping the original on does not touch the saved copy.
    doStep(s, c.steps[k]);
    assertNumbers(`${c.name}: lr after loading`, lrsOf(opt2), c.lrs[k]);
    c.steps.slice(k).forEach((arg: number | null, j: number) => {
      doStep(s2, arg);
      assertNumbers(`${c.name}: lr ${k + j + 1} after the round trip`, lrsOf(opt2), c.lrs[k + j + 1]);
      if (c.momenta) assertNumbers(`${c.name}: momentum ${k + j + 1}`, momentaOf(opt2), c.momenta[k + j + 1]);
    });
  }
});

Deno.test("lrScheduler: loadStateDict accepts PyTorch's Python-only keys and rejects bad entries unchanged", () => {
  const opt = makeOptimizer({ cls: "SGD", groups: [{ lr: 0.1 }], options: { lr: 0.1 } });
  const s = new S.StepLR(opt, 3);
  s.loadStateDict({ last_epoch: 4, _get_lr_called_within_step: false, gamma: 0.5 });
  assert.equal(s.lastEpoch, 4);
  assert.equal(s.gamma, 0.5);
  throwsWith(
    () => s.loadStateDict({ last_epoch: 7, stepSize: 2 }),
    TypeError,
    /^StepLR\.loadStateDict: unknown key "stepSize" \(expected step_size, gamma, base_lrs/,
  );
  assert.equal(s.lastEpoch, 4); // nothing applied
  throwsWith(
    () => s.loadStateDict({ gamma: "0.5" }),
    TypeError,
    /^StepLR\.loadStateDict: expected gamma to be a number, got "0\.5"$/,
  );
  throwsWith(
    () => s.loadStateDict({ base_lrs: [0.1, 0.2] }),
    RangeError,
    /^StepLR\.loadStateDict: expected base_lrs to hold 1 values \(one per group\), got 2$/,
  );
  throwsWith(
    () => s.loadStateDict(null as never),
    TypeError,
    /^StepLR\.loadStateDict: expected a state dict object, got null$/,
  );
  const p = new S.ReduceLROnPlateau(opt);
  throwsWith(
    () => p.loadStateDict({ mode: "avg" }),
    RangeError,
    /^ReduceLROnPlateau\.loadStateDict: mode avg is unknown!$/,
  );
  const o1 = new S.OneCycleLR(makeOptimizer({ cls: "SGD", groups: [{ lr: 0.1 }], options: { lr: 0.1 } }), 1, {
    totalSteps: 10,
  });
  throwsWith(() => o1.loadStateDict({ anneal_func: "exp" }), TypeError, /expected anneal_func to be "cos" or "linear"/);
  o1.loadStateDict({ anneal_func: "linear" });
  assert.equal(o1.annealStrategy, "linear");
  // The returned dict is a copy.
  const sd = s.stateDict();
  (sd.base_lrs as number[])[0] = 99;
  assert.deepEqual(s.baseLrs, [0.1]);
});

Deno.test("lrScheduler: options are checked (unknown keys, types, required arguments, the optimizer)", () => {
  const opt = makeOptimizer({ cls: "SGD", groups: [{ lr: 0.1 }], options: { lr: 0.1 } });
  throwsWith(() => new S.StepLR(opt, 3, { gama: 0.5 } as never), TypeError, /^StepLR: unknown option "gama"/);
  throwsWith(() => new S.StepLR(opt, undefined as never), TypeError, /^StepLR: missing required argument stepSize$/);
  throwsWith(
    () => new S.StepLR(opt, 3, { lastEpoch: 1.5 }),
    TypeError,
    /^StepLR: expected lastEpoch to be an integer, got number 1\.5$/,
  );
  throwsWith(() => new S.ExponentialLR({} as never, 0.9), TypeError, /^ExponentialLR: Object is not an Optimizer$/);
  throwsWith(
    () => new S.LambdaLR(opt, 3 as never),
    TypeError,
    /^LambdaLR: expected lrLambda to be a function or an array of functions, got number 3$/,
  );
  throwsWith(
    () => new S.MultiStepLR(opt, 3 as never),
    TypeError,
    /^MultiStepLR: expected milestones to be an array of numbers, got number 3$/,
  );
  throwsWith(
    () => new S.ChainedScheduler([]),
    RangeError,
    /^ChainedScheduler: expected at least one scheduler, got 0$/,
  );
  const other = makeOptimizer({ cls: "SGD", groups: [{ lr: 0.1 }], options: { lr: 0.1 } });
  throwsWith(
    () => new S.ChainedScheduler([new S.StepLR(opt, 2), new S.StepLR(other, 2)]),
    RangeError,
    /^ChainedScheduler: ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and 1 to be different$/,
  );
  throwsWith(
    () => new S.ChainedScheduler([new S.ReduceLROnPlateau(opt) as never]),
    TypeError,
    /^ChainedScheduler: expected schedulers\[0\] to be an LRScheduler, got ReduceLROnPlateau$/,
  );
  throwsWith(
    () => new S.LambdaLR(opt, () => "x" as never),
    TypeError,
    /^LambdaLR\.step: lrLambda returned "x", expected a number$/,
  );
  throwsWith(
    () => new S.ReduceLROnPlateau(opt).step("1" as never),
    TypeError,
    /^ReduceLROnPlateau\.step: expected metrics to be a number or a tensor, got "1"$/,
  );
  throwsWith(
    () => new S.SequentialLR(opt, [new S.StepLR(opt, 2)], []).step(3),
    TypeError,
    /^SequentialLR\.step: takes no epoch, got number 3$/,
  );
});

Deno.test("lrScheduler: the optimizer's steps use the scheduled learning rate", () => {
  const w = tensor([1], { requiresGrad: true });
  const opt = new optim.SGD([w], { lr: 1 });
  const sched = new S.StepLR(opt, 1, 0.5);
  const seen: number[] = [];
  for (let i = 0; i < 3; i++) {
    w.grad = tensor([1]);
    const before = w.item() as number;
    opt.step();
    seen.push(before - (w.item() as number));
    sched.step();
  }
  assert.deepEqual(seen, [1, 0.5, 0.25]);
  assert.equal(opt.paramGroups[0].initial_lr, 1);
});

Deno.test("ReduceLROnPlateau takes a one-element tensor as the metric", () => {
  const opt = makeOptimizer({ cls: "SGD", groups: [{ lr: 1 }], options: { lr: 1 } });
  const s = new S.ReduceLROnPlateau(opt, "max", { patience: 0, factor: 0.5 });
  s.step(tensor([2]));
  s.step(tensor(1.5));
  assert.deepEqual(s.getLastLr(), [0.5]);
  assert.equal(s.best, 2);
  assert.equal(s.lastEpoch, 2);
});

Deno.test("LRScheduler subclasses: getLr alone serves step(epoch); getLastLr hands out a copy", () => {
  class Halve extends S.LRScheduler {
    constructor(opt: optim.Optimizer, options = {}) {
      super(opt, options);
      this.initialStep();
    }
    protected override getLr(): number[] {
      return this.baseLrs.map((lr) => lr / 2 ** this.lastEpoch);
    }
  }
  const opt = makeOptimizer({ cls: "SGD", groups: [{ lr: 1 }, { lr: 4 }], options: { lr: 1 } });
  const s = new Halve(opt);
  s.step(3);
  assert.deepEqual(s.getLastLr(), [0.125, 0.5]);
  s.getLastLr()[0] = 7;
  assert.deepEqual(s.getLastLr(), [0.125, 0.5]);
  assert.deepEqual(s.stateDict(), {
    base_lrs: [1, 4],
    last_epoch: 3,
    verbose: false,
    _step_count: 2,
    _last_lr: [0.125, 0.5],
  });
  throwsWith(() => new Halve(opt, { lastEpoch: 2, warmup: 1 }), TypeError, /^Halve: unknown option "warmup"/);
});
