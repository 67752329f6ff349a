/**
 * Finds and opens libdenotorch with plug's resolution order, minus the download:
 *
 * 1. `DENOTORCH_LIB`, when the env permission for it is already granted (queried first, so
 *    a sandboxed program is never prompted);
 * 2. the local build, `native/build/<lib>` relative to this file, when it is a `file:` URL;
 * 3. the cache directory, `$DENOTORCH_CACHE` or `$XDG_CACHE_HOME/denotorch` or
 *    `$HOME/.cache/denotorch`, where a published package would put a prebuilt library.
 *
 * Each failure gets its own error: not built, `--allow-ffi` not granted, a symbol missing.
 *
 * @module
 */

import { symbols } from "./symbols.ts";

/** The file name of the shared library on this platform. */
export function libraryFileName(os: string = Deno.build.os): string {
  if (os === "windows") return "denotorch.dll";
  if (os === "darwin") return "libdenotorch.dylib";
  return "libdenotorch.so";
}

function envIfGranted(name: string): string | undefined {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") return undefined;
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

function exists(path: string): boolean | undefined {
  try {
    if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return undefined;
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    return undefined;
  }
}

/** Where a library may be found, in the order they are tried. */
export function candidatePaths(): { path: string; origin: string }[] {
  const file = libraryFileName();
  const out: { path: string; origin: string }[] = [];
  const override = envIfGranted("DENOTORCH_LIB");
  if (override) out.push({ path: override, origin: "DENOTORCH_LIB" });
  const here = new URL(import.meta.url);
  if (here.protocol === "file:") {
    out.push({ path: decodeURIComponent(new URL(`../../native/build/${file}`, here).pathname), origin: "local build" });
  }
  const cacheRoot = envIfGranted("DENOTORCH_CACHE") ??
    (envIfGranted("XDG_CACHE_HOME") ? `${envIfGranted("XDG_CACHE_HOME")}/denotorch` : undefined) ??
    (envIfGranted("HOME") ? `${envIfGranted("HOME")}/.cache/denotorch` : undefined);
  if (cacheRoot) out.push({ path: `${cacheRoot}/${file}`, origin: "cache directory" });
  return out;
}

/** The opened library, with the path it came from. */
export interface LoadedLibrary {
  lib: Deno.DynamicLibrary<typeof symbols>;
  path: string;
}

/**
 * Opens the library from an explicit path, or from the first candidate that exists.
 * Throws an Error that says what to do: build it, grant `--allow-ffi`, or rebuild when a
 * symbol is missing.
 */
export function openLibrary(explicitPath?: string): LoadedLibrary {
  const candidates = explicitPath ? [{ path: explicitPath, origin: "argument" }] : candidatePaths();
  if (candidates.length === 0) {
    throw new Error(
      "denotorch: cannot locate libdenotorch: no DENOTORCH_LIB, no local build and no cache directory. " +
        "Build it with `deno task build`, or set DENOTORCH_LIB to its path.",
    );
  }
  // An explicit path (argument or DENOTORCH_LIB) is used as given: silently falling back to
  // another build would run code the user did not ask for.
  const explicit = candidates[0].origin === "argument" || candidates[0].origin === "DENOTORCH_LIB";
  if (explicit && exists(candidates[0].path) === false) {
    throw new Error(
      `denotorch: the native library is not built: ${candidates[0].origin} points to ${candidates[0].path}, ` +
        "which does not exist. Run `deno task build` (needs CMake and a C compiler), or point " +
        `${candidates[0].origin === "argument" ? "the argument" : "DENOTORCH_LIB"} at an existing build.`,
    );
  }
  // Otherwise the first candidate known to exist; an unknown (unreadable) one is still tried.
  const chosen = explicit ? candidates[0] : candidates.find((c) => exists(c.path) === true) ??
    candidates.find((c) => exists(c.path) === undefined);
  if (!chosen) {
    const list = candidates.map((c) => `${c.path} (${c.origin})`).join(", ");
    throw new Error(
      `denotorch: the native library is not built: none of ${list} exists. ` +
        "Run `deno task build` (needs CMake and a C compiler), or set DENOTORCH_LIB to the library's path.",
    );
  }
  const ffi = Deno.permissions.querySync({ name: "ffi", path: chosen.path }).state;
  if (ffi !== "granted") {
    throw new Error(
      `denotorch: FFI permission is required to load the native library. ` +
        `Run Deno with --allow-ffi=${chosen.path} (and --allow-read=${chosen.path}).`,
    );
  }
  try {
    return { lib: Deno.dlopen(chosen.path, symbols), path: chosen.path };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const missing = /symbol|undefined/i.test(msg) && !/No such file|cannot open/i.test(msg);
    throw new Error(
      missing
        ? `denotorch: ${chosen.path} (${chosen.origin}) lacks a symbol the bindings need (${msg}); ` +
          "it is older than these bindings: rebuild it with `deno task build`."
        : `denotorch: failed to load ${chosen.path} (${chosen.origin}): ${msg}. ` +
          "Rebuild it with `deno task build`, or point DENOTORCH_LIB at a working build.",
      { cause: e },
    );
  }
}
