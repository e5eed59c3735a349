/**
 * The training worker thread: it alone loads TensorFlow.js (and so the native
 * addon, which one thread per process may load), and serves the jobs over the
 * protocol. Errors travel back as messages; nothing here can crash the caller.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Jobs } from '../core/jobs';
import { initBackend } from '../core/backend';
import { exportRunToKeras } from '../core/keras/export';
import { LabError, isLabError } from '../core/errors';
import type { HostMethods, TrainingEvents, WorkerMethods, WorkerSettings } from '../protocol';
import { RpcEndpoint, isWireMessage, type WireError } from '../rpc';
import { recurrentLayersFor } from './recurrent-layers';

if (!parentPort) throw new Error('worker.js must run as a worker thread.');
const port = parentPort;

function describeError(error: unknown): WireError {
  if (isLabError(error)) return { code: error.code, message: error.message };
  const message = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
  return { code: 'internal', message };
}

const endpoint = new RpcEndpoint<WorkerMethods, HostMethods, TrainingEvents>((message) => port.postMessage(message), describeError);
// The bundle keeps tfjs-backend-wasm's .wasm files beside itself.
const backendOptions = { wasmDir: __dirname, nativeModulesDir: (workerData as WorkerSettings | undefined)?.nativeModulesDir };
const jobs = new Jobs({ ...backendOptions, recurrentLayers: recurrentLayersFor });
let training = false;

endpoint.handle('train', async (params, context) => {
  // One training per worker: two would share the CPU and the backend's memory.
  if (training) throw new LabError('busy', 'A training is already running: cancel it or wait for it to finish.');
  training = true;
  try {
    return await jobs.train(params, context);
  } finally {
    training = false;
  }
});
endpoint.handle('evaluate', (params, context) => jobs.evaluate(params, context));
endpoint.handle('predict', (params) => jobs.predict(params));
endpoint.handle('importKeras', (params) => jobs.importKeras(params));
endpoint.handle('exportKeras', ({ runDir, out }) => exportRunToKeras(runDir, out));
endpoint.handle('backend', ({ preference }) => initBackend(preference, backendOptions));

port.on('message', (message: unknown) => {
  if (isWireMessage(message)) endpoint.receive(message);
});
