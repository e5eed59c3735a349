/**
 * What occupies the service's socket path before the service listens there:
 * nothing, a live service of ours, a dead one's socket (safe to replace), or
 * something that is not ours and must not be touched (the user is told).
 */
import { lstat, unlink } from 'node:fs/promises';
import { createConnection } from 'node:net';

export type SocketPathState =
  | { kind: 'free' }
  | { kind: 'live' }
  | { kind: 'stale' }
  | { kind: 'foreign'; problem: string };

/** Whether something accepts connections at `address` (answers within the deadline). */
export function answers(address: string, deadlineMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(address);
    const timer = setTimeout(() => finish(false), deadlineMs);
    function finish(result: boolean) {
      clearTimeout(timer);
      probe.destroy();
      resolve(result);
    }
    probe.once('connect', () => finish(true));
    probe.once('error', () => finish(false));
  });
}

export async function inspectSocketPath(address: string): Promise<SocketPathState> {
  if (process.platform === 'win32') return (await answers(address)) ? { kind: 'live' } : { kind: 'free' };
  const info = await lstat(address).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!info) return { kind: 'free' };
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) return { kind: 'foreign', problem: `${address} belongs to another user (uid ${info.uid})` };
  if (!info.isSocket()) return { kind: 'foreign', problem: `${address} is ${info.isDirectory() ? 'a folder' : info.isSymbolicLink() ? 'a link' : 'a plain file'}, not the service's socket` };
  return (await answers(address)) ? { kind: 'live' } : { kind: 'stale' };
}

/** Removes a dead service's socket; anything else is left alone. */
export async function removeStaleSocket(address: string): Promise<void> {
  const state = await inspectSocketPath(address);
  if (state.kind === 'stale') await unlink(address).catch(() => undefined);
}
