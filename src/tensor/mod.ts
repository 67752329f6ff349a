/**
 * The tensor layer: the Tensor class, factories, functional ops and memory helpers.
 *
 * @module
 */

export { type Device, isTensor, type NestedArray, type RemovableHandle, type Scalar, Tensor } from "./tensor.ts";
export {
  arange,
  emptyTensor as empty,
  eye,
  type FromDataOptions,
  full,
  linspace,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  tensor,
  type TensorOptions,
  Variable,
  zeros,
  zerosLike,
} from "./create.ts";
export { manualSeed } from "./random.ts";
export { keep, tidy } from "./scope.ts";
export { cat, stack } from "./ops/view.ts";
export { type Operand, where } from "./ops/elementwise.ts";
export { addmm } from "./ops/linalg.ts";
export { bmm, dot, matmul, maximum, minimum, mm, pow } from "./functional.ts";
export { getNumThreads, memory, type MemoryInfo, setNumThreads } from "./runtime.ts";
export type { BackwardOptions } from "../autograd/engine.ts";
export type { BackwardFn, GradHook, Node } from "../autograd/node.ts";
export type { DType, TypedArray } from "../backend/dtype.ts";
