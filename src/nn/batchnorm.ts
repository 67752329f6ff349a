/**
 * Batch normalization: `BatchNorm1d` ((N, C) or (N, C, L)), `BatchNorm2d` ((N, C, H, W)) and
 * `BatchNorm3d` ((N, C, D, H, W)), one rank-generic base over the fused native kernels, and
 * the functional twin `batchNorm`.
 *
 * In training the batch statistics normalize and the running statistics are updated with
 * `momentum` (the unbiased variance goes into `running_var`; `momentum: null` gives a
 * cumulative moving average over `num_batches_tracked`). In evaluation the running
 * statistics normalize. State-dict keys are PyTorch's: `weight`, `bias`, `running_mean`,
 * `running_var`, `num_batches_tracked` (int64).
 *
 * @module
 */

import type { Tensor } from "../tensor/mod.ts";
import { full, zeros } from "../tensor/create.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { batchNorm as batchNormOp } from "../tensor/ops/batchnorm.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { describe, fmt, numelOf } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import { pyFloat } from "./normalization.ts";
import { Parameter } from "./parameter.ts";
import { parseArgs } from "./positional.ts";

/** Options of `F.batchNorm` (also accepted positionally after the running statistics). */
export interface BatchNormFnOptions {
  /** Per-channel scale (default none: 1). */
  weight?: Tensor | null;
  /** Per-channel shift (default none: 0). */
  bias?: Tensor | null;
  /** Use (and update) batch statistics (default false). */
  training?: boolean;
  /** Running-statistics update factor (default 0.1). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalization over dim 1 of `input` (N, C, *). `runningMean`/`runningVar` may be null
 * in training; when given they are updated in place. `F.batchNorm(x, rm, rv, { weight, bias,
 * training, momentum, eps })` or PyTorch's positional order `(x, rm, rv, weight, bias, training,
 * momentum, eps)`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const x = tensor([[1, 10], [3, 30]]);
 * const y = nn.functional.batchNorm(x, null, null, { training: true, eps: 0 });
 * console.log(y.tolist()); // [[-1, -1], [1, 1]]
 * ```
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight?: Tensor | null | BatchNormFnOptions,
  bias?: Tensor | null,
  training?: boolean,
  momentum?: number,
  eps?: number,
): Tensor {
  const call = "batchNorm";
  checkTensor(input, call);
  const a = parseArgs(call, [weight, bias, training, momentum, eps], [
    { name: "weight", kind: "tensor?", default: null },
    { name: "bias", kind: "tensor?", default: null },
    { name: "training", kind: "boolean", default: false },
    { name: "momentum", kind: "number", default: 0.1 },
    { name: "eps", kind: "number", default: 1e-5 },
  ]);
  if (runningMean !== null && runningMean !== undefined) checkTensor(runningMean, call, "runningMean");
  if (runningVar !== null && runningVar !== undefined) checkTensor(runningVar, call, "runningVar");
  const train = a.training as boolean;
  if (train) verifyBatchSize(input, call);
  return batchNormOp(input, {
    weight: a.weight as Tensor | null,
    bias: a.bias as Tensor | null,
    runningMean: runningMean ?? null,
    runningVar: runningVar ?? null,
    training: train,
    momentum: a.momentum as number,
    eps: a.eps as number,
  }, call);
}

function verifyBatchSize(x: Tensor, call: string): void {
  if (x.ndim >= 2 && x.shape[0] * numelOf(x.shape.slice(2)) === 1) {
    throw new RangeError(
      `${call}: Expected more than 1 value per channel when training, got input size ${fmt(x.shape)}`,
    );
  }
}

/** Options of the BatchNorm modules. */
export interface BatchNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Running-statistics update factor (default 0.1); null for a cumulative moving average. */
  momentum?: number | null;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true). */
  trackRunningStats?: boolean;
  /** The dtype of parameters and running statistics (default float32). */
  dtype?: "float32" | "float64";
}

/**
 * The shared implementation of BatchNorm1d/2d/3d; subclasses only check the input rank.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const bn: nn.BatchNormNd = new nn.BatchNorm1d(4);
 * console.log(bn.forward(randn([8, 4])).shape); // [8, 4]
 * ```
 */
export abstract class BatchNormNd extends Module {
  /** The number of channels C. */
  numFeatures: number;
  /** Added to the variance. */
  eps: number;
  /** Running-statistics factor, or null for a cumulative moving average. */
  momentum: number | null;
  /** Whether `weight` and `bias` exist. */
  affine: boolean;
  /** Whether running statistics are kept. */
  trackRunningStats: boolean;
  /** Per-channel scale (ones at start), or null without `affine`. */
  declare weight: Parameter | null;
  /** Per-channel shift (zeros at start), or null without `affine`. */
  declare bias: Parameter | null;
  /** Running mean (PyTorch's buffer name), or null without `trackRunningStats`. */
  declare running_mean: Tensor | null;
  /** Running (unbiased) variance, or null without `trackRunningStats`. */
  declare running_var: Tensor | null;
  /** The number of training batches seen (int64, 0-d), or null without `trackRunningStats`. */
  declare num_batches_tracked: Tensor | null;

  /** @internal */
  constructor(name: string, args: unknown[]) {
    super();
    const a = parseArgs(name, args, [
      { name: "numFeatures", kind: "int", default: undefined },
      { name: "eps", kind: "number", default: 1e-5 },
      { name: "momentum", kind: "number?", default: 0.1 },
      { name: "affine", kind: "boolean", default: true },
      { name: "trackRunningStats", kind: "boolean", default: true },
      { name: "dtype", kind: "any", default: "float32", keywordOnly: true },
    ]);
    if (a.numFeatures === undefined || (a.numFeatures as number) < 0) {
      throw new TypeError(`${name}: expected numFeatures to be a non-negative integer, got ${describe(a.numFeatures)}`);
    }
    if (a.dtype !== "float32" && a.dtype !== "float64") {
      throw new TypeError(`${name}: expected dtype "float32" or "float64", got ${describe(a.dtype)}`);
    }
    const c = a.numFeatures as number, dtype = a.dtype as "float32" | "float64";
    this.numFeatures = c;
    this.eps = a.eps as number;
    this.momentum = a.momentum as number | null;
    this.affine = a.affine as boolean;
    this.trackRunningStats = a.trackRunningStats as boolean;
    if (this.affine) {
      this.weight = new Parameter(full([c], 1, { dtype }));
      this.bias = new Parameter(zeros([c], { dtype }));
    } else {
      this.registerParameter("weight", null);
      this.registerParameter("bias", null);
    }
    if (this.trackRunningStats) {
      this.registerBuffer("running_mean", zeros([c], { dtype }));
      this.registerBuffer("running_var", full([c], 1, { dtype }));
      this.registerBuffer("num_batches_tracked", zeros([], { dtype: "int64" }));
    } else {
      this.registerBuffer("running_mean", null);
      this.registerBuffer("running_var", null);
      this.registerBuffer("num_batches_tracked", null);
    }
  }

  /** The running mean (alias of `running_mean`). */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  /** The running variance (alias of `running_var`). */
  get runningVar(): Tensor | null {
    return this.running_var;
  }
  /** The number of training batches seen (alias of `num_batches_tracked`). */
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** Resets the running statistics to mean 0, variance 1 and 0 batches. */
  resetRunningStats(): void {
    noGrad(() => {
      this.running_mean?.zero_();
      this.running_var?.fill_(1);
      this.num_batches_tracked?.zero_();
    });
  }

  /** Resets the running statistics and sets weight to 1 and bias to 0. */
  resetParameters(): void {
    this.resetRunningStats();
    noGrad(() => {
      this.weight?.fill_(1);
      this.bias?.zero_();
    });
  }

  /** @internal throws for an input of the wrong rank */
  protected abstract checkInputDim(input: Tensor): void;

  /**
   * Normalizes `input` (N, C, *) per channel: with the batch statistics in training (updating
   * the running statistics), with the running statistics in evaluation.
   */
  override forward(input: Tensor): Tensor {
    const call = `${this.constructor.name}.forward`;
    checkTensor(input, call);
    this.checkInputDim(input);
    if (input.shape[1] !== this.numFeatures) {
      throw new RangeError(
        `${call}: expected input with ${this.numFeatures} channels (dim 1), got shape ${fmt(input.shape)}`,
      );
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked) {
      verifyBatchSize(input, call);
      const nbt = this.num_batches_tracked;
      noGrad(() => nbt.add_(1));
      factor = this.momentum === null ? 1 / nbt.item() : this.momentum;
    }
    const bnTraining = this.training || (this.running_mean === null && this.running_var === null);
    if (bnTraining) verifyBatchSize(input, call);
    const useRunning = !this.training || this.trackRunningStats;
    return batchNormOp(input, {
      weight: this.weight,
      bias: this.bias,
      runningMean: useRunning ? this.running_mean : null,
      runningVar: useRunning ? this.running_var : null,
      training: bnTraining,
      momentum: factor,
      eps: this.eps,
    }, call);
  }

  /** The arguments shown in the module's repr. */
  override extraRepr(): string {
    const momentum = this.momentum === null ? "None" : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${momentum}, affine=${
      this.affine ? "True" : "False"
    }, track_running_stats=${this.trackRunningStats ? "True" : "False"}`;
  }
}

/**
 * Batch normalization of (N, C) or (N, C, L) input over N (and L) per channel:
 * `new nn.BatchNorm1d(100)`, `new nn.BatchNorm1d(100, { affine: false, momentum: null })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const bn = new nn.BatchNorm1d(2);
 * bn.forward(tensor([[1, 10], [3, 30]]));
 * console.log(bn.running_mean!.tolist()); // [0.20000000298023224, 2]
 * console.log(Object.keys(bn.stateDict())); // ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
 * ```
 */
export class BatchNorm1d extends BatchNormNd {
  /**
   * `numFeatures` (C), then `eps`, `momentum`, `affine`, `trackRunningStats` positionally or in
   * the options object (with `dtype`).
   */
  constructor(
    numFeatures: number,
    eps?: number | BatchNormOptions,
    momentum?: number | null | BatchNormOptions,
    affine?: boolean | BatchNormOptions,
    trackRunningStats?: boolean | BatchNormOptions,
    opts?: BatchNormOptions,
  ) {
    super("BatchNorm1d", [numFeatures, eps, momentum, affine, trackRunningStats, opts]);
  }
  /** @internal */
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new RangeError(`BatchNorm1d.forward: expected 2D or 3D input (got ${input.ndim}D input)`);
    }
  }
}

/**
 * Batch normalization of (N, C, H, W) input per channel: `new nn.BatchNorm2d(64)`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const bn = new nn.BatchNorm2d(3).eval();
 * console.log(bn.forward(randn([2, 3, 4, 4])).shape); // [2, 3, 4, 4]
 * ```
 */
export class BatchNorm2d extends BatchNormNd {
  /**
   * `numFeatures` (C), then `eps`, `momentum`, `affine`, `trackRunningStats` positionally or in
   * the options object (with `dtype`).
   */
  constructor(
    numFeatures: number,
    eps?: number | BatchNormOptions,
    momentum?: number | null | BatchNormOptions,
    affine?: boolean | BatchNormOptions,
    trackRunningStats?: boolean | BatchNormOptions,
    opts?: BatchNormOptions,
  ) {
    super("BatchNorm2d", [numFeatures, eps, momentum, affine, trackRunningStats, opts]);
  }
  /** @internal */
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 4) throw new RangeError(`BatchNorm2d.forward: expected 4D input (got ${input.ndim}D input)`);
  }
}

/**
 * Batch normalization of (N, C, D, H, W) input per channel: `new nn.BatchNorm3d(8)`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * console.log(new nn.BatchNorm3d(2).forward(randn([2, 2, 3, 3, 3])).shape); // [2, 2, 3, 3, 3]
 * ```
 */
export class BatchNorm3d extends BatchNormNd {
  /**
   * `numFeatures` (C), then `eps`, `momentum`, `affine`, `trackRunningStats` positionally or in
   * the options object (with `dtype`).
   */
  constructor(
    numFeatures: number,
    eps?: number | BatchNormOptions,
    momentum?: number | null | BatchNormOptions,
    affine?: boolean | BatchNormOptions,
    trackRunningStats?: boolean | BatchNormOptions,
    opts?: BatchNormOptions,
  ) {
    super("BatchNorm3d", [numFeatures, eps, momentum, affine, trackRunningStats, opts]);
  }
  /** @internal */
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 5) throw new RangeError(`BatchNorm3d.forward: expected 5D input (got ${input.ndim}D input)`);
  }
}
