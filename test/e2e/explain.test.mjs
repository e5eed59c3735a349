// What a user sees of an explanation after Analyze Sentiment, in a real VS
// Code (code-server in Chromium, the packaged VSIX installed): the analyzed
// words coloured in the editor, a word's hover with its attribution, the
// verdict before and after it and an LSTM's gates, the dashboard's Explain
// view in a light and a dark theme, and the colours gone after an edit of the
// text or Clear Explanations. Screenshots land in test-results/screenshots/.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../harness/code-server.mjs';
import { screenshot } from '../harness/e2e.mjs';
import { VSIX, contextMenuCommand, inlineLabels, openFile, openLabView, runCommand, pick, inSession, showTab, switchTheme, until } from './workbench.mjs';

const FILE = 'screening.txt';
const SENTENCE = 'This film was a wonderful surprise, I loved every minute of it.';
const WORDS = SENTENCE.match(/[A-Za-z']+/g);
/** Words of every positive review of labelled.csv (so known to a model trained on it whatever the validation split), and words in none of them. */
const KNOWN = ['wonderful', 'loved'];
const UNKNOWN = ['This', 'was', 'of'];

/** The lab's word looks (src/editor/annotations.ts) by the contributed colour each is drawn with. */
const LOOKS = {
  'positive-1': 'wordPositiveBackground1',
  'positive-2': 'wordPositiveBackground2',
  'positive-3': 'wordPositiveBackground3',
  'negative-1': 'wordNegativeBackground1',
  'negative-2': 'wordNegativeBackground2',
  'negative-3': 'wordNegativeBackground3',
  dropped: 'wordDroppedBackground',
  oov: 'wordUnknownBorder',
};

/**
 * The word decorations drawn in the visible editor, read from the DOM. VS Code
 * gives each decoration type a generated class and draws it as a box in
 * .view-overlays; a box is one of the lab's words when its background (or
 * dotted border) is one of the lab's contributed colours as the theme resolves
 * them now (--vscode-rnnSentimentLab-word…), which also says its look. The word
 * under it is read from the characters of .view-lines it covers.
 */
async function wordDecorations(page) {
  return page.locator('.editor-instance .monaco-editor').first().evaluate((editor, looks) => {
    const probe = document.createElement('div');
    editor.append(probe);
    const colours = Object.entries(looks).map(([look, colour]) => {
      probe.style.color = `var(--vscode-rnnSentimentLab-${colour})`;
      return { look, border: look === 'oov', rgb: getComputedStyle(probe).color };
    });
    probe.remove();
    const lookOf = (box) => {
      const style = getComputedStyle(box);
      return colours.find((c) => (c.border ? style.borderTopStyle === 'dotted' && style.borderTopColor === c.rgb : style.backgroundColor === c.rgb))?.look;
    };
    const characters = [];
    for (const line of editor.querySelectorAll('.view-lines .view-line')) {
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.data.length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const r = range.getBoundingClientRect();
          characters.push({ ch: node.data[i], x: r.left + r.width / 2, y: r.top + r.height / 2 });
        }
      }
    }
    const found = [];
    for (const box of editor.querySelectorAll('.view-overlays div')) {
      const look = lookOf(box);
      if (!look) continue;
      const r = box.getBoundingClientRect();
      const word = characters.filter((c) => c.x > r.left && c.x < r.right && c.y > r.top && c.y < r.bottom).map((c) => c.ch).join('');
      found.push({ word, look, x: r.left + r.width / 2, y: r.top + r.height / 2 });
    }
    return found.sort((a, b) => a.y - b.y || a.x - b.x);
  }, LOOKS);
}

/** Hovers the middle of a word's decoration and returns the text of the hover that tells that word (saved as a screenshot when named). */
async function hoverText(page, decoration, screenshotName) {
  // Into the word from its left, as a hand moves: the editor shows a hover once the mouse rests on a word.
  await page.mouse.move(decoration.x - 30, decoration.y);
  await page.mouse.move(decoration.x, decoration.y, { steps: 5 });
  const hover = page.locator('.monaco-hover', { hasText: decoration.word }).filter({ hasText: /Attribution|unknown to the model|not read/ }).first();
  await hover.waitFor({ state: 'visible', timeout: 30_000 });
  const text = await hover.innerText();
  if (screenshotName) await screenshot(page, screenshotName);
  // Move away so the next hover starts afresh.
  await page.mouse.move(5, 5);
  await hover.waitFor({ state: 'hidden', timeout: 10_000 });
  return text;
}

describe('end-to-end: the explanation of an analysis, in the editor and the dashboard', { timeout: 900_000 }, () => {
  let workspace;
  let runsDir;

  before(async () => {
    assert.ok(fs.existsSync(VSIX), 'npm run package made the VSIX');
    const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'rsl-e2e-explain-'));
    workspace = path.join(scratch, 'workspace');
    runsDir = path.join(scratch, 'runs');
    await fsp.cp(path.join(REPO_ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
    await fsp.writeFile(path.join(workspace, FILE), `Notes after the screening.\n${SENTENCE}\nThe ending dragged a little.\n`);
  });

  test('6. Analyze Sentiment from the context menu colours the words, a word\'s hover explains it, the Explain view shows them in light and dark, an edit or Clear Explanations removes the colours', async () => {
    // A small LSTM trained from the palette on the workspace's labelled CSV: seconds, and it has gates to show.
    await inSession('e2e-6', 'light', {
      'rnnSentimentLab.runsFolder': runsDir,
      'rnnSentimentLab.defaultPreset': 'lstm',
      'rnnSentimentLab.data.source': path.join(workspace, 'labelled.csv'),
      'rnnSentimentLab.training.maxlen': 16,
      'rnnSentimentLab.training.numWords': 60,
      'rnnSentimentLab.training.epochs': 8,
      'rnnSentimentLab.training.batchSize': 4,
      'rnnSentimentLab.evaluateAfterTraining': false,
    }, workspace, async (s) => {
      const frame = await openLabView(s.page);
      await runCommand(s.page, 'RNN Sentiment Lab: Train Model');
      await pick(s.page, 'LSTM');
      await pick(s.page, 'Train with these settings');
      await pick(s.page, 'guessed from its name');
      await showTab(frame, 'runs');
      await frame.locator('tr.active-run[data-run-id^="lstm_"]').first().waitFor({ timeout: 240_000 });
      await runCommand(s.page, 'Notifications: Clear All Notifications');

      // Open the file, select its second line (one sentence), right-click it → Analyze Sentiment.
      await openFile(s.page, FILE);
      const line = s.page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'loved every minute' }).first();
      await line.click();
      await s.page.keyboard.press('Home');
      await s.page.keyboard.press('Shift+End');
      await s.page.locator('.statusbar-item', { hasText: `(${SENTENCE.length} selected)` }).first().waitFor();
      await contextMenuCommand(s.page, line.locator('span').first(), 'Analyze Sentiment');
      await until(() => inlineLabels(s.page).then((labels) => labels.find((l) => /sure · LSTM$/.test(l))), 'the inline label after the sentence', 60_000);

      // Every word of the sentence gets its look, where it stands; the other lines get none.
      let seen = [];
      const decorations = await until(async () => {
        seen = await wordDecorations(s.page);
        return seen.length >= WORDS.length && seen;
      }, 'the words to be coloured', 120_000).catch((error) => {
        throw new Error(`${error.message}; drawn: ${JSON.stringify(seen)}`);
      });
      assert.deepEqual(decorations.map((d) => d.word), WORDS, 'one decoration per word of the selection, over the word itself');
      const look = (word) => decorations.find((d) => d.word === word).look;
      for (const word of KNOWN) assert.match(look(word), /^(positive|negative)-[123]$/, `${word} is coloured by its attribution`);
      for (const word of UNKNOWN) assert.equal(look(word), 'oov', `${word}, unknown to the model, is outlined`);
      await screenshot(s.page, 'e2e-6-words-light');

      // A word's hover: its attribution, the verdict before and after it, and the LSTM's gates.
      // A click in the editor first: after the context menu the editor shows no hover until the next click
      // (the right button's release lands on the menu, so the editor still counts the button as down).
      await s.page.locator('.editor-instance .monaco-editor .view-line', { hasText: 'The ending dragged' }).first().click();
      const wonderful = await hoverText(s.page, decorations.find((d) => d.word === 'wonderful'), 'e2e-6-hover-light');
      assert.match(wonderful, /Attribution [+−]\d\.\d{3} toward (positive|negative) \(integrated gradients\)/);
      assert.match(wonderful, /P\(positive\) before this word 0\.\d{3}, after it 0\.\d{3}/);
      assert.match(wonderful, /Gates, mean over units: input 0\.\d{3} · forget 0\.\d{3} · output 0\.\d{3}/);
      const unknown = await hoverText(s.page, decorations.find((d) => d.word === 'was'));
      assert.match(unknown, /unknown to the model/);

      // The dashboard beside the editor explains the same analysis: the sentence's words, in a light and a dark theme.
      const view = frame.locator('.explain-view');
      const tokens = async () => (await view.locator('.explain-token').allInnerTexts()).map((t) => t.trim().toLowerCase());
      await until(async () => (await tokens()).length > 0, 'the Explain view', 120_000);
      assert.deepEqual((await tokens()).filter((t) => t !== '<start>'), WORDS.map((w) => w.toLowerCase()), 'the Explain view shows the analyzed words in order');
      assert.match(await view.locator('.explain-title').innerText(), /why (positive|negative)/i);
      await view.locator('.explain-title').scrollIntoViewIfNeeded();
      await screenshot(s.page, 'e2e-6-explain-light');
      await switchTheme(s.page, 'dark');
      await until(async () => (await wordDecorations(s.page)).length === WORDS.length, 'the words to be redrawn in the dark theme');
      await view.locator('.explain-title').scrollIntoViewIfNeeded();
      await screenshot(s.page, 'e2e-6-explain-dark');

      // Changing a word in the middle of the sentence: all its colours go, those before the word too
      // (each word's attribution was about the whole old text).
      const word = decorations.find((d) => d.word === 'wonderful');
      await s.page.mouse.dblclick(word.x, word.y);
      await s.page.locator('.statusbar-item', { hasText: '(9 selected)' }).first().waitFor();
      await s.page.keyboard.type('dull');
      await until(async () => (await wordDecorations(s.page)).length === 0, 'the colours to go after the edit', 30_000);
      await screenshot(s.page, 'e2e-6-after-edit');

      // Analyzed again, then Clear Explanations from the palette.
      await line.click();
      await s.page.keyboard.press('Home');
      await s.page.keyboard.press('Shift+End');
      await contextMenuCommand(s.page, line.locator('span').first(), 'Analyze Sentiment');
      await until(async () => (await wordDecorations(s.page)).length === WORDS.length, 'the words of the edited sentence', 120_000);
      await runCommand(s.page, 'RNN Sentiment Lab: Clear Explanations');
      await until(async () => (await wordDecorations(s.page)).length === 0, 'Clear Explanations to remove the colours', 30_000);
    });
  });
});
