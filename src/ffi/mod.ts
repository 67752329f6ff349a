/**
 * The native library, opened once at module scope, and the status-to-exception mapping.
 * Only src/backend imports this module.
 *
 * @module
 */

import { openLibrary } from "./loader.ts";
import type { Symbols } from "./symbols.ts";

export { candidatePaths, libraryFileName, openLibrary } from "./loader.ts";
export { symbols } from "./symbols.ts";
export type { Symbols } from "./symbols.ts";

const loaded = openLibrary();

/** The callable symbols of libdenotorch. */
export const native: Symbols = loaded.lib.symbols;
/** The path the library was loaded from. */
export const libraryPath: string = loaded.path;

/** Status codes of `dt_status` in denotorch.h. */
export const Status = {
  OK: 0,
  ARG: 1,
  DTYPE: 2,
  INDEX: 3,
  MEMORY: 4,
  DEVICE: 5,
  UNSUPPORTED: 6,
} as const;

/** The thread-local message of the last failed native call. */
export function lastError(): string {
  const p = native.dt_last_error();
  return p === null ? "" : Deno.UnsafePointerView.getCString(p);
}

/**
 * Throws the Error for a non-zero status: RangeError for bad arguments and indices,
 * TypeError for unsupported dtypes, Error otherwise. `call` names the public operation.
 */
export function check(status: number, call: string): void {
  if (status === 0) return;
  const message = `${call}: ${lastError() || `native status ${status}`}`;
  if (status === Status.ARG || status === Status.INDEX) throw new RangeError(message);
  if (status === Status.DTYPE) throw new TypeError(message);
  throw new Error(message);
}
