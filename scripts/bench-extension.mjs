// `npm run bench:extension`: the extension's budgets, measured in a real VS
// Code (code-server) and appended to BENCHMARKS.md: activation time, the
// dashboard's first paint, Analyze Sentiment on a 500-token selection with a
// warm worker for each preset (alone, right after another analysis, and until
// its explanation colors the words) and during a training, and the extension host's longest event-loop
// stall during a training (and the longest the host's own thread ran without its loop turning).
// Needs `npm run setup:test` and `npm run package`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer } from '../test/harness/code-server.mjs';
import { closeBrowser, launchBrowser, openWorkbench, screenshot } from '../test/harness/e2e.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(os.tmpdir(), `rsl-bench-${process.pid}.json`);
const workspace = path.join(root, 'test', 'fixtures', 'workspace');

// 1. In the extension host: activation, analysis latency, event-loop stalls.
execFileSync(process.execPath, [path.join(root, 'test/harness/integration.mjs'), '--extension', root, '--tests', path.join(root, 'dist-test/bench'), '--workspace', workspace, '--results-dir', path.join(root, 'test-results/bench'), '--timeout', '1800000', '--test-timeout', '900000'], {
  stdio: 'inherit',
  env: { ...process.env, RSL_BENCH_OUT: out, RSL_TEST_CACHE: path.join(root, '.cache', 'test') },
});
const figures = JSON.parse(fs.readFileSync(out, 'utf8'));

// 2. In the browser, with the VSIX installed: the first opening of the view in a fresh window
//    (which also waits for the extension host to start and the extension to activate), then
//    reopenings of the hidden view (a new webview each time: HTML, script, `ready`, state).
/**
 * Clicks a view's activity bar icon until the view has taken the side bar, and returns when the
 * click that did it was made: under load the workbench now and then drops a click on the activity
 * bar (seen in this benchmark, the icon highlighted and the old view left in place).
 */
async function showView(page, label) {
  const item = page.locator('.activitybar .action-item', { has: page.locator(`a[aria-label^="${label}"]`) }).first();
  for (let attempt = 1; ; attempt++) {
    const clicked = Date.now();
    if (!(await item.evaluate((e) => e.classList.contains('checked')))) await item.click();
    try {
      await page.locator('.activitybar .action-item.checked', { has: page.locator(`a[aria-label^="${label}"]`) }).waitFor({ timeout: 5_000 });
      return clicked;
    } catch (error) {
      if (attempt === 3) throw new Error(`the ${label} view did not take the side bar after ${attempt} clicks`, { cause: error });
      process.stderr.write(`bench:extension: a click on the ${label} icon was dropped; clicking again\n`);
    }
  }
}

const paints = [];
let coldPaint;
{
  const server = await startCodeServer({ folder: workspace, extensions: [path.join(root, 'rnn-sentiment-lab.vsix')] });
  const browser = await launchBrowser();
  const icon = browser.page.locator('.activitybar .action-item a[aria-label^="RNN Sentiment Lab"]').first();
  const tabs = () => browser.page.locator('iframe.webview.ready:visible').first().contentFrame().locator('#active-frame').contentFrame().locator('vscode-panel-tab[data-tab="architecture"]');
  try {
    await openWorkbench(browser.page, server.workbenchUrl);
    let started = Date.now();
    await icon.click();
    await tabs().waitFor({ state: 'visible', timeout: 60_000 });
    coldPaint = Date.now() - started;
    for (let i = 0; i < 3; i++) {
      await showView(browser.page, 'Explorer');
      await browser.page.locator('iframe.webview.ready:visible').waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
      started = await showView(browser.page, 'RNN Sentiment Lab');
      await tabs().waitFor({ state: 'visible', timeout: 30_000 }).catch(async (error) => {
        await screenshot(browser.page, 'bench-extension-reopen-failure');
        throw error;
      });
      paints.push(Date.now() - started);
    }
  } finally {
    await closeBrowser(browser);
    await server.stop();
  }
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
  `| activation < 100 ms (our activate() function) | ${verdict(figures.activateFunctionMs, 100)}; TensorFlow loaded by activation: ${figures.tensorflowLoadedByActivation ? 'YES' : 'no'} |`,
  `| the same, as extension.activate() returns to a caller (module load and VS Code's own work included) | ${figures.activationMs.toFixed(0)} ms |`,
  `| dashboard first paint < 1 s (activity bar click → tabs painted, view reopened in a running window) | ${paints.map((p) => `${p} ms`).join(', ')} ${Math.max(...paints) <= 1000 ? '(within 1 s)' : '(OVER 1 s)'} |`,
  `| the same, first opening in a fresh window (includes starting the extension host) | ${coldPaint} ms |`,
  ...Object.entries(figures.analyzeMedianMs).map(([preset, ms]) => `| Analyze Sentiment, 500 tokens, warm, ${preset} < 300 ms (median of 5, command start to result: the label drawn; the previous analysis' explanation drawn before) | ${verdict(ms, 300)} |`),
  ...Object.entries(figures.analyzeBackToBackMedianMs).map(([preset, ms]) => `| the same, ${preset}, each analysis started as soon as the one before returned (its explanation still computing) | ${verdict(ms, 300)} |`),
  ...Object.entries(figures.explainedMedianMs).map(([preset, ms]) => `| the same, ${preset}: command start to the words colored by the explanation (median of 5) | ${ms.toFixed(0)} ms |`),
  `| Analyze Sentiment, 500 tokens, bilstm, during an LSTM training < 300 ms (median of 5; predictions have their own worker thread) | ${verdict(figures.analyzeDuringTrainingMedianMs, 300)} |`,
  ...Object.entries(figures.eventLoopMaxDelayMsDuringTraining).map(([preset, ms]) => `| extension host event loop, longest stall during a ${preset} training (2,000 reviews, maxlen 500; from the command to its end; the service already started, as it is a second after activation; 10 ms resolution) < 50 ms | ${verdict(ms, 50)}; the host's own thread ran at most ${figures.eventLoopLongestOwnRunMs[preset].toFixed(0)} ms between two turns of its loop (the rest of a stall it spent waiting: for a core, or in the kernel, as in a fork) |`),
  '',
];
process.stdout.write(lines.join('\n'));
fs.appendFileSync(path.join(root, 'BENCHMARKS.md'), lines.join('\n'));
