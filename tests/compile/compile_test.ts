/**
 * `deno compile` (issue 8): a script that trains a small model, compiled with
 * `--include <library>`, runs as a standalone binary. Inside the binary the sources live in a
 * virtual file system under their original relative paths, so the loader's "local build"
 * candidate (`native/build/<lib>` next to src/) finds the embedded library, and Deno (2.3+)
 * writes an embedded library to a real file before `dlopen` opens it.
 *
 * `deno compile` needs the `denort` base binary, which Deno downloads on first use. Machines
 * without network access have it only if `DENORT_BIN` points to one (or Deno's cache holds
 * it); elsewhere this test is reported as ignored, never as passed.
 */
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const libName = Deno.build.os === "darwin" ? "libdenotorch.dylib" : "libdenotorch.so";
const lib = Deno.env.get("DENOTORCH_LIB") || `${root}/native/build/${libName}`;

function denortAvailable(): boolean {
  const bin = Deno.env.get("DENORT_BIN");
  if (bin) {
    try {
      return Deno.statSync(bin).isFile;
    } catch {
      return false;
    }
  }
  const denoDir = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache/deno`;
  try {
    for (const e of Deno.readDirSync(`${denoDir}/dl/release/v${Deno.version.deno}`)) {
      if (e.name.startsWith("denort-")) return true;
    }
  } catch {
    // no cache
  }
  return false;
}

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    else if (e.isFile) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

Deno.test({
  name: "deno compile --include <library>: the standalone binary trains a model",
  ignore: !denortAvailable(),
  async fn() {
    // A checkout with the library at its local-build path, as `deno task build` leaves it.
    const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "dt_compile_" });
    try {
      await copyTree(`${root}/src`, `${dir}/src`);
      await Deno.copyFile(`${root}/mod.ts`, `${dir}/mod.ts`);
      await Deno.writeTextFile(`${dir}/deno.json`, "{}\n");
      await Deno.mkdir(`${dir}/native/build`, { recursive: true });
      await Deno.copyFile(lib, `${dir}/native/build/${libName}`);
      await Deno.writeTextFile(
        `${dir}/train.ts`,
        `import { manualSeed, nn, optim, randn, tidy } from "./mod.ts";
manualSeed(0);
const x = randn([64, 4]);
const y = x.sum(1, true);
const model = new nn.Linear(4, 1);
const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
let loss = 0;
for (let i = 0; i < 200; i++) {
  loss = tidy(() => {
    opt.zeroGrad();
    const l = nn.functional.mseLoss(model.forward(x), y);
    l.backward();
    opt.step();
    return l.item();
  });
}
console.log("loss=" + loss);
`,
      );
      const compile = await new Deno.Command(Deno.execPath(), {
        args: [
          "compile",
          "--allow-read",
          "--allow-ffi",
          "--allow-env",
          "--include",
          `native/build/${libName}`,
          "-o",
          `${dir}/train`,
          `${dir}/train.ts`,
        ],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(compile.code, 0, new TextDecoder().decode(compile.stderr));
      // Run it from elsewhere, without DENOTORCH_LIB: only the embedded copy can be found.
      const run = await new Deno.Command(`${dir}/train`, {
        cwd: "/tmp",
        clearEnv: true,
        env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: "/tmp", TMPDIR: "/tmp" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = new TextDecoder().decode(run.stdout);
      assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
      const loss = Number(/loss=([\d.e-]+)/.exec(out)?.[1]);
      assert.ok(loss < 1e-3, out);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
