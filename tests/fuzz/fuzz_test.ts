/**
 * Fuzzing the public API (issue 8). child.ts draws a fixed-seed stream of calls with random
 * valid and invalid arguments, shapes and dtypes (factories, tensor ops, every layer family,
 * losses, optimizers, utilities, safetensors parsing, and the third round's families: F.pad and the
 * padding layers, convolution padding modes, layer/group/instance/local-response norms, the newer
 * activations and gumbelSoftmax, regression/triplet/CTC/adaptive-softmax losses, attention and
 * Transformer layers, Unfold/Fold, EmbeddingBag, Bilinear, oneHot, alpha dropouts, gridSample,
 * affineGrid, pdist, lazy modules and nn.init) and checks each outcome; this test runs
 * it in child processes and asserts that:
 *
 * - the process survives every case (exit code 0, no signal): native code never reads or
 *   writes out of range, whatever the input;
 * - every failure is a TypeError/RangeError/Error whose message names the call, never an
 *   internal one ("Cannot read properties of undefined", "Invalid typed array length", ...);
 * - invalid input that must be refused (an unknown or snake_case option, a wrong type, an index
 *   out of range) is refused;
 * - valid input gives the output shapes of PyTorch's formulas (convolution, pooling with
 *   ceil mode and dilation, RNN outputs, reductions, broadcasting, ...).
 */
import assert from "node:assert/strict";

const child = new URL("./child.ts", import.meta.url).pathname;
/** Two processes (one per core of the CI machine), 3,500 cases each (about 2 s in all). */
const RUNS = [{ seed: 1, cases: 3500 }, { seed: 2, cases: 3500 }];

interface Report {
  seed: number;
  cases: number;
  ok: number;
  threw: number;
  byFamily: Record<string, number>;
  violations: { family: string; desc: string; problem: string }[];
}

async function runChild(seed: number, cases: number) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-ffi", "--allow-env", child, String(seed), String(cases)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    signal: out.signal,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("fuzz: 7,000 random valid and invalid calls; no crash, clear errors, PyTorch shapes", async () => {
  const results = await Promise.all(RUNS.map((r) => runChild(r.seed, r.cases)));
  let ok = 0, threw = 0;
  const families = new Set<string>();
  for (const [i, res] of results.entries()) {
    assert.equal(res.signal, null, `seed ${RUNS[i].seed}: killed by ${res.signal}\n${res.stderr.slice(-2000)}`);
    assert.equal(res.code, 0, `seed ${RUNS[i].seed}: exit code ${res.code}\n${res.stderr.slice(-2000)}`);
    const rep = JSON.parse(res.stdout.trim().split("\n").pop()!) as Report;
    assert.equal(rep.cases, RUNS[i].cases);
    const shown = rep.violations.slice(0, 15).map((v) => `  [${v.family}] ${v.desc}: ${v.problem}`).join("\n");
    assert.equal(rep.violations.length, 0, `seed ${rep.seed}: ${rep.violations.length} violations:\n${shown}`);
    ok += rep.ok;
    threw += rep.threw;
    Object.keys(rep.byFamily).forEach((f) => families.add(f));
  }
  // Not vacuous: both outcomes are well represented and every family was exercised.
  assert.ok(ok > 2800, `only ${ok} cases succeeded`);
  assert.ok(threw > 2100, `only ${threw} cases threw`);
  assert.ok(families.size >= 34, `families: ${[...families].join(", ")}`);
});

Deno.test("fuzz: the checker itself flags an internal error and a wrong result", async () => {
  // The child's verdicts must be able to fail: run it on a deliberately broken stand-in
  // (a copy whose loop sees a fake API) and expect violations.
  const src = await Deno.readTextFile(child);
  const broken = src
    .replace(
      'import * as dt from "../../mod.ts";',
      'import * as real from "../../mod.ts";\nconst dt: any = { ...real };',
    )
    .replace(
      "dt.manualSeed(seed);",
      `dt.manualSeed(seed);
dt.zeros = () => { throw new TypeError("Cannot read properties of undefined (reading 'x')"); };
dt.ones = () => real.zeros([1]);
dt.eye = (n: number) => real.zeros([n + 1]);`,
    );
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "dt_fuzz_" });
  try {
    const copy = `${dir}/broken_child.ts`;
    await Deno.writeTextFile(copy, broken.replaceAll("../../mod.ts", new URL("../../mod.ts", import.meta.url).href));
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-check", "--allow-read", "--allow-ffi", "--allow-env", copy, "5", "600"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      const rep = JSON.parse(text.trim().split("\n").pop()!) as Report;
      const problems = rep.violations.map((v) => v.problem).join("\n");
      assert.match(problems, /internal error: TypeError: Cannot read properties of undefined/);
      assert.match(problems, /accepted invalid input|shape \[/);
    } finally {
      await Deno.remove(copy);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
