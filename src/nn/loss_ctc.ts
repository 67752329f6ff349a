/**
 * The connectionist temporal classification loss: `CTCLoss` and its functional twin `ctcLoss`,
 * PyTorch 1.13's `ctc_loss` over a native kernel (`src/tensor/ops/ctc.ts`): the per-sample
 * negative log likelihood of every alignment of a target sequence to the input frames, the
 * `zeroInfinity` mask and the reductions ("mean" divides each loss by its target length first).
 *
 * @module
 */

import { isTensor, type Tensor, tensor } from "../tensor/mod.ts";
import * as E from "../tensor/ops/elementwise.ts";
import { mean, sum } from "../tensor/ops/reduce.ts";
import { squeeze, unsqueeze } from "../tensor/ops/view.ts";
import { ctcNll } from "../tensor/ops/ctc.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { type ArgSpec, parseArgs } from "./positional.ts";
import { Loss, REDUCTION, reductionOf, tensors } from "./loss.ts";

/** Options of `CTCLoss` / `ctcLoss`. */
export interface CTCLossOptions {
  /** The blank label's class index (default 0). */
  blank?: number;
  /** "mean" (default: each loss divided by its target length, then averaged), "sum" or "none". */
  reduction?: "mean" | "sum" | "none";
  /** Replace infinite losses (no possible alignment) and their gradients by 0 (default false). */
  zeroInfinity?: boolean;
}

/** Per-sample lengths: an integer tensor (int64, int32, ...) or an array of integers. */
export type CTCLengths = Tensor | readonly (number | bigint)[];

const CTC_SPECS: ArgSpec[] = [
  { name: "blank", kind: "int", default: 0 },
  REDUCTION,
  { name: "zeroInfinity", kind: "boolean", default: false },
];

const INTEGRAL = new Set(["int64", "int32", "int16", "int8", "uint8"]);

/** The lengths as numbers, each a non-negative integer. */
function lengthsOf(call: string, name: string, v: unknown): number[] {
  let out: number[];
  if (isTensor(v)) {
    v._live(call);
    if (!INTEGRAL.has(v.dtype)) throw new TypeError(`${call}: ${name} must be integral, got dtype ${v.dtype}`);
    out = Array.from(v.toArray() as ArrayLike<number | bigint>, Number);
  } else if (Array.isArray(v)) {
    out = v.map((x) => {
      if ((typeof x !== "number" || !Number.isInteger(x)) && typeof x !== "bigint") {
        throw new TypeError(`${call}: expected ${name} to hold integers, got ${describe(x)}`);
      }
      return Number(x);
    });
  } else {
    throw new TypeError(
      `${call}: expected ${name} to be an integer tensor or an array of integers, got ${describe(v)}`,
    );
  }
  for (const l of out) {
    if (l < 0) throw new RangeError(`${call}: expected ${name} to have values at least 0, but got value ${l}`);
  }
  return out;
}

function ctcImpl(
  call: string,
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: unknown,
  targetLengths: unknown,
  blank: number,
  reduction: string,
  zeroInfinity: boolean,
): Tensor {
  tensors(call, [[logProbs, "logProbs"], [targets, "targets"]]);
  if (logProbs.ndim !== 2 && logProbs.ndim !== 3) {
    throw new RangeError(
      `${call}: expected logProbs of shape (T, N, C) or unbatched (T, C), got shape ${fmt(logProbs.shape)}`,
    );
  }
  const il = lengthsOf(call, "inputLengths", inputLengths);
  const tl = lengthsOf(call, "targetLengths", targetLengths);
  const batched = logProbs.ndim === 3;
  let res = ctcNll(batched ? logProbs : unsqueeze(logProbs, 1), targets, il, tl, blank, zeroInfinity, call);
  if (zeroInfinity) res = E.where(E.compare("eq", res, Infinity), 0, res);
  if (reduction === "mean") {
    const lengths = tensor(Float64Array.from(tl, (l) => Math.max(l, 1)), { dtype: res.dtype });
    return mean(E.div(res, lengths));
  }
  if (reduction === "sum") return sum(res);
  return batched ? res : squeeze(res, 0);
}

/**
 * The CTC loss of log-probabilities `logProbs` (T, N, C) (or unbatched (T, C)), for example
 * `logSoftmax(x, 2)`, at `targets`: padded (N, S) class indices, or all targets concatenated
 * in one 1-d tensor. `inputLengths` and `targetLengths` (N) are integer tensors or arrays.
 * Options `{ blank, reduction, zeroInfinity }` or PyTorch's positionals (blank, reduction,
 * zeroInfinity). The gradient reaches `logProbs`.
 *
 * @example
 * ```ts
 * import { nn, tensor } from "../../mod.ts";
 * // two frames, classes (blank, a): the paths "a a", "- a" and "a -" all read "a"
 * const logProbs = tensor([[[0.5, 0.5]], [[0.5, 0.5]]]).log();
 * const loss = nn.functional.ctcLoss(logProbs, tensor([[1n]]), [2], [1], { reduction: "sum" });
 * console.log(loss.item().toFixed(4)); // 0.2877
 * ```
 */
export function ctcLoss(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: CTCLengths,
  targetLengths: CTCLengths,
  blank?: number | CTCLossOptions,
  reduction?: string,
  zeroInfinity?: boolean,
  opts?: CTCLossOptions,
): Tensor {
  const call = "ctcLoss";
  const a = parseArgs(call, [blank, reduction, zeroInfinity, opts], CTC_SPECS);
  const red = reductionOf(call, a);
  return ctcImpl(
    call,
    logProbs,
    targets,
    inputLengths,
    targetLengths,
    a.blank as number,
    red,
    a.zeroInfinity as boolean,
  );
}

/**
 * The connectionist temporal classification loss: `new nn.CTCLoss()`,
 * `new nn.CTCLoss({ blank: 0, reduction: "sum", zeroInfinity: true })` or PyTorch's positional
 * `new nn.CTCLoss(0, "sum", true)`. `forward(logProbs, targets, inputLengths, targetLengths)` as
 * `F.ctcLoss`.
 *
 * @example
 * ```ts
 * import { nn, randint, randn } from "../../mod.ts";
 * const ctc = new nn.CTCLoss();
 * const logProbs = nn.functional.logSoftmax(randn([50, 16, 20]), 2).detach().requiresGrad_();
 * const targets = randint(1, 20, [16, 30]); // class 0 is the blank
 * const loss = ctc.forward(logProbs, targets, new Array(16).fill(50), new Array(16).fill(30));
 * loss.backward();
 * console.log(logProbs.grad!.shape); // [50, 16, 20]
 * ```
 */
export class CTCLoss extends Loss {
  /** The blank label's class index. */
  blank: number;
  /** Whether infinite losses and their gradients are replaced by 0. */
  zeroInfinity: boolean;
  /** Options, or PyTorch's positional (blank, reduction, zeroInfinity). */
  constructor(first?: number | CTCLossOptions, ...positional: unknown[]) {
    const a = parseArgs("CTCLoss", [first, ...positional], CTC_SPECS);
    super(reductionOf("CTCLoss", a));
    this.blank = a.blank as number;
    this.zeroInfinity = a.zeroInfinity as boolean;
  }
  /** The loss of `logProbs` at `targets` with the given lengths, reduced as configured. */
  override forward(logProbs: Tensor, targets: Tensor, inputLengths: CTCLengths, targetLengths: CTCLengths): Tensor {
    return ctcImpl(
      "CTCLoss.forward",
      logProbs,
      targets,
      inputLengths,
      targetLengths,
      this.blank,
      this.reduction,
      this.zeroInfinity,
    );
  }
}
