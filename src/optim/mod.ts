/**
 * `optim`: the optimizer base class and the optimizers.
 *
 * @module
 */

export {
  Optimizer,
  type OptimizerStateDict,
  type OptionValue,
  type ParamGroup,
  type ParamGroupSpec,
  type Params,
  type ParamState,
} from "./optimizer.ts";
export { SGD, type SGDOptions } from "./sgd.ts";
export { Adam, type AdamOptions } from "./adam.ts";
export { AdamW } from "./adamw.ts";
export { RMSprop, type RMSpropOptions } from "./rmsprop.ts";
export { Adagrad, type AdagradOptions } from "./adagrad.ts";
export { Adadelta, type AdadeltaOptions } from "./adadelta.ts";
export { Adamax, type AdamaxOptions } from "./adamax.ts";
export { NAdam, type NAdamOptions } from "./nadam.ts";
export { RAdam, type RAdamOptions } from "./radam.ts";
export { Rprop, type RpropOptions } from "./rprop.ts";
export { ASGD, type ASGDOptions } from "./asgd.ts";
export { LBFGS, type LBFGSOptions, type LBFGSState } from "./lbfgs.ts";
export * as lrScheduler from "./lr_scheduler.ts";
