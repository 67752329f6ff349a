/**
 * Child process of training_memory_test.ts: trains a tiny MLP for N steps with no `tidy` and
 * no `dispose` (every temporary is left to the garbage collector), sampling `memory()` every
 * `N / 10` steps. Prints one JSON line:
 *
 * - `settled`: `memory()` after a full collection (`gc()`, needs `--v8-flags=--expose-gc`) and
 *   a few event-loop turns (the FinalizationRegistry callbacks that take collected tensors off
 *   the counts run between turns), at each sample point: the leak check, which must be flat;
 * - `natural`: `memory()` after event-loop turns alone, before that collection: what a program
 *   that never calls gc() sees, bounded but not exact;
 * - `peakRssMb`: the peak resident set size.
 */
import { manualSeed, memory, nn, optim, randn, type Tensor, tensor } from "../../mod.ts";

const steps = Number(Deno.args[0] ?? 10_000);
const every = Math.max(1, Math.floor(steps / 10));
const F = nn.functional;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("training_child.ts: run with --v8-flags=--expose-gc");

manualSeed(3);
const model = new nn.Sequential(new nn.Linear(8, 16), new nn.Tanh(), new nn.Linear(16, 3));
const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
const x = randn([32, 8]);
const y = tensor(BigInt64Array.from({ length: 32 }, (_, i) => BigInt(i % 3)));

const turns = async (n: number) => {
  for (let k = 0; k < n; k++) await new Promise((r) => setTimeout(r, 2));
};

const settled: { step: number; bytesInUse: number; liveTensors: number }[] = [];
const natural: { step: number; bytesInUse: number; liveTensors: number }[] = [];
let peakRss = 0;
let lastLoss = NaN;
for (let step = 1; step <= steps; step++) {
  opt.zeroGrad();
  const loss: Tensor = F.crossEntropy(model.forward(x) as Tensor, y);
  loss.backward();
  opt.step();
  if (step % 100 === 0) peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
  if (step % every === 0) {
    lastLoss = loss.item();
    await turns(3);
    natural.push({ step, ...memory() });
    gc();
    await turns(5);
    settled.push({ step, ...memory() });
  }
}
console.log(JSON.stringify({ settled, natural, peakRssMb: peakRss / 1e6, lastLoss }));
