/**
 * Child process of sandbox_test.ts: trains a small MLP on a synthetic two-class problem and
 * prints one JSON line with the first and last losses and the training accuracy. It is run with
 * only `--allow-ffi=<library> --allow-read=<project>`, so any env, net, write or run access
 * (by denotorch or by this script) would fail the run.
 */
import { manualSeed, memory, nn, noGrad, optim, randn, type Tensor, tidy } from "../../mod.ts";

const F = nn.functional;
manualSeed(7);
// Two Gaussian blobs in 8 dimensions; the label is the blob.
const n = 256;
const x = randn([n, 8]);
const labels = noGrad(() => x.narrow(1, 0, 1).add(x.narrow(1, 1, 1)).gt(0).view(n).to("int64"));
noGrad(() => x.add_(labels.view(n, 1).to("float32").mul(2).sub(1).mul(1.5)));

const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 2));
const opt = new optim.Adam(model.parameters(), { lr: 0.02 });
const losses: number[] = [];
for (let step = 0; step < 150; step++) {
  losses.push(tidy(() => {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(x) as Tensor, labels);
    loss.backward();
    opt.step();
    return loss.item();
  }));
}
const accuracy = tidy(() => (model.forward(x) as Tensor).argmax(1).eq(labels).to("float32").mean().item());
console.log(JSON.stringify({ first: losses[0], last: losses[losses.length - 1], accuracy, memory: memory() }));
