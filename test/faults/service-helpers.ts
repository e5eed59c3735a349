/**
 * Shared by the training service's fault tests: the real service process
 * (dist/service.js) started in a private folder, and a raw socket client that
 * sends whatever a hostile local process would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SERVICE_PATH = path.join(REPO_ROOT, 'dist', 'service.js');
export const CLI_PATH = path.join(REPO_ROOT, 'dist', 'cli.js');

export function requireBuilt(): void {
  if (!existsSync(SERVICE_PATH) || !existsSync(CLI_PATH)) throw new Error('Run `npm run build` first: the fault tests use dist/service.js and dist/cli.js.');
}

/** A 0700 folder of this user's (mkdtemp makes it so). */
export async function privateTemp(prefix = 'rsl-fault-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Polls until `check` holds; fails with `what` once the deadline passes. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ServiceRootsArgs {
  runsDir: string;
  cacheDir: string;
  dataSource: string;
}

export interface RunningService {
  child: ChildProcess;
  address: string;
  tokenFile: string;
  exited: Promise<{ code: number | null; stderr: string }>;
  stop(): Promise<void>;
}

/** Starts dist/service.js as the extension would; resolves once it listens and has written its token. */
export async function startService(dir: string, roots: ServiceRootsArgs, options: { address?: string; waitForToken?: boolean } = {}): Promise<RunningService> {
  const address = options.address ?? path.join(dir, 'service.sock');
  const tokenFile = path.join(path.dirname(address), 'service.token');
  const child = spawn(
    process.execPath,
    [SERVICE_PATH, '--address', address, '--token-file', tokenFile, '--runs-dir', roots.runsDir, '--cache-dir', roots.cacheDir, '--data-source', roots.dataSource],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, RNN_SENTIMENT_LAB_SERVICE_IDLE_MS: '60000' } },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  let gone = false;
  void exited.then(() => (gone = true));
  if (options.waitForToken !== false) await waitUntil(() => gone || (existsSync(tokenFile) && existsSync(address)), 'the service to listen');
  return {
    child,
    address,
    tokenFile,
    exited,
    async stop() {
      if (!gone) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A raw connection: what it receives, line by line, and whether the service closed it. */
export interface RawClient {
  socket: Socket;
  lines: string[];
  closed: Promise<void>;
  send(text: string | Buffer): void;
}

export function rawConnect(address: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(address);
    const lines: string[] = [];
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        lines.push(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    socket.once('connect', () =>
      resolve({
        socket,
        lines,
        closed,
        send: (text) => {
          if (!socket.destroyed) socket.write(text);
        },
      }),
    );
    socket.once('error', reject);
  });
}

/** A second OS user for cross-user attacks, or why there is none. */
export function otherUser(): { name: string; uid: number } | { skip: string } {
  if (process.platform === 'win32') return { skip: 'no runuser on Windows' };
  if (process.getuid?.() !== 0) return { skip: 'runuser needs root to act as another user' };
  const probe = spawnSync('runuser', ['-u', 'nobody', '--', 'id', '-u'], { encoding: 'utf8' });
  if (probe.status !== 0) return { skip: `runuser -u nobody does not work here (${(probe.stderr || String(probe.error)).trim()})` };
  return { name: 'nobody', uid: Number(probe.stdout.trim()) };
}

/** Runs a Node script as `user` in a process group of its own; `stop` ends the whole group (runuser and the script). */
export function spawnAs(user: string, script: string, args: string[] = []): { child: ChildProcess; exited: Promise<void>; stop(): Promise<void> } {
  const child = spawn('runuser', ['-u', user, '--', process.execPath, '-e', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    child,
    exited,
    async stop() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exited;
    },
  };
}
