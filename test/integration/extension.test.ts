/**
 * Inside a real VS Code (code-server's workbench here, Electron VS Code via
 * `npm run test:desktop` elsewhere): the extension as the editor loads it,
 * its commands run through the real command service, real editors,
 * real settings and the real worker thread training on the IMDB corpus
 * (found by test/corpus.ts).
 */
import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { TrainResult, PredictionEntry } from '../../src/protocol';
import type { DocumentAnalysis } from '../../src/commands/analyze-document';
import { imdbArchive } from '../corpus';

const EXTENSION_ID = 'rnn-sentiment-lab.rnn-sentiment-lab';
const COMMANDS = ['trainModel', 'resumeTraining', 'analyzeSentiment', 'analyzeDocument', 'openDashboard', 'cancelTraining', 'evaluateModel', 'selectActiveModel', 'deleteModel', 'importKerasModel', 'exportKerasModel'].map((c) => `rnnSentimentLab.${c}`);
const TINY = { maxlen: 20, epochs: 1, batchSize: 32 };

async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('rnnSentimentLab').update(key, value, vscode.ConfigurationTarget.Global);
}

/** Closes the editors the test opened, discarding their (untitled) text: a save prompt would block the run. */
async function closeEditors(): Promise<void> {
  while (vscode.window.activeTextEditor) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

let textDocuments = 0;
/**
 * A new untitled document holding `content`, under a name of its own: right after an editor is closed, a new
 * untitled document can come back as the closed one (its name and its old text) for a moment.
 */
async function textDocument(content: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(`untitled:analysis-${++textDocuments}.txt`));
  const editor = await vscode.window.showTextDocument(document);
  await editor.edit((e) => e.insert(new vscode.Position(0, 0), content));
  assert.equal(document.getText(), content);
  return document;
}

async function until<T>(condition: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('RNN Sentiment Lab in VS Code', function () {
  this.timeout(180_000);
  let api: ExtensionApi;
  let runsDir: string;

  before(async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'rsl-integration-'));
    runsDir = path.join(scratch, 'runs');
    await setSetting('data.source', await imdbArchive());
    await setSetting('cacheFolder', process.env.RSL_TEST_CACHE ?? path.join(scratch, 'cache'));
    await setSetting('runsFolder', runsDir);
    await setSetting('training.limit', 300);
    const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    api = await extension.activate();
  });

  it('activates without loading TensorFlow and contributes every command', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const command of COMMANDS) assert.ok(all.includes(command), `${command} is registered`);
    const loaded = Object.keys(require.cache).filter((file) => file.includes(`${path.sep}@tensorflow${path.sep}`) || /tfjs/.test(path.basename(file)));
    assert.deepEqual(loaded, [], 'activation loaded no TensorFlow module into the extension host');
  });

  it('Train Model with its inputs supplied trains on the shared corpus and saves the active run', async () => {
    const result = await vscode.commands.executeCommand<TrainResult>('rnnSentimentLab.trainModel', { preset: 'simple-rnn', hyperparameters: TINY });
    assert.ok(result, 'the command returned the run');
    assert.equal(result.record.status, 'complete');
    assert.equal(path.dirname(result.runDir), runsDir);
    assert.equal(result.record.dataset.train + result.record.dataset.validation, 300);
    assert.equal(api.lab.activeRunId, result.record.id);
  });

  it('Analyze Sentiment reads real selections in a real editor, labels each in document order, and falls back to the paragraph under the cursor', async () => {
    const document = await textDocument('Intro line.\nThis film was a wonderful surprise, I loved every minute.\nOutro.\n\n!!! ??? 123 ...');
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(1, 0, 1, document.lineAt(1).text.length);
    const entries = await vscode.commands.executeCommand<PredictionEntry[]>('rnnSentimentLab.analyzeSentiment');
    assert.ok(entries && entries.length === 1);
    const [entry] = entries;
    assert.equal(entry.excerpt, 'This film was a wonderful surprise, I loved every minute.');
    assert.ok(entry.prediction.probability >= 0 && entry.prediction.probability <= 1);
    assert.equal(entry.prediction.label, entry.prediction.probability >= 0.5 ? 'positive' : 'negative');
    assert.equal(entry.runId, api.lab.activeRunId);
    assert.equal(api.lab.snapshot().predictions[0].id, entry.id, 'the dashboard state has it first');
    const [label] = api.annotations.get(document, 'sentiment');
    assert.match(label.after ?? '', /^[▲▼] (positive|negative) · (\d{1,2}\.\d|over 99\.9)% sure · SimpleRNN$/);
    assert.equal(label.range.end.line, 1, 'drawn after the selection');
    assert.match((label.hover?.value ?? ''), /P\(positive\) = 0\.\d{3}/);
    assert.equal(vscode.window.activeTextEditor?.document, document, 'the editor stays active');

    // Made last-to-first, answered in document order.
    editor.selections = [new vscode.Selection(2, 0, 2, 6), new vscode.Selection(0, 0, 0, 5)];
    const several = await vscode.commands.executeCommand<PredictionEntry[]>('rnnSentimentLab.analyzeSentiment');
    assert.deepEqual(several?.map((e) => e.excerpt), ['Intro', 'Outro.']);
    const labels = [...api.annotations.get(document, 'sentiment')].sort((a, b) => a.range.start.compareTo(b.range.start));
    assert.deepEqual(labels.map((l) => l.range.start.line), [0, 1, 2], 'each selection has its own label');

    // A bare cursor: the paragraph under it; on the punctuation-only paragraph, no label.
    editor.selection = new vscode.Selection(4, 2, 4, 2);
    const [noise] = (await vscode.commands.executeCommand<PredictionEntry[]>('rnnSentimentLab.analyzeSentiment'));
    assert.equal(noise.excerpt, '!!! ??? 123 ...');
    assert.equal(noise.prediction.label, null);
    const noiseLabel = api.annotations.get(document, 'sentiment').find((l) => l.range.start.line === 4)!;
    assert.match(noiseLabel.after ?? '', /^\? no known word · SimpleRNN · paragraph$/);
    editor.selection = new vscode.Selection(1, 3, 1, 3);
    const [paragraph] = (await vscode.commands.executeCommand<PredictionEntry[]>('rnnSentimentLab.analyzeSentiment'));
    assert.equal(paragraph.excerpt, 'Intro line.\nThis film was a wonderful surprise, I loved every minute.\nOutro.');
    editor.selection = new vscode.Selection(3, 0, 3, 0);
    assert.equal(await vscode.commands.executeCommand('rnnSentimentLab.analyzeSentiment'), undefined, 'a cursor on a blank line is refused');

    // Editing the analyzed text removes its label: the answer was about the old text.
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'Very '));
    assert.equal(api.annotations.get(document, 'sentiment').some((l) => l.range.start.line === 0), false);
    assert.ok(api.annotations.get(document, 'sentiment').some((l) => l.range.start.line === 4), 'a label further down stays');
    await vscode.commands.executeCommand('rnnSentimentLab.clearSentimentLabels');
    assert.equal(api.annotations.get(document, 'sentiment').length, 0);
    await closeEditors();
  });

  it('after Analyze Sentiment each word is coloured by its attribution, with a hover; an edit or Clear Explanations removes the colours', async () => {
    // More words than the model reads (maxlen 20): the first ones are dropped; the last is no word it knows.
    const lines = ['Long ago and far away there was a story that I will now tell you about in some detail.', 'The acting was wonderful, the plot was GOOD and I loved it, zorblaxian.'];
    const document = await textDocument(lines.join('\n'));
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 1, lines[1].length);
    const [entry] = (await vscode.commands.executeCommand<PredictionEntry[]>('rnnSentimentLab.analyzeSentiment')) ?? [];
    assert.ok(entry);
    const words = await until(() => {
      const found = api.annotations.get(document, 'words');
      return found.length > 0 && [...found].sort((a, b) => a.range.start.compareTo(b.range.start));
    }, 'the explanation to be drawn');
    assert.deepEqual(words.map((w) => document.getText(w.range)), lines.join(' ').match(/[A-Za-z']+/g), 'every word, where it stands, as written');
    const word = (text: string) => words.find((w) => document.getText(w.range) === text)!;
    assert.equal(word('Long').style, 'word:dropped');
    assert.match(word('Long').hover?.value ?? '', /not read: the SimpleRNN reads only the last 20 words/);
    assert.equal(word('zorblaxian').style, 'word:oov');
    assert.match(word('zorblaxian').hover?.value ?? '', /unknown to the model/);
    const [label] = api.annotations.get(document, 'sentiment');
    assert.equal(label.hover?.value.match(/unknown to the model/g)?.length, 1, "the label's hover says once how many words are unknown");
    for (const read of ['wonderful', 'GOOD', 'loved']) {
      assert.match(word(read).style, /^word:(positive|negative)-[123]$/);
      assert.match(word(read).hover?.value ?? '', /Attribution [+−]\d\.\d{3} toward (positive|negative) \(integrated gradients\)/);
      assert.match(word(read).hover?.value ?? '', /P\(positive\) before this word 0\.\d{3}, after it 0\.\d{3}/);
    }
    assert.equal(words.filter((w) => w.style === 'word:dropped').length, words.length - 20, 'the last maxlen words are read');

    // Editing the second line: every word of the text goes, the first line's too (each attribution was about the whole old text).
    await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'Very '));
    assert.equal(api.annotations.get(document, 'words').length, 0);

    // The setting turns them off: explanations are asked in order, so the second's arrival means the first was never asked.
    await setSetting('editor.explanations', false);
    editor.selection = new vscode.Selection(0, 0, 0, lines[0].length);
    await vscode.commands.executeCommand('rnnSentimentLab.analyzeSentiment');
    await setSetting('editor.explanations', undefined);
    editor.selection = new vscode.Selection(1, 0, 1, document.lineAt(1).text.length);
    await vscode.commands.executeCommand('rnnSentimentLab.analyzeSentiment');
    await until(() => api.annotations.get(document, 'words').length > 0, 'the second explanation');
    assert.equal(api.annotations.get(document, 'words').some((w) => w.range.start.line === 0), false, 'none drawn with the setting off');

    // A line added above the text moves its words down with it; Clear Explanations removes them.
    const drawn = api.annotations.get(document, 'words').map((w) => document.getText(w.range));
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'Preface.\n'));
    assert.deepEqual(api.annotations.get(document, 'words').map((w) => [w.range.start.line, document.getText(w.range)]), drawn.map((w) => [2, w]));
    await vscode.commands.executeCommand('rnnSentimentLab.clearExplanations');
    assert.equal(api.annotations.get(document, 'words').length, 0);
    await closeEditors();
  });

  it('Analyze Document reads a whole CSV column and a Markdown file, unit by unit with their lines', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder, 'the test workspace is open');
    const csv = vscode.Uri.joinPath(folder, 'tickets.csv');
    await vscode.window.showTextDocument(csv);
    const fromEditor = await vscode.commands.executeCommand<DocumentAnalysis>('rnnSentimentLab.analyzeDocument', undefined, { choice: 'comment' });
    assert.ok(fromEditor);
    assert.deepEqual(fromEditor.units.map((u) => [u.startLine, u.endLine]), [[2, 2], [3, 4], [6, 6]], 'the quoted newline spans lines 3-4; the empty cell is skipped');
    assert.match(fromEditor.summary, /^\d+ positive · \d+ negative · mean 0\.\d\d$/);
    for (const u of fromEditor.units) assert.equal(u.label, u.probability >= 0.5 ? 'positive' : 'negative');

    // In the editor: one mark per unit on its lines, its answer in the hover, the summary as a CodeLens on the first line.
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.equal(editor.document.uri.toString(), csv.toString());
    const document = editor.document;
    const marks = () => [...api.annotations.get(document, 'document')].sort((a, b) => a.range.start.compareTo(b.range.start));
    assert.deepEqual(marks().map((m) => [m.range.start.line, m.range.end.line]), [[1, 1], [2, 3], [5, 5]], 'zero-based lines of the three units');
    assert.equal(marks()[1].range.end.character, document.lineAt(3).text.length, 'the mark covers the whole of the last line');
    for (const [i, mark] of marks().entries()) {
      const u = fromEditor.units[i];
      const lines = u.startLine === u.endLine ? `line ${u.startLine}` : `lines ${u.startLine}–${u.endLine}`;
      assert.match(mark.hover?.value ?? '', new RegExp(`^\\*\\*[▲▼] ${u.label}, (\\d{1,2}\\.\\d|over 99\\.9)% sure\\*\\* · ${lines}\n\nP\\(positive\\) = ${u.probability.toFixed(3).replace('.', '\\.')}$`));
      assert.match(mark.style, new RegExp(`^unit:${u.label}:(sure|unsure)$`));
    }
    const lensTitles = async () => ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri)) ?? []).map((l) => l.command?.title);
    assert.deepEqual(await lensTitles(), [fromEditor.summary]);
    // Editing a unit's text removes its mark (its answer was about the old text); the others stay, and the summary says so.
    await editor.edit((e) => e.insert(new vscode.Position(3, 0), 'Really '));
    assert.deepEqual(marks().map((m) => [m.range.start.line, m.range.end.line]), [[1, 1], [5, 5]]);
    assert.deepEqual(await lensTitles(), [`${fromEditor.summary} · 1 edited since`]);
    // A new line above a unit moves its mark down with its text.
    await editor.edit((e) => e.insert(new vscode.Position(4, 0), '5,"Fine",4\n'));
    assert.deepEqual(marks().map((m) => [m.range.start.line, m.range.end.line]), [[1, 1], [6, 6]]);
    await vscode.commands.executeCommand('rnnSentimentLab.clearSentimentLabels');
    assert.equal(api.annotations.get(document, 'document').length, 0, 'Clear Sentiment Labels clears the marks too');
    assert.deepEqual(await lensTitles(), []);
    // The column chosen is offered first the next time (kept in the workspace's state): accepting the quick pick's
    // first item analyzes the comments again, not the ids that head the file.
    let settled = false;
    const again = vscode.commands.executeCommand<DocumentAnalysis>('rnnSentimentLab.analyzeDocument').then((r) => ((settled = true), r));
    await until(async () => {
      if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return settled;
    }, 'the quick pick accepted');
    const second = await again;
    assert.deepEqual(second?.units.map((u) => u.text).filter((t) => /^\d+$/.test(t)), [], 'no id analyzed');
    assert.ok(second?.units.some((u) => u.text === 'Fine'), 'the comment column of the edited file');
    await vscode.commands.executeCommand('rnnSentimentLab.clearSentimentLabels');
    // From the Explorer: a file not open in an editor.
    const md = await vscode.commands.executeCommand<DocumentAnalysis>('rnnSentimentLab.analyzeDocument', vscode.Uri.joinPath(folder, 'notes.md'), { unit: 'paragraph' });
    assert.deepEqual(md?.units.map((u) => u.startLine), [5, 7, 9, 16], 'front matter and the code block are skipped');
    await closeEditors();
  });

  it('a long selection is analyzed from its last maxlen words', async () => {
    const words = Array.from({ length: 60 }, (_, i) => (i % 2 ? 'great' : 'film')).join(' ');
    const document = await textDocument(words);
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 0, words.length);
    const [entry] = (await vscode.commands.executeCommand<PredictionEntry[]>('rnnSentimentLab.analyzeSentiment'));
    assert.equal(entry.prediction.truncated, true);
    assert.equal(entry.prediction.tokenCount, 60);
    assert.equal(entry.maxlen, TINY.maxlen);
    await closeEditors();
  });

  it('settings take effect: the runs folder and the hyperparameters', async () => {
    const other = await mkdtemp(path.join(os.tmpdir(), 'rsl-other-runs-'));
    await setSetting('runsFolder', other);
    await until(() => api.lab.snapshot().runs.length === 0, 'the empty runs folder to be listed');
    await setSetting('runsFolder', runsDir);
    await until(() => api.lab.snapshot().runs.length > 0, 'the first runs folder to be listed again');

    await setSetting('training.epochs', 2);
    const result = await vscode.commands.executeCommand<TrainResult>('rnnSentimentLab.trainModel', { preset: 'simple-rnn', hyperparameters: { maxlen: 20, batchSize: 64 } });
    assert.equal(result?.record.hyperparameters.epochs, 2);
    assert.equal(result?.record.history.epochs.length, 2);
    await setSetting('training.epochs', undefined);
  });

  it('a workspace\'s settings file cannot move the runs folder; its training settings count in a trusted workspace', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the suite runs in a workspace folder');
    assert.equal(vscode.workspace.isTrusted, true, 'the test VS Code trusts its workspace');
    const dotVscode = path.join(folder, '.vscode');
    await mkdir(dotVscode, { recursive: true });
    const configuration = () => vscode.workspace.getConfiguration('rnnSentimentLab');
    try {
      await writeFile(path.join(dotVscode, 'settings.json'), JSON.stringify({ 'rnnSentimentLab.runsFolder': os.homedir(), 'rnnSentimentLab.data.source': '/etc', 'rnnSentimentLab.training.epochs': 7 }));
      await until(() => configuration().inspect('training.epochs')?.workspaceValue === 7, 'VS Code to read the workspace settings file');
      assert.equal(api.settings().overrides.epochs, 7);
      assert.equal(api.settings().runsDir, runsDir, 'the runs folder stays the user\'s');
      assert.equal(api.settings().dataSource, await imdbArchive(), 'the data source stays the user\'s');
    } finally {
      await rm(dotVscode, { recursive: true, force: true });
    }
    await until(() => configuration().inspect('training.epochs')?.workspaceValue === undefined, 'the workspace settings to be gone');
  });

  it('Cancel Training keeps the last finished epoch; a second training is refused meanwhile', async () => {
    const training = vscode.commands.executeCommand<TrainResult>('rnnSentimentLab.trainModel', { preset: 'simple-rnn', hyperparameters: { maxlen: 20, epochs: 30, batchSize: 16 } });
    await until(() => (api.lab.trainingState?.epochs.length ?? 0) >= 1, 'the first epoch', 120_000);
    const runsBefore = api.lab.snapshot().runs.length;
    const second = await vscode.commands.executeCommand('rnnSentimentLab.trainModel', { preset: 'lstm', hyperparameters: TINY });
    assert.equal(second, undefined, 'the second request did not start a training');
    assert.equal(api.lab.trainingState?.preset, 'simple-rnn', 'the first training still runs');
    assert.equal(await vscode.commands.executeCommand('rnnSentimentLab.cancelTraining'), true);
    const result = await training;
    assert.equal(result?.cancelled, true);
    assert.equal(result?.record.status, 'cancelled');
    assert.ok(result.record.epochsCompleted >= 1 && result.record.epochsCompleted < 30);
    assert.equal(api.lab.snapshot().runs.length, runsBefore + 1);
    assert.equal(await vscode.commands.executeCommand('rnnSentimentLab.cancelTraining'), false, 'nothing left to cancel');
  });

  it('Resume Training continues a cancelled run in its own folder to its last epoch', async () => {
    const training = vscode.commands.executeCommand<TrainResult>('rnnSentimentLab.trainModel', { preset: 'simple-rnn', hyperparameters: { maxlen: 20, epochs: 3, batchSize: 16 } });
    await until(() => (api.lab.trainingState?.epochs.length ?? 0) >= 1, 'the first epoch', 120_000);
    assert.equal(await vscode.commands.executeCommand('rnnSentimentLab.cancelTraining'), true);
    const cancelled = await training;
    assert.equal(cancelled?.record.status, 'cancelled');
    const id = cancelled.record.id;
    const kept = cancelled.record.epochsCompleted;
    assert.ok(api.lab.resumableRuns().some((r) => r.record.id === id), 'the cancelled run is offered for resuming');

    const resumed = await vscode.commands.executeCommand<TrainResult>('rnnSentimentLab.resumeTraining', id);
    assert.equal(resumed?.record.id, id);
    assert.equal(resumed?.runDir, cancelled.runDir);
    assert.equal(resumed?.record.status, 'complete');
    assert.deepEqual(resumed?.record.history.epochs.map((e) => e.epoch), [1, 2, 3]);
    assert.ok(kept < 3);
    assert.equal(api.lab.snapshot().runs.filter((r) => r.id === id).length, 1, 'listed once');
    assert.equal(await vscode.commands.executeCommand('rnnSentimentLab.resumeTraining', id), undefined, 'a complete run is not resumed again');
  });

  it('a corrupt run folder is listed as corrupt, and Select Active Model works by id', async () => {
    const broken = path.join(runsDir, 'broken-run');
    await mkdir(broken, { recursive: true });
    await writeFile(path.join(broken, 'run.json'), '{ truncated');
    await api.lab.refreshRuns();
    const corrupt = api.lab.snapshot().runs.find((r) => r.id === 'broken-run');
    assert.ok(corrupt && !corrupt.ok);
    assert.ok(corrupt.problems.some((p) => p.includes('run.json is not valid JSON')));

    const ok = api.lab.snapshot().runs.filter((r) => r.ok);
    const target = ok[ok.length - 1].id;
    assert.equal(await vscode.commands.executeCommand('rnnSentimentLab.selectActiveModel', target), target);
    assert.equal(api.lab.activeRunId, target);
  });

  it('Export Model to Keras writes the .h5 and its companions; Import Keras Model brings it back as the active model', async () => {
    const run = api.lab.snapshot().runs.find((r) => r.ok && r.record.status === 'complete');
    assert.ok(run, 'a trained run to export');
    const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'rsl-keras-export-')), 'model.h5');
    const files = await vscode.commands.executeCommand<{ model: string; wordIndex: string; script: string }>('rnnSentimentLab.exportKerasModel', run.id, out);
    assert.equal(files?.model, out);
    assert.ok(Object.keys(JSON.parse(await readFile(files.wordIndex, 'utf8')) as object).length > 0);
    const imported = await vscode.commands.executeCommand<TrainResult>('rnnSentimentLab.importKerasModel', { file: out, wordIndex: { file: files.wordIndex } });
    assert.equal(imported?.record.origin?.kind, 'keras');
    assert.equal(api.lab.activeRunId, imported.record.id);
    const listed = api.lab.snapshot().runs.find((r) => r.id === imported.record.id);
    assert.ok(listed?.ok && listed.record.origin);
    const [entry] = await api.lab.predict(['A wonderful, moving film.'], { source: 'dashboard' });
    assert.equal(entry.runId, imported.record.id);
    assert.ok(entry.prediction.probability > 0 && entry.prediction.probability < 1);
    const refused = await vscode.commands.executeCommand('rnnSentimentLab.importKerasModel', { file: files.wordIndex, wordIndex: { file: files.wordIndex } });
    assert.equal(refused, undefined, 'a file that is not a Keras model is refused with a message');
  });

  it('Open Dashboard opens the editor panel', async () => {
    await vscode.commands.executeCommand('rnnSentimentLab.openDashboard');
    await until(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.label === 'RNN Sentiment Lab'), 'the dashboard tab');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
