/**
 * `DataParallel`: PyTorch's single-process data parallelism. It scatters the batch along
 * `dim` into one chunk per device, runs a replica of the module on each, and gathers the
 * outputs on `outputDevice`. denotorch runs on one CPU device, where scatter and gather are
 * the identity: the wrapper forwards to its module, and keeps PyTorch's `module.` prefix in
 * the state dict, so checkpoints of DataParallel models load unchanged.
 *
 * @module
 */

import { describe } from "../tensor/shape.ts";
import { Module } from "./module.ts";

/** Options of `nn.DataParallel`. */
export interface DataParallelOptions {
  /** Devices to replicate on: CUDA indices (0, 1, ...) or "cuda:N" need a CUDA build; "cpu" or none run on the CPU. */
  deviceIds?: readonly (number | string)[] | null;
  /** Where outputs are gathered (default deviceIds[0]). */
  outputDevice?: number | string | null;
  /** The batch dimension inputs are scattered along (default 0). */
  dim?: number;
}

function noCudaError(call: string, device: number | string): Error {
  const name = typeof device === "number" ? `cuda:${device}` : device;
  return new Error(
    `${call}: cannot use device ${name}: this libdenotorch was built without CUDA, so DataParallel runs on the CPU ` +
      "only (leave deviceIds unset). Rebuild with `cmake -S native -B native/build -DDT_CUDA=ON` on a machine with " +
      "the CUDA toolkit to use GPUs.",
  );
}

function checkDevice(d: unknown, call: string, what: string): void {
  if (d === "cpu") return;
  if ((typeof d === "number" && Number.isInteger(d) && d >= 0) || (typeof d === "string" && /^cuda(:\d+)?$/.test(d))) {
    throw noCudaError(call, d as number | string);
  }
  throw new TypeError(`${call}: expected ${what} to be a device index, "cuda:N" or "cpu", got ${describe(d)}`);
}

/**
 * Wraps a module for data parallelism. On the CPU (no `deviceIds`), `forward` calls the
 * wrapped module with the same arguments; the module is registered as `module`, so state
 * dict keys are prefixed `module.` as in PyTorch. Naming CUDA devices throws an error that
 * says this build has no CUDA.
 *
 * @example
 * ```ts
 * import { nn, randn } from "../../mod.ts";
 * const net = new nn.DataParallel(new nn.Linear(4, 2));
 * console.log(net.forward(randn([8, 4])).shape); // [8, 2]
 * console.log(Object.keys(net.stateDict())); // ["module.weight", "module.bias"]
 * ```
 */
export class DataParallel extends Module {
  /** The wrapped module. */
  declare module: Module;
  /** The devices replicas run on (empty on the CPU). */
  deviceIds: (number | string)[];
  /** Where outputs are gathered ("cpu" on the CPU). */
  outputDevice: number | string;
  /** The dimension inputs are scattered along. */
  dim: number;

  constructor(module: Module, opts: DataParallelOptions = {}) {
    super();
    const call = "DataParallel";
    if (!(module instanceof Module)) {
      throw new TypeError(`${call}: expected module to be a Module, got ${describe(module)}`);
    }
    if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
      throw new TypeError(
        `${call}: expected an options object { deviceIds, outputDevice, dim }, got ${describe(opts)}`,
      );
    }
    const ids = opts.deviceIds ?? [];
    if (!Array.isArray(ids)) throw new TypeError(`${call}: expected deviceIds to be an array, got ${describe(ids)}`);
    ids.forEach((d, i) => checkDevice(d, call, `deviceIds[${i}]`));
    const out = opts.outputDevice ?? null;
    if (out !== null) checkDevice(out, call, "outputDevice");
    const dim = opts.dim ?? 0;
    if (typeof dim !== "number" || !Number.isInteger(dim)) {
      throw new TypeError(`${call}: expected dim to be an integer, got ${describe(dim)}`);
    }
    this.module = module;
    this.deviceIds = [];
    this.outputDevice = "cpu";
    this.dim = dim;
  }

  /**
   * Runs the wrapped module. With one CPU device, scattering the inputs along `dim` gives one
   * chunk (the inputs themselves) and gathering one output is the output itself.
   */
  // deno-lint-ignore no-explicit-any
  override forward(...inputs: any[]): any {
    return this.module.forward(...inputs);
  }
}
