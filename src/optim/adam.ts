/**
 * Adam (with the AMSGrad variant), and the update AdamW shares with it.
 *
 * @module
 */

import type { Tensor } from "../tensor/tensor.ts";
import { Optimizer, type ParamGroup, type Params, type ParamState, resolveOptions } from "./optimizer.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { effectiveGrad, maximumInPlace, stateOf, zerosState } from "./inplace.ts";

/** Options of `Adam` and `AdamW`. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Coefficients of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** Weight decay: an L2 penalty for Adam (default 0), decoupled for AdamW (default 1e-2). */
  weightDecay: number;
  /** Use the AMSGrad variant (default false). */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

const DEFAULTS: AdamOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
};

/** The option checks Adam, AdamW and Adamax share (PyTorch's messages). */
export function checkAdamOptions(o: Pick<AdamOptions, "lr" | "eps" | "betas" | "weightDecay">, call: string): void {
  if (!(o.lr >= 0)) throw new RangeError(`${call}: Invalid learning rate: ${o.lr}`);
  if (!(o.eps >= 0)) throw new RangeError(`${call}: Invalid epsilon value: ${o.eps}`);
  if (!(o.betas[0] >= 0 && o.betas[0] < 1)) {
    throw new RangeError(`${call}: Invalid beta parameter at index 0: ${o.betas[0]}`);
  }
  if (!(o.betas[1] >= 0 && o.betas[1] < 1)) {
    throw new RangeError(`${call}: Invalid beta parameter at index 1: ${o.betas[1]}`);
  }
  if (!(o.weightDecay >= 0)) throw new RangeError(`${call}: Invalid weight_decay value: ${o.weightDecay}`);
}

/**
 * One Adam update of `p` (PyTorch 1.13's single-tensor rule). `l2Decay` is the weight decay
 * folded into the gradient (Adam's; AdamW decays the parameter itself and passes 0).
 */
export function adamUpdate(
  state: Map<Tensor, ParamState>,
  p: Tensor,
  grad: Tensor,
  o: AdamOptions,
  l2Decay: number,
): void {
  const [beta1, beta2] = o.betas;
  const st = stateOf(state, p, "exp_avg", () => {
    const init: ParamState = { step: 0, exp_avg: zerosState(p), exp_avg_sq: zerosState(p) };
    if (o.amsgrad) init.max_exp_avg_sq = zerosState(p);
    return init;
  });
  const step = (st.step as number) + 1;
  st.step = step;
  const expAvg = st.exp_avg as Tensor, expAvgSq = st.exp_avg_sq as Tensor;
  const [g, owned] = effectiveGrad(p, grad, l2Decay, o.maximize);
  // m = β1 m + (1 - β1) g;  v = β2 v + (1 - β2) g²
  expAvg.mul_(beta1).add_(g, 1 - beta1);
  expAvgSq.mul_(beta2).addcmul_(g, g, 1 - beta2);
  if (owned) g.dispose();
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const stepSize = o.lr / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  let v = expAvgSq;
  if (o.amsgrad) {
    let vmax = st.max_exp_avg_sq as Tensor | undefined;
    if (vmax === undefined) st.max_exp_avg_sq = vmax = zerosState(p);
    maximumInPlace(vmax, expAvgSq);
    v = vmax;
  }
  // p -= stepSize * m / (sqrt(v) / sqrt(1 - β2^t) + eps)
  const denom = E.sqrt(v).div_(biasCorrection2Sqrt).add_(o.eps);
  p.addcdiv_(expAvg, denom, -stepSize);
  denom.dispose();
}

/**
 * Adam, PyTorch's `torch.optim.Adam`: running averages `m` and `v` of the gradient and its
 * square, then `p -= lr / (1 - β1^t) * m / (sqrt(v) / sqrt(1 - β2^t) + eps)`; with `amsgrad`
 * the running maximum of `v` is used. `weightDecay` adds `weightDecay * p` to the gradient.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const w = tensor([1, -1], { requiresGrad: true });
 * const opt = new optim.Adam([w], { lr: 0.1 });
 * w.mul(w).sum().backward();
 * opt.step();
 * console.log(Array.from(w.toArray() as Float32Array, (x) => +x.toFixed(4))); // [0.9, -0.9]
 * ```
 */
export class Adam extends Optimizer<AdamOptions> {
  /**
   * @param params tensors, or parameter groups `{ params, ...options }`
   * @param options the defaults for every group, or just the learning rate
   */
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> | number = {}) {
    super(params, resolveOptions("Adam", DEFAULTS, options));
  }

  protected override checkOptions(o: AdamOptions, call: string): void {
    checkAdamOptions(o, call);
  }

  protected override updateGroup(group: ParamGroup<AdamOptions>): void {
    for (const p of group.params) {
      if (p._grad !== null) adamUpdate(this.state, p, p._grad, group, group.weightDecay);
    }
  }
}
