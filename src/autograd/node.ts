/**
 * Graph nodes. Every differentiable op calls `record` right after its forward with a
 * backward closure beside it: the closure maps the output's gradient to one gradient per
 * input (null where an input gets none).
 *
 * @module
 */

import { isGradEnabled } from "./grad_mode.ts";
import type { Tensor } from "../tensor/tensor.ts";

/** A gradient hook: may return a replacement gradient. */
export type GradHook = (grad: Tensor) => Tensor | void | undefined;

/** The backward of one op: output gradient in, one gradient per input out. */
export type BackwardFn = (grad: Tensor) => readonly (Tensor | null | undefined)[];

/**
 * One recorded op: its inputs, the tensors its backward needs, and the backward itself.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * const x = tensor([1, 2], { requiresGrad: true });
 * const y = x.mul(x).sum();
 * console.log(y.gradFn?.name, y.gradFn?.inputs.length); // SumBackward 1
 * ```
 */
export class Node {
  /** The op's name, e.g. "MulBackward". */
  readonly name: string;
  /** The op's tensor inputs, in the order its backward returns gradients. */
  readonly inputs: readonly Tensor[];
  /** Tensors whose values the backward closure reads (inputs or intermediates). */
  saved: readonly Tensor[];
  /** The backward closure; null once the graph was freed by a backward without retainGraph. */
  backward: BackwardFn | null;
  /** Hooks of the op's output tensor, run on its gradient before this node's backward. */
  hooks: GradHook[] | null = null;
  /** Storage versions of the saved tensors when the op ran. */
  readonly versions: number[];
  /**
   * Each input's gradFn when the op ran (null for leaves). The edges of the graph: an in-place
   * op later gives the input tensor a new gradFn, but this node's gradient must still flow into
   * the history the input had when it was used.
   */
  readonly inputFns: (Node | null)[];
  /** Whether each input required grad when the op ran. */
  readonly inputNeeds: boolean[];
  /**
   * Whether the backward closure is built from differentiable ops, so that a backward with
   * `createGraph` can record it and differentiate the gradient again. False for the native
   * backward kernels: with `createGraph` the engine then runs the closure without recording
   * and gives its gradients a node that throws when a second backward reaches it.
   */
  readonly twice: boolean;

  /** A node for op `name`; `record()` makes them, user code only reads them (`t.gradFn`). */
  constructor(
    name: string,
    inputs: readonly Tensor[],
    backward: BackwardFn,
    saved: readonly Tensor[],
    twice = false,
  ) {
    this.name = name;
    this.twice = twice;
    this.inputs = inputs;
    this.inputFns = inputs.map((t) => t.gradFn);
    this.inputNeeds = inputs.map((t) => t.requiresGrad);
    this.backward = backward;
    this.saved = saved;
    this.versions = [];
    for (const t of saved) this.versions.push(t._version());
  }
}

/**
 * True when an op on these inputs records a node: grad mode is on and one of them requires
 * grad. Hot ops test this first, so they build no closure or input array when nothing records.
 */
export function needsGrad(a: Tensor, b?: Tensor | null): boolean {
  return isGradEnabled() && (a._requiresGrad || (b != null && b._requiresGrad));
}

/**
 * Attaches a gradient function to `out` when grad mode is on and some input requires grad.
 * Returns `out`. `twice` marks a backward composed of differentiable ops (see `Node.twice`);
 * leave it false when the closure calls a native backward kernel or writes raw buffers.
 */
export function record(
  name: string,
  out: Tensor,
  inputs: readonly Tensor[],
  backward: BackwardFn,
  saved: readonly Tensor[] = [],
  twice = false,
): Tensor {
  if (!isGradEnabled()) return out;
  let needs = false;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].requiresGrad) {
      needs = true;
      break;
    }
  }
  if (!needs) return out;
  out._setGradFn(new Node(name, inputs, backward, saved, twice));
  return out;
}

/**
 * `record` for an op whose backward closure is built from differentiable ops only (no
 * native backward kernel, no raw buffer writes): a backward with `createGraph` records it,
 * so the gradient can be differentiated again. See `Node.twice` for the other ops.
 */
export function recordTwice(
  name: string,
  out: Tensor,
  inputs: readonly Tensor[],
  backward: BackwardFn,
  saved: readonly Tensor[] = [],
): Tensor {
  return record(name, out, inputs, backward, saved, true);
}
