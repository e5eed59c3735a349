/**
 * Everything the lab draws inside text editors, in one place: the sentiment
 * label after each analyzed text, word-level colouring drawn over the same
 * text, and the marks of an analyzed document (a gutter shape and a bar on
 * each unit's lines, with a summary CodeLens on the first line). Callers
 * hand over annotations per document and layer; this module owns the
 * decoration types, draws them in every visible editor of the document
 * (again when an editor is shown anew), and keeps them true to the text:
 * an edit inside an annotated range removes that annotation (its answer was
 * about the old text), an edit above it moves it down or up.
 */
import * as vscode from 'vscode';
import { confidenceOf } from '../core/verdict';

/** Independent sets of annotations: setting one layer leaves the others alone. */
export type AnnotationLayer = 'sentiment' | 'words' | 'document';

/** A document unit's mark: its label, and for a label whether the model is sure of it (UNIT_SURE_CONFIDENCE). */
export type UnitStyle = 'unit:positive:sure' | 'unit:positive:unsure' | 'unit:negative:sure' | 'unit:negative:unsure' | 'unit:unknown';

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
export type AnnotationStyle = 'positive' | 'negative' | 'unknown' | 'pending' | `word:${WordLook}` | UnitStyle;

/** From this confidence up a unit's mark is solid; below it, dashed and hollow, so doubt shows without reading the hover. */
export const UNIT_SURE_CONFIDENCE = 0.8;

/** The mark of a unit with this label and P(positive). */
export function unitStyle(label: 'positive' | 'negative' | null, probability: number): UnitStyle {
  if (label === null) return 'unit:unknown';
  return `unit:${label}:${confidenceOf(probability) >= UNIT_SURE_CONFIDENCE ? 'sure' : 'unsure'}`;
}

/** A line shown above a document's first line (a CodeLens) while its layer has annotations: the layer's summary. */
export interface Headline {
  title: string;
  command: string;
  tooltip?: string;
}

export interface Annotation {
  range: vscode.Range;
  style: AnnotationStyle;
  hover?: vscode.MarkdownString;
  /** Text drawn after the range's end (the sentiment label). */
  after?: string;
  /**
   * The whole text whose analysis this annotation draws, when it is more than
   * `range` (a word of an explained text): an edit anywhere in it removes the
   * annotation, since each word's attribution was about the whole old text.
   */
  about?: vscode.Range;
}

/** The contributed theme colours (package.json `colors`), so every theme, high contrast included, can set them. */
const AFTER_COLORS: Record<'positive' | 'negative' | 'unknown' | 'pending', string> = {
  positive: 'rnnSentimentLab.positiveForeground',
  negative: 'rnnSentimentLab.negativeForeground',
  unknown: 'rnnSentimentLab.unknownForeground',
  pending: 'editorCodeLens.foreground',
};

/** The bar beside a unit and its place in the overview ruler (package.json `colors`). */
const UNIT_COLORS: Record<'positive' | 'negative' | 'unknown', string> = {
  positive: 'rnnSentimentLab.positiveUnitBar',
  negative: 'rnnSentimentLab.negativeUnitBar',
  unknown: 'rnnSentimentLab.unknownUnitBar',
};

/** A unit's lines: a shape in the gutter (▲ ▼ ?, filled when sure, so the label is never told by colour alone) and a bar at the left of the text. */
function unitRenderOptions(style: UnitStyle, media: vscode.Uri): vscode.DecorationRenderOptions {
  const [, label, sureness] = style.split(':') as ['unit', 'positive' | 'negative' | 'unknown', 'sure' | 'unsure' | undefined];
  const color = new vscode.ThemeColor(UNIT_COLORS[label]);
  return {
    isWholeLine: true,
    borderColor: color,
    borderStyle: sureness === 'unsure' ? 'none none none dashed' : 'none none none solid',
    borderWidth: '0 0 0 3px',
    overviewRulerColor: color,
    overviewRulerLane: vscode.OverviewRulerLane.Left,
    gutterIconPath: vscode.Uri.joinPath(media, `unit-${label}${sureness === 'unsure' ? '-unsure' : ''}.svg`),
    gutterIconSize: 'contain',
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  };
}

function renderOptions(style: AnnotationStyle, media: vscode.Uri): vscode.DecorationRenderOptions {
  if (style.startsWith('word:')) {
    const look: { backgroundColor?: string; borderColor?: string } = WORD_LOOKS[style.slice('word:'.length) as WordLook];
    if (look.borderColor) return { border: '1px dotted', borderColor: new vscode.ThemeColor(look.borderColor), borderRadius: '2px' };
    return { backgroundColor: new vscode.ThemeColor(look.backgroundColor ?? ''), borderRadius: '2px' };
  }
  if (style.startsWith('unit:')) return unitRenderOptions(style as UnitStyle, media);
  const color = new vscode.ThemeColor(AFTER_COLORS[style as keyof typeof AFTER_COLORS]);
  return {
    after: { color, margin: '0 0 0 1.5em', fontStyle: style === 'pending' ? 'italic' : 'normal' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  };
}

export class EditorAnnotations implements vscode.Disposable, vscode.CodeLensProvider {
  private readonly types = new Map<AnnotationStyle, vscode.TextEditorDecorationType>();
  /** document URI → layer → annotations. */
  private readonly byDocument = new Map<string, Map<AnnotationLayer, Annotation[]>>();
  /** document URI → layer → its headline, and how many annotations it summarised. */
  private readonly headlines = new Map<string, Map<AnnotationLayer, { headline: Headline; count: number }>>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  private readonly subscriptions: vscode.Disposable[];

  /** `media`: the folder of the gutter icons. */
  constructor(private readonly media: vscode.Uri) {
    this.subscriptions = [
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.draw(e))),
      vscode.workspace.onDidChangeTextDocument((e) => this.follow(e)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.byDocument.delete(d.uri.toString());
        this.headlines.delete(d.uri.toString());
      }),
      vscode.languages.registerCodeLensProvider('*', this),
      this.lensesChanged,
    ];
  }

  /** Replaces a layer's annotations in a document, with the headline that sums them up (or none). */
  set(document: vscode.TextDocument, layer: AnnotationLayer, annotations: Annotation[], headline?: Headline): void {
    const layers = this.byDocument.get(document.uri.toString()) ?? new Map<AnnotationLayer, Annotation[]>();
    layers.set(layer, annotations);
    this.byDocument.set(document.uri.toString(), layers);
    const headlines = this.headlines.get(document.uri.toString()) ?? new Map<AnnotationLayer, { headline: Headline; count: number }>();
    if (headline) headlines.set(layer, { headline, count: annotations.length });
    else headlines.delete(layer);
    this.headlines.set(document.uri.toString(), headlines);
    this.redraw(document);
  }

  /** The headlines of a document's layers, above its first line; one that annotations were edited away from says how many. */
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const headlines = this.headlines.get(document.uri.toString());
    if (!headlines) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    return [...headlines].flatMap(([layer, { headline, count }]) => {
      const left = this.get(document, layer).length;
      if (left === 0) return [];
      const edited = count - left;
      const title = edited > 0 ? `${headline.title} · ${edited} edited since` : headline.title;
      return [new vscode.CodeLens(top, { title, command: headline.command, tooltip: headline.tooltip })];
    });
  }

  /** The headline titles shown now (tests read what the CodeLens says). */
  headlineTitles(document: vscode.TextDocument): string[] {
    return this.provideCodeLenses(document).map((lens) => lens.command?.title ?? '');
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
    if (layer) this.headlines.get(document.uri.toString())?.delete(layer);
    else this.headlines.delete(document.uri.toString());
    this.redraw(document);
  }

  private redraw(document: vscode.TextDocument): void {
    this.lensesChanged.fire();
    for (const editor of vscode.window.visibleTextEditors) if (editor.document === document) this.draw(editor);
  }

  private draw(editor: vscode.TextEditor): void {
    const all = [...(this.byDocument.get(editor.document.uri.toString())?.values() ?? [])].flat();
    const used = new Set(all.map((a) => a.style));
    for (const style of used) {
      if (!this.types.has(style)) this.types.set(style, vscode.window.createTextEditorDecorationType(renderOptions(style, this.media)));
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
        const shift = (r: vscode.Range) => new vscode.Range(r.start.translate(addedLines), r.end.translate(addedLines));
        moved = moved.flatMap((a) => {
          const about = a.about ?? a.range;
          if (about.end.isBefore(change.range.start)) return [a];
          // Starts after the change, on a later line: moves with the lines added or removed.
          if (about.start.line > change.range.end.line) return [{ ...a, range: shift(a.range), about: a.about && shift(a.about) }];
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
    this.headlines.clear();
  }
}
