// A user's clicks in a real VS Code (code-server's workbench in Chromium),
// with the packaged VSIX installed as a user installs it. Each flow saves
// screenshots to test-results/screenshots/ (git-ignored): look at them when
// the UI changes. Everything waits on conditions, never on fixed sleeps.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../harness/code-server.mjs';
import { notifications, openWorkbench, screenshot, waitForNotification } from '../harness/e2e.mjs';
import { VSIX, chartPoints, contextMenuCommand, editorHasFocus, inlineLabels, openFile, openLabView, runCommand, pick, inSession, showTab, switchTheme, until } from './workbench.mjs';

describe('end-to-end flows in VS Code', { timeout: 600_000 }, () => {
  let workspace;
  let runsDir;
  /** The SimpleRNN that flows 2–4 train from the palette: 3,000 reviews of 100 words, in seconds. */
  const quickTraining = (epochs) => ({
    'rnnSentimentLab.runsFolder': runsDir,
    'rnnSentimentLab.training.limit': 3000,
    'rnnSentimentLab.training.maxlen': 100,
    'rnnSentimentLab.training.epochs': epochs,
    'rnnSentimentLab.training.batchSize': 16,
  });

  before(async () => {
    assert.ok(fs.existsSync(VSIX), 'npm run package made the VSIX');
    const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'rsl-e2e-'));
    workspace = path.join(scratch, 'workspace');
    runsDir = path.join(scratch, 'runs');
    await fsp.cp(path.join(REPO_ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  });

  for (const theme of ['light', 'dark']) {
    test(`1. the activity bar view renders the dashboard in the ${theme} theme`, async () => {
      await inSession(`e2e-1-${theme}`, theme, { 'rnnSentimentLab.runsFolder': runsDir }, workspace, async (s) => {
        const frame = await openLabView(s.page);
        const text = await until(async () => {
          const body = await frame.locator('body').innerText();
          return body.includes('Total params') && body;
        }, 'the architecture to be drawn');
        assert.match(text, /layers/i);
        assert.match(text, /322,113/, 'the SimpleRNN preset is drawn with its parameter count');
        // The webview takes the theme's colours: dark text on light, light text on dark.
        // The webview is transparent over the side bar: its background is the theme's side-bar colour.
        const [background, foreground] = await frame.locator('body').evaluate((b) => [
          getComputedStyle(document.documentElement).getPropertyValue('--vscode-sideBar-background').trim(),
          getComputedStyle(b).color,
        ]);
        const luminance = (css) => {
          const [r, g, b] = css.startsWith('#') ? [1, 3, 5].map((i) => parseInt(css.slice(i, i + 2), 16)) : css.match(/\d+/g).map(Number);
          return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        };
        if (theme === 'light') assert.ok(luminance(foreground) < luminance(background), `${foreground} on ${background}`);
        else assert.ok(luminance(foreground) > luminance(background), `${foreground} on ${background}`);
        await screenshot(s.page, `e2e-1-dashboard-${theme}`);
      });
    });
  }

  test('5. Train Model on a labelled CSV from the palette through its change step (every sentence too), then Analyze Document on a CSV column: the Document table, light and dark', async () => {
    await inSession('e2e-5', 'dark', {
      'rnnSentimentLab.runsFolder': path.join(runsDir, 'labelled'),
      'rnnSentimentLab.data.source': path.join(workspace, 'labelled.csv'),
      'rnnSentimentLab.training.maxlen': 12,
      'rnnSentimentLab.training.numWords': 60,
      'rnnSentimentLab.training.epochs': 2,
      'rnnSentimentLab.training.batchSize': 4,
    }, workspace, async (s) => {
      const frame = await openLabView(s.page);
      await showTab(frame, 'training');
      await runCommand(s.page, 'RNN Sentiment Lab: Train Model');
      await pick(s.page, 'SimpleRNN');
      // The change step: Enter keeps each number shown (the settings above), then the two choices.
      await pick(s.page, 'Change epochs');
      for (const prompt of ['Epochs', 'Batch size', 'Words read per review', 'Recurrent units', 'Training seed', 'Share of training rows']) {
        await s.page.locator('.quick-input-message', { hasText: prompt }).first().waitFor({ timeout: 10_000 });
        await s.page.keyboard.press('Enter');
      }
      await s.page.locator('.quick-input-list .monaco-list-row', { hasText: 'as the tutorial (current)' }).first().waitFor({ timeout: 10_000 });
      await pick(s.page, 'reviews-and-sentences');
      await s.page.locator('.quick-input-list .monaco-list-row', { hasText: 'the lowest validation loss (current)' }).first().waitFor({ timeout: 10_000 });
      await s.page.keyboard.press('Enter');
      // Which label is positive: asked once, the guess first.
      await pick(s.page, 'guessed from its name');
      await waitForNotification(s.page, /labelled\.csv: 20 of 20 rows clean \(10 neg, 10 pos; "pos" is positive\)/, { timeoutMs: 60_000 });
      await showTab(frame, 'runs');
      const run = frame.locator('tr[data-run-id^="simple-rnn_"]').first();
      await run.waitFor({ timeout: 180_000 });
      await until(async () => /labelled\.csv · 20 rows/.test(await run.innerText()), 'the run to name its dataset');
      await screenshot(s.page, 'e2e-5-labelled-run');
      // The run holds what the change step chose, the numbers as they were.
      await showTab(frame, 'architecture');
      const hyperparameters = await until(async () => {
        const text = await frame.locator('.architecture-view').innerText();
        return /Trained on\s+reviews and every sentence of each/.test(text) && text;
      }, 'the new run\'s hyperparameters in the Architecture tab', 30_000);
      assert.match(hyperparameters, /Epochs\s+2\b/);
      assert.match(hyperparameters, /maxlen\s+12\b/);

      await openFile(s.page, 'tickets.csv');
      await runCommand(s.page, 'RNN Sentiment Lab: Analyze Document');
      await pick(s.page, 'comment');
      const rows = frame.locator('.document-body .document-row');
      await rows.first().waitFor({ timeout: 60_000 });
      assert.equal(await rows.count(), 3);
      assert.deepEqual(await rows.evaluateAll((r) => r.map((e) => e.getAttribute('data-line'))), ['2', '3', '6']);
      assert.match(await frame.locator('.document-summary').innerText(), /3 units · \d positive · \d negative · mean 0\.\d\d/);
      await s.page.locator('.statusbar-item', { hasText: /positive · \d+ negative · mean/ }).first().waitFor();
      await screenshot(s.page, 'e2e-5-document-dark');
      await switchTheme(s.page, 'light');
      await screenshot(s.page, 'e2e-5-document-light');
    });
  });

  test('2–3. Train Model from the palette with live charts and status bar, then Analyze Sentiment from the context menu', async () => {
    await inSession('e2e-2-3', 'dark', { ...quickTraining(2), 'rnnSentimentLab.evaluateAfterTraining': false }, workspace, async (s) => {
      const frame = await openLabView(s.page);
      await showTab(frame, 'training');
      await runCommand(s.page, 'RNN Sentiment Lab: Train Model');
      await pick(s.page, 'SimpleRNN');
      await pick(s.page, 'Train with these settings');

      const statusItem = s.page.locator('.statusbar-item', { hasText: /SimpleRNN \d\/2/ }).first();
      await statusItem.waitFor({ timeout: 120_000 });
      const first = await until(() => chartPoints(frame, 'loss'), 'the loss chart to get its first points', 120_000);
      await until(async () => (await chartPoints(frame, 'loss')) > first + 5, 'the loss chart to gain points while training runs');
      await screenshot(s.page, 'e2e-2-training-live');

      await until(async () => (await frame.locator('.live-training:visible').count()) === 0, 'the training to end', 300_000);
      await showTab(frame, 'runs');
      await frame.locator('tr[data-run-id^="simple-rnn_"]').first().waitFor({ timeout: 30_000 });
      await screenshot(s.page, 'e2e-2-new-run');

      // 3. The dashboard as an editor tab first, then the file in front of it in the same group:
      // Analyze Sentiment must leave the file in front, with the keyboard focus in it.
      await runCommand(s.page, 'RNN Sentiment Lab: Open Dashboard');
      const panel = await until(async () => {
        for (const f of s.page.frames()) {
          if ((await f.evaluate(() => document.body?.dataset.view).catch(() => undefined)) === 'panel') return f;
        }
        return undefined;
      }, 'the dashboard editor tab');
      await panel.locator('vscode-panel-tab[data-tab="runs"]').click();
      await panel.locator('tr[data-run-id^="simple-rnn_"]').first().waitFor({ timeout: 30_000 });
      await screenshot(s.page, 'e2e-3-dashboard-panel');

      // Open a file, select a sentence, right-click → Analyze Sentiment.
      await openFile(s.page, 'review.txt');
      const line = s.page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'wonderful surprise' }).first();
      await line.click();
      await s.page.keyboard.press('Control+A');
      await s.page.locator('.statusbar-item', { hasText: /selected/ }).first().waitFor();
      // Right-click on the selected text itself: a click beside it would move the cursor and drop the selection.
      await contextMenuCommand(s.page, line, 'Analyze Sentiment');
      // The answer is drawn after the selection, in the editor itself.
      const label = await until(() => inlineLabels(s.page).then((labels) => labels.find((l) => /sure · SimpleRNN/.test(l))), 'the inline label after the selection', 60_000);
      assert.match(label, /^[▲▼] (positive|negative) · (\d{1,2}\.\d|over 99\.9)% sure · SimpleRNN$/);
      // The visible side view updated, without taking anything from the editor.
      const card = frame.locator('[data-prediction-id]').first();
      await card.waitFor({ timeout: 30_000 });
      assert.match(await card.innerText(), /wonderful surprise/);
      assert.match(await card.innerText(), /(Positive|Negative), (\d{1,2}\.\d|over 99\.9)% sure/);
      assert.equal(await s.page.locator('.tab.active', { hasText: 'review.txt' }).count(), 1, 'the file stays in front of the dashboard tab');
      assert.equal(await editorHasFocus(s.page), true, 'the keyboard focus stays in the editor');
      assert.deepEqual(await notifications(s.page).then((n) => n.filter((t) => /sure/.test(t))), [], 'no notification unless asked for');
      await screenshot(s.page, 'e2e-3-analyze');

      // With the side bar hidden, Analyze (now from the palette, on the paragraph under the cursor) leaves it hidden.
      await s.page.keyboard.press('Control+B');
      await s.page.locator('.part.sidebar').waitFor({ state: 'hidden' });
      await line.click();
      await runCommand(s.page, 'RNN Sentiment Lab: Analyze Sentiment');
      await until(() => inlineLabels(s.page).then((labels) => labels.find((l) => /· paragraph$/.test(l))), 'the paragraph label', 60_000);
      assert.equal(await s.page.locator('.part.sidebar').isVisible(), false, 'the side bar stays hidden');
      assert.equal(await s.page.locator('.tab.active', { hasText: 'review.txt' }).count(), 1);
      assert.equal(await editorHasFocus(s.page), true);
      await screenshot(s.page, 'e2e-3-analyze-paragraph');
    });
  });

  test('4. reloading the window during a training brings back the dashboard, the progress notification with Cancel, and a cancelled run never becomes active', async () => {
    await inSession('e2e-4', 'dark', quickTraining(50), workspace, async (s) => {
      let frame = await openLabView(s.page);
      await showTab(frame, 'runs');
      const activeBefore = await frame.locator('tr.active-run').first().getAttribute('data-run-id', { timeout: 30_000 });
      assert.match(activeBefore ?? '', /^simple-rnn_/, 'the run trained in flow 2 is active');
      await runCommand(s.page, 'RNN Sentiment Lab: Train Model');
      await pick(s.page, 'SimpleRNN');
      await pick(s.page, 'Train with these settings');
      await showTab(frame, 'training');
      await until(() => chartPoints(frame, 'loss'), 'the first batches', 120_000);

      await s.page.reload();
      await openWorkbench(s.page, s.page.url());
      frame = await openLabView(s.page);
      await showTab(frame, 'training');
      await frame.locator('.live-training:visible').waitFor({ timeout: 30_000 });
      const after = await until(() => chartPoints(frame, 'loss'), 'the chart to come back with the points so far');
      await until(async () => (await chartPoints(frame, 'loss')) > after, 'the training to keep streaming after the reload');
      // The progress notification is back, with its Cancel button.
      const toast = s.page.locator('.notifications-toasts .notification-list-item', { hasText: 'Training SimpleRNN' }).first();
      await toast.waitFor({ timeout: 30_000 });
      await until(async () => /epoch \d+\/50/.test(await toast.innerText()), 'the notification to show the epoch');
      await screenshot(s.page, 'e2e-4-after-reload');

      // Cancel once an epoch is done, from the restored notification: the checkpoint is kept, but not made active.
      const epochPoints = async () => Number(((await frame.locator('[data-chart="loss"]').first().getAttribute('data-point-counts')) ?? '0,0').split(',')[1]) || 0;
      await until(epochPoints, 'the first epoch to end', 240_000);
      await toast.hover();
      await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
      const message = await waitForNotification(s.page, /was not made the active model/, { timeoutMs: 120_000 });
      assert.match(message, /The cancelled SimpleRNN run simple-rnn_\S+ \(\d+ of 50 epochs\) was not made the active model: Analyze Sentiment keeps using simple-rnn_/);
      await showTab(frame, 'runs');
      await until(async () => (await frame.locator('tr[data-run-id^="simple-rnn_"]').count()) >= 2, 'the cancelled run to be listed');
      assert.equal(await frame.locator('tr.active-run').first().getAttribute('data-run-id'), activeBefore, 'the active model is still the complete run');
      await screenshot(s.page, 'e2e-4-cancelled-not-active');
    });
  });
});
