/** Running the built CLI as a user does: a real process, its exit code, stdout and stderr. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CLI_PATH } from './helpers';

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; onStderr?(text: string, child: ReturnType<typeof spawn>): void } = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      options.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export function assertOneLineError(outcome: Outcome, pattern: RegExp): void {
  assert.notEqual(outcome.code, 0);
  const lines = outcome.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${outcome.stderr}`);
  assert.match(lines[0], pattern);
}
