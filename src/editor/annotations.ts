/**
 * Everything the lab draws inside text editors, in one place: the sentiment
 * label after each analyzed text, and word-level colouring drawn over the
 * same text. Callers hand over annotations per document and layer; this
 * module owns the decoration types, draws them in every visible editor of
 * the document (again when an editor is shown anew), and keeps them true to
 * the text: an edit inside an annotated range removes that annotation (its
 * answer was about the old text), an edit above it moves it down or up.
 */
import * as vscode from 'vscode';

/** Independent sets of annotations: setting one layer leaves the others alone. */
export type AnnotationLayer = 'sentiment' | 'words';

/**
 * The looks of a word, each from a contributed theme colour: a background
 * toward positive or negative in three strengths, grey for a word the model
 * did not read, a dotted border for a word unknown to it.
 */
export const WORD_LOOKS = {
  'positive-1': { backgroundColor: 'rnnSentimentLab.wordPositiveBackground1' },
  'positive-2': { backgroundColor: 'rnnSentimentLab.wordPositiveBackground2' },
  'positive-3': { backgroundColor: 'rnnSentimentLab.wordPositiveBackground3' },
  'negative-1': { backgroundColor: 'rnnSentimentLab.wordNegativeBackground1' },
  'negative-2': { backgroundColor: 'rnnSentimentLab.wordNegativeBackground2' },
  'negative-3': { backgroundColor: 'rnnSentimentLab.wordNegativeBackground3' },
  dropped: { backgroundColor: 'rnnSentimentLab.wordDroppedBackground' },
  oov: { borderColor: 'rnnSentimentLab.wordUnknownBorder' },
} as const satisfies Record<string, { backgroundColor: string } | { borderColor: string }>;

export type WordLook = keyof typeof WORD_LOOKS;

/** Named looks; each becomes one decoration type, created on first use. */
export type AnnotationStyle = 'positive' | 'negative' | 'unknown' | 'pending' | `word:${WordLook}`;

export interface Annotation {
  range: vscode.Range;
  style: AnnotationStyle;
  hover?: vscode.MarkdownString;
  /** Text drawn after the range's end (the sentiment label). */
  after?: string;
}

/** The contributed theme colours (package.json `colors`), so every theme, high contrast included, can set them. */
const AFTER_COLORS: Record<'positive' | 'negative' | 'unknown' | 'pending', string> = {
  positive: 'rnnSentimentLab.positiveForeground',
  negative: 'rnnSentimentLab.negativeForeground',
  unknown: 'rnnSentimentLab.unknownForeground',
  pending: 'editorCodeLens.foreground',
};

function renderOptions(style: AnnotationStyle): vscode.DecorationRenderOptions {
  if (style.startsWith('word:')) {
    const look: { backgroundColor?: string; borderColor?: string } = WORD_LOOKS[style.slice('word:'.length) as WordLook];
    if (look.borderColor) return { border: '1px dotted', borderColor: new vscode.ThemeColor(look.borderColor), borderRadius: '2px' };
    return { backgroundColor: new vscode.ThemeColor(look.backgroundColor ?? ''), borderRadius: '2px' };
  }
  const color = new vscode.ThemeColor(AFTER_COLORS[style as keyof typeof AFTER_COLORS]);
  return {
    after: { color, margin: '0 0 0 1.5em', fontStyle: style === 'pending' ? 'italic' : 'normal' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  };
}

export class EditorAnnotations implements vscode.Disposable {
  private readonly types = new Map<AnnotationStyle, vscode.TextEditorDecorationType>();
  /** document URI → layer → annotations. */
  private readonly byDocument = new Map<string, Map<AnnotationLayer, Annotation[]>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.draw(e))),
      vscode.workspace.onDidChangeTextDocument((e) => this.follow(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.byDocument.delete(d.uri.toString())),
    ];
  }

  /** Replaces a layer's annotations in a document. */
  set(document: vscode.TextDocument, layer: AnnotationLayer, annotations: Annotation[]): void {
    const layers = this.byDocument.get(document.uri.toString()) ?? new Map<AnnotationLayer, Annotation[]>();
    layers.set(layer, annotations);
    this.byDocument.set(document.uri.toString(), layers);
    this.redraw(document);
  }

  /** Adds annotations to a layer, replacing those whose range they overlap. */
  merge(document: vscode.TextDocument, layer: AnnotationLayer, annotations: Annotation[]): void {
    const kept = this.get(document, layer).filter((old) => !annotations.some((a) => a.range.intersection(old.range) !== undefined));
    this.set(document, layer, [...kept, ...annotations]);
  }

  get(document: vscode.TextDocument, layer: AnnotationLayer): readonly Annotation[] {
    return this.byDocument.get(document.uri.toString())?.get(layer) ?? [];
  }

  /** Removes one layer, or all of them, from a document. */
  clear(document: vscode.TextDocument, layer?: AnnotationLayer): void {
    const layers = this.byDocument.get(document.uri.toString());
    if (!layers) return;
    if (layer) layers.delete(layer);
    else layers.clear();
    this.redraw(document);
  }

  private redraw(document: vscode.TextDocument): void {
    for (const editor of vscode.window.visibleTextEditors) if (editor.document === document) this.draw(editor);
  }

  private draw(editor: vscode.TextEditor): void {
    const all = [...(this.byDocument.get(editor.document.uri.toString())?.values() ?? [])].flat();
    const used = new Set(all.map((a) => a.style));
    for (const style of used) {
      if (!this.types.has(style)) this.types.set(style, vscode.window.createTextEditorDecorationType(renderOptions(style)));
    }
    for (const [style, type] of this.types) {
      const options = all
        .filter((a) => a.style === style)
        .map((a): vscode.DecorationOptions => ({
          range: a.range,
          hoverMessage: a.hover,
          renderOptions: a.after === undefined ? undefined : { after: { contentText: a.after } },
        }));
      editor.setDecorations(type, options);
    }
  }

  /** Keeps annotations on the text they describe as the document is edited. */
  private follow(event: vscode.TextDocumentChangeEvent): void {
    const layers = this.byDocument.get(event.document.uri.toString());
    if (!layers || event.contentChanges.length === 0) return;
    for (const [layer, annotations] of layers) {
      let moved = annotations;
      // Changes are reported in no particular order, each against the text before any of them.
      for (const change of [...event.contentChanges].sort((a, b) => b.range.start.compareTo(a.range.start))) {
        const addedLines = change.text.split('\n').length - 1 - (change.range.end.line - change.range.start.line);
        moved = moved.flatMap((a) => {
          if (a.range.end.isBefore(change.range.start)) return [a];
          // Starts after the change, on a later line: moves with the lines added or removed.
          if (a.range.start.line > change.range.end.line) return [{ ...a, range: new vscode.Range(a.range.start.translate(addedLines), a.range.end.translate(addedLines)) }];
          return []; // The annotated text itself changed (or shares the changed line): its answer no longer holds.
        });
      }
      layers.set(layer, moved);
    }
    this.redraw(event.document);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    for (const t of this.types.values()) t.dispose();
    this.types.clear();
    this.byDocument.clear();
  }
}
