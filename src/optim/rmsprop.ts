/**
 * RMSprop, plain or centered, with optional momentum.
 *
 * @module
 */

import type { Tensor } from "../tensor/tensor.ts";
import { Optimizer, type ParamGroup, type Params, resolveOptions } from "./optimizer.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { effectiveGrad, stateOf, zerosState } from "./inplace.ts";

/** Options of `RMSprop`. */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha: number;
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Normalize by an estimate of the gradient's variance instead of its second moment (default false). */
  centered: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

const DEFAULTS: RMSpropOptions = {
  lr: 1e-2,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  maximize: false,
};

/**
 * RMSprop, PyTorch's `torch.optim.RMSprop`: `v = α v + (1 - α) g²`, then
 * `p -= lr * g / (sqrt(v) + eps)`. `centered` subtracts the square of a running average of
 * `g` from `v` first; with `momentum`, `b = μ b + g / (sqrt(v) + eps)` and `p -= lr * b`.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const w = tensor([1], { requiresGrad: true });
 * const opt = new optim.RMSprop([w], { lr: 0.01, alpha: 0.75 });
 * w.sum().backward(); // gradient 1: v = 0.25, step = 0.01 / 0.5
 * opt.step();
 * console.log(+w.item().toFixed(5)); // 0.98
 * ```
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  /**
   * @param params tensors, or parameter groups `{ params, ...options }`
   * @param options the defaults for every group, or just the learning rate
   */
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> | number = {}) {
    super(params, resolveOptions("RMSprop", DEFAULTS, options));
  }

  protected override checkOptions(o: RMSpropOptions, call: string): void {
    if (!(o.lr >= 0)) throw new RangeError(`${call}: Invalid learning rate: ${o.lr}`);
    if (!(o.eps >= 0)) throw new RangeError(`${call}: Invalid epsilon value: ${o.eps}`);
    if (!(o.momentum >= 0)) throw new RangeError(`${call}: Invalid momentum value: ${o.momentum}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`${call}: Invalid weight_decay value: ${o.weightDecay}`);
    if (!(o.alpha >= 0)) throw new RangeError(`${call}: Invalid alpha value: ${o.alpha}`);
  }

  protected override updateGroup(group: ParamGroup<RMSpropOptions>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    for (const p of group.params) {
      const grad = p._grad;
      if (grad === null) continue;
      const st = stateOf(this.state, p, "square_avg", () => ({ step: 0, square_avg: zerosState(p) }));
      if (momentum > 0 && st.momentum_buffer === undefined) st.momentum_buffer = zerosState(p);
      if (centered && st.grad_avg === undefined) st.grad_avg = zerosState(p);
      st.step = (st.step as number) + 1;
      const squareAvg = st.square_avg as Tensor;
      const [g, owned] = effectiveGrad(p, grad, weightDecay, maximize);
      squareAvg.mul_(alpha).addcmul_(g, g, 1 - alpha);
      let avg: Tensor;
      if (centered) {
        const gradAvg = st.grad_avg as Tensor;
        gradAvg.mul_(alpha).add_(g, 1 - alpha);
        avg = E.addcmul(squareAvg, gradAvg, gradAvg, -1).sqrt_();
      } else {
        avg = E.sqrt(squareAvg);
      }
      avg.add_(eps);
      if (momentum > 0) {
        const buf = st.momentum_buffer as Tensor;
        buf.mul_(momentum).addcdiv_(g, avg);
        p.add_(buf, -lr);
      } else {
        p.addcdiv_(g, avg, -lr);
      }
      avg.dispose();
      if (owned) g.dispose();
    }
  }
}
