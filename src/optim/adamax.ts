/**
 * Adamax: Adam with an infinity-norm second moment.
 *
 * @module
 */

import type { Tensor } from "../tensor/tensor.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { Optimizer, type ParamGroup, type Params, resolveOptions } from "./optimizer.ts";
import { effectiveGrad, maximumInPlace, stateOf, zerosState } from "./inplace.ts";
import { checkAdamOptions } from "./adam.ts";

/** Options of `Adamax`. */
export interface AdamaxOptions {
  /** Learning rate (default 2e-3). */
  lr: number;
  /** Coefficients of the running average of the gradient and of the infinity norm (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the gradient's magnitude for stability (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

const DEFAULTS: AdamaxOptions = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false };

/**
 * Adamax, PyTorch's `torch.optim.Adamax`: `m = β1 m + (1 - β1) g`,
 * `u = max(β2 u, |g| + eps)`, then `p -= lr / (1 - β1^t) * m / u`.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const w = tensor([1], { requiresGrad: true });
 * const opt = new optim.Adamax([w], { lr: 0.5 });
 * w.sum().backward(); // gradient 1: m = 0.1, u = 1, step = 0.5 / 0.1 * 0.1
 * opt.step();
 * console.log(+w.item().toFixed(5)); // 0.5
 * ```
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  /**
   * @param params tensors, or parameter groups `{ params, ...options }`
   * @param options the defaults for every group, or just the learning rate
   */
  constructor(params: Params<AdamaxOptions>, options: Partial<AdamaxOptions> | number = {}) {
    super(params, resolveOptions("Adamax", DEFAULTS, options));
  }

  protected override checkOptions(o: AdamaxOptions, call: string): void {
    checkAdamOptions(o, call);
  }

  protected override updateGroup(group: ParamGroup<AdamaxOptions>): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, maximize } = group;
    for (const p of group.params) {
      const grad = p._grad;
      if (grad === null) continue;
      const st = stateOf(this.state, p, "exp_avg", () => ({ step: 0, exp_avg: zerosState(p), exp_inf: zerosState(p) }));
      const step = (st.step as number) + 1;
      st.step = step;
      const expAvg = st.exp_avg as Tensor, expInf = st.exp_inf as Tensor;
      const [g, owned] = effectiveGrad(p, grad, weightDecay, maximize);
      expAvg.mul_(beta1).add_(g, 1 - beta1);
      // u = max(β2 u, |g| + eps)
      const norm = E.abs(g).add_(eps);
      maximumInPlace(expInf.mul_(beta2), norm);
      norm.dispose();
      const clr = lr / (1 - beta1 ** step);
      p.addcdiv_(expAvg, expInf, -clr);
      if (owned) g.dispose();
    }
  }
}
