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
 * The accounting of one storage: how many live tensors use it and whether its bytes were
 * already taken off `bytesInUse`. The tensors' FinalizationRegistry holds this cell, never the
 * storage: a held value stays strongly reachable until its cleanup callback runs, and those
 * callbacks only run when the event loop turns, so holding the storage there kept the memory
 * of every collected tensor alive through a synchronous training loop (unbounded RSS).
 */
export class StorageCell {
  /** Live tensors using the storage. */
  refs = 0;
  /** True once the bytes left `bytesInUse` (explicit release or collection of the last user). */
  released = false;
  constructor(readonly byteLength: number) {}
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
  /** Bumped by every in-place write, so autograd can see a saved tensor was modified. */
  version = 0;
  /** The accounting cell (what finalizers hold instead of this storage). */
  readonly cell: StorageCell;

  constructor(byteLength: number, bytes?: Uint8Array | null) {
    this.byteLength = byteLength;
    this.bytes = bytes === undefined ? new Uint8Array(new ArrayBuffer(byteLength)) : bytes;
    this.cell = new StorageCell(byteLength);
    if (this.bytes !== null) cpuStats.bytesInUse += byteLength;
    else this.cell.released = true;
  }

  /** Allocates zeroed storage for `numel` elements of `dtype`. */
  static alloc(dtype: DType, numel: number): CpuStorage {
    return new CpuStorage(numel * DTYPES[dtype].itemsize);
  }

  /** Wraps existing memory (e.g. a user's TypedArray) without copying. */
  static wrap(array: ArrayBufferView): CpuStorage {
    return new CpuStorage(array.byteLength, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }

  /** Live tensors using this storage. */
  get refs(): number {
    return this.cell.refs;
  }

  /** A typed view of `length` elements of `dtype` starting at element `offset`. */
  typed(dtype: DType, offset = 0, length?: number): TypedArray {
    const bytes = this.bytes;
    if (bytes === null) throw new Error("denotorch: storage was released (a tensor was used after dispose)");
    const size = DTYPES[dtype].itemsize;
    const n = length ?? Math.floor((this.byteLength - offset * size) / size);
    return new DTYPES[dtype].ctor(bytes.buffer, bytes.byteOffset + offset * size, n);
  }

  /** A tensor starts using this storage. */
  retain(): void {
    const c = this.cell;
    if (c.released && this.bytes !== null) {
      // Every earlier user was collected, yet the storage itself survived and is used again.
      c.released = false;
      cpuStats.bytesInUse += c.byteLength;
    }
    c.refs++;
  }

  /** A tensor stops using this storage (dispose); the last one frees the bytes at once. */
  release(): void {
    if (releaseCell(this.cell)) this.bytes = null;
  }
}

/**
 * Drops one user of a storage's cell; true when it was the last (the bytes then leave
 * `bytesInUse`). Called by `release()` and by the tensor finalizer, which has only the cell.
 */
export function releaseCell(cell: StorageCell): boolean {
  if (--cell.refs > 0) return false;
  cell.refs = 0;
  if (!cell.released) {
    cell.released = true;
    cpuStats.bytesInUse -= cell.byteLength;
  }
  return true;
}

/** The storage of disposed tensors: no bytes, so a disposed tensor keeps no memory alive. */
export const RELEASED_STORAGE: CpuStorage = new CpuStorage(0, null);
