/**
 * AdamW: Adam with decoupled weight decay.
 *
 * @module
 */

import { Optimizer, type ParamGroup, type Params, resolveOptions } from "./optimizer.ts";
import { type AdamOptions, adamUpdate, checkAdamOptions } from "./adam.ts";

const DEFAULTS: AdamOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 1e-2,
  amsgrad: false,
  maximize: false,
};

/**
 * AdamW, PyTorch's `torch.optim.AdamW`: each step first decays the parameter,
 * `p *= 1 - lr * weightDecay` (default weight decay 1e-2), then applies Adam's update
 * without an L2 term in the gradient.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const w = tensor([2], { requiresGrad: true });
 * const opt = new optim.AdamW([w], { lr: 0.1, weightDecay: 0.5 });
 * w.sum().backward(); // gradient 1
 * opt.step(); // 2 * (1 - 0.05) - 0.1
 * console.log(+w.item().toFixed(5)); // 1.8
 * ```
 */
export class AdamW extends Optimizer<AdamOptions> {
  /**
   * @param params tensors, or parameter groups `{ params, ...options }`
   * @param options the defaults for every group, or just the learning rate
   */
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> | number = {}) {
    super(params, resolveOptions("AdamW", DEFAULTS, options));
  }

  protected override checkOptions(o: AdamOptions, call: string): void {
    checkAdamOptions(o, call);
  }

  protected override updateGroup(group: ParamGroup<AdamOptions>): void {
    for (const p of group.params) {
      if (p._grad === null) continue;
      p.mul_(1 - group.lr * group.weightDecay);
      adamUpdate(this.state, p, p._grad, group, 0);
    }
  }
}
