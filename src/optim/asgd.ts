/**
 * ASGD: averaged stochastic gradient descent.
 *
 * @module
 */

import type { Tensor } from "../tensor/tensor.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { Optimizer, type ParamGroup, type Params, resolveOptions } from "./optimizer.ts";
import { effectiveGrad, stateOf, zerosState } from "./inplace.ts";

/** Options of `ASGD`. */
export interface ASGDOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Decay term (default 1e-4). */
  lambd: number;
  /** Power of the learning-rate schedule `eta = lr / (1 + lambd lr t)^alpha` (default 0.75). */
  alpha: number;
  /** The step after which averaging starts (default 1e6). */
  t0: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

const DEFAULTS: ASGDOptions = { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false };

/**
 * Averaged SGD, PyTorch's `torch.optim.ASGD`: `p *= 1 - lambd eta`, `p -= eta g`, then the
 * average `ax += mu (p - ax)` (`ax = p` while `mu` is 1); afterwards
 * `eta = lr / (1 + lambd lr t)^alpha` and `mu = 1 / max(1, t - t0)`. The state keeps `eta`
 * and `mu` rounded to float32, as PyTorch keeps them in float32 scalar tensors. The averaged
 * parameters are the state `ax`; the parameters themselves follow plain SGD.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const w = tensor([1, -1], { requiresGrad: true });
 * const opt = new optim.ASGD([w], { lr: 0.1, lambd: 0 });
 * w.mul(w).sum().backward();
 * opt.step();
 * console.log(Array.from(w.toArray() as Float32Array, (x) => +x.toFixed(4))); // [0.8, -0.8]
 * console.log(Object.keys(opt.stateDict().state[0])); // ["step", "eta", "mu", "ax"]
 * ```
 */
export class ASGD extends Optimizer<ASGDOptions> {
  /**
   * @param params tensors, or parameter groups `{ params, ...options }`
   * @param options the defaults for every group, or just the learning rate
   */
  constructor(params: Params<ASGDOptions>, options: Partial<ASGDOptions> | number = {}) {
    super(params, resolveOptions("ASGD", DEFAULTS, options));
  }

  protected override checkOptions(o: ASGDOptions, call: string): void {
    if (!(o.lr >= 0)) throw new RangeError(`${call}: Invalid learning rate: ${o.lr}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`${call}: Invalid weight_decay value: ${o.weightDecay}`);
  }

  protected override updateGroup(group: ParamGroup<ASGDOptions>): void {
    const { lr, lambd, alpha, t0, weightDecay, maximize } = group;
    for (const p of group.params) {
      const grad = p._grad;
      if (grad === null) continue;
      const st = stateOf(this.state, p, "ax", () => ({ step: 0, eta: Math.fround(lr), mu: 1, ax: zerosState(p) }));
      const step = (st.step as number) + 1;
      st.step = step;
      const eta = st.eta as number, mu = st.mu as number, ax = st.ax as Tensor;
      const [g, owned] = effectiveGrad(p, grad, weightDecay, maximize);
      p.mul_(1 - lambd * eta);
      p.add_(g, -eta);
      if (owned) g.dispose();
      if (mu !== 1) {
        const diff = E.sub(p, ax).mul_(mu);
        ax.add_(diff);
        diff.dispose();
      } else {
        ax.copy_(p);
      }
      st.eta = Math.fround(lr / Math.pow(1 + lambd * lr * step, alpha));
      st.mu = Math.fround(1 / Math.max(1, step - t0));
    }
  }
}
