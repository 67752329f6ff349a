/**
 * `nn.functional`: the stateless twin of every layer. Each twin lives in its family's file
 * beside the module class; this file only re-exports them.
 *
 * @module
 */

export {
  elu,
  elu_,
  hardtanh,
  hardtanh_,
  implicitSoftmaxDim,
  leakyRelu,
  leakyRelu_,
  logSigmoid,
  logsigmoid,
  logSoftmax,
  prelu,
  relu,
  relu6,
  relu_,
  sigmoid,
  softmax,
  softmin,
  softplus,
  softshrink,
  softsign,
  tanh,
  tanhshrink,
  threshold,
  threshold_,
} from "./activation.ts";
export { batchNorm, type BatchNormFnOptions } from "./batchnorm.ts";
export {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  klDiv,
  l1Loss,
  mseLoss,
  nllLoss,
  type Reduction,
  type ReductionOptions,
  smoothL1Loss,
} from "./loss.ts";
export {
  cosineEmbeddingLoss,
  hingeEmbeddingLoss,
  marginRankingLoss,
  multilabelMarginLoss,
  multilabelSoftMarginLoss,
  multiMarginLoss,
  softMarginLoss,
} from "./loss_margin.ts";
export { cosineSimilarity, type CosineSimilarityOptions, pairwiseDistance } from "./distance.ts";
export { linear } from "./linear.ts";
export { dropout, dropout2d, dropout3d, type DropoutFnOptions } from "./dropout.ts";
export { embedding, type EmbeddingFnOptions } from "./sparse.ts";
export { gru, lstm, type RNNFunctionalOptions, rnnRelu, rnnTanh } from "./rnn.ts";
export { gruCell, lstmCell, rnnReluCell, rnnTanhCell } from "./rnn_cell.ts";
export {
  conv1d,
  conv2d,
  conv3d,
  type ConvFnOptions,
  convTranspose1d,
  convTranspose2d,
  convTranspose3d,
  type ConvTransposeFnOptions,
} from "./conv.ts";
export {
  avgPool1d,
  avgPool2d,
  avgPool3d,
  lpPool1d,
  lpPool2d,
  maxPool1d,
  maxPool2d,
  maxPool3d,
  maxUnpool1d,
  maxUnpool2d,
  maxUnpool3d,
  type MaxUnpoolFnOptions,
} from "./pooling.ts";
export { fractionalMaxPool2d, fractionalMaxPool3d } from "./fractional_pooling.ts";
export {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
} from "./adaptive_pooling.ts";
export { interpolate, pixelShuffle, pixelUnshuffle, upsample, upsampleBilinear, upsampleNearest } from "./vision.ts";
export { pad, type PadMode, type PadOptions } from "./padding.ts";
export { gaussianNllLoss, huberLoss, poissonNllLoss } from "./loss_regression.ts";
export { tripletMarginLoss, tripletMarginWithDistanceLoss } from "./loss_margin.ts";
export {
  groupNorm,
  type GroupNormFnOptions,
  layerNorm,
  type LayerNormFnOptions,
  localResponseNorm,
  normalize,
  type NormalizeOptions,
} from "./normalization.ts";
export { instanceNorm, type InstanceNormFnOptions } from "./instancenorm.ts";
export { fold, unfold } from "./fold.ts";
export {
  celu,
  celu_,
  gelu,
  glu,
  hardshrink,
  hardsigmoid,
  hardswish,
  mish,
  selu,
  selu_,
  silu,
} from "./activation_ext.ts";
export { embeddingBag, type EmbeddingBagFnOptions } from "./sparse.ts";
export { alphaDropout, dropout1d, featureAlphaDropout } from "./dropout.ts";
export { bilinear } from "./linear.ts";
export { oneHot } from "./sparse.ts";
export { channelShuffle } from "./vision.ts";
export { affineGrid, gridSample } from "./grid_sample.ts";
export { ctcLoss } from "./loss_ctc.ts";
export { gumbelSoftmax, type GumbelSoftmaxOptions, rrelu, rrelu_ } from "./activation_ext.ts";
export { pdist } from "./distance.ts";
export { multiHeadAttentionForward, type MultiHeadAttentionForwardFnOptions } from "./attention.ts";
