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
import type { z } from 'zod';
import type { ArchitectureSummary } from './architecture';
import { LabError, errorMessage } from './errors';
import type { BatchMetrics, EpochMetrics, EvaluationMetrics } from './metrics';
import type { Hyperparameters } from './presets';
import { crossCheckRun, describeIssues, manifestBytes, modelJsonSchema, runRecordSchema, vocabularySchema, type ModelJson } from './run-schema';
import { INDEX_FROM, OOV_CHAR, PAD_VALUE, START_CHAR } from './vocabulary';

export const RUN_FORMAT_VERSION = 1;
export const RUN_FILES = ['run.json', 'vocabulary.json', 'model.json', 'weights.bin'] as const;

export const RUN_STATUSES = ['complete', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

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
}

export interface VocabularyFile {
  tokenizer: string;
  numWords: number;
  maxlen: number;
  padding: 'pre';
  truncating: 'pre';
  startChar: number;
  oovChar: number;
  indexFrom: number;
  padValue: number;
  /** Words of rank 1.. that keep their own index (index = rank + indexFrom < numWords). */
  words: string[];
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
export type RunListing = { ok: true; dir: string; id: string; record: RunRecord } | { ok: false; dir: string; id: string; problems: string[] };

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

/** A run read back from disk: every file checked against its schema. */
export interface OpenedRun extends RunFiles {
  modelJson: ModelJson;
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

/** Reads and parses one JSON file of a run against its schema; a problem goes to `problems`. */
async function readRunFile<T>(dir: string, file: string, schema: z.ZodType<T>, problems: string[]): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dir, file), 'utf8');
  } catch {
    problems.push(`${file} is missing`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    problems.push(`${file} is not valid JSON (${errorMessage(error)})`);
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    problems.push(...describeIssues(file, parsed.error));
    return undefined;
  }
  return parsed.data;
}

const recordSchema = runRecordSchema(RUN_FORMAT_VERSION, RUN_STATUSES);

/** A run folder read whole: every file present, parsed against its schema, and agreeing with the others and with the folder's name. */
type ReadRun = { ok: true; files: Omit<OpenedRun, 'weights'> } | { ok: false; problems: string[] };

async function readRun(dir: string): Promise<ReadRun> {
  const problems: string[] = [];
  const record = await readRunFile(dir, 'run.json', recordSchema, problems);
  const vocabulary = await readRunFile(dir, 'vocabulary.json', vocabularySchema, problems);
  const modelJson = await readRunFile(dir, 'model.json', modelJsonSchema, problems);
  if (modelJson) {
    const expected = manifestBytes(modelJson);
    const actual = await stat(path.join(dir, 'weights.bin')).then((s) => (s.isFile() ? s.size : undefined), () => undefined);
    if (actual === undefined) problems.push('weights.bin is missing');
    else if (actual !== expected) problems.push(`weights.bin has ${actual} bytes, the manifest expects ${expected} (truncated or overwritten)`);
  }
  if (record && vocabulary && modelJson) problems.push(...crossCheckRun(dir, record, vocabulary, modelJson));
  if (problems.length > 0 || !record || !vocabulary || !modelJson) return { ok: false, problems };
  return { ok: true, files: { record, vocabulary, modelJson } };
}

/**
 * Reads and checks a run folder without loading the model. A run is known by
 * its folder's name (`id`), whatever its run.json says.
 */
export async function inspectRun(dir: string): Promise<RunListing> {
  const id = path.basename(dir);
  const read = await readRun(dir);
  return read.ok ? { ok: true, dir, id, record: read.files.record } : { ok: false, dir, id, problems: read.problems };
}

/** Like inspectRun, but a problem is an error naming what is wrong. */
export async function openRun(dir: string): Promise<OpenedRun> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new LabError('not-found', `No trained model at ${dir}.`);
  const read = await readRun(dir);
  if (!read.ok) throw new LabError('corrupt-model', `The model in ${dir} is unusable: ${read.problems.join('; ')}.`);
  return { ...read.files, weights: new Uint8Array(await readFile(path.join(dir, 'weights.bin'))) };
}

/** Every run folder, newest first; unreadable folders listed with their problems. Hidden (partial) folders are skipped. */
export async function listRuns(runsDir: string): Promise<RunListing[]> {
  const entries = await readdir(runsDir, { withFileTypes: true }).catch(() => []);
  const listings = await Promise.all(
    entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => inspectRun(path.join(runsDir, e.name))),
  );
  const time = (l: RunListing) => (l.ok ? Date.parse(l.record.createdAt) : 0);
  return listings.sort((a, b) => time(b) - time(a) || a.id.localeCompare(b.id));
}

/** Deletes the run folder named `id` (its folder's name, not what its run.json says). */
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
