/**
 * `nn`: modules, containers, layers, `nn.functional` and `nn.utils`.
 *
 * @module
 */

export { type BackwardHook, type ForwardHook, type ForwardPreHook, type LoadResult, Module } from "./module.ts";
export { Parameter } from "./parameter.ts";
export { ModuleList, ParameterList, Sequential } from "./container.ts";
export { Identity, Linear, type LinearOptions } from "./linear.ts";
export { Flatten, type FlattenOptions, Unflatten } from "./flatten.ts";
export { Dropout, Dropout2d, Dropout3d, type DropoutOptions } from "./dropout.ts";
export { Embedding, type EmbeddingOptions, type FromPretrainedOptions } from "./sparse.ts";
export { DataParallel, type DataParallelOptions } from "./parallel.ts";
export {
  GRU,
  GRUCell,
  type GRUOptions,
  LSTM,
  LSTMCell,
  type LSTMOptions,
  RNN,
  RNNBase,
  type RNNBaseOptions,
  RNNCell,
  RNNCellBase,
  type RNNCellOptions,
  type RNNOptions,
} from "./rnn.ts";
export { PackedSequence } from "./utils/rnn.ts";
export * as functional from "./functional.ts";
export * as utils from "./utils/mod.ts";
