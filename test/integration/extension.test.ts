/**
 * Inside a real VS Code (code-server's workbench here, Electron VS Code via
 * `npm run test:desktop` elsewhere): the extension as the editor loads it,
 * its commands run through the real command service, real editors,
 * real settings and the real worker thread training on the shared corpus.
 */
import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { TrainResult, PredictionEntry } from '../../src/protocol';

const EXTENSION_ID = 'rnn-sentiment-lab.rnn-sentiment-lab';
const COMMANDS = ['trainModel', 'analyzeSentiment', 'openDashboard', 'cancelTraining', 'evaluateModel', 'selectActiveModel', 'deleteModel'].map((c) => `rnnSentimentLab.${c}`);
/** The harness says where the shared corpus is; the repository layout is the fallback. */
const SHARED_ARCHIVE = process.env.RSL_TEST_ARCHIVE ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets', 'aclImdb_v1-labeled.tar.gz');
const TINY = { maxlen: 20, epochs: 1, batchSize: 32 };

async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('rnnSentimentLab').update(key, value, vscode.ConfigurationTarget.Global);
}

/** Closes the editors the test opened, discarding their (untitled) text: a save prompt would block the run. */
async function closeEditors(): Promise<void> {
  while (vscode.window.activeTextEditor) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

async function until<T>(condition: () => T | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = condition();
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
    await setSetting('data.source', SHARED_ARCHIVE);
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

  it('Analyze Sentiment reads a real selection in a real editor and answers with the active model', async () => {
    const document = await vscode.workspace.openTextDocument({ content: 'Intro line.\nThis film was a wonderful surprise, I loved every minute.\nOutro.', language: 'plaintext' });
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

    editor.selections = [new vscode.Selection(0, 0, 0, 5), new vscode.Selection(2, 0, 2, 6)];
    const several = await vscode.commands.executeCommand<PredictionEntry[]>('rnnSentimentLab.analyzeSentiment');
    assert.deepEqual(several?.map((e) => e.excerpt), ['Intro', 'Outro.']);

    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(await vscode.commands.executeCommand('rnnSentimentLab.analyzeSentiment'), undefined, 'an empty selection is refused');
    await closeEditors();
  });

  it('a long selection is analysed from its last maxlen words', async () => {
    const words = Array.from({ length: 60 }, (_, i) => (i % 2 ? 'great' : 'film')).join(' ');
    const document = await vscode.workspace.openTextDocument({ content: words });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 0, words.length);
    const [entry] = (await vscode.commands.executeCommand<PredictionEntry[]>('rnnSentimentLab.analyzeSentiment'))!;
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
      assert.equal(api.settings().dataSource, SHARED_ARCHIVE, 'the data source stays the user\'s');
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
    assert.ok(result!.record.epochsCompleted >= 1 && result!.record.epochsCompleted < 30);
    assert.equal(api.lab.snapshot().runs.length, runsBefore + 1);
    assert.equal(await vscode.commands.executeCommand('rnnSentimentLab.cancelTraining'), false, 'nothing left to cancel');
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

  it('Open Dashboard opens the editor panel', async () => {
    await vscode.commands.executeCommand('rnnSentimentLab.openDashboard');
    await until(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.label === 'RNN Sentiment Lab'), 'the dashboard tab');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
