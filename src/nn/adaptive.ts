/**
 * `AdaptiveLogSoftmaxWithLoss`: PyTorch 1.13's efficient softmax approximation (Grave et al.)
 * for large output spaces. A head (a Linear over the shortlist plus one logit per cluster)
 * and one two-Linear projection per tail cluster, with PyTorch's submodule names
 * (`head`, `tail.0.0`, `tail.0.1`, ...) so state-dict keys match. Composed of tensor ops:
 * autograd gives every gradient.
 *
 * @module
 */

import { isTensor, type Tensor, tensor } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { mean } from "../tensor/ops/reduce.ts";
import { argExtreme } from "../tensor/ops/reduce.ts";
import { gather, indexAdd, indexSelect } from "../tensor/ops/indexing.ts";
import { cat, narrow, reshape, squeeze, unsqueeze } from "../tensor/ops/view.ts";
import { logSoftmax } from "../tensor/ops/softmax.ts";
import { zerosRaw } from "../tensor/ops/util.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import { ModuleList, Sequential } from "./container.ts";
import { checkFactory, checkSize, type FloatDType, Linear } from "./linear.ts";
import { type ArgSpec, parseArgs } from "./positional.ts";
import type { Device } from "../tensor/mod.ts";

/** Options of `nn.AdaptiveLogSoftmaxWithLoss`. */
export interface AdaptiveLogSoftmaxWithLossOptions {
  /** Each cluster's projection is `inFeatures / divValue^(i+1)` wide, floored (default 4). */
  divValue?: number;
  /** Give the head Linear a bias (default false). */
  headBias?: boolean;
  /** The parameters' dtype (default float32). */
  dtype?: FloatDType;
  /** The parameters' device (default "cpu"). */
  device?: Device;
}

/** What `AdaptiveLogSoftmaxWithLoss.forward` returns (PyTorch's `_ASMoutput`). */
export interface ASMOutput {
  /** The log-probability of each target, shape (N) (or () for an unbatched input). */
  output: Tensor;
  /** The mean negative log likelihood, a scalar. */
  loss: Tensor;
}

const SPECS: ArgSpec[] = [
  { name: "divValue", kind: "number", default: 4 },
  { name: "headBias", kind: "boolean", default: false },
  { name: "dtype", kind: "any", default: undefined, keywordOnly: true },
  { name: "device", kind: "any", default: undefined, keywordOnly: true },
];

/** Python's float floor division `a // b` for a >= 0, b > 0 (1 // 0.1 is 9, not floor(1 / 0.1) = 10). */
function pyFloorDiv(a: number, b: number): number {
  const mod = a % b; // C's fmod, exact
  const div = (a - mod) / b;
  if (div === 0) return 0;
  let fl = Math.floor(div);
  if (div - fl > 0.5) fl += 1;
  return fl;
}

/**
 * Adaptive softmax: the `cutoffs` (increasing integers in [1, nClasses - 1]) split the classes
 * into a shortlist `[0, cutoffs[0])`, predicted by the head, and tail clusters, each predicted
 * through a narrower projection and weighted by its head logit. `forward(input, target)`
 * returns `{ output, loss }` (each target's log-probability and their mean negative);
 * `logProb(input)` the full (N, nClasses) log-distribution, `predict(input)` its argmax.
 * Positional PyTorch arguments (divValue, headBias) are accepted too.
 *
 * @example
 * ```ts
 * import { nn, randn, tensor } from "../../mod.ts";
 * const asm = new nn.AdaptiveLogSoftmaxWithLoss(16, 100, [10, 50], { divValue: 2 });
 * console.log(Object.keys(asm.stateDict())); // ["head.weight", "tail.0.0.weight", "tail.0.1.weight", "tail.1.0.weight", "tail.1.1.weight"]
 * const { output, loss } = asm.forward(randn([4, 16]), tensor([1n, 20n, 70n, 99n]));
 * console.log(output.shape, loss.shape); // [4] []
 * console.log(asm.logProb(randn([4, 16])).shape); // [4, 100]
 * ```
 */
export class AdaptiveLogSoftmaxWithLoss extends Module {
  /** The size of each input sample. */
  inFeatures: number;
  /** The number of classes. */
  nClasses: number;
  /** The cutoffs with `nClasses` appended, as PyTorch stores them. */
  cutoffs: number[];
  /** The projection-width divisor. */
  divValue: number;
  /** Whether the head has a bias. */
  headBias: boolean;
  /** The number of classes the head predicts directly (`cutoffs[0]`). */
  shortlistSize: number;
  /** The number of tail clusters. */
  nClusters: number;
  /** The head's output size: the shortlist plus one logit per cluster. */
  headSize: number;
  /** The head Linear (inFeatures -> headSize). */
  declare head: Linear;
  /** One `Sequential(Linear(inFeatures, hsz), Linear(hsz, clusterSize))` per cluster, without biases. */
  declare tail: ModuleList;

  constructor(
    inFeatures: number,
    nClasses: number,
    cutoffs: readonly number[],
    divValue?: number | AdaptiveLogSoftmaxWithLossOptions,
    headBias?: boolean,
    opts?: AdaptiveLogSoftmaxWithLossOptions,
  ) {
    super();
    const call = "AdaptiveLogSoftmaxWithLoss";
    checkSize(inFeatures, call, "inFeatures");
    checkSize(nClasses, call, "nClasses");
    if (!Array.isArray(cutoffs) || cutoffs.length === 0 || cutoffs.some((c) => typeof c !== "number")) {
      throw new TypeError(`${call}: expected cutoffs to be a non-empty array of integers, got ${describe(cutoffs)}`);
    }
    const a = parseArgs(call, [divValue, headBias, opts], SPECS);
    const dtype = checkFactory({ dtype: a.dtype, device: a.device }, call);
    const cs = [...cutoffs];
    const sorted = [...cs].sort((x, y) => x - y);
    if (
      cs.some((c, i) => c !== sorted[i]) || sorted[0] <= 0 || sorted[sorted.length - 1] > nClasses - 1 ||
      new Set(cs).size !== cs.length || cs.some((c) => !Number.isInteger(c))
    ) {
      throw new RangeError(
        `${call}: cutoffs should be a sequence of unique, positive integers sorted in an increasing order, ` +
          `where each value is between 1 and n_classes-1 (${nClasses - 1}), got [${cs.join(", ")}]`,
      );
    }
    this.inFeatures = inFeatures;
    this.nClasses = nClasses;
    this.cutoffs = [...cs, nClasses];
    this.divValue = a.divValue as number;
    this.headBias = a.headBias as boolean;
    this.shortlistSize = this.cutoffs[0];
    this.nClusters = this.cutoffs.length - 1;
    this.headSize = this.shortlistSize + this.nClusters;
    const device = a.device as Device | undefined;
    this.head = new Linear(inFeatures, this.headSize, { bias: this.headBias, dtype, device });
    this.tail = new ModuleList();
    if (!(this.divValue > 0) || this.divValue === Infinity) {
      throw new RangeError(`${call}: expected divValue to be a positive finite number, got ${this.divValue}`);
    }
    for (let i = 0; i < this.nClusters; i++) {
      // Python's int(in_features // div_value ** (i + 1))
      const hsz = pyFloorDiv(inFeatures, this.divValue ** (i + 1));
      const osz = this.cutoffs[i + 1] - this.cutoffs[i];
      this.tail.append(
        new Sequential(
          new Linear(inFeatures, hsz, { bias: false, dtype, device }),
          new Linear(hsz, osz, { bias: false, dtype, device }),
        ),
      );
    }
  }

  /** Re-draws every parameter from Linear's default distribution (in place). */
  resetParameters(): void {
    this.head.resetParameters();
    for (const seq of this.tail) for (const l of seq.children()) (l as Linear).resetParameters();
  }

  private checkInput(call: string, input: unknown, ndim: number | null): Tensor {
    if (!isTensor(input)) throw new TypeError(`${call}: expected input to be a Tensor, got ${describe(input)}`);
    input._live(call);
    if (!input.isFloatingPoint()) {
      throw new TypeError(`${call}: expected a floating point input, got dtype ${input.dtype}`);
    }
    if (ndim !== null && input.ndim !== ndim) {
      throw new RangeError(`${call}: expected input of shape (N, ${this.inFeatures}), got shape ${fmt(input.shape)}`);
    }
    if (input.shape[input.ndim - 1] !== this.inFeatures) {
      throw new RangeError(
        `${call}: expected input with last dimension ${this.inFeatures} (in_features), got shape ${fmt(input.shape)}`,
      );
    }
    return input;
  }

  /**
   * The log-probability of each target (`output`, (N) or () for an unbatched input) and the
   * mean negative log likelihood (`loss`). `input` (N, inFeatures) with int64 `target` (N), or
   * (inFeatures) with a 0-d target.
   */
  override forward(input: Tensor, target: Tensor): ASMOutput {
    const call = "AdaptiveLogSoftmaxWithLoss.forward";
    if (!isTensor(target)) throw new TypeError(`${call}: expected target to be a Tensor, got ${describe(target)}`);
    target._live(call);
    if (!isTensor(input)) throw new TypeError(`${call}: expected input to be a Tensor, got ${describe(input)}`);
    if (target.ndim === 1) {
      if (input.ndim === 0 || input.shape[0] !== target.shape[0]) {
        throw new RangeError(
          `${call}: Input and target should have the same size in the batch dimension, got input shape ${
            fmt(input.shape)
          } and target shape ${fmt(target.shape)}`,
        );
      }
      if (input.ndim !== 2) {
        throw new RangeError(`${call}: 1D target tensor expects 2D input tensors, got input shape ${fmt(input.shape)}`);
      }
    } else if (target.ndim === 0) {
      if (input.ndim !== 1) {
        throw new RangeError(`${call}: 0D target tensor expects 1D input tensors, got input shape ${fmt(input.shape)}`);
      }
    } else {
      throw new RangeError(
        `${call}: 0D or 1D target tensor expected, multi-target not supported; got target shape ${fmt(target.shape)}`,
      );
    }
    this.checkInput(call, input, null);
    if (target.dtype !== "int64") {
      throw new TypeError(`${call}: expected target to hold class indices (int64), got dtype ${target.dtype}`);
    }
    const batched = target.ndim > 0;
    const x = batched ? input : unsqueeze(input, 0);
    const t = Array.from(target.toArray() as BigInt64Array, Number);
    const b = t.length;
    let lo = Infinity, hi = -Infinity;
    for (const v of t) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    if (b > 0 && (lo < 0 || hi > this.nClasses - 1)) {
      throw new RangeError(
        `${call}: Target values should be in [0, ${this.nClasses - 1}], but values in range [${lo}, ${hi}] were found`,
      );
    }
    const gatherInds = new BigInt64Array(b);
    let output = zerosRaw([b], x.dtype);
    const bounds = [0, ...this.cutoffs];
    for (let i = 0; i < bounds.length - 1; i++) {
      const low = bounds[i], high = bounds[i + 1];
      const rows: number[] = [];
      for (let r = 0; r < b; r++) if (t[r] >= low && t[r] < high) rows.push(r);
      if (rows.length === 0) continue;
      if (i === 0) {
        for (const r of rows) gatherInds[r] = BigInt(t[r]);
        continue;
      }
      const rowIdx = tensor(BigInt64Array.from(rows, BigInt));
      const rel = tensor(BigInt64Array.from(rows, (r) => BigInt(t[r] - low)), { shape: [rows.length, 1] });
      const clusterOut = this.tail.get(i - 1).forward(indexSelect(x, 0, rowIdx)) as Tensor;
      for (const r of rows) gatherInds[r] = BigInt(this.shortlistSize + i - 1);
      const local = gather(logSoftmax(clusterOut, 1), 1, rel);
      output = indexAdd(output, 0, rowIdx, reshape(local, [rows.length]));
    }
    const headLogprob = logSoftmax(this.head.forward(x), 1);
    const picked = gather(headLogprob, 1, tensor(gatherInds, { shape: [b, 1] }));
    output = E.add(output, reshape(picked, [b]));
    const loss = mean(E.neg(output));
    return { output: batched ? output : squeeze(output, 0), loss };
  }

  /** PyTorch's `_get_full_log_prob`: the (N, nClasses) log-distribution from `headOutput`. */
  private fullLogProb(input: Tensor, headOutput: Tensor): Tensor {
    const headLogprob = logSoftmax(headOutput, 1);
    const parts = [narrow(headLogprob, 1, 0, this.shortlistSize)];
    for (let i = 0; i < this.nClusters; i++) {
      const clusterLogprob = logSoftmax(this.tail.get(i).forward(input) as Tensor, 1);
      parts.push(E.add(clusterLogprob, narrow(headLogprob, 1, this.shortlistSize + i, 1)));
    }
    return cat(parts, 1);
  }

  /**
   * Log-probabilities of every class, shape (N, nClasses), for `input` (N, inFeatures).
   *
   * @example
   * ```ts
   * import { nn, randn } from "../../mod.ts";
   * const asm = new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4]);
   * const p = asm.logProb(randn([2, 8])).exp().sum(1);
   * console.log(Array.from(p.toArray() as Float32Array, (v) => v.toFixed(4))); // ["1.0000", "1.0000"]
   * ```
   */
  logProb(input: Tensor): Tensor {
    const x = this.checkInput("AdaptiveLogSoftmaxWithLoss.logProb", input, 2);
    return this.fullLogProb(x, this.head.forward(x));
  }

  /**
   * The most probable class of each row, int64 (N): `logProb(input).argmax(1)`, evaluating
   * the tail clusters only for rows whose head prediction is a cluster (as PyTorch does).
   *
   * @example
   * ```ts
   * import { nn, randn } from "../../mod.ts";
   * const asm = new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4]);
   * console.log(asm.predict(randn([3, 8])).shape); // [3]
   * ```
   */
  predict(input: Tensor): Tensor {
    const x = this.checkInput("AdaptiveLogSoftmaxWithLoss.predict", input, 2);
    return noGrad(() => {
      const headOutput = this.head.forward(x);
      const out = argExtreme(headOutput, 1, false, false);
      const data = out.toArray() as BigInt64Array;
      const rows: number[] = [];
      for (let r = 0; r < data.length; r++) if (data[r] >= BigInt(this.shortlistSize)) rows.push(r);
      if (rows.length === 0) return out;
      if (rows.length === data.length) return argExtreme(this.fullLogProb(x, headOutput), 1, false, false);
      const idx = tensor(BigInt64Array.from(rows, BigInt));
      const sub = argExtreme(this.fullLogProb(indexSelect(x, 0, idx), indexSelect(headOutput, 0, idx)), 1, false, false)
        .toArray() as BigInt64Array;
      rows.forEach((r, k) => (data[r] = sub[k]));
      return tensor(data);
    });
  }
}
