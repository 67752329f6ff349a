/**
 * RAdam: Adam with a rectified adaptive learning rate.
 *
 * @module
 */

import type { Tensor } from "../tensor/tensor.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { fullLike } from "../tensor/ops/convert.ts";
import { Optimizer, type ParamGroup, type Params, resolveOptions } from "./optimizer.ts";
import { effectiveGrad, stateOf, zerosState } from "./inplace.ts";
import { checkAdamOptions } from "./adam.ts";

/** Options of `RAdam`. */
export interface RAdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Coefficients of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
}

const DEFAULTS: RAdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 };

/**
 * RAdam, PyTorch's `torch.optim.RAdam` (1.13 has no `maximize` for it): Adam's running
 * averages `m` and `v`; with `ρ∞ = 2 / (1 - β2) - 1` and `ρ_t = ρ∞ - 2 t β2^t / (1 - β2^t)`,
 * while `ρ_t <= 5` the step is momentum SGD, `p -= lr * m / (1 - β1^t)`, and once `ρ_t > 5` it
 * is rectified: `p -= lr * m / (1 - β1^t) * r_t * sqrt(1 - β2^t) / (sqrt(v) + eps)` with
 * `r_t = sqrt((ρ_t - 4)(ρ_t - 2) ρ∞ / ((ρ∞ - 4)(ρ∞ - 2) ρ_t))`.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const w = tensor([1, -1], { requiresGrad: true });
 * const opt = new optim.RAdam([w], { lr: 0.1 });
 * w.mul(w).sum().backward(); // gradient [2, -2]; step 1 has ρ_t = 1, so p -= lr * g
 * opt.step();
 * console.log(Array.from(w.toArray() as Float32Array, (x) => +x.toFixed(4))); // [0.8, -0.8]
 * ```
 */
export class RAdam extends Optimizer<RAdamOptions> {
  /**
   * @param params tensors, or parameter groups `{ params, ...options }`
   * @param options the defaults for every group, or just the learning rate
   */
  constructor(params: Params<RAdamOptions>, options: Partial<RAdamOptions> | number = {}) {
    super(params, resolveOptions("RAdam", DEFAULTS, options));
  }

  protected override checkOptions(o: RAdamOptions, call: string): void {
    checkAdamOptions(o, call);
  }

  protected override updateGroup(group: ParamGroup<RAdamOptions>): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay } = group;
    for (const p of group.params) {
      const grad = p._grad;
      if (grad === null) continue;
      const st = stateOf(
        this.state,
        p,
        "exp_avg",
        () => ({ step: 0, exp_avg: zerosState(p), exp_avg_sq: zerosState(p) }),
      );
      const step = (st.step as number) + 1;
      st.step = step;
      const expAvg = st.exp_avg as Tensor, expAvgSq = st.exp_avg_sq as Tensor;
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const [g, owned] = effectiveGrad(p, grad, weightDecay, false);
      expAvg.mul_(beta1).add_(g, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(g, g, 1 - beta2);
      if (owned) g.dispose();
      const corrected = E.div(expAvg, biasCorrection1).mul_(lr);
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - 2 * step * beta2 ** step / biasCorrection2;
      if (rhoT > 5) {
        const rect = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        // adaptive_lr = sqrt(1 - β2^t) / (sqrt(v) + eps), as PyTorch's scalar / tensor
        const denom = E.sqrt(expAvgSq).add_(eps);
        const adaptive = fullLike(denom, Math.sqrt(biasCorrection2)).div_(denom);
        denom.dispose();
        corrected.mul_(adaptive).mul_(rect);
        adaptive.dispose();
      }
      p.sub_(corrected);
      corrected.dispose();
    }
  }
}
