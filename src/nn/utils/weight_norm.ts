/**
 * Weight normalization (PyTorch 1.13's hook-based `torch.nn.utils.weight_norm`): a parameter
 * `w` is replaced by a magnitude `w_g` and a direction `w_v`, and a forward pre-hook
 * recomputes `w = w_g * w_v / ‖w_v‖` before every forward.
 *
 * @module
 */

import type { Tensor } from "../../tensor/mod.ts";
import { describe } from "../../tensor/shape.ts";
import { type ForwardPreHook, Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { parseArgs } from "../positional.ts";
import { UninitializedParameter } from "../uninitialized.ts";

/** Options of `weightNorm`. */
export interface WeightNormOptions {
  /** The parameter to normalize (default `"weight"`). */
  name?: string;
  /** The dim kept by the norm (default 0); `null` (or -1, as in PyTorch) takes the norm of the whole tensor. */
  dim?: number | null;
}

/** A module after `weightNorm`: its `<name>_g` and `<name>_v` parameters are typed. */
export type WeightNormed<M extends Module> = M & { [k: `${string}_g` | `${string}_v`]: Parameter };

/** What a weight-norm hook knows: the parameter name and the dim (-1 for the whole tensor). */
interface WeightNormInfo {
  name: string;
  dim: number;
}

const HOOKS = new WeakMap<ForwardPreHook, WeightNormInfo>();

/** @internal throws a TypeError unless `m` is an nn.Module */
export function checkModule(m: unknown, call: string): Module {
  if (!(m instanceof Module)) throw new TypeError(`${call}: expected an nn.Module, got ${describe(m)}`);
  return m;
}

/** @internal `m`'s registered, non-null parameter `name`, or a clear error */
export function ownParameter(m: Module, name: string, call: string): Parameter {
  if (typeof name !== "string") throw new TypeError(`${call}: expected name to be a string, got ${describe(name)}`);
  const p = m._parameters.get(name);
  if (p === undefined) {
    throw new RangeError(`${call}: ${m.constructor.name} has no parameter '${name}'`);
  }
  if (p === null) throw new RangeError(`${call}: cannot be applied as parameter '${name}' is null`);
  if (p instanceof UninitializedParameter) {
    const [cls, what] = call === "weightNorm" ? ["WeightNorm", "weight"] : ["SpectralNorm", "spectral"];
    throw new RangeError(
      `${call}: The module passed to \`${cls}\` can't have uninitialized parameters. Make sure to run the dummy ` +
        `forward before applying ${what} normalization`,
    );
  }
  return p;
}

/** The 2-norm of `v` over every dim but `dim` (-1: over all dims), PyTorch's `norm_except_dim`. */
function normExceptDim(v: Tensor, dim: number): Tensor {
  if (dim === -1) return v.norm(2);
  const n = v.ndim;
  const order = [dim, ...Array.from({ length: n }, (_, i) => i).filter((i) => i !== dim)];
  const rest = v.shape.reduce((a, s, i) => (i === dim ? a : a * s), 1);
  const outShape = v.shape.map((s, i) => (i === dim ? s : 1));
  return v.permute(order).reshape([v.shape[dim], rest]).norm(2, 1).reshape(outShape);
}

/** PyTorch's `_weight_norm(v, g, dim)`: `v * (g / norm_except_dim(v, 2, dim))`. */
function compute(m: Module, info: WeightNormInfo): Tensor {
  const r = m as unknown as Record<string, Tensor>;
  const g = r[`${info.name}_g`], v = r[`${info.name}_v`];
  return v.mul(g.div(normExceptDim(v, info.dim)));
}

/** The dim as PyTorch's norm_except_dim sees it: -1 stays -1 (the whole tensor), others wrap. */
function wrapDim(dim: number, ndim: number, call: string): number {
  if (dim === -1) return -1;
  const lo = -Math.max(ndim, 1), hi = Math.max(ndim, 1) - 1;
  if (dim < lo || dim > hi) {
    throw new RangeError(`${call}: Dimension out of range (expected to be in range of [${lo}, ${hi}], but got ${dim})`);
  }
  return dim < 0 ? dim + ndim : dim;
}

/**
 * Applies weight normalization to a parameter of `module` (PyTorch's `weight_norm`): the
 * parameter `name` is replaced by `${name}_g` (the norm over every dim but `dim`, shaped with
 * ones elsewhere) and `${name}_v` (the original values), and a forward pre-hook sets
 * `module[name] = g * v / ‖v‖` before every forward. The state dict has PyTorch's keys
 * (`weight_g`, `weight_v` after the module's other parameters). `dim: null` normalizes the
 * whole tensor (and so does -1, as in PyTorch). Returns the module.
 *
 * Also accepts PyTorch's positionals: `weightNorm(module, "weight", 0)`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../../mod.ts";
 * const m = nn.utils.weightNorm(new nn.Linear(20, 40));
 * console.log(m.weight_g.shape, m.weight_v.shape); // [40, 1] [40, 20]
 * console.log(Object.keys(m.stateDict())); // ["bias", "weight_g", "weight_v"]
 * console.log(m.forward(randn([2, 20])).shape); // [2, 40]
 * ```
 */
export function weightNorm<M extends Module>(
  module: M,
  name?: string | WeightNormOptions,
  dim?: number | null,
): WeightNormed<M> {
  const call = "weightNorm";
  checkModule(module, call);
  const a = parseArgs(call, [name, dim], [
    { name: "name", kind: "any", default: "weight" },
    { name: "dim", kind: "int?", default: 0 },
  ]);
  const pname = a.name as string;
  for (const h of module._forwardPreHooks) {
    if (HOOKS.get(h)?.name === pname) {
      throw new RangeError(`${call}: Cannot register two weight_norm hooks on the same parameter ${pname}`);
    }
  }
  const weight = ownParameter(module, pname, call);
  const info: WeightNormInfo = { name: pname, dim: a.dim === null ? -1 : wrapDim(a.dim as number, weight.ndim, call) };
  if (!weight.isFloatingPoint()) {
    throw new TypeError(`${call}: expected a floating point parameter '${pname}', got ${weight.dtype}`);
  }
  const data = weight.detach();
  const g = new Parameter(normExceptDim(data, info.dim));
  module._parameters.delete(pname);
  module.registerParameter(`${pname}_g`, g);
  module.registerParameter(`${pname}_v`, new Parameter(data));
  (module as unknown as Record<string, Tensor>)[pname] = compute(module, info);
  const hook: ForwardPreHook = (m) => {
    (m as unknown as Record<string, Tensor>)[info.name] = compute(m, info);
  };
  HOOKS.set(hook, info);
  module.registerForwardPreHook(hook);
  return module as WeightNormed<M>;
}

/**
 * Removes the weight normalization of `name` from `module` (PyTorch's `remove_weight_norm`):
 * the current `g * v / ‖v‖` becomes the parameter `name` again (registered after the
 * module's other parameters, as in PyTorch) and `${name}_g` / `${name}_v` and the hook go.
 * Returns the module.
 *
 * @example
 * ```ts
 * import { nn } from "../../../mod.ts";
 * const m = nn.utils.removeWeightNorm(nn.utils.weightNorm(new nn.Linear(2, 3)));
 * console.log(Object.keys(m.stateDict()), m.weight instanceof nn.Parameter); // ["bias", "weight"] true
 * ```
 */
export function removeWeightNorm<M extends Module>(module: M, name: string = "weight"): M {
  const call = "removeWeightNorm";
  checkModule(module, call);
  if (typeof name !== "string") throw new TypeError(`${call}: expected name to be a string, got ${describe(name)}`);
  const hooks = module._forwardPreHooks;
  const i = hooks.findIndex((h) => HOOKS.get(h)?.name === name);
  if (i < 0) throw new RangeError(`${call}: weight_norm of '${name}' not found in ${module.constructor.name}`);
  const weight = compute(module, HOOKS.get(hooks[i])!);
  const r = module as unknown as Record<string, unknown>;
  delete r[name];
  delete r[`${name}_g`];
  delete r[`${name}_v`];
  r[name] = new Parameter(weight.detach());
  hooks.splice(i, 1);
  return module;
}
