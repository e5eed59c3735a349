/**
 * The native TensorFlow backend for users: @tensorflow/tfjs-node with its
 * C library is hundreds of megabytes per platform, far too large to ship in
 * the VSIX, so the extension installs it on demand into its own storage with
 * the user's npm (whose tfjs-node installer downloads TensorFlow for the
 * platform). The worker looks there first. No `vscode` import.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { LabError } from '../core/errors';

/** Must match the bundled @tensorflow/tfjs: the two share one engine. */
export const TFJS_NODE_VERSION = '4.22.0';

/**
 * What installing buys, as measured (BENCHMARKS.md, bench:peers of
 * 2026-11-26 on two cores, Node 24, one LSTM epoch of the full corpus):
 * with the fused kernels doing the recurrent loops, the native library is
 * not faster than WebAssembly.
 */
export const NATIVE_SPEED_NOTE = 'With this extension\'s fused kernels, training runs at about the speed of WebAssembly (measured: an LSTM epoch in 7.9 s native against 7.4 s on WebAssembly, two cores).';

export function nativeModulesDir(storageDir: string): string {
  return path.join(storageDir, 'native-backend');
}

export function nativeBackendInstalled(dir: string): boolean {
  return existsSync(path.join(dir, 'node_modules', '@tensorflow', 'tfjs-node', 'lib', 'napi-v8', 'tfjs_binding.node'));
}

function run(command: string, args: string[], cwd: string, onOutput: (line: string) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      shell: process.platform === 'win32',
      signal,
      // An inherited npm_config_loglevel=silent (VS Code started from an npm script) would hide why npm failed.
      env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_loglevel: 'warn' },
    });
    let tail = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) onOutput(line.trim());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) =>
      reject(
        (error as { code?: string }).code === 'ENOENT'
          ? new LabError('not-found', `"${command}" was not found: installing the native backend needs Node.js and npm on the PATH.`)
          : error,
      ),
    );
    child.on('close', (code) => (code === 0 ? resolve() : reject(new LabError('download-failed', installFailure(command, code, tail)))));
  });
}

/** One sentence for a failed npm run; its whole output went to `onOutput` (the log). */
export function installFailure(command: string, code: number | null, output: string): string {
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network|getaddrinfo|socket hang up/i.test(output)) {
    return `${command} could not reach the package registry or TensorFlow's download server (is this machine offline?).`;
  }
  if (/EACCES|EPERM/.test(output)) return `${command} was not allowed to write its files (permission denied).`;
  if (/ENOSPC/.test(output)) return `the disk is full.`;
  return `${command} stopped with exit code ${code ?? 'unknown'}.`;
}

/**
 * Installs tfjs-node into `dir` (a folder of its own: a failed install is
 * removed whole, so the worker never finds half of one).
 */
export async function installNativeBackend(dir: string, onOutput: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const staging = `${dir}.installing`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await writeFile(path.join(staging, 'package.json'), JSON.stringify({ name: 'rnn-sentiment-lab-native-backend', private: true }));
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    await run(npm, ['install', '--no-save', '--foreground-scripts', `@tensorflow/tfjs-node@${TFJS_NODE_VERSION}`], staging, onOutput, signal);
    // npm may skip dependency install scripts under its script policy; tfjs-node's own installer then runs here.
    if (!nativeBackendInstalled(staging)) {
      await run(process.execPath, ['scripts/install.js'], path.join(staging, 'node_modules', '@tensorflow', 'tfjs-node'), onOutput, signal);
    }
    if (!nativeBackendInstalled(staging)) throw new LabError('download-failed', 'tfjs-node installed without its native addon.');
    await rm(dir, { recursive: true, force: true });
    const { rename } = await import('node:fs/promises');
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
