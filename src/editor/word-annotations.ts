/** An explanation drawn over the analyzed text: each word's look and hover (see explained-words.ts) as editor annotations. */
import * as vscode from 'vscode';
import type { Explanation } from '../core/explain/types';
import type { Annotation } from './annotations';
import { explainedWords } from './explained-words';

/** `positionAt` turns an offset in the explained text into a document position (the caller knows where the text starts and whether it was clipped). */
export function wordAnnotations(explanation: Explanation, text: string, positionAt: (offset: number) => vscode.Position): Annotation[] {
  const about = new vscode.Range(positionAt(0), positionAt(text.length));
  return explainedWords(explanation, text).map((w) => {
    const hover = new vscode.MarkdownString();
    hover.appendMarkdown('**');
    hover.appendText(w.word);
    hover.appendMarkdown('**');
    if (w.note) hover.appendMarkdown(` — ${w.note}`);
    if (w.lines.length) hover.appendMarkdown(`\n\n${w.lines.join('  \n')}`);
    return { range: new vscode.Range(positionAt(w.start), positionAt(w.end)), style: `word:${w.look}`, hover, about };
  });
}
