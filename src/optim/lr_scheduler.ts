/**
 * `optim.lrScheduler`: PyTorch 1.13's `torch.optim.lr_scheduler`. Each scheduler sets the
 * `lr` of the optimizer's parameter groups as `step()` is called (once per epoch, or once per
 * batch for `CyclicLR` and `OneCycleLR`), with PyTorch's recursive ("chainable") formulas, so
 * the sequences match PyTorch's to the last bits and schedulers compose as PyTorch's do.
 *
 * This file holds the epoch-indexed schedulers and the combinators; lr_scheduler_cyclic.ts
 * holds `ReduceLROnPlateau`, `CyclicLR`, `OneCycleLR` and `CosineAnnealingWarmRestarts`.
 *
 * @module
 */

import type { Optimizer } from "./optimizer.ts";
import { describe } from "../tensor/shape.ts";
import {
  COMMON_SPECS,
  fields,
  groupLr,
  LRScheduler,
  type LRSchedulerOptions,
  parseSchedulerArgs,
  pyDiv,
  pyFloorDiv,
  pyMod,
  type SchedulerStateDict,
  type StateField,
} from "./lr_scheduler_base.ts";

export { LRScheduler, type LRSchedulerOptions, type SchedulerStateDict } from "./lr_scheduler_base.ts";
export {
  CosineAnnealingWarmRestarts,
  type CosineAnnealingWarmRestartsOptions,
  CyclicLR,
  type CyclicLROptions,
  OneCycleLR,
  type OneCycleLROptions,
  ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
} from "./lr_scheduler_cyclic.ts";

// deno-lint-ignore no-explicit-any
type AnyOptimizer = Optimizer<any>;

/** A function of the epoch giving a factor, as `LambdaLR` and `MultiplicativeLR` take. */
export type LrLambda = (epoch: number) => number;

function groupLrs(s: LRScheduler): number[] {
  return s.optimizer.paramGroups.map(groupLr);
}

/** The lr_lambdas of LambdaLR and MultiplicativeLR: one function, or one per group. */
function lambdas(call: string, optimizer: AnyOptimizer, lrLambda: unknown): LrLambda[] {
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

/** LambdaLR and MultiplicativeLR: lr_lambdas in the state dict as PyTorch saves them. */
abstract class LambdaScheduler extends LRScheduler {
  /** The functions, one per group. */
  lrLambdas: LrLambda[] = [];

  protected override stateFields(): StateField[] {
    return [...super.stateFields(), ...fields(["lr_lambdas", "lrLambdas", "custom"])];
  }

  /** Plain functions save as null; a function carrying own properties saves them (PyTorch's `__dict__`). */
  protected override saveCustom(): unknown {
    return this.lrLambdas.map((f) => (Object.keys(f).length === 0 ? null : { ...f }));
  }

  protected override loadCustom(_f: StateField, value: unknown): () => void {
    const call = `${this.constructor.name}.loadStateDict`;
    if (!Array.isArray(value) || value.length !== this.lrLambdas.length) {
      throw new TypeError(
        `${call}: expected lr_lambdas to be an array of ${this.lrLambdas.length}, got ${describe(value)}`,
      );
    }
    return () => value.forEach((v, i) => v !== null && Object.assign(this.lrLambdas[i], v));
  }
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
export class LambdaLR extends LambdaScheduler {
  /**
   * @param optimizer the optimizer to schedule
   * @param lrLambda the factor as a function of the epoch, or one such function per group
   * @param options `lastEpoch`, `verbose`
   */
  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | LrLambda[], options: LRSchedulerOptions = {}) {
    const o = parseSchedulerArgs("LambdaLR", [options], COMMON_SPECS);
    const fns = lambdas("LambdaLR", optimizer, lrLambda);
    super(optimizer, o);
    this.lrLambdas = fns;
    this.initialStep();
  }

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
export class MultiplicativeLR extends LambdaScheduler {
  /**
   * @param optimizer the optimizer to schedule
   * @param lrLambda the factor as a function of the epoch, or one such function per group
   * @param options `lastEpoch`, `verbose`
   */
  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | LrLambda[], options: LRSchedulerOptions = {}) {
    const o = parseSchedulerArgs("MultiplicativeLR", [options], COMMON_SPECS);
    const fns = lambdas("MultiplicativeLR", optimizer, lrLambda);
    super(optimizer, o);
    this.lrLambdas = fns;
    this.initialStep();
  }

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
   * @param optimizer the optimizer to schedule
   * @param stepSize the period of the decay
   * @param gamma the factor (default 0.1), or the options
   * @param options `gamma`, `lastEpoch`, `verbose`
   */
  constructor(optimizer: AnyOptimizer, stepSize: number, gamma?: number | StepLROptions, options?: StepLROptions) {
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

  protected override stateFields(): StateField[] {
    return [...fields(["step_size", "stepSize", "number"], ["gamma", "gamma", "number"]), ...super.stateFields()];
  }

  protected override getLr(): number[] {
    const lrs = groupLrs(this);
    if (this.lastEpoch === 0 || pyMod("StepLR.step", this.lastEpoch, this.stepSize) !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

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
   * @param optimizer the optimizer to schedule
   * @param milestones the epochs at which to decay
   * @param gamma the factor (default 0.1), or the options
   * @param options `gamma`, `lastEpoch`, `verbose`
   */
  constructor(
    optimizer: AnyOptimizer,
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

  private static count(call: string, m: unknown): Map<number, number> {
    if (!Array.isArray(m) || m.some((x) => typeof x !== "number" || Number.isNaN(x))) {
      throw new TypeError(`${call}: expected milestones to be an array of numbers, got ${describe(m)}`);
    }
    const counts = new Map<number, number>();
    for (const x of m) counts.set(x, (counts.get(x) ?? 0) + 1);
    return counts;
  }

  protected override stateFields(): StateField[] {
    return [...fields(["milestones", "milestones", "custom"], ["gamma", "gamma", "number"]), ...super.stateFields()];
  }

  /** Saves the milestones as PyTorch's Counter: `{ epoch: count }`. */
  protected override saveCustom(): unknown {
    return Object.fromEntries([...this.milestones].sort((a, b) => a[0] - b[0]));
  }

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

  protected override getLr(): number[] {
    const lrs = groupLrs(this);
    const n = this.milestones.get(this.lastEpoch);
    if (n === undefined) return lrs;
    return lrs.map((lr) => lr * this.gamma ** n);
  }

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
   * @param optimizer the optimizer to schedule
   * @param options `factor`, `totalIters`, `lastEpoch`, `verbose`
   */
  constructor(optimizer: AnyOptimizer, options: ConstantLROptions = {}) {
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

  protected override stateFields(): StateField[] {
    return [...fields(["factor", "factor", "number"], ["total_iters", "totalIters", "number"]), ...super.stateFields()];
  }

  protected override getLr(): number[] {
    const lrs = groupLrs(this);
    if (this.lastEpoch === 0) return lrs.map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return lrs;
    return lrs.map((lr) => lr * pyDiv("ConstantLR.step", 1, this.factor));
  }

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
   * @param optimizer the optimizer to schedule
   * @param options `startFactor`, `endFactor`, `totalIters`, `lastEpoch`, `verbose`
   */
  constructor(optimizer: AnyOptimizer, options: LinearLROptions = {}) {
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

  protected override getLr(): number[] {
    const lrs = groupLrs(this);
    if (this.lastEpoch === 0) return lrs.map((lr) => lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return lrs;
    const d = this.endFactor - this.startFactor;
    const f = 1 + pyDiv("LinearLR.step", d, this.totalIters * this.startFactor + (this.lastEpoch - 1) * d);
    return lrs.map((lr) => lr * f);
  }

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
   * @param optimizer the optimizer to schedule
   * @param gamma the factor applied every epoch
   * @param options `lastEpoch`, `verbose`
   */
  constructor(optimizer: AnyOptimizer, gamma: number, options: LRSchedulerOptions = {}) {
    const o = parseSchedulerArgs("ExponentialLR", [gamma, options], [
      { name: "gamma", kind: "number", default: undefined },
      ...COMMON_SPECS.map((s) => ({ ...s, keywordOnly: true })),
    ], ["gamma"]);
    super(optimizer, { lastEpoch: o.lastEpoch as number, verbose: o.verbose as boolean });
    this.gamma = o.gamma as number;
    this.initialStep();
  }

  protected override stateFields(): StateField[] {
    return [...fields(["gamma", "gamma", "number"]), ...super.stateFields()];
  }

  protected override getLr(): number[] {
    const lrs = groupLrs(this);
    if (this.lastEpoch === 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

  protected override getClosedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** this.lastEpoch);
  }
}

/** Options of `PolynomialLR`. */
export interface PolynomialLROptions extends LRSchedulerOptions {
  /** The number of epochs over which the learning rate decays to 0 (default 5). */
  totalIters?: number;
  /** The power of the polynomial (default 1). */
  power?: number;
}

/**
 * Decays each group's learning rate as `(1 - epoch / totalIters) ** power` times the initial
 * one, reaching 0 at `totalIters` (PyTorch's `PolynomialLR`).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.lrScheduler.PolynomialLR(opt, { totalIters: 4, power: 2 });
 * sched.step();
 * sched.step();
 * console.log(sched.getLastLr()); // [0.25]
 * ```
 */
export class PolynomialLR extends LRScheduler {
  /** The length of the decay, in epochs. */
  totalIters: number;
  /** The power of the polynomial. */
  power: number;

  /**
   * @param optimizer the optimizer to schedule
   * @param options `totalIters`, `power`, `lastEpoch`, `verbose`
   */
  constructor(optimizer: AnyOptimizer, options: PolynomialLROptions = {}) {
    const o = parseSchedulerArgs("PolynomialLR", [options], [
      { name: "totalIters", kind: "number", default: 5 },
      { name: "power", kind: "number", default: 1 },
      ...COMMON_SPECS,
    ]);
    super(optimizer, { lastEpoch: o.lastEpoch as number, verbose: o.verbose as boolean });
    this.totalIters = o.totalIters as number;
    this.power = o.power as number;
    this.initialStep();
  }

  protected override stateFields(): StateField[] {
    return [...fields(["total_iters", "totalIters", "number"], ["power", "power", "number"]), ...super.stateFields()];
  }

  protected override getLr(): number[] {
    const lrs = groupLrs(this);
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return lrs;
    const call = "PolynomialLR.step";
    const num = 1 - pyDiv(call, this.lastEpoch, this.totalIters);
    const den = 1 - pyDiv(call, this.lastEpoch - 1, this.totalIters);
    const f = pyDiv(call, num, den) ** this.power;
    return lrs.map((lr) => lr * f);
  }

  protected override getClosedFormLr(): number[] {
    const t = 1 - pyDiv("PolynomialLR.step", Math.min(this.totalIters, this.lastEpoch), this.totalIters);
    return this.baseLrs.map((lr) => lr * t ** this.power);
  }
}

/** Options of `CosineAnnealingLR`. */
export interface CosineAnnealingLROptions extends LRSchedulerOptions {
  /** The minimum learning rate (default 0). */
  etaMin?: number;
}

/**
 * Anneals each group's learning rate from its initial value to `etaMin` along a half cosine
 * over `TMax` epochs, then back up (PyTorch's `CosineAnnealingLR`, computed with the same
 * recursive update PyTorch's `step()` uses, so outside changes to `lr` carry on).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.lrScheduler.CosineAnnealingLR(opt, 2);
 * sched.step();
 * console.log(+sched.getLastLr()[0].toFixed(12)); // 0.5
 * sched.step();
 * console.log(sched.getLastLr()); // [0]
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Half the period, in epochs. */
  TMax: number;
  /** The minimum learning rate. */
  etaMin: number;

  /**
   * @param optimizer the optimizer to schedule
   * @param TMax the number of epochs from the initial learning rate to `etaMin`
   * @param etaMin the minimum learning rate (default 0), or the options
   * @param options `etaMin`, `lastEpoch`, `verbose`
   */
  constructor(
    optimizer: AnyOptimizer,
    TMax: number,
    etaMin?: number | CosineAnnealingLROptions,
    options?: CosineAnnealingLROptions,
  ) {
    const o = parseSchedulerArgs("CosineAnnealingLR", [TMax, etaMin, options], [
      { name: "TMax", kind: "number", default: undefined },
      { name: "etaMin", kind: "number", default: 0 },
      ...COMMON_SPECS.map((s) => ({ ...s, keywordOnly: true })),
    ], ["TMax"]);
    super(optimizer, { lastEpoch: o.lastEpoch as number, verbose: o.verbose as boolean });
    this.TMax = o.TMax as number;
    this.etaMin = o.etaMin as number;
    this.initialStep();
  }

  protected override stateFields(): StateField[] {
    return [...fields(["T_max", "TMax", "number"], ["eta_min", "etaMin", "number"]), ...super.stateFields()];
  }

  protected override getLr(): number[] {
    const call = "CosineAnnealingLR.step";
    const { lastEpoch: e, TMax: T, etaMin } = this;
    const lrs = groupLrs(this);
    if (e === 0) return lrs;
    if (this._stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => etaMin + (b - etaMin) * (1 + Math.cos(pyDiv(call, e * Math.PI, T))) / 2);
    }
    if (pyMod(call, e - 1 - T, 2 * T) === 0) {
      return lrs.map((lr, i) => lr + (this.baseLrs[i] - etaMin) * (1 - Math.cos(pyDiv(call, Math.PI, T))) / 2);
    }
    const ratio = pyDiv(
      call,
      1 + Math.cos(pyDiv(call, Math.PI * e, T)),
      1 + Math.cos(pyDiv(call, Math.PI * (e - 1), T)),
    );
    return lrs.map((lr) => ratio * (lr - etaMin) + etaMin);
  }

  protected override getClosedFormLr(): number[] {
    const c = Math.cos(pyDiv("CosineAnnealingLR.step", Math.PI * this.lastEpoch, this.TMax));
    return this.baseLrs.map((b) => this.etaMin + (b - this.etaMin) * (1 + c) / 2);
  }
}

function checkSchedulers(call: string, schedulers: unknown): LRScheduler[] {
  if (!Array.isArray(schedulers)) {
    throw new TypeError(`${call}: expected schedulers to be an array of schedulers, got ${describe(schedulers)}`);
  }
  schedulers.forEach((s, i) => {
    if (!(s instanceof LRScheduler)) {
      throw new TypeError(`${call}: expected schedulers[${i}] to be an LRScheduler, got ${describe(s)}`);
    }
  });
  return [...schedulers];
}

/** The nested state dicts of SequentialLR and ChainedScheduler. */
function loadNested(call: string, schedulers: LRScheduler[], value: unknown): () => void {
  if (!Array.isArray(value) || value.length !== schedulers.length) {
    throw new TypeError(
      `${call}: expected _schedulers to be an array of ${schedulers.length} state dicts, got ${describe(value)}`,
    );
  }
  return () => value.forEach((sd, i) => schedulers[i].loadStateDict(sd as SchedulerStateDict));
}

/**
 * Runs `schedulers` one after the other: `schedulers[i + 1]` takes over at epoch
 * `milestones[i]` (PyTorch's `SequentialLR`, a warm-up followed by a decay, say).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const { ConstantLR, ExponentialLR, SequentialLR } = optim.lrScheduler;
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const warm = new ConstantLR(opt, { factor: 0.5, totalIters: 2 });
 * const decay = new ExponentialLR(opt, 0.5);
 * const sched = new SequentialLR(opt, [warm, decay], [2]);
 * const lrs = [sched.getLastLr()[0]];
 * for (let i = 0; i < 4; i++) {
 *   sched.step();
 *   lrs.push(sched.getLastLr()[0]);
 * }
 * console.log(lrs); // [0.5, 0.5, 1, 0.5, 0.25]
 * ```
 */
export class SequentialLR extends LRScheduler {
  /** The schedulers, in order. */
  readonly schedulers: LRScheduler[];
  /** The epochs at which the next scheduler takes over. */
  milestones: number[];

  /**
   * @param optimizer the optimizer every scheduler schedules
   * @param schedulers the schedulers, in order
   * @param milestones one epoch fewer than schedulers: where each next one starts
   * @param options `lastEpoch`, `verbose` (which, as in PyTorch, does nothing here)
   */
  constructor(
    optimizer: AnyOptimizer,
    schedulers: LRScheduler[],
    milestones: readonly number[],
    options: LRSchedulerOptions = {},
  ) {
    const call = "SequentialLR";
    const o = parseSchedulerArgs(call, [options], COMMON_SPECS);
    const list = checkSchedulers(call, schedulers);
    list.forEach((s, i) => {
      if (s.optimizer !== optimizer) {
        throw new RangeError(
          `${call}: Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`,
        );
      }
    });
    if (!Array.isArray(milestones) || milestones.some((m) => typeof m !== "number")) {
      throw new TypeError(`${call}: expected milestones to be an array of numbers, got ${describe(milestones)}`);
    }
    if (milestones.length !== list.length - 1) {
      throw new RangeError(
        `${call}: Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${list.length} and the number of milestones to be equal to ${milestones.length}`,
      );
    }
    super(optimizer, { lastEpoch: -1, verbose: o.verbose as boolean });
    this.schedulers = list;
    this.milestones = [...milestones];
    this.lastEpoch = (o.lastEpoch as number) + 1;
    // Reset the learning rates, undo the other schedulers' first steps, and step the first one.
    for (const g of optimizer.paramGroups as Record<string, unknown>[]) g.lr = g.initial_lr;
    for (const s of list) s.lastEpoch -= 1;
    (list[0] as unknown as { initialStep(): void }).initialStep();
    this._lastLr = list[0].getLastLr();
  }

  protected override stateFields(): StateField[] {
    return fields(
      ["_milestones", "milestones", "custom"],
      ["last_epoch", "lastEpoch", "number"],
      ["_last_lr", "_lastLr", "numbers"],
      ["_schedulers", "schedulers", "custom"],
    );
  }

  protected override saveCustom(f: StateField): unknown {
    return f.key === "_milestones" ? [...this.milestones] : this.schedulers.map((s) => s.stateDict());
  }

  protected override loadCustom(f: StateField, value: unknown): () => void {
    const call = "SequentialLR.loadStateDict";
    if (f.key === "_schedulers") return loadNested(call, this.schedulers, value);
    if (!Array.isArray(value) || value.some((m) => typeof m !== "number")) {
      throw new TypeError(`${call}: expected _milestones to be an array of numbers, got ${describe(value)}`);
    }
    return () => (this.milestones = [...value]);
  }

  protected override getLr(): number[] {
    return groupLrs(this);
  }

  /** Steps the scheduler whose turn it is (one that just took over starts at its epoch 0). */
  override step(epoch?: number): void {
    if (epoch !== undefined) throw new TypeError(`SequentialLR.step: takes no epoch, got ${describe(epoch)}`);
    this.lastEpoch += 1;
    let idx = 0; // bisect_right
    while (idx < this.milestones.length && this.milestones[idx] <= this.lastEpoch) idx++;
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this._lastLr = s.getLastLr();
  }
}

/**
 * Steps every scheduler in `schedulers` at each `step()`, so their effects compose (PyTorch's
 * `ChainedScheduler`).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const { ConstantLR, ExponentialLR, ChainedScheduler } = optim.lrScheduler;
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new ChainedScheduler([
 *   new ConstantLR(opt, { factor: 0.5, totalIters: 2 }),
 *   new ExponentialLR(opt, 0.5),
 * ]);
 * const lrs = [sched.getLastLr()[0]];
 * for (let i = 0; i < 3; i++) {
 *   sched.step();
 *   lrs.push(sched.getLastLr()[0]);
 * }
 * console.log(lrs); // [0.5, 0.25, 0.25, 0.125]
 * ```
 */
export class ChainedScheduler extends LRScheduler {
  /** The schedulers, stepped in order. */
  readonly schedulers: LRScheduler[];

  /** @param schedulers schedulers of one optimizer */
  constructor(schedulers: LRScheduler[]) {
    const call = "ChainedScheduler";
    const list = checkSchedulers(call, schedulers);
    if (list.length === 0) throw new RangeError(`${call}: expected at least one scheduler, got 0`);
    for (let i = 1; i < list.length; i++) {
      if (list[i].optimizer !== list[0].optimizer) {
        throw new RangeError(
          `${call}: ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and ${i} to be different`,
        );
      }
    }
    super(list[0].optimizer);
    this.schedulers = list;
    this._lastLr = groupLrs(this);
  }

  protected override stateFields(): StateField[] {
    return fields(["_last_lr", "_lastLr", "numbers"], ["_schedulers", "schedulers", "custom"]);
  }

  protected override saveCustom(): unknown {
    return this.schedulers.map((s) => s.stateDict());
  }

  protected override loadCustom(_f: StateField, value: unknown): () => void {
    return loadNested("ChainedScheduler.loadStateDict", this.schedulers, value);
  }

  protected override getLr(): number[] {
    return groupLrs(this);
  }

  /** Steps every scheduler once. */
  override step(epoch?: number): void {
    if (epoch !== undefined) throw new TypeError(`ChainedScheduler.step: takes no epoch, got ${describe(epoch)}`);
    for (const s of this.schedulers) s.step();
    this._lastLr = groupLrs(this);
  }
}
