/**
 * Analyze Sentiment: the answer of the active model for each selection (or,
 * for a bare cursor, the paragraph under it), shown where the text is: a
 * label after it ("▼ negative · 99.6% sure · LSTM") with the details in its
 * hover, and in the status bar. The editor keeps focus; a visible dashboard
 * updates, but nothing is brought to the front or reopened. A notification
 * is optional (`analyze.notification`). The model reads only the last
 * `maxlen` words, and the hover says so when that happens.
 */
import * as vscode from 'vscode';
import { formatCount } from '../core/format';
import { PRESETS } from '../core/presets';
import { formatPositiveProbability, formatVerdict, plural, readingNotes, verdictSymbol } from '../core/verdict';
import type { Annotation, AnnotationStyle } from '../editor/annotations';
import { analysisTargets, type AnalysisTarget } from '../editor/targets';
import { wordAnnotations } from '../editor/word-annotations';
import type { Explanation } from '../core/explain/types';
import type { PredictionEntry } from '../protocol';
import type { CommandContext } from './context';
import { COMMANDS } from './ids';
import { reportError } from './errors';
import { describeReliability } from '../core/reliability';

/** More text than this is never sent: the model reads the last few hundred words anyway. */
export const MAX_ANALYZED_CHARACTERS = 1_000_000;

export interface AnalyzeArgs {
  /** Texts to analyze instead of the editor's selections (nothing is drawn in an editor then). */
  texts?: string[];
}

export async function analyzeSentiment(ctx: CommandContext, args?: AnalyzeArgs): Promise<PredictionEntry[] | undefined> {
  const editor = args?.texts ? undefined : vscode.window.activeTextEditor;
  if (!args?.texts && !editor) {
    void vscode.window.showWarningMessage('Analyze Sentiment works in a text editor: open a file, then select text or put the cursor in a paragraph.');
    return undefined;
  }
  const targets = editor ? analysisTargets(documentLines(editor.document), editor.selections) : undefined;
  const texts = targets ? targets.map((t) => t.text) : (args?.texts ?? []).filter((t) => t.trim() !== '');
  if (texts.length === 0) {
    void vscode.window.showWarningMessage('Nothing to analyze: select some text, or put the cursor in a paragraph (not on a blank line).');
    return undefined;
  }
  if (!ctx.lab.activeRun()) {
    offerAModel(ctx);
    return undefined;
  }
  const clipped = texts.map((t) => (t.length > MAX_ANALYZED_CHARACTERS ? t.slice(-MAX_ANALYZED_CHARACTERS) : t));
  // Shown until the answer replaces it: the first analysis loads the model, which takes a moment.
  if (editor && targets) ctx.annotations.merge(editor.document, 'sentiment', targets.map((t) => pendingLabel(t)));
  let entries: PredictionEntry[];
  try {
    entries = await ctx.lab.predict(clipped, { source: 'editor' });
  } catch (error) {
    if (editor && targets) ctx.annotations.set(editor.document, 'sentiment', ctx.annotations.get(editor.document, 'sentiment').filter((a) => a.style !== 'pending'));
    reportError('Analyze Sentiment', error);
    return undefined;
  }
  if (editor && targets) ctx.annotations.merge(editor.document, 'sentiment', entries.map((e, i) => label(e, targets[i], texts[i])));
  // Asked for only now: the label is drawn, and the explanation's extra passes must not delay it.
  if (editor && targets && ctx.settings().editorExplanations) {
    entries.forEach((e, i) => void explainInEditor(ctx, editor.document, e, targets[i], clipped[i], texts[i].length - clipped[i].length));
  }
  ctx.showResultInStatusBar(statusText(entries), `${modelName(entries[0])}: ${entries.map((e) => formatVerdict(e.prediction)).join('; ')}`);
  // A dashboard that is open shows the answers; one that is not is left alone.
  ctx.lab.reveal('predictions', { predictionId: entries[0].id });
  if (ctx.settings().notifyAnalysis) void notify(ctx, entries, targets);
  return entries;
}

/**
 * Colours the words of one analyzed text by their attributions. Dropped when
 * the document changed meanwhile (the words may no longer be where they were).
 */
async function explainInEditor(ctx: CommandContext, document: vscode.TextDocument, entry: PredictionEntry, target: AnalysisTarget, text: string, clippedFront: number): Promise<void> {
  const version = document.version;
  let explanation: Explanation;
  try {
    explanation = await ctx.lab.explain(entry.id, 'ig');
  } catch (error) {
    ctx.log.info(`Explaining the analysis failed: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (document.isClosed || document.version !== version) return;
  const base = document.offsetAt(range(target).start) + clippedFront;
  const words = wordAnnotations(explanation, text, (offset) => document.positionAt(base + offset));
  const where = range(target);
  const kept = ctx.annotations.get(document, 'words').filter((a) => where.intersection(a.range) === undefined);
  ctx.annotations.set(document, 'words', [...kept, ...words]);
}

function documentLines(document: vscode.TextDocument) {
  return {
    lineCount: document.lineCount,
    lineText: (line: number) => document.lineAt(line).text,
    textBetween: (start: vscode.Position | { line: number; character: number }, end: vscode.Position | { line: number; character: number }) =>
      document.getText(new vscode.Range(start.line, start.character, end.line, end.character)),
  };
}

function offerAModel(ctx: CommandContext): void {
  const runs = ctx.lab.runListings.filter((r) => r.ok).length;
  if (runs > 0) {
    void vscode.window.showInformationMessage(`There is no active model: choose one of the ${plural(runs, 'trained run')} to analyze sentiment.`, 'Select Active Model').then((choice) => {
      if (choice) void vscode.commands.executeCommand(COMMANDS.selectActiveModel);
    });
    return;
  }
  void vscode.window.showInformationMessage('There is no trained model yet. Train one (a few minutes for a short run) to analyze sentiment.', 'Train Model').then((choice) => {
    if (choice) void vscode.commands.executeCommand(COMMANDS.trainModel);
  });
}

function modelName(entry: PredictionEntry): string {
  return `${PRESETS[entry.preset].title} run ${entry.runId}`;
}

function range(target: AnalysisTarget): vscode.Range {
  return new vscode.Range(target.start.line, target.start.character, target.end.line, target.end.character);
}

function pendingLabel(target: AnalysisTarget): Annotation {
  return { range: range(target), style: 'pending', after: '⋯ analyzing…' };
}

/** The inline label after the text, and its hover with the details. */
function label(entry: PredictionEntry, target: AnalysisTarget, original: string): Annotation {
  const p = entry.prediction;
  const style: AnnotationStyle = p.label ?? 'unknown';
  const where = target.kind === 'paragraph' ? ' · paragraph' : '';
  const after = `${verdictSymbol(p.label)} ${formatVerdict(p).replace(', ', ' · ')} · ${PRESETS[entry.preset].title}${where}`;
  const notes = readingNotes(p);
  if (p.reliability) notes.push(describeReliability(p.reliability));
  if (original.length > MAX_ANALYZED_CHARACTERS) notes.unshift(`the text has ${formatCount(original.length)} characters; its last ${formatCount(MAX_ANALYZED_CHARACTERS)} were sent`);
  const hover = new vscode.MarkdownString(undefined, true);
  hover.appendMarkdown(`**${verdictSymbol(p.label)} ${capitalize(formatVerdict(p))}**`);
  if (target.kind === 'paragraph') hover.appendMarkdown(' — the paragraph under the cursor');
  hover.appendMarkdown('\n\n');
  hover.appendMarkdown(`${formatPositiveProbability(p.probability)} (0.5 and above reads as positive)  \n`);
  // The unknown words, if any, are one of the notes below: said once.
  hover.appendMarkdown(`Read ${plural(p.wordsRead ?? p.tokenCount, 'word')}${p.oovCount === 0 ? ', all known to the model' : ''}  \n`);
  for (const note of notes) hover.appendMarkdown(`${capitalize(note)}.  \n`);
  hover.appendText(`${modelName(entry)} on ${entry.backend}, ${Math.round(entry.milliseconds)} ms`);
  hover.appendMarkdown(`\n\n[Show in Dashboard](command:${COMMANDS.openDashboard})`);
  hover.isTrusted = { enabledCommands: [COMMANDS.openDashboard] };
  return { range: range(target), style, hover, after };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function statusText(entries: PredictionEntry[]): string {
  if (entries.length === 1) {
    const p = entries[0].prediction;
    const icon = p.label === 'positive' ? '$(thumbsup)' : p.label === 'negative' ? '$(thumbsdown)' : '$(question)';
    return `${icon} ${formatVerdict(p)}`;
  }
  const positive = entries.filter((e) => e.prediction.label === 'positive').length;
  const negative = entries.filter((e) => e.prediction.label === 'negative').length;
  const unknown = entries.length - positive - negative;
  return `$(list-ordered) ${positive} positive, ${negative} negative${unknown ? `, ${unknown} without a known word` : ''}`;
}

/** The optional notification: one line per text, in document order, and a way to the dashboard. */
async function notify(ctx: CommandContext, entries: PredictionEntry[], targets: AnalysisTarget[] | undefined): Promise<void> {
  const line = (e: PredictionEntry, i: number) => {
    const notes = readingNotes(e.prediction);
    const what = targets?.[i].kind === 'paragraph' ? 'the paragraph: ' : '';
    return `${what}${capitalize(formatVerdict(e.prediction))}${notes.length ? ` (${notes.join('; ')})` : ''}`;
  };
  const message =
    entries.length === 1
      ? `${line(entries[0], 0)}, by the ${modelName(entries[0])}.`
      : `${entries.length} texts, in document order: ${entries.map((e, i) => `${i + 1}. ${line(e, i)}`).join('; ')}. By the ${modelName(entries[0])}.`;
  const choice = await vscode.window.showInformationMessage(message, 'Show in Dashboard');
  if (choice) {
    await vscode.commands.executeCommand(COMMANDS.openDashboard);
    ctx.lab.reveal('predictions', { predictionId: entries[0].id });
  }
}
