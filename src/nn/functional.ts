/**
 * `nn.functional`: the stateless twin of every layer. Each twin lives in its family's file
 * beside the module class; this file only re-exports them.
 *
 * @module
 */

export { relu } from "../tensor/ops/elementwise.ts";
