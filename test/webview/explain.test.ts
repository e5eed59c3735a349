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
import { explanationFixture, tinyExplanation } from './explain-fixtures';
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
  // the heatmaps follow the text, a few per task; the container says when they are all there
  await d.page.locator('.explain-heatmaps[aria-busy="false"]').waitFor({ timeout: 10_000 });
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
    assert.match(await page.locator('.explain-view').innerText(), /The LSTM model read 500 tokens; the first 21 words \(greyed\) were beyond its 499-word window/);
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
    assert.match(await page.locator('.explain-row-label').first().innerText(), new RegExp(`^unit 4, r = -?\\d\\.\\d\\d; [+−]\\d\\.\\d{3} at “${e.tokens[e.read.from + e.verdict.length - 1].text}”$`));
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

  test('each heatmap has a text alternative that is right for a fixed trace: a summary, and a table of every unit in the order drawn', async () => {
    const { page, problems } = await openWith(tinyExplanation());
    const canvas = page.locator('.explain-heatmap');
    assert.equal(await canvas.count(), 1);
    assert.equal(await canvas.getAttribute('role'), 'img');
    assert.match((await canvas.getAttribute('aria-label')) ?? '', /^Hidden state h: 3 units × 4 tokens\. Unit 0 rises with the verdict most \(r = 1\.00\), unit 1 falls with it most \(r = -1\.00\)\./);
    // the table is what the canvas' description points at
    const tableId = await canvas.getAttribute('aria-describedby');
    assert.equal(await page.locator(`table#${tableId ?? 'none'}`).count(), 1);
    await page.locator('.explain-unit-details summary').click();
    const rows = () => page.locator('.explain-unit-table tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
    assert.deepEqual(await rows(), [
      ['unit 0', '+1.00', '+0.050', '+0.800 at “good”', '−0.600 at “bad”'],
      ['unit 1', '−1.00', '−0.025', '+0.300 at “bad”', '−0.400 at “good”'],
      ['unit 2', '+0.00', '+0.500', '+0.500 at “<start>”', '+0.500 at “<start>”'],
    ]);
    // what a screen reader is given: the picture's name and the table's rows, in the accessibility tree
    const tree = await page.locator('.explain-figure').ariaSnapshot();
    assert.match(tree, /img "Hidden state h: 3 units × 4 tokens\. Unit 0 rises with the verdict most/);
    assert.match(tree, /table "Hidden state h: every unit, in the order drawn"/);
    assert.match(tree, /row "unit 1 −1\.00 −0\.025 \+0\.300 at “bad” −0\.400 at “good”"/);
    // re-sorted by correlation: the table and the drawing follow, unit 2 (r = 0) between the other two
    await page.locator('.explain-sort').selectOption('correlation');
    await page.waitForFunction(() => document.querySelector('.explain-unit-table tbody tr:nth-child(2)')?.getAttribute('data-unit') === '2', undefined, { timeout: 5000 });
    assert.deepEqual((await rows()).map((r) => r[0]), ['unit 0', 'unit 2', 'unit 1']);
    // the canvas: one pixel per cell; the bottom row is now unit 1 (−0.4 at "good": the negative colour, 40% strong)
    const image = await canvas.evaluate((c: HTMLCanvasElement) => ({ width: c.width, height: c.height, data: Array.from(c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? []) }));
    assert.equal(image.width, 4);
    assert.equal(image.height, 3);
    const at = (t: number, r: number) => image.data.slice(4 * (r * image.width + t), 4 * (r * image.width + t) + 4);
    const pixels = { goodTop: at(1, 0), badTop: at(2, 0), goodBottom: at(1, 2) };
    assert.equal(pixels.goodTop[3], 204, 'unit 0 at "good": 0.8 of full strength');
    assert.equal(pixels.badTop[3], 153, 'unit 0 at "bad": 0.6');
    assert.equal(pixels.goodBottom[3], 102, 'unit 1 at "good": 0.4');
    // the dark theme's chart colours: positive values blue, negative ones orange
    const blue = ([r, , b]: number[]) => b > r;
    assert.ok(blue(pixels.goodTop), `unit 0 at "good" is positive, blue: ${pixels.goodTop.join(',')}`);
    assert.ok(!blue(pixels.badTop) && !blue(pixels.goodBottom), `negative values are orange: ${pixels.badTop.join(',')} / ${pixels.goodBottom.join(',')}`);
    assert.deepEqual(problems, { console: [], violations: [] });
  });

  test('a heatmap is reached with Tab and read with the arrow keys: up and down speak each unit, left and right move the selected token', async () => {
    const { page, problems } = await openWith(tinyExplanation());
    await page.locator('.explain-sort').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('explain-heatmap')), true, 'the heatmap takes the focus after the order picker');
    const label = page.locator('.explain-row-label');
    assert.equal(await label.getAttribute('role'), 'status');
    // the last token is selected when the panel opens
    assert.equal(await label.innerText(), 'unit 0, r = 1.00; −0.200 at “film”');
    assert.equal(await page.locator('.explain-overlay-row').isHidden(), false);
    await page.keyboard.press('ArrowDown');
    assert.equal(await label.innerText(), 'unit 1, r = -1.00; +0.100 at “film”');
    assert.equal(await page.locator('.explain-overlay-row').evaluate((r) => (r as HTMLElement).style.transform), 'translateY(5px)');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.locator('.explain-token[aria-selected="true"]').getAttribute('data-token'), '1');
    assert.equal(await page.locator('.explain-column').getAttribute('x'), '1');
    assert.equal(await page.locator('.explain-overlay-column').evaluate((c) => (c as HTMLElement).style.transform), 'translateX(8px)');
    assert.equal(await label.innerText(), 'unit 1, r = -1.00; −0.400 at “good”');
    assert.match(await page.locator('.explain-detail').innerText(), /^“good”: attribution \+0\.300; verdict 0\.600 → 0\.900\.$/);
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('explain-heatmap')), true, 'the focus stays on the heatmap');
    // leaving the heatmap takes its row mark away
    await page.keyboard.press('Shift+Tab');
    assert.equal(await page.locator('.explain-overlay-row').isHidden(), true);
    assert.equal(await label.innerText(), '');
    assert.deepEqual(problems, { console: [], violations: [] });
  });
});
