/**
 * Recurrent layers: `RNN`, `LSTM`, `GRU` (multi-layer, bidirectional, packed sequences, LSTM
 * projections) with their functional twins (`rnnTanh`, `rnnRelu`, `lstm`, `gru`). The cells
 * (`RNNCell`, `LSTMCell`, `GRUCell` and twins) live in rnn_cell.ts.
 *
 * Parameters carry PyTorch's names, shapes, gate order (LSTM i, f, g, o; GRU r, z, n) and
 * initialization (uniform in ±1/sqrt(hiddenSize)), so PyTorch state dicts load unchanged. Each
 * layer's whole time loop is one autograd node (src/tensor/ops/rnn.ts).
 *
 * @module
 */

import { type DType, empty, isTensor, type Tensor, zeros } from "../tensor/mod.ts";
import { noGrad } from "../autograd/grad_mode.ts";
import { type RnnDirectionWeights, rnnLayer, type RnnMode } from "../tensor/ops/rnn.ts";
import { dropout as dropoutOp } from "../tensor/ops/dropout.ts";
import { cat } from "../tensor/ops/view.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { checkOptionKeys } from "./linear.ts";
import { Module } from "./module.ts";
import { Parameter } from "./parameter.ts";
import { isPackedSequence, PackedSequence } from "./utils/rnn.ts";

/** Options shared by `RNN`, `LSTM` and `GRU` (PyTorch's keyword arguments, camelCase). */
export interface RNNBaseOptions {
  /** The input feature size (when not passed positionally). */
  inputSize?: number;
  /** The hidden state size (when not passed positionally). */
  hiddenSize?: number;
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Learn the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output are [B, T, *] instead of [T, B, *] (default false). */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training (default 0). */
  dropout?: number;
  /** Run a reverse direction too and concatenate both (default false). */
  bidirectional?: boolean;
  /** The parameters' dtype (default float32). */
  dtype?: "float32" | "float64";
}

/** Options of `nn.RNN`. */
export interface RNNOptions extends RNNBaseOptions {
  /** "tanh" (default) or "relu". */
  nonlinearity?: "tanh" | "relu";
}

/** Options of `nn.LSTM`. */
export interface LSTMOptions extends RNNBaseOptions {
  /** Project h to this size with weight_hr (0 = no projection, the default). */
  projSize?: number;
}

/** Options of `nn.GRU`. */
export type GRUOptions = RNNBaseOptions;

/** Options of the functional layer twins (`F.lstm`, `F.gru`, `F.rnnTanh`, `F.rnnRelu`). */
export interface RNNFunctionalOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Whether the weight list holds biases (default true). */
  bias?: boolean;
  /** Input and output are [B, T, *] (default false). */
  batchFirst?: boolean;
  /** Dropout between layers (default 0), applied only when `training`. */
  dropout?: number;
  /** Training mode for dropout (default false). */
  training?: boolean;
  /** Two directions (default false). */
  bidirectional?: boolean;
}

/** @internal gates per cell type */
export const GATES: Record<RnnMode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** @internal */
export function checkInt(v: unknown, call: string, name: string, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${call}: expected ${name} to be an integer, got ${describe(v)}`);
  }
  if (v < min) throw new RangeError(`${call}: ${name} must be at least ${min}, got ${v}`);
  if (v > 0x7fffffff) throw new RangeError(`${call}: ${name} must be at most 2^31-1, got ${v}`);
  return v;
}

/** @internal */
export function checkBool(v: unknown, call: string, name: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") throw new TypeError(`${call}: expected ${name} to be a boolean, got ${describe(v)}`);
  return v;
}

function checkDropout(v: unknown, call: string): number {
  if (v === undefined) return 0;
  if (typeof v !== "number" || Number.isNaN(v) || v < 0 || v > 1) {
    throw new RangeError(
      `${call}: dropout should be a number in range [0, 1] representing the probability of an element being ` +
        `zeroed, got ${describe(v)}`,
    );
  }
  return v;
}

/** @internal */
export function checkOptions<T extends object>(v: unknown, call: string): T {
  if (v === undefined) return {} as T;
  if (v === null || typeof v !== "object" || Array.isArray(v) || isTensor(v)) {
    throw new TypeError(`${call}: expected an options object, got ${describe(v)}`);
  }
  checkOptionKeys(v as Record<string, unknown>, call);
  return v as T;
}

/** @internal */
export function checkDType(v: unknown, call: string): "float32" | "float64" {
  if (v === undefined) return "float32";
  if (v !== "float32" && v !== "float64") {
    throw new TypeError(`${call}: expected dtype to be "float32" or "float64", got ${describe(v)}`);
  }
  return v;
}

/** @internal */
export function tensorArg(v: unknown, call: string, name: string): Tensor {
  if (!isTensor(v)) throw new TypeError(`${call}: expected ${name} to be a Tensor, got ${describe(v)}`);
  v._live(call);
  return v;
}

function shapeText(s: readonly number[]): string {
  return `(${s.join(", ")})`;
}

/** A uniform(-k, k) parameter of `shape`. */
/** @internal */
export function uniformParam(shape: number[], k: number, dtype: DType): Parameter {
  const t = noGrad(() => empty(shape, { dtype }).uniform_(-k, k));
  return new Parameter(t);
}

// ---------------------------------------------------------------------------------------- layers

interface RunConfig {
  mode: RnnMode;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  dropout: number;
  training: boolean;
  bidirectional: boolean;
  inputSize: number;
  hiddenSize: number;
  projSize: number;
}

type Hidden = Tensor | [Tensor, Tensor] | null | undefined;
type RnnInput = Tensor | PackedSequence;

/** Splits a flat weight list (PyTorch's order) into per-layer, per-direction sets. */
function groupWeights(weights: readonly Tensor[], cfg: RunConfig, call: string): RnnDirectionWeights[][] {
  const D = cfg.bidirectional ? 2 : 1;
  const per = 2 + (cfg.bias ? 2 : 0) + (cfg.projSize > 0 ? 1 : 0);
  if (!Array.isArray(weights) || weights.length !== per * D * cfg.numLayers) {
    throw new RangeError(
      `${call}: expected ${per * D * cfg.numLayers} weight tensors (${per} per layer and direction), got ${
        Array.isArray(weights) ? weights.length : describe(weights)
      }`,
    );
  }
  const G = GATES[cfg.mode], H = cfg.hiddenSize, P = cfg.projSize > 0 ? cfg.projSize : H;
  const layers: RnnDirectionWeights[][] = [];
  let k = 0;
  for (let l = 0; l < cfg.numLayers; l++) {
    const dirs: RnnDirectionWeights[] = [];
    const inSize = l === 0 ? cfg.inputSize : P * D;
    for (let d = 0; d < D; d++) {
      const take = (name: string, shape: number[]) => {
        const t = tensorArg(weights[k++], call, `weights[${k - 1}] (${name})`);
        if (t.ndim !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
          throw new RangeError(`${call}: expected ${name} of shape ${fmt(shape)}, got ${fmt(t.shape)}`);
        }
        return t;
      };
      const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
      const wIh = take(`weight_ih${sfx}`, [G * H, inSize]);
      const wHh = take(`weight_hh${sfx}`, [G * H, P]);
      const bIh = cfg.bias ? take(`bias_ih${sfx}`, [G * H]) : null;
      const bHh = cfg.bias ? take(`bias_hh${sfx}`, [G * H]) : null;
      const wHr = cfg.projSize > 0 ? take(`weight_hr${sfx}`, [P, H]) : null;
      dirs.push({ wIh, wHh, bIh, bHh, wHr });
    }
    layers.push(dirs);
  }
  return layers;
}

/** The shared forward of RNN/LSTM/GRU and their functional twins. */
function runRnn(
  call: string,
  cfg: RunConfig,
  input: RnnInput,
  hx: Hidden,
  weights: readonly Tensor[],
): [RnnInput, Tensor | [Tensor, Tensor]] {
  const lstm = cfg.mode === "LSTM";
  const D = cfg.bidirectional ? 2 : 1;
  const L = cfg.numLayers, H = cfg.hiddenSize, P = cfg.projSize > 0 ? cfg.projSize : H;
  const layers = groupWeights(weights, cfg, call);
  const dtype = layers[0][0].wIh.dtype;

  let x: Tensor, batchSizes: readonly number[], B = 0, T = 0;
  let packed: PackedSequence | null = null, batched = true;
  const batchDim = cfg.batchFirst ? 0 : 1;
  if (isPackedSequence(input)) {
    packed = input;
    x = tensorArg(packed.data, call, "input.data");
    batchSizes = packed._sizes;
    B = batchSizes.length ? batchSizes[0] : 0;
    if (x.ndim !== 2) {
      throw new RangeError(
        `${call}: packed input data must have 2 dimensions (N, ${cfg.inputSize}), got ${fmt(x.shape)}`,
      );
    }
  } else {
    let inp = tensorArg(input, call, "input");
    if (inp.ndim !== 2 && inp.ndim !== 3) {
      throw new RangeError(
        `${call}: expected input with 2 (unbatched) or 3 dimensions (${
          cfg.batchFirst ? "B, T" : "T, B"
        }, ${cfg.inputSize}), got shape ${fmt(inp.shape)}`,
      );
    }
    batched = inp.ndim === 3;
    if (!batched) inp = inp.unsqueeze(batchDim);
    x = inp;
  }
  if (x.shape[x.ndim - 1] !== cfg.inputSize) {
    throw new RangeError(
      `${call}: input.size(-1) must be equal to input_size. Expected ${cfg.inputSize}, got ${x.shape[x.ndim - 1]}`,
    );
  }
  if (x.dtype !== dtype) {
    throw new TypeError(`${call}: expected input of dtype ${dtype} (the parameters' dtype), got ${x.dtype}`);
  }
  if (packed === null) {
    if (cfg.batchFirst) x = x.transpose(0, 1);
    T = x.shape[0];
    B = x.shape[1];
    if (T === 0) throw new RangeError(`${call}: expected a sequence of at least one step, got shape ${fmt(x.shape)}`);
    x = x.reshape([T * B, cfg.inputSize]);
    batchSizes = new Array<number>(T).fill(B);
  } else batchSizes = packed._sizes;

  // ---- initial states
  const hShape = [L * D, B, P], cShape = [L * D, B, H];
  let h0: Tensor | null = null, c0: Tensor | null = null;
  if (hx !== undefined && hx !== null) {
    if (lstm) {
      if (!Array.isArray(hx) || hx.length !== 2) {
        throw new TypeError(`${call}: expected hx to be an array [h0, c0] of two tensors, got ${describe(hx)}`);
      }
      h0 = tensorArg(hx[0], call, "h0");
      c0 = tensorArg(hx[1], call, "c0");
      const want = batched ? 3 : 2;
      if (h0.ndim !== want || c0.ndim !== want) {
        throw new RangeError(
          `${call}: For ${batched ? "batched 3-D" : "unbatched 2-D"} input, hx and cx should also be ${want}-D but ` +
            `got (${h0.ndim}-D, ${c0.ndim}-D) tensors`,
        );
      }
    } else {
      h0 = tensorArg(hx, call, "hx");
      const want = batched ? 3 : 2;
      if (h0.ndim !== want) {
        throw new RangeError(
          `${call}: For ${
            batched ? "batched 3-D" : "unbatched 2-D"
          } input, hx should also be ${want}-D but got ${h0.ndim}-D tensor`,
        );
      }
    }
    if (!batched) {
      h0 = h0.unsqueeze(1);
      if (c0) c0 = c0.unsqueeze(1);
    }
    const check = (t: Tensor, shape: number[], what: string) => {
      if (t.ndim !== 3 || t.shape.some((s, i) => s !== shape[i])) {
        throw new RangeError(`${call}: Expected ${what} size ${shapeText(shape)}, got ${fmt(t.shape)}`);
      }
      if (t.dtype !== dtype) {
        throw new TypeError(`${call}: expected ${what} of dtype ${dtype} (the parameters' dtype), got ${t.dtype}`);
      }
    };
    check(h0, hShape, lstm ? "hidden[0]" : "hidden");
    if (c0) check(c0, cShape, "hidden[1]");
    if (packed?.sortedIndices) {
      h0 = h0.indexSelect(1, packed.sortedIndices);
      if (c0) c0 = c0.indexSelect(1, packed.sortedIndices);
    }
  }
  if (h0 === null) h0 = zeros(hShape, { dtype });
  if (lstm && c0 === null) c0 = zeros(cShape, { dtype });

  // ---- layers
  let rowsIn = x;
  let hN: Tensor, cN: Tensor | null;
  if (B === 0) {
    // An empty batch runs no step. The outputs still depend on the input and every weight (with
    // zero gradient), so backward works as in PyTorch.
    let anchor = rowsIn.sum().mul(0);
    for (const dir of layers.flat()) {
      for (const w of Object.values(dir)) if (w) anchor = anchor.add((w as Tensor).sum().mul(0));
    }
    rowsIn = zeros([0, D * P], { dtype }).add(anchor);
    hN = h0.add(anchor);
    cN = c0 === null ? null : c0.add(anchor);
  } else {
    const hNs: Tensor[] = [], cNs: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const h0l = L === 1 ? h0 : h0.narrow(0, l * D, D);
      const c0l = c0 === null ? null : L === 1 ? c0 : c0.narrow(0, l * D, D);
      const [out, hNl, cNl] = rnnLayer(cfg.mode, rowsIn, batchSizes, h0l, c0l, layers[l], call);
      hNs.push(hNl);
      if (cNl) cNs.push(cNl);
      rowsIn = cfg.dropout > 0 && cfg.training && l < L - 1 ? dropoutOp(out, cfg.dropout, true) : out;
    }
    hN = L === 1 ? hNs[0] : cat(hNs, 0);
    cN = lstm ? (L === 1 ? cNs[0] : cat(cNs, 0)) : null;
  }

  let output: RnnInput;
  if (packed !== null) {
    output = new PackedSequence(rowsIn, packed.batchSizes, packed.sortedIndices, packed.unsortedIndices);
    if (packed.unsortedIndices) {
      hN = hN.indexSelect(1, packed.unsortedIndices);
      if (cN) cN = cN.indexSelect(1, packed.unsortedIndices);
    }
  } else {
    let out = rowsIn.view([T, B, D * P]);
    if (cfg.batchFirst) out = out.transpose(0, 1);
    if (!batched) {
      out = out.squeeze(batchDim);
      hN = hN.squeeze(1);
      if (cN) cN = cN.squeeze(1);
    }
    output = out;
  }
  return [output, cN ? [hN, cN] : hN];
}

/**
 * The shared base of `RNN`, `LSTM` and `GRU`: options, PyTorch-named parameters and the
 * forward over padded or packed input.
 *
 * @example
 * ```ts
 * import { nn } from "../../mod.ts";
 * const rnn: nn.RNNBase = new nn.GRU(4, 8);
 * console.log(Object.keys(rnn.stateDict())); // weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0
 * ```
 */
export class RNNBase extends Module {
  /** The cell type ("RNN_TANH", "RNN_RELU", "LSTM" or "GRU"). */
  readonly mode: RnnMode;
  /** Input feature size. */
  readonly inputSize: number;
  /** Hidden state size. */
  readonly hiddenSize: number;
  /** Stacked layers. */
  readonly numLayers: number;
  /** Whether the layers have biases. */
  readonly bias: boolean;
  /** Whether input/output are [B, T, *]. */
  readonly batchFirst: boolean;
  /** Dropout between layers (training only). */
  readonly dropout: number;
  /** Whether a reverse direction runs too. */
  readonly bidirectional: boolean;
  /** LSTM projection size (0 = none). */
  readonly projSize: number;
  /** @internal the class name for messages */
  readonly _name: string;

  constructor(
    mode: RnnMode,
    name: string,
    inputSize: number | RNNOptions & LSTMOptions,
    hiddenSize?: number | RNNOptions & LSTMOptions,
    numLayers?: number | RNNOptions & LSTMOptions,
    options?: RNNOptions & LSTMOptions,
  ) {
    super();
    const call = `nn.${name}`;
    // Accept (opts), (I, opts), (I, H, opts) and (I, H, L, opts).
    const args = [inputSize, hiddenSize, numLayers, options];
    let opts: RNNOptions & LSTMOptions = {};
    const firstObj = args.findIndex((a) => a !== undefined && typeof a === "object");
    if (firstObj >= 0) {
      opts = checkOptions(args[firstObj], call);
      if (args.slice(firstObj + 1).some((a) => a !== undefined)) {
        throw new TypeError(`${call}: the options object must be the last argument`);
      }
    }
    const pos = (firstObj >= 0 ? args.slice(0, firstObj) : args) as (number | undefined)[];
    this._name = name;
    this.mode = mode;
    this.inputSize = checkInt(pos[0] ?? opts.inputSize, call, "inputSize", 0);
    this.hiddenSize = checkInt(pos[1] ?? opts.hiddenSize, call, "hiddenSize", 1);
    this.numLayers = checkInt(pos[2] ?? opts.numLayers ?? 1, call, "numLayers", 1);
    this.bias = checkBool(opts.bias, call, "bias", true);
    this.batchFirst = checkBool(opts.batchFirst, call, "batchFirst", false);
    this.dropout = checkDropout(opts.dropout, call);
    this.bidirectional = checkBool(opts.bidirectional, call, "bidirectional", false);
    const proj = opts.projSize ?? 0;
    if (proj !== 0 && mode !== "LSTM") {
      throw new RangeError(`${call}: projSize argument is only supported for LSTM, not RNN or GRU`);
    }
    this.projSize = checkInt(proj, call, "projSize", 0);
    if (this.projSize >= this.hiddenSize) {
      throw new RangeError(
        `${call}: projSize has to be smaller than hiddenSize, got projSize ${this.projSize} and hiddenSize ${this.hiddenSize}`,
      );
    }
    const dtype = checkDType(opts.dtype, call);
    const G = GATES[mode], H = this.hiddenSize, D = this.bidirectional ? 2 : 1;
    const P = this.projSize > 0 ? this.projSize : H;
    const widest = G * H * Math.max(this.inputSize, P * D, H);
    if (widest > 0x7fffffff) {
      throw new RangeError(
        `${call}: a weight of ${widest} elements exceeds the 2^31-1 supported (inputSize, hiddenSize)`,
      );
    }
    const k = 1 / Math.sqrt(H);
    const self = this as unknown as Record<string, unknown>;
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
        const inSize = l === 0 ? this.inputSize : P * D;
        self[`weight_ih${sfx}`] = uniformParam([G * H, inSize], k, dtype);
        self[`weight_hh${sfx}`] = uniformParam([G * H, P], k, dtype);
        if (this.bias) {
          self[`bias_ih${sfx}`] = uniformParam([G * H], k, dtype);
          self[`bias_hh${sfx}`] = uniformParam([G * H], k, dtype);
        }
        if (this.projSize > 0) self[`weight_hr${sfx}`] = uniformParam([P, H], k, dtype);
      }
    }
  }

  /** The parameter names in PyTorch's flat order (`_flat_weights_names`). */
  get flatWeightsNames(): string[] {
    const names: string[] = [];
    const D = this.bidirectional ? 2 : 1;
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
        names.push(`weight_ih${sfx}`, `weight_hh${sfx}`);
        if (this.bias) names.push(`bias_ih${sfx}`, `bias_hh${sfx}`);
        if (this.projSize > 0) names.push(`weight_hr${sfx}`);
      }
    }
    return names;
  }

  /** The current parameters in PyTorch's flat order. */
  get flatWeights(): Tensor[] {
    return this.flatWeightsNames.map((n) => {
      const p = this._parameters.get(n);
      if (!p) throw new Error(`${this._name}.forward: parameter ${n} is missing`);
      return p;
    });
  }

  /** @internal */
  _run(input: RnnInput, hx: Hidden): [RnnInput, Tensor | [Tensor, Tensor]] {
    const cfg: RunConfig = {
      mode: this.mode,
      numLayers: this.numLayers,
      bias: this.bias,
      batchFirst: this.batchFirst,
      dropout: this.dropout,
      training: this.training,
      bidirectional: this.bidirectional,
      inputSize: this.inputSize,
      hiddenSize: this.hiddenSize,
      projSize: this.projSize,
    };
    return runRnn(`${this._name}.forward`, cfg, input, hx, this.flatWeights);
  }

  override toString(): string {
    const extra = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) extra.push(`numLayers=${this.numLayers}`);
    if (!this.bias) extra.push("bias=false");
    if (this.batchFirst) extra.push("batchFirst=true");
    if (this.dropout) extra.push(`dropout=${this.dropout}`);
    if (this.bidirectional) extra.push("bidirectional=true");
    if (this.projSize) extra.push(`projSize=${this.projSize}`);
    return `${this._name}(${extra.join(", ")})`;
  }
}

/**
 * Elman RNN: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) (or relu). Input `[T, B, I]`
 * (`[B, T, I]` with `batchFirst`, `[T, I]` unbatched, or a PackedSequence); returns
 * `[output, hN]` with output `[T, B, D*H]` and hN `[numLayers*D, B, H]`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const rnn = new nn.RNN(10, 20, 2);
 * const [output, hN] = rnn.forward(randn([5, 3, 10]), randn([2, 3, 20]));
 * console.log(output.shape, hN.shape); // [5, 3, 20] [2, 3, 20]
 * ```
 */
export class RNN extends RNNBase {
  /** "tanh" or "relu". */
  readonly nonlinearity: "tanh" | "relu";

  constructor(
    inputSize: number | RNNOptions,
    hiddenSize?: number | RNNOptions,
    numLayers?: number | RNNOptions,
    options?: RNNOptions,
  ) {
    const opts = [inputSize, hiddenSize, numLayers, options].find((a) => a !== undefined && typeof a === "object") as
      | RNNOptions
      | undefined;
    const nl = opts?.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") {
      throw new RangeError(`nn.RNN: Unknown nonlinearity '${String(nl)}' (expected "tanh" or "relu")`);
    }
    super(nl === "tanh" ? "RNN_TANH" : "RNN_RELU", "RNN", inputSize, hiddenSize, numLayers, options);
    this.nonlinearity = nl;
  }

  /** Runs the RNN; `hx` is `[numLayers*D, B, H]` (zeros when omitted). */
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: RnnInput, hx?: Tensor | null): [RnnInput, Tensor] {
    return this._run(input, hx) as [RnnInput, Tensor];
  }
}

/**
 * Long short-term memory, PyTorch's gate order i, f, g, o (optionally with a projection
 * `projSize`). Returns `[output, [hN, cN]]`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const lstm = new nn.LSTM(10, 20, 2);
 * const [output, [hN, cN]] = lstm.forward(randn([5, 3, 10]), [randn([2, 3, 20]), randn([2, 3, 20])]);
 * console.log(output.shape, hN.shape, cN.shape); // [5, 3, 20] [2, 3, 20] [2, 3, 20]
 * ```
 */
export class LSTM extends RNNBase {
  constructor(
    inputSize: number | LSTMOptions,
    hiddenSize?: number | LSTMOptions,
    numLayers?: number | LSTMOptions,
    options?: LSTMOptions,
  ) {
    super("LSTM", "LSTM", inputSize, hiddenSize, numLayers, options);
  }

  /** Runs the LSTM; `hx` is `[h0, c0]` (zeros when omitted). */
  override forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  override forward(input: PackedSequence, hx?: [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  override forward(input: RnnInput, hx?: [Tensor, Tensor] | null): [RnnInput, [Tensor, Tensor]] {
    return this._run(input, hx) as [RnnInput, [Tensor, Tensor]];
  }
}

/**
 * Gated recurrent unit, PyTorch's gates r, z, n with n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
 * Returns `[output, hN]`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const gru = new nn.GRU(10, 20, 2, { batchFirst: true });
 * const [output, hN] = gru.forward(randn([3, 5, 10]));
 * console.log(output.shape, hN.shape); // [3, 5, 20] [2, 3, 20]
 * ```
 */
export class GRU extends RNNBase {
  constructor(
    inputSize: number | GRUOptions,
    hiddenSize?: number | GRUOptions,
    numLayers?: number | GRUOptions,
    options?: GRUOptions,
  ) {
    super("GRU", "GRU", inputSize, hiddenSize, numLayers, options);
  }

  /** Runs the GRU; `hx` is `[numLayers*D, B, H]` (zeros when omitted). */
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: RnnInput, hx?: Tensor | null): [RnnInput, Tensor] {
    return this._run(input, hx) as [RnnInput, Tensor];
  }
}

function fnConfig(mode: RnnMode, call: string, weights: readonly Tensor[], o: RNNFunctionalOptions): RunConfig {
  const opts = checkOptions<RNNFunctionalOptions>(o, call);
  if (!Array.isArray(weights) || weights.length < 2) {
    throw new TypeError(`${call}: expected weights to be an array of tensors, got ${describe(weights)}`);
  }
  const w0 = tensorArg(weights[0], call, "weights[0]"), w1 = tensorArg(weights[1], call, "weights[1]");
  const G = GATES[mode];
  const hiddenSize = w0.shape[0] / G;
  const bias = checkBool(opts.bias, call, "bias", true);
  const bidirectional = checkBool(opts.bidirectional, call, "bidirectional", false);
  const numLayers = checkInt(opts.numLayers ?? 1, call, "numLayers", 1);
  const P = w1.shape[1];
  const per = 2 + (bias ? 2 : 0) + (P !== hiddenSize ? 1 : 0);
  if (weights.length !== per * numLayers * (bidirectional ? 2 : 1)) {
    throw new RangeError(
      `${call}: expected ${per * numLayers * (bidirectional ? 2 : 1)} weight tensors, got ${weights.length}`,
    );
  }
  return {
    mode,
    numLayers,
    bias,
    batchFirst: checkBool(opts.batchFirst, call, "batchFirst", false),
    dropout: checkDropout(opts.dropout, call),
    training: checkBool(opts.training, call, "training", false),
    bidirectional,
    inputSize: w0.shape[1],
    hiddenSize,
    projSize: P !== hiddenSize ? P : 0,
  };
}

/**
 * Functional LSTM over PyTorch's flat weight list (`[w_ih, w_hh, b_ih, b_hh, (w_hr)]` per layer
 * and direction). Returns `[output, [hN, cN]]`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.LSTM(3, 4);
 * const [out] = nn.functional.lstm(randn([2, 1, 3]), null, m.flatWeights);
 * console.log(out.shape); // [2, 1, 4]
 * ```
 */
export function lstm(
  input: Tensor,
  hx: [Tensor, Tensor] | null,
  weights: readonly Tensor[],
  opts?: RNNFunctionalOptions,
): [Tensor, [Tensor, Tensor]];
export function lstm(
  input: PackedSequence,
  hx: [Tensor, Tensor] | null,
  weights: readonly Tensor[],
  opts?: RNNFunctionalOptions,
): [PackedSequence, [Tensor, Tensor]];
export function lstm(
  input: RnnInput,
  hx: [Tensor, Tensor] | null,
  weights: readonly Tensor[],
  opts: RNNFunctionalOptions = {},
): [RnnInput, [Tensor, Tensor]] {
  return runRnn("lstm", fnConfig("LSTM", "lstm", weights, opts), input, hx, weights) as [
    RnnInput,
    [Tensor, Tensor],
  ];
}

/**
 * Functional GRU over PyTorch's flat weight list. Returns `[output, hN]`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.GRU(3, 4);
 * const [out, hN] = nn.functional.gru(randn([2, 1, 3]), null, m.flatWeights);
 * console.log(out.shape, hN.shape); // [2, 1, 4] [1, 1, 4]
 * ```
 */
export function gru(
  input: Tensor,
  hx: Tensor | null,
  weights: readonly Tensor[],
  opts?: RNNFunctionalOptions,
): [Tensor, Tensor];
export function gru(
  input: PackedSequence,
  hx: Tensor | null,
  weights: readonly Tensor[],
  opts?: RNNFunctionalOptions,
): [PackedSequence, Tensor];
export function gru(
  input: RnnInput,
  hx: Tensor | null,
  weights: readonly Tensor[],
  opts: RNNFunctionalOptions = {},
): [RnnInput, Tensor] {
  return runRnn("gru", fnConfig("GRU", "gru", weights, opts), input, hx, weights) as [RnnInput, Tensor];
}

/**
 * Functional tanh RNN over PyTorch's flat weight list. Returns `[output, hN]`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.RNN(3, 4);
 * const [out] = nn.functional.rnnTanh(randn([2, 1, 3]), null, m.flatWeights);
 * console.log(out.shape); // [2, 1, 4]
 * ```
 */
export function rnnTanh(
  input: Tensor,
  hx: Tensor | null,
  weights: readonly Tensor[],
  opts?: RNNFunctionalOptions,
): [Tensor, Tensor];
export function rnnTanh(
  input: PackedSequence,
  hx: Tensor | null,
  weights: readonly Tensor[],
  opts?: RNNFunctionalOptions,
): [PackedSequence, Tensor];
export function rnnTanh(
  input: RnnInput,
  hx: Tensor | null,
  weights: readonly Tensor[],
  opts: RNNFunctionalOptions = {},
): [RnnInput, Tensor] {
  return runRnn("rnnTanh", fnConfig("RNN_TANH", "rnnTanh", weights, opts), input, hx, weights) as [
    RnnInput,
    Tensor,
  ];
}

/**
 * Functional relu RNN over PyTorch's flat weight list. Returns `[output, hN]`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.RNN(3, 4, { nonlinearity: "relu" });
 * const [out] = nn.functional.rnnRelu(randn([2, 1, 3]), null, m.flatWeights);
 * console.log(out.shape); // [2, 1, 4]
 * ```
 */
export function rnnRelu(
  input: Tensor,
  hx: Tensor | null,
  weights: readonly Tensor[],
  opts?: RNNFunctionalOptions,
): [Tensor, Tensor];
export function rnnRelu(
  input: PackedSequence,
  hx: Tensor | null,
  weights: readonly Tensor[],
  opts?: RNNFunctionalOptions,
): [PackedSequence, Tensor];
export function rnnRelu(
  input: RnnInput,
  hx: Tensor | null,
  weights: readonly Tensor[],
  opts: RNNFunctionalOptions = {},
): [RnnInput, Tensor] {
  return runRnn("rnnRelu", fnConfig("RNN_RELU", "rnnRelu", weights, opts), input, hx, weights) as [
    RnnInput,
    Tensor,
  ];
}
