/**
 * Python virtualenvs under .cache/ that the project's scripts and tests
 * create on first use: the tutorial's Keras (tensorflow-cpu 2.12.1, the
 * wheel the native-backend installer already downloads, so pip's cache makes
 * this about a minute) and PyTorch for the benchmarks. The install time is
 * kept beside each one. Used by bench:peers and by the Keras bridge tests.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = path.join(ROOT, '.cache');

/**
 * Two environments because TensorFlow 2.12 needs numpy < 1.24 and PyTorch 2.13
 * is built against numpy 2. torch is pinned to the one CPU build kept on
 * these machines: any other version resolves to a multi-GB CUDA download.
 */
export const VENVS = {
  keras: { dir: path.join(CACHE, 'peers-venv'), requirements: ['tensorflow-cpu==2.12.1'] },
  torch: { dir: path.join(CACHE, 'peers-torch-venv'), requirements: ['torch==2.13.0', 'numpy'] },
} as const;

export type VenvKind = keyof typeof VENVS;

export interface VenvInfo {
  requirements: string[];
  installSeconds: number;
  installedAt: string;
}

/** Runs a command with its output on our stderr; rejects naming the command when it fails. */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', process.stderr, process.stderr], env: options.env ?? process.env });
    child.on('error', reject);
    child.on('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} ${args.slice(0, 3).join(' ')}... exited with ${code ?? signal}`))));
  });
}

/**
 * Creates the virtualenv on first use (with `python`, default python3) and
 * records how long the install took; a folder without that record is
 * half-made and is made again.
 */
export async function ensureVenv(kind: VenvKind, python = process.env.PYTHON ?? 'python3'): Promise<VenvInfo & { python: string }> {
  const { dir, requirements } = VENVS[kind];
  const venvPython = path.join(dir, 'bin', 'python');
  const marker = path.join(dir, 'bench-install.json');
  if (existsSync(marker)) {
    const info = JSON.parse(await readFile(marker, 'utf8')) as VenvInfo;
    if (JSON.stringify(info.requirements) === JSON.stringify(requirements)) return { ...info, python: venvPython };
  }
  process.stderr.write(`Creating ${path.relative(ROOT, dir)} (${requirements.join(' ')})...\n`);
  const started = performance.now();
  await rm(dir, { recursive: true, force: true });
  await run(python, ['-m', 'venv', dir]);
  await run(venvPython, ['-m', 'pip', 'install', '--progress-bar', 'off', '--disable-pip-version-check', ...requirements]);
  const info: VenvInfo = { requirements: [...requirements], installSeconds: (performance.now() - started) / 1000, installedAt: new Date().toISOString() };
  await writeFile(marker, JSON.stringify(info, null, 1));
  process.stderr.write(`  installed in ${info.installSeconds.toFixed(0)} s\n`);
  return { ...info, python: venvPython };
}
