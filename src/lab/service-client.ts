/**
 * The extension host's side of the training service: connects to it, starting
 * it when nothing answers, and offers the same `request` as a WorkerClient.
 * A lost connection fails what was pending; the next request reconnects.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync, truncateSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { LabError } from '../core/errors';
import { socketChannel } from '../core/socket-channel';
import type { ServiceMethods, TrainingEvents } from '../protocol';
import { RpcEndpoint, type EventListener, type PendingRequest } from '../rpc';

export interface ServiceLocation {
  address: string;
  /** dist/service.js */
  servicePath: string;
  nativeModulesDir?: string;
  /** The Node to run it with (VS Code's own, run as plain Node). */
  nodePath?: string;
  /** Where the service's output (and its worker thread's) goes; none: discarded. */
  logPath?: string;
}

/** The service's log is started afresh once it passes this size. */
const MAX_LOG_BYTES = 1 << 20;

type Endpoint = RpcEndpoint<Record<string, never>, ServiceMethods, TrainingEvents>;

export class ServiceClient {
  private connection: Promise<{ socket: Socket; endpoint: Endpoint }> | undefined;
  private socket: Socket | undefined;

  constructor(private readonly location: ServiceLocation) {}

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

  /** Connects only if a service already runs (a window reloaded during a training); never starts one. */
  async connectIfRunning(): Promise<boolean> {
    if (this.connection) return true;
    const socket = await tryConnect(this.location.address);
    if (!socket) return false;
    this.connection = Promise.resolve(this.wrap(socket));
    return true;
  }

  /** Closes this window's connection; the service (and a training in it) keeps running. */
  async disconnect(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    (await connection?.catch(() => undefined))?.socket.destroy();
  }

  private connect(): Promise<{ socket: Socket; endpoint: Endpoint }> {
    this.connection ??= this.open().catch((error) => {
      this.connection = undefined;
      throw error;
    });
    return this.connection;
  }

  private async open(): Promise<{ socket: Socket; endpoint: Endpoint }> {
    let socket = await tryConnect(this.location.address);
    if (!socket) {
      this.startService();
      const deadline = Date.now() + 20_000;
      while (!socket && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        socket = await tryConnect(this.location.address);
      }
      if (!socket) throw new LabError('service-unavailable', 'The training service did not start within 20 s.');
    }
    return this.wrap(socket);
  }

  private wrap(socket: Socket): { socket: Socket; endpoint: Endpoint } {
    const endpoint: Endpoint = new RpcEndpoint(socketChannel(socket, (m) => endpoint.receive(m)));
    this.socket = socket;
    socket.on('close', () => {
      endpoint.failAll('service-disconnected', 'The connection to the training service was lost.');
      if (this.socket === socket) {
        this.socket = undefined;
        this.connection = undefined;
      }
    });
    return { socket, endpoint };
  }

  private startService(): void {
    const args = [this.location.servicePath, this.location.address, ...(this.location.nativeModulesDir ? [this.location.nativeModulesDir] : [])];
    const log = this.openLog();
    // Detached with its own session: it must survive the extension host that started it.
    const child = spawn(this.location.nodePath ?? process.execPath, args, {
      detached: true,
      stdio: log === undefined ? 'ignore' : ['ignore', log, log],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    if (log !== undefined) closeSync(log);
    child.unref();
  }

  private openLog(): number | undefined {
    const file = this.location.logPath;
    if (!file) return undefined;
    try {
      if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > MAX_LOG_BYTES) truncateSync(file);
      return openSync(file, 'a', 0o600);
    } catch {
      return undefined; // A log is a help, not a condition for training.
    }
  }
}

function tryConnect(address: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection(address);
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(undefined));
  });
}
