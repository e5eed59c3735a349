// Loader and runtime of the fused recurrent WebAssembly kernels.
//
// The module (built from assembly/recurrent.ts) imports one shared
// WebAssembly.Memory. This file owns that memory: a small first-fit
// allocator hands out blocks for inputs, saved activations and gradients,
// and an optional second kernel thread (a worker_threads Worker
// instantiating the same module on the same memory) runs half of each call.
// Hand-off is one Atomics.notify / Atomics.wait pair per call, because batch
// rows (and the two directions of a bidirectional layer) never interact
// inside a call. The work itself is task records (abi.ts).
//
// Nothing here depends on TensorFlow.js; see ops.ts for the custom ops.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as wt from 'node:worker_threads';
import { ABI_VERSION, layoutMismatch, MAX_PAGES, TASK_WORDS, writeTask, type Task } from './abi';

/**
 * The module's exports (assembly/recurrent.ts); the loader checks each is there.
 * WebAssembly exports are plain functions (no `this`), hence property signatures.
 */
interface KernelExports {
  runTasks: (tasks: number, count: number) => void;
  addInto: (dst: number, src: number, n: number) => void;
  adamUpdate: (
    value: number, grad: number, m: number, v: number, n: number,
    alpha: number, oneMinusBeta1: number, oneMinusBeta2: number, epsilon: number,
  ) => void;
  rmspropUpdate: (value: number, grad: number, ms: number, n: number, lr: number, rho: number, oneMinusRho: number, epsilon: number) => void;
  abiVersion: () => number;
  abiLayoutLength: () => number;
  abiLayout: (i: number) => number;
}

const EXPORTS: readonly (keyof KernelExports)[] = ['runTasks', 'addInto', 'adamUpdate', 'rmspropUpdate', 'abiVersion', 'abiLayoutLength', 'abiLayout'];

/**
 * Why `instance` cannot serve this loader (missing exports, or built from
 * other ABI tables: a stale build beside newer JavaScript), or null.
 */
export function moduleMismatch(instance: WebAssembly.Instance): string | null {
  const exports = instance.exports as Record<string, unknown>;
  const missing = EXPORTS.filter((name) => typeof exports[name] !== 'function');
  if (missing.includes('abiVersion')) return 'the kernel module has no abiVersion export: it is not a recurrent kernel build';
  const { abiVersion, abiLayoutLength, abiLayout } = exports as unknown as KernelExports;
  if (abiVersion() !== ABI_VERSION) return `the kernel module has ABI version ${abiVersion()}, this loader expects ${ABI_VERSION}`;
  if (missing.length > 0) return `the kernel module lacks the exports ${missing.join(', ')}`;
  return layoutMismatch(abiLayoutLength(), abiLayout);
}

/** Which build runs: 'relaxed' has fused multiply-add (relaxed SIMD), 'plain' 128-bit SIMD only. */
export type KernelVariant = 'relaxed' | 'plain';

const PAGE = 65536;
const ALIGN = 64;
const INITIAL_PAGES = 256;
/** Low area (never handed out): control block and task records. */
const CTL_OFFSET = 1024;
const TASKS_OFFSET = 4096;
const MAX_TASKS_PER_THREAD = 16;
const HEAP_START = PAGE;

// Control block words (Int32 at CTL_OFFSET).
const CTL_SEQ = 0; // bumped by the caller to start the second thread
const CTL_DONE = 1; // set to the sequence number by the second thread when finished
const CTL_TASKS = 2;
const CTL_COUNT = 3;
const CTL_STOP = 4;
const CTL_ERROR = 5;
const CTL_CLAIM = 6; // 0 = posted, 1 = taken by the second thread, 2 = taken back by the caller
/** How long the caller lets posted work sit unclaimed before running it itself. */
const CLAIM_TIMEOUT_MS = 2000;

// Source of the second kernel thread. Kept inline (an eval Worker) so
// bundling the extension needs no extra file next to the bundle besides the .wasm.
const SECOND_THREAD_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, ctlOffset } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const ctl = new Int32Array(memory.buffer, ctlOffset, 16);
parentPort.postMessage('ready');
let seen = Atomics.load(ctl, ${CTL_SEQ});
for (;;) {
  Atomics.wait(ctl, ${CTL_SEQ}, seen);
  const cur = Atomics.load(ctl, ${CTL_SEQ});
  if (cur === seen) continue;
  seen = cur;
  if (Atomics.load(ctl, ${CTL_STOP}) !== 0) break;
  // the caller may have taken the work back after waiting too long
  if (Atomics.compareExchange(ctl, ${CTL_CLAIM}, 0, 1) !== 0) continue;
  let failed = 0;
  try {
    instance.exports.runTasks(Atomics.load(ctl, ${CTL_TASKS}), Atomics.load(ctl, ${CTL_COUNT}));
  } catch (e) {
    failed = 1;
  }
  Atomics.store(ctl, ${CTL_ERROR}, failed);
  Atomics.store(ctl, ${CTL_DONE}, cur);
  Atomics.notify(ctl, ${CTL_DONE});
}
`;

interface FreeBlock {
  ptr: number;
  size: number;
}

export class KernelRuntime {
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
  private readonly module: WebAssembly.Module;
  private secondThread: wt.Worker | null = null;
  private freeList: FreeBlock[] = [];
  private readonly sizes = new Map<number, number>();
  private heapEnd: number;
  private bytesInUse = 0;
  private peakBytes = 0;
  private ctl!: Int32Array;
  threads: 1 | 2 = 1;
  /** Why a requested second thread is not in use, if it is not. */
  threadNote = '';
  readonly variant: KernelVariant;

  private constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, instance: WebAssembly.Instance, variant: KernelVariant) {
    this.variant = variant;
    this.module = module;
    this.memory = memory;
    this.exports = instance.exports as unknown as KernelExports;
    this.heapEnd = memory.buffer.byteLength;
    this.freeList.push({ ptr: HEAP_START, size: this.heapEnd - HEAP_START });
    this.ctl = new Int32Array(memory.buffer, CTL_OFFSET, 16);
  }

  static async create(wasmBytes: Uint8Array, threads: 1 | 2, variant: KernelVariant = 'plain'): Promise<KernelRuntime> {
    const module = await WebAssembly.compile(new Uint8Array(wasmBytes));
    const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const mismatch = moduleMismatch(instance);
    if (mismatch) throw new Error(`${mismatch}; rebuild the kernels (npm run build)`);
    const rt = new KernelRuntime(module, memory, instance, variant);
    if (threads === 2) await rt.startSecondThread();
    return rt;
  }

  /** Start or stop the second kernel thread. */
  async setThreads(threads: 1 | 2): Promise<void> {
    if (threads === 2 && this.secondThread === null) await this.startSecondThread();
    else if (threads === 1 && this.secondThread !== null) await this.stopSecondThread();
  }

  private async startSecondThread(): Promise<void> {
    // The calling thread must be able to block until the second thread is done.
    // Browsers' main threads (and some embedders) forbid Atomics.wait; there
    // the kernels stay single-threaded rather than spin.
    try {
      Atomics.wait(this.ctl, CTL_STOP, 1, 0);
    } catch {
      this.threadNote = 'Atomics.wait is not allowed on this thread';
      return;
    }
    if (typeof wt.Worker !== 'function') {
      this.threadNote = 'worker_threads unavailable';
      return;
    }
    const thread = new wt.Worker(SECOND_THREAD_SOURCE, {
      eval: true,
      workerData: { module: this.module, memory: this.memory, ctlOffset: CTL_OFFSET },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        thread.once('message', () => resolve());
        thread.once('error', reject);
        thread.once('exit', (code) => reject(new Error(`second kernel thread exited with code ${code}`)));
      });
    } catch (e) {
      this.threadNote = `second kernel thread failed to start: ${(e as Error).message}`;
      void thread.terminate();
      return;
    }
    thread.removeAllListeners('error');
    thread.removeAllListeners('exit');
    // A thread that dies later would leave callers waiting forever; record it
    // so dispatch() stops handing work to it.
    thread.on('error', () => this.abandonSecondThread('second kernel thread failed'));
    thread.on('exit', () => {
      if (this.secondThread === thread) {
        this.secondThread = null;
        this.threads = 1;
      }
    });
    thread.unref();
    this.secondThread = thread;
    this.threads = 2;
  }

  private abandonSecondThread(note: string): void {
    const thread = this.secondThread;
    this.secondThread = null;
    this.threads = 1;
    this.threadNote = note;
    if (thread) void thread.terminate();
  }

  /**
   * Stop the second thread (if any). The runtime keeps working on one
   * thread: forward passes awaiting their backward pass and optimizers keep
   * their buffers in this memory, which goes when the last of them does.
   */
  async stopSecondThread(): Promise<void> {
    const thread = this.secondThread;
    if (!thread) return;
    this.secondThread = null;
    this.threads = 1;
    Atomics.store(this.ctl, CTL_STOP, 1);
    Atomics.add(this.ctl, CTL_SEQ, 1);
    Atomics.notify(this.ctl, CTL_SEQ);
    await thread.terminate();
    Atomics.store(this.ctl, CTL_STOP, 0);
  }

  // ---- memory ----

  get f32(): Float32Array {
    return new Float32Array(this.memory.buffer);
  }

  get i32(): Int32Array {
    return new Int32Array(this.memory.buffer);
  }

  get stats(): { bytesInUse: number; peakBytes: number; memoryBytes: number } {
    return { bytesInUse: this.bytesInUse, peakBytes: this.peakBytes, memoryBytes: this.memory.buffer.byteLength };
  }

  /** Allocate `bytes` (64-byte aligned, contents undefined). Throws when the 2 GiB limit is hit. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    for (let i = 0; i < this.freeList.length; i++) {
      const blk = this.freeList[i];
      if (blk.size >= size) {
        const ptr = blk.ptr;
        if (blk.size === size) this.freeList.splice(i, 1);
        else {
          blk.ptr += size;
          blk.size -= size;
        }
        this.sizes.set(ptr, size);
        this.bytesInUse += size;
        this.peakBytes = Math.max(this.peakBytes, this.bytesInUse);
        return ptr;
      }
    }
    this.grow(size);
    return this.alloc(bytes);
  }

  free(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return;
    this.sizes.delete(ptr);
    this.bytesInUse -= size;
    const list = this.freeList;
    let i = 0;
    while (i < list.length && list[i].ptr < ptr) i++;
    list.splice(i, 0, { ptr, size });
    // coalesce with the following, then the preceding block
    if (i + 1 < list.length && list[i].ptr + list[i].size === list[i + 1].ptr) {
      list[i].size += list[i + 1].size;
      list.splice(i + 1, 1);
    }
    if (i > 0 && list[i - 1].ptr + list[i - 1].size === list[i].ptr) {
      list[i - 1].size += list[i].size;
      list.splice(i, 1);
    }
  }

  private grow(minBytes: number): void {
    const last = this.freeList[this.freeList.length - 1];
    const tailFree = last && last.ptr + last.size === this.heapEnd ? last.size : 0;
    const need = minBytes - tailFree;
    const currentPages = this.heapEnd / PAGE;
    // grow by at least a quarter of the current size to keep grow() calls rare
    let pages = Math.max(Math.ceil(need / PAGE), Math.ceil(currentPages / 4));
    pages = Math.min(pages, MAX_PAGES - currentPages);
    if (pages <= 0 || pages * PAGE < need) {
      throw new RangeError(`fused recurrent kernels: out of kernel memory (need ${minBytes} bytes)`);
    }
    try {
      this.memory.grow(pages);
    } catch {
      throw new RangeError(`fused recurrent kernels: out of kernel memory (could not grow by ${pages * PAGE} bytes)`);
    }
    const oldEnd = this.heapEnd;
    this.heapEnd = this.memory.buffer.byteLength;
    if (tailFree > 0) last.size += this.heapEnd - oldEnd;
    else this.freeList.push({ ptr: oldEnd, size: this.heapEnd - oldEnd });
  }

  // ---- execution ----

  private writeTasks(base: number, tasks: readonly Task[]): void {
    const words = this.i32;
    tasks.forEach((task, n) => writeTask(words, (base >> 2) + n * TASK_WORDS, task));
  }

  /**
   * Run two task lists, the second on the second thread when there is one
   * (else after the first on this thread). Returns when both are finished.
   */
  dispatch(mine: readonly Task[], other: readonly Task[]): void {
    if (mine.length > MAX_TASKS_PER_THREAD || other.length > MAX_TASKS_PER_THREAD) {
      throw new Error('too many kernel tasks in one call');
    }
    const base0 = TASKS_OFFSET;
    const base1 = TASKS_OFFSET + MAX_TASKS_PER_THREAD * TASK_WORDS * 4;
    this.writeTasks(base0, mine);
    this.writeTasks(base1, other);
    if (this.secondThread === null || other.length === 0) {
      this.exports.runTasks(base0, mine.length);
      if (other.length > 0) this.exports.runTasks(base1, other.length);
      return;
    }
    const ctl = this.ctl;
    Atomics.store(ctl, CTL_TASKS, base1);
    Atomics.store(ctl, CTL_COUNT, other.length);
    Atomics.store(ctl, CTL_CLAIM, 0);
    // the sequence word is the only wake-up signal; it always changes
    const seq = (Atomics.add(ctl, CTL_SEQ, 1) + 1) | 0;
    Atomics.notify(ctl, CTL_SEQ);
    let ownError: Error | null = null;
    try {
      this.exports.runTasks(base0, mine.length);
    } catch (e) {
      // wasm traps and the kernels' own errors are Errors, rethrown as they are
      ownError = e instanceof Error ? e : new Error(`fused recurrent kernel failed: ${String(e)}`, { cause: e });
    }
    const start = Date.now();
    for (;;) {
      const done = Atomics.load(ctl, CTL_DONE);
      if (done === seq) break;
      // A second thread that never picked the work up (stalled or gone: its
      // exit event cannot arrive while this thread blocks) must not hang
      // training: take the work back, finish it here, go single-threaded.
      if (Date.now() - start > CLAIM_TIMEOUT_MS && Atomics.compareExchange(ctl, CTL_CLAIM, 0, 2) === 0) {
        this.abandonSecondThread('second kernel thread did not respond');
        this.exports.runTasks(base1, other.length);
        if (ownError) throw ownError;
        return;
      }
      Atomics.wait(ctl, CTL_DONE, done, 20);
    }
    if (ownError) throw ownError;
    if (Atomics.load(ctl, CTL_ERROR) !== 0) throw new Error('fused recurrent kernel failed on the second kernel thread');
  }
}

let runtime: KernelRuntime | null = null;
let loading: Promise<boolean> | null = null;
let lastError = '';

/** Where the .wasm is by default: beside the bundled JavaScript (dist/). */
export function defaultWasmPath(): string {
  const dir = typeof __dirname === 'string' ? __dirname : process.cwd();
  return path.join(dir, 'recurrent-kernels.wasm');
}

/** The relaxed-SIMD build lies beside the plain one (see scripts/build-kernels.mjs). */
export function relaxedWasmPath(plainPath: string): string {
  return plainPath.replace(/\.wasm$/, '-relaxed.wasm');
}

/** The relaxed build's bytes when it exists and this engine validates it, else null. */
async function readRelaxedBuild(plainPath: string): Promise<Uint8Array | null> {
  try {
    const bytes = await fs.promises.readFile(relaxedWasmPath(plainPath));
    return WebAssembly.validate(bytes) ? bytes : null;
  } catch {
    return null;
  }
}

/** The module needs SIMD and a shared memory; a missing SIMD shows up as a compile error. */
export function featuresSupported(): boolean {
  return typeof WebAssembly === 'object' && typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object';
}

export interface LoadOptions {
  wasmPath?: string;
  threads?: 1 | 2;
  /** 'plain' skips the relaxed-SIMD build even where the engine has it (for comparisons). */
  variant?: 'auto' | 'plain';
}

export async function loadRuntime(options: LoadOptions = {}): Promise<boolean> {
  if (runtime) {
    if (options.threads !== undefined) await runtime.setThreads(options.threads);
    return true;
  }
  if (loading) return loading;
  loading = (async () => {
    try {
      if (!featuresSupported()) {
        lastError = 'WebAssembly SIMD / shared memory not supported';
        return false;
      }
      const file = options.wasmPath ?? defaultWasmPath();
      const relaxed = options.variant === 'plain' ? null : await readRelaxedBuild(file);
      const threads = options.threads ?? defaultThreads();
      runtime = relaxed
        ? await KernelRuntime.create(relaxed, threads, 'relaxed')
        : await KernelRuntime.create(await fs.promises.readFile(file), threads, 'plain');
      return true;
    } catch (e) {
      lastError = (e as Error).message;
      runtime = null;
      return false;
    } finally {
      loading = null;
    }
  })();
  return loading;
}

function defaultThreads(): 1 | 2 {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return cores >= 2 ? 2 : 1;
}

export function getRuntime(): KernelRuntime | null {
  return runtime;
}

export function lastLoadError(): string {
  return lastError;
}

/** Drop the loaded kernels (a later loadRuntime() loads them again) and stop their second thread. */
export async function unloadRuntime(): Promise<void> {
  const rt = runtime;
  runtime = null;
  if (rt) await rt.stopSecondThread();
}
