/**
 * Adagrad, with learning-rate decay and an initial accumulator value.
 *
 * @module
 */

import type { Tensor } from "../tensor/tensor.ts";
import { keep } from "../tensor/scope.ts";
import { full } from "../tensor/create.ts";
import { Optimizer, type ParamGroup, type ParamGroupSpec, type Params, resolveOptions } from "./optimizer.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { effectiveGrad } from "./inplace.ts";

/** Options of `Adagrad`. */
export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Learning-rate decay: step t uses `lr / (1 + (t - 1) * lrDecay)` (default 0). */
  lrDecay: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** The starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue: number;
  /** Added to the denominator for stability (default 1e-10). */
  eps: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

const DEFAULTS: AdagradOptions = {
  lr: 1e-2,
  lrDecay: 0,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  eps: 1e-10,
  maximize: false,
};

/**
 * Adagrad, PyTorch's `torch.optim.Adagrad`: `s += g²`, then
 * `p -= lr / (1 + (t - 1) * lrDecay) * g / (sqrt(s) + eps)`. As in PyTorch the state (`sum`
 * filled with `initialAccumulatorValue`, `step` = 0) exists from construction on, and `sum`
 * starts from the constructor's `initialAccumulatorValue` even in a group that sets its own.
 *
 * @example
 * ```ts
 * import { optim, tensor } from "../../mod.ts";
 * const w = tensor([1], { requiresGrad: true });
 * const opt = new optim.Adagrad([w], { lr: 0.5 });
 * w.sum().mul(2).backward(); // gradient 2: s = 4, step = 0.5 * 2 / 2
 * opt.step();
 * console.log(+w.item().toFixed(5)); // 0.5
 * ```
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  /**
   * @param params tensors, or parameter groups `{ params, ...options }`
   * @param options the defaults for every group, or just the learning rate
   */
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> | number = {}) {
    super(params, resolveOptions("Adagrad", DEFAULTS, options));
  }

  protected override checkOptions(o: AdagradOptions, call: string): void {
    if (!(o.lr >= 0)) throw new RangeError(`${call}: Invalid learning rate: ${o.lr}`);
    if (!(o.lrDecay >= 0)) throw new RangeError(`${call}: Invalid lr_decay value: ${o.lrDecay}`);
    if (!(o.weightDecay >= 0)) throw new RangeError(`${call}: Invalid weight_decay value: ${o.weightDecay}`);
    if (!(o.initialAccumulatorValue >= 0)) {
      throw new RangeError(
        `${call}: Invalid initial_accumulator_value value: ${o.initialAccumulatorValue}`,
      );
    }
    if (!(o.eps >= 0)) throw new RangeError(`${call}: Invalid epsilon value: ${o.eps}`);
  }

  /**
   * Adds a parameter group and creates its parameters' state. As in PyTorch, `sum` starts from
   * the constructor's `initialAccumulatorValue`; a group's own value is not used for it.
   */
  override addParamGroup(group: ParamGroupSpec<AdagradOptions>): void {
    super.addParamGroup(group);
    for (const p of this.paramGroups[this.paramGroups.length - 1].params) this.initState(p);
  }

  private initState(p: Tensor): void {
    if (this.state.has(p)) return;
    const sum = keep(full(p.shape, this.defaults.initialAccumulatorValue, { dtype: p.dtype }));
    this.state.set(p, { step: 0, sum });
  }

  protected override updateGroup(group: ParamGroup<AdagradOptions>): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    for (const p of group.params) {
      const grad = p._grad;
      if (grad === null) continue;
      if (this.state.get(p)?.sum === undefined) {
        this.state.delete(p);
        this.initState(p);
      }
      const st = this.state.get(p)!;
      const step = (st.step as number) + 1;
      st.step = step;
      const sum = st.sum as Tensor;
      const [g, owned] = effectiveGrad(p, grad, weightDecay, maximize);
      const clr = lr / (1 + (step - 1) * lrDecay);
      sum.addcmul_(g, g, 1);
      const std = E.sqrt(sum).add_(eps);
      p.addcdiv_(g, std, -clr);
      std.dispose();
      if (owned) g.dispose();
    }
  }
}
