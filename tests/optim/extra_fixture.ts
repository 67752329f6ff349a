/**
 * Reads tests/fixtures/optim_extra/cases.json (made by tools/fixtures/optim_extra.py) and
 * registers the shared replay tests of tests/optim/helpers.ts for NAdam, RAdam, Rprop and ASGD.
 */

import { checkCase, checkNoLeaks, checkRoundTrip, type OptimCase, type OptimizerClass } from "./helpers.ts";

/** The whole fixture file. */
// deno-lint-ignore no-explicit-any
export const EXTRA: Record<string, any> = JSON.parse(
  Deno.readTextFileSync(new URL("../fixtures/optim_extra/cases.json", import.meta.url)),
);

/** The replay cases of one optimizer (`nadam`, `radam`, `rprop`, `asgd`). */
export function extraCases(key: string): OptimCase[] {
  return EXTRA[key];
}

/**
 * Registers each PyTorch case of `key` replayed, and over the `picked` cases a stateDict round
 * trip (break after 2 steps) and a leak check.
 */
export function extraSuite(label: string, Cls: OptimizerClass, key: string, picked: readonly string[]): void {
  const cases = extraCases(key);
  const named = (name: string) => {
    const c = cases.find((c) => c.name === name);
    if (c === undefined) throw new Error(`optim_extra: no fixture case ${name}`);
    return c;
  };
  for (const c of cases) Deno.test(`${label} matches PyTorch: ${c.name}`, () => checkCase(Cls, c));
  Deno.test(`${label} stateDict round trip continues exactly`, () => {
    for (const name of picked) checkRoundTrip(Cls, named(name), 2);
  });
  Deno.test(`${label} steps free their temporaries and keep state through tidy`, () => {
    for (const name of picked) checkNoLeaks(Cls, named(name));
  });
}
