/**
 * `nn`: modules, containers, layers, `nn.functional` and `nn.utils`.
 *
 * @module
 */

export { type BackwardHook, type ForwardHook, type ForwardPreHook, type LoadResult, Module } from "./module.ts";
export { Parameter } from "./parameter.ts";
export * as functional from "./functional.ts";
export * as utils from "./utils/mod.ts";
