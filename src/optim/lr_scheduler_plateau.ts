/**
 * `ReduceLROnPlateau` of `optim.lrScheduler`: PyTorch 1.13's metric-driven scheduler.
 *
 * @module
 */

import type { Optimizer } from "./optimizer.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { describe } from "../tensor/shape.ts";
import {
  checkNumber,
  checkOptimizer,
  fields,
  formatE4,
  formatEpoch,
  groupLr,
  parseSchedulerArgs,
  readState,
  type SchedulerStateDict,
  type StateField,
  writeState,
} from "./lr_scheduler_base.ts";

type Group = Record<string, unknown>;

/** Options of `ReduceLROnPlateau`. */
export interface ReduceLROnPlateauOptions {
  /** "min": reduce when the metric stops decreasing; "max": when it stops increasing (default "min"). */
  mode?: "min" | "max";
  /** The factor applied to the learning rate, below 1 (default 0.1). */
  factor?: number;
  /** The number of epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** How much better a metric must be to count as an improvement (default 1e-4). */
  threshold?: number;
  /** "rel": `threshold` is relative to the best value; "abs": absolute (default "rel"). */
  thresholdMode?: "rel" | "abs";
  /** The number of epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** The lower bound of the learning rate: one for all groups or one per group (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
  /** Print a line at each reduction (default false). */
  verbose?: boolean;
}

/**
 * Reduces each group's learning rate by `factor` once a metric has stopped improving for
 * `patience` epochs (PyTorch's `ReduceLROnPlateau`). Call `step(metric)` once per epoch.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 1, factor: 0.5 });
 * for (const loss of [3, 2, 2, 2, 2]) sched.step(loss);
 * console.log(sched.getLastLr()); // [0.5]
 * ```
 */
export class ReduceLROnPlateau {
  /** The optimizer whose learning rates this scheduler sets. */
  readonly optimizer: Optimizer;
  /** The reduction factor. */
  factor: number;
  /** The lower bound of each group's learning rate. */
  minLrs: number[];
  /** Bad epochs tolerated before a reduction. */
  patience: number;
  /** Print each reduction. */
  verbose: boolean;
  /** Epochs to wait after a reduction. */
  cooldown: number;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** "min" or "max". */
  mode: "min" | "max";
  /** The improvement threshold. */
  threshold: number;
  /** "rel" or "abs". */
  thresholdMode: "rel" | "abs";
  /** The best metric so far. */
  best: number;
  /** Epochs since the last improvement. */
  numBadEpochs = 0;
  /** The worst value in this mode (the initial `best`). */
  modeWorse: number;
  /** The smallest reduction applied. */
  eps: number;
  /** The number of `step` calls (or the last epoch given). */
  lastEpoch = 0;
  /** The learning rates after the last step. */
  protected _lastLr: number[];

  /**
   * Checks the options; the learning rates stay as they are until a step reduces them.
   *
   * @param optimizer the optimizer to schedule
   * @param mode "min" or "max" (default "min"), or the options
   * @param options `mode`, `factor`, `patience`, `threshold`, `thresholdMode`, `cooldown`, `minLr`, `eps`, `verbose`
   */
  constructor(
    optimizer: Optimizer,
    mode?: "min" | "max" | ReduceLROnPlateauOptions,
    options?: ReduceLROnPlateauOptions,
  ) {
    const call = "ReduceLROnPlateau";
    const o = parseSchedulerArgs(call, [mode, options], [
      { name: "mode", kind: "string?", default: "min" },
      { name: "factor", kind: "number", default: 0.1, keywordOnly: true },
      { name: "patience", kind: "number", default: 10, keywordOnly: true },
      { name: "threshold", kind: "number", default: 1e-4, keywordOnly: true },
      { name: "thresholdMode", kind: "string?", default: "rel", keywordOnly: true },
      { name: "cooldown", kind: "number", default: 0, keywordOnly: true },
      { name: "minLr", kind: "any", default: 0, keywordOnly: true },
      { name: "eps", kind: "number", default: 1e-8, keywordOnly: true },
      { name: "verbose", kind: "boolean", default: false, keywordOnly: true },
    ]);
    const factor = o.factor as number;
    if (factor >= 1) throw new RangeError(`${call}: Factor should be < 1.0, got ${factor}`);
    this.factor = factor;
    this.optimizer = checkOptimizer(call, optimizer);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(o.minLr)) {
      if (o.minLr.length !== n) throw new RangeError(`${call}: expected ${n} min_lrs, got ${o.minLr.length}`);
      o.minLr.forEach((v, i) => checkNumber(call, `minLr[${i}]`, v));
      this.minLrs = [...o.minLr];
    } else this.minLrs = new Array(n).fill(checkNumber(call, "minLr", o.minLr));
    this.patience = o.patience as number;
    this.verbose = o.verbose as boolean;
    this.cooldown = o.cooldown as number;
    this.mode = o.mode as "min" | "max";
    this.threshold = o.threshold as number;
    this.thresholdMode = o.thresholdMode as "rel" | "abs";
    this.eps = o.eps as number;
    ReduceLROnPlateau.checkModes(call, this.mode, this.thresholdMode);
    this.modeWorse = this.mode === "min" ? Infinity : -Infinity;
    this.best = this.modeWorse;
    this._lastLr = optimizer.paramGroups.map(groupLr);
  }

  /** Throws unless `mode` and `thresholdMode` are known (PyTorch's `_init_is_better`). */
  private static checkModes(call: string, mode: unknown, thresholdMode: unknown): void {
    if (mode !== "min" && mode !== "max") throw new RangeError(`${call}: mode ${String(mode)} is unknown!`);
    if (thresholdMode !== "rel" && thresholdMode !== "abs") {
      throw new RangeError(`${call}: threshold mode ${String(thresholdMode)} is unknown!`);
    }
  }

  /** True while a cooldown runs. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min") return a < best - this.threshold;
    if (this.thresholdMode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /**
   * Records the epoch's metric (a number or a one-element tensor) and reduces the learning
   * rates if it has not improved for more than `patience` epochs.
   */
  step(metrics: number | Tensor, epoch?: number): void {
    const call = "ReduceLROnPlateau.step";
    let current: number;
    if (typeof metrics === "number") current = metrics;
    else if (metrics !== null && typeof metrics === "object" && (metrics as { _isTensor?: boolean })._isTensor) {
      current = Number((metrics as Tensor).item());
    } else throw new TypeError(`${call}: expected metrics to be a number or a tensor, got ${describe(metrics)}`);
    if (epoch === undefined) epoch = this.lastEpoch + 1;
    else checkNumber(call, "epoch", epoch);
    this.lastEpoch = epoch;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs += 1;
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr(epoch);
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = this.optimizer.paramGroups.map(groupLr);
  }

  /** Multiplies each group's lr by `factor`, down to its `minLr`, skipping changes below `eps`. */
  private reduceLr(epoch: number): void {
    (this.optimizer.paramGroups as Group[]).forEach((g, i) => {
      const oldLr = Number(g.lr);
      const scaled = oldLr * this.factor;
      const newLr = this.minLrs[i] > scaled ? this.minLrs[i] : scaled; // Python's max(scaled, min_lr)
      if (oldLr - newLr > this.eps) {
        g.lr = newLr;
        if (this.verbose) {
          console.log(`Epoch ${formatEpoch(epoch)}: reducing learning rate of group ${i} to ${formatE4(newLr)}.`);
        }
      }
    });
  }

  /** The learning rates after the last step (at construction: the current ones). */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /** The state-dict entries, with PyTorch's keys. */
  private stateFields(): StateField[] {
    return fields(
      ["factor", "factor", "number"],
      ["min_lrs", "minLrs", "numbers"],
      ["patience", "patience", "number"],
      ["verbose", "verbose", "boolean"],
      ["cooldown", "cooldown", "number"],
      ["cooldown_counter", "cooldownCounter", "number"],
      ["mode", "mode", "string"],
      ["threshold", "threshold", "number"],
      ["threshold_mode", "thresholdMode", "string"],
      ["best", "best", "number"],
      ["num_bad_epochs", "numBadEpochs", "number"],
      ["mode_worse", "modeWorse", "number"],
      ["eps", "eps", "number"],
      ["last_epoch", "lastEpoch", "number"],
      ["_last_lr", "_lastLr", "numbers"],
    );
  }

  /** The scheduler's state with PyTorch's keys (`best`, `num_bad_epochs`, `cooldown_counter`, ...). */
  stateDict(): SchedulerStateDict {
    return writeState(this, this.stateFields(), () => null);
  }

  /** Restores state saved by `stateDict` (the options included, as in PyTorch). */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const call = "ReduceLROnPlateau.loadStateDict";
    const sd = (stateDict ?? {}) as Record<string, unknown>;
    if (typeof sd === "object") {
      ReduceLROnPlateau.checkModes(call, sd.mode ?? this.mode, sd.threshold_mode ?? this.thresholdMode);
    }
    readState(call, this, this.stateFields(), this.optimizer.paramGroups.length, stateDict, () => () => {});
  }
}
