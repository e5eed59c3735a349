/**
 * One request/response/event mechanism for every channel of the extension:
 * caller ↔ worker thread (the service, the CLI), extension host ↔ training
 * service (a socket), and extension host ↔ dashboard webview. Requests are
 * promises matched by id; a request can stream events back to its caller
 * before it answers, and can be cancelled (the handler sees an AbortSignal).
 * A thrown error crosses every channel through toWireError. Runs in Node and
 * in the browser: its one import, core/errors, imports nothing.
 */
import { LabError } from './core/errors';

export interface MethodSpec {
  params: unknown;
  result: unknown;
}
export type MethodMap = { [method: string]: MethodSpec };
export type EventMap = { [event: string]: unknown };

export interface WireError {
  code: string;
  /** For the user: never a stack. */
  message: string;
  /** Where a bug (code 'internal') was thrown, for a log; never shown as the message. */
  stack?: string;
}

export type WireMessage =
  | { kind: 'request'; id: number; method: string; params: unknown }
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: WireError }
  | { kind: 'event'; requestId: number; event: string; data: unknown }
  | { kind: 'cancel'; id: number }
  /** One-way: no id, no answer (state pushed to a view, say). */
  | { kind: 'notification'; method: string; params: unknown };

/** An error the other side answered with; `remoteStack` says where a bug was thrown over there. */
export class RpcError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly remoteStack?: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/**
 * The one way a thrown error crosses a channel. An error with a code (the
 * lab's, or one relayed from further along) keeps it and its message; anything
 * else is a bug: code 'internal', its message, and its stack kept apart.
 */
export function toWireError(error: unknown): WireError {
  if (error instanceof RpcError) return { code: error.code, message: error.message, ...(error.remoteStack ? { stack: error.remoteStack } : {}) };
  if (error instanceof LabError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'internal', message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { code: 'internal', message: String(error) };
}

/** The code an error carries across channels; undefined for a bug. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof LabError || error instanceof RpcError ? error.code : undefined;
}

/** Where a bug was thrown: on the other side of a channel, or here. */
export function errorStack(error: unknown): string | undefined {
  if (error instanceof RpcError) return error.remoteStack;
  return error instanceof LabError || !(error instanceof Error) ? undefined : error.stack;
}

export interface HandlerContext<Events extends EventMap> {
  signal: AbortSignal;
  emit: <E extends keyof Events & string>(event: E, data: Events[E]) => void;
}

export type Handler<M extends MethodSpec, Events extends EventMap> = (
  params: M['params'],
  context: HandlerContext<Events>,
) => Promise<M['result']> | M['result'];

export type EventListener<Events extends EventMap> = <E extends keyof Events & string>(event: E, data: Events[E]) => void;

export interface PendingRequest<R> {
  id: number;
  result: Promise<R>;
  cancel(): void;
}

/**
 * `Incoming` are the methods this side serves, `Outgoing` those it calls on
 * the other side; `Events` are what handlers stream back to callers.
 */
export class RpcEndpoint<Incoming extends MethodMap, Outgoing extends MethodMap, Events extends EventMap> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; onEvent?: EventListener<Events> }>();
  private readonly running = new Map<number, AbortController>();
  private readonly handlers = new Map<string, Handler<MethodSpec, Events>>();

  constructor(
    private readonly post: (message: WireMessage) => void,
    /**
     * Where this side logs the stack of a bug its handlers throw; the stack
     * then stays here. Without one it travels to the caller, who logs it.
     */
    private readonly logStack?: (stack: string) => void,
  ) {}

  handle<K extends keyof Incoming & string>(method: K, handler: Handler<Incoming[K], Events>): void {
    this.handlers.set(method, handler as unknown as Handler<MethodSpec, Events>);
  }

  request<K extends keyof Outgoing & string>(
    method: K,
    params: Outgoing[K]['params'],
    onEvent?: EventListener<Events>,
  ): PendingRequest<Outgoing[K]['result']> {
    const id = this.nextId++;
    const result = new Promise<Outgoing[K]['result']>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEvent });
    });
    this.post({ kind: 'request', id, method, params });
    return { id, result, cancel: () => this.post({ kind: 'cancel', id }) };
  }

  /** A one-way message to a method of the other side; nothing comes back. */
  notify<K extends keyof Outgoing & string>(method: K, params: Outgoing[K]['params']): void {
    this.post({ kind: 'notification', method, params });
  }

  /** Feed every message received from the other side here. */
  receive(message: WireMessage): void {
    switch (message.kind) {
      case 'request':
        void this.serve(message.id, message.method, message.params);
        break;
      case 'response': {
        const waiting = this.pending.get(message.id);
        if (!waiting) return;
        this.pending.delete(message.id);
        if (message.ok) waiting.resolve(message.result);
        else waiting.reject(new RpcError(message.error.code, message.error.message, message.error.stack));
        break;
      }
      case 'event':
        this.pending.get(message.requestId)?.onEvent?.(message.event, message.data as never);
        break;
      case 'cancel':
        this.running.get(message.id)?.abort();
        break;
      case 'notification': {
        const handler = this.handlers.get(message.method);
        const noop = () => undefined;
        if (handler) void Promise.resolve(handler(message.params, { signal: new AbortController().signal, emit: noop })).catch(noop);
        break;
      }
    }
  }

  /** Requests sent and not yet answered (a connection still carrying one is kept open). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Rejects every request still waiting (the other side is gone). */
  failAll(code: string, message: string): void {
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      waiting.reject(new RpcError(code, message));
    }
  }

  private async serve(id: number, method: string, params: unknown): Promise<void> {
    const handler = this.handlers.get(method);
    if (!handler) {
      this.post({ kind: 'response', id, ok: false, error: { code: 'unknown-method', message: `Unknown method "${method}".` } });
      return;
    }
    const controller = new AbortController();
    this.running.set(id, controller);
    const emit = (event: string, data: unknown) => this.post({ kind: 'event', requestId: id, event, data });
    try {
      const result = await handler(params, { signal: controller.signal, emit });
      this.post({ kind: 'response', id, ok: true, result });
    } catch (error) {
      const { stack, ...wire } = toWireError(error);
      if (stack && this.logStack) this.logStack(stack);
      this.post({ kind: 'response', id, ok: false, error: stack && !this.logStack ? { ...wire, stack } : wire });
    } finally {
      this.running.delete(id);
    }
  }
}

/** Structural check of an incoming message; anything else is dropped. */
export function isWireMessage(value: unknown): value is WireMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.kind) {
    case 'request':
      return Number.isInteger(m.id) && typeof m.method === 'string';
    case 'response':
      return Number.isInteger(m.id) && typeof m.ok === 'boolean';
    case 'event':
      return Number.isInteger(m.requestId) && typeof m.event === 'string';
    case 'cancel':
      return Number.isInteger(m.id);
    case 'notification':
      return typeof m.method === 'string';
    default:
      return false;
  }
}
