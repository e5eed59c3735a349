/**
 * The training service: a small Node process, started by the extension on
 * first use and detached from it, that owns the TensorFlow worker thread.
 * A window reload restarts the extension host; the service keeps training,
 * and the new host reattaches (`status`, then `attach`) and keeps streaming.
 * It exits on its own once idle with no window connected. It alone decides
 * whether a training may start: one at a time, whichever window asks.
 *
 *   node service.js <address> [nativeModulesDir]
 */
import { rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import * as path from 'node:path';
import { LabError } from '../core/errors';
import { socketChannel } from '../core/socket-channel';
import { applyTrainingEvent, describeTraining, newTrainingState } from '../core/training-state';
import { WorkerClient } from '../core/worker-client';
import type { ServiceMethods, TrainResult, TrainingEvents, TrainingState } from '../protocol';
import { RpcEndpoint, type EventListener, type PendingRequest } from '../rpc';

const [address, nativeModulesDir] = process.argv.slice(2);
if (!address) throw new Error('usage: service.js <address> [nativeModulesDir]');
/** Minutes without a connected window or a training before the service exits. */
const IDLE_MS = Number(process.env.RNN_SENTIMENT_LAB_SERVICE_IDLE_MS) || 5 * 60_000;

const worker = new WorkerClient(path.join(__dirname, 'worker.js'), { workerData: { nativeModulesDir: nativeModulesDir || undefined } });

interface CurrentTraining {
  state: TrainingState;
  activate: boolean;
  request: PendingRequest<TrainResult>;
  followers: Set<EventListener<TrainingEvents>>;
}
let current: CurrentTraining | undefined;
/** The backend setting changed during a training: the worker restarts once it ends. */
let restartWhenIdle = false;
const connections = new Set<Socket>();

/** A bug's stack goes to the service's own output, not to the window. */
const logStack = (stack: string) => process.stderr.write(`${stack}\n`);

function serve(socket: Socket): void {
  connections.add(socket);
  const endpoint = new RpcEndpoint<ServiceMethods, Record<string, never>, TrainingEvents>(socketChannel(socket, (m) => endpoint.receive(m)), logStack);
  const followed = new Set<EventListener<TrainingEvents>>();
  socket.on('close', () => {
    connections.delete(socket);
    // The window went away (reload, close): the training goes on without it.
    for (const follower of followed) current?.followers.delete(follower);
    scheduleIdleExit();
  });
  socket.on('error', () => socket.destroy());

  const follow = (emit: EventListener<TrainingEvents>, signal: AbortSignal, training: CurrentTraining) => {
    training.followers.add(emit);
    followed.add(emit);
    signal.addEventListener('abort', () => {
      training.state.cancelling = true;
      training.request.cancel();
    });
  };

  endpoint.handle('train', async (params, { emit, signal }) => {
    if (current) throw new LabError('busy', `A training is already running (${describeTraining(current.state)}). One training runs at a time.`);
    const state = newTrainingState(params.hyperparameters);
    const followers = new Set<EventListener<TrainingEvents>>();
    const request = worker.request('train', params, (event, data) => {
      applyTrainingEvent(state, event, data);
      for (const f of followers) f(event, data);
    });
    const training: CurrentTraining = { state, activate: params.activate !== false, request, followers };
    current = training;
    follow(emit, signal, training);
    try {
      return await request.result;
    } finally {
      current = undefined;
      if (restartWhenIdle) {
        restartWhenIdle = false;
        await worker.terminate();
      }
      scheduleIdleExit();
    }
  });
  endpoint.handle('attach', async (_params, { emit, signal }) => {
    const training = current;
    if (!training) throw new LabError('not-found', 'No training is running.');
    follow(emit, signal, training);
    return training.request.result;
  });
  endpoint.handle('status', () => (current ? { training: { state: current.state, activate: current.activate } } : {}));
  endpoint.handle('predict', (params, { emit, signal }) => {
    const request = worker.request('predict', params, emit);
    signal.addEventListener('abort', () => request.cancel());
    return request.result;
  });
  endpoint.handle('evaluate', (params, { emit, signal }) => {
    const request = worker.request('evaluate', params, emit);
    signal.addEventListener('abort', () => request.cancel());
    return request.result;
  });
  endpoint.handle('backend', (params) => worker.request('backend', params).result);
  endpoint.handle('restartWorker', async () => {
    if (current) restartWhenIdle = true;
    else await worker.terminate();
  });
}

let idleTimer: NodeJS.Timeout | undefined;
function scheduleIdleExit(): void {
  clearTimeout(idleTimer);
  if (connections.size > 0 || current) return;
  idleTimer = setTimeout(() => {
    if (connections.size === 0 && !current) shutdown();
  }, IDLE_MS);
  idleTimer.unref();
}

const server = createServer(serve);
function shutdown(): void {
  server.close();
  void worker.terminate().finally(() => process.exit(0));
}

/** A socket file left by a service that died is removed; one that answers belongs to a live service. */
function listen(): void {
  server.once('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE' || process.platform === 'win32') throw error;
    const probe = createConnection(address);
    probe.once('connect', () => {
      probe.destroy();
      process.exit(0); // Another service already serves this address.
    });
    probe.once('error', () => {
      rmSync(address, { force: true });
      server.listen(address);
    });
  });
  server.listen(address, () => scheduleIdleExit());
}

process.on('SIGTERM', shutdown);
listen();
