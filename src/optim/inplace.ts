/**
 * Helpers shared by the optimizers (internal; not exported from mod.ts).
 *
 * The updates themselves are written with the Tensor in-place ops, in PyTorch 1.13's order
 * (`exp_avg.mul_(beta1).add_(grad, 1 - beta1)`, `param.addcdiv_(exp_avg, denom, -step_size)`):
 * the optimizers run under `noGrad`, where `add_` with alpha, `addcmul_` and `addcdiv_` are one
 * native pass writing straight into their target, so an update needs no temporaries beyond
 * the ones PyTorch's own formula creates (which are disposed right away).
 *
 * @module
 */

import type { Tensor } from "../tensor/tensor.ts";
import type { ParamState } from "./optimizer.ts";
import { keep } from "../tensor/scope.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { clone } from "../tensor/ops/convert.ts";
import { zerosRaw } from "../tensor/ops/util.ts";

/** `a = max(a, b)` elementwise in place (NaN propagates, as `torch.maximum(a, b, out=a)`). */
export function maximumInPlace(a: Tensor, b: Tensor): void {
  E.inplace(a, "optimizer step", (x, out) => E.maximum(x, b, out));
}

/** A zero-filled state buffer shaped like `p`, kept out of `tidy` scopes. */
export function zerosState(p: Tensor): Tensor {
  return keep(zerosRaw(p.shape, p.dtype));
}

/**
 * `p`'s state in `state`, made by `init` on its first step (or when a loaded state lacks `key`,
 * the buffer that marks it as initialized).
 */
export function stateOf(
  state: Map<Tensor, ParamState>,
  p: Tensor,
  key: string,
  init: () => ParamState,
): ParamState {
  let st = state.get(p);
  if (st === undefined || st[key] === undefined) {
    st = init();
    state.set(p, st);
  }
  return st;
}

/** A detached copy of `t` kept out of `tidy` scopes. */
export function cloneState(t: Tensor): Tensor {
  return keep(clone(t));
}

/**
 * The gradient an update uses: `grad`, negated for `maximize`, plus `weightDecay * param`.
 * Returns the tensor and whether it is a temporary the caller owns (and must dispose).
 */
export function effectiveGrad(
  p: Tensor,
  grad: Tensor,
  weightDecay: number,
  maximize: boolean,
): [Tensor, boolean] {
  let g = grad;
  let owned = false;
  if (maximize) {
    g = E.neg(grad);
    owned = true;
  }
  if (weightDecay !== 0) {
    if (owned) g.add_(p, weightDecay);
    else {
      g = grad.add(p, weightDecay);
      owned = true;
    }
  }
  return [g, owned];
}
