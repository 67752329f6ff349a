/**
 * Flattening a model's parameters into one vector and back: PyTorch's
 * `torch.nn.utils.parameters_to_vector` and `vector_to_parameters`.
 *
 * @module
 */

import { cat, isTensor, type Tensor } from "../../tensor/mod.ts";
import { narrow, view } from "../../tensor/ops/view.ts";
import { describe, fmt } from "../../tensor/shape.ts";

function paramList(params: Tensor | Iterable<Tensor>, call: string): Tensor[] {
  let list: unknown[];
  if (isTensor(params)) list = [params];
  else if (params !== null && typeof params === "object" && Symbol.iterator in params) {
    list = [...(params as Iterable<unknown>)];
  } else {
    throw new TypeError(`${call}: expected a Tensor or an iterable of tensors, got ${describe(params)}`);
  }
  let device: string | null = null;
  list.forEach((p, i) => {
    if (!isTensor(p)) throw new TypeError(`${call}: expected parameters[${i}] to be a Tensor, got ${describe(p)}`);
    p._live(call);
    if (device === null) device = p.device;
    else if (p.device !== device) {
      throw new TypeError(
        `${call}: Found two parameters on different devices, this is currently not supported (${device} and ${p.device})`,
      );
    }
  });
  return list as Tensor[];
}

/**
 * Flattens `params` into one 1-d tensor, in order (each parameter viewed as 1-d, then
 * concatenated, with PyTorch's type promotion across dtypes). Differentiable: a gradient of the
 * vector flows back to the parameters. Every parameter must be contiguous (it is viewed, as in
 * PyTorch) and all must be on one device.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../../mod.ts";
 * const lin = new nn.Linear(2, 1);
 * nn.init.ones_(lin.weight);
 * nn.init.zeros_(lin.bias!);
 * console.log(nn.utils.parametersToVector(lin.parameters()).tolist()); // [1, 1, 0]
 * ```
 */
export function parametersToVector(params: Tensor | Iterable<Tensor>): Tensor {
  const call = "parametersToVector";
  const list = paramList(params, call);
  if (list.length === 0) throw new RangeError(`${call}: expected a non-empty list of parameters, got none`);
  return cat(list.map((p) => flat(p, call)));
}

function flat(p: Tensor, call: string): Tensor {
  if (!p.isContiguous()) {
    throw new RangeError(
      `${call}: view size is not compatible with input tensor's size and stride (a parameter of shape ${
        fmt(p.shape)
      } is not contiguous)`,
    );
  }
  return view(p, [-1]);
}

/**
 * Makes the parameters use consecutive slices of the 1-d `vec` as their data, in order (each
 * slice viewed with the parameter's shape), like PyTorch's `param.data = vec[...]`: no copy, so
 * the parameters then share `vec`'s memory and take its dtype; nothing is recorded for autograd.
 * `vec` must hold at least as many elements as the parameters together (extra ones are unused).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../../mod.ts";
 * const lin = new nn.Linear(2, 1);
 * nn.utils.vectorToParameters(tensor([1, 2, 3]), lin.parameters());
 * console.log(lin.weight.tolist(), lin.bias!.tolist()); // [[1, 2]] [3]
 * ```
 */
export function vectorToParameters(vec: Tensor, params: Tensor | Iterable<Tensor>): void {
  const call = "vectorToParameters";
  if (!isTensor(vec)) throw new TypeError(`${call}: expected vec to be a Tensor, got ${describe(vec)}`);
  vec._live(call);
  const list = paramList(params, call);
  if (vec.ndim !== 1) throw new RangeError(`${call}: expected vec to be 1-d, got shape ${fmt(vec.shape)}`);
  const total = list.reduce((s, p) => s + p.numel(), 0);
  if (vec.shape[0] < total) {
    throw new RangeError(
      `${call}: expected vec with at least ${total} elements (the parameters' total), got shape ${fmt(vec.shape)}`,
    );
  }
  if (!vec.isFloatingPoint() && list.some((p) => p.requiresGrad)) {
    throw new TypeError(`${call}: parameters that require grad need a floating point vec, got ${vec.dtype}`);
  }
  const detached = vec.detach();
  let pointer = 0;
  for (const p of list) {
    const n = p.numel();
    p.data = view(narrow(detached, 0, pointer, n), [...p.shape]);
    pointer += n;
  }
}
