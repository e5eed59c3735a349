/**
 * The training service: a small Node process, started by the extension on
 * first use and detached from it, that owns the TensorFlow worker thread.
 * A window reload restarts the extension host; the service keeps training,
 * and the new host reattaches (`status`, then `attach`) and keeps streaming.
 * It exits on its own once idle with no window connected. It alone decides
 * whether a training may start: one at a time, whichever window asks.
 *
 *   node service.js --address A --token-file F --runs-dir R --cache-dir C --data-source S [--native-modules-dir D]
 *
 * Who may drive it: its socket sits in a folder only the user can enter
 * (service/address.ts), and every connection must first send the token the
 * service wrote beside it (service/auth.ts). What it accepts: every request
 * is checked against service/requests.ts, inside the folders given here.
 */
import { rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { LabError, errorMessage } from '../core/errors';
import { socketChannel, writeLine } from '../core/socket-channel';
import { applyTrainingEvent, describeTraining, newTrainingState } from '../core/training-state';
import { WorkerClient } from '../core/worker-client';
import type { ServiceMethods, ServiceWelcome, TrainResult, TrainingEvents, TrainingState } from '../protocol';
import { RpcEndpoint, type EventListener, type Handler, type PendingRequest } from '../rpc';
import { privacyProblem, type ServiceRoots } from './address';
import { HELLO_TIMEOUT_MS, isValidHello, writeNewToken } from './auth';
import { serviceRequestSchemas, validateServiceRequest, type ServiceMethodName } from './requests';
import { inspectSocketPath } from './socket-path';

const { values: args } = parseArgs({
  options: {
    address: { type: 'string' },
    'token-file': { type: 'string' },
    'runs-dir': { type: 'string' },
    'cache-dir': { type: 'string' },
    'data-source': { type: 'string' },
    'native-modules-dir': { type: 'string' },
  },
  strict: true,
});
const address = args.address;
const tokenFile = args['token-file'];
if (!address || !tokenFile || !args['runs-dir'] || !args['cache-dir'] || !args['data-source']) {
  fail('usage: service.js --address A --token-file F --runs-dir R --cache-dir C --data-source S [--native-modules-dir D]');
}
const roots: ServiceRoots = { runsDir: args['runs-dir'], cacheDir: args['cache-dir'], dataSource: args['data-source'] };
const nativeModulesDir = args['native-modules-dir'];
const schemas = serviceRequestSchemas(roots);
/** Minutes without a connected window or a training before the service exits. */
const IDLE_MS = Number(process.env.RNN_SENTIMENT_LAB_SERVICE_IDLE_MS) || 5 * 60_000;

/** One line to the service's log (its stdout, a file the extension shows in its Output channel). */
function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

const workerOptions = (name: string, background: boolean) => ({
  workerData: { nativeModulesDir: nativeModulesDir || undefined, background },
  onOutput: (line: string) => log(`[${name}] ${line}`),
});
/** Trains and evaluates: it may be busy for minutes, below normal priority (the editor comes first). */
const worker = new WorkerClient(path.join(__dirname, 'worker.js'), workerOptions('training worker', true));
/**
 * Answers Analyze Sentiment: a thread of its own, so a prediction never waits
 * behind a training's batches in the other one. Started on the first
 * prediction; it keeps a few models loaded, as the training worker did.
 */
const predictor = new WorkerClient(path.join(__dirname, 'worker.js'), workerOptions('prediction worker', false));
/**
 * Explains analyses: a thread of its own too, so that an analysis never waits
 * behind the explanation of the one before (tens to hundreds of milliseconds
 * of trace and integrated gradients). Started on the first explanation, which
 * loads the model there.
 */
const explainer = new WorkerClient(path.join(__dirname, 'worker.js'), workerOptions('explanation worker', true));

/** A refusal to start: one line for whoever started the service (the client shows it), then exit. */
function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
// The window that started the service may close its end of stderr: never die of that.
process.stderr.on('error', () => undefined);

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

/**
 * A connection is served only once its first line is the token; anything
 * else first (or nothing within the deadline) closes it. A line over the
 * size cap closes it too (socketChannel).
 */
function serve(socket: Socket, token: string): void {
  connections.add(socket);
  let authenticated = false;
  const helloDeadline = setTimeout(() => socket.destroy(), HELLO_TIMEOUT_MS);
  const endpoint = new RpcEndpoint<ServiceMethods, Record<string, never>, TrainingEvents>(
    socketChannel(socket, (m) => endpoint.receive(m), {
      intercept: (message) => {
        if (authenticated) return false;
        clearTimeout(helloDeadline);
        if (!isValidHello(message, token)) {
          socket.destroy();
          return true;
        }
        authenticated = true;
        writeLine(socket, { kind: 'welcome' } satisfies ServiceWelcome);
        return true;
      },
    }),
    logStack,
  );
  /** Every handler sees its parameters only after they passed the method's schema. */
  const handle = <K extends ServiceMethodName>(method: K, handler: Handler<ServiceMethods[K], TrainingEvents>) =>
    endpoint.handle(method, async (params, context) => handler(await validateServiceRequest(schemas, method, params), context));
  const followed = new Set<EventListener<TrainingEvents>>();
  socket.on('close', () => {
    clearTimeout(helloDeadline);
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

  handle('train', async (params, { emit, signal }) => {
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
  handle('attach', async (_params, { emit, signal }) => {
    const training = current;
    if (!training) throw new LabError('not-found', 'No training is running.');
    follow(emit, signal, training);
    return training.request.result;
  });
  handle('status', () => {
    const finished = unreported;
    unreported = undefined;
    return { training: current ? { state: current.state, activate: current.activate } : undefined, finished };
  });
  handle('predict', (params, { emit, signal }) => {
    const request = predictor.request('predict', params, emit);
    signal.addEventListener('abort', () => request.cancel());
    return request.result;
  });
  // Explanations never wait behind a training, and predictions never wait behind them.
  handle('explain', (params) => explainer.request('explain', params).result);
  handle('evaluate', (params, { emit, signal }) => {
    const request = worker.request('evaluate', params, emit);
    signal.addEventListener('abort', () => request.cancel());
    return request.result;
  });
  handle('backend', (params) => worker.request('backend', params).result);
  handle('importKeras', (params) => worker.request('importKeras', params).result);
  handle('exportKeras', (params) => worker.request('exportKeras', params).result);
  handle('restartWorker', async () => {
    // The prediction and explanation workers restart now (an analysis in flight fails with a
    // clear message); the training worker once its training ends.
    await Promise.all([predictor.terminate(), explainer.terminate()]);
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

let server: ReturnType<typeof createServer> | undefined;
function shutdown(): void {
  server?.close();
  void Promise.all([worker.terminate(), predictor.terminate(), explainer.terminate()]).finally(() => process.exit(0));
}

/**
 * Claims the address: the folder must be private to the user; a live
 * service there means this one is not needed; a dead service's socket is
 * replaced; anything else at the path (another user's socket, a plain file)
 * is left alone and the user is told. A new token is written once the
 * socket is open.
 */
async function start(): Promise<void> {
  if (process.platform !== 'win32') {
    const problem = privacyProblem(path.dirname(address!));
    if (problem) fail(`The training service's folder is not private: ${problem}.`);
  }
  const state = await inspectSocketPath(address!);
  if (state.kind === 'live') process.exit(0); // Another service already serves this address.
  if (state.kind === 'foreign') fail(`The training service cannot listen: ${state.problem}. Remove it and try again.`);
  if (state.kind === 'stale') rmSync(address!, { force: true });
  // Written once the socket is ours (a service that loses the race for the address writes nothing);
  // a client that read the previous token meanwhile is refused and tries again.
  let token: string | undefined;
  server = createServer((socket) => (token ? serve(socket, token) : socket.destroy()));
  server.once('error', (error: NodeJS.ErrnoException) => {
    // Another service won the race for the address between the check and here.
    if (error.code === 'EADDRINUSE') process.exit(0);
    fail(`The training service cannot listen at ${address}: ${error.message}`);
  });
  server.listen(address, () => {
    token = writeNewToken(tokenFile!);
    log(`service ${process.pid} listening on ${address}`);
    scheduleIdleExit();
  });
}

process.on('SIGTERM', shutdown);
start().catch((error: unknown) => fail(`The training service could not start: ${error instanceof Error ? error.message : String(error)}`));
