/**
 * Figures for the extension's budgets, measured inside a real VS Code by
 * scripts/bench-extension.mjs (not part of `npm test`: timings depend on the
 * machine's load). Writes them as JSON to $RSL_BENCH_OUT.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { PredictionEntry, TrainResult } from '../../src/protocol';
import { imdbArchive } from '../corpus';

const figures: Record<string, unknown> = {};

const median = (values: number[]) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Until Analyze Sentiment's word coloring is in the editor (the explanation arrived), with a deadline. */
async function wordsDrawn(api: ExtensionApi, document: vscode.TextDocument): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (api.annotations.get(document, 'words').length === 0) {
    if (Date.now() > deadline) throw new Error('the analysis was never explained in the editor (no word coloring within 2 minutes)');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('budgets', function () {
  this.timeout(900_000);
  let api: ExtensionApi;

  it('activation', async () => {
    const extension = vscode.extensions.getExtension<ExtensionApi>('rnn-sentiment-lab.rnn-sentiment-lab')!;
    const started = performance.now();
    api = await extension.activate();
    figures.activationMs = performance.now() - started;
    figures.activateFunctionMs = api.activationMs;
    figures.tensorflowLoadedByActivation = Object.keys(require.cache).some((f) => f.includes('@tensorflow'));
  });

  it('event loop during a training, and Analyze Sentiment on 500 tokens per preset', async () => {
    const config = vscode.workspace.getConfiguration('rnnSentimentLab');
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'rsl-bench-'));
    await config.update('data.source', await imdbArchive(), vscode.ConfigurationTarget.Global);
    await config.update('cacheFolder', process.env.RSL_TEST_CACHE ?? path.join(scratch, 'cache'), vscode.ConfigurationTarget.Global);
    await config.update('runsFolder', path.join(scratch, 'runs'), vscode.ConfigurationTarget.Global);
    await config.update('training.limit', 2000, vscode.ConfigurationTarget.Global);
    await config.update('evaluateAfterTraining', false, vscode.ConfigurationTarget.Global);
    const words = Array.from({ length: 500 }, (_, i) => ['a', 'truly', 'great', 'film', 'with', 'awful', 'acting', 'and', 'a', 'wonderful', 'plot'][i % 11]).join(' ');
    const document = await vscode.workspace.openTextDocument({ content: words });
    const analyze: Record<string, number> = {};
    const analyzeBackToBack: Record<string, number> = {};
    const explained: Record<string, number> = {};
    const loop: Record<string, number> = {};
    for (const preset of ['simple-rnn', 'lstm', 'bilstm']) {
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const result = await vscode.commands.executeCommand<TrainResult>('rnnSentimentLab.trainModel', { preset, hyperparameters: { epochs: 1, maxlen: 500 } });
      delay.disable();
      loop[preset] = delay.max / 1e6;
      if (!result) throw new Error(`training ${preset} failed`);
      const editor = await vscode.window.showTextDocument(document);
      editor.selection = new vscode.Selection(0, 0, 0, words.length);
      // warm: loads the model for predictions, then for explanations
      api.annotations.set(document, 'words', []);
      await vscode.commands.executeCommand<PredictionEntry[]>('rnnSentimentLab.analyzeSentiment');
      await wordsDrawn(api, document);
      // Command start to result (the label is drawn before the command returns), each analysis on a
      // quiet machine: the previous one's explanation drawn first. Then when the words are colored.
      const times: number[] = [];
      const colored: number[] = [];
      for (let i = 0; i < 5; i++) {
        api.annotations.set(document, 'words', []);
        const started = performance.now();
        await vscode.commands.executeCommand<PredictionEntry[]>('rnnSentimentLab.analyzeSentiment');
        times.push(performance.now() - started);
        await wordsDrawn(api, document);
        colored.push(performance.now() - started);
      }
      analyze[preset] = median(times);
      explained[preset] = median(colored);
      // The same, one analysis right after the other: each starts while the one before is explained.
      const backToBack: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await vscode.commands.executeCommand<PredictionEntry[]>('rnnSentimentLab.analyzeSentiment');
        backToBack.push(performance.now() - started);
      }
      analyzeBackToBack[preset] = median(backToBack);
      await wordsDrawn(api, document);
      figures.backend = result.record.backend;
      figures.recurrentImplementation = result.record.recurrentImplementation;
    }
    figures.analyzeMedianMs = analyze;
    figures.analyzeBackToBackMedianMs = analyzeBackToBack;
    figures.explainedMedianMs = explained;

    // Analyze Sentiment while an LSTM trains: predictions have a worker thread of their own.
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 0, words.length);
    const training = vscode.commands.executeCommand<TrainResult>('rnnSentimentLab.trainModel', { preset: 'lstm', hyperparameters: { epochs: 3, maxlen: 500 }, activate: false });
    const deadline = Date.now() + 300_000;
    while (!api.lab.trainingState?.batches.length) {
      if (Date.now() > deadline) throw new Error('the training never reported a batch');
      await new Promise((r) => setTimeout(r, 100));
    }
    const during: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await vscode.commands.executeCommand<PredictionEntry[]>('rnnSentimentLab.analyzeSentiment');
      during.push(performance.now() - started);
    }
    const stillTraining = Boolean(api.lab.trainingState);
    api.lab.cancelTraining();
    await training;
    if (!stillTraining) throw new Error('the training ended before the five analyses: the figure would not be "during a training"');
    figures.analyzeDuringTrainingMedianMs = median(during);
    figures.eventLoopMaxDelayMsDuringTraining = loop;
    figures.extensionHostNode = process.version;
    figures.vscodeVersion = vscode.version;
    writeFileSync(process.env.RSL_BENCH_OUT!, JSON.stringify(figures, null, 1));
  });
});
