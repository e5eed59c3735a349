/**
 * The training worker thread: it alone loads TensorFlow.js (and so the native
 * addon, which one thread per process may load), and serves the jobs over the
 * protocol. Errors travel back as messages (a bug's stack apart from its
 * message, for the caller's log); nothing here can crash the caller. Whether
 * a training may start is the training service's call, not this thread's.
 */
import * as os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { Jobs } from '../core/jobs';
import { initBackend } from '../core/backend';
import { exportRunToKeras } from '../core/keras/export';
import type { HostMethods, TrainingEvents, WorkerMethods, WorkerSettings } from '../protocol';
import { RpcEndpoint, isWireMessage } from '../rpc';
import { recurrentLayersFor } from './recurrent-layers';

if (!parentPort) throw new Error('worker.js must run as a worker thread.');
const port = parentPort;

const settings = workerData as WorkerSettings | undefined;
if (settings?.background) runBelowNormalPriority();

const endpoint = new RpcEndpoint<WorkerMethods, HostMethods, TrainingEvents>((message) => port.postMessage(message));
// The bundle keeps tfjs-backend-wasm's .wasm files beside itself.
const backendOptions = { wasmDir: __dirname, nativeModulesDir: settings?.nativeModulesDir };
const jobs = new Jobs({ ...backendOptions, recurrentLayers: recurrentLayersFor });
endpoint.handle('train', (params, context) => jobs.train(params, context));
endpoint.handle('evaluate', (params, context) => jobs.evaluate(params, context));
endpoint.handle('predict', (params, context) => jobs.predict(params, context));
endpoint.handle('importKeras', (params) => jobs.importKeras(params));
endpoint.handle('exportKeras', ({ runDir, out }) => exportRunToKeras(runDir, out));
endpoint.handle('explain', (params) => jobs.explain(params));
endpoint.handle('backend', ({ preference }) => initBackend(preference, backendOptions));

port.on('message', (message: unknown) => {
  if (isWireMessage(message)) endpoint.receive(message);
});

/**
 * Below normal priority before any other thread is started from this one (the
 * kernels' second thread, TensorFlow's pools inherit it). On Linux a priority
 * is a thread's own, so the process's other threads (predictions, the service)
 * keep theirs; elsewhere it is the whole process's. Lowering a priority needs
 * no privilege; if it is refused all the same, the work runs as before.
 */
function runBelowNormalPriority(): void {
  try {
    os.setPriority(os.constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // The thread keeps its priority: slower for the editor under load, never wrong.
  }
}
