/**
 * SGD with optional momentum, dampening, Nesterov momentum and weight decay.
 *
 * @module
 */

import type { Tensor } from "../tensor/tensor.ts";
import { keep } from "../tensor/scope.ts";
import { Optimizer, type ParamGroup, type Params, resolveOptions } from "./optimizer.ts";
import { cloneState, effectiveGrad } from "./inplace.ts";

/** Options of `SGD`. */
export interface SGDOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Dampening for momentum (default 0). */
  dampening: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (default false; needs momentum > 0 and zero dampening). */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

const DEFAULTS: SGDOptions = {
  lr: 1e-3,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  maximize: false,
};

/**
 * Stochastic gradient descent, PyTorch's `torch.optim.SGD`: with momentum `μ` and dampening
 * `τ`, `b = μ b + (1 - τ) g` (the first step takes `b = g`), then `p -= lr * b` (or
 * `p -= lr * (g + μ b)` with Nesterov). Weight decay adds `weightDecay * p` to `g` first.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const w = tensor([1, -2], { requiresGrad: true });
 * const opt = new optim.SGD([w], { lr: 0.5, momentum: 0.5 });
 * for (let i = 0; i < 2; i++) {
 *   opt.zeroGrad();
 *   w.sum().backward(); // gradient 1 everywhere
 *   opt.step();
 * }
 * console.log(w.tolist()); // [-0.25, -3.25]
 * ```
 */
export class SGD extends Optimizer<SGDOptions> {
  /**
   * @param params tensors, or parameter groups `{ params, ...options }`
   * @param options the defaults for every group, or just the learning rate
   */
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> | number = {}) {
    super(params, resolveOptions("SGD", DEFAULTS, options));
  }

  protected override checkOptions(o: SGDOptions, call: string): void {
    if (!(o.lr >= 0)) throw new RangeError(`${call}: Invalid learning rate: ${o.lr}`);
    if (!(o.momentum >= 0)) throw new RangeError(`${call}: Invalid momentum value: ${o.momentum}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`${call}: Invalid weight_decay value: ${o.weightDecay}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError(`${call}: Nesterov momentum requires a momentum and zero dampening`);
    }
  }

  protected override updateGroup(group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const p of group.params) {
      const grad = p._grad;
      if (grad === null) continue;
      let [d, owned] = effectiveGrad(p, grad, weightDecay, maximize);
      if (momentum !== 0) {
        const st = this.state.get(p) ?? {};
        let buf = st.momentum_buffer as Tensor | undefined;
        if (buf === undefined) {
          // First step: the buffer starts as the gradient itself (no dampening).
          buf = owned && !nesterov ? keep(d) : cloneState(d);
          if (buf === d) owned = false;
          st.momentum_buffer = buf;
          this.state.set(p, st);
        } else {
          buf.mul_(momentum).add_(d, 1 - dampening);
        }
        if (nesterov) {
          if (owned) d.add_(buf, momentum);
          else {
            d = d.add(buf, momentum);
            owned = true;
          }
        } else {
          if (owned) d.dispose();
          d = buf;
          owned = false;
        }
      }
      p.add_(d, -lr);
      if (owned) d.dispose();
    }
  }
}
