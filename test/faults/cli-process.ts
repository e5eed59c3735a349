/**
 * The fault tests' real processes: the built CLI run as a child, with a
 * deadline on everything that waits, and small tmpfs mounts for full disks.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_PATH } from '../unit/helpers';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; `done` settles when it exits (killed after `deadlineMs`, which fails the test that awaits it). */
export function startCli(args: string[], deadlineMs = 180_000): { child: ChildProcess; stderrSoFar(): string; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rnn-sentiment-lab ${args.join(' ')} did not finish within ${deadlineMs / 1000} s; stderr: ${stderr}`));
    }, deadlineMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // Let the pipes drain.
      setImmediate(() => resolve({ code, signal, stdout, stderr }));
    });
  });
  return { child, stderrSoFar: () => stderr, done };
}

export function runCli(args: string[], deadlineMs?: number): Promise<CliResult> {
  return startCli(args, deadlineMs).done;
}

/** Polls `check` every 50 ms until it returns a value, failing after `deadlineMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, deadlineMs = 120_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${deadlineMs / 1000} s waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A tmpfs of `sizeKiB`, a real small disk that fills up (needs root, as in CI
 * here); undefined with the reason when it cannot be mounted.
 */
export async function mountSmallDisk(sizeKiB: number): Promise<{ dir: string; unmount: () => Promise<void> } | { reason: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rsl-full-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    return { reason: `mount -t tmpfs failed (${(mounted.stderr || mounted.error?.message || '').trim() || `exit ${mounted.status}`}): a small disk needs root` };
  }
  return {
    dir,
    unmount: async () => {
      spawnSync('umount', [dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
