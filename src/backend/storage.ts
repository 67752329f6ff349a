/**
 * CPU storage: JS-owned ArrayBuffers that the kernels read and write in place.
 *
 * Because V8 owns the memory, the garbage collector sees it as external memory: a training
 * loop that never disposes still runs in flat memory, and a live TypedArray view can never
 * dangle. Accounting (`bytesInUse`, `liveTensors`) counts storages that a live tensor holds.
 *
 * @module
 */

import { type DType, DTYPES, type TypedArray } from "./dtype.ts";

/** Byte counts by device, as `memory()` reports them. */
export interface MemoryInfo {
  /** Bytes of storage held by live (not disposed, not collected) tensors. */
  bytesInUse: number;
  /** Tensors neither disposed nor collected. */
  liveTensors: number;
}

const cpuStats: MemoryInfo = { bytesInUse: 0, liveTensors: 0 };

/** The live counters of the CPU device (mutated in place). */
export function cpuMemory(): MemoryInfo {
  return { bytesInUse: cpuStats.bytesInUse, liveTensors: cpuStats.liveTensors };
}

/** Called by Tensor when one is created or released. */
export function countTensor(delta: number): void {
  cpuStats.liveTensors += delta;
}

/**
 * A block of CPU memory shared by a tensor and its views. `refs` counts the live tensors
 * that use it; when it drops to zero the bytes leave `bytesInUse` and the buffer is dropped.
 */
export class CpuStorage {
  /** Always "cpu". */
  readonly device = "cpu";
  /** The bytes; `null` after the last tensor using it was released. */
  bytes: Uint8Array | null;
  /** Size in bytes. */
  readonly byteLength: number;
  /** Live tensors using this storage. */
  refs = 0;
  /** Bumped by every in-place write, so autograd can see a saved tensor was modified. */
  version = 0;

  constructor(byteLength: number, bytes?: Uint8Array) {
    this.byteLength = byteLength;
    this.bytes = bytes ?? new Uint8Array(new ArrayBuffer(byteLength));
    cpuStats.bytesInUse += byteLength;
  }

  /** Allocates zeroed storage for `numel` elements of `dtype`. */
  static alloc(dtype: DType, numel: number): CpuStorage {
    return new CpuStorage(numel * DTYPES[dtype].itemsize);
  }

  /** Wraps existing memory (e.g. a user's TypedArray) without copying. */
  static wrap(array: ArrayBufferView): CpuStorage {
    return new CpuStorage(array.byteLength, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }

  /** A typed view of `length` elements of `dtype` starting at element `offset`. */
  typed(dtype: DType, offset = 0, length?: number): TypedArray {
    const bytes = this.bytes!;
    const size = DTYPES[dtype].itemsize;
    const n = length ?? Math.floor((this.byteLength - offset * size) / size);
    return new DTYPES[dtype].ctor(bytes.buffer, bytes.byteOffset + offset * size, n);
  }

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs === 0 && this.bytes !== null) {
      cpuStats.bytesInUse -= this.byteLength;
      this.bytes = null;
    }
  }
}
