/**
 * The Explain panel's main-thread work in Chromium: long tasks (> 50 ms)
 * while a 500-token LSTM and Bi-LSTM explanation is shown, 20 tokens are
 * selected and the units are re-sorted. Appends the figures to BENCHMARKS.md.
 * Run: node scripts/build.mjs && node --import tsx scripts/bench-explain-view.ts
 */
import { appendFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { dashboardState, prediction } from '../test/webview/fixtures';
import { explanationFixture } from '../test/webview/explain-fixtures';
import { ROOT, launchBrowser, openDashboard, startServer } from '../test/webview/harness';

const { values: args } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } } });

interface Figures {
  preset: string;
  longTasks: number[];
  showMs: number;
}

async function main(): Promise<void> {
  const server = await startServer();
  const browser = await launchBrowser();
  const results: Figures[] = [];
  try {
    for (const preset of ['lstm', 'bilstm'] as const) {
      const explanation = explanationFixture(preset, 520);
      const entry = prediction({ id: 'p', at: '2025-11-26T18:00:00Z', probability: explanation.probability, excerpt: 'A long review', source: 'editor' });
      const d = await openDashboard(browser, server, { handlers: { ready: () => dashboardState({ predictions: [entry] }), explain: () => structuredClone(explanation) } });
      const { page } = d;
      await page.locator('vscode-panels').waitFor();
      await page.locator('vscode-panel-tab[data-tab="predictions"]').click();
      await page.evaluate(() => {
        const w = window as unknown as { __longTasks: number[] };
        w.__longTasks = [];
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) w.__longTasks.push(entry.duration);
        }).observe({ type: 'longtask' });
      });
      const started = Date.now();
      await page.locator('[data-prediction-id="p"] vscode-button[data-action="explain"]').click();
      await page.locator('.explain-view .explain-tokens').waitFor();
      const showMs = Date.now() - started;
      for (let k = 0; k < 20; k++) await page.locator(`.explain-token[data-token="${k * 25}"]`).click();
      await page.locator('.explain-sort').selectOption('correlation');
      await page.waitForTimeout(500);
      const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
      results.push({ preset, longTasks, showMs });
      await d.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const cpu = os.cpus();
  const lines = [
    '',
    `## bench-explain-view, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: the Explain panel at 500 tokens`,
    '',
    `Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, headless Chromium (Playwright), Node ${process.version}. Command: \`node scripts/build.mjs && node --import tsx scripts/bench-explain-view.ts\`. A fixed 520-word explanation (500 tokens read, 32 units per matrix) shown, 20 tokens clicked, units re-sorted by correlation; long tasks as the page's PerformanceObserver reports them (> 50 ms). Load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}.`,
    '',
    '| preset | heatmaps | long tasks | longest, ms | click to panel shown, ms |',
    '| --- | --- | --- | --- | --- |',
    ...results.map((r) => `| ${r.preset} | ${r.preset === 'bilstm' ? 10 : 5} | ${r.longTasks.length} | ${r.longTasks.length ? Math.max(...r.longTasks).toFixed(0) : '–'} | ${r.showMs} |`),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  if (!args['no-write']) await appendFile(path.join(ROOT, 'BENCHMARKS.md'), lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
