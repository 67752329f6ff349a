/**
 * The library loader, exercised in child processes (each starts with its own permissions and
 * environment): the error for a missing `--allow-ffi`, for a DENOTORCH_LIB that points
 * nowhere, for a library lacking a symbol, and a sandboxed load with only
 * `--allow-ffi=<lib> --allow-read=<project>` (no env, net, write or run permission).
 */
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const modUrl = new URL("../../mod.ts", import.meta.url).href;
const libName = Deno.build.os === "darwin" ? "libdenotorch.dylib" : "libdenotorch.so";
const localBuild = `${root}/native/build/${libName}`;
/** The library the test run uses (DENOTORCH_LIB, else the local build). */
const lib = Deno.env.get("DENOTORCH_LIB") || localBuild;

const program = `import { tensor } from ${JSON.stringify(modUrl)};
const x = tensor([1, 2, 3]);
console.log("sum=" + x.mul(2).sum().item());`;

async function runChild(
  args: string[],
  env: Record<string, string>,
  source = program,
): Promise<{ code: number; out: string; err: string }> {
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "dt_loader_" });
  const file = `${dir}/child.ts`;
  await Deno.writeTextFile(file, source);
  try {
    const res = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", ...args, file],
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code: res.code, out: dec.decode(res.stdout), err: dec.decode(res.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const baseEnv = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: Deno.env.get("HOME") ?? "/tmp", NO_COLOR: "1" };

Deno.test("loads and computes with DENOTORCH_LIB and the usual permissions", async () => {
  const r = await runChild(["--allow-read", "--allow-ffi", "--allow-env"], { ...baseEnv, DENOTORCH_LIB: lib });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /sum=12/);
});

Deno.test("without --allow-ffi the error names --allow-ffi=<library path>", async () => {
  const r = await runChild(["--allow-read", "--allow-env"], { ...baseEnv, DENOTORCH_LIB: lib });
  assert.notEqual(r.code, 0);
  assert.ok(
    r.err.includes(`FFI permission is required`) && r.err.includes(`--allow-ffi=${lib}`),
    `stderr: ${r.err}`,
  );
});

Deno.test("DENOTORCH_LIB pointing to a missing file says the library is not built", async () => {
  const missing = "/tmp/denotorch-does-not-exist/libdenotorch.so";
  const r = await runChild(["--allow-read", "--allow-ffi", "--allow-env"], { ...baseEnv, DENOTORCH_LIB: missing });
  assert.notEqual(r.code, 0);
  assert.match(r.err, /the native library is not built: DENOTORCH_LIB points to \/tmp\/denotorch-does-not-exist/);
  assert.match(r.err, /Run `deno task build`/);
});

function haveCc(): boolean {
  try {
    return new Deno.Command("cc", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "a library lacking a symbol is reported as older than the bindings",
  ignore: !haveCc(),
  async fn() {
    const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "dt_stub_" });
    try {
      await Deno.writeTextFile(
        `${dir}/stub.c`,
        'int dt_version(void) { return 1; }\nconst char* dt_last_error(void) { return ""; }\n',
      );
      const cc = await new Deno.Command("cc", {
        args: ["-shared", "-fPIC", "-o", `${dir}/${libName}`, `${dir}/stub.c`],
        stderr: "piped",
      }).output();
      assert.ok(cc.success, new TextDecoder().decode(cc.stderr));
      const r = await runChild(["--allow-read", "--allow-ffi", "--allow-env"], {
        ...baseEnv,
        DENOTORCH_LIB: `${dir}/${libName}`,
      });
      assert.notEqual(r.code, 0);
      assert.match(r.err, /lacks a symbol the bindings need/);
      assert.match(r.err, /rebuild it with `deno task build`/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** True when the local build exists and is newer than every native source of the library (native/tests is not one). */
function localBuildFresh(): boolean {
  let libTime: number;
  try {
    libTime = Deno.statSync(localBuild).mtime?.getTime() ?? 0;
  } catch {
    return false;
  }
  const newest = (dir: string): number => {
    let n = 0;
    for (const e of Deno.readDirSync(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) {
        if (!e.name.startsWith("build") && p !== `${root}/native/tests`) n = Math.max(n, newest(p));
      } else n = Math.max(n, Deno.statSync(p).mtime?.getTime() ?? 0);
    }
    return n;
  };
  return libTime >= newest(`${root}/native`);
}

Deno.test({
  name: "sandboxed load: only --allow-ffi=<lib> --allow-read=<project>, no env/net/write/run",
  // This run can only find the local build (env is denied); `deno task test` builds it first.
  ignore: !localBuildFresh(),
  async fn() {
    const r = await runChild([`--allow-ffi=${localBuild}`, `--allow-read=${root}`], {
      ...baseEnv,
      DENOTORCH_LIB: "/nonexistent/should-not-be-read.so",
    });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /sum=12/);
  },
});

Deno.test("the loader queries the env permission before reading any variable", async () => {
  const src = await Deno.readTextFile(`${root}/src/ffi/loader.ts`);
  const reads = [...src.matchAll(/Deno\.env\.(get|toObject|has)\(/g)];
  assert.ok(reads.length >= 1);
  for (const m of reads) {
    // The enclosing function must query the permission first.
    const fnStart = src.lastIndexOf("function ", m.index);
    const body = src.slice(fnStart, m.index);
    assert.match(body, /Deno\.permissions\.querySync\(\{ name: "env"/, `env read at ${m.index} is not guarded`);
  }
  // Behaviour: with DENOTORCH_LIB set but env denied, the variable is ignored, not prompted for.
  const r = await runChild(
    ["--allow-read", `--allow-ffi=${lib}`],
    {
      ...baseEnv,
      DENOTORCH_LIB: lib,
    },
    `import { candidatePaths } from ${JSON.stringify(new URL("../../src/ffi/loader.ts", import.meta.url).href)};
console.log(JSON.stringify(candidatePaths().map((c) => c.origin)));`,
  );
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), ["local build"]);
});

Deno.test("a process that ran multi-threaded kernels exits cleanly (the library is never unloaded)", async () => {
  const r = await runChild(
    ["--allow-read", "--allow-ffi", "--allow-env"],
    { ...baseEnv, DENOTORCH_LIB: lib },
    `
import { ones } from ${JSON.stringify(modUrl)};
const x = ones([1 << 20]);
console.log("sum=" + x.add(1).mean().item() + " " + x.matmul(x).item());`,
  );
  assert.equal(r.code, 0, `exit code ${r.code}: ${r.err}`);
  assert.match(r.out, /sum=2 1048576/);
});
