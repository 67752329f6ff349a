/**
 * Adadelta.
 *
 * @module
 */

import type { Tensor } from "../tensor/tensor.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { Optimizer, type ParamGroup, type Params, resolveOptions } from "./optimizer.ts";
import { effectiveGrad, stateOf, zerosState } from "./inplace.ts";

/** Options of `Adadelta`. */
export interface AdadeltaOptions {
  /** Scales the computed delta before it is applied (default 1). */
  lr: number;
  /** Smoothing constant of the running averages (default 0.9). */
  rho: number;
  /** Added inside the square roots for stability (default 1e-6). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

const DEFAULTS: AdadeltaOptions = { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false };

/**
 * Adadelta, PyTorch's `torch.optim.Adadelta`: `v = ρ v + (1 - ρ) g²`,
 * `δ = sqrt(u + eps) / sqrt(v + eps) * g`, `u = ρ u + (1 - ρ) δ²`, then `p -= lr * δ`.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const w = tensor([1], { requiresGrad: true });
 * const opt = new optim.Adadelta([w], { rho: 0, eps: 0.25 });
 * w.sum().backward(); // gradient 1: δ = sqrt(0.25) / sqrt(1.25) ≈ 0.4472
 * opt.step();
 * console.log(+w.item().toFixed(4)); // 0.5528
 * ```
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  /**
   * @param params tensors, or parameter groups `{ params, ...options }`
   * @param options the defaults for every group, or just the learning rate
   */
  constructor(params: Params<AdadeltaOptions>, options: Partial<AdadeltaOptions> | number = {}) {
    super(params, resolveOptions("Adadelta", DEFAULTS, options));
  }

  protected override checkOptions(o: AdadeltaOptions, call: string): void {
    if (!(o.lr >= 0)) throw new RangeError(`${call}: Invalid learning rate: ${o.lr}`);
    if (!(o.rho >= 0 && o.rho <= 1)) throw new RangeError(`${call}: Invalid rho value: ${o.rho}`);
    if (!(o.eps >= 0)) throw new RangeError(`${call}: Invalid epsilon value: ${o.eps}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`${call}: Invalid weight_decay value: ${o.weightDecay}`);
  }

  protected override updateGroup(group: ParamGroup<AdadeltaOptions>): void {
    const { lr, rho, eps, weightDecay, maximize } = group;
    for (const p of group.params) {
      const grad = p._grad;
      if (grad === null) continue;
      const st = stateOf(this.state, p, "square_avg", () => ({
        step: 0,
        square_avg: zerosState(p),
        acc_delta: zerosState(p),
      }));
      st.step = (st.step as number) + 1;
      const squareAvg = st.square_avg as Tensor, accDelta = st.acc_delta as Tensor;
      const [g, owned] = effectiveGrad(p, grad, weightDecay, maximize);
      squareAvg.mul_(rho).addcmul_(g, g, 1 - rho);
      const std = E.add(squareAvg, eps).sqrt_();
      const delta = E.add(accDelta, eps).sqrt_().div_(std).mul_(g);
      accDelta.mul_(rho).addcmul_(delta, delta, 1 - rho);
      p.add_(delta, -lr);
      std.dispose();
      delta.dispose();
      if (owned) g.dispose();
    }
  }
}
