/**
 * A user's own labelled texts: a CSV/TSV file (a text and a label column), a
 * JSONL file (a text and a label field) or a folder with one subfolder per
 * label. Every row is checked before training: empty text, a missing or
 * unknown label, bytes that are not UTF-8 (named by byte offset), duplicates;
 * only clean rows train, and the report says, with line numbers, what was
 * left out and how the classes balance.
 *
 * Two labels only: the three presets end in one sigmoid unit. A file with
 * more is refused with the labels it has, unless the two to use are named.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { LabError } from '../errors';
import { formatBytes } from '../format';
import { firstInvalidUtf8Byte } from '../document/decode';
import { columnIndex, delimiterOf, parseDelimited, parseJsonLines, textOfValue, valueAtPath } from '../document/records';
import { DATA_LIMITS } from './limits';
import type { RawCorpus, Review } from './reviews';
import { shuffledOrder } from './shuffle';

export const TEST_SPLIT = z.number().min(0.05).max(0.5).describe('Fraction of a labelled dataset held out as its test set (when it has no test file of its own).');
export const DEFAULT_TEST_SPLIT = 0.2;

export interface LabelledOptions {
  /** CSV/TSV column or JSONL key path of the text; guessed from the header when absent. */
  textColumn?: string;
  /** CSV/TSV column or JSONL key path of the label; guessed when absent. */
  labelColumn?: string;
  /** Which label is "positive"; guessed from common names (pos, positive, 1, true…) when absent. */
  positiveLabel?: string;
  /** The other label: with both named, rows of any other label are left out as unknown. */
  negativeLabel?: string;
  /** A file of the same layout holding the test rows; otherwise `testSplit` of the rows, drawn with the seed. */
  testPath?: string;
  testSplit?: number;
}

export type IssueKind = 'empty-text' | 'missing-label' | 'unknown-label' | 'not-utf8' | 'duplicate';

const ISSUE_NAMES: Record<IssueKind, string> = {
  'empty-text': 'empty text',
  'missing-label': 'no label',
  'unknown-label': 'unknown label',
  'not-utf8': 'not UTF-8',
  duplicate: 'duplicate',
};

export interface ValidationIssue {
  kind: IssueKind;
  /** "data.csv line 12", "neg/3.txt". */
  where: string;
  message: string;
}

/** Kept with the run (run.json), shown before training. */
export interface ValidationReport {
  name: string;
  sha256: string;
  format: 'csv' | 'tsv' | 'jsonl' | 'folder';
  textColumn?: string;
  labelColumn?: string;
  labels: { positive: string; negative: string };
  rows: number;
  clean: number;
  counts: Partial<Record<IssueKind, number>>;
  /** Clean rows per label. */
  classBalance: Record<string, number>;
  /** The first issues, in file order (all are counted in `counts`). */
  issues: ValidationIssue[];
  test: { rows: number; from: 'split' | 'file'; split?: number };
}

const MAX_LISTED_ISSUES = 50;

interface RawRow {
  text: string | undefined;
  label: string | undefined;
  where: string;
  /** Set when the row's bytes are not UTF-8. */
  badByte?: number;
}

interface RawTable {
  rows: RawRow[];
  sha256: string;
  format: ValidationReport['format'];
  textColumn?: string;
  labelColumn?: string;
}

const TEXT_NAMES = ['text', 'review', 'content', 'comment', 'body', 'sentence', 'message', 'document', 'tweet'];
const LABEL_NAMES = ['label', 'sentiment', 'class', 'polarity', 'target', 'category'];
const POSITIVE_NAMES = ['pos', 'positive', '1', 'true', 'yes', 'good'];

export function isLabelledFile(file: string): boolean {
  return /\.(csv|tsv|jsonl|ndjson)$/i.test(file);
}

/** The rows of a file or folder, its report, and the corpus that trains. */
export async function readLabelledCorpus(source: string, options: LabelledOptions, seed: number | string): Promise<{ corpus: RawCorpus; report: ValidationReport }> {
  const table = await readTable(source, options);
  const testTable = options.testPath ? await readTable(options.testPath, options) : undefined;
  const labels = chooseLabels([...table.rows, ...(testTable?.rows ?? [])], options, path.basename(source));
  const checked = checkRows(table.rows, labels);
  const checkedTest = testTable ? checkRows(testTable.rows, labels) : undefined;
  const issues = [...checked.issues, ...(checkedTest?.issues ?? [])];
  const clean = [...checked.clean, ...(checkedTest?.clean ?? [])];
  if (checked.clean.length === 0) throw new LabError('bad-argument', `${path.basename(source)} has no clean rows to train on${issues[0] ? ` (first problem: ${issues[0].where}: ${issues[0].message})` : ''}.`);

  const toReview = (r: { text: string; label: 0 | 1 }, i: number, split: Review['split']): Review => ({ split, label: r.label, id: i, rating: 0, text: r.text });
  let corpus: RawCorpus;
  if (checkedTest) corpus = { train: checked.clean.map((r, i) => toReview(r, i, 'train')), test: checkedTest.clean.map((r, i) => toReview(r, i, 'test')) };
  else {
    const split = options.testSplit ?? DEFAULT_TEST_SPLIT;
    const order = shuffledOrder(checked.clean.length, `${seed}:test`);
    const testCount = Math.floor(checked.clean.length * split);
    const isTest = new Uint8Array(checked.clean.length);
    for (let k = 0; k < testCount; k++) isTest[order[k]] = 1;
    corpus = { train: [], test: [] };
    checked.clean.forEach((r, i) => (isTest[i] ? corpus.test : corpus.train).push(toReview(r, i, isTest[i] ? 'test' : 'train')));
  }
  const counts: Partial<Record<IssueKind, number>> = {};
  for (const issue of issues) counts[issue.kind] = (counts[issue.kind] ?? 0) + 1;
  const classBalance = { [labels.negative]: clean.filter((r) => r.label === 0).length, [labels.positive]: clean.filter((r) => r.label === 1).length };
  return {
    corpus,
    report: {
      name: path.basename(source),
      sha256: table.sha256,
      format: table.format,
      ...(table.textColumn ? { textColumn: table.textColumn, labelColumn: table.labelColumn } : {}),
      labels,
      rows: table.rows.length + (testTable?.rows.length ?? 0),
      clean: clean.length,
      counts,
      classBalance,
      issues: issues.slice(0, MAX_LISTED_ISSUES),
      test: checkedTest ? { rows: corpus.test.length, from: 'file' } : { rows: corpus.test.length, from: 'split', split: options.testSplit ?? DEFAULT_TEST_SPLIT },
    },
  };
}

/** The labels a labelled file or folder holds (most rows first) and the one guessed positive, for the Train Model question. */
export async function labelledLabels(source: string, options: LabelledOptions = {}): Promise<{ labels: string[]; guessedPositive?: string }> {
  const { rows } = await readTable(source, options);
  const seen = new Map<string, number>();
  for (const r of rows) {
    const label = r.label?.trim();
    if (label) seen.set(label, (seen.get(label) ?? 0) + 1);
  }
  const labels = [...seen].sort((a, b) => b[1] - a[1]).map(([l]) => l);
  const positives = labels.filter((l) => POSITIVE_NAMES.includes(l.toLowerCase()));
  return { labels, ...(positives.length === 1 ? { guessedPositive: positives[0] } : {}) };
}

/** One paragraph for people: what trains, what was left out and why (the first few with their lines). */
export function describeReport(report: ValidationReport): string {
  const balance = Object.entries(report.classBalance).map(([label, n]) => `${n} ${label}`).join(', ');
  const left = Object.entries(report.counts).map(([kind, n]) => `${n} ${ISSUE_NAMES[kind as IssueKind]}`).join(', ');
  const lines = [`${report.name}: ${report.clean} of ${report.rows} rows clean (${balance}; "${report.labels.positive}" is positive)${left ? `; left out: ${left}` : ''}.`];
  for (const issue of report.issues.slice(0, 5)) lines.push(`  ${issue.where}: ${issue.message}`);
  if (report.issues.length > 5) lines.push(`  … ${Object.values(report.counts).reduce((a, b) => a + (b ?? 0), 0) - 5} more (all in the run's record).`);
  return lines.join('\n');
}

async function readTable(source: string, options: LabelledOptions): Promise<RawTable> {
  const info = await lstat(source).catch(() => undefined);
  if (!info) throw new LabError('not-found', `No dataset at ${source}.`);
  if (info.isDirectory()) return readLabelFolders(source);
  if (!info.isFile()) throw new LabError('bad-argument', `${source} is not a regular file.`);
  if (info.size > DATA_LIMITS.documentBytes) throw new LabError('bad-argument', `${source} is ${formatBytes(info.size)}: larger than a labelled dataset may be (${formatBytes(DATA_LIMITS.documentBytes)}).`);
  const bytes = await readFile(source);
  const name = path.basename(source);
  const { text, badLines } = decodeMarkingBadLines(bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const badByteOf = (start: number, end: number) => {
    for (let l = start; l <= end; l++) if (badLines.has(l)) return badLines.get(l);
    return undefined;
  };
  if (/\.(jsonl|ndjson)$/i.test(source)) {
    const lines = parseJsonLines(text, name);
    const objectKeys = Object.keys(lines.find((l) => l.value && typeof l.value === 'object')?.value ?? {});
    const textColumn = options.textColumn ?? guess(objectKeys, TEXT_NAMES, 'text', name, '--text-field');
    const labelColumn = options.labelColumn ?? guess(objectKeys, LABEL_NAMES, 'label', name, '--label-field');
    return {
      sha256,
      format: 'jsonl',
      textColumn,
      labelColumn,
      rows: lines.map((l) => ({
        text: textOfValue(valueAtPath(l.value, textColumn)),
        label: textOfValue(valueAtPath(l.value, labelColumn)),
        where: `${name} line ${l.startLine}`,
        badByte: badByteOf(l.startLine, l.endLine),
      })),
    };
  }
  const delimiter = delimiterOf(source);
  const table = parseDelimited(text, delimiter, name);
  const textColumn = options.textColumn ?? guess(table.header, TEXT_NAMES, 'text', name, '--text-column');
  const labelColumn = options.labelColumn ?? guess(table.header, LABEL_NAMES, 'label', name, '--label-column');
  const ti = columnIndex(table, textColumn, name);
  const li = columnIndex(table, labelColumn, name);
  return {
    sha256,
    format: delimiter === '\t' ? 'tsv' : 'csv',
    textColumn: table.header[ti],
    labelColumn: table.header[li],
    rows: table.rows.map((r) => ({ text: r.cells[ti], label: r.cells[li], where: `${name} line ${r.startLine}`, badByte: badByteOf(r.startLine, r.endLine) })),
  };
}

/** `<folder>/<label>/<anything>.txt`: the subfolder's name is the label. */
async function readLabelFolders(folder: string): Promise<RawTable> {
  const hash = createHash('sha256');
  const rows: RawRow[] = [];
  let total = 0;
  const labels = (await readdir(folder, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  if (labels.length === 0) throw new LabError('bad-argument', `${folder} has no label subfolders: a labelled folder holds one subfolder per label, each with .txt files.`);
  for (const label of labels) {
    const files = (await readdir(path.join(folder, label), { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.txt')).map((e) => e.name).sort();
    for (const file of files) {
      const bytes = await readFile(path.join(folder, label, file));
      total += bytes.length;
      if (bytes.length > DATA_LIMITS.reviewBytes || total > DATA_LIMITS.documentBytes) {
        throw new LabError('bad-argument', `${label}/${file}: the folder's texts exceed ${formatBytes(bytes.length > DATA_LIMITS.reviewBytes ? DATA_LIMITS.reviewBytes : DATA_LIMITS.documentBytes)}.`);
      }
      hash.update(`${label}/${file}\0${bytes.length}\0`).update(bytes);
      const bad = firstInvalidUtf8Byte(bytes, bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
      rows.push({ text: new TextDecoder().decode(bytes), label, where: `${label}/${file}`, ...(bad < bytes.length ? { badByte: bad } : {}) });
    }
  }
  return { rows, sha256: hash.digest('hex'), format: 'folder' };
}

/** Decodes leniently and remembers, per line, the byte offset of its first non-UTF-8 byte. */
function decodeMarkingBadLines(bytes: Uint8Array): { text: string; badLines: Map<number, number> } {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const badLines = new Map<number, number>();
  let offset = firstInvalidUtf8Byte(bytes, start);
  let line = 1;
  let counted = 0;
  while (offset < bytes.length) {
    for (; counted < offset; counted++) if (bytes[counted] === 0x0a) line++;
    if (!badLines.has(line)) badLines.set(line, offset);
    offset = firstInvalidUtf8Byte(bytes, offset + 1);
  }
  return { text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(start)), badLines };
}

function guess(names: string[], candidates: string[], what: string, file: string, flag: string): string {
  const found = names.find((n) => candidates.includes(n.trim().toLowerCase()));
  if (!found) throw new LabError('bad-argument', `${file}: no ${what} column could be guessed from ${names.map((n) => `"${n}"`).join(', ') || 'an empty header'}; name it with ${flag}.`);
  return found;
}

function chooseLabels(rows: RawRow[], options: LabelledOptions, name: string): { positive: string; negative: string } {
  const seen = new Map<string, number>();
  for (const r of rows) {
    const label = r.label?.trim();
    if (label) seen.set(label, (seen.get(label) ?? 0) + 1);
  }
  const list = () => [...seen].map(([l, n]) => `"${l}" (${n})`).join(', ');
  if (options.positiveLabel && options.negativeLabel) {
    for (const l of [options.positiveLabel, options.negativeLabel]) if (!seen.has(l)) throw new LabError('bad-argument', `${name} has no label "${l}"; its labels are ${list()}.`);
    return { positive: options.positiveLabel, negative: options.negativeLabel };
  }
  if (seen.size > 2) {
    throw new LabError('bad-argument', `${name} has ${seen.size} labels, ${list()}: the presets learn two. Name the two to train on with --positive-label and --negative-label; rows of other labels are left out.`);
  }
  if (seen.size < 2) throw new LabError('bad-argument', `${name} has ${seen.size === 0 ? 'no labels' : `one label only, ${list()}`}: training needs two.`);
  const [a, b] = [...seen.keys()];
  const named = options.positiveLabel ?? options.negativeLabel;
  if (named !== undefined && named !== a && named !== b) throw new LabError('bad-argument', `${name} has no label "${named}"; its labels are ${list()}.`);
  const positive = options.positiveLabel ?? (options.negativeLabel !== undefined ? (options.negativeLabel === a ? b : a) : guessPositive(a, b, name));
  if (positive !== a && positive !== b) throw new LabError('bad-argument', `${name} has no label "${positive}"; its labels are ${list()}.`);
  return { positive, negative: positive === a ? b : a };
}

function guessPositive(a: string, b: string, name: string): string {
  const isPositive = (l: string) => POSITIVE_NAMES.includes(l.toLowerCase());
  if (isPositive(a) !== isPositive(b)) return isPositive(a) ? a : b;
  throw new LabError('bad-argument', `${name} has the labels "${a}" and "${b}": say which is positive with --positive-label.`);
}

function checkRows(rows: RawRow[], labels: { positive: string; negative: string }) {
  const issues: ValidationIssue[] = [];
  const clean: Array<{ text: string; label: 0 | 1 }> = [];
  const firstSeen = new Map<string, string>();
  for (const row of rows) {
    const text = row.text?.trim() ?? '';
    const label = row.label?.trim() ?? '';
    if (row.badByte !== undefined) issues.push({ kind: 'not-utf8', where: row.where, message: `not UTF-8 (byte offset ${row.badByte})` });
    else if (text === '') issues.push({ kind: 'empty-text', where: row.where, message: ISSUE_NAMES['empty-text'] });
    else if (label === '') issues.push({ kind: 'missing-label', where: row.where, message: ISSUE_NAMES['missing-label'] });
    else if (label !== labels.positive && label !== labels.negative) issues.push({ kind: 'unknown-label', where: row.where, message: `unknown label "${label}"` });
    else {
      const earlier = firstSeen.get(text);
      if (earlier) issues.push({ kind: 'duplicate', where: row.where, message: `same text as ${earlier}` });
      else {
        firstSeen.set(text, row.where);
        clean.push({ text, label: label === labels.positive ? 1 : 0 });
      }
    }
  }
  return { issues, clean };
}
