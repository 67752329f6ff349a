/**
 * `optim.lrScheduler`: PyTorch 1.13's `torch.optim.lr_scheduler`. Each scheduler sets the
 * `lr` of the optimizer's parameter groups as `step()` is called (once per epoch, or once per
 * batch for `CyclicLR` and `OneCycleLR`), with PyTorch's recursive ("chainable") formulas, so
 * the sequences match PyTorch's to the last bits and schedulers compose as PyTorch's do.
 *
 * This file holds `PolynomialLR`, `CosineAnnealingLR` and the combinators `SequentialLR` and
 * `ChainedScheduler`, and re-exports the rest: the base class (lr_scheduler_base.ts), the
 * factor schedulers (lr_scheduler_basic.ts), `ReduceLROnPlateau` (lr_scheduler_plateau.ts),
 * and `CyclicLR`, `OneCycleLR` and `CosineAnnealingWarmRestarts` (lr_scheduler_cyclic.ts).
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
  pyMod,
  type SchedulerStateDict,
  type StateField,
} from "./lr_scheduler_base.ts";

export {
  type FieldKind,
  LRScheduler,
  type LRSchedulerOptions,
  type SchedulerStateDict,
  type StateField,
} from "./lr_scheduler_base.ts";
export {
  ConstantLR,
  type ConstantLROptions,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  type LinearLROptions,
  type LrLambda,
  MultiplicativeLR,
  MultiStepLR,
  type MultiStepLROptions,
  StepLR,
  type StepLROptions,
} from "./lr_scheduler_basic.ts";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./lr_scheduler_plateau.ts";
export {
  CosineAnnealingWarmRestarts,
  type CosineAnnealingWarmRestartsOptions,
  CyclicLR,
  type CyclicLROptions,
  OneCycleLR,
  type OneCycleLROptions,
  type OneCycleLRPhase,
} from "./lr_scheduler_cyclic.ts";

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
   * Builds the scheduler and takes its first step, which sets each group's `lr`.
   *
   * @param optimizer the optimizer to schedule
   * @param options `totalIters`, `power`, `lastEpoch`, `verbose`
   */
  constructor(optimizer: Optimizer, options: PolynomialLROptions = {}) {
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

  /** The state-dict entries, with PyTorch's keys. */
  protected override stateFields(): StateField[] {
    return [...fields(["total_iters", "totalIters", "number"], ["power", "power", "number"]), ...super.stateFields()];
  }

  /** PyTorch's chainable `get_lr`: the learning rates for `lastEpoch`. */
  protected override getLr(): number[] {
    const lrs = groupLrs(this);
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return lrs;
    const call = "PolynomialLR.step";
    const num = 1 - pyDiv(call, this.lastEpoch, this.totalIters);
    const den = 1 - pyDiv(call, this.lastEpoch - 1, this.totalIters);
    const f = pyDiv(call, num, den) ** this.power;
    return lrs.map((lr) => lr * f);
  }

  /** PyTorch's `_get_closed_form_lr`: the learning rates for `lastEpoch` from the base ones (for `step(epoch)`). */
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
   * Builds the scheduler and takes its first step, which sets each group's `lr`.
   *
   * @param optimizer the optimizer to schedule
   * @param TMax the number of epochs from the initial learning rate to `etaMin`
   * @param etaMin the minimum learning rate (default 0), or the options
   * @param options `etaMin`, `lastEpoch`, `verbose`
   */
  constructor(
    optimizer: Optimizer,
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

  /** The state-dict entries, with PyTorch's keys. */
  protected override stateFields(): StateField[] {
    return [...fields(["T_max", "TMax", "number"], ["eta_min", "etaMin", "number"]), ...super.stateFields()];
  }

  /** PyTorch's chainable `get_lr`: the learning rates for `lastEpoch`. */
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

  /** PyTorch's `_get_closed_form_lr`: the learning rates for `lastEpoch` from the base ones (for `step(epoch)`). */
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
   * Resets the learning rates to the initial ones and takes the first scheduler's first step.
   *
   * @param optimizer the optimizer every scheduler schedules
   * @param schedulers the schedulers, in order
   * @param milestones one epoch fewer than schedulers: where each next one starts
   * @param options `lastEpoch`, `verbose` (which, as in PyTorch, does nothing here)
   */
  constructor(
    optimizer: Optimizer,
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

  /** The state-dict entries, with PyTorch's keys. */
  protected override stateFields(): StateField[] {
    return fields(
      ["_milestones", "milestones", "custom"],
      ["last_epoch", "lastEpoch", "number"],
      ["_last_lr", "_lastLr", "numbers"],
      ["_schedulers", "schedulers", "custom"],
    );
  }

  /** Saves the entries that are not plain values. */
  protected override saveCustom(f: StateField): unknown {
    return f.key === "_milestones" ? [...this.milestones] : this.schedulers.map((s) => s.stateDict());
  }

  /** Checks an entry that is not a plain value and returns what loads it. */
  protected override loadCustom(f: StateField, value: unknown): () => void {
    const call = "SequentialLR.loadStateDict";
    if (f.key === "_schedulers") return loadNested(call, this.schedulers, value);
    if (!Array.isArray(value) || value.some((m) => typeof m !== "number")) {
      throw new TypeError(`${call}: expected _milestones to be an array of numbers, got ${describe(value)}`);
    }
    return () => (this.milestones = [...value]);
  }

  /** PyTorch's chainable `get_lr`: the learning rates for `lastEpoch`. */
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

  /**
   * Chains schedulers that were each built (and took their first step) on the same optimizer.
   *
   * @param schedulers schedulers of one optimizer
   */
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

  /** The state-dict entries, with PyTorch's keys. */
  protected override stateFields(): StateField[] {
    return fields(["_last_lr", "_lastLr", "numbers"], ["_schedulers", "schedulers", "custom"]);
  }

  /** Saves the entries that are not plain values. */
  protected override saveCustom(): unknown {
    return this.schedulers.map((s) => s.stateDict());
  }

  /** Checks an entry that is not a plain value and returns what loads it. */
  protected override loadCustom(_f: StateField, value: unknown): () => void {
    return loadNested("ChainedScheduler.loadStateDict", this.schedulers, value);
  }

  /** PyTorch's chainable `get_lr`: the learning rates for `lastEpoch`. */
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
