/**
 * Recurrent cells: `RNNCell`, `LSTMCell`, `GRUCell` (one time step, PyTorch's parameter names,
 * shapes, gate order and init) and their functional twins `rnnTanhCell`, `rnnReluCell`,
 * `lstmCell`, `gruCell`. A step is the one-step case of the recurrent layer op, so it is one
 * autograd node with fused native gate kernels.
 *
 * @module
 */

import { type Tensor, zeros } from "../tensor/mod.ts";
import { rnnLayer, type RnnMode } from "../tensor/ops/rnn.ts";
import { describe, fmt } from "../tensor/shape.ts";
import { Module } from "./module.ts";
import type { Parameter } from "./parameter.ts";
import { checkBool, checkDType, checkInt, checkOptions, GATES, tensorArg, uniformParam } from "./rnn.ts";

/** Options of the cells. */
export interface RNNCellOptions {
  /** Learn the biases (default true). */
  bias?: boolean;
  /** RNNCell only: "tanh" (default) or "relu". */
  nonlinearity?: "tanh" | "relu";
  /** The parameters' dtype (default float32). */
  dtype?: "float32" | "float64";
}

/** The checks and the one-step layer call shared by the cells and their functional twins. */
function runCell(
  mode: RnnMode,
  call: string,
  input: Tensor,
  hx: Tensor | [Tensor, Tensor] | null | undefined,
  wIh: Tensor,
  wHh: Tensor,
  bIh: Tensor | null,
  bHh: Tensor | null,
): Tensor | [Tensor, Tensor] {
  const lstm = mode === "LSTM";
  const cellName = call.split(".")[0];
  input = tensorArg(input, call, "input");
  wIh = tensorArg(wIh, call, "wIh");
  wHh = tensorArg(wHh, call, "wHh");
  const G = GATES[mode];
  const H = wHh.shape[1], I = wIh.shape[1];
  if (wIh.ndim !== 2 || wHh.ndim !== 2 || wIh.shape[0] !== G * H || wHh.shape[0] !== G * H) {
    throw new RangeError(
      `${call}: expected wIh [${G}*H, I] and wHh [${G}*H, H], got ${fmt(wIh.shape)} and ${fmt(wHh.shape)}`,
    );
  }
  for (const [b, n] of [[bIh, "bIh"], [bHh, "bHh"]] as const) {
    if (b !== null && (tensorArg(b, call, n).ndim !== 1 || b.shape[0] !== G * H)) {
      throw new RangeError(`${call}: expected ${n} of shape [${G * H}], got ${fmt(b.shape)}`);
    }
  }
  if ((bIh === null) !== (bHh === null)) throw new TypeError(`${call}: pass both biases or neither`);
  if (input.ndim !== 1 && input.ndim !== 2) {
    throw new RangeError(`${call}: ${cellName}: Expected input to be 1-D or 2-D but received ${input.ndim}-D tensor`);
  }
  const batched = input.ndim === 2;
  const x = batched ? input : input.unsqueeze(0);
  if (x.shape[1] !== I) {
    throw new RangeError(`${call}: input has inconsistent input_size: got ${x.shape[1]} expected ${I}`);
  }
  const dtype = wIh.dtype;
  if (x.dtype !== dtype) {
    throw new TypeError(`${call}: expected input of dtype ${dtype} (the parameters' dtype), got ${x.dtype}`);
  }
  const B = x.shape[0];
  const states: Tensor[] = [];
  if (hx !== null && hx !== undefined) {
    const list = lstm ? hx : [hx];
    if (lstm && (!Array.isArray(hx) || hx.length !== 2)) {
      throw new TypeError(`${call}: expected hx to be an array [h0, c0] of two tensors, got ${describe(hx)}`);
    }
    (list as Tensor[]).forEach((h, i) => {
      h = tensorArg(h, call, lstm ? `hx[${i}]` : "hx");
      if (h.ndim !== input.ndim) {
        throw new RangeError(
          `${call}: expected ${lstm ? `hx[${i}]` : "hx"} to be ${input.ndim}-D like the input, got ${h.ndim}-D tensor`,
        );
      }
      const h2 = batched ? h : h.unsqueeze(0);
      if (h2.shape[0] !== B) {
        throw new RangeError(`${call}: Input batch size ${B} doesn't match hidden${i} batch size ${h2.shape[0]}`);
      }
      if (h2.shape[1] !== H) {
        throw new RangeError(`${call}: hidden${i} has inconsistent hidden_size: got ${h2.shape[1]}, expected ${H}`);
      }
      if (h2.dtype !== dtype) {
        throw new TypeError(`${call}: expected hidden${i} of dtype ${dtype} (the parameters' dtype), got ${h2.dtype}`);
      }
      states.push(h2);
    });
  } else {
    states.push(zeros([B, H], { dtype }));
    if (lstm) states.push(zeros([B, H], { dtype }));
  }
  if (B === 0) {
    // An empty batch (PyTorch accepts it): [0, H] results, still connected to the weights.
    const e = x.matmul(wIh.t()).narrow(1, 0, H);
    return lstm ? [e, e.clone()] : e;
  }
  const h0 = states[0].unsqueeze(0);
  const c0 = lstm ? states[1].unsqueeze(0) : null;
  const [out, , cN] = rnnLayer(mode, x, [B], h0, c0, [{ wIh, wHh, bIh, bHh, wHr: null }], call);
  const h = batched ? out : out.squeeze(0);
  if (!lstm) return h;
  const c = cN!.view(batched ? [B, H] : [H]);
  return [h, c];
}

/**
 * The shared base of the cells: weight_ih, weight_hh, bias_ih, bias_hh with PyTorch's shapes.
 *
 * @example
 * ```ts
 * import { nn } from "../../mod.ts";
 * const cell: nn.RNNCellBase = new nn.GRUCell(4, 8);
 * console.log(cell.weight_ih.shape); // [24, 4]
 * ```
 */
export class RNNCellBase extends Module {
  /** Input feature size. */
  readonly inputSize: number;
  /** Hidden state size. */
  readonly hiddenSize: number;
  /** Whether the cell has biases. */
  readonly bias: boolean;
  /** @internal */
  readonly _mode: RnnMode;
  /** @internal */
  readonly _name: string;
  /** [G*H, I] */
  declare weight_ih: Parameter;
  /** [G*H, H] */
  declare weight_hh: Parameter;
  /** [G*H] or null */
  declare bias_ih: Parameter | null;
  /** [G*H] or null */
  declare bias_hh: Parameter | null;

  constructor(
    mode: RnnMode,
    name: string,
    inputSize: number,
    hiddenSize: number,
    options: RNNCellOptions | boolean | undefined,
  ) {
    super();
    const call = `nn.${name}`;
    const opts: RNNCellOptions = typeof options === "boolean" ? { bias: options } : checkOptions(options, call);
    this._mode = mode;
    this._name = name;
    this.inputSize = checkInt(inputSize, call, "inputSize", 0);
    this.hiddenSize = checkInt(hiddenSize, call, "hiddenSize", 1);
    this.bias = checkBool(opts.bias, call, "bias", true);
    const dtype = checkDType(opts.dtype, call);
    const G = GATES[mode], H = this.hiddenSize, k = 1 / Math.sqrt(H);
    if (G * H * Math.max(this.inputSize, H) > 0x7fffffff) {
      throw new RangeError(
        `${call}: a weight of ${G * H * Math.max(this.inputSize, H)} elements exceeds the 2^31-1 supported`,
      );
    }
    this.weight_ih = uniformParam([G * H, this.inputSize], k, dtype);
    this.weight_hh = uniformParam([G * H, H], k, dtype);
    if (this.bias) {
      this.bias_ih = uniformParam([G * H], k, dtype);
      this.bias_hh = uniformParam([G * H], k, dtype);
    } else {
      this.registerParameter("bias_ih", null);
      this.registerParameter("bias_hh", null);
    }
  }

  /** @internal */
  _cell(input: Tensor, hx: Tensor | [Tensor, Tensor] | null | undefined): Tensor | [Tensor, Tensor] {
    const p = (n: string) => this._parameters.get(n) ?? null;
    return runCell(
      this._mode,
      `${this._name}.forward`,
      input,
      hx,
      p("weight_ih")!,
      p("weight_hh")!,
      p("bias_ih"),
      p("bias_hh"),
    );
  }

  override toString(): string {
    return `${this._name}(${this.inputSize}, ${this.hiddenSize}${this.bias ? "" : ", bias=false"})`;
  }
}

/**
 * One Elman RNN step: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu).
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const cell = new nn.RNNCell(10, 20);
 * const h = cell.forward(randn([3, 10]), randn([3, 20]));
 * console.log(h.shape); // [3, 20]
 * ```
 */
export class RNNCell extends RNNCellBase {
  /** "tanh" or "relu". */
  readonly nonlinearity: "tanh" | "relu";

  constructor(inputSize: number, hiddenSize: number, options?: RNNCellOptions | boolean) {
    const nl = (typeof options === "object" && options !== null ? options.nonlinearity : undefined) ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") {
      throw new RangeError(`nn.RNNCell: Unknown nonlinearity '${String(nl)}' (expected "tanh" or "relu")`);
    }
    super(nl === "tanh" ? "RNN_TANH" : "RNN_RELU", "RNNCell", inputSize, hiddenSize, options);
    this.nonlinearity = nl;
  }

  /** One step; `hx` defaults to zeros. Returns h'. */
  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    return this._cell(input, hx) as Tensor;
  }
}

/**
 * One LSTM step (gates i, f, g, o). Returns `[h', c']`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const cell = new nn.LSTMCell(10, 20);
 * const [h, c] = cell.forward(randn([3, 10]), [randn([3, 20]), randn([3, 20])]);
 * console.log(h.shape, c.shape); // [3, 20] [3, 20]
 * ```
 */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, options?: RNNCellOptions | boolean) {
    super("LSTM", "LSTMCell", inputSize, hiddenSize, options);
  }

  /** One step; `hx = [h, c]` defaults to zeros. Returns `[h', c']`. */
  override forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    return this._cell(input, hx) as [Tensor, Tensor];
  }
}

/**
 * One GRU step (gates r, z, n). Returns h'.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const cell = new nn.GRUCell(10, 20);
 * console.log(cell.forward(randn([3, 10])).shape); // [3, 20]
 * ```
 */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, options?: RNNCellOptions | boolean) {
    super("GRU", "GRUCell", inputSize, hiddenSize, options);
  }

  /** One step; `hx` defaults to zeros. Returns h'. */
  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    return this._cell(input, hx) as Tensor;
  }
}

/**
 * Functional LSTM cell (PyTorch's `torch.lstm_cell`): returns `[h', c']`.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.LSTMCell(3, 4);
 * const [h, c] = nn.functional.lstmCell(randn([2, 3]), null, m.weight_ih, m.weight_hh, m.bias_ih, m.bias_hh);
 * console.log(h.shape, c.shape); // [2, 4] [2, 4]
 * ```
 */
export function lstmCell(
  input: Tensor,
  hx: [Tensor, Tensor] | null,
  wIh: Tensor,
  wHh: Tensor,
  bIh: Tensor | null = null,
  bHh: Tensor | null = null,
): [Tensor, Tensor] {
  return runCell("LSTM", "lstmCell", input, hx, wIh, wHh, bIh, bHh) as [Tensor, Tensor];
}

/**
 * Functional GRU cell (PyTorch's `torch.gru_cell`): returns h'.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.GRUCell(3, 4);
 * console.log(nn.functional.gruCell(randn([2, 3]), null, m.weight_ih, m.weight_hh).shape); // [2, 4]
 * ```
 */
export function gruCell(
  input: Tensor,
  hx: Tensor | null,
  wIh: Tensor,
  wHh: Tensor,
  bIh: Tensor | null = null,
  bHh: Tensor | null = null,
): Tensor {
  return runCell("GRU", "gruCell", input, hx, wIh, wHh, bIh, bHh) as Tensor;
}

/**
 * Functional tanh RNN cell (PyTorch's `torch.rnn_tanh_cell`): returns h'.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.RNNCell(3, 4);
 * console.log(nn.functional.rnnTanhCell(randn([2, 3]), null, m.weight_ih, m.weight_hh).shape); // [2, 4]
 * ```
 */
export function rnnTanhCell(
  input: Tensor,
  hx: Tensor | null,
  wIh: Tensor,
  wHh: Tensor,
  bIh: Tensor | null = null,
  bHh: Tensor | null = null,
): Tensor {
  return runCell("RNN_TANH", "rnnTanhCell", input, hx, wIh, wHh, bIh, bHh) as Tensor;
}

/**
 * Functional relu RNN cell (PyTorch's `torch.rnn_relu_cell`): returns h'.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const m = new nn.RNNCell(3, 4, { nonlinearity: "relu" });
 * console.log(nn.functional.rnnReluCell(randn([2, 3]), null, m.weight_ih, m.weight_hh).shape); // [2, 4]
 * ```
 */
export function rnnReluCell(
  input: Tensor,
  hx: Tensor | null,
  wIh: Tensor,
  wHh: Tensor,
  bIh: Tensor | null = null,
  bHh: Tensor | null = null,
): Tensor {
  return runCell("RNN_RELU", "rnnReluCell", input, hx, wIh, wHh, bIh, bHh) as Tensor;
}
