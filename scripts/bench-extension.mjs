// `npm run bench:extension`: the extension's budgets, measured in a real VS
// Code (code-server) and appended to BENCHMARKS.md: activation time, the
// dashboard's first paint, Analyze Sentiment on a 500-token selection with a
// warm worker for each preset, and the extension host's longest event-loop
// stall during a training. Needs `npm run setup:test` and `npm run package`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer } from '../test/harness/code-server.mjs';
import { closeBrowser, launchBrowser, openWorkbench } from '../test/harness/e2e.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const archive = path.resolve(root, '..', 'shared', 'datasets', 'aclImdb_v1-labeled.tar.gz');
const out = path.join(os.tmpdir(), `rsl-bench-${process.pid}.json`);
const workspace = path.join(root, 'test', 'fixtures', 'workspace');

// 1. In the extension host: activation, analysis latency, event-loop stalls.
execFileSync(process.execPath, [path.join(root, 'test/harness/integration.mjs'), '--extension', root, '--tests', path.join(root, 'dist-test/bench'), '--workspace', workspace, '--results-dir', path.join(root, 'test-results/bench'), '--timeout', '1800000', '--test-timeout', '900000'], {
  stdio: 'inherit',
  env: { ...process.env, RSL_BENCH_OUT: out, RSL_TEST_ARCHIVE: archive, RSL_TEST_CACHE: path.join(root, '.cache', 'test') },
});
const figures = JSON.parse(fs.readFileSync(out, 'utf8'));

// 2. In the browser: from clicking the activity-bar icon to the dashboard's tabs painted, with the VSIX installed.
const server = await startCodeServer({ folder: workspace, extensions: [path.join(root, 'rnn-sentiment-lab.vsix')] });
const browser = await launchBrowser();
const paints = [];
try {
  await openWorkbench(browser.page, server.workbenchUrl);
  const icon = browser.page.locator('.activitybar .action-item a[aria-label^="RNN Sentiment Lab"]').first();
  for (let i = 0; i < 3; i++) {
    const started = Date.now();
    await icon.click();
    const frame = browser.page.locator('iframe.webview.ready').first().contentFrame().locator('#active-frame').contentFrame();
    await frame.locator('vscode-panel-tab[data-tab="architecture"]').waitFor({ state: 'visible', timeout: 30_000 });
    paints.push(Date.now() - started);
    await icon.click(); // hide the view again
    await browser.page.locator('iframe.webview.ready').first().waitFor({ state: 'hidden', timeout: 30_000 }).catch(() => undefined);
  }
} finally {
  await closeBrowser(browser);
  await server.stop();
}

const cpu = os.cpus();
const verdict = (value, budget) => `${value.toFixed(0)} ms ${value <= budget ? '(within' : '(OVER'} ${budget} ms)`;
const lines = [
  '',
  `## bench:extension, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  '',
  `Machine: ${cpu[0]?.model}, ${cpu.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; VS Code ${figures.vscodeVersion} (code-server), extension host Node ${figures.extensionHostNode}; backend ${figures.backend}, ${figures.recurrentImplementation}. Command: \`npm run bench:extension\`.`,
  '',
  '| budget | measured |',
  '| --- | --- |',
  `| activation < 100 ms | ${verdict(figures.activationMs, 100)}; TensorFlow loaded by activation: ${figures.tensorflowLoadedByActivation ? 'YES' : 'no'} |`,
  `| dashboard first paint < 1 s (activity bar click → tabs painted, first and later openings) | ${paints.map((p) => `${p} ms`).join(', ')} |`,
  ...Object.entries(figures.analyzeMedianMs).map(([preset, ms]) => `| Analyze Sentiment, 500 tokens, warm, ${preset} < 300 ms (median of 5, command start to result) | ${verdict(ms, 300)} |`),
  ...Object.entries(figures.eventLoopMaxDelayMsDuringTraining).map(([preset, ms]) => `| extension host event loop, longest stall during a ${preset} training (2,000 reviews, maxlen 500) < 50 ms | ${verdict(ms, 50)} |`),
  '',
];
process.stdout.write(lines.join('\n'));
fs.appendFileSync(path.join(root, 'BENCHMARKS.md'), lines.join('\n'));
