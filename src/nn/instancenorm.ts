/**
 * Instance normalization: `InstanceNorm1d/2d/3d` and the functional twin `instanceNorm`. Each
 * channel of each sample is normalized over its spatial positions, by a composition of
 * differentiable tensor ops. With `trackRunningStats` the modules keep PyTorch's buffers
 * (`running_mean`, `running_var`, `num_batches_tracked`; the count is never incremented, as in
 * PyTorch 1.13), updated in training and used in evaluation mode.
 *
 * @module
 */

import type { Device, Tensor } from "../tensor/mod.ts";
import { full, zeros } from "../tensor/create.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { mean, variance } from "../tensor/ops/reduce.ts";
import { reshape, squeeze, unsqueeze } from "../tensor/ops/view.ts";
import { checkTensor } from "../tensor/ops/util.ts";
import { describe, fmt, numelOf } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";
import { parseArgs } from "./positional.ts";
import {
  channelAffine,
  checkAux,
  checkFloatInput,
  FACTORY_SPECS,
  factoryDtype,
  type NormDType,
  pyBool,
  pyFloat,
  standardize,
} from "./normalization.ts";

/** Options of `F.instanceNorm` (also accepted positionally, in PyTorch's order). */
export interface InstanceNormFnOptions {
  /** Per-channel running mean, updated in place with input statistics (default none). */
  runningMean?: Tensor | null;
  /** Per-channel running (unbiased) variance, like `runningMean` (default none). */
  runningVar?: Tensor | null;
  /** Per-channel scale (default none: 1). */
  weight?: Tensor | null;
  /** Per-channel shift (default none: 0). */
  bias?: Tensor | null;
  /** Normalize with each instance's statistics; false uses the running ones (default true). */
  useInputStats?: boolean;
  /** Running-statistics update factor (default 0.1). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

interface InstanceArgs {
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  weight: Tensor | null;
  bias: Tensor | null;
  useInputStats: boolean;
  momentum: number;
  eps: number;
}

function instanceNormImpl(call: string, x: Tensor, a: InstanceArgs): Tensor {
  checkTensor(x, call);
  checkFloatInput(x, call);
  const spatial = x.shape.slice(2);
  if (a.useInputStats && (x.ndim < 2 || numelOf(spatial) === 1)) {
    throw new RangeError(
      `${call}: Expected more than 1 spatial element when training, got input size ${fmt(x.shape)}`,
    );
  }
  if (x.ndim < 2) {
    throw new RangeError(`${call}: expected input of shape (N, C, *) with at least 2 dims, got shape ${fmt(x.shape)}`);
  }
  const n = x.shape[0], c = x.shape[1];
  checkAux(a.weight, x, [c], "weight", call);
  checkAux(a.bias, x, [c], "bias", call);
  checkAux(a.runningMean, x, [c], "running_mean", call);
  checkAux(a.runningVar, x, [c], "running_var", call);
  const dims = spatial.map((_, i) => i + 2);
  const perChannel = (t: Tensor) => reshape(t, [c, ...spatial.map(() => 1)]);
  let y: Tensor;
  if (a.useInputStats) {
    y = standardize(x, dims, a.eps);
    // PyTorch runs batch_norm on (1, N*C, *) with the running statistics repeated N times,
    // then stores the mean over N of the updated copies. An input with no spatial positions
    // (but some instances) leaves them unchanged; an empty batch makes them NaN.
    if ((a.runningMean || a.runningVar) && !(n > 0 && numelOf(spatial) === 0)) {
      noGrad(() => {
        const xd = x.detach(), m = a.momentum;
        const update = (running: Tensor, stat: Tensor) => {
          running.copy_(mean(E.add(E.mul(running, 1 - m), E.mul(stat, m)), 0));
        };
        if (a.runningMean) update(a.runningMean, mean(xd, dims));
        if (a.runningVar) update(a.runningVar, variance(xd, dims, true, false));
      });
    }
  } else {
    if (!a.runningMean || !a.runningVar) {
      throw new TypeError(`${call}: expected runningMean and runningVar to be given when useInputStats is false`);
    }
    y = E.mul(E.sub(x, perChannel(a.runningMean)), E.rsqrt(E.add(perChannel(a.runningVar), a.eps)));
  }
  return channelAffine(y, a.weight, a.bias);
}

/**
 * Instance normalization of (N, C, *) input: each channel of each sample is normalized over its
 * spatial positions. With `runningMean`/`runningVar`, input statistics update them in place
 * (mean over the batch, unbiased variance); `useInputStats: false` normalizes with them instead.
 * `F.instanceNorm(x)`, PyTorch's positional order `(x, runningMean, runningVar, weight, bias,
 * useInputStats, momentum, eps)`, or `F.instanceNorm(x, { weight, bias, eps, ... })`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const y = nn.functional.instanceNorm(tensor([[[1, 3], [5, 9]]]), { eps: 0 });
 * console.log(y.tolist()); // [[[-1, 1], [-1, 1]]]
 * ```
 */
export function instanceNorm(
  input: Tensor,
  runningMean?: Tensor | null | InstanceNormFnOptions,
  runningVar?: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  useInputStats?: boolean,
  momentum?: number,
  eps?: number,
): Tensor {
  const call = "instanceNorm";
  const a = parseArgs(call, [runningMean, runningVar, weight, bias, useInputStats, momentum, eps], [
    { name: "runningMean", kind: "tensor?", default: null },
    { name: "runningVar", kind: "tensor?", default: null },
    { name: "weight", kind: "tensor?", default: null },
    { name: "bias", kind: "tensor?", default: null },
    { name: "useInputStats", kind: "boolean", default: true },
    { name: "momentum", kind: "number", default: 0.1 },
    { name: "eps", kind: "number", default: 1e-5 },
  ]);
  return instanceNormImpl(call, input, a as unknown as InstanceArgs);
}

/** Options of the InstanceNorm modules. */
export interface InstanceNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Running-statistics update factor (default 0.1). */
  momentum?: number;
  /** Learn a per-channel `weight` (ones) and `bias` (zeros) (default false). */
  affine?: boolean;
  /** Keep running statistics, used in evaluation mode (default false). */
  trackRunningStats?: boolean;
  /** The dtype of parameters and running statistics (default float32). */
  dtype?: NormDType;
  /** Their device (default "cpu"). */
  device?: Device;
}

/**
 * The shared implementation of InstanceNorm1d/2d/3d; subclasses give the unbatched rank.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m: nn.InstanceNormNd = new nn.InstanceNorm1d(4);
 * console.log(m.forward(randn([2, 4, 8])).shape); // [2, 4, 8]
 * ```
 */
export abstract class InstanceNormNd extends Module {
  /** The number of channels C. */
  numFeatures: number;
  /** Added to the variance. */
  eps: number;
  /** Running-statistics update factor. */
  momentum: number;
  /** Whether `weight` and `bias` exist. */
  affine: boolean;
  /** Whether running statistics are kept (and used in evaluation mode). */
  trackRunningStats: boolean;
  /** Per-channel scale (ones at start), or null without `affine`. */
  declare weight: Parameter | null;
  /** Per-channel shift (zeros at start), or null without `affine`. */
  declare bias: Parameter | null;
  /** Running mean (PyTorch's buffer name), or null without `trackRunningStats`. */
  declare running_mean: Tensor | null;
  /** Running (unbiased) variance, or null without `trackRunningStats`. */
  declare running_var: Tensor | null;
  /** int64 0-d counter kept for PyTorch's state dict; PyTorch 1.13 never increments it here. */
  declare num_batches_tracked: Tensor | null;
  /** @internal the rank of an unbatched input (C, *) */
  protected abstract readonly noBatchDim: number;

  /** @internal */
  constructor(name: string, args: unknown[]) {
    super();
    const a = parseArgs(name, args, [
      { name: "numFeatures", kind: "any", default: undefined },
      { name: "eps", kind: "number", default: 1e-5 },
      { name: "momentum", kind: "number", default: 0.1 },
      { name: "affine", kind: "boolean", default: false },
      { name: "trackRunningStats", kind: "boolean", default: false },
      ...FACTORY_SPECS,
    ]);
    const c = a.numFeatures;
    if (typeof c !== "number" || !Number.isInteger(c) || c < 0) {
      throw new TypeError(`${name}: expected numFeatures to be a non-negative integer, got ${describe(c)}`);
    }
    if (c > 0x7fffffff) throw new RangeError(`${name}: numFeatures must be at most 2^31-1, got ${c}`);
    const f = factoryDtype(a.dtype, a.device, name);
    this.numFeatures = c;
    this.eps = a.eps as number;
    this.momentum = a.momentum as number;
    this.affine = a.affine as boolean;
    this.trackRunningStats = a.trackRunningStats as boolean;
    if (this.affine) {
      this.weight = new Parameter(full([c], 1, f));
      this.bias = new Parameter(zeros([c], f));
    } else {
      this.registerParameter("weight", null);
      this.registerParameter("bias", null);
    }
    const track = this.trackRunningStats;
    this.registerBuffer("running_mean", track ? zeros([c], f) : null);
    this.registerBuffer("running_var", track ? full([c], 1, f) : null);
    this.registerBuffer("num_batches_tracked", track ? zeros([], { dtype: "int64", device: f.device }) : null);
  }

  /** The running mean (alias of `running_mean`). */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  /** The running variance (alias of `running_var`). */
  get runningVar(): Tensor | null {
    return this.running_var;
  }
  /** The batch counter (alias of `num_batches_tracked`). */
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

  /**
   * Normalizes `input` (N, C, *) or unbatched (C, *) per sample and channel: with the input's
   * statistics in training or without `trackRunningStats` (updating the running statistics when
   * kept), with the running statistics in evaluation mode when they are kept.
   */
  override forward(input: Tensor): Tensor {
    const name = this.constructor.name, call = `${name}.forward`;
    checkTensor(input, call);
    const nb = this.noBatchDim;
    if (input.ndim !== nb && input.ndim !== nb + 1) {
      throw new RangeError(`${call}: expected ${nb}D or ${nb + 1}D input (got ${input.ndim}D input)`);
    }
    const batched = input.ndim === nb + 1;
    const x = batched ? input : unsqueeze(input, 0);
    // PyTorch 1.13 only notices a wrong channel count through the weight or running statistics.
    if ((this.affine || this.trackRunningStats) && x.shape[1] !== this.numFeatures) {
      throw new RangeError(
        `${call}: expected input with ${this.numFeatures} channels (dim ${batched ? 1 : 0}), got shape ${
          fmt(input.shape)
        }`,
      );
    }
    const y = instanceNormImpl(call, x, {
      runningMean: this.running_mean,
      runningVar: this.running_var,
      weight: this.weight,
      bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats,
      momentum: this.momentum,
      eps: this.eps,
    });
    return batched ? y : squeeze(y, 0);
  }

  /** PyTorch's `extra_repr`: `3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False`. */
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${
      pyBool(this.affine)
    }, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/**
 * Instance normalization of (N, C, L) or unbatched (C, L) input: `new nn.InstanceNorm1d(100)`,
 * `new nn.InstanceNorm1d(100, { affine: true, trackRunningStats: true })` (PyTorch's positional
 * `eps`, `momentum`, `affine`, `trackRunningStats` are accepted too).
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * const m = new nn.InstanceNorm1d(1, { eps: 0 });
 * console.log(m.forward(tensor([[1, 2, 3]])).tolist()); // [[-1.2247447967529297, 0, 1.2247447967529297]]
 * ```
 */
export class InstanceNorm1d extends InstanceNormNd {
  /** @internal */
  protected readonly noBatchDim = 2;
  /** `numFeatures` (C), then `eps`, `momentum`, `affine`, `trackRunningStats` positionally or as options. */
  constructor(
    numFeatures: number,
    eps?: number | InstanceNormOptions,
    momentum?: number | InstanceNormOptions,
    affine?: boolean | InstanceNormOptions,
    trackRunningStats?: boolean | InstanceNormOptions,
    opts?: InstanceNormOptions,
  ) {
    super("InstanceNorm1d", [numFeatures, eps, momentum, affine, trackRunningStats, opts]);
  }
}

/**
 * Instance normalization of (N, C, H, W) or unbatched (C, H, W) input: `new nn.InstanceNorm2d(3)`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.InstanceNorm2d(3, { trackRunningStats: true });
 * m.forward(randn([2, 3, 4, 4]));
 * console.log(Object.keys(m.stateDict())); // ["running_mean", "running_var", "num_batches_tracked"]
 * ```
 */
export class InstanceNorm2d extends InstanceNormNd {
  /** @internal */
  protected readonly noBatchDim = 3;
  /** `numFeatures` (C), then `eps`, `momentum`, `affine`, `trackRunningStats` positionally or as options. */
  constructor(
    numFeatures: number,
    eps?: number | InstanceNormOptions,
    momentum?: number | InstanceNormOptions,
    affine?: boolean | InstanceNormOptions,
    trackRunningStats?: boolean | InstanceNormOptions,
    opts?: InstanceNormOptions,
  ) {
    super("InstanceNorm2d", [numFeatures, eps, momentum, affine, trackRunningStats, opts]);
  }
}

/**
 * Instance normalization of (N, C, D, H, W) or unbatched (C, D, H, W) input:
 * `new nn.InstanceNorm3d(8, { affine: true })`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.InstanceNorm3d(2, { affine: true });
 * console.log(m.forward(randn([2, 3, 3, 3])).shape); // [2, 3, 3, 3]
 * ```
 */
export class InstanceNorm3d extends InstanceNormNd {
  /** @internal */
  protected readonly noBatchDim = 4;
  /** `numFeatures` (C), then `eps`, `momentum`, `affine`, `trackRunningStats` positionally or as options. */
  constructor(
    numFeatures: number,
    eps?: number | InstanceNormOptions,
    momentum?: number | InstanceNormOptions,
    affine?: boolean | InstanceNormOptions,
    trackRunningStats?: boolean | InstanceNormOptions,
    opts?: InstanceNormOptions,
  ) {
    super("InstanceNorm3d", [numFeatures, eps, momentum, affine, trackRunningStats, opts]);
  }
}
