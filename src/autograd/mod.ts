/**
 * The public autograd API: `backward`, `grad`, and grad-mode switches.
 *
 * @module
 */

import { runBackward } from "./engine.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { fullLike } from "../tensor/ops/convert.ts";
import { describe } from "../tensor/shape.ts";

export { enableGrad, isGradEnabled, noGrad } from "./grad_mode.ts";
export { Node } from "./node.ts";

function asList(x: Tensor | readonly Tensor[], call: string, name: string): Tensor[] {
  const list = Array.isArray(x) ? [...x] : [x as Tensor];
  list.forEach((t, i) => {
    if (!t || !(t as { _isTensor?: boolean })._isTensor) {
      throw new TypeError(`${call}: expected ${name}[${i}] to be a Tensor, got ${describe(t)}`);
    }
    t._live(call);
  });
  return list;
}

function defaultGrads(
  outs: Tensor[],
  grads: readonly (Tensor | null | undefined)[] | undefined,
  call: string,
): Tensor[] {
  return outs.map((o, i) => {
    const g = grads?.[i];
    if (g) return g;
    if (o.numel() !== 1) {
      throw new RangeError(`${call}: grad can be implicitly created only for scalar outputs, got shape [${o.shape}]`);
    }
    return fullLike(o, 1);
  });
}

/**
 * Accumulates gradients of `tensors` into the leaves' `.grad`, seeding each with the
 * matching entry of `gradTensors` (1 for one-element outputs when omitted). With
 * `{ createGraph: true }` the backward pass is recorded and `.grad` requires grad.
 *
 * @example
 * ```ts
 * import { autograd, tensor } from "../../mod.ts";
 * const x = tensor([1, 2], { requiresGrad: true });
 * const y = x.mul(3);
 * autograd.backward([y], [tensor([1, 1])]);
 * console.log(x.grad!.tolist()); // [3, 3]
 * ```
 */
export function backward(
  tensors: Tensor | readonly Tensor[],
  gradTensors?: Tensor | readonly (Tensor | null)[] | null,
  opts: { retainGraph?: boolean; createGraph?: boolean } = {},
): void {
  const outs = asList(tensors, "autograd.backward", "tensors");
  const gl = gradTensors == null ? undefined : Array.isArray(gradTensors) ? gradTensors : [gradTensors as Tensor];
  for (const o of outs) {
    if (!o.requiresGrad) {
      throw new Error("autograd.backward: element 0 of tensors does not require grad and does not have a gradFn");
    }
  }
  runBackward(outs, defaultGrads(outs, gl, "autograd.backward"), opts);
}

/**
 * Returns the gradients of `outputs` with respect to `inputs` without touching `.grad`.
 * With `{ createGraph: true }` the gradients keep a graph and can be differentiated again
 * (`retainGraph` then defaults to true), as with PyTorch's `create_graph=True`.
 *
 * @example
 * ```ts
 * import { autograd, tensor } from "../../mod.ts";
 * const x = tensor([2], { requiresGrad: true });
 * const [gx] = autograd.grad(x.mul(x).sum(), [x]);
 * console.log(gx!.item()); // 4
 *
 * // Second derivative of x³ at 2: d/dx (3x²) = 6x = 12.
 * const [g1] = autograd.grad(x.pow(3).sum(), [x], null, { createGraph: true });
 * const [g2] = autograd.grad(g1!.sum(), [x]);
 * console.log(g1!.item(), g2!.item()); // 12 12
 * ```
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  gradOutputs?: Tensor | readonly (Tensor | null)[] | null,
  opts: { retainGraph?: boolean; createGraph?: boolean; allowUnused?: boolean } = {},
): (Tensor | null)[] {
  const outs = asList(outputs, "autograd.grad", "outputs");
  const ins = asList(inputs, "autograd.grad", "inputs");
  for (const t of ins) {
    if (!t.requiresGrad) throw new Error("autograd.grad: one of the differentiated tensors does not require grad");
  }
  const gl = gradOutputs == null ? undefined : Array.isArray(gradOutputs) ? gradOutputs : [gradOutputs as Tensor];
  const res = runBackward(outs, defaultGrads(outs, gl, "autograd.grad"), opts, ins)!;
  if (!opts.allowUnused && res.some((g) => g === null)) {
    throw new Error(
      "autograd.grad: one of the differentiated tensors appears to not have been used in the graph; pass { allowUnused: true }",
    );
  }
  return res;
}
