/**
 * The extension host's side of the training service: connects to it,
 * starting it when nothing answers, shows it the token, and offers the same
 * `request` as a WorkerClient. A lost connection fails what was pending; the
 * next request reconnects.
 *
 * The service to talk to follows the settings: its address depends on the
 * runs, cache and data folders it may touch, so when they change the next
 * request goes to (and starts) the service for the new ones. A request still
 * running on the old one keeps its connection.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, truncateSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { LabError, isLabError } from '../core/errors';
import { socketChannel, writeLine } from '../core/socket-channel';
import type { ServiceHello, ServiceMethods, TrainingEvents } from '../protocol';
import { RpcEndpoint, type EventListener, type PendingRequest } from '../rpc';
import { serviceLogPath, type ServiceEndpoint, type ServiceRoots } from '../service/address';
import { readToken } from '../service/auth';
import { socketPathProblem } from '../service/socket-path';
import type { LabSettings } from './settings';

export interface ServiceLocation {
  endpoint: ServiceEndpoint;
  /** The folders the service may touch, given on its command line. */
  roots: ServiceRoots;
  /** dist/service.js */
  servicePath: string;
  nativeModulesDir?: string;
  /** The Node to run it with (VS Code's own, run as plain Node). */
  nodePath?: string;
}

export function serviceRoots(settings: LabSettings): ServiceRoots {
  return { runsDir: settings.runsDir, cacheDir: settings.cacheDir, dataSource: settings.dataSource };
}

type Endpoint = RpcEndpoint<Record<string, never>, ServiceMethods, TrainingEvents>;
interface Connection {
  address: string;
  socket: Socket;
  endpoint: Endpoint;
}

/** How long a starting service has to answer, and an answering one to accept the token. */
const START_DEADLINE_MS = 20_000;
const WELCOME_DEADLINE_MS = 10_000;
/** The service's log is started afresh once it passes this size. */
const MAX_LOG_BYTES = 1 << 20;

export class ServiceClient {
  private current: { address: string; connection: Promise<Connection> } | undefined;
  /** Connections to a service for earlier settings, still carrying a request. */
  private readonly retired = new Set<Socket>();

  constructor(private readonly locate: () => ServiceLocation) {}

  request<K extends keyof ServiceMethods & string>(method: K, params: ServiceMethods[K]['params'], onEvent?: EventListener<TrainingEvents>): PendingRequest<ServiceMethods[K]['result']> {
    let inner: PendingRequest<ServiceMethods[K]['result']> | undefined;
    let cancelled = false;
    const result = this.connect().then(({ endpoint }) => {
      inner = endpoint.request(method, params, onEvent);
      if (cancelled) inner.cancel();
      return inner.result;
    });
    return {
      id: -1,
      result,
      cancel: () => {
        cancelled = true;
        inner?.cancel();
      },
    };
  }

  /**
   * Connects to the service for the current settings, starting it if none
   * runs, with nobody waiting: starting it forks this process, which holds
   * the extension host's thread for tens of milliseconds, better spent before
   * the first training or analysis than during it. A failure is left for the
   * first real request to report.
   */
  startInBackground(): void {
    this.connect().catch(() => undefined);
  }

  /** Connects only if a service already runs (a window reloaded during a training); never starts one. */
  async connectIfRunning(): Promise<boolean> {
    let location: ServiceLocation;
    try {
      location = this.locate();
    } catch {
      return false; // No usable folder for the service: nothing can be running there; a request will say why.
    }
    if (this.current?.address === location.endpoint.address) return true;
    const connection = await attempt(location.endpoint).catch(() => undefined);
    if (!connection) return false;
    this.adopt(location.endpoint.address, Promise.resolve(connection));
    return true;
  }

  /** Closes this window's connections; the service (and a training in it) keeps running. */
  async disconnect(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    for (const socket of this.retired) socket.destroy();
    this.retired.clear();
    (await current?.connection.catch(() => undefined))?.socket.destroy();
  }

  private connect(): Promise<Connection> {
    let location: ServiceLocation;
    try {
      location = this.locate();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const address = location.endpoint.address;
    if (this.current?.address === address) return this.current.connection;
    const connection = this.open(location);
    this.adopt(address, connection);
    return connection;
  }

  private adopt(address: string, connection: Promise<Connection>): void {
    const previous = this.current;
    const entry = { address, connection };
    this.current = entry;
    void connection.then(
      (c) =>
        c.socket.on('close', () => {
          c.endpoint.failAll('service-disconnected', 'The connection to the training service was lost.');
          this.retired.delete(c.socket);
          if (this.current === entry) this.current = undefined;
        }),
      () => {
        if (this.current === entry) this.current = undefined;
      },
    );
    void previous?.connection.then(
      (c) => {
        if (c.endpoint.pendingCount === 0) c.socket.destroy();
        else this.retired.add(c.socket);
      },
      () => undefined,
    );
  }

  private async open(location: ServiceLocation): Promise<Connection> {
    let failure: unknown;
    const tryOnce = () =>
      attempt(location.endpoint).catch((error: unknown) => {
        failure = error;
        return undefined;
      });
    let connection = await tryOnce();
    if (connection) return connection;
    // A path held by something that is not our socket is the user's to clear: say so rather than start a service that cannot listen.
    if (isLabError(failure, 'unsafe-folder')) throw failure;
    const service = this.startService(location);
    try {
      const deadline = Date.now() + START_DEADLINE_MS;
      while (!connection && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        if (service.refusal) throw new LabError('service-unavailable', service.refusal);
        connection = await tryOnce();
        if (isLabError(failure, 'unsafe-folder')) throw failure;
      }
    } finally {
      service.release();
    }
    if (connection) return connection;
    if (failure instanceof LabError) throw failure;
    throw new LabError('service-unavailable', `The training service did not start within ${START_DEADLINE_MS / 1000} s.`);
  }

  /**
   * Starts the service detached (it must outlive this window). Its output goes
   * to its log file (the Output channel follows it); a refusal to start is the
   * last line it wrote before exiting.
   */
  private startService(location: ServiceLocation): { readonly refusal: string | undefined; release(): void } {
    const { endpoint, roots } = location;
    // `--name=value`: a value that starts with a dash stays a value.
    const args = [
      location.servicePath,
      `--address=${endpoint.address}`,
      `--token-file=${endpoint.tokenFile}`,
      `--runs-dir=${roots.runsDir}`,
      `--cache-dir=${roots.cacheDir}`,
      `--data-source=${roots.dataSource}`,
      ...(location.nativeModulesDir ? [`--native-modules-dir=${location.nativeModulesDir}`] : []),
    ];
    const logFile = serviceLogPath(endpoint);
    const log = openLog(logFile);
    const child = spawn(location.nodePath ?? process.execPath, args, {
      detached: true,
      // Without a log file, stderr is read until the service answers (then let go: nothing reads it after).
      stdio: log === undefined ? ['ignore', 'ignore', 'pipe'] : ['ignore', log, log],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    if (log !== undefined) closeSync(log);
    let stderr = '';
    let refusal: string | undefined;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.on('exit', (code) => {
      if (code === 0) return;
      const output = log === undefined ? stderr : tail(logFile);
      refusal = output.trim().split('\n').at(-1)?.replace(/^\S+Z /, '') || `The training service exited with code ${String(code)}.`;
    });
    child.on('error', (error) => {
      refusal = `The training service could not be started: ${error.message}`;
    });
    return {
      get refusal() {
        return refusal;
      },
      release() {
        child.stderr?.destroy();
        child.unref();
      },
    };
  }
}

function openLog(file: string): number | undefined {
  try {
    if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > MAX_LOG_BYTES) truncateSync(file);
    return openSync(file, 'a', 0o600);
  } catch {
    return undefined; // A log is a help, not a condition for training.
  }
}

/** The last few KB of a file: where a service that refused to start said why. */
function tail(file: string): string {
  try {
    const fd = openSync(file, 'r');
    try {
      const size = statSync(file).size;
      const buffer = Buffer.alloc(Math.min(size, 4096));
      readSync(fd, buffer, 0, buffer.length, size - buffer.length);
      return buffer.toString();
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** Connects and shows the token; resolves once the service welcomes it, undefined when nothing listens. */
async function attempt(endpoint: ServiceEndpoint): Promise<Connection | undefined> {
  const problem = await socketPathProblem(endpoint.address);
  if (problem) throw new LabError('unsafe-folder', `The training service cannot be reached safely: ${problem}. Remove it and try again.`);
  const socket = await tryConnect(endpoint.address);
  if (!socket) return undefined;
  return new Promise<Connection>((resolve, reject) => {
    let welcomed = false;
    const refuse = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => refuse(new LabError('service-unavailable', 'The training service did not answer.')), WELCOME_DEADLINE_MS);
    const endpointOf: Endpoint = new RpcEndpoint(
      socketChannel(socket, (m) => endpointOf.receive(m), {
        intercept: (message) => {
          if (welcomed) return false;
          if ((message as { kind?: unknown } | undefined)?.kind === 'welcome') {
            welcomed = true;
            clearTimeout(timer);
            resolve({ address: endpoint.address, socket, endpoint: endpointOf });
          }
          return true;
        },
      }),
    );
    socket.on('error', () => undefined);
    socket.once('close', () => {
      if (!welcomed) refuse(new LabError('unauthorized', 'The training service refused this window (its token did not match).'));
    });
    let token: string;
    try {
      token = readToken(endpoint.tokenFile);
    } catch (error) {
      refuse(error as Error);
      return;
    }
    writeLine(socket, { kind: 'hello', token } satisfies ServiceHello);
  });
}

function tryConnect(address: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection(address);
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(undefined));
  });
}
