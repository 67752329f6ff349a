/**
 * The epoch-indexed schedulers of `optim.lrScheduler` that multiply the learning rate by a
 * factor: `LambdaLR`, `MultiplicativeLR`, `StepLR`, `MultiStepLR`, `ConstantLR`, `LinearLR`
 * and `ExponentialLR` (PyTorch 1.13's formulas; see lr_scheduler.ts).
 *
 * @module
 */

import type { Optimizer } from "./optimizer.ts";
import { describe } from "../tensor/shape.ts";
import {
  COMMON_SPECS,
  fields,
  groupLrs,
  LRScheduler,
  type LRSchedulerOptions,
  parseSchedulerArgs,
  pyDiv,
  pyFloorDiv,
  pyMod,
  type StateField,
} from "./lr_scheduler_base.ts";

/** A function of the epoch giving a factor, as `LambdaLR` and `MultiplicativeLR` take. */
export type LrLambda = (epoch: number) => number;

/** The lr_lambdas of LambdaLR and MultiplicativeLR: one function, or one per group. */
function lambdas(call: string, optimizer: Optimizer, lrLambda: unknown): LrLambda[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(lrLambda)) {
    if (lrLambda.length !== n) throw new RangeError(`${call}: Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
    lrLambda.forEach((f, i) => {
      if (typeof f !== "function") {
        throw new TypeError(`${call}: expected lrLambda[${i}] to be a function, got ${describe(f)}`);
      }
    });
    return [...lrLambda];
  }
  if (typeof lrLambda !== "function") {
    throw new TypeError(
      `${call}: expected lrLambda to be a function or an array of functions, got ${describe(lrLambda)}`,
    );
  }
  return new Array(n).fill(lrLambda);
}

function callLambda(call: string, f: LrLambda, epoch: number): number {
  const v = f(epoch);
  if (typeof v !== "number") throw new TypeError(`${call}: lrLambda returned ${describe(v)}, expected a number`);
  return v;
}

/** lr_lambdas as PyTorch saves them: plain functions as null, a function with own properties as those. */
function saveLambdas(fns: LrLambda[]): unknown {
  return fns.map((f) => (Object.keys(f).length === 0 ? null : { ...f }));
}

function loadLambdas(call: string, fns: LrLambda[], value: unknown): () => void {
  if (!Array.isArray(value) || value.length !== fns.length) {
    throw new TypeError(`${call}: expected lr_lambdas to be an array of ${fns.length}, got ${describe(value)}`);
  }
  return () => value.forEach((v, i) => v !== null && Object.assign(fns[i], v));
}

/**
 * Sets each group's learning rate to its initial one times `lrLambda(epoch)` (PyTorch's
 * `LambdaLR`). `lrLambda` is one function or one per parameter group.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
 * const sched = new optim.lrScheduler.LambdaLR(opt, (epoch) => 1 / (epoch + 1));
 * sched.step();
 * console.log(sched.getLastLr()); // [0.05]
 * ```
 */
export class LambdaLR extends LRScheduler {
  /** The functions, one per group. */
  lrLambdas: LrLambda[] = [];

  /** The state-dict entries: the base's and `lr_lambdas`. */
  protected override stateFields(): StateField[] {
    return [...super.stateFields(), ...fields(["lr_lambdas", "lrLambdas", "custom"])];
  }

  /** Saves `lr_lambdas` as PyTorch does: null for a plain function. */
  protected override saveCustom(): unknown {
    return saveLambdas(this.lrLambdas);
  }

  /** Loads `lr_lambdas`: the entries that are not null are assigned onto the functions. */
  protected override loadCustom(_f: StateField, value: unknown): () => void {
    return loadLambdas("LambdaLR.loadStateDict", this.lrLambdas, value);
  }

  /**
   * Builds the scheduler and takes its first step, which sets each group's `lr`.
   *
   * @param optimizer the optimizer to schedule
   * @param lrLambda the factor as a function of the epoch, or one such function per group
   * @param options `lastEpoch`, `verbose`
   */
  constructor(optimizer: Optimizer, lrLambda: LrLambda | LrLambda[], options: LRSchedulerOptions = {}) {
    const o = parseSchedulerArgs("LambdaLR", [options], COMMON_SPECS);
    const fns = lambdas("LambdaLR", optimizer, lrLambda);
    super(optimizer, o);
    this.lrLambdas = fns;
    this.initialStep();
  }

  /** PyTorch's chainable `get_lr`: the learning rates for `lastEpoch`. */
  protected override getLr(): number[] {
    return this.baseLrs.map((lr, i) => lr * callLambda("LambdaLR.step", this.lrLambdas[i], this.lastEpoch));
  }
}

/**
 * Multiplies each group's learning rate by `lrLambda(epoch)` every epoch after the first
 * (PyTorch's `MultiplicativeLR`).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.lrScheduler.MultiplicativeLR(opt, () => 0.5);
 * sched.step();
 * sched.step();
 * console.log(sched.getLastLr()); // [0.25]
 * ```
 */
export class MultiplicativeLR extends LRScheduler {
  /** The functions, one per group. */
  lrLambdas: LrLambda[] = [];

  /** The state-dict entries: the base's and `lr_lambdas`. */
  protected override stateFields(): StateField[] {
    return [...super.stateFields(), ...fields(["lr_lambdas", "lrLambdas", "custom"])];
  }

  /** Saves `lr_lambdas` as PyTorch does: null for a plain function. */
  protected override saveCustom(): unknown {
    return saveLambdas(this.lrLambdas);
  }

  /** Loads `lr_lambdas`: the entries that are not null are assigned onto the functions. */
  protected override loadCustom(_f: StateField, value: unknown): () => void {
    return loadLambdas("MultiplicativeLR.loadStateDict", this.lrLambdas, value);
  }

  /**
   * Builds the scheduler and takes its first step, which sets each group's `lr`.
   *
   * @param optimizer the optimizer to schedule
   * @param lrLambda the factor as a function of the epoch, or one such function per group
   * @param options `lastEpoch`, `verbose`
   */
  constructor(optimizer: Optimizer, lrLambda: LrLambda | LrLambda[], options: LRSchedulerOptions = {}) {
    const o = parseSchedulerArgs("MultiplicativeLR", [options], COMMON_SPECS);
    const fns = lambdas("MultiplicativeLR", optimizer, lrLambda);
    super(optimizer, o);
    this.lrLambdas = fns;
    this.initialStep();
  }

  /** PyTorch's chainable `get_lr`: the learning rates for `lastEpoch`. */
  protected override getLr(): number[] {
    const lrs = groupLrs(this);
    if (this.lastEpoch <= 0) return lrs;
    return lrs.map((lr, i) => lr * callLambda("MultiplicativeLR.step", this.lrLambdas[i], this.lastEpoch));
  }
}

/** Options of `StepLR`. */
export interface StepLROptions extends LRSchedulerOptions {
  /** The factor applied every `stepSize` epochs (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies each group's learning rate by `gamma` every `stepSize` epochs (PyTorch's `StepLR`).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.lrScheduler.StepLR(opt, 2, { gamma: 0.5 });
 * const lrs = [];
 * for (let i = 0; i < 5; i++) {
 *   sched.step();
 *   lrs.push(sched.getLastLr()[0]);
 * }
 * console.log(lrs); // [1, 0.5, 0.5, 0.25, 0.25]
 * ```
 */
export class StepLR extends LRScheduler {
  /** The period of the decay, in epochs. */
  stepSize: number;
  /** The decay factor. */
  gamma: number;

  /**
   * Builds the scheduler and takes its first step, which sets each group's `lr`.
   *
   * @param optimizer the optimizer to schedule
   * @param stepSize the period of the decay
   * @param gamma the factor (default 0.1), or the options
   * @param options `gamma`, `lastEpoch`, `verbose`
   */
  constructor(optimizer: Optimizer, stepSize: number, gamma?: number | StepLROptions, options?: StepLROptions) {
    const o = parseSchedulerArgs("StepLR", [stepSize, gamma, options], [
      { name: "stepSize", kind: "number", default: undefined },
      { name: "gamma", kind: "number", default: 0.1 },
      ...COMMON_SPECS.map((s) => ({ ...s, keywordOnly: true })),
    ], ["stepSize"]);
    super(optimizer, { lastEpoch: o.lastEpoch as number, verbose: o.verbose as boolean });
    this.stepSize = o.stepSize as number;
    this.gamma = o.gamma as number;
    this.initialStep();
  }

  /** The state-dict entries, with PyTorch's keys. */
  protected override stateFields(): StateField[] {
    return [...fields(["step_size", "stepSize", "number"], ["gamma", "gamma", "number"]), ...super.stateFields()];
  }

  /** PyTorch's chainable `get_lr`: the learning rates for `lastEpoch`. */
  protected override getLr(): number[] {
    const lrs = groupLrs(this);
    if (this.lastEpoch === 0 || pyMod("StepLR.step", this.lastEpoch, this.stepSize) !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

  /** PyTorch's `_get_closed_form_lr`: the learning rates for `lastEpoch` from the base ones (for `step(epoch)`). */
  protected override getClosedFormLr(): number[] {
    const k = pyFloorDiv("StepLR.step", this.lastEpoch, this.stepSize);
    return this.baseLrs.map((lr) => lr * this.gamma ** k);
  }
}

/** Options of `MultiStepLR`. */
export interface MultiStepLROptions extends LRSchedulerOptions {
  /** The factor applied at each milestone (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies each group's learning rate by `gamma` at each milestone epoch (a milestone
 * listed twice applies `gamma` twice), PyTorch's `MultiStepLR`.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.lrScheduler.MultiStepLR(opt, [1, 3], { gamma: 0.5 });
 * const lrs = [];
 * for (let i = 0; i < 4; i++) {
 *   sched.step();
 *   lrs.push(sched.getLastLr()[0]);
 * }
 * console.log(lrs); // [0.5, 0.5, 0.25, 0.25]
 * ```
 */
export class MultiStepLR extends LRScheduler {
  /** How many times each milestone epoch was listed (PyTorch's `Counter`). */
  milestones: Map<number, number>;
  /** The decay factor. */
  gamma: number;

  /**
   * Builds the scheduler and takes its first step, which sets each group's `lr`.
   *
   * @param optimizer the optimizer to schedule
   * @param milestones the epochs at which to decay
   * @param gamma the factor (default 0.1), or the options
   * @param options `gamma`, `lastEpoch`, `verbose`
   */
  constructor(
    optimizer: Optimizer,
    milestones: readonly number[],
    gamma?: number | MultiStepLROptions,
    options?: MultiStepLROptions,
  ) {
    const o = parseSchedulerArgs("MultiStepLR", [milestones, gamma, options], [
      { name: "milestones", kind: "any", default: undefined },
      { name: "gamma", kind: "number", default: 0.1 },
      ...COMMON_SPECS.map((s) => ({ ...s, keywordOnly: true })),
    ], ["milestones"]);
    const counts = MultiStepLR.count("MultiStepLR", o.milestones);
    super(optimizer, { lastEpoch: o.lastEpoch as number, verbose: o.verbose as boolean });
    this.milestones = counts;
    this.gamma = o.gamma as number;
    this.initialStep();
  }

  /** PyTorch's `Counter(milestones)`. */
  private static count(call: string, m: unknown): Map<number, number> {
    if (!Array.isArray(m) || m.some((x) => typeof x !== "number" || Number.isNaN(x))) {
      throw new TypeError(`${call}: expected milestones to be an array of numbers, got ${describe(m)}`);
    }
    const counts = new Map<number, number>();
    for (const x of m) counts.set(x, (counts.get(x) ?? 0) + 1);
    return counts;
  }

  /** The state-dict entries, with PyTorch's keys. */
  protected override stateFields(): StateField[] {
    return [...fields(["milestones", "milestones", "custom"], ["gamma", "gamma", "number"]), ...super.stateFields()];
  }

  /** Saves the milestones as PyTorch's Counter: `{ epoch: count }`. */
  protected override saveCustom(): unknown {
    return Object.fromEntries([...this.milestones].sort((a, b) => a[0] - b[0]));
  }

  /** Checks an entry that is not a plain value and returns what loads it. */
  protected override loadCustom(_f: StateField, value: unknown): () => void {
    const call = "MultiStepLR.loadStateDict";
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new TypeError(`${call}: expected milestones to be an object of counts, got ${describe(value)}`);
    }
    const m = new Map<number, number>();
    for (const [k, v] of Object.entries(value)) {
      if (Number.isNaN(Number(k)) || typeof v !== "number") {
        throw new TypeError(`${call}: expected milestones to map epochs to counts, got ${describe(value)}`);
      }
      m.set(Number(k), v);
    }
    return () => (this.milestones = m);
  }

  /** PyTorch's chainable `get_lr`: the learning rates for `lastEpoch`. */
  protected override getLr(): number[] {
    const lrs = groupLrs(this);
    const n = this.milestones.get(this.lastEpoch);
    if (n === undefined) return lrs;
    return lrs.map((lr) => lr * this.gamma ** n);
  }

  /** PyTorch's `_get_closed_form_lr`: the learning rates for `lastEpoch` from the base ones (for `step(epoch)`). */
  protected override getClosedFormLr(): number[] {
    let k = 0; // bisect_right over the sorted milestones, each repeated by its count
    for (const [m, n] of this.milestones) if (m <= this.lastEpoch) k += n;
    return this.baseLrs.map((lr) => lr * this.gamma ** k);
  }
}

/** Options of `ConstantLR`. */
export interface ConstantLROptions extends LRSchedulerOptions {
  /** The factor applied until `totalIters` (default 1/3), in [0, 1]. */
  factor?: number;
  /** The epoch at which the factor is lifted (default 5). */
  totalIters?: number;
}

/**
 * Multiplies each group's learning rate by `factor` until epoch `totalIters`, then restores it
 * (PyTorch's `ConstantLR`).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.lrScheduler.ConstantLR(opt, { factor: 0.5, totalIters: 2 });
 * const lrs = [sched.getLastLr()[0]];
 * for (let i = 0; i < 3; i++) {
 *   sched.step();
 *   lrs.push(sched.getLastLr()[0]);
 * }
 * console.log(lrs); // [0.5, 0.5, 1, 1]
 * ```
 */
export class ConstantLR extends LRScheduler {
  /** The factor. */
  factor: number;
  /** The epoch at which the factor is lifted. */
  totalIters: number;

  /**
   * Builds the scheduler and takes its first step, which sets each group's `lr`.
   *
   * @param optimizer the optimizer to schedule
   * @param options `factor`, `totalIters`, `lastEpoch`, `verbose`
   */
  constructor(optimizer: Optimizer, options: ConstantLROptions = {}) {
    const o = parseSchedulerArgs("ConstantLR", [options], [
      { name: "factor", kind: "number", default: 1 / 3 },
      { name: "totalIters", kind: "number", default: 5 },
      ...COMMON_SPECS,
    ]);
    const factor = o.factor as number;
    if (factor > 1 || factor < 0) {
      throw new RangeError(`ConstantLR: Constant multiplicative factor expected to be between 0 and 1, got ${factor}`);
    }
    super(optimizer, { lastEpoch: o.lastEpoch as number, verbose: o.verbose as boolean });
    this.factor = factor;
    this.totalIters = o.totalIters as number;
    this.initialStep();
  }

  /** The state-dict entries, with PyTorch's keys. */
  protected override stateFields(): StateField[] {
    return [...fields(["factor", "factor", "number"], ["total_iters", "totalIters", "number"]), ...super.stateFields()];
  }

  /** PyTorch's chainable `get_lr`: the learning rates for `lastEpoch`. */
  protected override getLr(): number[] {
    const lrs = groupLrs(this);
    if (this.lastEpoch === 0) return lrs.map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return lrs;
    return lrs.map((lr) => lr * pyDiv("ConstantLR.step", 1, this.factor));
  }

  /** PyTorch's `_get_closed_form_lr`: the learning rates for `lastEpoch` from the base ones (for `step(epoch)`). */
  protected override getClosedFormLr(): number[] {
    const done = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((lr) => lr * (this.factor + done * (1 - this.factor)));
  }
}

/** Options of `LinearLR`. */
export interface LinearLROptions extends LRSchedulerOptions {
  /** The factor at the first epoch (default 1/3), in [0, 1]. */
  startFactor?: number;
  /** The factor from epoch `totalIters` on (default 1), in [0, 1]. */
  endFactor?: number;
  /** The number of epochs the factor takes to go from start to end (default 5). */
  totalIters?: number;
}

/**
 * Moves the factor applied to each group's learning rate linearly from `startFactor` to
 * `endFactor` over `totalIters` epochs (PyTorch's `LinearLR`, a common warm-up).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.lrScheduler.LinearLR(opt, { startFactor: 0.5, totalIters: 2 });
 * const lrs = [sched.getLastLr()[0]];
 * for (let i = 0; i < 3; i++) {
 *   sched.step();
 *   lrs.push(sched.getLastLr()[0]);
 * }
 * console.log(lrs); // [0.5, 0.75, 1, 1]
 * ```
 */
export class LinearLR extends LRScheduler {
  /** The first factor. */
  startFactor: number;
  /** The last factor. */
  endFactor: number;
  /** The length of the ramp, in epochs. */
  totalIters: number;

  /**
   * Builds the scheduler and takes its first step, which sets each group's `lr`.
   *
   * @param optimizer the optimizer to schedule
   * @param options `startFactor`, `endFactor`, `totalIters`, `lastEpoch`, `verbose`
   */
  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    const o = parseSchedulerArgs("LinearLR", [options], [
      { name: "startFactor", kind: "number", default: 1 / 3 },
      { name: "endFactor", kind: "number", default: 1 },
      { name: "totalIters", kind: "number", default: 5 },
      ...COMMON_SPECS,
    ]);
    const start = o.startFactor as number, end = o.endFactor as number;
    if (start > 1 || start < 0) {
      throw new RangeError(`LinearLR: Starting multiplicative factor expected to be between 0 and 1, got ${start}`);
    }
    if (end > 1 || end < 0) {
      throw new RangeError(`LinearLR: Ending multiplicative factor expected to be between 0 and 1, got ${end}`);
    }
    super(optimizer, { lastEpoch: o.lastEpoch as number, verbose: o.verbose as boolean });
    this.startFactor = start;
    this.endFactor = end;
    this.totalIters = o.totalIters as number;
    this.initialStep();
  }

  /** The state-dict entries, with PyTorch's keys. */
  protected override stateFields(): StateField[] {
    return [
      ...fields(
        ["start_factor", "startFactor", "number"],
        ["end_factor", "endFactor", "number"],
        ["total_iters", "totalIters", "number"],
      ),
      ...super.stateFields(),
    ];
  }

  /** PyTorch's chainable `get_lr`: the learning rates for `lastEpoch`. */
  protected override getLr(): number[] {
    const lrs = groupLrs(this);
    if (this.lastEpoch === 0) return lrs.map((lr) => lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return lrs;
    const d = this.endFactor - this.startFactor;
    const f = 1 + pyDiv("LinearLR.step", d, this.totalIters * this.startFactor + (this.lastEpoch - 1) * d);
    return lrs.map((lr) => lr * f);
  }

  /** PyTorch's `_get_closed_form_lr`: the learning rates for `lastEpoch` from the base ones (for `step(epoch)`). */
  protected override getClosedFormLr(): number[] {
    const d = this.endFactor - this.startFactor;
    const t = pyDiv("LinearLR.step", d * Math.min(this.totalIters, this.lastEpoch), this.totalIters);
    return this.baseLrs.map((lr) => lr * (this.startFactor + t));
  }
}

/**
 * Multiplies each group's learning rate by `gamma` every epoch (PyTorch's `ExponentialLR`).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.lrScheduler.ExponentialLR(opt, 0.5);
 * sched.step();
 * sched.step();
 * console.log(sched.getLastLr()); // [0.25]
 * ```
 */
export class ExponentialLR extends LRScheduler {
  /** The decay factor. */
  gamma: number;

  /**
   * Builds the scheduler and takes its first step, which sets each group's `lr`.
   *
   * @param optimizer the optimizer to schedule
   * @param gamma the factor applied every epoch
   * @param options `lastEpoch`, `verbose`
   */
  constructor(optimizer: Optimizer, gamma: number, options: LRSchedulerOptions = {}) {
    const o = parseSchedulerArgs("ExponentialLR", [gamma, options], [
      { name: "gamma", kind: "number", default: undefined },
      ...COMMON_SPECS.map((s) => ({ ...s, keywordOnly: true })),
    ], ["gamma"]);
    super(optimizer, { lastEpoch: o.lastEpoch as number, verbose: o.verbose as boolean });
    this.gamma = o.gamma as number;
    this.initialStep();
  }

  /** The state-dict entries, with PyTorch's keys. */
  protected override stateFields(): StateField[] {
    return [...fields(["gamma", "gamma", "number"]), ...super.stateFields()];
  }

  /** PyTorch's chainable `get_lr`: the learning rates for `lastEpoch`. */
  protected override getLr(): number[] {
    const lrs = groupLrs(this);
    if (this.lastEpoch === 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

  /** PyTorch's `_get_closed_form_lr`: the learning rates for `lastEpoch` from the base ones (for `step(epoch)`). */
  protected override getClosedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** this.lastEpoch);
  }
}
