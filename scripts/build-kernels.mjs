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
//
// First it generates src/core/fused/assembly/abi.ts (the task records'
// classes, op codes and layout exports) from the tables in
// src/core/fused/abi.ts, and rewrites the file when they changed. It is
// committed so that the kernel source reads whole in a clone and a layout
// change shows in review; the build, not a person, keeps it current.
//
// Also importable: buildKernels(outDir, { tables, variants }) returns the
// plain build's path; `tables` builds from other ABI tables (tests use it
// for a module the loader must refuse) without touching the source tree.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const KERNEL_SOURCE = path.join(root, 'src/core/fused/assembly/recurrent.ts');
/** The generated kernel side of the interface (see src/core/fused/abi-assembly.ts). */
export const ABI_ASSEMBLY = path.join(root, 'src/core/fused/assembly/abi.ts');
const ABI_GENERATOR = path.join(root, 'src/core/fused/abi-assembly.ts');
export const KERNEL_FILE = 'recurrent-kernels.wasm';
export const RELAXED_KERNEL_FILE = 'recurrent-kernels-relaxed.wasm';

/**
 * The generator and the tables, loaded from their TypeScript source (this
 * script runs on plain Node, which does not read TypeScript): bundled by
 * esbuild, a dev dependency the build already uses, and imported from memory.
 */
async function loadAbi() {
  const esbuild = await import('esbuild');
  const { outputFiles } = await esbuild.build({
    entryPoints: [ABI_GENERATOR],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'silent',
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].contents).toString('base64')}`);
}

/** Write the generated module when its text changed (atomically: a concurrent build never reads half of it). */
async function writeIfChanged(file, text) {
  const current = await readFile(file, 'utf8').catch(() => null);
  if (current === text) return;
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

export async function buildKernels(outDir = path.join(root, 'dist'), { tables, variants = ['plain', 'relaxed'] } = {}) {
  const abi = await loadAbi();
  const abiSource = abi.assemblyModule(tables ?? abi.ABI);
  if (!tables) await writeIfChanged(ABI_ASSEMBLY, abiSource);
  const asc = (await import('assemblyscript/asc')).default;
  const dir = path.resolve(outDir);
  await mkdir(dir, { recursive: true });
  const outFile = path.join(dir, KERNEL_FILE);
  const common = { abiSource, maxPages: abi.MAX_PAGES };
  if (variants.includes('plain')) await compile(asc, outFile, [], common);
  if (variants.includes('relaxed')) await compile(asc, path.join(dir, RELAXED_KERNEL_FILE), ['--enable', 'relaxed-simd'], common);
  return outFile;
}

async function compile(asc, outFile, extraArgs, { abiSource, maxPages }) {
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
    '--maximumMemory', String(maxPages),
    '--use', 'abort=',
  ];
  let log = '';
  const stream = { write: (s) => { log += String(s); return true; } };
  // The interface module comes from the tables, whatever the file on disk says.
  const readSource = async (name, baseDir) => {
    const file = path.resolve(baseDir, name);
    if (file === ABI_ASSEMBLY) return abiSource;
    return readFile(file, 'utf8').catch(() => null);
  };
  const { error } = await asc.main(args, { stdout: stream, stderr: stream, readFile: readSource });
  if (error) throw new Error(`AssemblyScript build failed: ${error.message}\n${log}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = process.argv[2];
  buildKernels(out).then(
    (file) => console.log(`built ${path.relative(process.cwd(), file)}`),
    (e) => { console.error(e.message); process.exit(1); },
  );
}
