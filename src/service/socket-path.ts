/**
 * What occupies the service's socket path before the service listens there:
 * nothing, a live service of ours, a dead one's socket (safe to replace), or
 * something that is not ours and must not be touched (the user is told).
 */
import { lstat } from 'node:fs/promises';
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

/**
 * Why the path is not this user's socket, or undefined when it is (or is
 * absent). Checked before connecting too, so a token never goes to a
 * listener someone else planted.
 */
export async function socketPathProblem(address: string): Promise<string | undefined> {
  if (process.platform === 'win32') return undefined;
  const info = await lstat(address).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!info) return undefined;
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) return `${address} belongs to another user (uid ${info.uid})`;
  if (!info.isSocket()) return `${address} is ${info.isDirectory() ? 'a folder' : info.isSymbolicLink() ? 'a link' : 'a plain file'}, not the service's socket`;
  return undefined;
}

export async function inspectSocketPath(address: string): Promise<SocketPathState> {
  const problem = await socketPathProblem(address);
  if (problem) return { kind: 'foreign', problem };
  if (await answers(address)) return { kind: 'live' };
  return process.platform !== 'win32' && (await lstat(address).then(() => true, () => false)) ? { kind: 'stale' } : { kind: 'free' };
}
