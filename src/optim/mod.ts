/**
 * `optim`: the optimizer base class and the optimizers.
 *
 * @module
 */

export {};
