/**
 * `nn.functional`: the stateless twin of every layer. Each twin lives in its family's file
 * beside the module class; this file only re-exports them.
 *
 * @module
 */

export { relu } from "../tensor/ops/elementwise.ts";
export { linear } from "./linear.ts";
export { dropout, dropout2d, dropout3d, type DropoutFnOptions } from "./dropout.ts";
export { embedding, type EmbeddingFnOptions } from "./sparse.ts";
export {
  gru,
  gruCell,
  lstm,
  lstmCell,
  rnnRelu,
  rnnReluCell,
  rnnTanh,
  rnnTanhCell,
  type RNNFunctionalOptions,
} from "./rnn.ts";
