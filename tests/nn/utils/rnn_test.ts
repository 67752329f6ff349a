import assert from "node:assert/strict";
import { nn, randn, type Tensor, tensor } from "../../../mod.ts";
import { assertClose, gradcheck, randomDouble } from "../../util/gradcheck.ts";
import { fixture, fromList, throwsWith } from "../../util/fixture_json.ts";

const R = nn.utils.rnn;

interface Rec {
  shape: number[];
  data: number[];
}
const T = (r: Rec) => fromList(r.data, r.shape);
const ints = (t: Tensor | null) => (t === null ? null : Array.from(t.toArray() as BigInt64Array, Number));

const cases = fixture("rnn", "cases");

for (const c of cases.packing) {
  Deno.test(`packPaddedSequence / padPackedSequence match PyTorch: ${c.name}`, () => {
    const p = R.packPaddedSequence(T(c.input), c.lengths, { batchFirst: c.batchFirst, enforceSorted: c.enforceSorted });
    assert.deepEqual(p.data.shape, c.data.shape);
    assert.deepEqual([...p.data.toArray()], c.data.data.map(Math.fround));
    assert.equal(p.batchSizes.dtype, "int64");
    assert.deepEqual(ints(p.batchSizes), c.batchSizes);
    assert.deepEqual(ints(p.sortedIndices), c.sortedIndices);
    assert.deepEqual(ints(p.unsortedIndices), c.unsortedIndices);
    const opts = { batchFirst: c.batchFirst, paddingValue: c.paddingValue, totalLength: c.totalLength ?? undefined };
    const [padded, lengths] = R.padPackedSequence(p, opts);
    assert.deepEqual(padded.shape, c.padded.shape);
    assert.deepEqual([...padded.toArray()], c.padded.data.map(Math.fround));
    assert.equal(lengths.dtype, "int64");
    assert.deepEqual(ints(lengths), c.padLengths);
  });
}

Deno.test("padSequence and packSequence match PyTorch", () => {
  const seqs = cases.extra.sequences.map(T);
  const padded = R.padSequence(seqs, { batchFirst: true, paddingValue: 7 });
  assert.deepEqual(padded.shape, cases.extra.padSequence.shape);
  assert.deepEqual([...padded.toArray()], cases.extra.padSequence.data.map(Math.fround));
  const p = R.packSequence(seqs, { enforceSorted: false });
  const want = cases.extra.packSequence;
  assert.deepEqual([...p.data.toArray()], want.data.data.map(Math.fround));
  assert.deepEqual(ints(p.batchSizes), want.batchSizes);
  assert.deepEqual(ints(p.sortedIndices), want.sortedIndices);
});

Deno.test("lengths may be an int64 tensor; gradients flow through pack and pad (gradcheck)", () => {
  const x = randomDouble([4, 3, 2], 9);
  const lengths = tensor(new BigInt64Array([2n, 4n, 3n]));
  gradcheck((x) => {
    const p = R.packPaddedSequence(x, lengths, { enforceSorted: false });
    return [R.padPackedSequence(p, { totalLength: 5, paddingValue: 2 })[0], p.data];
  }, [x]);
  const y = randomDouble([3, 4, 2], 10);
  gradcheck((y) => R.packPaddedSequence(y, [4, 3, 1], { batchFirst: true }).data, [y]);
});

Deno.test("PackedSequence validates its parts and derives unsortedIndices", () => {
  const p = new R.PackedSequence(randn([5, 2]), [3, 2], tensor(new BigInt64Array([2n, 0n, 1n])));
  assert.deepEqual(ints(p.unsortedIndices), [1, 2, 0]);
  assert.equal(p instanceof nn.PackedSequence, true);
  throwsWith(
    () => new R.PackedSequence(randn([4, 2]), [3, 2]),
    RangeError,
    /data has 4 rows but batchSizes \[3, 2\] sum to 5/,
  );
  throwsWith(() => new R.PackedSequence(randn([5, 2]), [2, 3]), RangeError, /positive and non-increasing/);
  throwsWith(
    () => new R.PackedSequence(randn([5, 2]), [3, 2], [0, 0, 1] as never),
    RangeError,
    /sortedIndices must be a permutation of 0\.\.2/,
  );
});

Deno.test("bad lengths and options throw PyTorch's errors", () => {
  const x = randn([5, 3, 4]);
  throwsWith(
    () => R.packPaddedSequence(x, [3, 5, 2]),
    RangeError,
    /^packPaddedSequence: `lengths` array must be sorted in decreasing order when `enforceSorted` is true\. You can pass `enforceSorted: false`/,
  );
  throwsWith(
    () => R.packPaddedSequence(x, [5, 3, 0]),
    RangeError,
    /Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0/,
  );
  throwsWith(
    () => R.packPaddedSequence(x, [3, 0, 5], { enforceSorted: false }),
    RangeError,
    /Length of all samples has to be greater than 0/,
  );
  throwsWith(
    () => R.packPaddedSequence(x, [6, 3, 2]),
    RangeError,
    /found a length of 6 in 'lengths', longer than the input's 5 time steps/,
  );
  throwsWith(
    () => R.packPaddedSequence(x, [5, 3]),
    RangeError,
    /Expected `len\(lengths\)` to be equal to batch_size, but got 2 \(batch_size=3\)/,
  );
  throwsWith(() => R.packPaddedSequence(x, [5, 2.5, 1]), TypeError, /lengths to hold integers/);
  throwsWith(() => R.packPaddedSequence(randn([5]), [5]), RangeError, /at least 2 dimensions/);
  const p = R.packPaddedSequence(x, [5, 3, 2]);
  throwsWith(
    () => R.padPackedSequence(p, { totalLength: 3 }),
    RangeError,
    /Expected totalLength to be at least the length of the longest sequence in input, but got totalLength=3 and max sequence length being 5/,
  );
  throwsWith(() => R.padPackedSequence(x as never), TypeError, /expected a PackedSequence/);
  throwsWith(() => R.padSequence([randn([2, 3]), randn([2, 4])]), RangeError, /trailing dimensions must match/);
});

Deno.test("an RNN returns a PackedSequence with the input's batch sizes and permutation", () => {
  const gru = new nn.GRU(4, 3);
  const p = R.packPaddedSequence(randn([5, 3, 4]), [2, 5, 3], { enforceSorted: false });
  const [out, hN] = gru.forward(p);
  assert.ok(out instanceof R.PackedSequence);
  assert.deepEqual(out.data.shape, [10, 3]);
  assert.equal(out.batchSizes, p.batchSizes);
  assert.deepEqual(ints(out.unsortedIndices), ints(p.unsortedIndices));
  assert.deepEqual(hN.shape, [1, 3, 3]);
  const [padded, lengths] = R.padPackedSequence(out, { batchFirst: true });
  assert.deepEqual(padded.shape, [3, 5, 3]);
  assert.deepEqual(ints(lengths), [2, 5, 3]);
  assertClose(padded.select(0, 0).select(0, 1).toArray(), hN.select(1, 0).select(0, 0).toArray(), 0, 0, "h of seq 0");
});
