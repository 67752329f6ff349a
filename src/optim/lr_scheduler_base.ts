/**
 * The learning-rate scheduler base class (PyTorch 1.13's `_LRScheduler`) and the helpers the
 * schedulers share: option parsing, Python's arithmetic where it differs from JavaScript's
 * (floor division, modulo, division by zero), per-group values and verbose printing.
 *
 * @module
 */

import { Optimizer, type ParamGroup } from "./optimizer.ts";
import { describe } from "../tensor/shape.ts";
import { type ArgSpec, parseArgs } from "../nn/positional.ts";

/** A scheduler's state dict: PyTorch's keys (`last_epoch`, `base_lrs`, `_step_count`, ...). */
export type SchedulerStateDict = Record<string, unknown>;

/** The options every `LRScheduler` takes. */
export interface LRSchedulerOptions {
  /** The index of the last epoch; -1 (the default) starts the schedule. */
  lastEpoch?: number;
  /** Print a line each time a learning rate is set (default false). */
  verbose?: boolean;
}

/** How a state-dict entry is checked when loaded. */
export type FieldKind = "number" | "boolean" | "string" | "numbers" | "custom";

/** One state-dict entry: PyTorch's key, the property holding it, and its kind. */
export interface StateField {
  /** PyTorch's key. */
  key: string;
  /** The property of the scheduler. */
  prop: string;
  /** What it holds. */
  kind: FieldKind;
}

/** Shorthand for a list of state fields. */
export function fields(...spec: [string, string, FieldKind][]): StateField[] {
  return spec.map(([key, prop, kind]) => ({ key, prop, kind }));
}

/** Keys of PyTorch's state dicts that hold Python-only things (flags of its warnings, weak refs). */
const PYTHON_ONLY = new Set(["_get_lr_called_within_step", "_scale_fn_ref", "_scale_fn_custom"]);

/** Parses `args` (positionals, then an optional options object) against `specs`; see parseArgs. */
export function parseSchedulerArgs(
  call: string,
  args: readonly unknown[],
  specs: readonly ArgSpec[],
  required: readonly string[] = [],
): Record<string, unknown> {
  const out = parseArgs(call, args, specs);
  for (const name of required) {
    if (out[name] === undefined) throw new TypeError(`${call}: missing required argument ${name}`);
  }
  return out;
}

/** The common trailing options: `lastEpoch` and `verbose`. */
export const COMMON_SPECS: readonly ArgSpec[] = [
  { name: "lastEpoch", kind: "int", default: -1 },
  { name: "verbose", kind: "boolean", default: false },
];

/** Throws unless `v` is a number (not NaN when `finite` is asked for). */
export function checkNumber(call: string, name: string, v: unknown): number {
  if (typeof v !== "number" || Number.isNaN(v)) {
    throw new TypeError(`${call}: expected ${name} to be a number, got ${describe(v)}`);
  }
  return v;
}

/** Throws unless `o` is an Optimizer. */
export function checkOptimizer(call: string, o: unknown): Optimizer {
  if (!(o instanceof Optimizer)) throw new TypeError(`${call}: ${describe(o)} is not an Optimizer`);
  return o;
}

/**
 * PyTorch's `_format_param`: one number per parameter group, from a number or an array with
 * one entry per group.
 */
export function perGroup(call: string, name: string, optimizer: Optimizer, v: unknown): number[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(v)) {
    if (v.length !== n) throw new RangeError(`${call}: expected ${n} values for ${name}, got ${v.length}`);
    v.forEach((x, i) => checkNumber(call, `${name}[${i}]`, x));
    return [...v];
  }
  checkNumber(call, name, v);
  return new Array(n).fill(v);
}

/** Python's `a / b` for floats: division by zero is an error, not an infinity. */
export function pyDiv(call: string, a: number, b: number): number {
  if (b === 0) throw new RangeError(`${call}: float division by zero`);
  return a / b;
}

/** Python's `a % b` (the result takes the sign of `b`); modulo by zero is an error. */
export function pyMod(call: string, a: number, b: number): number {
  if (b === 0) throw new RangeError(`${call}: integer division or modulo by zero`);
  let mod = a % b;
  if (mod !== 0 && (b < 0) !== (mod < 0)) mod += b;
  return mod;
}

/** Python's `a // b` (floor division, CPython's float algorithm). */
export function pyFloorDiv(call: string, a: number, b: number): number {
  if (b === 0) throw new RangeError(`${call}: integer division or modulo by zero`);
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && (b < 0) !== (mod < 0)) div -= 1;
  if (div === 0) return 0;
  let floordiv = Math.floor(div);
  if (div - floordiv > 0.5) floordiv += 1;
  return floordiv;
}

/** Python's `"{:.4e}".format(x)`. */
export function formatE4(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const [mant, exp] = x.toExponential(4).split("e");
  const e = Number(exp);
  return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/** Python's `"%.2f" % epoch` for a fractional epoch, `"%.5d" % epoch` for a whole one. */
export function formatEpoch(epoch: number): string {
  if (!Number.isInteger(epoch)) return epoch.toFixed(2);
  return (epoch < 0 ? "-" : "") + String(Math.abs(epoch)).padStart(5, "0");
}

/** The current learning rate of each of a scheduler's groups. */
export function groupLrs(s: LRScheduler): number[] {
  return s.optimizer.paramGroups.map(groupLr);
}

/** The learning rate of a group, as a number. */
export function groupLr(group: ParamGroup<object>): number {
  return (group as Record<string, unknown>).lr as number;
}

/**
 * The base class of the learning-rate schedulers (PyTorch's `torch.optim.lr_scheduler._LRScheduler`).
 *
 * The constructor records each group's `initial_lr` (from its `lr` when `lastEpoch` is -1; when
 * resuming it must already be there) and `baseLrs`. A subclass computes the new learning
 * rates in `getLr()` (and optionally their closed form in `getClosedFormLr()` for
 * `step(epoch)`), and calls `this.initialStep()` at the end of its constructor: PyTorch's base
 * constructor takes that first step itself, but a TypeScript subclass sets its fields only
 * after `super()` returns.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * class Halve extends optim.lrScheduler.LRScheduler {
 *   constructor(opt: optim.Optimizer) {
 *     super(opt);
 *     this.initialStep();
 *   }
 *   protected override getLr(): number[] {
 *     return this.baseLrs.map((lr) => lr / 2 ** this.lastEpoch);
 *   }
 * }
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new Halve(opt);
 * sched.step();
 * sched.step();
 * console.log(sched.getLastLr(), opt.paramGroups[0].initial_lr); // [0.25] 1
 * ```
 */
export abstract class LRScheduler {
  /** The optimizer whose learning rates this scheduler sets. */
  readonly optimizer: Optimizer;
  /** Each group's `initial_lr`, read at construction. */
  baseLrs: number[];
  /** The index of the last epoch (the number of `step()` calls after the first, implicit one). */
  lastEpoch: number;
  /** Print each learning rate set. */
  verbose: boolean;
  /** How many times `step()` ran, the constructor's step included. */
  protected _stepCount = 0;
  /** The learning rates the last step set. */
  protected _lastLr: number[] = [];

  /**
   * Records each group's `initial_lr` and the base learning rates; takes no step (see `initialStep`).
   *
   * @param optimizer the optimizer to schedule
   * @param options `lastEpoch` (default -1) and `verbose` (default false)
   */
  constructor(optimizer: Optimizer, options: LRSchedulerOptions = {}) {
    const call = this.constructor.name;
    checkOptimizer(call, optimizer);
    const { lastEpoch, verbose } = parseSchedulerArgs(call, [options], COMMON_SPECS) as {
      lastEpoch: number;
      verbose: boolean;
    };
    this.optimizer = optimizer;
    const groups = optimizer.paramGroups as Record<string, unknown>[];
    if (lastEpoch === -1) {
      for (const g of groups) if (!("initial_lr" in g)) g.initial_lr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (!("initial_lr" in g)) {
          throw new RangeError(
            `${call}: param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`,
          );
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initial_lr as number);
    this.lastEpoch = lastEpoch;
    this.verbose = verbose;
  }

  /** Takes the constructor's first step (PyTorch's `_initial_step`); subclasses call it last. */
  protected initialStep(): void {
    this._stepCount = 0;
    this.step();
  }

  /** The learning rates for `lastEpoch` (PyTorch's chainable `get_lr`). */
  protected abstract getLr(): number[];

  /** The learning rates for `lastEpoch` in closed form, used by `step(epoch)`; null if there is none. */
  protected getClosedFormLr(): number[] | null {
    return null;
  }

  /** The state-dict entries: the subclass's first, then the base's. */
  protected stateFields(): StateField[] {
    return fields(
      ["base_lrs", "baseLrs", "numbers"],
      ["last_epoch", "lastEpoch", "number"],
      ["verbose", "verbose", "boolean"],
      ["_step_count", "_stepCount", "number"],
      ["_last_lr", "_lastLr", "numbers"],
    );
  }

  /**
   * Advances the schedule by one epoch and sets each group's `lr`. Given `epoch` (deprecated in
   * PyTorch), jumps to that epoch, using the closed form where the scheduler has one.
   */
  step(epoch?: number): void {
    const call = `${this.constructor.name}.step`;
    this._stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      checkNumber(call, "epoch", epoch);
      this.lastEpoch = epoch;
      values = this.getClosedFormLr() ?? this.getLr();
    }
    this.setLrs(values, epoch);
  }

  /** Sets each group's `lr` (printing it when verbose) and records them as the last ones. */
  protected setLrs(values: readonly number[], epoch?: number): void {
    const groups = this.optimizer.paramGroups as Record<string, unknown>[];
    for (let i = 0; i < Math.min(groups.length, values.length); i++) {
      groups[i].lr = values[i];
      if (this.verbose) {
        if (epoch === undefined) console.log(`Adjusting learning rate of group ${i} to ${formatE4(values[i])}.`);
        else {console.log(
            `Epoch ${formatEpoch(epoch)}: adjusting learning rate of group ${i} to ${formatE4(values[i])}.`,
          );}
      }
    }
    this._lastLr = groups.map((g) => g.lr as number);
  }

  /** The learning rates the last step set, one per group. */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /**
   * The scheduler's state with PyTorch's keys (`last_epoch`, `base_lrs`, `_step_count`,
   * `_last_lr`, and the scheduler's own such as `step_size` or `T_max`). Values are copies.
   */
  stateDict(): SchedulerStateDict {
    return writeState(this, this.stateFields(), (f) => this.saveCustom(f));
  }

  /**
   * Restores state saved by `stateDict` (PyTorch's `load_state_dict` updates every attribute
   * it holds, the options included). Entries that only mean something to Python (such as
   * `_get_lr_called_within_step`) are ignored; unknown keys and values of the wrong kind throw,
   * and nothing is changed then.
   */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const call = `${this.constructor.name}.loadStateDict`;
    readState(
      call,
      this,
      this.stateFields(),
      this.optimizer.paramGroups.length,
      stateDict,
      (f, v) => this.loadCustom(f, v),
    );
  }

  /** Saves a `custom` state field (subclasses with such fields override this). */
  protected saveCustom(f: StateField): unknown {
    return structuredClone((this as unknown as Record<string, unknown>)[f.prop]);
  }

  /**
   * Checks a `custom` state field and returns what applies it (subclasses with such fields
   * override this).
   */
  protected loadCustom(f: StateField, value: unknown): () => void {
    return () => {
      (this as unknown as Record<string, unknown>)[f.prop] = structuredClone(value);
    };
  }
}

/** The state dict of `self` with the given fields (values are deep copies). */
export function writeState(
  self: object,
  all: readonly StateField[],
  saveCustom: (f: StateField) => unknown,
): SchedulerStateDict {
  const rec = self as Record<string, unknown>;
  const out: SchedulerStateDict = {};
  for (const f of all) out[f.key] = f.kind === "custom" ? saveCustom(f) : structuredClone(rec[f.prop]);
  return out;
}

/** Checks every entry of `stateDict` against `all`, then applies them all. */
export function readState(
  call: string,
  self: object,
  all: readonly StateField[],
  nGroups: number,
  stateDict: unknown,
  loadCustom: (f: StateField, value: unknown) => () => void,
): void {
  if (stateDict === null || typeof stateDict !== "object" || Array.isArray(stateDict)) {
    throw new TypeError(`${call}: expected a state dict object, got ${describe(stateDict)}`);
  }
  const rec = self as Record<string, unknown>;
  const updates: (() => void)[] = [];
  for (const [key, value] of Object.entries(stateDict)) {
    if (PYTHON_ONLY.has(key)) continue;
    const f = all.find((f) => f.key === key);
    if (f === undefined) {
      throw new TypeError(`${call}: unknown key "${key}" (expected ${all.map((f) => f.key).join(", ")})`);
    }
    const bad = (what: string) => new TypeError(`${call}: expected ${key} to be ${what}, got ${describe(value)}`);
    switch (f.kind) {
      case "number":
        if (typeof value !== "number") throw bad("a number");
        break;
      case "boolean":
        if (typeof value !== "boolean") throw bad("a boolean");
        break;
      case "string":
        if (typeof value !== "string") throw bad("a string");
        break;
      case "numbers":
        if (!Array.isArray(value) || value.some((v) => typeof v !== "number")) throw bad("an array of numbers");
        if (value.length !== nGroups) {
          throw new RangeError(
            `${call}: expected ${key} to hold ${nGroups} values (one per group), got ${value.length}`,
          );
        }
        break;
    }
    updates.push(
      f.kind === "custom" ? loadCustom(f, value) : () => {
        rec[f.prop] = structuredClone(value);
      },
    );
  }
  for (const apply of updates) apply(); // all entries are checked before any is applied
}
