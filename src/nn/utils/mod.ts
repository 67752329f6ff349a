/**
 * `nn.utils`: gradient clipping and the packed-sequence helpers of `nn.utils.rnn`.
 *
 * @module
 */

export {};
