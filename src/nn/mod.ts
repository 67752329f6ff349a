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
  ELU,
  type EluOptions,
  Hardtanh,
  type HardtanhOptions,
  type InplaceOptions,
  LeakyReLU,
  type LeakyReluOptions,
  LogSigmoid,
  LogSoftmax,
  PReLU,
  type PReLUOptions,
  ReLU,
  ReLU6,
  Sigmoid,
  Softmax,
  Softmax2d,
  type SoftmaxOptions,
  Softmin,
  Softplus,
  type SoftplusOptions,
  Softshrink,
  type SoftshrinkOptions,
  Softsign,
  Tanh,
  Tanhshrink,
  Threshold,
  type ThresholdOptions,
} from "./activation.ts";
export { BatchNorm1d, BatchNorm2d, BatchNorm3d, BatchNormNd, type BatchNormOptions } from "./batchnorm.ts";
export {
  BCELoss,
  BCEWithLogitsLoss,
  type BCEWithLogitsLossOptions,
  CrossEntropyLoss,
  type CrossEntropyLossOptions,
  KLDivLoss,
  type KLDivLossOptions,
  L1Loss,
  Loss,
  MSELoss,
  NLLLoss,
  NLLLoss2d,
  type NLLLossOptions,
  type Reduction,
  type ReductionOptions,
  SmoothL1Loss,
  type SmoothL1LossOptions,
  WeightedLoss,
  type WeightedLossOptions,
} from "./loss.ts";
export {
  CosineEmbeddingLoss,
  HingeEmbeddingLoss,
  type MarginLossOptions,
  MarginRankingLoss,
  MultiLabelMarginLoss,
  MultiLabelSoftMarginLoss,
  MultiMarginLoss,
  type MultiMarginLossOptions,
  SoftMarginLoss,
} from "./loss_margin.ts";
export { PairwiseDistance, type PairwiseDistanceOptions } from "./distance.ts";
export {
  ConstantPad1d,
  ConstantPad2d,
  ConstantPad3d,
  type PadMode,
  type PadOptions,
  ReflectionPad1d,
  ReflectionPad2d,
  ReflectionPad3d,
  ReplicationPad1d,
  ReplicationPad2d,
  ReplicationPad3d,
  ZeroPad2d,
} from "./padding.ts";
export {
  GRU,
  type GRUOptions,
  LSTM,
  type LSTMOptions,
  RNN,
  RNNBase,
  type RNNBaseOptions,
  type RNNOptions,
} from "./rnn.ts";
export { GRUCell, LSTMCell, RNNCell, RNNCellBase, type RNNCellOptions } from "./rnn_cell.ts";
export { PackedSequence } from "./utils/rnn.ts";
export {
  Conv1d,
  Conv2d,
  Conv3d,
  ConvNdBase,
  type ConvOptions,
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  type ConvTransposeOptions,
  type PaddingMode,
} from "./conv.ts";
export {
  AvgPool1d,
  AvgPool2d,
  AvgPool3d,
  type AvgPoolOptions,
  LPPool1d,
  LPPool2d,
  type LPPoolOptions,
  MaxPool1d,
  MaxPool2d,
  MaxPool3d,
  type MaxPoolOptions,
  MaxUnpool1d,
  MaxUnpool2d,
  MaxUnpool3d,
  type MaxUnpoolOptions,
  type PoolResult,
} from "./pooling.ts";
export { FractionalMaxPool2d, FractionalMaxPool3d, type FractionalMaxPoolOptions } from "./fractional_pooling.ts";
export {
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveAvgPool3d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  AdaptiveMaxPool3d,
  type AdaptiveMaxPoolOptions,
  type AdaptiveSize,
} from "./adaptive_pooling.ts";
export {
  type InterpolateMode,
  type InterpolateOptions,
  PixelShuffle,
  PixelUnshuffle,
  Upsample,
  UpsamplingBilinear2d,
  UpsamplingNearest2d,
  type UpsamplingOptions,
} from "./vision.ts";
export * as functional from "./functional.ts";
export * as utils from "./utils/mod.ts";
export {
  MultiheadAttention,
  type MultiheadAttentionForwardOptions,
  type MultiheadAttentionOptions,
} from "./attention.ts";
export {
  GaussianNLLLoss,
  type GaussianNLLLossOptions,
  HuberLoss,
  type HuberLossOptions,
  PoissonNLLLoss,
  type PoissonNLLLossOptions,
} from "./loss_regression.ts";
export {
  type DistanceFunction,
  TripletMarginLoss,
  type TripletMarginLossOptions,
  TripletMarginWithDistanceLoss,
  type TripletMarginWithDistanceLossOptions,
} from "./loss_margin.ts";
export { CosineSimilarity, type CosineSimilarityOptions } from "./distance.ts";
export {
  GroupNorm,
  type GroupNormOptions,
  LayerNorm,
  type LayerNormOptions,
  LocalResponseNorm,
  type LocalResponseNormOptions,
  type NormDType,
} from "./normalization.ts";
export {
  InstanceNorm1d,
  InstanceNorm2d,
  InstanceNorm3d,
  InstanceNormNd,
  type InstanceNormOptions,
} from "./instancenorm.ts";
export { Fold, type FoldOptions, type IntOrPair, Unfold } from "./fold.ts";
export {
  CELU,
  type CeluOptions,
  GELU,
  type GeluApproximate,
  type GeluOptions,
  GLU,
  type GluOptions,
  Hardshrink,
  type HardshrinkOptions,
  Hardsigmoid,
  Hardswish,
  Mish,
  SELU,
  SiLU,
} from "./activation_ext.ts";
export {
  EmbeddingBag,
  type EmbeddingBagFromPretrainedOptions,
  type EmbeddingBagMode,
  type EmbeddingBagOptions,
} from "./sparse.ts";
export * as init from "./init.ts";
export {
  Transformer,
  type TransformerActivation,
  TransformerDecoder,
  type TransformerDecoderForwardOptions,
  TransformerDecoderLayer,
  type TransformerDecoderOptions,
  TransformerEncoder,
  type TransformerEncoderForwardOptions,
  TransformerEncoderLayer,
  type TransformerEncoderLayerForwardOptions,
  type TransformerEncoderOptions,
  type TransformerForwardOptions,
  type TransformerLayerOptions,
  type TransformerOptions,
} from "./transformer.ts";
export { AlphaDropout, Dropout1d, FeatureAlphaDropout } from "./dropout.ts";
export { Bilinear, type BilinearOptions } from "./linear.ts";
export {
  isLazy,
  LazyBatchNorm1d,
  LazyBatchNorm2d,
  LazyBatchNorm3d,
  LazyConv1d,
  LazyConv2d,
  LazyConv3d,
  LazyConvTranspose1d,
  LazyConvTranspose2d,
  LazyConvTranspose3d,
  LazyInstanceNorm1d,
  LazyInstanceNorm2d,
  LazyInstanceNorm3d,
  LazyLinear,
  UninitializedBuffer,
  type UninitializedOptions,
  UninitializedParameter,
} from "./lazy.ts";
export { ChannelShuffle } from "./vision.ts";
export {
  type AffineGridOptions,
  type GridSampleMode,
  type GridSampleOptions,
  type GridSamplePaddingMode,
} from "./grid_sample.ts";
export { type CTCLengths, CTCLoss, type CTCLossOptions } from "./loss_ctc.ts";
export { AdaptiveLogSoftmaxWithLoss, type AdaptiveLogSoftmaxWithLossOptions, type ASMOutput } from "./adaptive.ts";
export { RReLU, type RreluOptions } from "./activation_ext.ts";
export { CrossMapLRN2d } from "./normalization.ts";
export { type DictInit, ModuleDict, ParameterDict } from "./container.ts";
export type { LoadStateDictPostHook } from "./module.ts";
