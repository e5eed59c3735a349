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
import { LabError, errorMessage } from '../core/errors';
import { socketChannel } from '../core/socket-channel';
import { applyTrainingEvent, describeTraining, newTrainingState } from '../core/training-state';
import { WorkerClient } from '../core/worker-client';
import type { ServiceMethods, TrainResult, TrainingEvents, TrainingState } from '../protocol';
import { RpcEndpoint, type EventListener, type PendingRequest } from '../rpc';

const [address, nativeModulesDir] = process.argv.slice(2);
if (!address) throw new Error('usage: service.js <address> [nativeModulesDir]');
/** Minutes without a connected window or a training before the service exits. */
const IDLE_MS = Number(process.env.RNN_SENTIMENT_LAB_SERVICE_IDLE_MS) || 5 * 60_000;

/** One line to the service's log (its stdout, a file the extension shows in its Output channel). */
function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

const workerOptions = (name: string) => ({ workerData: { nativeModulesDir: nativeModulesDir || undefined }, onOutput: (line: string) => log(`[${name}] ${line}`) });
/** Trains and evaluates: it may be busy for minutes. */
const worker = new WorkerClient(path.join(__dirname, 'worker.js'), workerOptions('training worker'));
/**
 * Answers Analyze Sentiment: a thread of its own, so a prediction never waits
 * behind a training's batches in the other one. Started on the first
 * prediction; it keeps a few models loaded, as the training worker did.
 */
const predictor = new WorkerClient(path.join(__dirname, 'worker.js'), workerOptions('prediction worker'));

interface CurrentTraining {
  state: TrainingState;
  activate: boolean;
  request: PendingRequest<TrainResult>;
  followers: Set<EventListener<TrainingEvents>>;
}
let current: CurrentTraining | undefined;
/** The backend setting changed during a training: the worker restarts once it ends. */
let restartWhenIdle = false;
/** The result of a training that ended with no window following it, kept for the next window that asks. */
let unreported: { result: TrainResult; activate: boolean } | undefined;
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
    log(`training ${params.hyperparameters.preset}: ${params.hyperparameters.epochs} epochs${params.limit ? `, first ${params.limit} reviews of each split` : ''}, backend preference ${params.backend}`);
    try {
      const result = await request.result;
      log(`training ${result.cancelled ? 'cancelled, checkpoint' : 'done'}: ${result.runDir}`);
      unreported = training.followers.size === 0 ? { result, activate: training.activate } : undefined;
      return result;
    } catch (error) {
      log(`training failed: ${errorMessage(error)}`);
      throw error;
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
  endpoint.handle('status', () => {
    const finished = unreported;
    unreported = undefined;
    return { training: current ? { state: current.state, activate: current.activate } : undefined, finished };
  });
  endpoint.handle('predict', (params) => predictor.request('predict', params).result);
  endpoint.handle('evaluate', (params, { emit, signal }) => {
    const request = worker.request('evaluate', params, emit);
    signal.addEventListener('abort', () => request.cancel());
    return request.result;
  });
  endpoint.handle('backend', (params) => worker.request('backend', params).result);
  endpoint.handle('importKeras', (params) => worker.request('importKeras', params).result);
  endpoint.handle('exportKeras', (params) => worker.request('exportKeras', params).result);
  endpoint.handle('restartWorker', async () => {
    // The prediction worker restarts now (an analysis in flight fails with a clear message);
    // the training worker once its training ends.
    await predictor.terminate();
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
  void Promise.all([worker.terminate(), predictor.terminate()]).finally(() => process.exit(0));
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
  server.listen(address, () => {
    log(`service ${process.pid} listening on ${address}`);
    scheduleIdleExit();
  });
}

process.on('SIGTERM', shutdown);
listen();
