/**
 * Spectral normalization (PyTorch 1.13's hook-based `torch.nn.utils.spectral_norm`): a
 * parameter `w` is divided by its largest singular value σ, estimated by power iteration on
 * the buffers `w_u` and `w_v` before every forward in training mode.
 *
 * @module
 */

import { randn, type Tensor } from "../../tensor/mod.ts";
import { noGrad } from "../../autograd/grad_mode.ts";
import { describe } from "../../tensor/shape.ts";
import type { ForwardPreHook, Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { parseArgs } from "../positional.ts";
import { normalize } from "../normalization.ts";
import { ConvTranspose1d, ConvTranspose2d, ConvTranspose3d } from "../conv.ts";
import { checkModule, ownParameter } from "./weight_norm.ts";

/** Options of `spectralNorm`. */
export interface SpectralNormOptions {
  /** The parameter to normalize (default `"weight"`). */
  name?: string;
  /** Power iterations per training forward (default 1). */
  nPowerIterations?: number;
  /** Added to norms in `normalize` (default 1e-12). */
  eps?: number;
  /** The output dim, moved to the front of the matrix (default 0; 1 for ConvTranspose1d/2d/3d). */
  dim?: number | null;
}

/** A module after `spectralNorm`: `<name>_orig` is a Parameter, `<name>_u` / `<name>_v` are buffers. */
export type SpectralNormed<M extends Module> = M & { [k: `${string}_orig`]: Parameter } & {
  [k: `${string}_u` | `${string}_v`]: Tensor;
};

interface SpectralNormInfo {
  name: string;
  dim: number;
  nPowerIterations: number;
  eps: number;
}

const HOOKS = new WeakMap<ForwardPreHook, SpectralNormInfo>();

/** The weight as a matrix: `dim` moved to the front, the other dims flattened. */
function toMatrix(w: Tensor, dim: number): Tensor {
  const m = dim === 0 ? w : w.permute([dim, ...Array.from({ length: w.ndim }, (_, i) => i).filter((i) => i !== dim)]);
  const h = m.shape[0];
  return m.reshape([h, h === 0 ? 0 : w.numel() / h]);
}

/** `w_orig / σ` with σ = uᵀ W v; in training mode u and v are first updated in place. */
function compute(m: Module, info: SpectralNormInfo, powerIteration: boolean): Tensor {
  const r = m as unknown as Record<string, Tensor>;
  const weight = r[`${info.name}_orig`];
  let u = r[`${info.name}_u`], v = r[`${info.name}_v`];
  const mat = toMatrix(weight, info.dim);
  noGrad(() => {
    if (powerIteration) {
      const wm = mat.detach();
      for (let i = 0; i < info.nPowerIterations; i++) {
        v.copy_(normalize(wm.t().matmul(u), { dim: 0, eps: info.eps }));
        u.copy_(normalize(wm.matmul(v), { dim: 0, eps: info.eps }));
      }
    }
    // Copies, so that a graph built here keeps the vectors of this forward (PyTorch clones
    // them after the power iteration; later in-place updates must not reach this graph).
    u = u.clone();
    v = v.clone();
  });
  const sigma = u.dot(mat.matmul(v));
  return weight.div(sigma);
}

/**
 * Applies spectral normalization to a parameter of `module` (PyTorch's `spectral_norm`): the
 * parameter `name` becomes `${name}_orig`, and the buffers `${name}_u` (length of dim `dim`)
 * and `${name}_v` (the other dims flattened) hold the singular-vector estimates, drawn from
 * the library's random normal generator and normalized. Before every forward a hook sets
 * `module[name] = w_orig / σ` with `σ = uᵀ W v`; in training mode it first runs
 * `nPowerIterations` power-iteration steps, updating `u` and `v` in place (no gradient flows
 * through them). In eval mode the stored vectors are used, so loading a PyTorch state dict
 * (`weight_orig`, `weight_u`, `weight_v`) reproduces PyTorch's outputs. `dim` defaults to 0,
 * or 1 for ConvTranspose modules. Returns the module.
 *
 * Also accepts PyTorch's positionals: `spectralNorm(module, "weight", 1, 1e-12, 0)`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../../mod.ts";
 * const m = nn.utils.spectralNorm(new nn.Linear(20, 40));
 * console.log(m.weight_u.shape, m.weight_v.shape); // [40] [20]
 * console.log(Object.keys(m.stateDict())); // ["bias", "weight_orig", "weight_u", "weight_v"]
 * console.log(m.forward(randn([2, 20])).shape); // [2, 40]
 * ```
 */
export function spectralNorm<M extends Module>(
  module: M,
  name?: string | SpectralNormOptions,
  nPowerIterations?: number,
  eps?: number,
  dim?: number | null,
): SpectralNormed<M> {
  const call = "spectralNorm";
  checkModule(module, call);
  const a = parseArgs(call, [name, nPowerIterations, eps, dim], [
    { name: "name", kind: "any", default: "weight" },
    { name: "nPowerIterations", kind: "int", default: 1 },
    { name: "eps", kind: "number", default: 1e-12 },
    { name: "dim", kind: "int?", default: null },
  ]);
  const pname = a.name as string;
  if (typeof pname !== "string") throw new TypeError(`${call}: expected name to be a string, got ${describe(pname)}`);
  const n = a.nPowerIterations as number;
  if (n <= 0) {
    throw new RangeError(`${call}: Expected nPowerIterations to be positive, but got nPowerIterations=${n}`);
  }
  for (const h of module._forwardPreHooks) {
    if (HOOKS.get(h)?.name === pname) {
      throw new RangeError(`${call}: Cannot register two spectral_norm hooks on the same parameter ${pname}`);
    }
  }
  const isTransposed = module instanceof ConvTranspose1d || module instanceof ConvTranspose2d ||
    module instanceof ConvTranspose3d;
  const weight = ownParameter(module, pname, call);
  if (!weight.isFloatingPoint()) {
    throw new TypeError(`${call}: expected a floating point parameter '${pname}', got ${weight.dtype}`);
  }
  const d = a.dim === null ? (isTransposed ? 1 : 0) : a.dim as number;
  // PyTorch permutes with the dim as given, so a negative or too large dim is an error there.
  if (d < 0 || (d >= weight.ndim && d !== 0)) {
    throw new RangeError(
      `${call}: expected dim in [0, ${Math.max(weight.ndim, 1) - 1}] (negative dims are not wrapped), got ${d}`,
    );
  }
  const info: SpectralNormInfo = { name: pname, dim: d, nPowerIterations: n, eps: a.eps as number };
  const [u, v] = noGrad(() => {
    const mat = toMatrix(weight.detach(), d);
    const draw = (len: number) =>
      normalize(randn([len], { dtype: weight.dtype }), { dim: 0, eps: info.eps }).contiguous();
    return [draw(mat.shape[0]), draw(mat.shape[1])];
  });
  delete (module as unknown as Record<string, unknown>)[pname];
  module.registerParameter(`${pname}_orig`, weight);
  // As in PyTorch, `module[name]` exists before the first forward (the unnormalized values).
  (module as unknown as Record<string, Tensor>)[pname] = weight.detach();
  module.registerBuffer(`${pname}_u`, u);
  module.registerBuffer(`${pname}_v`, v);
  const hook: ForwardPreHook = (m) => {
    (m as unknown as Record<string, Tensor>)[info.name] = compute(m, info, m.training);
  };
  HOOKS.set(hook, info);
  module.registerForwardPreHook(hook);
  return module as SpectralNormed<M>;
}

/**
 * Removes the spectral normalization of `name` from `module` (PyTorch's
 * `remove_spectral_norm`): `w_orig / σ` with the stored `u` and `v` (no power iteration)
 * becomes the parameter `name` again, and `${name}_orig`, `${name}_u`, `${name}_v` and the
 * hook go. Returns the module.
 *
 * @example
 * ```ts
 * import { nn } from "../../../mod.ts";
 * const m = nn.utils.removeSpectralNorm(nn.utils.spectralNorm(new nn.Linear(2, 3)));
 * console.log(Object.keys(m.stateDict())); // ["bias", "weight"]
 * ```
 */
export function removeSpectralNorm<M extends Module>(module: M, name: string = "weight"): M {
  const call = "removeSpectralNorm";
  checkModule(module, call);
  if (typeof name !== "string") throw new TypeError(`${call}: expected name to be a string, got ${describe(name)}`);
  const hooks = module._forwardPreHooks;
  const i = hooks.findIndex((h) => HOOKS.get(h)?.name === name);
  if (i < 0) throw new RangeError(`${call}: spectral_norm of '${name}' not found in ${module.constructor.name}`);
  const weight = noGrad(() => compute(module, HOOKS.get(hooks[i])!, false));
  const r = module as unknown as Record<string, unknown>;
  for (const k of [name, `${name}_u`, `${name}_v`, `${name}_orig`]) delete r[k];
  module.registerParameter(name, new Parameter(weight.detach()));
  hooks.splice(i, 1);
  return module;
}
