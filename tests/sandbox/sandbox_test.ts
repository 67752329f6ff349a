/**
 * Sandboxed use (issue 8): a real training run in a child process granted only
 * `--allow-ffi=<library> --allow-read=<project>` (no env, net, write or run permission, and
 * `--no-prompt`, so an unexpected permission request fails instead of waiting), the error a
 * run without `--allow-ffi` gets, and a user's own `deno test --sanitize-ops
 * --sanitize-resources` suite that imports denotorch and trains inside a test.
 *
 * The sandboxed child cannot read DENOTORCH_LIB (env is denied), so it finds the library the
 * way a user's checkout does: `native/build/` next to the sources. The test lays out such a
 * checkout in a temporary directory (mod.ts, src/ and the library this run uses).
 */
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const libName = Deno.build.os === "darwin" ? "libdenotorch.dylib" : "libdenotorch.so";
/** The library this test run uses (DENOTORCH_LIB, else the local build). */
const lib = Deno.env.get("DENOTORCH_LIB") || `${root}/native/build/${libName}`;
const dec = new TextDecoder();

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    else if (e.isFile) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

/** A throwaway checkout: mod.ts, deno.json, src/, the library in native/build/ and the child script. */
async function makeCheckout(): Promise<string> {
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "dt_sandbox_" });
  await copyTree(`${root}/src`, `${dir}/src`);
  await Deno.copyFile(`${root}/mod.ts`, `${dir}/mod.ts`);
  await Deno.writeTextFile(`${dir}/deno.json`, "{}\n");
  await Deno.mkdir(`${dir}/native/build`, { recursive: true });
  await Deno.copyFile(lib, `${dir}/native/build/${libName}`);
  await Deno.mkdir(`${dir}/tests/sandbox`, { recursive: true });
  await Deno.copyFile(`${root}/tests/sandbox/train_child.ts`, `${dir}/tests/sandbox/train_child.ts`);
  return dir;
}

async function run(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number; signal: string | null; out: string; err: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, signal: r.signal, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

Deno.test("sandbox: a training run needs only --allow-ffi=<lib> and --allow-read=<project>", async () => {
  const dir = await makeCheckout();
  try {
    const libPath = `${dir}/native/build/${libName}`;
    const r = await run(
      [
        "run",
        "--no-prompt",
        "--no-config",
        `--allow-ffi=${libPath}`,
        `--allow-read=${dir}`,
        "tests/sandbox/train_child.ts",
      ],
      dir,
      // Present but unreadable without --allow-env: the loader must not even ask for it.
      { DENOTORCH_LIB: "/nonexistent/libdenotorch.so", HOME: "/nonexistent-home" },
    );
    assert.equal(r.code, 0, `exit ${r.code} signal ${r.signal}\n${r.err}`);
    assert.equal(r.signal, null);
    assert.doesNotMatch(r.err, /NotCapable|PermissionDenied|Requires .* access/);
    const res = JSON.parse(r.out.trim().split("\n").pop()!);
    assert.ok(res.first > 0.3, `first loss ${res.first}`);
    assert.ok(res.last < res.first * 0.3, `loss did not fall: ${res.first} -> ${res.last}`);
    assert.ok(res.accuracy > 0.9, `training accuracy ${res.accuracy}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sandbox: without --allow-ffi the error names the flag and the library path", async () => {
  const dir = await makeCheckout();
  try {
    const libPath = `${dir}/native/build/${libName}`;
    const r = await run(
      ["run", "--no-prompt", "--no-config", `--allow-read=${dir}`, "tests/sandbox/train_child.ts"],
      dir,
    );
    assert.notEqual(r.code, 0);
    assert.equal(r.signal, null);
    assert.ok(r.err.includes(`Run Deno with --allow-ffi=${libPath}`), `stderr: ${r.err}`);
    assert.match(r.err, /FFI permission is required to load the native library/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a user's deno test --sanitize-ops --sanitize-resources suite that trains a model passes", async () => {
  const suite = `${root}/tests/sandbox/user_suite/train_model.ts`;
  const r = await run(
    [
      "test",
      "--no-prompt",
      `--config=${root}/deno.json`,
      "--sanitize-ops",
      "--sanitize-resources",
      "--allow-read",
      `--allow-ffi=${lib}`,
      "--allow-env=DENOTORCH_LIB",
      suite,
    ],
    root,
    { DENOTORCH_LIB: lib },
  );
  assert.equal(r.code, 0, `exit ${r.code} signal ${r.signal}\n${r.out}\n${r.err}`);
  assert.match(r.out, /ok \| 3 passed \| 0 failed/, r.out);
});

Deno.test("the sanitizers of that child run are live: a suite that leaks a timer fails", async () => {
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "dt_leak_" });
  try {
    await Deno.writeTextFile(`${dir}/leak.ts`, 'Deno.test("leaks", () => { setTimeout(() => {}, 50); });\n');
    const r = await run(
      ["test", "--no-prompt", "--no-config", "--sanitize-ops", "--sanitize-resources", `${dir}/leak.ts`],
      dir,
    );
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out + r.err, /leaks \.\.\. FAILED/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
