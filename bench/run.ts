/**
 * Runs the benchmark workloads and prints ms per iteration (warm-up 3, median of 5 repeats,
 * as torch_bench.py does). With `--compare`, runs PyTorch's side in the same run
 * (`/usr/bin/python3 ../shared/bench/torch_bench.py`) and prints the ratios.
 *
 *   deno task bench [--threads N] [--json FILE] [--only NAME] [--compare] [--python PATH]
 *
 * @module
 */

import { manualSeed, setNumThreads } from "../mod.ts";
import { WORKLOADS } from "./workloads.ts";

const args = Deno.args;
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const threads = Number(opt("--threads") ?? 0);
const only = opt("--only");
const jsonPath = opt("--json");
const compare = args.includes("--compare");
const python = opt("--python") ?? "/usr/bin/python3";

if (threads > 0) setNumThreads(threads);
manualSeed(0);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function time(name: string): number {
  const { step, iters } = WORKLOADS[name]();
  for (let i = 0; i < 3; i++) step();
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) step();
    times.push((performance.now() - t0) / iters);
  }
  return median(times);
}

async function torchTimes(): Promise<Record<string, number>> {
  const script = new URL("../../shared/bench/torch_bench.py", import.meta.url).pathname;
  const out = await Deno.makeTempFile({ suffix: ".json" });
  const cmdArgs = [script, "--json", out];
  if (threads > 0) cmdArgs.push("--threads", String(threads));
  if (only) cmdArgs.push("--only", only);
  const r = await new Deno.Command(python, { args: cmdArgs, stdout: "inherit", stderr: "inherit" }).output();
  if (!r.success) throw new Error(`${python} ${cmdArgs.join(" ")} failed`);
  const json = JSON.parse(await Deno.readTextFile(out));
  await Deno.remove(out);
  return json.ms_per_iter;
}

const ours: Record<string, number> = {};
for (const name of Object.keys(WORKLOADS)) {
  if (only && !name.includes(only)) continue;
  ours[name] = time(name);
  console.log(`${name.padEnd(22)} ${ours[name].toFixed(3).padStart(10)} ms/iter`);
}
if (jsonPath) Deno.writeTextFileSync(jsonPath, JSON.stringify({ ms_per_iter: ours }, null, 1));

if (compare) {
  console.log("\nPyTorch, same machine, same run:");
  const theirs = await torchTimes();
  console.log(
    `\n${"workload".padEnd(22)} ${"denotorch".padStart(10)} ${"pytorch".padStart(10)} ${"ratio".padStart(7)}`,
  );
  let logSum = 0, n = 0;
  for (const [name, ms] of Object.entries(ours)) {
    const t = theirs[name];
    if (t === undefined) continue;
    const ratio = ms / t;
    logSum += Math.log(ratio);
    n++;
    console.log(
      `${name.padEnd(22)} ${ms.toFixed(3).padStart(10)} ${t.toFixed(3).padStart(10)} ${ratio.toFixed(3).padStart(7)}`,
    );
  }
  if (n) console.log(`geometric mean ratio: ${Math.exp(logSum / n).toFixed(3)}`);
}
