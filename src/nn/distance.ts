/**
 * Distance functions: `PairwiseDistance` and `CosineSimilarity` with their twins
 * `pairwiseDistance` and `cosineSimilarity`, and `pdist`. Compositions of differentiable tensor ops (the
 * p-norm runs natively).
 *
 * @module
 */

import { type Tensor, tensor } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { record, recordTwice } from "../autograd/node.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { norm, sum } from "../tensor/ops/reduce.ts";
import { expand } from "../tensor/ops/view.ts";
import { indexSelect } from "../tensor/ops/indexing.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { broadcastShapes, normDim } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import { type ArgSpec, parseArgs } from "./positional.ts";

/** Options of `PairwiseDistance` / `pairwiseDistance`. */
export interface PairwiseDistanceOptions {
  /** The norm degree (default 2; Infinity allowed). */
  p?: number;
  /** Added to the difference (default 1e-6). */
  eps?: number;
  /** Keep the reduced last dim as size 1 (default false). */
  keepdim?: boolean;
}

/** Options of `CosineSimilarity` / `cosineSimilarity`. */
export interface CosineSimilarityOptions {
  /** The dim to reduce (default 1). */
  dim?: number;
  /** The lower bound of each norm (default 1e-8). */
  eps?: number;
}

const PD_SPECS: ArgSpec[] = [
  { name: "p", kind: "number", default: 2 },
  { name: "eps", kind: "number", default: 1e-6 },
  { name: "keepdim", kind: "boolean", default: false },
];

/** @internal `pairwiseDistance` with errors naming `call` (the triplet losses use it). */
export function pairwise(call: string, x1: Tensor, x2: Tensor, p: number, eps: number, keepdim: boolean): Tensor {
  checkTensor(x1, call, "x1");
  checkTensor(x2, call, "x2");
  broadcastShapes(x1.shape, x2.shape, call);
  // PyTorch adds eps to the difference: ||x1 - x2 + eps||_p over the last dim
  const innermost = Math.max(x1.ndim, x2.ndim) - 1;
  const d = E.add(E.sub(x1, x2), eps);
  return norm(d, p, innermost < 0 ? undefined : innermost, keepdim);
}

/**
 * The p-norm of `x1 - x2 + eps` over the last dim (eps is added to the difference, as in
 * PyTorch). `F.pairwiseDistance(a, b)`, `F.pairwiseDistance(a, b, 1)` or `{ p, eps, keepdim }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const d = nn.functional.pairwiseDistance(tensor([[3, 0]]), tensor([[0, 4]]), { eps: 0 });
 * console.log(d.tolist()); // [5]
 * ```
 */
export function pairwiseDistance(
  x1: Tensor,
  x2: Tensor,
  p?: number | PairwiseDistanceOptions,
  eps?: number,
  keepdim?: boolean,
): Tensor {
  const a = parseArgs("pairwiseDistance", [p, eps, keepdim], PD_SPECS);
  return pairwise("pairwiseDistance", x1, x2, a.p as number, a.eps as number, a.keepdim as boolean);
}

/**
 * Batched p-norm distance between rows: `new nn.PairwiseDistance()`,
 * `new nn.PairwiseDistance(1, 1e-6, true)` or `{ p, eps, keepdim }`; forward(x1, x2).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const pdist = new nn.PairwiseDistance({ p: 1, eps: 0, keepdim: true });
 * console.log(pdist.forward(tensor([[1, 2]]), tensor([[0, 0]])).tolist()); // [[3]]
 * ```
 */
export class PairwiseDistance extends Module {
  /** The norm degree (default 2). */
  norm: number;
  /** Added to the difference (default 1e-6). */
  eps: number;
  /** Keep the reduced dim (default false). */
  keepdim: boolean;
  /** `p`, `eps` and `keepdim`, positionally or in the options object. */
  constructor(p?: number | PairwiseDistanceOptions, eps?: number, keepdim?: boolean) {
    super();
    const a = parseArgs("PairwiseDistance", [p, eps, keepdim], PD_SPECS);
    this.norm = a.p as number;
    this.eps = a.eps as number;
    this.keepdim = a.keepdim as boolean;
  }
  /** The distance between the rows of `x1` and `x2` (broadcast), over the last dim. */
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return pairwise("PairwiseDistance.forward", x1, x2, this.norm, this.eps, this.keepdim);
  }
}

const CS_SPECS: ArgSpec[] = [
  { name: "dim", kind: "int", default: 1 },
  { name: "eps", kind: "number", default: 1e-8 },
];

/**
 * Cosine similarity along `dim` (default 1): `sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps))`
 * with `eps` default 1e-8 (PyTorch's formula; the inputs broadcast).
 * `F.cosineSimilarity(a, b)`, `F.cosineSimilarity(a, b, 0)` or `{ dim, eps }`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * console.log(nn.functional.cosineSimilarity(tensor([[1, 1]]), tensor([[2, 2]])).tolist()); // [0.9999999403953552]
 * ```
 */
export function cosineSimilarity(
  x1: Tensor,
  x2: Tensor,
  dim?: number | CosineSimilarityOptions,
  eps?: number,
): Tensor {
  const call = "cosineSimilarity";
  const a = parseArgs(call, [dim, eps], CS_SPECS);
  return cosine(call, x1, x2, a.dim as number, a.eps as number);
}

function cosine(call: string, x1: Tensor, x2: Tensor, dim: number, lo: number): Tensor {
  checkTensor(x1, call, "x1");
  checkTensor(x2, call, "x2");
  if (!x1.isFloatingPoint() && !x2.isFloatingPoint()) {
    throw new TypeError(
      `${call}: expected common dtype to be floating point, got dtypes ${x1.dtype} and ${x2.dtype}`,
    );
  }
  const shape = broadcastShapes(x1.shape, x2.shape, call);
  const d = normDim(dim, shape.length, call);
  const b1 = expand(x1, shape), b2 = expand(x2, shape);
  // PyTorch 1.13: the squared norms are clamped below at eps^2 in place under no_grad, then
  // square-rooted; so the clamp passes gradient unchanged and sqrt's backward sees the clamped value.
  const clampedNorm = (x: Tensor) => {
    const sq = sum(E.mul(x, x), d, true);
    return E.sqrt(recordTwice("ClampMinBackward", noGrad(() => E.clamp(sq, lo * lo)), [sq], (g) => [g]));
  };
  return sum(E.mul(E.div(b1, clampedNorm(b1)), E.div(b2, clampedNorm(b2))), d);
}

/**
 * Cosine similarity along `dim` as a module: `new nn.CosineSimilarity()`,
 * `new nn.CosineSimilarity(0, 1e-6)` or `{ dim, eps }`; forward(x1, x2) (broadcast).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const cos = new nn.CosineSimilarity({ dim: 0 });
 * console.log(cos.forward(tensor([1, 0]), tensor([0, 2])).item()); // 0
 * ```
 */
export class CosineSimilarity extends Module {
  /** The dim reduced (default 1). */
  dim: number;
  /** The lower bound of each norm (default 1e-8). */
  eps: number;
  /** `dim` and `eps`, positionally or in the options object. */
  constructor(dim?: number | CosineSimilarityOptions, eps?: number) {
    super();
    const a = parseArgs("CosineSimilarity", [dim, eps], CS_SPECS);
    this.dim = a.dim as number;
    this.eps = a.eps as number;
  }
  /** The cosine similarity of `x1` and `x2` along `dim`. */
  override forward(x1: Tensor, x2: Tensor): Tensor {
    return cosine("CosineSimilarity.forward", x1, x2, this.dim, this.eps);
  }
}

/**
 * The p-norm distances between the rows of a 2-d `input` `(N, M)`, condensed as PyTorch's
 * `F.pdist`: the `N * (N - 1) / 2` distances `||input[i] - input[j]||_p` for `i < j` in row-major
 * order. `p` (default 2) may be 0 (the count of differing entries), any positive number, or
 * Infinity. The gradient is PyTorch's: zero for a pair at distance zero (p > 1, p < 1 with zero
 * differences), `sign(diff)` for p = 1, every tied maximum entry for p = Infinity, zero for p = 0.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const x = tensor([[0, 0], [3, 4], [6, 8]]);
 * console.log(nn.functional.pdist(x).tolist()); // [5, 10, 5]
 * console.log(nn.functional.pdist(x, 1).tolist()); // [7, 14, 7]
 * ```
 */
export function pdist(input: Tensor, p: number | { p?: number } = 2): Tensor {
  const call = "pdist";
  const a = parseArgs(call, [p], [{ name: "p", kind: "number", default: 2 }]);
  const pp = a.p as number;
  checkTensor(input, call, "input");
  if (input.ndim !== 2) {
    throw new RangeError(`${call}: pdist only supports 2D tensors, got: ${input.ndim}D`);
  }
  if (!input.isFloatingPoint()) {
    throw new TypeError(`${call}: pdist only supports floating-point dtypes, got ${input.dtype}`);
  }
  if (!(pp >= 0)) throw new RangeError(`${call}: pdist only supports non-negative p values, got ${pp}`);
  const n = input.shape[0];
  const count = n < 2 ? 0 : (n * (n - 1)) / 2;
  if (count * Math.max(input.shape[1], 1) > 0x7fffffff) {
    throw new RangeError(
      `${call}: ${count} pairs of ${input.shape[1]} features exceed the 2^31-1 elements supported (input shape [${
        input.shape.join(", ")
      }])`,
    );
  }
  const ii = new BigInt64Array(count), jj = new BigInt64Array(count);
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, k++) {
      ii[k] = BigInt(i);
      jj[k] = BigInt(j);
    }
  }
  const diff = E.sub(indexSelect(input, 0, tensor(ii)), indexSelect(input, 0, tensor(jj)));
  return pnormRows(diff, pp);
}

/** The p-norm of each row of `diff` `(K, M)`, with the backward of PyTorch's `_pdist_backward`. */
function pnormRows(diff: Tensor, p: number): Tensor {
  const d = noGrad(() => norm(diff, p, 1));
  // first derivatives only, as PyTorch (its _pdist_backward has no derivative)
  return record("PdistBackward", d, [diff], (g) => {
    const ge = expand(g.unsqueeze(1), diff.shape);
    const de = d.unsqueeze(1);
    if (p === 0) return [E.mul(diff, 0)];
    if (p === 1) return [E.mul(ge, E.sign(diff))];
    if (p === Infinity) return [E.where(E.abs(diff).eq(de), E.mul(ge, E.sign(diff)), 0)];
    const atZero = de.eq(0);
    if (p === 2) return [E.where(atZero, 0, E.div(E.mul(ge, diff), de))];
    if (p < 2) {
      const r = E.div(E.mul(E.mul(E.sign(diff), E.pow(E.abs(diff), p - 1)), ge), E.pow(de, p - 1));
      const zero = p < 1 ? E.logical("or", atZero, diff.eq(0)) : atZero;
      return [E.where(zero, 0, r)];
    }
    const r = E.div(E.mul(E.mul(diff, E.pow(E.abs(diff), p - 2)), ge), E.pow(de, p - 1));
    return [E.where(atZero, 0, r)];
  }, [diff, d]);
}
