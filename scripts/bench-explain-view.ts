/**
 * The Explain panel's main-thread work in headless Chromium, phase by phase,
 * for a 500-token LSTM and Bi-LSTM explanation: the panel shown (Explain
 * clicked until every heatmap is drawn), 20 tokens clicked, 20 tokens moved
 * through with the arrow keys, 40 pointer moves over a heatmap's unit rows,
 * and the units re-sorted by correlation. For each phase: the long tasks
 * (> 50 ms) the page's PerformanceObserver reports, the longest task of the
 * page's main thread in a Chromium trace (long or not), and the style
 * recalcs and layouts Chromium counted (DevTools Performance metrics); also
 * what decoding the explanation message costs the page. It measures and reports, it asserts
 * nothing: the figures go to stdout and are appended to BENCHMARKS.md.
 *
 * Run: node scripts/build.mjs && node --import tsx scripts/bench-explain-view.ts [--no-write]
 */
import { appendFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { Explanation } from '../src/core/explain/types';
import { dashboardState, prediction } from '../test/webview/fixtures';
import { explanationFixture } from '../test/webview/explain-fixtures';
import { ROOT, launchBrowser, openDashboard, startServer } from '../test/webview/harness';

const { values: args } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } } });

const PHASES = ['show', 'click', 'keys', 'hover', 'sort'] as const;
type Phase = (typeof PHASES)[number];

interface PhaseFigures {
  longTasks: number[];
  /** Longest top-level task of the page's main thread in the trace, ms. */
  longestTraced: number;
  recalcs: number;
  layouts: number;
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
}

/**
 * The longest top-level task of the page's main thread (the thread that ran
 * its animation frames) between the marks `<phase>:start` and `<phase>:end`.
 */
function longestTracedTasks(trace: TraceEvent[]): Record<string, number> {
  const frames = new Map<string, number>();
  for (const e of trace) if (e.name === 'FireAnimationFrame' || e.name === 'FunctionCall') frames.set(`${e.pid}:${e.tid}`, (frames.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  const main = [...frames].sort((a, b) => b[1] - a[1])[0]?.[0];
  const tasks = trace.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask').sort((a, b) => a.ts - b.ts);
  const topLevel: TraceEvent[] = [];
  for (const t of tasks) {
    const outer = topLevel[topLevel.length - 1];
    if (!outer || t.ts >= outer.ts + (outer.dur ?? 0)) topLevel.push(t);
  }
  const mark = (name: string) => trace.find((e) => e.name === name && e.cat.includes('blink.user_timing'))?.ts;
  const out: Record<string, number> = {};
  for (const phase of PHASES) {
    const from = mark(`${phase}:start`);
    const to = mark(`${phase}:end`);
    if (from === undefined || to === undefined) continue;
    out[phase] = topLevel.filter((t) => t.ts >= from && t.ts < to).reduce((m, t) => Math.max(m, (t.dur ?? 0) / 1000), 0);
  }
  return out;
}

interface Figures {
  preset: Explanation['preset'];
  heatmaps: number;
  shownMs: number;
  decodeMs: { json: number; clone: number };
  phases: Record<Phase, PhaseFigures>;
}

/** Chromium's running counts of style recalcs and layouts for the page. */
async function layoutCounts(cdp: CDPSession): Promise<{ recalcs: number; layouts: number }> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  return { recalcs: metric('RecalcStyleCount'), layouts: metric('LayoutCount') };
}

/** Resolves after two animation frames in which nothing else was queued: the page has settled. */
async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 50)))));
  await page.waitForTimeout(300);
}

/** Median time the page takes to decode the explanation as JSON and as a structured clone (what VS Code's postMessage costs it). */
async function decodeCost(page: Page, explanation: Explanation): Promise<{ json: number; clone: number }> {
  // No named functions inside: the TypeScript loader would wrap them in a helper the page lacks.
  const times = await page.evaluate((json) => {
    const jsonTimes: number[] = [];
    const cloneTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      let t = performance.now();
      const value: unknown = JSON.parse(json);
      jsonTimes.push(performance.now() - t);
      t = performance.now();
      structuredClone(value);
      cloneTimes.push(performance.now() - t);
    }
    return { jsonTimes, cloneTimes };
  }, JSON.stringify(explanation));
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { json: median(times.jsonTimes), clone: median(times.cloneTimes) };
}

async function measure(page: Page, cdp: CDPSession, phase: Phase, act: () => Promise<void>): Promise<PhaseFigures> {
  const before = await layoutCounts(cdp);
  await page.evaluate((name) => {
    (window as unknown as { __longTasks: number[] }).__longTasks.length = 0;
    performance.mark(name);
  }, `${phase}:start`);
  await act();
  await settled(page);
  await page.evaluate((name) => performance.mark(name), `${phase}:end`);
  const after = await layoutCounts(cdp);
  const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks.slice());
  return { longTasks, longestTraced: 0, recalcs: after.recalcs - before.recalcs, layouts: after.layouts - before.layouts };
}

async function benchPreset(preset: Explanation['preset'], browser: Browser, server: Awaited<ReturnType<typeof startServer>>): Promise<Figures> {
  const explanation = explanationFixture(preset, 520);
  const heatmaps = explanation.states.length * 5;
  const entry = prediction({ id: 'p', at: '2025-11-26T18:00:00Z', probability: explanation.probability, excerpt: 'A long review', source: 'editor' });
  const d = await openDashboard(browser, server, { handlers: { ready: () => dashboardState({ predictions: [entry] }), explain: () => structuredClone(explanation) } });
  try {
    const { page } = d;
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.locator('vscode-panels').waitFor();
    await page.locator('vscode-panel-tab[data-tab="predictions"]').click();
    await settled(page);
    await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__longTasks.push(entry.duration);
      }).observe({ type: 'longtask' });
    });
    await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'blink.user_timing'] });
    let shownMs = 0;
    const show = await measure(page, cdp, 'show', async () => {
      const started = Date.now();
      await page.locator('[data-prediction-id="p"] vscode-button[data-action="explain"]').click();
      await page.waitForFunction((n) => document.querySelectorAll('.explain-figure canvas').length === n, heatmaps, { timeout: 60_000, polling: 'raf' });
      shownMs = Date.now() - started;
    });
    const click = await measure(page, cdp, 'click', async () => {
      for (let k = 0; k < 20; k++) await page.locator(`.explain-token[data-token="${k * 25}"]`).click();
    });
    const keys = await measure(page, cdp, 'keys', async () => {
      await page.locator('.explain-token[data-token="100"]').click();
      for (let k = 0; k < 20; k++) await page.keyboard.press('ArrowRight');
    });
    await page.locator('.explain-figure canvas').first().scrollIntoViewIfNeeded();
    await settled(page);
    const canvas = await page.locator('.explain-figure canvas').first().boundingBox();
    const hover = await measure(page, cdp, 'hover', async () => {
      if (!canvas) throw new Error('no heatmap on the page');
      for (let r = 0; r < 40; r++) await page.mouse.move(canvas.x + 5 + r * 7, canvas.y + ((r * 5 + 2) % canvas.height));
    });
    const sort = await measure(page, cdp, 'sort', async () => {
      await page.locator('.explain-sort').selectOption('correlation');
    });
    const trace = (JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] }).traceEvents;
    const phases = { show, click, keys, hover, sort };
    for (const [phase, ms] of Object.entries(longestTracedTasks(trace))) phases[phase as Phase].longestTraced = ms;
    const decodeMs = await decodeCost(page, explanation);
    return { preset, heatmaps, shownMs, decodeMs, phases };
  } finally {
    await d.close();
  }
}

function longest(xs: number[]): string {
  return xs.length ? Math.max(...xs).toFixed(0) : '–';
}

async function main(): Promise<void> {
  const load = os.loadavg();
  const server = await startServer();
  const browser = await launchBrowser();
  const results: Figures[] = [];
  try {
    for (const preset of ['lstm', 'bilstm'] as const) results.push(await benchPreset(preset, browser, server));
  } finally {
    await browser.close();
    await server.close();
  }
  const cpu = os.cpus();
  const loadAfter = os.loadavg();
  const lines = [
    '',
    `## bench-explain-view, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: the Explain panel at 500 tokens, phase by phase`,
    '',
    `Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, headless Chromium (Playwright), Node ${process.version}. Command: \`node scripts/build.mjs && node --import tsx scripts/bench-explain-view.ts\`. A fixed 520-word explanation (500 tokens read, 32 units per matrix). Phases: *show* (Explain clicked until every heatmap is drawn), *click* (20 tokens clicked), *keys* (a token clicked, then ArrowRight 20 times), *hover* (40 pointer moves over the first heatmap), *sort* (units re-sorted by correlation). Long tasks: what the page's PerformanceObserver reports (> 50 ms); longest task in the trace: the longest top-level task of the page's main thread in a Chromium trace of the phase (tracing adds its own overhead; it includes the stand-in host's delivery of the message, JSON in 64 KiB pieces decoded in the page). Recalcs / layouts: Chromium's RecalcStyleCount / LayoutCount over the phase. Load average ${load.map((l) => l.toFixed(1)).join(' / ')} at the start, ${loadAfter.map((l) => l.toFixed(1)).join(' / ')} at the end.`,
    '',
    '| preset | heatmaps | phase | long tasks | longest long task, ms | longest task in the trace, ms | recalcs / layouts |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...results.flatMap((r) => PHASES.map((p) => `| ${r.preset} | ${r.heatmaps} | ${p} | ${r.phases[p].longTasks.length} | ${longest(r.phases[p].longTasks)} | ${r.phases[p].longestTraced.toFixed(0)} | ${r.phases[p].recalcs} / ${r.phases[p].layouts} |`)),
    '',
    '| preset | Explain clicked to every heatmap drawn, ms | decoding the message in the page: JSON.parse / structured clone, ms |',
    '| --- | --- | --- |',
    ...results.map((r) => `| ${r.preset} | ${r.shownMs} | ${r.decodeMs.json.toFixed(1)} / ${r.decodeMs.clone.toFixed(1)} |`),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  if (!args['no-write']) await appendFile(path.join(ROOT, 'BENCHMARKS.md'), lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
