/**
 * Bad input as data: each row is a call, the error class it must throw and a pattern for the
 * message (which names the call, what was expected and what was given). Then the proof that
 * index arguments are range-checked before native code touches memory.
 */
import assert from "node:assert/strict";
import {
  arange,
  bmm,
  cat,
  full,
  manualSeed,
  matmul,
  memory,
  mm,
  ones,
  randn,
  setNumThreads,
  stack,
  type Tensor,
  tensor,
  where,
  zeros,
} from "../../mod.ts";
import * as cpu from "../../src/backend/cpu.ts";

const i64 = (v: number[], shape?: number[]) =>
  tensor(BigInt64Array.from(v.map(BigInt)), { shape: shape ?? [v.length] });
const a23 = () => tensor([[1, 2, 3], [4, 5, 6]]);

type Row = [name: string, call: () => unknown, cls: ErrorConstructor, pattern: RegExp];

const rows: Row[] = [
  // ---------------------------------------------------------------- shapes
  [
    "broadcast mismatch",
    () => a23().add(ones([4])),
    RangeError,
    /^add: shapes \[2, 3\] and \[4\] cannot be broadcast together \(dimension 1: 3 vs 4\)/,
  ],
  [
    "broadcast mismatch (compare)",
    () => a23().lt(ones([2, 2])),
    RangeError,
    /^lt: shapes \[2, 3\] and \[2, 2\] cannot be broadcast/,
  ],
  [
    "where broadcast mismatch",
    () => where(ones([3]).gt(0), ones([2]), 0),
    RangeError,
    /^where: shapes \[3\] and \[2\] cannot be broadcast/,
  ],
  [
    "mm inner mismatch",
    () => mm(ones([2, 3]), ones([4, 5])),
    RangeError,
    /^mm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)/,
  ],
  [
    "mm needs 2-d",
    () => mm(ones([2, 3, 1]), ones([1, 2])),
    RangeError,
    /^mm: expected 2-d tensors, got shapes \[2, 3, 1\] and \[1, 2\]/,
  ],
  [
    "bmm batch mismatch",
    () => bmm(ones([2, 2, 3]), ones([3, 3, 2])),
    RangeError,
    /^bmm: batch or inner sizes do not match: \[2, 2, 3\] and \[3, 3, 2\]/,
  ],
  [
    "matmul inner mismatch",
    () => matmul(ones([2, 2, 3]), ones([4, 2])),
    RangeError,
    /^matmul: shapes \[2, 2, 3\] and \[4, 2\] cannot be multiplied \(3 vs 4\)/,
  ],
  [
    "matmul batch mismatch",
    () => matmul(ones([2, 2, 3]), ones([3, 3, 2])),
    RangeError,
    /^matmul: shapes \[2\] and \[3\] cannot be broadcast/,
  ],
  ["matmul 0-d", () => matmul(tensor(1), ones([2])), RangeError, /^matmul: both arguments need at least 1 dimension/],
  [
    "matmul mixed dtypes",
    () => matmul(ones([2, 2]), ones([2, 2], { dtype: "float64" })),
    TypeError,
    /^mm: expected both operands to have the same dtype, got float32 and float64/,
  ],
  [
    "matmul of bools",
    () => mm(ones([2, 2], { dtype: "bool" }), ones([2, 2], { dtype: "bool" })),
    TypeError,
    /^mm: matrix products are not implemented for bool tensors; convert them with \.int\(\) first/,
  ],
  [
    "dot sizes",
    () => ones([3]).dot(ones([4])),
    RangeError,
    /^dot: expected 1-d tensors of equal size, got \[3\] and \[4\]/,
  ],
  [
    "view incompatible strides",
    () => a23().t().view(6),
    RangeError,
    /^Tensor\.view: view size \[6\] is not compatible with the input's size and stride \(shape \[3, 2\], strides \[1, 3\]\); use reshape\(\) instead/,
  ],
  ["view wrong numel", () => a23().view(4), RangeError, /^Tensor\.view: shape \[4\] is invalid for input of size 6/],
  ["view two -1", () => a23().view(-1, -1), RangeError, /^Tensor\.view: only one dimension can be -1/],
  ["reshape wrong numel", () => a23().reshape(7), RangeError, /^reshape: shape \[7\] is invalid for input of size 6/],
  [
    "expand non-singleton",
    () => ones([2, 3]).expand(4, 3),
    RangeError,
    /^expand: the expanded size of the tensor \(4\) must match the existing size \(2\) at non-singleton dimension 0/,
  ],
  [
    "expand fewer dims",
    () => ones([2, 3]).expand(3),
    RangeError,
    /^expand: the number of sizes provided \(1\) must be greater or equal to the number of dimensions in the tensor \(2\)/,
  ],
  [
    "repeat fewer dims",
    () => ones([2, 3]).repeat(2),
    RangeError,
    /^repeat: number of repeat dims \(1\) can not be smaller than number of dimensions of tensor \(2\)/,
  ],
  [
    "cat sizes",
    () => cat([ones([2, 3]), ones([2, 4])], 0),
    RangeError,
    /^cat: sizes of tensors must match except in dimension 0: expected size 3 but got size 4 in dimension 1/,
  ],
  [
    "cat ranks",
    () => cat([ones([2, 3]), ones([3])]),
    RangeError,
    /^cat: tensors must have the same number of dimensions: got 2 and 1/,
  ],
  ["cat nothing", () => cat([]), TypeError, /^cat: expected a non-empty array of tensors, got \[\]/],
  ["cat 0-d", () => cat([tensor(1), tensor(2)]), RangeError, /^cat: zero-dimensional tensor cannot be concatenated/],
  [
    "stack unequal",
    () => stack([ones([2]), ones([3])]),
    RangeError,
    /^stack: expects each tensor to be equal size, but got \[2\] and \[3\]/,
  ],
  [
    "split sizes",
    () => ones([5]).split([2, 2]),
    RangeError,
    /^split: split sizes \[2, 2\] must sum to the dimension size 5 of dim 0/,
  ],
  ["chunk zero", () => ones([5]).chunk(0), RangeError, /^chunk: expected chunks > 0, got 0/],
  [
    "item of many",
    () => ones([2]).item(),
    RangeError,
    /^Tensor\.item: a tensor with 2 elements cannot be converted to a number/,
  ],
  [
    "typedArray non-contiguous",
    () => a23().t().typedArray(),
    TypeError,
    /^Tensor\.typedArray: the tensor is not contiguous \(shape \[3, 2\], strides \[1, 3\]\); call \.contiguous\(\) first/,
  ],
  [
    "in-place into an expanded tensor",
    () => ones([1, 3]).expand(2, 3).add_(1),
    RangeError,
    /^Tensor\.add_: cannot write in place into an expanded tensor/,
  ],
  [
    "in-place result larger than self",
    () => ones([3]).add_(ones([2, 3])),
    RangeError,
    /^Tensor\.add_: output with shape \[3\] doesn't match the broadcast shape \[2, 3\]/,
  ],
  [
    "in-place float into int",
    () => ones([2], { dtype: "int64" }).mul_(0.5),
    TypeError,
    /^Tensor\.mul_: result type float32 can't be cast to the desired output type int64/,
  ],
  [
    "copy_ bad broadcast",
    () => ones([3]).copy_(ones([2])),
    RangeError,
    /^Tensor\.copy_: shapes \[2\] and \[3\] cannot be broadcast/,
  ],
  [
    "grad of wrong shape",
    () => (ones([2], { requiresGrad: true }).grad = ones([3])),
    RangeError,
    /^Tensor\.grad: assigned grad has shape \[3\] but the tensor has shape \[2\]/,
  ],
  // ---------------------------------------------------------------- dims
  [
    "sum dim too large",
    () => a23().sum(2),
    RangeError,
    /^sum: dim 2 is out of range for a tensor of 2 dimensions \(expected -2 to 1\)/,
  ],
  ["sum dim too small", () => a23().sum(-3), RangeError, /^sum: dim -3 is out of range for a tensor of 2 dimensions/],
  ["sum repeated dim", () => a23().sum([1, -1]), RangeError, /^sum: dim \[1, -1\] appears multiple times/],
  ["non-integer dim", () => a23().mean(0.5), TypeError, /^mean: expected an integer dim, got number 0\.5/],
  ["max dim", () => a23().max(3), RangeError, /^max: dim 3 is out of range for a tensor of 2 dimensions/],
  ["argmax dim", () => a23().argmax(-5), RangeError, /^argmax: dim -5 is out of range/],
  [
    "transpose dim",
    () => a23().transpose(0, 2),
    RangeError,
    /^transpose: dim 2 is out of range for a tensor of 2 dimensions/,
  ],
  [
    "permute length",
    () => a23().permute(0),
    RangeError,
    /^permute: expected 2 dims for a tensor of shape \[2, 3\], got \[0\]/,
  ],
  ["permute repeated", () => a23().permute(1, -1), RangeError, /^permute: repeated dim in \[1, -1\]/],
  [
    "unsqueeze dim",
    () => a23().unsqueeze(3),
    RangeError,
    /^unsqueeze: dim 3 is out of range for a tensor of 3 dimensions/,
  ],
  ["squeeze dim", () => a23().squeeze(2), RangeError, /^squeeze: dim 2 is out of range/],
  [
    "flatten order",
    () => ones([2, 3, 4]).flatten(2, 1),
    RangeError,
    /^flatten: startDim \(2\) cannot come after endDim \(1\)/,
  ],
  [
    "cat dim",
    () => cat([ones([2]), ones([2])], 1),
    RangeError,
    /^cat: dim 1 is out of range for a tensor of 1 dimensions/,
  ],
  ["size dim", () => a23().size(2), RangeError, /^Tensor\.size: dim 2 is out of range/],
  // ---------------------------------------------------------------- indices
  [
    "gather index too large",
    () => a23().gather(1, i64([0, 3], [2, 1])),
    RangeError,
    /^gather: index 3 is out of bounds for dimension 1 with size 3/,
  ],
  [
    "gather index negative",
    () => a23().gather(1, i64([0, -1], [2, 1])),
    RangeError,
    /^gather: index -1 is out of bounds for dimension 1 with size 3/,
  ],
  [
    "gather index rank",
    () => a23().gather(1, i64([0, 1])),
    RangeError,
    /^gather: index tensor must have the same number of dimensions as input tensor \(2\), got shape \[2\]/,
  ],
  [
    "gather index larger than input",
    () => a23().gather(1, i64([0, 0, 0, 0, 0, 0], [3, 2])),
    RangeError,
    /^gather: size of index \[3, 2\] does not match input \[2, 3\] at dimension 0/,
  ],
  [
    "indexSelect too large",
    () => a23().indexSelect(0, i64([0, 2])),
    RangeError,
    /^indexSelect: index 2 is out of bounds for dimension 0 with size 2/,
  ],
  [
    "indexSelect negative",
    () => a23().indexSelect(1, i64([-1])),
    RangeError,
    /^indexSelect: index -1 is out of bounds for dimension 1 with size 3/,
  ],
  [
    "indexSelect 2-d index",
    () => a23().indexSelect(0, i64([0, 1], [1, 2])),
    RangeError,
    /^indexSelect: index must be 0-d or 1-d, got shape \[1, 2\]/,
  ],
  [
    "indexSelect float index",
    () => a23().indexSelect(0, tensor([0, 1])),
    TypeError,
    /^indexSelect: expected index to be an int64 tensor, got float32/,
  ],
  [
    "select too large",
    () => a23().select(0, 2),
    RangeError,
    /^select: index 2 is out of range for dimension 0 with size 2/,
  ],
  [
    "select too negative",
    () => a23().select(1, -4),
    RangeError,
    /^select: index -4 is out of range for dimension 1 with size 3/,
  ],
  [
    "select non-integer",
    () => a23().select(1, 0.5),
    TypeError,
    /^select: expected index to be an integer, got number 0\.5/,
  ],
  ["select 0-d", () => tensor(1).select(0, 0), RangeError, /^select: cannot be applied to a 0-dim tensor/],
  [
    "narrow past the end",
    () => a23().narrow(1, 1, 3),
    RangeError,
    /^narrow: start \(1\) \+ length \(3\) exceeds dimension size \(3\) of dim 1/,
  ],
  [
    "narrow negative start",
    () => a23().narrow(1, -4, 1),
    RangeError,
    /^narrow: start \(-1\) \+ length \(1\) exceeds dimension size \(3\)/,
  ],
  ["narrow negative length", () => a23().narrow(1, 0, -1), RangeError, /^narrow: start \(0\) \+ length \(-1\) exceeds/],
  [
    "scatter index too large",
    () => zeros([2, 3]).scatter(1, i64([3], [1, 1]), 1),
    RangeError,
    /^scatter: index 3 is out of bounds for dimension 1 with size 3/,
  ],
  [
    "scatter index negative",
    () => zeros([2, 3]).scatter(0, i64([-1], [1, 1]), ones([1, 1])),
    RangeError,
    /^scatter: index -1 is out of bounds for dimension 0 with size 2/,
  ],
  [
    "scatterAdd index",
    () => zeros([2, 3]).scatterAdd(1, i64([0, 9], [1, 2]), ones([1, 2])),
    RangeError,
    /^scatterAdd: index 9 is out of bounds for dimension 1 with size 3/,
  ],
  [
    "scatter src smaller than index",
    () => zeros([2, 3]).scatter(1, i64([0, 1], [1, 2]), ones([1, 1])),
    RangeError,
    /^scatter: src of shape \[1, 1\] is smaller than index of shape \[1, 2\]/,
  ],
  [
    "indexAdd index",
    () => zeros([2, 3]).indexAdd(0, i64([2]), ones([1, 3])),
    RangeError,
    /^indexAdd: index 2 is out of bounds for dimension 0 with size 2/,
  ],
  [
    "indexAdd source shape",
    () => zeros([2, 3]).indexAdd(0, i64([1]), ones([1, 2])),
    RangeError,
    /^indexAdd: source of shape \[1, 2\] does not match the expected \[1, 3\]/,
  ],
  // ---------------------------------------------------------------- dtypes
  [
    "int tensor requiresGrad",
    () => tensor([1, 2], { dtype: "int64", requiresGrad: true }),
    TypeError,
    /^Tensor\.requiresGrad_: only floating point tensors can require gradients, got int64/,
  ],
  [
    "bool requiresGrad_",
    () => ones([2], { dtype: "bool" }).requiresGrad_(),
    TypeError,
    /only floating point tensors can require gradients, got bool/,
  ],
  [
    "non-bool mask",
    () => ones([2]).maskedFill(ones([2]), 0),
    TypeError,
    /^maskedFill: expected mask to be a bool tensor, got float32/,
  ],
  [
    "mask does not broadcast to self",
    () => ones([2]).maskedFill(ones([2, 2]).gt(0), 0),
    RangeError,
    /^maskedFill: mask of shape \[2, 2\] does not broadcast to \[2\]/,
  ],
  [
    "non-bool where condition",
    () => where(ones([2]), 1, 0),
    TypeError,
    /^where: expected condition to be a bool tensor, got float32/,
  ],
  [
    "unknown dtype",
    () => zeros([2], { dtype: "float128" as never }),
    TypeError,
    /^zeros: unknown dtype "float128"; expected one of /,
  ],
  [
    "unknown dtype in tensor()",
    () => tensor([1], { dtype: "half" as never }),
    TypeError,
    /^tensor: unknown dtype "half"/,
  ],
  [
    "unknown dtype in to()",
    () => ones([1]).to({ dtype: "f32" as never }),
    TypeError,
    /^Tensor\.to: unknown dtype "f32"/,
  ],
  [
    "unknown device",
    () => ones([1]).to("tpu" as never),
    TypeError,
    /^Tensor\.to: unknown device "tpu"; expected "cpu" or "cuda:N"/,
  ],
  [
    "mean of ints",
    () => ones([2], { dtype: "int64" }).mean(),
    TypeError,
    /^mean: could not infer output dtype; input dtype should be floating point, got int64/,
  ],
  [
    "norm of ints",
    () => ones([2], { dtype: "int32" }).norm(),
    TypeError,
    /^norm: expected a floating point tensor, got int32/,
  ],
  [
    "randn of ints",
    () => randn([2], { dtype: "int64" }),
    TypeError,
    /^randn: expected a float32 or float64 dtype, got int64/,
  ],
  [
    "uniform_ of ints",
    () => ones([2], { dtype: "int32" }).uniform_(),
    TypeError,
    /^Tensor\.uniform_: expected a floating point tensor, got int32/,
  ],
  ["integer remainder by zero", () => i64([5, 6]).remainder(i64([2, 0])), RangeError, /^remainder: ZeroDivisionError/],
  ["integer fmod by zero scalar", () => i64([5]).fmod(0), RangeError, /^fmod: ZeroDivisionError/],
  [
    "int ** negative int",
    () => i64([2]).pow(-2),
    RangeError,
    /^pow: Integers to negative integer powers are not allowed/,
  ],
  [
    "fill_ overflow",
    () => ones([2], { dtype: "int32" }).fill_(2 ** 31),
    RangeError,
    /^Tensor\.fill_: value 2147483648 cannot be converted to type int32 without overflow/,
  ],
  [
    "full overflow",
    () => full([2], 256, { dtype: "uint8" }),
    RangeError,
    /^full: value 256 cannot be converted to type uint8 without overflow/,
  ],
  ["clamp without bounds", () => ones([2]).clamp(), TypeError, /^clamp: at least one of min and max must be given/],
  // ---------------------------------------------------------------- data and factories
  [
    "ragged nested arrays",
    () => tensor([[1, 2], [3]]),
    RangeError,
    /^tensor: the nested arrays are not rectangular: expected length 2 at depth 1/,
  ],
  ["ragged depth", () => tensor([[1, 2], 3] as never), RangeError, /^tensor: the nested arrays are not rectangular/],
  [
    "non-number data",
    () => tensor([1, "a"] as never),
    TypeError,
    /^tensor: expected numbers, bigints or booleans in the data, got "a"/,
  ],
  [
    "bigint beyond int64",
    () => tensor([2n ** 63n]),
    RangeError,
    /^tensor: 9223372036854775808 is out of the int64 range/,
  ],
  [
    "bad data type",
    () => tensor("abc" as never),
    TypeError,
    /^tensor: expected a TypedArray, a number, a bigint or nested arrays, got "abc"/,
  ],
  [
    "unsupported TypedArray",
    () => tensor(new Int16Array(2)),
    TypeError,
    /^tensor: expected a Float32Array, Float64Array, BigInt64Array, Int32Array, Uint8Array or Float16Array, got Int16Array/,
  ],
  [
    "TypedArray shape mismatch",
    () => tensor(new Float32Array(4), { shape: [2, 3] }),
    RangeError,
    /^tensor: shape \[2, 3\] needs 6 elements, but the data has 4/,
  ],
  [
    "nested shape mismatch",
    () => tensor([1, 2, 3], { shape: [2, 2] }),
    RangeError,
    /^tensor: shape \[2, 2\] does not match the 3 values given/,
  ],
  [
    "negative size",
    () => zeros([2, -1]),
    RangeError,
    /^zeros: expected a shape of non-negative integers, got \[2,-1\]/,
  ],
  ["fractional size", () => ones([1.5]), RangeError, /^ones: expected a shape of non-negative integers, got \[1\.5\]/],
  ["shape not an array", () => zeros(3 as never), TypeError, /^zeros: expected a shape array, got number 3/],
  [
    "too many dims",
    () => zeros(new Array(17).fill(1)),
    RangeError,
    /^zeros: at most 16 dimensions are supported, got 17/,
  ],
  [
    "options not an object",
    () => zeros([2], 5 as never),
    TypeError,
    /^zeros: expected an options object, got number 5/,
  ],
  ["unknown device option", () => zeros([2], { device: "gpu" as never }), TypeError, /^zeros: unknown device "gpu"/],
  ["full with a string", () => full([2], "x" as never), TypeError, /^full: expected a number fill value, got "x"/],
  ["arange zero step", () => arange(0, 5, 0), RangeError, /^arange: step must be nonzero/],
  [
    "arange inconsistent",
    () => arange(5, 0, 1),
    RangeError,
    /^arange: upper bound and larger bound inconsistent with step sign/,
  ],
  ["arange NaN", () => arange(NaN), TypeError, /^arange: expected end to be a finite number, got number NaN/],
  ["manualSeed non-integer", () => manualSeed(1.5), TypeError, /^manualSeed: expected an integer seed, got 1\.5/],
  ["setNumThreads zero", () => setNumThreads(0), RangeError, /^setNumThreads: expected a positive integer, got 0/],
  ["memory of an unknown device", () => memory("tpu"), TypeError, /^memory: unknown device "tpu"/],
  ["not a tensor", () => ones([2]).add("x" as never), TypeError, /^add: expected other to be a Tensor, got "x"/],
  [
    "null tensor",
    () => matmul(null as never, ones([2])),
    TypeError,
    /^matmul: expected input to be a Tensor, got null/,
  ],
];

Deno.test("error table: every bad call throws its class with a message naming call, expected and given", () => {
  const failures: string[] = [];
  for (const [name, call, cls, pattern] of rows) {
    try {
      call();
      failures.push(`${name}: did not throw`);
    } catch (e) {
      if (!(e instanceof cls) || (cls === Error && (e instanceof TypeError || e instanceof RangeError))) {
        failures.push(
          `${name}: threw ${(e as Error).constructor.name} (${(e as Error).message}), expected ${cls.name}`,
        );
      } else if (!pattern.test((e as Error).message)) {
        failures.push(`${name}: message "${(e as Error).message}" does not match ${pattern}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(rows.length >= 90);
});

Deno.test("CUDA requests fail with a clear Error on a CPU-only build", () => {
  assert.throws(() => ones([1]).cuda(), /cannot move to cuda:0: this libdenotorch was built without CUDA/);
  assert.throws(() => zeros([1], { device: "cuda:0" }), /^Error: zeros: cannot move to cuda:0/);
  assert.throws(() => memory("cuda:0"), /memory: cannot move to cuda:0/);
});

Deno.test("indices are range-checked in TypeScript before native code runs", () => {
  const target = tensor([[1, 2, 3], [4, 5, 6]]);
  const before = target.toArray().slice();
  const src = tensor([[10, 20, 30]]);
  // The first index is valid, the second is not: nothing may be written for either.
  const bad = i64([0, 0, 7], [1, 3]);
  assert.throws(() => target.scatter(0, i64([1, 0, 2], [1, 3]), src), /^RangeError: scatter: index 2 is out of bounds/);
  assert.throws(() => target.scatterAdd(1, bad, src), /^RangeError: scatterAdd: index 7 is out of bounds/);
  assert.deepEqual(target.toArray(), before, "the target is unchanged");
  // The message comes from the TypeScript check ("scatter:"), not from the kernel ("dt_scatter:").
  try {
    target.gather(1, i64([5], [1, 1]));
    assert.fail("gather did not throw");
  } catch (e) {
    assert.match((e as Error).message, /^gather: index 5/);
  }
  // Large indices take the native min/max path of the check; the first bad one is still named.
  const many = i64(Array.from({ length: 1000 }, (_, i) => (i === 700 ? -3 : i % 3)));
  assert.throws(() => target.indexSelect(1, many), /^RangeError: indexSelect: index -3 is out of bounds/);
  const manyOk = i64(Array.from({ length: 1000 }, (_, i) => i % 3));
  assert.equal(target.indexSelect(1, manyOk).shape[1], 1000);
  // The process is alive and the tensor still works.
  assert.equal(target.sum().item(), 21);
});

Deno.test("the kernels re-check indices themselves and write nothing on a bad one", () => {
  // Bypass the TypeScript checks: call the backend primitive with an out-of-range index.
  const out = zeros([2, 3]);
  const src = ones([2, 3]);
  const idx = i64([0, 1, 1, 1, 5, 0], [2, 3]); // 5 >= n_out = 2
  assert.throws(
    () => cpu.scatter(false, out, src, idx, 1, 2, 2, 3, "scatter"),
    (e) =>
      e instanceof RangeError &&
      /^scatter: dt_scatter: index 5 is out of range for dimension of size 2/.test(e.message),
  );
  assert.deepEqual([...out.toArray()], [0, 0, 0, 0, 0, 0]);
  const g = zeros([2, 2]);
  assert.throws(
    () => cpu.gather(g, src, i64([0, -1, 0, 0], [2, 2]), 2, 3, 2, 1, "gather"),
    (e) => e instanceof RangeError && /dt_gather: index -1 is out of range/.test(e.message),
  );
  assert.throws(
    () => cpu.indexSelect(zeros([1, 3]), src, i64([2]), 1, 2, 1, 3, "indexSelect"),
    /dt_index_select: index 2 is out of range for dimension of size 2/,
  );
  assert.deepEqual([...g.toArray()], [0, 0, 0, 0]);
});

Deno.test("errors leave no stray tensors behind in tidy", async () => {
  const { tidy } = await import("../../mod.ts");
  const before = memory();
  assert.throws(() => tidy(() => ones([2, 3]).add(ones([4]))), RangeError);
  assert.deepEqual(memory(), before);
  const t: Tensor = ones([2]);
  t.dispose();
});
