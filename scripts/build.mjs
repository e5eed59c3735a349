// Bundles the extension host, the training worker, the CLI and the dashboard
// webview with esbuild, and puts the WebAssembly files they load beside them.
import * as esbuild from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const dist = path.join(root, 'dist');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const nodeCommon = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // tfjs-node is a native, optional addon: it is required at run time where installed.
  external: ['@tensorflow/tfjs-node', 'vscode'],
  // h5wasm is an ES module that finds itself through import.meta.url, which a CommonJS bundle lacks.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: 'var __importMetaUrl = require("url").pathToFileURL(__filename).href;' },
};

const builds = [
  { ...nodeCommon, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { ...nodeCommon, entryPoints: ['src/worker/worker.ts'], outfile: 'dist/worker.js' },
  { ...nodeCommon, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: `#!/usr/bin/env node\n${nodeCommon.banner.js}` } },
  { ...nodeCommon, entryPoints: ['src/service/main.ts'], outfile: 'dist/service.js' },
  { ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js' },
];

// The in-VS-Code tests: one bundle per file, `vscode` and mocha's globals from the host.
if (process.argv.includes('--tests')) {
  const { readdir } = await import('node:fs/promises');
  const files = (await readdir(path.join(root, 'test/integration'))).filter((f) => f.endsWith('.test.ts'));
  builds.push({ ...nodeCommon, sourcemap: 'inline', entryPoints: files.map((f) => `test/integration/${f}`), outdir: 'dist-test/integration' });
  builds.push({ ...nodeCommon, sourcemap: false, entryPoints: ['test/bench/budgets.test.ts'], outdir: 'dist-test/bench' });
}

await mkdir(dist, { recursive: true });
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  await copyFile(path.join(wasmDir, file), path.join(dist, file));
}
const { buildKernels } = await import('./build-kernels.mjs');
await buildKernels(dist);

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching for changes');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
