/**
 * Parameter: a Tensor that registers itself when assigned to a Module field.
 *
 * @module
 */

import { keep, Tensor } from "../tensor/mod.ts";
import { describe } from "../tensor/shape.ts";

/**
 * A Tensor that a Module registers as a parameter when it is assigned to one of its fields.
 * It shares storage with the tensor it wraps and requires grad by default (the seed's
 * Variable-vs-Parameter rule: plain Tensors assigned to fields are not registered).
 *
 * @example
 * ```ts
 * import { nn, zeros } from "../../mod.ts";
 * const p = new nn.Parameter(zeros([3]));
 * console.log(p.requiresGrad, p instanceof nn.Parameter); // true true
 * ```
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!data || !(data as { _isTensor?: boolean })._isTensor) {
      throw new TypeError(`Parameter: expected a Tensor, got ${describe(data)}`);
    }
    data._live("Parameter");
    super(data._storage, data.shape, data.strides, data._offset, data.dtype);
    if (requiresGrad) this.requiresGrad_(true);
    keep(this);
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
