/**
 * denotorch: PyTorch's `torch.nn` for Deno.
 *
 * ```ts
 * import { nn, optim, tensor } from "jsr:@denotorch/torch";
 * ```
 *
 * Tensors and autograd in TypeScript; the arithmetic in libdenotorch (C, OpenMP, OpenBLAS),
 * loaded through Deno's FFI. Build the library once with `deno task build`.
 *
 * @module
 */

export * from "./src/tensor/mod.ts";
export * as nn from "./src/nn/mod.ts";
export * as optim from "./src/optim/mod.ts";
export * as autograd from "./src/autograd/mod.ts";
export { enableGrad, isGradEnabled, noGrad } from "./src/autograd/grad_mode.ts";
export {
  deserialize,
  load,
  readMetadata,
  type SafetensorsOptions,
  save,
  serialize,
} from "./src/serialization/safetensors.ts";
