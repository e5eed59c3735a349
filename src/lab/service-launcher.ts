/**
 * The thread that starts the training service (dist/service-launcher.js, a
 * worker thread of the extension host). Starting a process blocks the thread
 * that asks: it forks, then waits until the child has replaced itself with
 * Node, which takes tens of milliseconds on a busy machine, all of it a stall
 * of whatever else that thread serves. So the extension host's own thread
 * leaves it to this one. The thread then watches the service until it exits
 * (so the process is reaped) and ends with it; it never keeps the host alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, truncateSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { LaunchParams, LauncherMethods } from '../protocol';
import { RpcEndpoint, isWireMessage } from '../rpc';

if (!parentPort) throw new Error('service-launcher.js must run as a worker thread.');
const port = parentPort;

/** The service's log is started afresh once it passes this size. */
const MAX_LOG_BYTES = 1 << 20;

const endpoint = new RpcEndpoint<LauncherMethods, Record<string, never>, Record<string, never>>((message) => port.postMessage(message));
endpoint.handle('launch', (params, { signal }) => launch(params, signal));
port.on('message', (message: unknown) => {
  if (isWireMessage(message)) endpoint.receive(message);
});

/**
 * Starts the service detached (it must outlive the window). Its output goes
 * to its log file; a refusal to start is the last line it wrote before
 * exiting. Answers at the service's exit, or at once when `signal` lets it go.
 */
function launch(params: LaunchParams, signal: AbortSignal): Promise<{ refusal?: string }> {
  // Once the service is gone, nothing holds this thread: it ends.
  const end = () => port.unref();
  const log = openLog(params.logFile);
  let child: ChildProcess;
  try {
    child = spawn(params.nodePath, params.args, {
      detached: true,
      // Without a log file, stderr is read until the service answers (then let go: nothing reads it after).
      stdio: log === undefined ? ['ignore', 'ignore', 'pipe'] : ['ignore', log, log],
      env: params.env,
    });
  } catch (error) {
    end();
    throw error;
  } finally {
    if (log !== undefined) closeSync(log);
  }
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  return new Promise((resolve) => {
    signal.addEventListener('abort', () => {
      child.stderr?.destroy();
      resolve({});
    });
    child.on('exit', (code) => {
      end();
      if (code === 0) return resolve({});
      const output = log === undefined ? stderr : tail(params.logFile);
      resolve({ refusal: output.trim().split('\n').at(-1)?.replace(/^\S+Z /, '') || `The training service exited with code ${String(code)}.` });
    });
    child.on('error', (error) => {
      end();
      resolve({ refusal: `The training service could not be started: ${error.message}` });
    });
  });
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
