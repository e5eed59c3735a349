#!/usr/bin/env node
// Compile the fused recurrent kernels (AssemblyScript) to WebAssembly.
//
//   node scripts/build-kernels.mjs [outDir]       (default: dist/)
//
// Writes <outDir>/recurrent-kernels.wasm and recurrent-kernels-relaxed.wasm.
// The modules import a shared memory (so a second thread can run the same
// code on it), have no runtime and no static data, and use 128-bit SIMD; the
// relaxed one also uses relaxed SIMD (fused multiply-add), which V8 ships
// from Node 22 / Chromium 114 on. The loader takes the relaxed build where
// the engine validates it, else the plain one.
// Also importable: buildKernels(outDir) returns the plain build's path.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const KERNEL_SOURCE = path.join(root, 'src/core/fused/assembly/recurrent.ts');
export const KERNEL_FILE = 'recurrent-kernels.wasm';
export const RELAXED_KERNEL_FILE = 'recurrent-kernels-relaxed.wasm';

export async function buildKernels(outDir = path.join(root, 'dist')) {
  const asc = (await import('assemblyscript/asc')).default;
  const dir = path.resolve(outDir);
  await mkdir(dir, { recursive: true });
  const outFile = path.join(dir, KERNEL_FILE);
  await compile(asc, outFile, []);
  await compile(asc, path.join(dir, RELAXED_KERNEL_FILE), ['--enable', 'relaxed-simd']);
  return outFile;
}

async function compile(asc, outFile, extraArgs) {
  const args = [
    KERNEL_SOURCE,
    '--outFile', outFile,
    ...extraArgs,
    '--enable', 'simd',
    '--enable', 'threads',
    '-O3',
    '--noAssert',
    '--runtime', 'stub',
    '--importMemory',
    '--sharedMemory',
    '--initialMemory', '1',
    '--maximumMemory', '32768',
    '--use', 'abort=',
  ];
  let log = '';
  const stream = { write: (s) => { log += String(s); return true; } };
  const { error } = await asc.main(args, { stdout: stream, stderr: stream });
  if (error) throw new Error(`AssemblyScript build failed: ${error.message}\n${log}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = process.argv[2];
  buildKernels(out).then(
    (file) => console.log(`built ${path.relative(process.cwd(), file)}`),
    (e) => { console.error(e.message); process.exit(1); },
  );
}
