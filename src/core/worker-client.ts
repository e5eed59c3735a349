/**
 * The caller's side of the training worker (used by the extension host and
 * the CLI). It starts the worker on first use, and if the worker dies every
 * pending request fails with 'worker-crashed' and the next request starts a
 * fresh one: a crash is reported, never inherited.
 */
import * as path from 'node:path';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import type { HostMethods, TrainingEvents, WorkerMethods, WorkerSettings } from '../protocol';
import { RpcEndpoint, isWireMessage, type EventListener, type PendingRequest } from '../rpc';

export class WorkerClient {
  private worker: Worker | undefined;
  private endpoint: RpcEndpoint<HostMethods, WorkerMethods, TrainingEvents> | undefined;
  private stderrTail = '';

  constructor(
    private readonly workerPath: string,
    private readonly options: { workerData?: WorkerSettings; /** Each line the worker prints (else discarded). */ onOutput?: (line: string) => void } = {},
  ) {}

  request<K extends keyof WorkerMethods & string>(
    method: K,
    params: WorkerMethods[K]['params'],
    onEvent?: EventListener<TrainingEvents>,
  ): PendingRequest<WorkerMethods[K]['result']> {
    return this.start().request(method, params, onEvent);
  }

  /** Ends the worker; pending requests fail. */
  async terminate(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await worker.terminate();
  }

  private start(): RpcEndpoint<HostMethods, WorkerMethods, TrainingEvents> {
    if (this.endpoint) return this.endpoint;
    // SHARE_ENV: the native TensorFlow library reads the real process environment (its log level), not a copy.
    const worker = new Worker(path.resolve(this.workerPath), { env: SHARE_ENV, stderr: true, stdout: true, workerData: this.options.workerData ?? {} });
    const endpoint = new RpcEndpoint<HostMethods, WorkerMethods, TrainingEvents>((message) => worker.postMessage(message));
    // TensorFlow.js prints banners and warnings; keep the tail of stderr for crash reports only.
    const onOutput = this.options.onOutput;
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) onOutput?.(line);
    };
    if (onOutput) worker.stdout.on('data', forward);
    else worker.stdout.resume();
    worker.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000);
      forward(chunk);
    });
    worker.on('message', (message: unknown) => {
      if (isWireMessage(message)) endpoint.receive(message);
    });
    let failure: string | undefined;
    worker.on('error', (error) => {
      failure = error.message;
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) {
        this.worker = undefined;
        this.endpoint = undefined;
      }
      const reason = failure ?? (code === 0 || code === 1 ? 'it was stopped' : `it exited with code ${code}`);
      endpoint.failAll('worker-crashed', `The training worker stopped (${reason}).${this.stderrTail ? ` Last output: ${this.stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
    });
    this.worker = worker;
    this.endpoint = endpoint;
    return endpoint;
  }
}
