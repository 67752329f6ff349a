/**
 * The cycling schedulers of `optim.lrScheduler`: `CyclicLR` and `OneCycleLR` (stepped per
 * batch, cycling the momentum too) and `CosineAnnealingWarmRestarts` (fractional epochs).
 *
 * @module
 */

import type { Optimizer } from "./optimizer.ts";
import { describe } from "../tensor/shape.ts";
import {
  checkNumber,
  checkOptimizer,
  COMMON_SPECS,
  fields,
  LRScheduler,
  type LRSchedulerOptions,
  parseSchedulerArgs,
  perGroup,
  pyDiv,
  pyMod,
  type StateField,
} from "./lr_scheduler_base.ts";

type Group = Record<string, unknown>;

/** Options of `CyclicLR`. */
export interface CyclicLROptions extends LRSchedulerOptions {
  /** Iterations in the increasing half of a cycle (default 2000). */
  stepSizeUp?: number;
  /** Iterations in the decreasing half (default: `stepSizeUp`). */
  stepSizeDown?: number | null;
  /** "triangular", "triangular2" (amplitude halves each cycle) or "exp_range" (default "triangular"). */
  mode?: "triangular" | "triangular2" | "exp_range";
  /** The base of "exp_range"'s scaling, `gamma ** iteration` (default 1). */
  gamma?: number;
  /** A custom amplitude scaling in [0, 1]; `mode` is then ignored (default null). */
  scaleFn?: ((x: number) => number) | null;
  /** Whether `scaleFn` takes the cycle number or the iteration (default "cycle"). */
  scaleMode?: "cycle" | "iterations";
  /** Cycle the momentum inversely to the learning rate (default true; needs an optimizer with `momentum`). */
  cycleMomentum?: boolean;
  /** The lower momentum bound, one or per group (default 0.8). */
  baseMomentum?: number | number[];
  /** The upper momentum bound, one or per group (default 0.9). */
  maxMomentum?: number | number[];
}

/**
 * Cycles each group's learning rate between `baseLr` and `maxLr` (and the momentum inversely
 * between `maxMomentum` and `baseMomentum`), PyTorch's `CyclicLR`. Call `step()` after every
 * batch. As in PyTorch 1.13, momentum cycling needs an optimizer with a `momentum` option
 * (SGD, RMSprop); with Adam pass `cycleMomentum: false`.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1, momentum: 0.9 });
 * const sched = new optim.lrScheduler.CyclicLR(opt, 0.1, 0.5, { stepSizeUp: 2 });
 * const lrs = [sched.getLastLr()[0]];
 * for (let i = 0; i < 4; i++) {
 *   sched.step();
 *   lrs.push(+sched.getLastLr()[0].toFixed(12));
 * }
 * console.log(lrs, opt.paramGroups[0].momentum); // [0.1, 0.3, 0.5, 0.3, 0.1] 0.9
 * ```
 */
export class CyclicLR extends LRScheduler {
  /** The upper learning rate bounds. */
  maxLrs: number[];
  /** The length of a cycle, in iterations. */
  totalSize: number;
  /** The fraction of the cycle spent increasing. */
  stepRatio: number;
  /** The scaling policy. */
  mode: string;
  /** The base of "exp_range". */
  gamma: number;
  /** What a custom scaling function takes: the cycle or the iteration. */
  scaleMode: string;
  /** Whether the momentum cycles. */
  cycleMomentum: boolean;
  /** The lower momentum bounds. */
  baseMomentums: number[] = [];
  /** The upper momentum bounds. */
  maxMomentums: number[] = [];
  private scaleFnCustom: ((x: number) => number) | null;

  /**
   * Sets each group's `lr` (and `momentum`) to the lower bound and takes the first step.
   *
   * @param optimizer the optimizer to schedule
   * @param baseLr the lower learning rate bound, one or per group
   * @param maxLr the upper learning rate bound, one or per group
   * @param options see `CyclicLROptions`
   */
  constructor(
    optimizer: Optimizer,
    baseLr: number | number[],
    maxLr: number | number[],
    options: CyclicLROptions = {},
  ) {
    const call = "CyclicLR";
    const o = parseSchedulerArgs(call, [baseLr, maxLr, options], [
      { name: "baseLr", kind: "any", default: undefined },
      { name: "maxLr", kind: "any", default: undefined },
      { name: "stepSizeUp", kind: "number", default: 2000, keywordOnly: true },
      { name: "stepSizeDown", kind: "number?", default: null, keywordOnly: true },
      { name: "mode", kind: "string?", default: "triangular", keywordOnly: true },
      { name: "gamma", kind: "number", default: 1, keywordOnly: true },
      { name: "scaleFn", kind: "any", default: null, keywordOnly: true },
      { name: "scaleMode", kind: "string?", default: "cycle", keywordOnly: true },
      { name: "cycleMomentum", kind: "boolean", default: true, keywordOnly: true },
      { name: "baseMomentum", kind: "any", default: 0.8, keywordOnly: true },
      { name: "maxMomentum", kind: "any", default: 0.9, keywordOnly: true },
      ...COMMON_SPECS.map((s) => ({ ...s, keywordOnly: true })),
    ], ["baseLr", "maxLr"]);
    checkOptimizer(call, optimizer);
    const lastEpoch = o.lastEpoch as number;
    const groups = optimizer.paramGroups as Group[];
    const baseLrs = perGroup(call, "baseLr", optimizer, o.baseLr);
    if (lastEpoch === -1) groups.forEach((g, i) => (g.lr = baseLrs[i]));
    const maxLrs = perGroup(call, "maxLr", optimizer, o.maxLr);
    const up = o.stepSizeUp as number;
    const down = (o.stepSizeDown as number | null) ?? up;
    const totalSize = up + down;
    const stepRatio = pyDiv(call, up, totalSize);
    const scaleFn = o.scaleFn as ((x: number) => number) | null;
    if (scaleFn !== null && typeof scaleFn !== "function") {
      throw new TypeError(`${call}: expected scaleFn to be a function or null, got ${describe(scaleFn)}`);
    }
    const mode = o.mode as string;
    if (!["triangular", "triangular2", "exp_range"].includes(mode) && scaleFn === null) {
      throw new RangeError(`${call}: mode is invalid and scaleFn is null (mode ${JSON.stringify(mode)})`);
    }
    let scaleMode = o.scaleMode as string;
    if (scaleFn === null) scaleMode = mode === "exp_range" ? "iterations" : "cycle";
    else if (scaleMode !== "cycle" && scaleMode !== "iterations") {
      throw new RangeError(
        `${call}: expected scaleMode to be "cycle" or "iterations", got ${JSON.stringify(scaleMode)}`,
      );
    }
    const cycleMomentum = o.cycleMomentum as boolean;
    let baseMomentums: number[] = [], maxMomentums: number[] = [];
    if (cycleMomentum) {
      if (!("momentum" in optimizer.defaults)) {
        throw new RangeError(`${call}: optimizer must support momentum with \`cycleMomentum\` option enabled`);
      }
      const bm = perGroup(call, "baseMomentum", optimizer, o.baseMomentum);
      if (lastEpoch === -1) groups.forEach((g, i) => (g.momentum = bm[i]));
      baseMomentums = groups.map((g) => g.momentum as number);
      maxMomentums = perGroup(call, "maxMomentum", optimizer, o.maxMomentum);
    }
    super(optimizer, { lastEpoch, verbose: o.verbose as boolean });
    this.maxLrs = maxLrs;
    this.totalSize = totalSize;
    this.stepRatio = stepRatio;
    this.mode = mode;
    this.gamma = o.gamma as number;
    this.scaleFnCustom = scaleFn;
    this.scaleMode = scaleMode;
    this.cycleMomentum = cycleMomentum;
    this.baseMomentums = baseMomentums;
    this.maxMomentums = maxMomentums;
    this.initialStep(); // with base_lrs from each group's initial_lr, as PyTorch's
    this.baseLrs = baseLrs;
  }

  /** The amplitude scaling at `x` (a cycle number or an iteration). */
  scaleFn(x: number): number {
    if (this.scaleFnCustom !== null) return checkNumber("CyclicLR.step", "scaleFn(x)", this.scaleFnCustom(x));
    if (this.mode === "triangular") return 1;
    if (this.mode === "triangular2") return 1 / 2 ** (x - 1);
    return this.gamma ** x;
  }

  /** The state-dict entries, with PyTorch's keys. */
  protected override stateFields(): StateField[] {
    const own = fields(
      ["max_lrs", "maxLrs", "numbers"],
      ["total_size", "totalSize", "number"],
      ["step_ratio", "stepRatio", "number"],
      ["mode", "mode", "string"],
      ["gamma", "gamma", "number"],
      ["scale_mode", "scaleMode", "string"],
      ["cycle_momentum", "cycleMomentum", "boolean"],
    );
    if (this.cycleMomentum) {
      own.push(...fields(["base_momentums", "baseMomentums", "numbers"], ["max_momentums", "maxMomentums", "numbers"]));
    }
    return [...own, ...super.stateFields()];
  }

  /** PyTorch's chainable `get_lr`: the learning rates for `lastEpoch`. */
  protected override getLr(): number[] {
    const call = "CyclicLR.step";
    const e = this.lastEpoch;
    const cycle = Math.floor(1 + pyDiv(call, e, this.totalSize));
    const x = 1 + e / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? pyDiv(call, x, this.stepRatio) : pyDiv(call, x - 1, this.stepRatio - 1);
    const s = this.scaleFn(this.scaleMode === "cycle" ? cycle : e);
    const lrs = this.baseLrs.map((base, i) => base + (this.maxLrs[i] - base) * scaleFactor * s);
    if (this.cycleMomentum) {
      const groups = this.optimizer.paramGroups as Group[];
      this.baseMomentums.forEach((bm, i) => {
        const mm = this.maxMomentums[i];
        if (i < groups.length) groups[i].momentum = mm - (mm - bm) * scaleFactor * s;
      });
    }
    return lrs;
  }
}

/** Options of `OneCycleLR`. */
export interface OneCycleLROptions extends LRSchedulerOptions {
  /** The number of steps in the cycle (or give `epochs` and `stepsPerEpoch`). */
  totalSteps?: number | null;
  /** The number of epochs (with `stepsPerEpoch`, when `totalSteps` is not given). */
  epochs?: number | null;
  /** The number of steps per epoch. */
  stepsPerEpoch?: number | null;
  /** The fraction of the cycle spent increasing the learning rate (default 0.3). */
  pctStart?: number;
  /** "cos" or "linear" annealing (default "cos"). */
  annealStrategy?: "cos" | "linear";
  /** Cycle the momentum (SGD's `momentum`, Adam's `betas[0]`) inversely (default true). */
  cycleMomentum?: boolean;
  /** The lower momentum bound, one or per group (default 0.85). */
  baseMomentum?: number | number[];
  /** The upper momentum bound, one or per group (default 0.95). */
  maxMomentum?: number | number[];
  /** The initial learning rate is `maxLr / divFactor` (default 25). */
  divFactor?: number;
  /** The final learning rate is the initial one `/ finalDivFactor` (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, back down to the initial rate, then down to the minimum) instead of two (default false). */
  threePhase?: boolean;
}

/** A phase of `OneCycleLR` (PyTorch's `_schedule_phases` entries): where it ends and which group entries it anneals between. */
export interface OneCycleLRPhase {
  /** The step at which the phase ends. */
  end_step: number;
  /** The group entry the learning rate starts from (`initial_lr`, `max_lr`). */
  start_lr: string;
  /** The group entry it ends at (`max_lr`, `initial_lr`, `min_lr`). */
  end_lr: string;
  /** The group entry the momentum starts from (`max_momentum`, `base_momentum`). */
  start_momentum: string;
  /** The group entry it ends at. */
  end_momentum: string;
}

/**
 * The 1cycle policy (PyTorch's `OneCycleLR`): the learning rate rises from `maxLr / divFactor`
 * to `maxLr` over the first `pctStart` of the steps, then anneals to a minimum far below the
 * start; the momentum (SGD's `momentum` or Adam's `betas[0]`) moves the other way. Call
 * `step()` after every batch, `totalSteps - 1` times at most.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const opt = new optim.Adam([tensor([1], { requiresGrad: true })]);
 * const sched = new optim.lrScheduler.OneCycleLR(opt, 1, { totalSteps: 10, annealStrategy: "linear" });
 * console.log(sched.getLastLr(), opt.paramGroups[0].betas); // [0.04] [0.95, 0.999]
 * for (let i = 0; i < 2; i++) sched.step();
 * console.log(sched.getLastLr(), opt.paramGroups[0].betas); // [1] [0.85, 0.999]
 * ```
 */
export class OneCycleLR extends LRScheduler {
  /** The number of steps in the cycle. */
  totalSteps: number;
  /** The phases: where each ends and which group entries it anneals between. */
  schedulePhases: OneCycleLRPhase[];
  /** "cos" or "linear". */
  annealStrategy: "cos" | "linear";
  /** Whether the momentum cycles. */
  cycleMomentum: boolean;
  /** Whether the momentum is Adam's `betas[0]`. */
  useBeta1 = false;

  /**
   * Records each group's initial, peak and final learning rates (and momenta) and takes the first step.
   *
   * @param optimizer the optimizer to schedule
   * @param maxLr the peak learning rate, one or per group
   * @param options see `OneCycleLROptions`
   */
  constructor(optimizer: Optimizer, maxLr: number | number[], options: OneCycleLROptions = {}) {
    const call = "OneCycleLR";
    const o = parseSchedulerArgs(call, [maxLr, options], [
      { name: "maxLr", kind: "any", default: undefined },
      { name: "totalSteps", kind: "number?", default: null, keywordOnly: true },
      { name: "epochs", kind: "number?", default: null, keywordOnly: true },
      { name: "stepsPerEpoch", kind: "number?", default: null, keywordOnly: true },
      { name: "pctStart", kind: "number", default: 0.3, keywordOnly: true },
      { name: "annealStrategy", kind: "string?", default: "cos", keywordOnly: true },
      { name: "cycleMomentum", kind: "boolean", default: true, keywordOnly: true },
      { name: "baseMomentum", kind: "any", default: 0.85, keywordOnly: true },
      { name: "maxMomentum", kind: "any", default: 0.95, keywordOnly: true },
      { name: "divFactor", kind: "number", default: 25, keywordOnly: true },
      { name: "finalDivFactor", kind: "number", default: 1e4, keywordOnly: true },
      { name: "threePhase", kind: "boolean", default: false, keywordOnly: true },
      ...COMMON_SPECS.map((s) => ({ ...s, keywordOnly: true })),
    ], ["maxLr"]);
    checkOptimizer(call, optimizer);
    const posInt = (name: string, v: unknown): number => {
      if (v === null) throw new TypeError(`${call}: Expected positive integer ${name}, but got null`);
      if (!Number.isInteger(v) || (v as number) <= 0) {
        throw new RangeError(`${call}: Expected positive integer ${name}, but got ${v}`);
      }
      return v as number;
    };
    let totalSteps: number;
    if (o.totalSteps === null && o.epochs === null && o.stepsPerEpoch === null) {
      throw new RangeError(`${call}: You must define either totalSteps OR (epochs AND stepsPerEpoch)`);
    } else if (o.totalSteps !== null) totalSteps = posInt("totalSteps", o.totalSteps);
    else totalSteps = posInt("epochs", o.epochs) * posInt("stepsPerEpoch", o.stepsPerEpoch);
    const pct = o.pctStart as number;
    const ph = (end_step: number, start_lr: string, end_lr: string, start_momentum: string, end_momentum: string) => ({
      end_step,
      start_lr,
      end_lr,
      start_momentum,
      end_momentum,
    });
    const phases: OneCycleLRPhase[] = o.threePhase
      ? [
        ph(pct * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
        ph(2 * pct * totalSteps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
        ph(totalSteps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
      ]
      : [
        ph(pct * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
        ph(totalSteps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
      ];
    if (pct < 0 || pct > 1) throw new RangeError(`${call}: Expected float between 0 and 1 pctStart, but got ${pct}`);
    const strategy = o.annealStrategy;
    if (strategy !== "cos" && strategy !== "linear") {
      throw new RangeError(`${call}: annealStrategy must be one of 'cos' or 'linear', instead got ${strategy}`);
    }
    const lastEpoch = o.lastEpoch as number;
    const groups = optimizer.paramGroups as Group[];
    const maxLrs = perGroup(call, "maxLr", optimizer, o.maxLr);
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initial_lr = pyDiv(call, maxLrs[i], o.divFactor as number);
        g.max_lr = maxLrs[i];
        g.min_lr = pyDiv(call, g.initial_lr as number, o.finalDivFactor as number);
      });
    }
    const cycleMomentum = o.cycleMomentum as boolean;
    let useBeta1 = false;
    if (cycleMomentum) {
      if (!("momentum" in optimizer.defaults) && !("betas" in optimizer.defaults)) {
        throw new RangeError(`${call}: optimizer must support momentum with \`cycleMomentum\` option enabled`);
      }
      useBeta1 = "betas" in optimizer.defaults;
      const mm = perGroup(call, "maxMomentum", optimizer, o.maxMomentum);
      const bm = perGroup(call, "baseMomentum", optimizer, o.baseMomentum);
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          if (useBeta1) g.betas = [mm[i], ...(g.betas as number[]).slice(1)];
          else g.momentum = mm[i];
          g.max_momentum = mm[i];
          g.base_momentum = bm[i];
        });
      }
    }
    super(optimizer, { lastEpoch, verbose: o.verbose as boolean });
    this.totalSteps = totalSteps;
    this.schedulePhases = phases;
    this.annealStrategy = strategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.initialStep();
  }

  /** Anneals from `start` to `end` as `pct` goes from 0 to 1 (cosine or linear). */
  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === "cos") return end + (start - end) / 2 * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  /** The state-dict entries, with PyTorch's keys. */
  protected override stateFields(): StateField[] {
    const own = fields(
      ["total_steps", "totalSteps", "number"],
      ["_schedule_phases", "schedulePhases", "custom"],
      ["anneal_func", "annealStrategy", "custom"],
      ["cycle_momentum", "cycleMomentum", "boolean"],
    );
    if (this.cycleMomentum) own.push(...fields(["use_beta1", "useBeta1", "boolean"]));
    return [...own, ...super.stateFields()];
  }

  /** `_schedule_phases` as PyTorch stores it; `anneal_func` as its name, "cos" or "linear". */
  protected override saveCustom(f: StateField): unknown {
    return f.key === "anneal_func" ? this.annealStrategy : structuredClone(this.schedulePhases);
  }

  /** Checks an entry that is not a plain value and returns what loads it. */
  protected override loadCustom(f: StateField, value: unknown): () => void {
    const call = "OneCycleLR.loadStateDict";
    if (f.key === "anneal_func") {
      if (value !== "cos" && value !== "linear") {
        throw new TypeError(`${call}: expected anneal_func to be "cos" or "linear", got ${describe(value)}`);
      }
      return () => (this.annealStrategy = value);
    }
    const keys = ["end_step", "start_lr", "end_lr", "start_momentum", "end_momentum"];
    if (
      !Array.isArray(value) || value.length === 0 ||
      value.some((p) => p === null || typeof p !== "object" || keys.some((k) => !(k in p)))
    ) {
      throw new TypeError(`${call}: expected _schedule_phases to be an array of phases (${keys.join(", ")})`);
    }
    return () => (this.schedulePhases = structuredClone(value));
  }

  /** PyTorch's chainable `get_lr`: the learning rates for `lastEpoch`. */
  protected override getLr(): number[] {
    const call = "OneCycleLR.step";
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new RangeError(
        `${call}: Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`,
      );
    }
    const entry = (g: Group, i: number, key: string): number => {
      if (!(key in g)) throw new RangeError(`${call}: param_groups[${i}] has no ${key}`);
      return g[key] as number;
    };
    return (this.optimizer.paramGroups as Group[]).map((g, gi) => {
      let start = 0, lr = 0, momentum = 0;
      for (let i = 0; i < this.schedulePhases.length; i++) {
        const p = this.schedulePhases[i];
        if (stepNum <= p.end_step || i === this.schedulePhases.length - 1) {
          const pct = pyDiv(call, stepNum - start, p.end_step - start);
          lr = this.anneal(entry(g, gi, p.start_lr), entry(g, gi, p.end_lr), pct);
          if (this.cycleMomentum) {
            momentum = this.anneal(entry(g, gi, p.start_momentum), entry(g, gi, p.end_momentum), pct);
          }
          break;
        }
        start = p.end_step;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = [momentum, ...(g.betas as number[]).slice(1)];
        else g.momentum = momentum;
      }
      return lr;
    });
  }
}

/** Options of `CosineAnnealingWarmRestarts`. */
export interface CosineAnnealingWarmRestartsOptions extends LRSchedulerOptions {
  /** The factor by which the period grows after each restart, an integer >= 1 (default 1). */
  TMult?: number;
  /** The minimum learning rate (default 0). */
  etaMin?: number;
}

/**
 * Cosine annealing with warm restarts (SGDR, PyTorch's `CosineAnnealingWarmRestarts`): the
 * learning rate follows a half cosine from its initial value to `etaMin` over `T0` epochs, then
 * restarts, each period `TMult` times longer than the last. `step(epoch)` takes fractional
 * epochs, so it can be called per batch with `epoch + i / iters`.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.lrScheduler.CosineAnnealingWarmRestarts(opt, 2);
 * sched.step(1);
 * console.log(+sched.getLastLr()[0].toFixed(12)); // 0.5
 * sched.step(2);
 * console.log(sched.getLastLr()); // [1]
 * ```
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** The first period. */
  T0: number;
  /** The current period. */
  Ti: number;
  /** The growth factor of the period. */
  TMult: number;
  /** The minimum learning rate. */
  etaMin: number;
  /** Epochs since the last restart (fractional when stepped so). */
  Tcur: number;

  /**
   * Builds the scheduler and takes its first step, which sets each group's `lr`.
   *
   * @param optimizer the optimizer to schedule
   * @param T0 the number of epochs before the first restart
   * @param TMult the growth factor of the period (default 1), or the options
   * @param options `TMult`, `etaMin`, `lastEpoch`, `verbose`
   */
  constructor(
    optimizer: Optimizer,
    T0: number,
    TMult?: number | CosineAnnealingWarmRestartsOptions,
    options?: CosineAnnealingWarmRestartsOptions,
  ) {
    const call = "CosineAnnealingWarmRestarts";
    const o = parseSchedulerArgs(call, [T0, TMult, options], [
      { name: "T0", kind: "number", default: undefined },
      { name: "TMult", kind: "number", default: 1 },
      { name: "etaMin", kind: "number", default: 0 },
      ...COMMON_SPECS.map((s) => ({ ...s, keywordOnly: true })),
    ], ["T0"]);
    const t0 = o.T0 as number, tm = o.TMult as number;
    if (t0 <= 0 || !Number.isInteger(t0)) throw new RangeError(`${call}: Expected positive integer T0, but got ${t0}`);
    if (tm < 1 || !Number.isInteger(tm)) throw new RangeError(`${call}: Expected integer TMult >= 1, but got ${tm}`);
    super(optimizer, { lastEpoch: o.lastEpoch as number, verbose: o.verbose as boolean });
    this.T0 = t0;
    this.Ti = t0;
    this.TMult = tm;
    this.etaMin = o.etaMin as number;
    this.Tcur = this.lastEpoch;
    this.initialStep();
  }

  /** The state-dict entries, with PyTorch's keys. */
  protected override stateFields(): StateField[] {
    return [
      ...fields(
        ["T_0", "T0", "number"],
        ["T_i", "Ti", "number"],
        ["T_mult", "TMult", "number"],
        ["eta_min", "etaMin", "number"],
        ["T_cur", "Tcur", "number"],
      ),
      ...super.stateFields(),
    ];
  }

  /** PyTorch's chainable `get_lr`: the learning rates for `lastEpoch`. */
  protected override getLr(): number[] {
    const c = Math.cos(Math.PI * this.Tcur / this.Ti);
    return this.baseLrs.map((b) => this.etaMin + (b - this.etaMin) * (1 + c) / 2);
  }

  /**
   * Advances one epoch, or jumps to `epoch` (which may be fractional: the position within the
   * current period follows it).
   */
  override step(epoch?: number): void {
    const call = "CosineAnnealingWarmRestarts.step";
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.Tcur = this.Tcur + 1;
      if (this.Tcur >= this.Ti) {
        this.Tcur = this.Tcur - this.Ti;
        this.Ti = this.Ti * this.TMult;
      }
    } else {
      checkNumber(call, "epoch", epoch);
      if (epoch < 0) throw new RangeError(`${call}: Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= this.T0) {
        if (this.TMult === 1) this.Tcur = pyMod(call, epoch, this.T0);
        else {
          const n = Math.trunc(Math.log(epoch / this.T0 * (this.TMult - 1) + 1) / Math.log(this.TMult));
          this.Tcur = epoch - this.T0 * (this.TMult ** n - 1) / (this.TMult - 1);
          this.Ti = this.T0 * this.TMult ** n;
        }
      } else {
        this.Ti = this.T0;
        this.Tcur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    this.setLrs(this.getLr(), epoch);
  }
}
