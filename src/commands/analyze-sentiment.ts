/**
 * Analyze Sentiment: the label and probability of each selection, from the
 * active model, shown at once (notification and status bar) and in the
 * dashboard. The model reads only the last `maxlen - 1` words (Keras'
 * pad_sequences truncates at the front), and says so when that happens.
 */
import * as vscode from 'vscode';
import { formatCount } from '../core/format';
import { PRESETS } from '../core/presets';
import type { PredictionEntry } from '../protocol';
import type { CommandContext } from './context';
import { COMMANDS } from './ids';
import { reportError } from './errors';
import { describeReliability } from '../core/reliability';

/** More text than this is never sent: the model reads the last few hundred words anyway. */
export const MAX_ANALYZED_CHARACTERS = 1_000_000;

export interface AnalyzeArgs {
  /** Texts to analyse instead of the editor's selections. */
  texts?: string[];
}

export async function analyzeSentiment(ctx: CommandContext, args?: AnalyzeArgs): Promise<PredictionEntry[] | undefined> {
  const texts = args?.texts ?? selectedTexts();
  if (texts === undefined) {
    void vscode.window.showWarningMessage('Analyze Sentiment works on the selection of a text editor: open a file and select some text.');
    return undefined;
  }
  const nonEmpty = texts.filter((t) => t.trim() !== '');
  if (nonEmpty.length === 0) {
    void vscode.window.showWarningMessage('Nothing to analyse: the selection is empty or only whitespace. Select a sentence or a review first.');
    return undefined;
  }
  if (!ctx.lab.activeRun()) {
    void vscode.window.showInformationMessage('There is no trained model yet. Train one (a few minutes for a short run) to analyse sentiment.', 'Train Model').then((choice) => {
      if (choice) void vscode.commands.executeCommand(COMMANDS.trainModel);
    });
    return undefined;
  }
  const clipped = nonEmpty.map((t) => (t.length > MAX_ANALYZED_CHARACTERS ? t.slice(-MAX_ANALYZED_CHARACTERS) : t));
  let entries: PredictionEntry[];
  try {
    entries = await ctx.lab.predict(clipped, { source: 'editor' });
  } catch (error) {
    reportError('Analyze Sentiment', error);
    return undefined;
  }
  void show(ctx, entries, nonEmpty);
  return entries;
}

function selectedTexts(): string[] | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  return editor.selections.map((s) => editor.document.getText(s));
}

function describe(entry: PredictionEntry, original: string): string {
  const p = entry.prediction;
  const label = p.label === 'positive' ? 'Positive' : 'Negative';
  const notes: string[] = [];
  if (original.length > MAX_ANALYZED_CHARACTERS) notes.push(`the selection has ${formatCount(original.length)} characters; its last ${formatCount(MAX_ANALYZED_CHARACTERS)} were sent`);
  if (p.truncated) notes.push(`only its last ${formatCount(entry.maxlen - 1)} of ${formatCount(p.tokenCount)} words were read`);
  if (p.reliability) notes.push(describeReliability(p.reliability));
  return `${label} (${p.probability.toFixed(3)})${notes.length ? ` — ${notes.join('; ')}` : ''}`;
}

async function show(ctx: CommandContext, entries: PredictionEntry[], originals: string[]): Promise<void> {
  const model = `${PRESETS[entries[0].preset].title} model ${entries[0].runId}`;
  const first = entries[0].prediction;
  ctx.showResultInStatusBar(
    entries.length === 1 ? `${first.label === 'positive' ? '$(thumbsup)' : '$(thumbsdown)'} ${first.label} ${first.probability.toFixed(2)}` : `$(list-unordered) ${entries.filter((e) => e.prediction.label === 'positive').length}/${entries.length} positive`,
    `${model}, ${entries[0].backend}`,
  );
  await ctx.revealDashboard();
  ctx.lab.reveal('predictions', { predictionId: entries[0].id });
  const message =
    entries.length === 1
      ? `${describe(entries[0], originals[0])}, by the ${model}.`
      : `${entries.length} selections: ${entries.map((e, i) => `${i + 1}. ${describe(e, originals[i])}`).join('; ')}. By the ${model}.`;
  void vscode.window.showInformationMessage(message);
}
