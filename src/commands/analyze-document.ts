/**
 * Analyze Document: the active model over a whole file (or the selection),
 * split into units (paragraphs or lines of text and Markdown, one column of
 * a CSV/TSV, one field of a JSONL), with progress and Cancel; the summary
 * "62 positive · 38 negative · mean 0.58" in the status bar and a message
 * that offers the results as CSV or JSON. In a document open in an editor,
 * each unit's lines get a mark (gutter shape and bar, by label and
 * confidence) with the answer in its hover, and the summary a CodeLens on
 * the first line; the marks go as their text is edited.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { exportUnits, summariseUnits, type AnalysedUnit, type ExportFormat } from '../core/document/export';
import { readDocumentFile } from '../core/document/read';
import { formatCount } from '../core/format';
import { documentChoices, formatOfFile, splitDocument, type DocumentFormat, type UnitKind } from '../core/document/units';
import { formatPositiveProbability, formatVerdict, verdictSymbol } from '../core/verdict';
import { unitStyle, type Annotation } from '../editor/annotations';
import { errorCode } from '../rpc';
import type { CommandContext } from './context';
import { reportError } from './errors';
import { COMMANDS } from './ids';

export interface AnalyzeDocumentArgs {
  /** Skip the questions (tests, other commands): the unit of text files, the column or field of tables. */
  unit?: UnitKind;
  choice?: string;
}

export interface DocumentAnalysis {
  uri: string;
  units: AnalysedUnit[];
  summary: string;
}

export async function analyzeDocument(ctx: CommandContext, target?: vscode.Uri, args: AnalyzeDocumentArgs = {}): Promise<DocumentAnalysis | undefined> {
  const source = await documentSource(target);
  if (!source) {
    void vscode.window.showWarningMessage('Analyze Document works on a file: open a .txt, .md, .csv, .tsv or .jsonl file, or pick one in the Explorer.');
    return undefined;
  }
  if (!ctx.lab.activeRun()) {
    void vscode.window.showInformationMessage('There is no trained model yet. Train one to analyze documents.', 'Train Model').then((choice) => {
      if (choice) void vscode.commands.executeCommand(COMMANDS.trainModel);
    });
    return undefined;
  }
  const name = path.basename(source.uri.fsPath);
  const format = formatOfFile(name);
  let units;
  try {
    const options = await askHowToSplit(ctx, source.text, format, name, args);
    if (!options) return undefined;
    units = splitDocument(source.text, { format, name, ...options }).units.map((u) => ({ ...u, startLine: u.startLine + source.lineOffset, endLine: u.endLine + source.lineOffset }));
  } catch (error) {
    reportError('Analyze Document', error);
    return undefined;
  }
  if (units.length === 0) {
    void vscode.window.showWarningMessage(`${name} has no text to analyze.`);
    return undefined;
  }
  const analyzed = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Analysing ${name}`, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      try {
        const result = await ctx.lab.predictMany(
          units.map((u) => u.text),
          {
            signal: controller.signal,
            onProgress: (done, total) => {
              const increment = (done / total) * 100 - reported;
              reported += increment;
              progress.report({ increment, message: `${formatCount(done)}/${formatCount(total)} units` });
            },
          },
        );
        return units.map((u, i): AnalysedUnit => ({ ...u, probability: result.predictions[i].probability, label: result.predictions[i].label }));
      } catch (error) {
        if (errorCode(error) === 'cancelled') void vscode.window.showInformationMessage(`Analysis of ${name} cancelled.`);
        else reportError('Analyze Document', error);
        return undefined;
      }
    },
  );
  if (!analyzed) return undefined;
  const summary = summariseUnits(analyzed).text;
  markUnits(ctx, source.uri, analyzed, summary);
  ctx.showResultInStatusBar(`$(comment-discussion) ${summary}`, `${name}: ${analyzed.length} units analyzed`);
  ctx.lab.showDocument({ uri: source.uri.toString(), name, summary, units: analyzed });
  void ctx.revealDashboard();
  void vscode.window.showInformationMessage(`${name}: ${summary}`, 'Export CSV', 'Export JSON').then(async (choice) => {
    if (choice) await exportDocument(ctx, choice === 'Export CSV' ? 'csv' : 'json');
  });
  return { uri: source.uri.toString(), units: analyzed, summary };
}

/** Marks each unit in the document, if it is open (a file analyzed from the Explorer and not open has nothing to mark). */
function markUnits(ctx: CommandContext, uri: vscode.Uri, units: readonly AnalysedUnit[], summary: string): void {
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (!document) return;
  const marks = units.map((u): Annotation => {
    const last = Math.min(u.endLine, document.lineCount) - 1;
    const lines = u.startLine === u.endLine ? `line ${u.startLine}` : `lines ${u.startLine}–${u.endLine}`;
    const hover = new vscode.MarkdownString();
    hover.appendMarkdown(`**${verdictSymbol(u.label)} ${formatVerdict(u)}** · ${lines}\n\n${formatPositiveProbability(u.probability)}`);
    return { range: new vscode.Range(u.startLine - 1, 0, last, document.lineAt(last).text.length), style: unitStyle(u.label, u.probability), hover };
  });
  ctx.annotations.set(document, 'document', marks, { title: summary, command: COMMANDS.openDashboard, tooltip: 'Show the units in the dashboard' });
}

/** The Explorer's file, or the active editor's text (its selection when there is one, with the lines it starts at). */
async function documentSource(target: vscode.Uri | undefined): Promise<{ uri: vscode.Uri; text: string; lineOffset: number } | undefined> {
  if (target) {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
    return { uri: target, text: open ? open.getText() : await readDocumentFile(target.fsPath), lineOffset: 0 };
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const selection = editor.selection;
  if (!selection.isEmpty) return { uri: editor.document.uri, text: editor.document.getText(selection), lineOffset: selection.start.line };
  return { uri: editor.document.uri, text: editor.document.getText(), lineOffset: 0 };
}

/** Which unit, column or field: asked with the last choice offered first (tests and other commands pass it in `args`). */
async function askHowToSplit(
  ctx: CommandContext,
  text: string,
  format: DocumentFormat,
  name: string,
  args: AnalyzeDocumentArgs,
): Promise<{ unit?: UnitKind; column?: string; field?: string } | undefined> {
  if (format === 'csv' || format === 'tsv' || format === 'jsonl') {
    const choices = documentChoices(text, format, name);
    const last = ctx.documentChoices.lastColumn(format, choices);
    const picked =
      args.choice ??
      (await vscode.window.showQuickPick(last ? [last, ...choices.filter((c) => c !== last)] : choices, {
        title: `Analyze Document: ${name}`,
        placeHolder: format === 'jsonl' ? 'Which field holds the text?' : 'Which column holds the text?',
      }));
    if (!picked) return undefined;
    await ctx.documentChoices.rememberColumn(format, choices, picked);
    return format === 'jsonl' ? { field: picked } : { column: picked };
  }
  const kinds: Array<{ label: string; unit: UnitKind }> = [
    { label: 'Paragraphs', unit: 'paragraph' },
    { label: 'Lines', unit: 'line' },
  ];
  const ordered = ctx.documentChoices.lastUnit() === 'line' ? [...kinds].reverse() : kinds;
  const unit = args.unit ?? (await vscode.window.showQuickPick(ordered, { title: `Analyze Document: ${name}`, placeHolder: 'Analyze by paragraph or by line?' }))?.unit;
  if (!unit) return undefined;
  await ctx.documentChoices.rememberUnit(unit);
  return { unit };
}

/** Shows a line of the last analyzed document (a click in the Document view). */
export async function revealDocumentLine(ctx: CommandContext, line: number): Promise<void> {
  const d = ctx.lab.analysedDocument;
  if (!d) return;
  const editor = await vscode.window.showTextDocument(vscode.Uri.parse(d.uri), { preview: false });
  const position = new vscode.Position(Math.min(line - 1, editor.document.lineCount - 1), 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
}

/** Saves the last analyzed document's results where the user says. */
export async function exportDocument(ctx: CommandContext, format: ExportFormat): Promise<void> {
  const d = ctx.lab.analysedDocument;
  if (!d) return;
  const source = vscode.Uri.parse(d.uri);
  const units = d.units;
  const suggested = vscode.Uri.file(source.fsPath.replace(/\.[^./\\]*$/, '') + `.sentiment.${format}`);
  const target = await vscode.window.showSaveDialog({ defaultUri: suggested, filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] } });
  if (!target) return;
  try {
    await vscode.workspace.fs.writeFile(target, Buffer.from(exportUnits(units, format), 'utf8'));
  } catch (error) {
    reportError('Export', error);
  }
}
