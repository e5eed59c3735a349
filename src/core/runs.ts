/**
 * Trained models on disk, one folder per run:
 *
 *   run.json        format version, preset, hyperparameters, backend, history,
 *                   test metrics, timings, dataset description
 *   vocabulary.json the words the model knows and the preprocessing settings
 *   model.json      TensorFlow.js layers-model topology + weights manifest
 *   weights.bin     the weights
 *
 * A run is written into a hidden temporary folder and renamed into place, so
 * a crash mid-save never leaves a folder that looks whole. Nothing here loads
 * TensorFlow: the extension host lists and checks runs without a backend.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ArchitectureSummary } from './architecture';
import { LabError, errorMessage } from './errors';
import type { BatchMetrics, EpochMetrics, EvaluationMetrics } from './metrics';
import { isPresetName, type Hyperparameters } from './presets';
import type { TextRules } from './text';
import { INDEX_FROM, OOV_CHAR, PAD_VALUE, START_CHAR } from './vocabulary';

export const RUN_FORMAT_VERSION = 1;
export const RUN_FILES = ['run.json', 'vocabulary.json', 'model.json', 'weights.bin'] as const;

export type RunStatus = 'complete' | 'cancelled';

export interface RunRecord {
  formatVersion: number;
  id: string;
  createdAt: string;
  preset: Hyperparameters['preset'];
  hyperparameters: Hyperparameters;
  /** 'complete', or 'cancelled' for the checkpoint of the last finished epoch. */
  status: RunStatus;
  epochsCompleted: number;
  backend: string;
  /** How the recurrent layer ran: 'tfjs-layers' or a fused kernel. */
  recurrentImplementation: string;
  architecture: ArchitectureSummary;
  dataset: { source: string; train: number; validation: number; test: number; limit?: number };
  history: { batches: BatchMetrics[]; epochs: EpochMetrics[] };
  test?: EvaluationMetrics;
  timings: { trainingSeconds: number; evaluationSeconds?: number };
  /** Set for a model imported from another tool rather than trained here. */
  origin?: RunOrigin;
}

/** Where an imported run came from; its vocabulary.json then holds that tool's word index and text rules. */
export interface RunOrigin {
  kind: 'keras';
  /** The imported model file and word index, as the user named them. */
  file: string;
  wordIndex: string;
  /** `keras_version` the file was saved by, when it says. */
  kerasVersion?: string;
  /** True when the layers are exactly the lab's preset layers (so the fused kernels can run them). */
  labLayers: boolean;
}

export interface VocabularyFile {
  tokenizer: string;
  numWords: number;
  maxlen: number;
  padding: 'pre';
  truncating: 'pre';
  /** null: no start character (a Keras Tokenizer's sequences). */
  startChar: number | null;
  /** null: unknown words are dropped (a Keras Tokenizer without oov_token). */
  oovChar: number | null;
  indexFrom: number;
  padValue: number;
  /** Words of rank 1.. that keep their own index (index = rank + indexFrom < numWords); "" where an index has no word. */
  words: string[];
  /** The text_to_word_sequence settings of a vocabulary imported from Keras (tokenizer "keras-text_to_word_sequence"). */
  textRules?: TextRules;
}

export function vocabularyFile(tokenizer: string, numWords: number, maxlen: number, words: readonly string[]): VocabularyFile {
  return {
    tokenizer,
    numWords,
    maxlen,
    padding: 'pre',
    truncating: 'pre',
    startChar: START_CHAR,
    oovChar: OOV_CHAR,
    indexFrom: INDEX_FROM,
    padValue: PAD_VALUE,
    words: [...words],
  };
}

/** What the run list shows: a readable run, or a folder that is not one and why. */
export type RunListing = { ok: true; dir: string; record: RunRecord } | { ok: false; dir: string; id: string; problems: string[] };

export function newRunId(preset: string, date = new Date()): string {
  const stamp = date.toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
  return `${preset}_${stamp}_${randomBytes(2).toString('hex')}`;
}

export interface RunFiles {
  record: RunRecord;
  vocabulary: VocabularyFile;
  modelJson: unknown;
  weights: Uint8Array;
}

export async function saveRun(runsDir: string, files: RunFiles): Promise<string> {
  await mkdir(runsDir, { recursive: true });
  const finalDir = path.join(runsDir, files.record.id);
  const temporary = path.join(runsDir, `.${files.record.id}.${randomBytes(4).toString('hex')}.partial`);
  await mkdir(temporary);
  try {
    await writeFile(path.join(temporary, 'weights.bin'), files.weights);
    await writeFile(path.join(temporary, 'model.json'), JSON.stringify(files.modelJson));
    await writeFile(path.join(temporary, 'vocabulary.json'), JSON.stringify(files.vocabulary));
    // run.json last: its presence is what marks a folder as a run.
    await writeFile(path.join(temporary, 'run.json'), JSON.stringify(files.record, null, 1));
    await rename(temporary, finalDir);
    return finalDir;
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/** Rewrites run.json alone (e.g. after an evaluation), atomically. */
export async function updateRunRecord(runDir: string, record: RunRecord): Promise<void> {
  const temporary = path.join(runDir, `.run.json.${randomBytes(4).toString('hex')}`);
  await writeFile(temporary, JSON.stringify(record, null, 1));
  await rename(temporary, path.join(runDir, 'run.json'));
}

async function readJson(file: string, problems: string[]): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    problems.push(`${path.basename(file)} is missing`);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.push(`${path.basename(file)} is not valid JSON (${errorMessage(error)})`);
    return undefined;
  }
}

/** Weight bytes a model.json's manifest promises. */
export function manifestByteLength(modelJson: unknown): number | undefined {
  const manifest = (modelJson as { weightsManifest?: { weights?: { shape: number[]; dtype?: string }[] }[] })?.weightsManifest;
  if (!Array.isArray(manifest)) return undefined;
  let bytes = 0;
  for (const group of manifest) {
    for (const w of group.weights ?? []) {
      if (!Array.isArray(w.shape)) return undefined;
      bytes += w.shape.reduce((a, b) => a * b, 1) * (w.dtype === 'int32' || w.dtype === 'float32' || !w.dtype ? 4 : 1);
    }
  }
  return bytes;
}

/**
 * Reads and checks a run folder without loading the model: every file present
 * and parseable, the record's fields of the right kind, the weights as long as
 * the manifest says.
 */
export async function inspectRun(dir: string): Promise<RunListing> {
  const problems: string[] = [];
  const id = path.basename(dir);
  const record = (await readJson(path.join(dir, 'run.json'), problems)) as RunRecord | undefined;
  const vocabulary = (await readJson(path.join(dir, 'vocabulary.json'), problems)) as VocabularyFile | undefined;
  const modelJson = await readJson(path.join(dir, 'model.json'), problems);
  if (record) {
    if (record.formatVersion !== RUN_FORMAT_VERSION) problems.push(`run.json has format version ${String(record.formatVersion)}, this version reads ${RUN_FORMAT_VERSION}`);
    else if (!isPresetName(record.preset) || typeof record.hyperparameters !== 'object' || !Array.isArray(record.history?.epochs)) {
      problems.push('run.json lacks its preset, hyperparameters or history');
    }
  }
  if (vocabulary && (!Array.isArray(vocabulary.words) || !Number.isInteger(vocabulary.maxlen) || !Number.isInteger(vocabulary.numWords))) {
    problems.push('vocabulary.json lacks its words, numWords or maxlen');
  }
  if (modelJson !== undefined) {
    const expected = manifestByteLength(modelJson);
    if (expected === undefined || !(modelJson as { modelTopology?: unknown }).modelTopology) {
      problems.push('model.json has no model topology or weights manifest');
    } else {
      const actual = await stat(path.join(dir, 'weights.bin')).then((s) => s.size, () => undefined);
      if (actual === undefined) problems.push('weights.bin is missing');
      else if (actual !== expected) problems.push(`weights.bin has ${actual} bytes, the manifest expects ${expected} (truncated or overwritten)`);
    }
  }
  if (problems.length > 0 || !record) return { ok: false, dir, id, problems };
  return { ok: true, dir, record };
}

/** Like inspectRun, but a problem is an error naming what is wrong. */
export async function openRun(dir: string): Promise<{ record: RunRecord; vocabulary: VocabularyFile; modelJson: unknown; weights: Uint8Array }> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new LabError('not-found', `No trained model at ${dir}.`);
  const listing = await inspectRun(dir);
  if (!listing.ok) throw new LabError('corrupt-model', `The model in ${dir} is unusable: ${listing.problems.join('; ')}.`);
  return {
    record: listing.record,
    vocabulary: JSON.parse(await readFile(path.join(dir, 'vocabulary.json'), 'utf8')) as VocabularyFile,
    modelJson: JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')),
    weights: new Uint8Array(await readFile(path.join(dir, 'weights.bin'))),
  };
}

/** Every run folder, newest first; unreadable folders listed with their problems. Hidden (partial) folders are skipped. */
export async function listRuns(runsDir: string): Promise<RunListing[]> {
  const entries = await readdir(runsDir, { withFileTypes: true }).catch(() => []);
  const listings = await Promise.all(
    entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => inspectRun(path.join(runsDir, e.name))),
  );
  const time = (l: RunListing) => (l.ok ? Date.parse(l.record.createdAt) : 0);
  return listings.sort((a, b) => time(b) - time(a) || (a.ok ? a.record.id : a.id).localeCompare(b.ok ? b.record.id : b.id));
}

export async function deleteRun(runsDir: string, id: string): Promise<void> {
  if (id.includes('/') || id.includes('\\') || id.startsWith('.') || id === '') throw new LabError('bad-argument', `"${id}" is not a run id.`);
  const dir = path.join(runsDir, id);
  const exists = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!exists) throw new LabError('not-found', `No run "${id}" in ${runsDir}.`);
  // Rename first so a half-deleted folder is never listed as a run.
  const doomed = path.join(runsDir, `.${id}.${randomBytes(4).toString('hex')}.deleting`);
  await rename(dir, doomed);
  await rm(doomed, { recursive: true, force: true });
}
