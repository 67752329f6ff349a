/**
 * CPU storage: JS-owned ArrayBuffers that the kernels read and write in place.
 *
 * Because V8 owns the memory, the garbage collector sees it as external memory: a training
 * loop that never disposes still runs in flat memory, and a live TypedArray view can never
 * dangle. Accounting (`bytesInUse`, `liveTensors`) counts storages that a live tensor holds.
 *
 * Explicitly released storages (`dispose`, and so every temporary of `tidy`) go, with their
 * buffers, to a bounded pool keyed by exact byte length, and the next allocation of that size
 * takes one back: a fresh ArrayBuffer costs an allocation, GC work when it dies, and (when
 * large) a page fault on every page at its first write, which made small ops and large
 * outputs slow; reusing the storage object too spares a tiny op one more allocation. Only
 * memory nothing outside the storage can see is pooled: never a user's wrapped array, never a
 * storage whose `typedArray()` view was handed out (`expose`), never one reclaimed by the GC.
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

// ------------------------------------------------------------------ buffer pool

/**
 * The free storages of one byte length: a stack that keeps its capacity. (An array drained by
 * `pop` and refilled by `push` is reallocated as it shrinks and grows: about 40 bytes per op
 * for a loop that takes and returns a thousand buffers every step.)
 */
class Stack {
  items: (CpuStorage | null)[] = [];
  n = 0;
}

/**
 * Released storages whose buffers may be reused, by exact byte length; Map order is the
 * eviction order (oldest sizes first). The storage object is pooled with its buffer: nothing
 * references a released storage any more (a disposed tensor points at RELEASED_STORAGE), and
 * reusing it saves the next tensor of that size an allocation. An emptied stack stays in the
 * Map and moves to the end of the eviction order when it is refilled.
 */
const pool = new Map<number, Stack>();
let pooledBytes = 0;
/** The pool's default byte budget (256 MiB). */
export const DEFAULT_POOL_LIMIT: number = 256 * 1024 * 1024;
let poolLimit = DEFAULT_POOL_LIMIT;
/** At most this many free buffers of one size (bounds the count of tiny ones). */
const POOL_MAX_PER_SIZE = 4096;
/** Emptied stacks are dropped when this many sizes are listed (shapes that vary a lot). */
const MAX_POOL_SIZES = 1024;

/** The last size looked up and its stack (or undefined): a loop of one shape skips the Map. */
let lastSize = -1;
let lastStack: Stack | undefined;

/** The pool's stack for `n` bytes, or undefined. */
function poolStack(n: number): Stack | undefined {
  if (n !== lastSize) {
    lastSize = n;
    lastStack = pool.get(n);
  }
  return lastStack;
}

/** Removes the stack of `n` bytes from the pool. */
function poolDrop(n: number): void {
  pool.delete(n);
  if (n === lastSize) lastStack = undefined;
}

/** Takes a pooled storage of exactly `byteLength` bytes (dirty), or null. */
function poolTake(byteLength: number): CpuStorage | null {
  const st = poolStack(byteLength);
  if (st === undefined || st.n === 0) return null;
  pooledBytes -= byteLength;
  const i = --st.n;
  const s = st.items[i]!;
  st.items[i] = null; // the slot must not keep a storage that leaves the pool alive
  return s;
}

/** Offers a released storage nothing else references to the pool (dropped when it does not fit). */
function poolPut(b: CpuStorage): void {
  const n = b.byteLength;
  if (n === 0 || n > poolLimit) return;
  let st = poolStack(n);
  if (st !== undefined && st.n >= POOL_MAX_PER_SIZE) return;
  if (pooledBytes + n > poolLimit) {
    // Evict the sizes pooled longest ago (a phase of other shapes is over) until this fits.
    for (const [size, l] of pool) {
      while (l.n > 0 && pooledBytes + n > poolLimit) {
        l.items[--l.n] = null;
        pooledBytes -= size;
      }
      if (l.n === 0) poolDrop(size);
      if (pooledBytes + n <= poolLimit) break;
    }
    st = poolStack(n);
  }
  if (st === undefined) {
    if (pool.size >= MAX_POOL_SIZES) { for (const [size, l] of pool) if (l.n === 0) poolDrop(size); }
    pool.set(n, st = new Stack());
    if (n === lastSize) lastStack = st;
  } else if (st.n === 0) {
    pool.delete(n); // refilled: its size was pooled most recently
    pool.set(n, st);
  }
  st.items[st.n++] = b;
  pooledBytes += n;
}

/** Bytes held by the buffer pool (free memory kept for reuse; not part of `bytesInUse`). */
export function poolBytes(): number {
  return pooledBytes;
}

/**
 * Drops every pooled buffer (the garbage collector then reclaims them) and, when `limit` is
 * given, sets the pool's byte budget (0 disables pooling).
 */
export function clearPool(limit?: number): void {
  pool.clear();
  lastStack = undefined;
  pooledBytes = 0;
  if (limit !== undefined) poolLimit = Math.max(0, limit);
}

/** The live counters of the CPU device (mutated in place). */
export function cpuMemory(): MemoryInfo {
  return { bytesInUse: cpuStats.bytesInUse, liveTensors: cpuStats.liveTensors };
}

/** Called by Tensor when one is created or released. */
export function countTensor(delta: number): void {
  cpuStats.liveTensors += delta;
}

/** The accounting of one storage: its live users, and whether its bytes left `bytesInUse`. */
interface Accounting {
  /** Live tensors using the storage. */
  refs: number;
  /** True once the bytes left `bytesInUse` (explicit release or collection of the last user). */
  released: boolean;
  /** Size in bytes. */
  readonly byteLength: number;
}

/**
 * A storage's accounting kept apart from it, for the tensors' FinalizationRegistry, which
 * holds this cell, never the storage: a held value stays strongly reachable until its cleanup
 * callback runs, and those callbacks only run when the event loop turns, so holding the
 * storage there kept the memory of every collected tensor alive through a synchronous training
 * loop (unbounded RSS). A storage makes its cell when the first finalizer needs it (`cell`);
 * the temporaries of `tidy` never register one, so they never pay for the extra object.
 */
export class StorageCell implements Accounting {
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
export class CpuStorage implements Accounting {
  /** Always "cpu". */
  get device(): "cpu" {
    return "cpu";
  }
  /** The bytes; `null` after the last tensor using it was released. */
  bytes: Uint8Array | null;
  /** The memory, kept while the storage waits in the pool (when `bytes` is already null). */
  private buf: Uint8Array | null;
  /** Float views of `buf` for the JavaScript kernels (`floats`), made on first use. */
  private f32: Float32Array | null = null;
  private f64: Float64Array | null = null;
  /** Size in bytes. */
  readonly byteLength: number;
  /** Bumped by every in-place write, so autograd can see a saved tensor was modified. */
  version = 0;
  /** Live users, while this storage is its own accounting (read `users()` instead). */
  refs = 0;
  /** Whether the bytes left `bytesInUse`, while this storage is its own accounting. */
  released = false;
  /** Where the accounting lives: this storage until `cell` moved it into a StorageCell. */
  private acct: Accounting = this;
  /**
   * Whether the bytes may go back to the pool when released: only memory this storage
   * allocated itself and never handed out (see `expose`).
   */
  private poolable: boolean;

  constructor(byteLength: number, bytes?: Uint8Array | null) {
    this.byteLength = byteLength;
    this.poolable = bytes === undefined;
    this.bytes = this.buf = bytes === undefined ? new Uint8Array(new ArrayBuffer(byteLength)) : bytes;
    if (this.bytes !== null) cpuStats.bytesInUse += byteLength;
    else this.released = true;
  }

  /** Allocates zeroed storage for `numel` elements of `dtype`. */
  static alloc(dtype: DType, numel: number): CpuStorage {
    const n = numel * DTYPES[dtype].itemsize;
    const s = poolTake(n);
    if (s === null) return new CpuStorage(n);
    s.reuse().fill(0);
    return s;
  }

  /**
   * Allocates storage for `numel` elements of `dtype` whose contents are unspecified (a
   * reused buffer keeps old values): for outputs a kernel overwrites completely.
   */
  static allocUninit(dtype: DType, numel: number): CpuStorage {
    const n = numel * DTYPES[dtype].itemsize;
    const s = poolTake(n);
    if (s === null) return new CpuStorage(n);
    s.reuse();
    return s;
  }

  /** Brings a pooled storage back into use (fresh accounting, no users yet); returns its bytes. */
  private reuse(): Uint8Array {
    const b = this.buf!;
    this.bytes = b;
    this.version = 0;
    this.refs = 0;
    this.released = false;
    this.acct = this;
    cpuStats.bytesInUse += this.byteLength;
    return b;
  }

  /**
   * Records that the memory was handed out (a zero-copy TypedArray view user code may keep):
   * it is then never reused for another tensor, only reclaimed by the garbage collector.
   */
  expose(): void {
    this.poolable = false;
  }

  /**
   * A cached Float32Array or Float64Array over the whole storage, for the JavaScript kernels
   * of tiny tensors (src/backend/small.ts); null when released or not aligned to the element.
   */
  floats(dtype: "float32" | "float64"): Float32Array | Float64Array | null {
    const b = this.bytes;
    if (b === null) return null;
    if (dtype === "float32") {
      if (this.f32 !== null) return this.f32;
      if (b.byteOffset % 4 !== 0) return null;
      return this.f32 = new Float32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
    }
    if (this.f64 !== null) return this.f64;
    if (b.byteOffset % 8 !== 0) return null;
    return this.f64 = new Float64Array(b.buffer, b.byteOffset, b.byteLength >> 3);
  }

  /** Live tensors using this storage. */
  users(): number {
    return this.acct.refs;
  }

  /** The accounting cell a finalizer holds instead of this storage (made on first use). */
  get cell(): StorageCell {
    const a = this.acct;
    if (a !== this) return a as StorageCell;
    const c = new StorageCell(this.byteLength);
    c.refs = this.refs;
    c.released = this.released;
    this.acct = c;
    return c;
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
    const c = this.acct;
    if (c.released && this.bytes !== null) {
      // Every earlier user was collected, yet the storage itself survived and is used again.
      c.released = false;
      cpuStats.bytesInUse += c.byteLength;
    }
    c.refs++;
  }

  /**
   * A tensor stops using this storage (dispose); the last one frees the bytes at once: they
   * go back to the pool unless they were ever visible outside the storage.
   */
  release(): void {
    if (releaseCell(this.acct)) {
      this.bytes = null;
      if (this.poolable) poolPut(this);
      else this.buf = this.f32 = this.f64 = null;
    }
  }
}

/**
 * Drops one user of a storage's cell; true when it was the last (the bytes then leave
 * `bytesInUse`). Called by `release()` and by the tensor finalizer, which has only the cell.
 */
export function releaseCell(cell: Accounting): boolean {
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
