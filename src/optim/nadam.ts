/**
 * NAdam: Adam with Nesterov momentum and a momentum-decay schedule.
 *
 * @module
 */

import type { Tensor } from "../tensor/tensor.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { Optimizer, type ParamGroup, type Params, resolveOptions } from "./optimizer.ts";
import { effectiveGrad, stateOf, zerosState } from "./inplace.ts";
import { checkAdamOptions } from "./adam.ts";

/** Options of `NAdam`. */
export interface NAdamOptions {
  /** Learning rate (default 2e-3). */
  lr: number;
  /** Coefficients of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum decay ψ of the schedule `μ_t = β1 (1 - 0.5 * 0.96^(t ψ))` (default 4e-3). */
  momentumDecay: number;
}

const DEFAULTS: NAdamOptions = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 };

/**
 * NAdam, PyTorch's `torch.optim.NAdam` (1.13 has no `maximize` for it): with
 * `μ_t = β1 (1 - 0.5 * 0.96^(t ψ))` and `Π_t = μ_1 ⋯ μ_t`, `m` and `v` are Adam's running
 * averages and `p -= lr (1 - μ_t) / (1 - Π_t) * g / d + lr μ_{t+1} / (1 - Π_t μ_{t+1}) * m / d`
 * with `d = sqrt(v / (1 - β2^t)) + eps`. The product `Π_t` is the state `mu_product`, held in
 * float32 as PyTorch holds it (a float32 scalar tensor).
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const w = tensor([1, -1], { requiresGrad: true });
 * const opt = new optim.NAdam([w], { lr: 0.1 });
 * w.mul(w).sum().backward();
 * opt.step();
 * console.log(Array.from(w.toArray() as Float32Array, (x) => +x.toFixed(4))); // [0.895, -0.895]
 * console.log(Object.keys(opt.stateDict().state[0])); // ["step", "mu_product", "exp_avg", "exp_avg_sq"]
 * ```
 */
export class NAdam extends Optimizer<NAdamOptions> {
  /**
   * @param params tensors, or parameter groups `{ params, ...options }`
   * @param options the defaults for every group, or just the learning rate
   */
  constructor(params: Params<NAdamOptions>, options: Partial<NAdamOptions> | number = {}) {
    super(params, resolveOptions("NAdam", DEFAULTS, options));
  }

  protected override checkOptions(o: NAdamOptions, call: string): void {
    checkAdamOptions(o, call);
    if (!(o.momentumDecay >= 0)) throw new RangeError(`${call}: Invalid momentum_decay value: ${o.momentumDecay}`);
  }

  protected override updateGroup(group: ParamGroup<NAdamOptions>): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, momentumDecay } = group;
    for (const p of group.params) {
      const grad = p._grad;
      if (grad === null) continue;
      const st = stateOf(this.state, p, "exp_avg", () => ({
        step: 0,
        mu_product: 1,
        exp_avg: zerosState(p),
        exp_avg_sq: zerosState(p),
      }));
      const step = (st.step as number) + 1;
      st.step = step;
      const expAvg = st.exp_avg as Tensor, expAvgSq = st.exp_avg_sq as Tensor;
      const biasCorrection2 = 1 - beta2 ** step;
      const [g, owned] = effectiveGrad(p, grad, weightDecay, false);
      const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
      // PyTorch keeps mu_product in a float32 scalar tensor: each product rounds to float32.
      const muProduct = Math.fround((st.mu_product as number) * Math.fround(mu));
      st.mu_product = muProduct;
      const muProductNext = Math.fround(Math.fround(muProduct * Math.fround(mu)) * Math.fround(muNext));
      expAvg.mul_(beta1).add_(g, 1 - beta1);
      expAvgSq.mul_(beta2).addcmul_(g, g, 1 - beta2);
      const denom = E.div(expAvgSq, biasCorrection2).sqrt_().add_(eps);
      p.addcdiv_(g, denom, -lr * (1 - mu) / (1 - muProduct));
      p.addcdiv_(expAvg, denom, -lr * muNext / (1 - muProductNext));
      denom.dispose();
      if (owned) g.dispose();
    }
  }
}
