/**
 * Builds libdenotorch with CMake: `deno task build [--if-needed] [--cuda] [--debug]`.
 * `--if-needed` skips the build when the library is newer than every native source.
 *
 * @module
 */

const root = new URL("..", import.meta.url).pathname;
const buildDir = `${root}native/build`;
const lib = `${buildDir}/${Deno.build.os === "darwin" ? "libdenotorch.dylib" : "libdenotorch.so"}`;
const args = new Set(Deno.args);

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of Deno.readDirSync(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) {
      if (e.name.startsWith("build")) continue;
      newest = Math.max(newest, newestSource(p));
    } else newest = Math.max(newest, Deno.statSync(p).mtime?.getTime() ?? 0);
  }
  return newest;
}

function upToDate(): boolean {
  try {
    return (Deno.statSync(lib).mtime?.getTime() ?? 0) >= newestSource(`${root}native`);
  } catch {
    return false;
  }
}

async function run(cmd: string, cmdArgs: string[]): Promise<void> {
  let status;
  try {
    status = await new Deno.Command(cmd, { args: cmdArgs, stdout: "inherit", stderr: "inherit" }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      console.error(
        `build: '${cmd}' was not found. Install CMake and a C compiler (Debian: apt-get install cmake gcc libopenblas-dev libopenblas-openmp-dev).`,
      );
      Deno.exit(1);
    }
    throw e;
  }
  if (!status.success) {
    console.error(`build: ${cmd} ${cmdArgs.join(" ")} failed with exit code ${status.code}`);
    Deno.exit(status.code || 1);
  }
}

if (args.has("--if-needed") && upToDate()) Deno.exit(0);
const cuda = args.has("--cuda") ? "ON" : (Deno.env.get("DT_CUDA") ?? "AUTO");
const type = args.has("--debug") ? "Debug" : "Release";
await run("cmake", ["-S", `${root}native`, "-B", buildDir, `-DCMAKE_BUILD_TYPE=${type}`, `-DDT_CUDA=${cuda}`]);
await run("cmake", ["--build", buildDir, "-j", String(navigator.hardwareConcurrency || 2)]);
console.error(`build: ${lib} is ready`);
