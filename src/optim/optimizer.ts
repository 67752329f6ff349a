/**
 * The optimizer base class: parameter groups, per-parameter state, `zeroGrad`, `step` and
 * state dicts shaped like PyTorch's. Each optimizer is a small subclass that validates its
 * options and implements the update of one group (see sgd.ts, adam.ts, ...).
 *
 * @module
 */

import type { Tensor } from "../tensor/tensor.ts";
import { keep } from "../tensor/scope.ts";
import { describe, fmt, sameShape } from "../tensor/shape.ts";
import { castRaw } from "../tensor/ops/util.ts";
import { clone } from "../tensor/ops/convert.ts";
import { enableGrad, noGrad } from "../autograd/grad_mode.ts";

/** A value of an optimizer option: a number, a flag, or a pair such as Adam's `betas`. */
export type OptionValue = number | boolean | readonly [number, number];

/** A parameter group: the group's tensors plus a full set of the optimizer's options. */
export type ParamGroup<O extends object> = O & { params: Tensor[]; [extra: string]: unknown };

/** A parameter group as passed in: tensors plus any options that override the defaults. */
export type ParamGroupSpec<O extends object> = Partial<O> & {
  params: Tensor | Iterable<Tensor>;
  [extra: string]: unknown;
};

/** What an optimizer accepts as parameters: tensors, or parameter groups. */
export type Params<O extends object> = Iterable<Tensor> | Iterable<ParamGroupSpec<O>>;

/** The state of one parameter: tensors (`exp_avg`, `momentum_buffer`, ...) and numbers (`step`). */
export type ParamState = Record<string, Tensor | number>;

/**
 * An optimizer's state dict, shaped like PyTorch's: `state` maps a parameter's index (its
 * position across the groups) to its state, and `param_groups` holds each group's options with
 * `params` replaced by those indices. State tensors are the optimizer's own (not copies), as
 * in PyTorch; `loadStateDict` copies them.
 */
export interface OptimizerStateDict<O extends object = object> {
  /** Per-parameter state by parameter index. */
  state: Record<number, ParamState>;
  /** The groups' options, with `params` as parameter indices. */
  param_groups: (O & { params: number[]; [extra: string]: unknown })[];
}

function isTensorLike(x: unknown): x is Tensor {
  return x !== null && typeof x === "object" && (x as { _isTensor?: boolean })._isTensor === true;
}

function isIterable(x: unknown): x is Iterable<unknown> {
  return x !== null && typeof x === "object" && typeof (x as Iterable<unknown>)[Symbol.iterator] === "function";
}

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Checks the types of the options in `given` against `defaults`. Keys the optimizer does not
 * know are an error when `strict` (constructor options); in parameter groups they are kept, as
 * PyTorch keeps them, except snake_case spellings of known options, which are always an error.
 */
function checkOptionTypes(call: string, defaults: object, given: object, strict: boolean): void {
  const known = defaults as Record<string, unknown>;
  for (const [key, value] of Object.entries(given)) {
    if (key === "params") continue;
    if (!Object.hasOwn(known, key)) {
      if (Object.hasOwn(known, camel(key)) && camel(key) !== key) {
        throw new TypeError(`${call}: unknown option "${key}"; did you mean "${camel(key)}"?`);
      }
      if (strict) {
        throw new TypeError(`${call}: unknown option "${key}"; expected one of ${Object.keys(known).join(", ")}`);
      }
      continue;
    }
    const want = known[key];
    if (Array.isArray(want)) {
      if (!Array.isArray(value) || value.length !== want.length || value.some((v) => typeof v !== "number")) {
        throw new TypeError(
          `${call}: expected ${key} to be an array of ${want.length} numbers, got ${describe(value)}`,
        );
      }
    } else if (typeof value !== typeof want) {
      throw new TypeError(`${call}: expected ${key} to be a ${typeof want}, got ${describe(value)}`);
    }
  }
}

/**
 * Merges user options over an optimizer's defaults after checking their types (a helper for
 * subclass constructors). A bare number is the learning rate, as PyTorch's positional `lr`.
 */
export function resolveOptions<O extends object>(call: string, defaults: O, options: unknown): O {
  if (options === undefined) return { ...defaults };
  if (typeof options === "number") options = { lr: options }; // PyTorch's positional lr
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${call}: expected an options object, got ${describe(options)}`);
  }
  checkOptionTypes(call, defaults, options, true);
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = Array.isArray(v) ? [...v] : v;
  return out as O;
}

/**
 * The base class of all optimizers (PyTorch's `torch.optim.Optimizer`).
 *
 * Subclasses pass their validated defaults to the constructor and implement `updateGroup`,
 * which runs under `noGrad` and updates the parameters of one group in place.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const w = tensor([1, 2], { requiresGrad: true });
 * const b = tensor([0], { requiresGrad: true });
 * const opt = new optim.SGD([{ params: [w] }, { params: [b], lr: 0.5 }], { lr: 0.25 });
 * w.mul(w).sum().add(b.sum()).backward();
 * opt.step();
 * console.log(w.tolist(), b.tolist()); // [0.5, 1] [-0.5]
 * console.log(opt.stateDict().param_groups.map((g) => g.params)); // [[0], [1]]
 * ```
 */
export abstract class Optimizer<O extends object = object> {
  /** The options a group gets when it does not set them. */
  readonly defaults: Readonly<O>;
  /** The parameter groups; change a group's options (e.g. `lr`) between steps freely. */
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, filled lazily by `step`. */
  state: Map<Tensor, ParamState> = new Map();

  /**
   * @param params the tensors to optimize, or parameter groups `{ params, ...options }`
   * @param defaults every option of the optimizer, already merged with the user's choices
   */
  constructor(params: Params<O>, defaults: O) {
    const call = this.constructor.name;
    this.defaults = defaults;
    this.checkOptions(defaults, call);
    if (isTensorLike(params)) {
      throw new TypeError(
        `${call}: params argument given to the optimizer should be an iterable of Tensors or dicts, but got a Tensor`,
      );
    }
    if (!isIterable(params)) {
      throw new TypeError(`${call}: expected params to be an iterable of Tensors or groups, got ${describe(params)}`);
    }
    if (params instanceof Set) throw this.setError(call);
    const list = [...params] as unknown[];
    if (list.length === 0) throw new RangeError(`${call}: optimizer got an empty parameter list`);
    const groups = isTensorLike(list[0]) ? [{ params: list as Tensor[] }] : list;
    for (const g of groups) this.addParamGroup(g as ParamGroupSpec<O>);
  }

  /** Validates option values (PyTorch's checks and messages); throws RangeError. */
  protected abstract checkOptions(options: O, call: string): void;

  /** Updates the parameters of one group in place (runs under `noGrad`). */
  protected abstract updateGroup(group: ParamGroup<O>): void;

  private setError(call: string): TypeError {
    return new TypeError(
      `${call}: optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.`,
    );
  }

  /**
   * Adds a parameter group (fine-tuning code adds layers this way as training goes on).
   * Options it does not set come from `defaults`.
   */
  addParamGroup(group: ParamGroupSpec<O>): void {
    const call = `${this.constructor.name}.addParamGroup`;
    if (group === null || typeof group !== "object" || Array.isArray(group) || isTensorLike(group)) {
      throw new TypeError(`${call}: param group must be an object with a params entry, got ${describe(group)}`);
    }
    if (!("params" in group)) throw new TypeError(`${call}: param group must have a params entry`);
    const raw = group.params;
    let params: Tensor[];
    if (isTensorLike(raw)) params = [raw];
    else if (raw instanceof Set) throw this.setError(call);
    else if (isIterable(raw)) params = [...raw] as Tensor[];
    else throw new TypeError(`${call}: expected params to be a Tensor or an iterable of Tensors, got ${describe(raw)}`);
    for (const p of params) {
      if (!isTensorLike(p)) {
        throw new TypeError(`${call}: optimizer can only optimize Tensors, but one of the params is ${describe(p)}`);
      }
      p._live(call);
      if (!p.isLeaf) throw new RangeError(`${call}: can't optimize a non-leaf Tensor`);
    }
    checkOptionTypes(call, this.defaults, group, false);
    const merged = { ...this.defaults } as Record<string, unknown>;
    for (const [k, v] of Object.entries(group)) {
      if (k !== "params" && v !== undefined) merged[k] = Array.isArray(v) ? [...v] : v;
    }
    for (const [k, v] of Object.entries(merged)) if (Array.isArray(v)) merged[k] = [...v];
    merged.params = params;
    this.checkOptions(merged as O, this.constructor.name);
    if (new Set(params).size !== params.length) {
      console.warn(
        `${call}: optimizer contains a parameter group with duplicate parameters; in future, this will cause an error`,
      );
    }
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (params.includes(p)) {
          throw new RangeError(`${call}: some parameters appear in more than one parameter group`);
        }
      }
    }
    this.paramGroups.push(merged as ParamGroup<O>);
  }

  /**
   * Clears the gradients of every optimized tensor: sets them to null (the default, as in
   * PyTorch 2), or with `setToNone = false` zeroes them in place.
   */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        const grad = p._grad; // not the getter: it would mark the grad as seen by user code
        if (grad === null) continue;
        if (setToNone) p.grad = null; // disposes a grad that only the parameter held
        else {
          if (grad.gradFn !== null) grad.detach_();
          else grad.requiresGrad_(false);
          grad.zero_();
        }
      }
    }
  }

  /**
   * Performs one optimization step over every parameter that has a gradient. `closure`, when
   * given, re-evaluates the model with grad mode on and returns the loss; `step` returns it.
   */
  step<T = undefined>(closure?: () => T): T | undefined {
    let loss: T | undefined;
    if (closure !== undefined) {
      if (typeof closure !== "function") {
        throw new TypeError(
          `${this.constructor.name}.step: expected closure to be a function, got ${describe(closure)}`,
        );
      }
      loss = enableGrad(closure);
    }
    noGrad(() => {
      for (const g of this.paramGroups) this.updateGroup(g);
    });
    return loss;
  }

  /**
   * The optimizer's state in PyTorch's layout: `{ state: { 0: {...}, ... }, param_groups:
   * [{ lr, ..., params: [0, 1] }] }`. Option keys are camelCase; state keys are PyTorch's
   * (`momentum_buffer`, `exp_avg`, `step`, ...).
   */
  stateDict(): OptimizerStateDict<O> {
    const index = new Map<Tensor, number>();
    let start = 0;
    const groups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== "params") packed[k] = Array.isArray(v) ? [...v] : v;
      g.params.forEach((p, i) => {
        if (!index.has(p)) index.set(p, start + i);
      });
      packed.params = g.params.map((p) => index.get(p)!);
      start += g.params.length;
      return packed as O & { params: number[] };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = { ...st };
    }
    return { state, param_groups: groups };
  }

  /**
   * Restores state saved by `stateDict` (from an optimizer of the same kind over parameters
   * of the same shapes, in the same group layout). Tensors are copied and converted to each
   * parameter's dtype; a `step` given as a tensor becomes a number.
   */
  loadStateDict(stateDict: OptimizerStateDict<O>): void {
    const call = `${this.constructor.name}.loadStateDict`;
    if (stateDict === null || typeof stateDict !== "object") {
      throw new TypeError(`${call}: expected a state dict object, got ${describe(stateDict)}`);
    }
    const { state, param_groups: saved } = stateDict as { state: unknown; param_groups: unknown };
    if (!Array.isArray(saved)) {
      throw new TypeError(`${call}: expected param_groups to be an array, got ${describe(saved)}`);
    }
    if (state === null || typeof state !== "object") {
      throw new TypeError(`${call}: expected state to be an object, got ${describe(state)}`);
    }
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError(
        `${call}: loaded state dict has a different number of parameter groups (${saved.length}, expected ${this.paramGroups.length})`,
      );
    }
    const idMap = new Map<number, Tensor>();
    const groups: ParamGroup<O>[] = [];
    saved.forEach((sg: unknown, gi: number) => {
      const cur = this.paramGroups[gi];
      const ids = (sg as { params?: unknown })?.params;
      if (sg === null || typeof sg !== "object" || !Array.isArray(ids)) {
        throw new TypeError(`${call}: expected param_groups[${gi}] to be an object with a params array`);
      }
      if (ids.length !== cur.params.length) {
        throw new RangeError(
          `${call}: loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group ${gi}: ${ids.length} params, expected ${cur.params.length})`,
        );
      }
      ids.forEach((id: unknown, j: number) => {
        if (typeof id !== "number") throw new TypeError(`${call}: expected parameter indices, got ${describe(id)}`);
        idMap.set(id, cur.params[j]);
      });
      checkOptionTypes(call, this.defaults, sg, false);
      const merged = { ...this.defaults } as Record<string, unknown>;
      for (const [k, v] of Object.entries(sg)) if (k !== "params") merged[k] = Array.isArray(v) ? [...v] : v;
      this.checkOptions(merged as O, this.constructor.name);
      merged.params = cur.params;
      groups.push(merged as ParamGroup<O>);
    });
    const newState = new Map<Tensor, ParamState>();
    noGrad(() => {
      for (const [key, value] of Object.entries(state)) {
        const p = idMap.get(Number(key));
        if (p === undefined) {
          throw new RangeError(`${call}: state refers to parameter index ${key}, which no parameter group holds`);
        }
        if (value === null || typeof value !== "object") {
          throw new TypeError(
            `${call}: expected the state of parameter ${key} to be an object, got ${describe(value)}`,
          );
        }
        const st: ParamState = {};
        for (const [name, v] of Object.entries(value)) {
          if (isTensorLike(v)) {
            v._live(call);
            if (name === "step") {
              st.step = v.item();
              continue;
            }
            if (!sameShape(v.shape, p.shape)) {
              throw new RangeError(
                `${call}: state ${name} of parameter ${key} has shape ${fmt(v.shape)}, but the parameter has shape ${
                  fmt(p.shape)
                }`,
              );
            }
            const t = p.isFloatingPoint() && v.dtype !== p.dtype ? castRaw(v, p.dtype, call) : clone(v);
            st[name] = keep(t);
          } else if (typeof v === "number") st[name] = v;
          else throw new TypeError(`${call}: expected state ${name} of parameter ${key} to be a Tensor or a number`);
        }
        newState.set(p, st);
      }
    });
    this.paramGroups = groups;
    this.state = newState;
  }
}
