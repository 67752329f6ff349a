/**
 * Lazy modules (PyTorch 1.13's `nn.LazyLinear`, `nn.LazyConv*`, `nn.LazyConvTranspose*`,
 * `nn.LazyBatchNorm*`, `nn.LazyInstanceNorm*`) and the uninitialized tensors they hold
 * (`nn.UninitializedParameter`, `nn.UninitializedBuffer`).
 *
 * A lazy module infers `inFeatures` / `inChannels` / `numFeatures` from its first input. Until
 * then its parameters and buffers are uninitialized: they are listed by `parameters()` and
 * `stateDict()`, but their shape is unknown and any use of it throws. The first `forward`
 * materializes them in place (an optimizer built earlier keeps working), draws the regular
 * class's initialization and turns the module into an instance of the regular class
 * (`LazyLinear` becomes a `Linear`), as PyTorch's `cls_to_become` does. `loadStateDict` into a
 * lazy module materializes its tensors with the loaded shapes first.
 *
 * @module
 */

import { isTensor, type Tensor } from "../tensor/mod.ts";
import { isLazy, UninitializedBuffer, UninitializedParameter } from "./uninitialized.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { Linear, type LinearOptions } from "./linear.ts";
import {
  Conv1d,
  Conv2d,
  Conv3d,
  type ConvNdBase,
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  type IntOrTuple,
} from "./conv.ts";
import { BatchNorm1d, BatchNorm2d, BatchNorm3d, type BatchNormOptions } from "./batchnorm.ts";
import { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, type InstanceNormOptions } from "./instancenorm.ts";
import type { LoadResult, Module } from "./module.ts";
import { isOptions } from "./positional.ts";

export { isLazy, UninitializedBuffer, type UninitializedOptions, UninitializedParameter } from "./uninitialized.ts";

// ------------------------------------------------------------------ the lazy mechanism

/** State-dict keys skipped while a lazy module loads an uninitialized entry into an uninitialized slot. */
const skipKeys = new WeakMap<Module, Set<string>>();

/** True while `m` holds an uninitialized parameter or buffer (PyTorch's `has_uninitialized_params`). */
function hasUninitialized(m: Module): boolean {
  for (const t of [...m._parameters.values(), ...m._buffers.values()]) if (isLazy(t)) return true;
  return false;
}

/** Replaces parameter/buffer `name` of `m` by an uninitialized one of the same dtype, freeing the old tensor. */
function makeLazy(m: Module, name: string, isParam: boolean): void {
  const table = isParam ? m._parameters : m._buffers;
  const old = table.get(name);
  if (!old) return;
  const t = isParam
    ? new UninitializedParameter(true, { dtype: old.dtype })
    : new UninitializedBuffer(false, { dtype: old.dtype });
  (m as unknown as Record<string, unknown>)[name] = t;
  old.dispose();
}

/** How a family infers its size from the first input and materializes. */
interface LazySpec {
  /** The regular class the module becomes. */
  become: object;
  /** Reads the inferred size from the input (throws for unusable input) and materializes. */
  init(m: Module, input: Tensor): void;
  /** Sets the size field from a loaded state dict's tensor shapes (see loadStateDict). */
  fromLoaded(m: Module): void;
}

/** Wires a freshly constructed lazy module: the materializing pre-hook. */
function setupLazy(m: Module, spec: LazySpec): void {
  const handle = m.registerForwardPreHook((mod, args) => {
    if (hasUninitialized(mod)) {
      const input = args[0];
      const call = `${mod.constructor.name}.forward`;
      if (!isTensor(input)) throw new TypeError(`${call}: expected input to be a Tensor, got ${describe(input)}`);
      input._live(call);
      noGrad(() => spec.init(mod, input));
      if (hasUninitialized(mod)) {
        throw new Error(`${call}: module ${mod.constructor.name} has not been fully initialized`);
      }
    }
    handle.remove();
    Object.setPrototypeOf(mod, spec.become);
    return undefined;
  });
}

/**
 * PyTorch's `_lazy_load_hook`: uninitialized tensors materialize with the loaded shapes, then
 * the ordinary load copies the values. An uninitialized entry loaded into an uninitialized
 * slot is skipped, so lazy modules round-trip in both states.
 */
function lazyLoad(
  m: Module,
  spec: LazySpec,
  stateDict: Record<string, Tensor> | Map<string, Tensor>,
  load: (sd: Record<string, Tensor> | Map<string, Tensor>) => LoadResult,
): LoadResult {
  if (!stateDict || typeof stateDict !== "object" || isTensor(stateDict)) return load(stateDict);
  const get = (k: string): unknown =>
    stateDict instanceof Map ? stateDict.get(k) : (stateDict as Record<string, unknown>)[k];
  const has = (k: string) => stateDict instanceof Map ? stateDict.has(k) : Object.hasOwn(stateDict, k);
  const skip = materializeFrom(m, spec, (k) => (has(k) ? get(k) : undefined), "");
  if (skip.size === 0) return load(stateDict);
  const rest = new Map<string, Tensor>(stateDict instanceof Map ? stateDict : Object.entries(stateDict));
  for (const k of skip) rest.delete(k);
  skipKeys.set(m, skip);
  try {
    return load(rest);
  } finally {
    skipKeys.delete(m);
  }
}

/**
 * Materializes `m`'s uninitialized tensors whose keys (`prefix` + name) the loaded dict holds as
 * real tensors, with their shapes; returns the names whose loaded value is uninitialized too.
 */
function materializeFrom(m: Module, spec: LazySpec, get: (key: string) => unknown, prefix: string): Set<string> {
  const skip = new Set<string>();
  let materialized = false;
  noGrad(() => {
    for (const [name, t] of [...m._parameters, ...m._buffers]) {
      if (!t || !isLazy(t)) continue;
      const v = get(prefix + name);
      if (v === undefined) continue;
      if (isLazy(v)) skip.add(name);
      else if (isTensor(v)) {
        v._live(`${m.constructor.name}.loadStateDict`);
        t.materialize(v.shape as number[]);
        materialized = true;
      }
    }
  });
  if (materialized) spec.fromLoaded(m);
  return skip;
}

/** stateDict with the keys `lazyLoad` skips removed. */
function lazyStateDict(m: Module, sd: Record<string, Tensor>, prefix: string): Record<string, Tensor> {
  const skip = skipKeys.get(m);
  if (skip) { for (const k of skip) delete sd[prefix + k]; }
  return sd;
}

/**
 * Gives a lazy class PyTorch's lazy overrides of its regular class: `loadStateDict`
 * materializes from the loaded shapes first (`lazyLoad`), `stateDict` leaves out the keys that
 * load skips, and `resetParameters` does nothing while tensors are uninitialized. They live on
 * the lazy prototype only, so the regular class takes over once the module becomes one.
 */
function lazyMethods(cls: { prototype: Module }, spec: LazySpec): void {
  const base = Object.getPrototypeOf(cls.prototype) as Module & { resetParameters(): void };
  const methods = {
    loadStateDict(
      this: Module,
      stateDict: Record<string, Tensor> | Map<string, Tensor>,
      opts: { strict?: boolean } = {},
    ): LoadResult {
      return lazyLoad(this, spec, stateDict, (sd) => base.loadStateDict.call(this, sd, opts));
    },
    stateDict(this: Module, prefix = ""): Record<string, Tensor> {
      return lazyStateDict(this, base.stateDict.call(this, prefix), prefix);
    },
    resetParameters(this: Module): void {
      if (!hasUninitialized(this)) base.resetParameters.call(this);
    },
    /** A parent's loadStateDict: materialize from the loaded shapes first (see Module's BeforeLoad). */
    _beforeLoad(this: Module, get: (key: string) => unknown, prefix: string): void {
      materializeFrom(this, spec, get, prefix);
    },
  };
  for (const [k, v] of Object.entries(methods)) {
    Object.defineProperty(cls.prototype, k, { value: v, writable: true, configurable: true, enumerable: false });
  }
}

/**
 * Returns `args` once the regular constructor accepts them (a throw-away instance with 0
 * features is built and freed), re-raising its errors under the lazy class's name.
 */
function checked<A extends unknown[]>(args: A, make: (a: A) => Module, from: string, to: string): A {
  try {
    const m = make(args);
    for (const t of [...m.parameters(), ...m.buffers()]) t.dispose();
    return args;
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(from)) e.message = to + e.message.slice(from.length);
    throw e;
  }
}

// ------------------------------------------------------------------ LazyLinear

const LINEAR_SPEC: LazySpec = {
  become: Linear.prototype,
  init(m, input) {
    const l = m as Linear;
    if (input.ndim === 0) {
      throw new RangeError(
        `${m.constructor.name}.forward: expected input with at least 1 dimension (*, in_features), got shape []`,
      );
    }
    const inF = input.shape[input.ndim - 1];
    if (l.outFeatures > 0x7fffffff || l.outFeatures * inF > 0x7fffffff) {
      throw new RangeError(
        `${m.constructor.name}.forward: a weight of ${l.outFeatures} x ${inF} elements exceeds the 2^31-1 supported`,
      );
    }
    l.inFeatures = inF;
    (l.weight as UninitializedParameter).materialize([l.outFeatures, l.inFeatures]);
    if (l.bias) (l.bias as UninitializedParameter).materialize([l.outFeatures]);
    l.resetParameters();
  },
  fromLoaded(m) {
    const l = m as Linear;
    if (!isLazy(l.weight)) l.inFeatures = l.weight.shape[1];
  },
};

/**
 * `nn.Linear` whose `inFeatures` is inferred from the first input (the last dimension). Until
 * then `weight` and `bias` are `nn.UninitializedParameter`s and `inFeatures` is 0; the first
 * `forward` materializes them with Linear's initialization and the module becomes an
 * `nn.Linear`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.LazyLinear(3);
 * console.log(String(m)); // LazyLinear(in_features=0, out_features=3, bias=True)
 * console.log(m.forward(randn([2, 5])).shape); // [2, 3]
 * console.log(String(m), m.weight.shape); // Linear(in_features=5, out_features=3, bias=True) [3, 5]
 * ```
 */
export class LazyLinear extends Linear {
  /** `outFeatures`, then the options (or PyTorch's positional `bias`). */
  constructor(outFeatures: number, opts: LinearOptions | boolean = {}) {
    // Explicit arguments, not a spread: JSR's public-API check rewrites super() per argument.
    const [out, o] = checked([outFeatures, opts] as const, (a) => new Linear(0, ...a), "Linear", "LazyLinear");
    super(0, out, o);
    makeLazy(this, "weight", true);
    makeLazy(this, "bias", true);
    setupLazy(this, LINEAR_SPEC);
  }
}
lazyMethods(LazyLinear, LINEAR_SPEC);

// ------------------------------------------------------------------ LazyConv / LazyConvTranspose

function convSpec(become: object, rank: number): LazySpec {
  return {
    become,
    init(m, input) {
      const c = m as ConvNdBase, name = m.constructor.name;
      if (input.ndim !== rank + 1 && input.ndim !== rank + 2) {
        throw new RangeError(
          `${name}.forward: expected ${rank + 1}D (unbatched) or ${
            rank + 2
          }D (batched) input to ${name}, but got input of size: ${fmt(input.shape)}`,
        );
      }
      c.inChannels = input.shape[input.ndim === rank + 2 ? 1 : 0];
      if (c.inChannels % c.groups !== 0) {
        throw new RangeError(
          `${name}.forward: in_channels must be divisible by groups, got ${c.inChannels} channels and groups ${c.groups}`,
        );
      }
      const shape = c.transposed
        ? [c.inChannels, c.outChannels / c.groups, ...c.kernelSize]
        : [c.outChannels, c.inChannels / c.groups, ...c.kernelSize];
      (c.weight as UninitializedParameter).materialize(shape);
      if (c.bias) (c.bias as UninitializedParameter).materialize([c.outChannels]);
      c.resetParameters();
    },
    fromLoaded(m) {
      const c = m as ConvNdBase;
      if (!isLazy(c.weight)) c.inChannels = c.transposed ? c.weight.shape[0] : c.weight.shape[1] * c.groups;
    },
  };
}

/** The `groups` argument among a convolution's trailing arguments (1 when absent or invalid: the constructor reports it). */
function groupsOf(rest: unknown[]): number {
  const g = rest.length === 1 && isOptions(rest[0]) ? rest[0].groups : rest[3];
  return typeof g === "number" && Number.isInteger(g) && g > 0 ? g : 1;
}

/** The lazy-module part shared by every lazy convolution (after the regular constructor ran with `groups` channels). */
function lazyConv(m: ConvNdBase, spec: LazySpec): void {
  m.inChannels = 0;
  makeLazy(m, "weight", true);
  makeLazy(m, "bias", true);
  setupLazy(m, spec);
}

const SPECS = {
  Conv1d: convSpec(Conv1d.prototype, 1),
  Conv2d: convSpec(Conv2d.prototype, 2),
  Conv3d: convSpec(Conv3d.prototype, 3),
  ConvTranspose1d: convSpec(ConvTranspose1d.prototype, 1),
  ConvTranspose2d: convSpec(ConvTranspose2d.prototype, 2),
  ConvTranspose3d: convSpec(ConvTranspose3d.prototype, 3),
};

/**
 * `nn.Conv1d` whose `inChannels` is inferred from the first input (`input.shape[1]`, or
 * `shape[0]` unbatched). Arguments are Conv1d's without `inChannels`; the module becomes an
 * `nn.Conv1d` on the first forward.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.LazyConv1d(4, 3);
 * m.forward(randn([2, 6, 10]));
 * console.log(m instanceof nn.Conv1d, m.weight.shape); // true [4, 6, 3]
 * ```
 */
export class LazyConv1d extends Conv1d {
  /** `outChannels`, `kernelSize`, then Conv1d's options (or positionals). */
  constructor(outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(groupsOf(rest), outChannels, kernelSize, ...rest);
    lazyConv(this, SPECS.Conv1d);
  }
}
lazyMethods(LazyConv1d, SPECS.Conv1d);

/**
 * `nn.Conv2d` with `inChannels` inferred from the first input; becomes an `nn.Conv2d`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.LazyConv2d(8, 3, { padding: 1 });
 * console.log(m.forward(randn([1, 3, 5, 5])).shape, String(m)); // [1, 8, 5, 5] Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
 * ```
 */
export class LazyConv2d extends Conv2d {
  /** `outChannels`, `kernelSize`, then Conv2d's options (or positionals). */
  constructor(outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(groupsOf(rest), outChannels, kernelSize, ...rest);
    lazyConv(this, SPECS.Conv2d);
  }
}
lazyMethods(LazyConv2d, SPECS.Conv2d);

/**
 * `nn.Conv3d` with `inChannels` inferred from the first input; becomes an `nn.Conv3d`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.LazyConv3d(2, 1);
 * console.log(m.forward(randn([4, 3, 3, 3])).shape); // [2, 3, 3, 3]
 * ```
 */
export class LazyConv3d extends Conv3d {
  /** `outChannels`, `kernelSize`, then Conv3d's options (or positionals). */
  constructor(outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(groupsOf(rest), outChannels, kernelSize, ...rest);
    lazyConv(this, SPECS.Conv3d);
  }
}
lazyMethods(LazyConv3d, SPECS.Conv3d);

/**
 * `nn.ConvTranspose1d` with `inChannels` inferred from the first input; becomes an
 * `nn.ConvTranspose1d` (weight `(inChannels, outChannels / groups, k)`).
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.LazyConvTranspose1d(4, 3, { stride: 2 });
 * console.log(m.forward(randn([1, 2, 5])).shape, m.weight.shape); // [1, 4, 11] [2, 4, 3]
 * ```
 */
export class LazyConvTranspose1d extends ConvTranspose1d {
  /** `outChannels`, `kernelSize`, then ConvTranspose1d's options (or positionals). */
  constructor(outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(groupsOf(rest), outChannels, kernelSize, ...rest);
    lazyConv(this, SPECS.ConvTranspose1d);
  }
}
lazyMethods(LazyConvTranspose1d, SPECS.ConvTranspose1d);

/**
 * `nn.ConvTranspose2d` with `inChannels` inferred from the first input; becomes an `nn.ConvTranspose2d`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.LazyConvTranspose2d(4, 3, { groups: 2 });
 * m.forward(randn([2, 6, 4, 4]));
 * console.log(String(m), m.weight.shape); // ConvTranspose2d(6, 4, kernel_size=(3, 3), stride=(1, 1), groups=2) [6, 2, 3, 3]
 * ```
 */
export class LazyConvTranspose2d extends ConvTranspose2d {
  /** `outChannels`, `kernelSize`, then ConvTranspose2d's options (or positionals). */
  constructor(outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(groupsOf(rest), outChannels, kernelSize, ...rest);
    lazyConv(this, SPECS.ConvTranspose2d);
  }
}
lazyMethods(LazyConvTranspose2d, SPECS.ConvTranspose2d);

/**
 * `nn.ConvTranspose3d` with `inChannels` inferred from the first input; becomes an `nn.ConvTranspose3d`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.LazyConvTranspose3d(1, 2);
 * console.log(m.forward(randn([1, 3, 2, 2, 2])).shape); // [1, 1, 3, 3, 3]
 * ```
 */
export class LazyConvTranspose3d extends ConvTranspose3d {
  /** `outChannels`, `kernelSize`, then ConvTranspose3d's options (or positionals). */
  constructor(outChannels: number, kernelSize: IntOrTuple, ...rest: unknown[]) {
    super(groupsOf(rest), outChannels, kernelSize, ...rest);
    lazyConv(this, SPECS.ConvTranspose3d);
  }
}
lazyMethods(LazyConvTranspose3d, SPECS.ConvTranspose3d);

// ------------------------------------------------------------------ LazyBatchNorm / LazyInstanceNorm

/** The fields the lazy normalization layers share (BatchNormNd and InstanceNormNd). */
interface NormLike extends Module {
  numFeatures: number;
  weight: Tensor | null;
  bias: Tensor | null;
  running_mean: Tensor | null;
  running_var: Tensor | null;
  resetParameters(): void;
}

/** PyTorch's `_LazyNormBase.initialize_parameters`: numFeatures is `input.shape[1]`, whatever the rank. */
function normSpec(become: object): LazySpec {
  return {
    become,
    init(m, input) {
      const n = m as NormLike;
      if (input.ndim < 2) {
        throw new RangeError(
          `${m.constructor.name}.forward: expected input with at least 2 dimensions to infer numFeatures from dim 1, got shape ${
            fmt(input.shape)
          }`,
        );
      }
      n.numFeatures = input.shape[1];
      for (const t of [n.weight, n.bias, n.running_mean, n.running_var]) {
        if (isLazy(t)) t.materialize([n.numFeatures]);
      }
      n.resetParameters();
    },
    fromLoaded(m) {
      const n = m as NormLike;
      const t = [n.weight, n.bias, n.running_mean, n.running_var].find((x) => x && !isLazy(x));
      if (t) n.numFeatures = t.shape[0];
    },
  };
}

function lazyNorm(m: Module, spec: LazySpec): void {
  for (const name of ["weight", "bias"]) makeLazy(m, name, true);
  for (const name of ["running_mean", "running_var"]) makeLazy(m, name, false);
  setupLazy(m, spec);
}

const NORM_SPECS = {
  BatchNorm1d: normSpec(BatchNorm1d.prototype),
  BatchNorm2d: normSpec(BatchNorm2d.prototype),
  BatchNorm3d: normSpec(BatchNorm3d.prototype),
  InstanceNorm1d: normSpec(InstanceNorm1d.prototype),
  InstanceNorm2d: normSpec(InstanceNorm2d.prototype),
  InstanceNorm3d: normSpec(InstanceNorm3d.prototype),
};

type BnArgs = [
  eps?: number | BatchNormOptions,
  momentum?: number | null | BatchNormOptions,
  affine?: boolean | BatchNormOptions,
  trackRunningStats?: boolean | BatchNormOptions,
  opts?: BatchNormOptions,
];

/**
 * `nn.BatchNorm1d` whose `numFeatures` is inferred from the first input (`input.shape[1]`).
 * Arguments are BatchNorm1d's without `numFeatures`: `eps`, `momentum`, `affine`,
 * `trackRunningStats` (positionally or as options, with `dtype`). `weight`, `bias`,
 * `running_mean` and `running_var` are uninitialized until then (`num_batches_tracked` is an
 * ordinary 0); the module becomes an `nn.BatchNorm1d`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const bn = new nn.LazyBatchNorm1d();
 * console.log(Object.keys(bn.stateDict())); // ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
 * bn.forward(randn([4, 3]));
 * console.log(String(bn)); // BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
 * ```
 */
export class LazyBatchNorm1d extends BatchNorm1d {
  /** `eps`, `momentum`, `affine`, `trackRunningStats` positionally or in the options object (with `dtype`). */
  constructor(...args: BnArgs) {
    super(0, ...checked(args, (a) => new BatchNorm1d(0, ...a), "BatchNorm1d", "LazyBatchNorm1d"));
    lazyNorm(this, NORM_SPECS.BatchNorm1d);
  }
}
lazyMethods(LazyBatchNorm1d, NORM_SPECS.BatchNorm1d);

/**
 * `nn.BatchNorm2d` whose `numFeatures` is inferred from the first input; becomes an `nn.BatchNorm2d`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const bn = new nn.LazyBatchNorm2d({ momentum: 0.5 });
 * bn.forward(randn([2, 3, 4, 4]));
 * console.log(bn instanceof nn.BatchNorm2d, bn.runningMean!.shape); // true [3]
 * ```
 */
export class LazyBatchNorm2d extends BatchNorm2d {
  /** `eps`, `momentum`, `affine`, `trackRunningStats` positionally or in the options object (with `dtype`). */
  constructor(...args: BnArgs) {
    super(0, ...checked(args, (a) => new BatchNorm2d(0, ...a), "BatchNorm2d", "LazyBatchNorm2d"));
    lazyNorm(this, NORM_SPECS.BatchNorm2d);
  }
}
lazyMethods(LazyBatchNorm2d, NORM_SPECS.BatchNorm2d);

/**
 * `nn.BatchNorm3d` whose `numFeatures` is inferred from the first input; becomes an `nn.BatchNorm3d`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const bn = new nn.LazyBatchNorm3d();
 * console.log(bn.forward(randn([2, 5, 2, 2, 2])).shape); // [2, 5, 2, 2, 2]
 * ```
 */
export class LazyBatchNorm3d extends BatchNorm3d {
  /** `eps`, `momentum`, `affine`, `trackRunningStats` positionally or in the options object (with `dtype`). */
  constructor(...args: BnArgs) {
    super(0, ...checked(args, (a) => new BatchNorm3d(0, ...a), "BatchNorm3d", "LazyBatchNorm3d"));
    lazyNorm(this, NORM_SPECS.BatchNorm3d);
  }
}
lazyMethods(LazyBatchNorm3d, NORM_SPECS.BatchNorm3d);

/** The InstanceNorm constructors' parameters: `numFeatures`, then InArgs. */
type InstanceCtorArgs = [numFeatures: number, ...rest: InArgs];

type InArgs = [
  eps?: number | InstanceNormOptions,
  momentum?: number | InstanceNormOptions,
  affine?: boolean | InstanceNormOptions,
  trackRunningStats?: boolean | InstanceNormOptions,
  opts?: InstanceNormOptions,
];

/**
 * PyTorch 1.13's LazyInstanceNorm defaults differ from InstanceNorm's: `affine` and
 * `trackRunningStats` are true unless given.
 */
function instanceArgs(args: unknown[]): unknown[] {
  const a = [...args];
  while (a.length > 0 && a[a.length - 1] === undefined) a.pop();
  let opts: Record<string, unknown> | undefined;
  if (a.length > 0 && isOptions(a[a.length - 1])) opts = { ...(a.pop() as Record<string, unknown>) };
  ([[2, "affine"], [3, "trackRunningStats"]] as const).forEach(([i, key]) => {
    if (a[i] !== undefined || (opts && opts[key] !== undefined)) return;
    if (opts) opts[key] = true;
    else a[i] = true;
  });
  return opts ? [0, ...a, opts] : [0, ...a];
}

/**
 * `nn.InstanceNorm1d` whose `numFeatures` is inferred from the first input (`input.shape[1]`,
 * as in PyTorch, also for an unbatched input). As in PyTorch 1.13, `affine` and
 * `trackRunningStats` default to true here (false for `nn.InstanceNorm1d`); the module becomes
 * an `nn.InstanceNorm1d`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.LazyInstanceNorm1d();
 * m.forward(randn([2, 3, 8]));
 * console.log(String(m)); // InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
 * ```
 */
export class LazyInstanceNorm1d extends InstanceNorm1d {
  /** `eps`, `momentum`, `affine`, `trackRunningStats` positionally or as options (with `dtype`, `device`). */
  constructor(...args: InArgs) {
    // Explicit arguments, not a spread: JSR's public-API check rewrites super() per argument.
    const a = checked(
      instanceArgs(args),
      (a) => new InstanceNorm1d(...(a as [number])),
      "InstanceNorm1d",
      "LazyInstanceNorm1d",
    ) as InstanceCtorArgs;
    super(a[0], a[1], a[2], a[3], a[4], a[5]);
    lazyNorm(this, NORM_SPECS.InstanceNorm1d);
  }
}
lazyMethods(LazyInstanceNorm1d, NORM_SPECS.InstanceNorm1d);

/**
 * `nn.InstanceNorm2d` whose `numFeatures` is inferred from the first input; `affine` and
 * `trackRunningStats` default to true, as in PyTorch 1.13. Becomes an `nn.InstanceNorm2d`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.LazyInstanceNorm2d({ affine: false, trackRunningStats: false });
 * console.log([...m.parameters()].length, m.forward(randn([1, 2, 3, 3])).shape); // 0 [1, 2, 3, 3]
 * ```
 */
export class LazyInstanceNorm2d extends InstanceNorm2d {
  /** `eps`, `momentum`, `affine`, `trackRunningStats` positionally or as options (with `dtype`, `device`). */
  constructor(...args: InArgs) {
    // Explicit arguments, not a spread: JSR's public-API check rewrites super() per argument.
    const a = checked(
      instanceArgs(args),
      (a) => new InstanceNorm2d(...(a as [number])),
      "InstanceNorm2d",
      "LazyInstanceNorm2d",
    ) as InstanceCtorArgs;
    super(a[0], a[1], a[2], a[3], a[4], a[5]);
    lazyNorm(this, NORM_SPECS.InstanceNorm2d);
  }
}
lazyMethods(LazyInstanceNorm2d, NORM_SPECS.InstanceNorm2d);

/**
 * `nn.InstanceNorm3d` whose `numFeatures` is inferred from the first input; `affine` and
 * `trackRunningStats` default to true, as in PyTorch 1.13. Becomes an `nn.InstanceNorm3d`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.LazyInstanceNorm3d();
 * m.forward(randn([1, 2, 2, 2, 2]));
 * console.log(m.weight!.shape); // [2]
 * ```
 */
export class LazyInstanceNorm3d extends InstanceNorm3d {
  /** `eps`, `momentum`, `affine`, `trackRunningStats` positionally or as options (with `dtype`, `device`). */
  constructor(...args: InArgs) {
    // Explicit arguments, not a spread: JSR's public-API check rewrites super() per argument.
    const a = checked(
      instanceArgs(args),
      (a) => new InstanceNorm3d(...(a as [number])),
      "InstanceNorm3d",
      "LazyInstanceNorm3d",
    ) as InstanceCtorArgs;
    super(a[0], a[1], a[2], a[3], a[4], a[5]);
    lazyNorm(this, NORM_SPECS.InstanceNorm3d);
  }
}
lazyMethods(LazyInstanceNorm3d, NORM_SPECS.InstanceNorm3d);
