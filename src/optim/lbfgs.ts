/**
 * L-BFGS with an optional strong Wolfe line search (PyTorch's `torch.optim.LBFGS`).
 *
 * @module
 */

import type { Tensor } from "../tensor/tensor.ts";
import { keep, tidy } from "../tensor/scope.ts";
import { describe } from "../tensor/shape.ts";
import { castRaw, zerosRaw } from "../tensor/ops/util.ts";
import { clone } from "../tensor/ops/convert.ts";
import { cat } from "../tensor/ops/view.ts";
import { dot } from "../tensor/ops/linalg.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { enableGrad, noGrad } from "../autograd/grad_mode.ts";
import {
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupSpec,
  type Params,
  type ParamState,
  resolveOptions,
} from "./optimizer.ts";

/** Options of `LBFGS`. */
export interface LBFGSOptions {
  /** Learning rate: the step length tried along each direction (default 1). */
  lr: number;
  /** Most iterations per `step` (default 20). */
  maxIter: number;
  /** Most closure evaluations per `step` (default `floor(maxIter * 5 / 4)`). */
  maxEval: number;
  /** Stop when the largest gradient magnitude is at most this (default 1e-7, as PyTorch 1.13's code). */
  toleranceGrad: number;
  /** Stop when the loss or the parameters change less than this (default 1e-9). */
  toleranceChange: number;
  /** How many past updates approximate the inverse Hessian (default 100). */
  historySize: number;
  /** `"strong_wolfe"` for a line search satisfying the strong Wolfe conditions, or null for fixed steps. */
  lineSearchFn: "strong_wolfe" | null;
}

/**
 * LBFGS's state, kept for the first parameter as PyTorch keeps it (every key appears after the
 * first `step`): the last direction `d` and step length `t`, the curvature pairs `old_dirs`
 * (gradient differences) and `old_stps` (steps) with `ro = 1 / (y·s)`, the initial inverse
 * Hessian scale `H_diag`, the previous flat gradient and loss, the scratch list `al`, and the
 * counters `func_evals` and `n_iter`.
 */
export interface LBFGSState {
  func_evals: number;
  n_iter: number;
  d?: Tensor;
  t?: number;
  old_dirs?: Tensor[];
  old_stps?: Tensor[];
  ro?: number[];
  H_diag?: number;
  prev_flat_grad?: Tensor;
  prev_loss?: number;
  al?: (number | null)[];
}

const KEYS = ["lr", "maxIter", "maxEval", "toleranceGrad", "toleranceChange", "historySize", "lineSearchFn"];

function lbfgsOptions(options: unknown): LBFGSOptions {
  const call = "LBFGS";
  if (typeof options === "number") options = { lr: options };
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${call}: expected an options object, got ${describe(options)}`);
  }
  const { maxEval, lineSearchFn, ...rest } = options as Record<string, unknown>;
  for (const key of Object.keys(rest)) {
    if (!KEYS.includes(key)) {
      throw new TypeError(`${call}: unknown option "${key}"; expected one of ${KEYS.join(", ")}`);
    }
  }
  const o = resolveOptions(
    call,
    { lr: 1, maxIter: 20, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100 },
    rest,
  );
  if (maxEval !== undefined && maxEval !== null && typeof maxEval !== "number") {
    throw new TypeError(`${call}: expected maxEval to be a number or null, got ${describe(maxEval)}`);
  }
  if (lineSearchFn !== undefined && lineSearchFn !== null && typeof lineSearchFn !== "string") {
    throw new TypeError(`${call}: expected lineSearchFn to be "strong_wolfe" or null, got ${describe(lineSearchFn)}`);
  }
  return {
    ...o,
    maxEval: (maxEval as number | null | undefined) ?? Math.floor(o.maxIter * 5 / 4),
    lineSearchFn: (lineSearchFn as "strong_wolfe" | null | undefined) ?? null,
  };
}

const num = (t: Tensor): number => t.item();
const dotv = (a: Tensor, b: Tensor): number => num(dot(a, b));
const absMax = (t: Tensor): number => num(E.abs(t).max());

/** PyTorch's `_cubic_interpolate`: the minimizer of the cubic through two points with slopes. */
function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: [number, number],
): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const d2Square = d1 ** 2 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

type ObjFunc = (t: number) => [number, Tensor];

/** PyTorch's `_strong_wolfe` (c1 = 1e-4, c2 = 0.9, at most 25 iterations): [loss, grad, t, evals]. */
function strongWolfe(
  obj: ObjFunc,
  t: number,
  d: Tensor,
  f: number,
  g: Tensor,
  gtd: number,
  toleranceChange = 1e-9,
  c1 = 1e-4,
  c2 = 0.9,
  maxLs = 25,
): [number, Tensor, number, number] {
  const dNorm = absMax(d);
  let [fNew, gNew] = obj(t);
  let lsFuncEvals = 1;
  let gtdNew = dotv(gNew, d);
  let tPrev = 0, fPrev = f, gPrev = g, gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [], bracketF: number[] = [], bracketG: Tensor[] = [], bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew;
    gtdPrev = gtdNew;
    [fNew, gNew] = obj(t);
    lsFuncEvals++;
    gtdNew = dotv(gNew, d);
    lsIter++;
  }
  if (lsIter === maxLs) [bracket, bracketF, bracketG] = [[0, t], [f, fNew], [g, gNew]];

  // Zoom: shrink the bracket until a point satisfies the conditions.
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    const bMax = Math.max(...bracket), bMin = Math.min(...bracket);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufProgress = false;
      } else insufProgress = true;
    } else insufProgress = false;
    [fNew, gNew] = obj(t);
    lsFuncEvals++;
    gtdNew = dotv(gNew, d);
    lsIter++;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]) {
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew;
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0) {
        bracket[highPos] = bracket[lowPos];
        bracketF[highPos] = bracketF[lowPos];
        bracketG[highPos] = bracketG[lowPos];
        bracketGtd[highPos] = bracketGtd[lowPos];
      }
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew;
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos], bracketG[lowPos], bracket[lowPos], lsFuncEvals];
}

/**
 * L-BFGS, PyTorch's `torch.optim.LBFGS`, heavily inspired by minFunc: each `step(closure)` runs
 * up to `maxIter` iterations of limited-memory BFGS over all parameters flattened into one
 * vector, calling `closure` (which must zero the gradients, compute the loss, call `backward`
 * and return the loss) as often as the iterations and the optional strong Wolfe line search
 * need, at most about `maxEval` times. `step` returns the loss of the first evaluation. Only
 * one parameter group is supported, as in PyTorch. The state lives on the first parameter.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const x = tensor([1.5, -0.5], { requiresGrad: true });
 * const opt = new optim.LBFGS([x], { lineSearchFn: "strong_wolfe" });
 * const closure = () => {
 *   opt.zeroGrad();
 *   const loss = x.sub(tensor([1, 2])).square().sum(); // minimum at [1, 2]
 *   loss.backward();
 *   return loss;
 * };
 * opt.step(closure);
 * console.log(Array.from(x.toArray() as Float32Array, (v) => +v.toFixed(4))); // [1, 2]
 * ```
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  /**
   * @param params the tensors to optimize (one group only)
   * @param options `{ lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn }`,
   * or just the learning rate
   */
  constructor(params: Params<LBFGSOptions>, options: Partial<LBFGSOptions> | number = {}) {
    super(params, lbfgsOptions(options));
    if (this.paramGroups.length !== 1) {
      throw new RangeError(`LBFGS: LBFGS doesn't support per-parameter options (parameter groups)`);
    }
  }

  protected override checkOptions(o: LBFGSOptions, call: string): void {
    for (const key of ["maxIter", "maxEval", "historySize"] as const) {
      if (!(Number.isInteger(o[key]) && o[key] >= 1)) {
        throw new RangeError(`${call}: expected ${key} to be a positive integer, got ${o[key]}`);
      }
    }
    if (o.lineSearchFn !== null && o.lineSearchFn !== "strong_wolfe") {
      throw new RangeError(`${call}: only 'strong_wolfe' is supported as lineSearchFn, got "${o.lineSearchFn}"`);
    }
  }

  protected override updateGroup(_group: ParamGroup<LBFGSOptions>): void {
    throw new Error("LBFGS: updateGroup is not used; step(closure) does the work");
  }

  /**
   * Adds a parameter group: LBFGS supports only the one it was made with, so this throws
   * once the optimizer exists (as PyTorch's constructor check does).
   */
  override addParamGroup(group: ParamGroupSpec<LBFGSOptions>): void {
    if (this.paramGroups.length >= 1) {
      throw new RangeError(`LBFGS: LBFGS doesn't support per-parameter options (parameter groups)`);
    }
    if (group === null || typeof group !== "object" || Array.isArray(group)) return super.addParamGroup(group);
    // lineSearchFn and maxEval may be null, which the base class's type check does not know.
    const { lineSearchFn, maxEval, ...rest } = group;
    const own = lbfgsOptions({ maxEval, lineSearchFn, maxIter: this.defaults.maxIter });
    super.addParamGroup(rest as ParamGroupSpec<LBFGSOptions>);
    const g = this.paramGroups[0];
    if (lineSearchFn !== undefined) g.lineSearchFn = own.lineSearchFn;
    if (maxEval !== undefined) g.maxEval = maxEval === null ? Math.floor(g.maxIter * 5 / 4) : own.maxEval;
    this.checkOptions(g, "LBFGS");
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  private gatherFlatGrad(): Tensor {
    return cat(this.params.map((p) => p._grad === null ? zerosRaw([p.numel()], p.dtype) : p._grad.reshape([-1])));
  }

  private addGrad(stepSize: number, update: Tensor): void {
    let offset = 0;
    for (const p of this.params) {
      const n = p.numel();
      p.add_(update.narrow(0, offset, n).view(p.shape), stepSize);
      offset += n;
    }
  }

  /**
   * Runs up to `maxIter` L-BFGS iterations. `closure` re-evaluates the model: it zeroes the
   * gradients, computes the loss, calls `backward` and returns the loss (a one-element tensor
   * or a number). Returns the loss of the closure's first evaluation.
   */
  override step<T = undefined>(closure?: () => T): T | undefined {
    if (typeof closure !== "function") {
      throw new TypeError(
        `LBFGS.step: expected a closure that re-evaluates the model and returns the loss, got ${describe(closure)}`,
      );
    }
    const evaluate = (): [T, number] => {
      const out = enableGrad(closure);
      const value = typeof out === "number" ? out : (out as { item?: () => number })?.item?.();
      if (typeof value !== "number") {
        throw new TypeError(
          `LBFGS.step: expected the closure to return the loss as a tensor or a number, got ${describe(out)}`,
        );
      }
      return [out, value];
    };
    return noGrad(() => tidy(() => this.run(evaluate)))[0];
  }

  private run<T>(evaluate: () => [T, number]): [T] {
    const group = this.paramGroups[0];
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    const first = this.params[0];
    const state = (this.state.get(first) ?? { func_evals: 0, n_iter: 0 }) as unknown as LBFGSState;
    this.state.set(first, state as unknown as ParamState);
    state.func_evals ??= 0;
    state.n_iter ??= 0;

    const [origLoss, firstLoss] = evaluate();
    let loss = firstLoss;
    let currentEvals = 1;
    state.func_evals += 1;
    let flatGrad = this.gatherFlatGrad();
    let optCond = absMax(flatGrad) <= toleranceGrad;
    if (optCond) return [origLoss];

    // The state is updated in place, as PyTorch updates it; stateDict() hands out copies, so
    // tensors that drop out of the state (an old direction, the oldest curvature pair) are
    // disposed here.
    let d = state.d, t = state.t;
    let oldDirs = state.old_dirs, oldStps = state.old_stps, ro = state.ro;
    let hDiag = state.H_diag;
    let prevFlatGrad = state.prev_flat_grad, prevLoss = state.prev_loss;
    const stateD = state.d;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      state.n_iter++;
      // The descent direction.
      if (state.n_iter === 1) {
        d = E.neg(flatGrad);
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = 1;
      } else {
        const y = E.sub(flatGrad, prevFlatGrad!);
        const s = E.mul(d!, t!);
        const ys = dotv(y, s);
        if (ys > 1e-10) {
          if (oldDirs!.length === historySize) {
            oldDirs!.shift()!.dispose();
            oldStps!.shift()!.dispose();
            ro!.shift();
          }
          oldDirs!.push(keep(y));
          oldStps!.push(keep(s));
          ro!.push(1 / ys);
          hDiag = ys / dotv(y, y);
        }
        const numOld = oldDirs!.length;
        state.al ??= new Array(historySize).fill(null);
        const al = state.al;
        const q = E.neg(flatGrad);
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = dotv(oldStps![i], q) * ro![i];
          q.add_(oldDirs![i], -al[i]!);
        }
        d = E.mul(q, hDiag!);
        for (let i = 0; i < numOld; i++) {
          const be = dotv(oldDirs![i], d) * ro![i];
          d.add_(oldStps![i], al[i]! - be);
        }
      }
      if (prevFlatGrad === undefined) prevFlatGrad = keep(clone(flatGrad));
      else prevFlatGrad.copy_(flatGrad);
      prevLoss = loss;

      // The step length.
      t = state.n_iter === 1 ? Math.min(1, 1 / num(E.abs(flatGrad).sum())) * lr : lr;
      const gtd = dotv(flatGrad, d);
      if (gtd > -toleranceChange) break;

      let lsFuncEvals = 0;
      if (lineSearchFn !== null) {
        const xInit = this.params.map((p) => clone(p));
        const dir = d;
        const obj: ObjFunc = (step) => {
          this.addGrad(step, dir);
          const [, value] = evaluate();
          const g = this.gatherFlatGrad();
          this.params.forEach((p, i) => p.copy_(xInit[i]));
          return [value, g];
        };
        [loss, flatGrad, t, lsFuncEvals] = strongWolfe(obj, t, d, loss, flatGrad, gtd, toleranceChange);
        this.addGrad(t, d);
        optCond = absMax(flatGrad) <= toleranceGrad;
      } else {
        this.addGrad(t, d);
        if (nIter !== maxIter) {
          loss = evaluate()[1];
          flatGrad = this.gatherFlatGrad();
          optCond = absMax(flatGrad) <= toleranceGrad;
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.func_evals += lsFuncEvals;

      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (absMax(E.mul(d, t)) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    if (d !== undefined && d !== stateD) {
      keep(d);
      stateD?.dispose();
    }
    Object.assign(state, {
      d,
      t,
      old_dirs: oldDirs,
      old_stps: oldStps,
      ro,
      H_diag: hDiag,
      prev_flat_grad: prevFlatGrad,
      prev_loss: prevLoss,
    });
    return [origLoss];
  }

  /** The state of the first parameter, typed (undefined before the first `step`). */
  get lbfgsState(): LBFGSState | undefined {
    return this.state.get(this.params[0]) as unknown as LBFGSState | undefined;
  }

  /**
   * The optimizer's state in PyTorch's layout (`{ state: { 0: {...} }, param_groups: [...] }`).
   * Unlike the other optimizers its state tensors are copies: LBFGS disposes the directions and
   * curvature pairs that drop out of its history, and a saved state dict must outlive that.
   */
  override stateDict(): OptimizerStateDict<LBFGSOptions> {
    const sd = super.stateDict();
    const copy = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(copy) : v !== null && typeof v === "object" ? clone(v as Tensor) : v;
    noGrad(() => {
      for (const [k, st] of Object.entries(sd.state)) {
        sd.state[Number(k)] = Object.fromEntries(Object.entries(st).map(([n, v]) => [n, copy(v)])) as ParamState;
      }
    });
    return sd;
  }

  /**
   * Restores a state dict saved by an LBFGS over parameters of the same shapes: the group's
   * options and the state (tensors and lists of tensors are copied, in the parameters' dtype).
   */
  override loadStateDict(stateDict: OptimizerStateDict<LBFGSOptions>): void {
    const call = "LBFGS.loadStateDict";
    if (stateDict === null || typeof stateDict !== "object") {
      throw new TypeError(`${call}: expected a state dict object, got ${describe(stateDict)}`);
    }
    const { state, param_groups: saved } = stateDict;
    if (!Array.isArray(saved) || saved.length !== 1) {
      throw new RangeError(`${call}: expected one parameter group, got ${describe(saved)}`);
    }
    if (state === null || typeof state !== "object") {
      throw new TypeError(`${call}: expected state to be an object, got ${describe(state)}`);
    }
    const { params: ids, ...opts } = saved[0];
    if (!Array.isArray(ids) || ids.length !== this.params.length) {
      throw new RangeError(
        `${call}: loaded state dict contains a parameter group that doesn't match the size of optimizer's group (${
          Array.isArray(ids) ? ids.length : describe(ids)
        } params, expected ${this.params.length})`,
      );
    }
    const merged = lbfgsOptions(opts);
    this.checkOptions(merged, "LBFGS");
    const dtype = this.params[0].dtype;
    const copy = (v: unknown, name: string): Tensor => {
      if (v === null || typeof v !== "object" || (v as { _isTensor?: boolean })._isTensor !== true) {
        throw new TypeError(`${call}: expected state ${name} to be a Tensor, got ${describe(v)}`);
      }
      const t = v as Tensor;
      return keep(t.dtype !== dtype ? castRaw(t, dtype, call) : clone(t));
    };
    const newState = new Map<Tensor, ParamState>();
    noGrad(() => {
      for (const [key, value] of Object.entries(state)) {
        const j = ids.indexOf(Number(key));
        if (j !== 0) {
          throw new RangeError(`${call}: LBFGS keeps its state on the first parameter, got state for parameter ${key}`);
        }
        const st: Record<string, unknown> = {};
        for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
          if (name === "d" || name === "prev_flat_grad") st[name] = copy(v, name);
          else if (name === "old_dirs" || name === "old_stps") {
            if (!Array.isArray(v)) throw new TypeError(`${call}: expected state ${name} to be an array of Tensors`);
            st[name] = v.map((x, i) => copy(x, `${name}[${i}]`));
          } else if (name === "ro" || name === "al") {
            if (!Array.isArray(v)) throw new TypeError(`${call}: expected state ${name} to be an array of numbers`);
            st[name] = [...v];
          } else if (typeof v === "number") st[name] = v;
          else if (v !== null && typeof v === "object" && (v as { _isTensor?: boolean })._isTensor) {
            st[name] = (v as Tensor).item();
          } else throw new TypeError(`${call}: unexpected state ${name}: ${describe(v)}`);
        }
        newState.set(this.params[0], st as ParamState);
      }
    });
    this.paramGroups = [{ ...merged, params: this.params }];
    this.state = newState;
  }
}
