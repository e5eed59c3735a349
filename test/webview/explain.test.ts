/**
 * The Explain panel in real Chromium under the dashboard's CSP, with fixed
 * explanations (a 500-token LSTM trace of a longer text, and a short Bi-LSTM
 * one) answered by the stand-in host (see harness.ts).
 *
 * Run: node scripts/build.mjs && node --import tsx --test test/webview/explain.test.ts
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Explanation } from '../../src/core/explain/types';
import { explanationFixture } from './explain-fixtures';
import { dashboardState, prediction } from './fixtures';
import { dashboardSession, screenshot, type OpenDashboard, type ThemeName } from './harness';

const session = dashboardSession();

async function openWith(explanation: Explanation, theme: ThemeName = 'dark'): Promise<OpenDashboard> {
  const entry = prediction({ id: 'p-explain', at: '2025-11-26T18:00:00Z', probability: explanation.probability, excerpt: 'A long review…', source: 'editor', tokenCount: explanation.tokens.length - 1 });
  const state = dashboardState({ predictions: [entry] });
  const d = await session.open({
    theme,
    handlers: {
      ready: () => structuredClone(state),
      explain: () => structuredClone(explanation),
    },
  });
  await d.page.locator('vscode-panels').waitFor();
  await d.page.locator('vscode-panel-tab[data-tab="predictions"]').click();
  await d.page.locator('[data-prediction-id="p-explain"] vscode-button[data-action="explain"]').click();
  await d.page.locator('.explain-view .explain-tokens').waitFor();
  // the heatmaps come one per animation frame
  const matrices = explanation.states.reduce((n, s) => n + 1 + (s.c ? 1 : 0) + (s.inputGate ? 3 : 0), 0);
  await d.page.waitForFunction((n) => document.querySelectorAll('.explain-figure').length === n, matrices, { timeout: 10_000 });
  return d;
}

describe('Explain panel', () => {
  test('a 500-token LSTM trace: coloured tokens, dropped and unknown words marked, the verdict line with its 0.5 line, h, c and the three gates', async () => {
    const e = explanationFixture('lstm', 520);
    const d = await openWith(e);
    const { page, host } = d;
    const [request] = await host.waitForRequest('explain');
    assert.deepEqual(request.params, { predictionId: 'p-explain', method: 'ig' });
    assert.equal(await page.locator('.explain-token[role="option"]').count(), 500);
    assert.equal(await page.locator('.explain-token.is-dropped').count(), 21);
    assert.equal(await page.locator('.explain-token.is-oov').count(), e.tokens.filter((t) => t.status === 'oov').length);
    assert.match(await page.locator('.explain-view').innerText(), /first 21 words \(greyed\) were beyond its 499-word window/);
    assert.equal(await page.locator('.explain-threshold').getAttribute('y1'), '50');
    const figures = await page.locator('.explain-figure').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-matrix')));
    assert.deepEqual(figures, ['Hidden state h', 'Cell state c', 'Input gate', 'Forget gate', 'Output gate']);
    // text alternatives: every chart says what it shows in words
    for (const label of await page.locator('.explain-heatmap').evaluateAll((cs) => cs.map((c) => c.getAttribute('aria-label') ?? ''))) {
      assert.match(label, /32 units × 500 tokens\. Unit \d+ rises with the verdict most \(r = -?\d\.\d\d\)/);
    }
    assert.match((await page.locator('.explain-verdict').getAttribute('aria-label')) ?? '', /^Verdict as it reads: 0\.500 before the first token/);
    assert.deepEqual(d.problems, { console: [], violations: [] });
    await screenshot(page, 'explain-lstm-dark');
  });

  test('clicking a token highlights its column everywhere and spells out its figures; arrow keys move; hovering a heatmap marks a unit', async () => {
    const e = explanationFixture('lstm', 120);
    const { page, problems } = await openWith(e);
    const token = page.locator('.explain-token[data-token="7"]');
    await token.click();
    assert.equal(await token.getAttribute('aria-selected'), 'true');
    assert.equal(await token.getAttribute('tabindex'), '0');
    assert.equal(await page.locator('.explain-token[tabindex="0"]').count(), 1, 'one tab stop for the whole text');
    assert.equal(await page.locator('.explain-column').getAttribute('x'), '7');
    const transforms = await page.locator('.explain-overlay-column').evaluateAll((cs) => cs.map((c) => (c as HTMLElement).style.transform));
    assert.equal(new Set(transforms).size, 1);
    assert.match(transforms[0], /translateX\(\d+px\)/);
    const detail = await page.locator('.explain-detail').innerText();
    assert.match(detail, new RegExp(`“${e.tokens[e.read.from + 7].text}”: attribution [+−]\\d\\.\\d{3}; verdict \\d\\.\\d{3} → \\d\\.\\d{3}; gates \\(mean over units\\): input \\d\\.\\d\\d, forget \\d\\.\\d\\d, output \\d\\.\\d\\d`));
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('.explain-token[data-token="8"]').getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-token')), '8');
    await page.keyboard.press('End');
    assert.equal(await page.locator('.explain-column').getAttribute('x'), String(e.verdict.length - 1));

    const canvas = page.locator('.explain-heatmap').first();
    await canvas.hover({ position: { x: 3, y: 5 * 4 + 2 } });
    assert.equal(await page.locator('.explain-overlay-row').first().isHidden(), false);
    assert.match(await page.locator('.explain-row-label').first().innerText(), /^unit 4, r = -?\d\.\d\d$/);
    // sorted by correlation, the top row is the unit that rises with the verdict most
    await page.locator('.explain-sort').selectOption('correlation');
    await canvas.hover({ position: { x: 3, y: 2 } });
    const best = await page.locator('.explain-heatmap').first().getAttribute('aria-label');
    const unit = /Unit (\d+) rises/.exec(best ?? '')?.[1];
    assert.match(await page.locator('.explain-row-label').first().innerText(), new RegExp(`^unit ${unit}, `));
    assert.deepEqual(problems, { console: [], violations: [] });
  });

  test('a Bi-LSTM shows forward and backward rows; light theme screenshot', async () => {
    const { page, problems } = await openWith(explanationFixture('bilstm', 40), 'light');
    const figures = await page.locator('.explain-figure').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-matrix')));
    assert.equal(figures.length, 10);
    assert.ok(figures.includes('Hidden state h (forward)') && figures.includes('Hidden state h (backward)'));
    await page.locator('.explain-token[data-token="2"]').click();
    assert.match(await page.locator('.explain-detail').innerText(), /forward gates .*; backward gates /);
    await screenshot(page, 'explain-bilstm-light');
    assert.deepEqual(problems, { console: [], violations: [] });
  });
});
