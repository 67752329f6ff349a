/**
 * Process-wide settings and statistics: threads and memory.
 *
 * @module
 */

import * as cpu from "../backend/cpu.ts";
import { cpuMemory, type MemoryInfo } from "../backend/storage.ts";
import { noCuda } from "./ops/convert.ts";

export type { MemoryInfo };

/**
 * Bytes and tensors alive on a device. Disposed and garbage-collected tensors are not
 * counted. A tensor the garbage collector reclaimed leaves the counts when its cleanup
 * callback runs, between turns of the event loop: inside one long synchronous loop that never
 * disposes, the counts keep growing although the memory itself is already reclaimed.
 *
 * @example
 * ```ts
 * import { memory, zeros } from "../../mod.ts";
 * const before = memory().bytesInUse;
 * const t = zeros([256]);
 * console.log(memory().bytesInUse - before); // 1024
 * t.dispose();
 * ```
 */
export function memory(device: string = "cpu"): MemoryInfo {
  if (device === "cpu") return cpuMemory();
  if (/^cuda(:\d+)?$/.test(device)) throw noCuda("memory", device);
  throw new TypeError(`memory: unknown device ${JSON.stringify(device)}; expected "cpu" or "cuda:N"`);
}

/**
 * Sets the number of threads the kernels (OpenMP and BLAS) use.
 *
 * @example
 * ```ts
 * import { getNumThreads, setNumThreads } from "../../mod.ts";
 * setNumThreads(1);
 * console.log(getNumThreads()); // 1
 * ```
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  cpu.setNumThreads(n);
}

/**
 * The number of threads the kernels use (by default, the number of cores).
 *
 * @example
 * ```ts
 * import { getNumThreads } from "../../mod.ts";
 * console.log(getNumThreads() >= 1); // true
 * ```
 */
export function getNumThreads(): number {
  return cpu.getNumThreads();
}
