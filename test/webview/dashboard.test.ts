/**
 * The dashboard webview in a real Chromium, under the CSP VS Code's host
 * serves it with. The extension host is replaced by a stand-in (see
 * harness.ts) that answers requests and pushes notifications; the real host
 * is tested inside VS Code separately.
 *
 * Run: node scripts/build.mjs && node --import tsx --test test/webview/dashboard.test.ts
 * Screenshots go to test-results/screenshots/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { DashboardState, PredictionEntry } from '../../src/protocol';
import { LabError } from '../../src/core/errors';
import { IDS, dashboardState, liveTraining, prediction, trainingState } from './fixtures';
import { THEMES, dashboardSession, screenshot, setTheme, type OpenDashboard, type OpenOptions } from './harness';

const session = dashboardSession();
const opened = session.opened;

async function open(options: Partial<OpenOptions> & { state?: DashboardState } = {}): Promise<OpenDashboard> {
  const state = options.state ?? dashboardState();
  const d = await session.open({
    ...options,
    handlers: {
      ready: () => structuredClone(state),
      setActiveRun: () => undefined,
      deleteRun: () => ({ deleted: true }),
      cancelTraining: () => undefined,
      evaluateRun: () => undefined,
      trainModel: () => undefined,
      ...options.handlers,
    },
  });
  await d.page.locator('vscode-panels').waitFor();
  return d;
}

/** Nothing went wrong in the page: no console errors or warnings, no CSP violations. */
function assertClean(d: OpenDashboard): void {
  assert.deepEqual(d.problems.console, [], 'console errors or warnings');
  assert.deepEqual(d.problems.violations, [], 'Content-Security-Policy violations');
}

async function showTab(page: Page, tab: string): Promise<void> {
  await page.locator(`vscode-panel-tab[data-tab="${tab}"]`).click();
  await page.locator(`vscode-panel-view[data-view-of="${tab}"]`).waitFor({ state: 'visible' });
}

/** Chooses an option of a dropdown the way a user does: open it, click the option. */
async function pick(page: Page, picker: string, optionText: string): Promise<void> {
  const dropdown = page.locator(`vscode-dropdown[data-picker="${picker}"]`);
  await dropdown.click();
  await dropdown.locator('vscode-option', { hasText: optionText }).first().click();
}

interface ChartReading {
  seriesCount: number;
  pointCounts: number[];
  labels: string[];
  colors: string[];
  summary: string;
}

/** What a chart figure says about itself: its data attributes and its accessible summary. */
async function readChart(page: Page, name: string): Promise<ChartReading> {
  const figure = page.locator(`figure[data-chart="${name}"]`);
  const [seriesCount, pointCounts, labels, colors, summary] = await Promise.all([
    figure.getAttribute('data-series-count'),
    figure.getAttribute('data-point-counts'),
    figure.getAttribute('data-series-labels'),
    figure.getAttribute('data-series-colors'),
    figure.locator('[data-chart-summary]').textContent(),
  ]);
  return {
    seriesCount: Number(seriesCount),
    pointCounts: pointCounts ? pointCounts.split(',').map(Number) : [],
    labels: JSON.parse(labels ?? '[]') as string[],
    colors: JSON.parse(colors ?? '[]') as string[],
    summary: summary ?? '',
  };
}

async function waitForChart(page: Page, name: string, predicate: (c: ChartReading) => boolean, timeoutMs = 5000): Promise<ChartReading> {
  const deadline = Date.now() + timeoutMs;
  let last = await readChart(page, name);
  while (!predicate(last)) {
    if (Date.now() > deadline) assert.fail(`chart "${name}" never matched; last reading: ${JSON.stringify(last)}`);
    await page.waitForTimeout(30);
    last = await readChart(page, name);
  }
  return last;
}

function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1, 7), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

function layerParams(page: Page): Promise<Record<string, number>> {
  return page.locator('.layer-diagram g[data-params]').evaluateAll((groups) =>
    Object.fromEntries(groups.map((g): [string, number] => [g.getAttribute('data-layer') ?? '', Number(g.getAttribute('data-params'))])),
  );
}

describe('dashboard webview', () => {
  test('says "Loading…" until the host answers ready, then renders that state', async () => {
    let answer!: (state: DashboardState) => void;
    const d = await session.open({ handlers: { ready: () => new Promise<DashboardState>((resolve) => (answer = resolve)) } });
    await d.host.waitForRequest('ready');
    assert.equal((await d.page.locator('#app').innerText()).trim(), 'Loading…');
    answer(dashboardState());
    await d.page.locator('vscode-panels').waitFor();
    assert.equal(d.host.requests.filter((r) => r.method === 'ready').length, 1, 'ready is sent once');
    assert.match(await d.page.locator('#app').innerText(), /Total params: 337,025/);
    assertClean(d);
  });

  test('a failed ready shows why, and Retry asks again', async () => {
    let calls = 0;
    const d = await session.open({
      handlers: {
        ready: () => {
          calls += 1;
          if (calls === 1) throw new LabError('not-found', 'The runs folder /home/u/runs is not readable.');
          return dashboardState();
        },
      },
    });
    const error = d.page.locator('.startup-error [role="alert"]');
    await error.waitFor();
    assert.match(await error.innerText(), /The runs folder \/home\/u\/runs is not readable\. \(not-found\)/);
    await d.page.locator('vscode-button[data-action="retry"]').click();
    await d.page.locator('vscode-panels').waitFor();
    assert.equal(calls, 2);
    assertClean(d);
  });

  test('draws the layers and the recurrent cell of the chosen run, with its real sizes', async () => {
    const d = await open();
    const { page } = d;
    // The active run (LSTM) is shown first.
    const cell = page.locator('section.cell');
    assert.deepEqual(await layerParams(page), { embedding: 320000, lstm: 8320, dense: 8448, dropout: 0, dense_1: 257 });
    assert.match(await page.locator('.layer-diagram').textContent() ?? '', /Total params: 337,025/);
    assert.match(await page.locator('.layer-diagram').textContent() ?? '', /\(None, 500, 32\)/);
    assert.equal(await cell.getAttribute('data-preset'), 'lstm');
    const lstm = page.locator('svg.lstm-cell');
    const description = (await lstm.locator('desc').textContent()) ?? '';
    for (const gate of ['f_t', 'i_t', 'C̃_t', 'o_t']) assert.ok(description.includes(gate), `the LSTM cell names ${gate}`);
    assert.match((await lstm.textContent()) ?? '', /cell state · 32 units/);
    assert.match((await cell.locator('.equations').innerText()) ?? '', /W\s*f\s*: 32×64/);
    assert.equal(await lstm.getAttribute('role'), 'img');

    await pick(page, 'architecture-source', 'SimpleRNN · ');
    await page.locator('section.cell[data-preset="simple-rnn"]').waitFor();
    assert.deepEqual(await layerParams(page), { embedding: 320000, simple_rnn: 2080, dense: 33 });
    assert.match((await page.locator('.layer-diagram').textContent()) ?? '', /Total params: 322,113/);
    const rnn = page.locator('svg.simple-rnn');
    assert.match((await rnn.textContent()) ?? '', /T = 500/);
    assert.match((await page.locator('section.cell .equations').innerText()) ?? '', /U: 32×32, W: 32×32, b: 32/);

    await pick(page, 'architecture-source', 'Bi-LSTM — preset defaults');
    await page.locator('section.cell[data-preset="bilstm"]').waitFor();
    assert.deepEqual(await layerParams(page), { embedding: 320000, bidirectional: 16640, dense: 16640, dropout: 0, dense_1: 257 });
    assert.match((await page.locator('svg.bilstm').textContent()) ?? '', /concatenate.*2·32 = 64/);
    assert.equal(await page.locator('svg.lstm-cell').count(), 1, 'each direction is drawn as the LSTM cell');
    assertClean(d);
  });

  test('training notifications extend the live charts and the progress text, without rebuilding them', async () => {
    const live = liveTraining();
    const preparing = trainingState(0, 'preparing');
    preparing.progress = { phase: 'download', done: 12_582_912, total: 84_125_825, unit: 'bytes', message: 'Downloading aclImdb_v1.tar.gz' };
    delete preparing.backend;
    const d = await open({ state: dashboardState({ training: preparing }) });
    const { page, host } = d;
    await showTab(page, 'training');
    const label = page.locator('[data-progress-label]');
    await page.waitForFunction(() => document.querySelector('[data-progress-label]')?.textContent === 'Downloading aclImdb_v1.tar.gz');
    assert.match(await page.locator('.progress-text').innerText(), /12\.0 MB of 80\.2 MB/);

    await host.notify('training', { phase: 'training', event: 'started', data: { backend: 'wasm', recurrentImplementation: 'fused-wasm', architecture: preparing.architecture, train: 20000, validation: 5000, test: 25000 } });
    for (const batch of live.batches.slice(0, 20)) await host.notify('training', { phase: 'training', event: 'batch', data: batch });
    await waitForChart(page, 'loss', (c) => c.pointCounts.join() === '20,0,0');
    await page.locator('figure[data-chart="loss"] canvas').evaluate((c) => c.setAttribute('data-probe', 'same-canvas'));

    for (const batch of live.batches.slice(20, 25)) await host.notify('training', { phase: 'training', event: 'batch', data: batch });
    // A repeated event (the host replays around a reopen) is not drawn twice.
    await host.notify('training', { phase: 'training', event: 'batch', data: live.batches[24] });
    const accuracy = await waitForChart(page, 'accuracy', (c) => c.pointCounts.join() === '25,0,0');
    assert.match(accuracy.summary, /25 batches, latest batch accuracy 0\.\d{3}/);
    await page.waitForFunction(() => document.querySelector('[data-progress-label]')?.textContent === 'Epoch 1/5 · batch 25/157');
    const stats = await page.locator('.live-stats').innerText();
    assert.match(stats, /Backend\s+wasm/);
    assert.match(stats, /Time left\s+\d+m\d{2}s/);

    await host.notify('training', { phase: 'training', event: 'epoch', data: live.epochs[0] });
    const loss = await waitForChart(page, 'loss', (c) => c.pointCounts.join() === '25,1,1');
    assert.match(loss.summary, /Epoch 1: loss 0\.\d+, val loss 0\.\d+\./);
    assert.match((await readChart(page, 'accuracy')).summary, /Epoch 1: acc 0\.\d{3}, val acc 0\.800\./);
    assert.equal(await page.locator('figure[data-chart="loss"] canvas').getAttribute('data-probe'), 'same-canvas', 'the chart is updated, not rebuilt');
    const box = await page.locator('figure[data-chart="loss"] canvas').boundingBox();
    assert.ok(box && box.width > 200 && box.height > 150, 'the chart has a drawing surface');

    await host.notify('training', { phase: 'evaluating', event: 'progress', data: { phase: 'evaluate', done: 5000, total: 25000, unit: 'reviews', message: 'Evaluating on the test set' } });
    await page.waitForFunction(() => document.querySelector('[data-progress-label]')?.textContent === 'Evaluating on the test set');
    assert.match(await page.locator('.progress-text').innerText(), /5,000 of 25,000 reviews/);
    assert.equal(await page.locator('.progress-bar').getAttribute('aria-valuenow'), '20');
    assert.equal(await label.count(), 1);
    assertClean(d);
  });

  test('Cancel asks the host to cancel the training', async () => {
    const d = await open({ state: dashboardState({ training: trainingState(40) }) });
    const { page, host } = d;
    await showTab(page, 'training');
    const cancel = page.locator('vscode-button[data-action="cancel-training"]');
    assert.equal(await cancel.getAttribute('aria-label'), 'Cancel training');
    await cancel.click();
    const [request] = await host.waitForRequest('cancelTraining');
    assert.deepEqual(request.params, {});
    await page.waitForFunction(() => document.querySelector('vscode-button[data-action="cancel-training"]')?.textContent === 'Cancelling…');
    assert.equal(await cancel.getAttribute('disabled'), '');
    assertClean(d);
  });

  test('lists every run; a corrupt folder shows its problems in the error colour', async () => {
    const d = await open();
    const { page } = d;
    await showTab(page, 'runs');
    const rows = page.locator('.runs-table tbody tr');
    assert.equal(await rows.count(), 4);
    assert.deepEqual(await page.locator('.runs-table th').allInnerTexts(), ['Compare', 'Model', 'Status', 'Epochs', 'maxlen', 'Units', 'Batch', 'Best val acc', 'Test acc', 'Time', 'Backend', 'Date', 'Actions']);

    const corrupt = page.locator(`tr[data-run-id="${IDS.corrupt}"]`);
    assert.match(await corrupt.innerText(), /CORRUPT/);
    assert.deepEqual(await corrupt.locator('.problems li').allInnerTexts(), [
      'weights.bin has 1024 bytes, the manifest expects 1348100 (truncated or overwritten)',
      'vocabulary.json is missing',
    ]);
    const colour = await corrupt.locator('.corrupt-status').evaluate((el) => getComputedStyle(el).color);
    assert.equal(colour, rgb(THEMES.dark.variables['--vscode-errorForeground']));

    const active = page.locator('tr[aria-current="true"]');
    assert.equal(await active.getAttribute('data-run-id'), IDS.lstm);
    assert.match(await active.innerText(), /LSTM #a41f\s*active/i);
    const lstmRow = await page.locator(`tr[data-run-id="${IDS.lstm}"]`).innerText();
    assert.match(lstmRow, /complete/);
    assert.match(lstmRow, /0\.880/);
    assert.match(lstmRow, /0\.871/);
    assert.match(await page.locator(`tr[data-run-id="${IDS.bilstm}"]`).innerText(), /cancelled after 3\/5/);
    assertClean(d);
  });

  test('the epoch whose weights a run holds is marked in the Runs table and on both learning curves', async () => {
    const d = await open();
    const { page } = d;
    await showTab(page, 'runs');
    // The LSTM fixture's validation loss is lowest at epoch 4 of 5: keep best holds epoch 4.
    const kept = page.locator(`tr[data-run-id="${IDS.lstm}"] .kept-epoch`);
    assert.equal(await kept.textContent(), 'kept 4');
    assert.match((await kept.getAttribute('title')) ?? '', /epoch 4 of 5 \(lowest validation loss\)/);
    // A cancelled run holds its last finished epoch, to resume from.
    assert.equal(await page.locator(`tr[data-run-id="${IDS.bilstm}"] .kept-epoch`).textContent(), 'kept 3');

    // The training tab shows the active run, the LSTM.
    await showTab(page, 'training');
    for (const name of ['loss', 'accuracy']) {
      const chart = await waitForChart(page, name, (c) => c.labels.includes('kept: epoch 4'));
      assert.deepEqual(chart.labels, ['per batch', 'training (epoch)', 'validation', 'kept: epoch 4']);
      assert.equal(chart.pointCounts.at(-1), 1, 'one marker');
      assert.match(chart.summary, /The run holds the weights of epoch 4\./);
      assert.equal(await page.locator(`figure[data-chart="${name}"]`).getAttribute('data-kept-epoch'), '4');
    }
    assert.match(await page.locator('.training-view').innerText(), /Weights kept\s*epoch 4 of 5 \(lowest validation loss\)/);
    assertClean(d);
  });

  test('a prediction card says how often the model is right on texts as short as the one analyzed', async () => {
    const state = dashboardState();
    const reliability = { accuracy: 0.71, basis: 'short-text' as const, minWords: 11, maxWords: 20, count: 1234 };
    state.predictions = [prediction({ id: 'p-short', at: '2025-11-26T18:00:00Z', probability: 0.8, excerpt: 'The actors were wonderful and the ending made me cry.', tokenCount: 11, reliability })];
    const d = await open({ state });
    await showTab(d.page, 'predictions');
    const card = d.page.locator('[data-prediction-id="p-short"]');
    assert.equal(await card.locator('.reliability').innerText(), 'Short text: this model is 71% accurate on texts this short (11–20 words, 1,234 tried).');
    assert.equal(await card.locator('.reliability').getAttribute('data-basis'), 'short-text');
    assertClean(d);
  });

  test('ticking Compare on two runs overlays their validation curves, one per run', async () => {
    const d = await open();
    const { page } = d;
    await showTab(page, 'runs');
    assert.equal(await page.locator('figure[data-chart="compare-val-accuracy"]').isVisible(), false);
    await page.locator(`tr[data-run-id="${IDS.simple}"] vscode-checkbox`).click();
    await page.locator(`tr[data-run-id="${IDS.lstm}"] vscode-checkbox`).click();
    const accuracy = await waitForChart(page, 'compare-val-accuracy', (c) => c.seriesCount === 2);
    assert.deepEqual(accuracy.pointCounts, [5, 5]);
    assert.ok(accuracy.labels[0].startsWith('SimpleRNN · ') && accuracy.labels[1].startsWith('LSTM · '), accuracy.labels.join());
    assert.notEqual(accuracy.colors[0], accuracy.colors[1], 'one colour per run');
    assert.match(accuracy.summary, /SimpleRNN · .*epoch 5 val acc 0\.840/);
    assert.match(accuracy.summary, /LSTM · .*epoch 5 val acc 0\.880/);
    assert.equal((await readChart(page, 'compare-val-loss')).seriesCount, 2);
    assert.ok(await page.locator('figure[data-chart="compare-val-accuracy"]').isVisible());
    assert.match(await page.locator('.comparison-hint').innerText(), /best val acc 0\.840.*best val acc 0\.880/);
    assertClean(d);
  });

  test('Set active, Delete, Evaluate, Resume and Export to Keras send the row’s run id; an imported run is marked', async () => {
    const d = await open();
    const { page, host } = d;
    await showTab(page, 'runs');
    await page.locator(`tr[data-run-id="${IDS.simple}"] vscode-button[data-action="set-active"]`).click();
    assert.deepEqual((await host.waitForRequest('setActiveRun'))[0].params, { runId: IDS.simple });
    await page.locator(`tr[data-run-id="${IDS.corrupt}"] vscode-button[data-action="delete"]`).click();
    assert.deepEqual((await host.waitForRequest('deleteRun'))[0].params, { runId: IDS.corrupt });
    await page.locator(`tr[data-run-id="${IDS.bilstm}"] vscode-button[data-action="evaluate"]`).click();
    assert.deepEqual((await host.waitForRequest('evaluateRun'))[0].params, { runId: IDS.bilstm });
    // Only the cancelled run (3 of 5 epochs) can be resumed.
    assert.equal(await page.locator('vscode-button[data-action="resume"]').count(), 1);
    await page.locator(`tr[data-run-id="${IDS.bilstm}"] vscode-button[data-action="resume"]`).click();
    assert.deepEqual((await host.waitForRequest('resumeRun'))[0].params, { runId: IDS.bilstm });
    await page.locator(`tr[data-run-id="${IDS.lstm}"] vscode-button[data-action="export-keras"]`).click();
    assert.deepEqual((await host.waitForRequest('exportRun'))[0].params, { runId: IDS.lstm });
    // The active run cannot be made active again.
    assert.equal(await page.locator(`tr[data-run-id="${IDS.lstm}"] vscode-button[data-action="set-active"]`).getAttribute('disabled'), '');

    // The host confirms by pushing the new state.
    const state = dashboardState({ activeRunId: IDS.simple });
    state.runs = state.runs.filter((r) => r.id !== IDS.corrupt);
    await host.notify('state', state);
    await page.locator(`tr[data-run-id="${IDS.corrupt}"]`).waitFor({ state: 'detached' });
    assert.equal(await page.locator('tr[aria-current="true"]').getAttribute('data-run-id'), IDS.simple);

    // A run imported from Keras says so instead of a training status.
    const imported = dashboardState({ activeRunId: IDS.simple });
    const simple = imported.runs.find((r) => r.id === IDS.simple);
    if (simple?.ok) simple.record.origin = { kind: 'keras', file: '/models/tutorial.h5', wordIndex: '/models/imdb_word_index.json', kerasVersion: '2.12.0', labLayers: true };
    await host.notify('state', imported);
    await page.locator(`tr[data-run-id="${IDS.simple}"] .status-imported`).waitFor();
    assert.equal(await page.locator(`tr[data-run-id="${IDS.simple}"] .status-imported`).innerText(), 'imported from Keras 2.12.0');
    assertClean(d);
  });

  test('Analyze puts the new prediction first, with its label and probability bar', async () => {
    const answer: PredictionEntry = prediction({ id: 'p-new', at: '2025-11-26T18:00:00Z', probability: 0.912, excerpt: 'A warm, funny and beautifully acted film.', source: 'dashboard', tokenCount: 8 });
    let release!: () => void;
    const d = await open({ handlers: { predict: () => new Promise<PredictionEntry>((resolve) => (release = () => resolve(answer))) } });
    const { page, host } = d;
    await showTab(page, 'predictions');
    const analyze = page.locator('vscode-button[data-action="analyze"]');
    assert.equal(await analyze.getAttribute('disabled'), '', 'nothing to analyze yet');
    await page.locator('vscode-text-area[data-field="review"] textarea').fill('A warm, funny and beautifully acted film.');
    await analyze.click();
    const [request] = await host.waitForRequest('predict');
    assert.deepEqual(request.params, { runId: IDS.lstm, text: 'A warm, funny and beautifully acted film.' });
    // While the model answers: a spinner, and no second request from a double click.
    await page.locator('vscode-progress-ring.spinner').waitFor({ state: 'visible' });
    assert.equal(await analyze.getAttribute('disabled'), '');
    release();

    const first = page.locator('.prediction-list article').first();
    await page.waitForFunction(() => document.querySelector('.prediction-list article')?.getAttribute('data-prediction-id') === 'p-new');
    assert.match(await first.locator('.sentiment').innerText(), /Positive/);
    assert.equal(await first.locator('.sentiment-icon').innerText(), '▲', 'the label has an icon, not only a colour');
    assert.equal(await first.locator('.probability-value').innerText(), 'P(+) 0.912', 'the bar is P(positive), and says so');
    assert.match(await first.locator('.sentiment').innerText(), /91\.2% sure/);
    assert.equal(await first.locator('[role="meter"]').getAttribute('aria-valuenow'), '0.912');
    const [track, fill, threshold] = await Promise.all([
      first.locator('.probability-track').boundingBox(),
      first.locator('.probability-fill').boundingBox(),
      first.locator('.threshold').boundingBox(),
    ]);
    assert.ok(track && fill && threshold);
    assert.ok(Math.abs(fill.width / (track.width - 2) - 0.912) < 0.02, `fill ${fill.width} of ${track.width}`);
    assert.ok(Math.abs(threshold.x + threshold.width / 2 - (track.x + track.width / 2)) <= 1.5, 'the 0.5 mark is at the middle');
    assert.match(await first.locator('.prediction-meta').innerText(), /LSTM #a41f/);

    // The host's entries are listed too, with their notes.
    const editorEntry = page.locator('[data-prediction-id="p-2"]');
    assert.match(await editorEntry.innerText(), /Only the last 500 of its 812 words were read/);
    const oov = page.locator('[data-prediction-id="p-1"]');
    assert.match(await oov.innerText(), /Negative/);
    assert.match(await oov.innerText(), /14 of 40 words read are unknown to the model \(its vocabulary: 10,000 words\)/);
    assertClean(d);
  });

  test('a rejected request shows its message next to the action, in the error colour', async () => {
    const d = await open({
      handlers: {
        predict: () => {
          throw new LabError('corrupt-model', 'The model in /runs/lstm is unusable: weights.bin is missing.');
        },
      },
    });
    const { page } = d;
    await showTab(page, 'predictions');
    await page.locator('vscode-text-area[data-field="review"] textarea').fill('Not bad at all.');
    await page.locator('vscode-button[data-action="analyze"]').click();
    const error = page.locator('.prediction-form .inline-error');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), /The model in \/runs\/lstm is unusable: weights\.bin is missing\. \(corrupt-model\)/);
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.equal(await error.evaluate((el) => getComputedStyle(el).color), rgb(THEMES.dark.variables['--vscode-errorForeground']));
    // The button is usable again for a retry.
    assert.equal(await page.locator('vscode-button[data-action="analyze"]').getAttribute('disabled'), null);
    assertClean(d);
  });

  test('the host can push a new state and reveal a prediction', async () => {
    const d = await open();
    const { page, host } = d;
    const state = dashboardState();
    state.predictions.unshift(prediction({ id: 'p-editor', at: '2025-11-26T19:00:00Z', probability: 0.27, excerpt: 'The plot drags and the jokes fall flat.' }));
    await host.notify('state', state);
    await host.notify('reveal', { tab: 'predictions', predictionId: 'p-editor' });
    await page.locator('vscode-panel-view[data-view-of="predictions"]').waitFor({ state: 'visible' });
    const card = page.locator('[data-prediction-id="p-editor"]');
    await page.waitForFunction(() => document.querySelector('[data-prediction-id="p-editor"]')?.classList.contains('revealed'));
    assert.match(await card.innerText(), /Negative/);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-prediction-id')), 'p-editor');

    await host.notify('reveal', { tab: 'runs', runId: IDS.simple });
    await page.locator('vscode-panel-view[data-view-of="runs"]').waitFor({ state: 'visible' });
    await page.waitForFunction((id) => document.querySelector(`tr[data-run-id="${id}"]`)?.classList.contains('revealed'), IDS.simple);
    assertClean(d);
  });

  test('tab, compared runs and unsent text survive a reload (getState/setState)', async () => {
    const d = await open();
    const { page, host } = d;
    await showTab(page, 'runs');
    await page.locator(`tr[data-run-id="${IDS.simple}"] vscode-checkbox`).click();
    await page.locator(`tr[data-run-id="${IDS.bilstm}"] vscode-checkbox`).click();
    await waitForChart(page, 'compare-val-accuracy', (c) => c.seriesCount === 2);
    await showTab(page, 'predictions');
    await page.locator('vscode-text-area[data-field="review"] textarea').fill('Half-written review');
    await showTab(page, 'runs');
    await page.setViewportSize({ width: 1200, height: 400 });
    // The resize lays the page out again first: scroll once it is tall enough to.
    await page.waitForFunction(() => {
      window.scrollTo(0, 150);
      return window.scrollY === 150;
    }, undefined, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => window.scrollY), 150);
    await page.waitForTimeout(400);

    await page.reload();
    await page.locator('vscode-panels').waitFor();
    assert.equal(host.requests.filter((r) => r.method === 'ready').length, 2);
    await page.locator('vscode-panel-view[data-view-of="runs"]').waitFor({ state: 'visible' });
    const restored = await waitForChart(page, 'compare-val-accuracy', (c) => c.seriesCount === 2);
    assert.ok(restored.labels[0].startsWith('SimpleRNN') && restored.labels[1].startsWith('Bi-LSTM'), restored.labels.join());
    await page.waitForFunction(() => Math.abs(window.scrollY - 150) <= 2, undefined, { timeout: 3000 });
    await showTab(page, 'predictions');
    assert.equal(await page.locator('vscode-text-area[data-field="review"]').evaluate((el) => (el as HTMLElement & { value: string }).value), 'Half-written review');
    assertClean(d);
  });

  test('switching the VS Code theme re-colours the charts', async () => {
    const d = await open({ theme: 'dark' });
    const { page } = d;
    await showTab(page, 'training');
    // The three curves and the kept epoch's marker.
    const dark = await waitForChart(page, 'loss', (c) => c.seriesCount === 4);
    assert.equal(dark.colors[0], rgb(THEMES.dark.variables['--vscode-charts-blue']));
    await setTheme(page, 'light');
    const light = await waitForChart(page, 'loss', (c) => c.colors[0] === rgb(THEMES.light.variables['--vscode-charts-blue']));
    assert.equal(light.colors[2], rgb(THEMES.light.variables['--vscode-charts-orange']));
    assertClean(d);
  });

  test('without runs: preset defaults are drawn and the runs tab offers Train Model', async () => {
    const d = await open({ state: dashboardState({ runs: [], activeRunId: undefined, predictions: [] }) });
    const { page, host } = d;
    assert.equal(await page.locator('vscode-dropdown[data-picker="architecture-source"]').evaluate((el) => (el as HTMLElement & { value: string }).value), 'preset:simple-rnn');
    assert.match((await page.locator('.layer-diagram').textContent()) ?? '', /Total params: 322,113/);
    await showTab(page, 'runs');
    assert.match(await page.locator('.empty-state').innerText(), /No runs yet/);
    await page.locator('.empty-state vscode-button[data-action="train-model"]').click();
    assert.deepEqual((await host.waitForRequest('trainModel'))[0].params, {});
    await showTab(page, 'predictions');
    assert.equal(await page.locator('vscode-button[data-action="analyze"]').getAttribute('disabled'), '');
    assert.match(await page.locator('.form-hint').innerText(), /Train a model first/);
    await showTab(page, 'training');
    await pick(page, 'train-preset', 'Bi-LSTM');
    await page.locator('.train-new vscode-button[data-action="train-model"]').click();
    assert.deepEqual((await host.waitForRequest('trainModel', 2))[1].params, { preset: 'bilstm' });
    assertClean(d);
  });

  test('every button has an accessible name and every chart a text summary', async () => {
    const d = await open();
    const { page } = d;
    for (const tab of ['architecture', 'training', 'runs', 'predictions']) {
      await showTab(page, tab);
      const unnamed = await page.locator(`vscode-panel-view[data-view-of="${tab}"] vscode-button`).evaluateAll((buttons) =>
        buttons.filter((b) => !(b.getAttribute('aria-label') || b.textContent || '').trim()).length,
      );
      assert.equal(unnamed, 0, `${tab}: buttons without a name`);
    }
    await showTab(page, 'training');
    for (const name of ['loss', 'accuracy']) {
      const chart = await waitForChart(page, name, (c) => c.summary.length > 0);
      assert.match(chart.summary, /Epoch 5: /);
      const canvas = page.locator(`figure[data-chart="${name}"] canvas`);
      assert.equal(await canvas.getAttribute('role'), 'img');
      assert.ok(await canvas.getAttribute('aria-labelledby'));
    }
    assert.equal(await page.locator('.runs-table th[scope="col"]').count(), 13);
    assertClean(d);
  });

  test('with reduced motion preferred, charts and progress bars do not animate', async () => {
    const d = await session.open({ handlers: { ready: () => dashboardState({ training: trainingState(0, 'saving') }) }, reducedMotion: true });
    const { page } = d;
    await page.locator('vscode-panels').waitFor();
    await showTab(page, 'training');
    await page.waitForFunction(() => document.querySelector('figure[data-chart="loss"]')?.getAttribute('data-animation') === 'off');
    await page.waitForFunction(() => document.querySelector('.progress-bar')?.classList.contains('indeterminate'));
    assert.equal(await page.locator('.progress-fill').evaluate((el) => getComputedStyle(el).animationName), 'none');
    assertClean(d);
  });

  test('the CSP check itself catches an inline style', async () => {
    const d = await open();
    await d.page.evaluate(() => document.body.setAttribute('style', 'color: red'));
    await d.page.waitForTimeout(100);
    assert.ok(d.problems.violations.some((v) => v.startsWith('style-src-attr')), 'a violation is reported');
  });

  test('screenshots: dark and light themes, side bar and panel, no overflow in the side bar', async () => {
    for (const theme of ['dark', 'light'] as const) {
      for (const view of ['panel', 'sidebar'] as const) {
        const d = await open({ theme, view });
        const { page } = d;
        for (const tab of ['architecture', 'training', 'runs', 'predictions']) {
          await showTab(page, tab);
          if (tab === 'runs' && !(await page.locator('figure[data-chart="compare-val-accuracy"]').isVisible())) {
            await page.locator(`tr[data-run-id="${IDS.simple}"] vscode-checkbox`).click();
            await page.locator(`tr[data-run-id="${IDS.lstm}"] vscode-checkbox`).click();
            await waitForChart(page, 'compare-val-accuracy', (c) => c.seriesCount === 2);
          }
          await page.evaluate(() => window.scrollTo(0, 0));
          await page.waitForTimeout(400);
          if (view === 'sidebar') {
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            assert.ok(overflow <= 0, `${theme} side bar, ${tab} tab: ${overflow}px wider than the view`);
          }
          await screenshot(page, `dashboard-${theme}-${view}-${tab}`);
        }
        assertClean(d);
        await d.close();
        opened.splice(opened.indexOf(d), 1);
      }
    }
    for (const view of ['panel', 'sidebar'] as const) {
      const d = await open({ view, state: dashboardState({ training: trainingState(230) }) });
      const live = liveTraining();
      await d.host.notify('training', { phase: 'training', event: 'epoch', data: live.epochs[0] });
      await showTab(d.page, 'training');
      await waitForChart(d.page, 'loss', (c) => c.pointCounts[1] === 1);
      await d.page.waitForTimeout(400);
      await screenshot(d.page, `dashboard-dark-${view}-training-live`);
      if (view === 'panel') {
        await showTab(d.page, 'architecture');
        for (const [option, name] of [['SimpleRNN · ', 'simple-rnn'], ['Bi-LSTM — preset defaults', 'bilstm']] as const) {
          await pick(d.page, 'architecture-source', option);
          await d.page.locator(`section.cell[data-preset="${name}"]`).waitFor();
          await screenshot(d.page, `dashboard-dark-panel-architecture-${name}`);
        }
      }
      assertClean(d);
    }
  });

  test('every view fits from 170 px to 1000 px in dark, light and high contrast: no horizontal scrollbar, every tab on screen', async () => {
    const problems: string[] = [];
    for (const theme of ['dark', 'light', 'high-contrast'] as const) {
      for (const width of [170, 300, 1000]) {
        const view = width <= 300 ? 'sidebar' : 'panel';
        const d = await open({ theme, view, width, height: 900 });
        const { page } = d;
        for (const tab of ['architecture', 'training', 'runs', 'predictions']) {
          await showTab(page, tab);
          await page.evaluate(() => window.scrollTo(0, 0));
          await page.waitForTimeout(250);
          const fit = await page.evaluate(() => {
            const overflow = document.documentElement.scrollWidth - window.innerWidth;
            const offscreenTabs = Array.from(document.querySelectorAll('vscode-panel-tab')).filter((t) => {
              const r = t.getBoundingClientRect();
              return r.right > window.innerWidth + 0.5 || r.left < -0.5;
            }).length;
            // Dropdowns and buttons stay inside their cards.
            const stickingOut = Array.from(document.querySelectorAll('vscode-panel-view:not([hidden]) .card vscode-dropdown, vscode-panel-view:not([hidden]) .card vscode-button')).filter((el) => {
              const card = el.closest('.card')!.getBoundingClientRect();
              const r = el.getBoundingClientRect();
              return r.width > 0 && r.right > card.right + 0.5;
            }).length;
            return { overflow, offscreenTabs, stickingOut };
          });
          if (fit.overflow > 0) problems.push(`${theme} ${width}px ${tab}: ${fit.overflow}px wider than the view`);
          if (fit.offscreenTabs) problems.push(`${theme} ${width}px ${tab}: ${fit.offscreenTabs} tabs off screen`);
          if (fit.stickingOut) problems.push(`${theme} ${width}px ${tab}: ${fit.stickingOut} controls stick out of their card`);
          await screenshot(page, `fit-${theme}-${width}-${tab}`);
        }
        assertClean(d);
        await d.close();
        opened.splice(opened.indexOf(d), 1);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('a chart without data says so inside its plot area, clear of the axes', async () => {
    const d = await open({ view: 'sidebar', width: 300, state: dashboardState({ training: trainingState(0, 'preparing') }) });
    await showTab(d.page, 'training');
    const placement = await d.page.locator('figure[data-chart="loss"] .chart-empty').evaluate((el) => {
      const box = el.getBoundingClientRect();
      const canvas = el.parentElement!.getBoundingClientRect();
      return { left: box.left - canvas.left, bottom: canvas.bottom - box.bottom, visible: !(el as HTMLElement).hidden };
    });
    assert.ok(placement.visible, 'the placeholder shows');
    assert.ok(placement.left >= 40 && placement.bottom >= 30, `inset from the axes: ${JSON.stringify(placement)}`);
    await screenshot(d.page, 'chart-placeholder-sidebar');
    assertClean(d);
  });

  test('accessible names: one name per tab, "(in progress)" only while training, and each Compare box names its run', async () => {
    const idle = await open({ view: 'sidebar' });
    const names = await idle.page.locator('vscode-panel-tab').evaluateAll((tabs) => tabs.map((t) => [t.getAttribute('aria-label'), (t as HTMLElement).innerText.trim()]));
    assert.deepEqual(names, [['Architecture', 'Architecture'], ['Training', 'Training'], ['Runs', 'Runs'], ['Predictions', 'Predictions'], ['Document', 'Document']]);
    await showTab(idle.page, 'runs');
    const boxes = await idle.page.locator('vscode-checkbox[data-action="compare"]').evaluateAll((els) => els.map((el) => el.textContent?.trim()));
    assert.ok(boxes.length > 0 && boxes.every((b) => /^Compare \S/.test(b ?? '')), `checkbox names: ${JSON.stringify(boxes)}`);
    const busy = await open({ view: 'panel', state: dashboardState({ training: trainingState(3) }) });
    assert.equal(await busy.page.locator('vscode-panel-tab[data-tab="training"]').getAttribute('aria-label'), 'Training (in progress)');
    assertClean(idle);
    assertClean(busy);
  });

  test('first contact: a welcome with Train Model, and every picker starts on the default preset', async () => {
    const presets = dashboardState().presets;
    const lstmFirst = [presets.find((p) => p.name === 'lstm')!, ...presets.filter((p) => p.name !== 'lstm')];
    const d = await open({ view: 'sidebar', state: dashboardState({ runs: [], activeRunId: undefined, predictions: [], presets: lstmFirst }) });
    const welcome = d.page.locator('section.welcome');
    assert.match(await welcome.innerText(), /Train your first model[\s\S]*Analyze Sentiment/i);
    await welcome.locator('vscode-button').click();
    assert.deepEqual((await d.host.waitForRequest('trainModel'))[0].params, {});
    assert.equal(await d.page.locator('vscode-dropdown[data-picker="architecture-source"]').evaluate((el) => (el as HTMLElement & { value: string }).value), 'preset:lstm');
    await showTab(d.page, 'training');
    assert.equal(await d.page.locator('vscode-dropdown[data-picker="train-preset"]').evaluate((el) => (el as HTMLElement & { value: string }).value), 'lstm');
    await screenshot(d.page, 'welcome-sidebar');
    const withRuns = await open({ view: 'sidebar' });
    assert.equal(await withRuns.page.locator('section.welcome').isVisible(), false, 'no welcome once a run exists');
    assertClean(d);
  });

  test('a prediction card says the label and how sure, P(positive) on the bar, and no label without a known word', async () => {
    const sure = prediction({ id: 'p1', at: '2026-11-30T01:00:00Z', probability: 0.004, excerpt: 'Dreadful.', tokenCount: 1, oovCount: 0 });
    const blank = { ...prediction({ id: 'p2', at: '2026-11-30T01:01:00Z', probability: 0.035, excerpt: '!!! ??? 123 ...', tokenCount: 1, oovCount: 1 }) };
    blank.prediction = { ...blank.prediction, label: null, wordsRead: 1 };
    const d = await open({ view: 'sidebar', state: dashboardState({ predictions: [sure, blank] }) });
    await showTab(d.page, 'predictions');
    const first = d.page.locator('article[data-prediction-id="p1"]');
    assert.equal((await first.locator('.sentiment').textContent())?.replace(/\s+/g, ' '), '▼Negative, 99.6% sure');
    assert.equal(await first.locator('[role="meter"]').getAttribute('aria-valuetext'), 'P(positive) = 0.004');
    const second = d.page.locator('article[data-prediction-id="p2"]');
    assert.match(await second.locator('.sentiment').innerText(), /no known word/);
    assert.match(await second.innerText(), /Its one word is unknown to the model/);
    assert.doesNotMatch(await second.innerText(), /rests on the others/);
    await screenshot(d.page, 'prediction-cards-sidebar');
    assertClean(d);
  });

  test('a run trained on a subset is marked as one in the Runs table', async () => {
    const state = dashboardState();
    const run = state.runs.find((r) => r.id === IDS.simple)!;
    assert.ok(run.ok);
    run.record.dataset = { ...run.record.dataset, train: 2400, validation: 600, limit: 3000 };
    const d = await open({ view: 'panel', state });
    await showTab(d.page, 'runs');
    assert.match(await d.page.locator(`tr[data-run-id="${IDS.simple}"] .status`).innerText(), /complete · subset of 3,000/);
    assert.doesNotMatch(await d.page.locator(`tr[data-run-id="${IDS.lstm}"] .status`).innerText(), /subset/);
    assertClean(d);
  });

  test('a run trained with another seed than its preset\'s names both seeds under the model; the others say nothing', async () => {
    const state = dashboardState();
    const run = state.runs.find((r) => r.id === IDS.simple)!;
    assert.ok(run.ok);
    run.record.hyperparameters = { ...run.record.hyperparameters, trainingSeed: 7 };
    const d = await open({ view: 'panel', state });
    await showTab(d.page, 'runs');
    assert.equal(await d.page.locator(`tr[data-run-id="${IDS.simple}"] .run-seeds`).innerText(), 'split seed 113 · training seed 7');
    assert.equal(await d.page.locator(`tr[data-run-id="${IDS.lstm}"] .run-seeds`).count(), 0);
    assertClean(d);
  });

  test('series take the theme\'s chart colours at full opacity, even where the theme makes them translucent', async () => {
    const d = await open({ view: 'sidebar' });
    await showTab(d.page, 'training');
    await d.page.evaluate(() => document.documentElement.style.setProperty('--vscode-charts-orange', '#d1861680'));
    await d.page.waitForFunction(() => document.querySelector<HTMLElement>('figure[data-chart="loss"]')?.dataset.seriesColors?.includes('rgb(209, 134, 22)'));
    const colors = JSON.parse((await d.page.locator('figure[data-chart="loss"]').getAttribute('data-series-colors')) ?? '[]') as string[];
    assert.deepEqual(colors, ['rgb(55, 148, 255)', 'rgb(55, 148, 255)', 'rgb(209, 134, 22)', 'rgb(209, 134, 22)'], 'blue for training, orange for validation and the kept epoch\'s star, none translucent');
    assertClean(d);
  });
});

describe('Document tab', () => {
  /** 100,000 units, as a large CSV analyzed whole would give. */
  const bigDocument = () => ({
    uri: 'file:///work/tickets.csv',
    name: 'tickets.csv',
    summary: '50000 positive · 50000 negative · mean 0.50',
    units: Array.from({ length: 100_000 }, (_, i) => {
      const probability = (i % 1000) / 1000;
      return { startLine: i + 2, endLine: i + 2, text: i % 2 ? `awful ticket ${i}` : `great ticket ${i}`, probability, label: probability >= 0.5 ? ('positive' as const) : ('negative' as const) };
    }),
  });

  test('100,000 units: a few rows in the DOM, sort, filter, click reveals the line; light and dark', async () => {
    const d = await open({ handlers: { revealDocumentLine: () => undefined, exportDocument: () => undefined } });
    await d.host.notify('document', bigDocument());
    await d.host.notify('reveal', { tab: 'document' });
    const page = d.page;
    await page.locator('.document-view .document-body .document-row').first().waitFor();
    const drawn = await page.locator('.document-body .document-row').count();
    assert.ok(drawn > 5 && drawn < 100, `only the rows in view are drawn (${drawn})`);
    assert.match((await page.locator('.document-summary').textContent()) ?? '', /100,000 units · 50000 positive/);
    assert.equal(await page.locator('.document-bin').count(), 10);

    await page.locator('[data-sort="probability"]').click();
    assert.equal(await page.locator('[data-sort="probability"]').getAttribute('aria-sort'), 'descending');
    assert.equal(await page.locator('.document-body .document-probability').first().textContent(), '0.999');

    await page.locator('[data-field="document-search"]').fill('ticket 99999');
    await page.locator('.document-count', { hasText: /^1 shown$/ }).waitFor();
    await page.locator('.document-body .document-row').first().click();
    assert.deepEqual((await d.host.waitForRequest('revealDocumentLine'))[0].params, { line: 100_001 });

    await page.locator('[data-field="document-search"]').fill('');
    await page.locator('.document-viewport').evaluate((el) => (el.scrollTop = 28 * 60_000));
    // The rows are drawn again on the scroll event, which arrives after the assignment.
    await page.waitForFunction(() => Number(document.querySelector('.document-body .document-row[data-line]')?.getAttribute('data-line')) > 1000, undefined, { timeout: 15_000 });
    const firstDrawn = Number(await page.locator('.document-body .document-row').first().getAttribute('data-line'));
    assert.ok(firstDrawn > 1000, `scrolled far, rows from deep in the list are drawn (${firstDrawn})`);
    const drawnAfterScroll = await page.locator(".document-body .document-row").count();
    assert.ok(drawnAfterScroll < 100, `only the rows in view are drawn after scrolling (${drawnAfterScroll})`);

    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      await screenshot(page, `document-view-${theme}`);
    }
    assertClean(d);
  });
});
