/**
 * Chooses and starts the TensorFlow.js backend: the native TensorFlow library
 * (@tensorflow/tfjs-node, an optional dependency) where it loads, else
 * WebAssembly, else pure JavaScript. Only the worker thread calls this: the
 * native addon can be loaded by one thread per process.
 */
import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as path from 'node:path';
import { LabError, errorMessage } from './errors';
import { registerWasmKernels } from './wasm-kernels';

import type { BackendName, BackendPreference } from './backend-names';
import { createRequire } from 'node:module';

export type { BackendName, BackendPreference } from './backend-names';

export interface BackendInfo {
  name: BackendName;
  /** Why better backends were passed over, for people reading a run's report. */
  notes: string[];
}

export interface BackendOptions {
  /** Folder with tfjs-backend-wasm's .wasm files (the bundle copies them beside itself). */
  wasmDir?: string;
  /**
   * A folder whose node_modules holds @tensorflow/tfjs-node, installed apart
   * from the extension (its native library is far too large for a VSIX).
   * Looked at before the usual module resolution.
   */
  nativeModulesDir?: string;
}

let active: BackendInfo | undefined;

/**
 * tfjs-node 4.22 calls `util.isNullOrUndefined`, which Node 23 removed (VS
 * Code's and code-server's extension hosts run on such Nodes). Restoring that
 * one deprecated helper, with its documented meaning, is all it needs.
 */
function restoreRemovedNodeUtilities(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS module object itself is patched; an import namespace is read-only
  const util = require('node:util') as Record<string, unknown>;
  if (typeof util.isNullOrUndefined !== 'function') {
    Object.defineProperty(util, 'isNullOrUndefined', { value: (value: unknown) => value === null || value === undefined, configurable: true, writable: true });
  }
}

/** A backend that starts can still fail on its first kernel; one small op proves it works. */
function smokeTest(): void {
  const values = tf.tidy(() => tf.matMul(tf.reshape(tf.tensor1d([1, 2, 3, 4]), [2, 2]), tf.eye(2)).dataSync());
  if (Array.from(values).join() !== '1,2,3,4') throw new Error(`a 2×2 product gave ${Array.from(values).join()}`);
}

async function tryTensorflow(options: BackendOptions): Promise<void> {
  // TensorFlow's C library logs CPU-feature notices at start-up; keep stderr for real problems.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  restoreRemovedNodeUtilities();
  // Loaded at run time, never bundled: the addon is native and optional.
  const requireFrom = options.nativeModulesDir ? createRequire(path.join(options.nativeModulesDir, 'package.json')) : undefined;
  let loaded = false;
  if (requireFrom) {
    try {
      requireFrom('@tensorflow/tfjs-node');
      loaded = true;
    } catch (error) {
      if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded at run time (a native, optional addon), so esbuild leaves it out of the bundle
  if (!loaded) require('@tensorflow/tfjs-node');
  if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
}

async function tryWasm(options: BackendOptions): Promise<void> {
  const dir = options.wasmDir ?? defaultWasmDir();
  wasm.setWasmPaths(dir.endsWith(path.sep) ? dir : dir + path.sep);
  // Node has no cross-origin isolation story for the threaded build; the SIMD build is used.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  registerWasmKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
}

async function tryCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
}

/** Where the package keeps them; the bundled worker passes its own folder instead. */
function defaultWasmDir(): string {
  return path.dirname(createRequire(__filename).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
}

export async function initBackend(preference: BackendPreference = 'auto', options: BackendOptions = {}): Promise<BackendInfo> {
  if (active && (preference === 'auto' || preference === active.name)) return active;
  const order: BackendName[] = preference === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [preference];
  const notes: string[] = [];
  for (const name of order) {
    try {
      if (name === 'tensorflow') await tryTensorflow(options);
      else if (name === 'wasm') await tryWasm(options);
      else await tryCpu();
      smokeTest();
      active = { name, notes };
      return active;
    } catch (error) {
      notes.push(`${name} unavailable: ${errorMessage(error).split('\n')[0]}`);
    }
  }
  throw new LabError('backend-unavailable', `No TensorFlow.js backend could start (${notes.join('; ')}).`);
}

export function activeBackend(): BackendInfo | undefined {
  return active;
}
