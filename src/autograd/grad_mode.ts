/**
 * Whether operations record a graph. `noGrad` switches recording off for a callback.
 *
 * @module
 */

let enabled = true;

/**
 * True while operations record the autograd graph.
 *
 * @example
 * ```ts
 * import { isGradEnabled, noGrad } from "../../mod.ts";
 * console.log(isGradEnabled(), noGrad(() => isGradEnabled())); // true false
 * ```
 */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Sets grad mode and returns the previous mode (internal; prefer `noGrad`). */
export function setGradEnabled(mode: boolean): boolean {
  const prev = enabled;
  enabled = mode;
  return prev;
}

/**
 * Runs `fn` without recording the autograd graph, like `with torch.no_grad():`.
 *
 * @example
 * ```ts
 * import { noGrad, ones } from "../../mod.ts";
 * const w = ones([2], { requiresGrad: true });
 * const y = noGrad(() => w.mul(2));
 * console.log(y.requiresGrad); // false
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  const prev = setGradEnabled(false);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}

/**
 * Runs `fn` with grad mode on (inside a `noGrad`, for example).
 *
 * @example
 * ```ts
 * import { enableGrad, noGrad, tensor } from "../../mod.ts";
 * const x = tensor([1, 2], { requiresGrad: true });
 * const y = noGrad(() => enableGrad(() => x.mul(2)));
 * console.log(y.requiresGrad); // true
 * ```
 */
export function enableGrad<T>(fn: () => T): T {
  const prev = setGradEnabled(true);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}
