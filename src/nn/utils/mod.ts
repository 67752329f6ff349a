/**
 * `nn.utils`: gradient clipping, parameter/vector conversion and the packed-sequence helpers of `nn.utils.rnn`.
 *
 * @module
 */

export { clipGradNorm, clipGradNorm_, type ClipGradNormOptions, clipGradValue, clipGradValue_ } from "./clip_grad.ts";
export * as rnn from "./rnn.ts";
export { parametersToVector, vectorToParameters } from "./convert.ts";
