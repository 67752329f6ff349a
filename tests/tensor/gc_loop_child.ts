/**
 * Child process of memory_test.ts: a training-like loop that never disposes. Each iteration
 * creates 1 MB tensors and a small graph, then drops them. Prints one JSON line with the peak
 * RSS and the `memory()` counts after the event loop turned (so finalizers ran). Exits with
 * code 3 as soon as RSS passes the limit given as the first argument (in MB), so a leak fails
 * fast instead of exhausting the machine.
 */
import { memory, randn, zeros } from "../../mod.ts";

const limitMb = Number(Deno.args[0] ?? 1500);
const iterations = Number(Deno.args[1] ?? 3000);
const w = randn([256, 1024], { requiresGrad: true }); // 1 MB of float32
const before = memory();
let peak = 0;
for (let i = 0; i < iterations; i++) {
  const x = zeros([256, 1024]); // 1 MB, never disposed
  const loss = x.add(1).mul(w).mean();
  if (i % 10 === 0) loss.backward();
  if (i % 10 === 0) w.grad = null;
  const rss = Deno.memoryUsage().rss;
  if (rss > peak) peak = rss;
  if (rss > limitMb * 1e6) {
    console.log(JSON.stringify({ failedAt: i, rssMb: rss / 1e6 }));
    Deno.exit(3);
  }
}
const during = memory();
// Finalizers run between event-loop turns: let a few turns pass.
for (let k = 0; k < 20; k++) await new Promise((r) => setTimeout(r, 5));
const after = memory();
console.log(JSON.stringify({ peakMb: peak / 1e6, before, during, after }));
