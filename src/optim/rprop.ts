/**
 * Rprop: resilient backpropagation, steps by the gradient's sign with adaptive step sizes.
 *
 * @module
 */

import type { Tensor } from "../tensor/tensor.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { fullLike } from "../tensor/ops/convert.ts";
import { keep } from "../tensor/scope.ts";
import { Optimizer, type ParamGroup, type Params, resolveOptions } from "./optimizer.ts";
import { stateOf, zerosState } from "./inplace.ts";

/** Options of `Rprop`. */
export interface RpropOptions {
  /** Learning rate: every element's initial step size (default 1e-2). */
  lr: number;
  /** Multiplicative decrease and increase factors `[η-, η+]`, `0 < η- < 1 < η+` (default [0.5, 1.2]). */
  etas: [number, number];
  /** Minimal and maximal step sizes (default [1e-6, 50]). */
  stepSizes: [number, number];
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

const DEFAULTS: RpropOptions = { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false };

/**
 * Rprop, PyTorch's `torch.optim.Rprop`: every element keeps its own step size `s` (starting at
 * `lr`) and its previous gradient. Where the gradient kept its sign `s *= η+`, where it flipped
 * `s *= η-` and the gradient is taken as 0 for this step (and stored so), otherwise `s` stays;
 * `s` is clamped to `stepSizes`, then `p -= sign(g) * s`.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const w = tensor([1, -1], { requiresGrad: true });
 * const opt = new optim.Rprop([w], { lr: 0.1 });
 * for (let i = 0; i < 2; i++) {
 *   opt.zeroGrad();
 *   w.mul(w).sum().backward();
 *   opt.step(); // steps 0.1, then 0.1 * 1.2
 * }
 * console.log(Array.from(w.toArray() as Float32Array, (x) => +x.toFixed(4))); // [0.78, -0.78]
 * ```
 */
export class Rprop extends Optimizer<RpropOptions> {
  /**
   * @param params tensors, or parameter groups `{ params, ...options }`
   * @param options the defaults for every group, or just the learning rate
   */
  constructor(params: Params<RpropOptions>, options: Partial<RpropOptions> | number = {}) {
    super(params, resolveOptions("Rprop", DEFAULTS, options));
  }

  protected override checkOptions(o: RpropOptions, call: string): void {
    if (!(o.lr >= 0)) throw new RangeError(`${call}: Invalid learning rate: ${o.lr}`);
    const [etaMinus, etaPlus] = o.etas;
    if (!(0 < etaMinus && etaMinus < 1 && 1 < etaPlus)) {
      throw new RangeError(`${call}: Invalid eta values: ${etaMinus}, ${etaPlus}`);
    }
  }

  protected override updateGroup(group: ParamGroup<RpropOptions>): void {
    const { lr, etas: [etaMinus, etaPlus], stepSizes: [minStep, maxStep], maximize } = group;
    for (const p of group.params) {
      const grad = p._grad;
      if (grad === null) continue;
      const st = stateOf(this.state, p, "prev", () => ({
        step: 0,
        prev: zerosState(p),
        step_size: keep(fullLike(p, lr)),
      }));
      st.step = (st.step as number) + 1;
      const prev = st.prev as Tensor, stepSize = st.step_size as Tensor;
      const g = maximize ? E.neg(grad) : grad;
      // The factor: η+ where g * prev > 0, η- where < 0, 1 where 0 (NaN stays NaN, as in PyTorch).
      const prod = E.mul(g, prev);
      const sign = prod.sign();
      const up = prod.gt(0), down = prod.lt(0), same = prod.eq(0);
      // (where over filled tensors: where with a number operand, and so maskedFill_, leave
      // two temporaries behind)
      const plus = fullLike(prod, etaPlus), minus = fullLike(prod, etaMinus), one = fullLike(prod, 1);
      const f1 = E.where(up, plus, sign), f2 = E.where(down, minus, f1), factor = E.where(same, one, f2);
      stepSize.mul_(factor).clamp_(minStep, maxStep);
      // Where the sign flipped, this step does not move and the next one starts afresh.
      const zero = zerosState(p);
      const kept = E.where(down, zero, g);
      const dir = kept.sign();
      p.addcmul_(dir, stepSize, -1);
      prev.copy_(kept);
      for (const t of [prod, sign, up, down, same, plus, minus, one, f1, f2, factor, zero, kept, dir]) t.dispose();
      if (maximize) g.dispose();
    }
  }
}
