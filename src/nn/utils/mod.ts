/**
 * `nn.utils`: gradient clipping, parameter/vector conversion, weight and spectral norm,
 * parametrizations (`parametrize`) and the packed-sequence helpers of `nn.utils.rnn`.
 *
 * @module
 */

export { clipGradNorm, clipGradNorm_, type ClipGradNormOptions, clipGradValue, clipGradValue_ } from "./clip_grad.ts";
export * as rnn from "./rnn.ts";
export { parametersToVector, vectorToParameters } from "./convert.ts";
export { removeWeightNorm, weightNorm, type WeightNormed, type WeightNormOptions } from "./weight_norm.ts";
export { removeSpectralNorm, spectralNorm, type SpectralNormed, type SpectralNormOptions } from "./spectral_norm.ts";
export * as parametrize from "./parametrize.ts";
