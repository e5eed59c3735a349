/**
 * Trained models on disk, one folder per run:
 *
 *   run.json        format version, preset, hyperparameters, backend, history,
 *                   test metrics, timings, dataset description
 *   vocabulary.json the words the model knows and the preprocessing settings
 *   model.json      TensorFlow.js layers-model topology + weights manifest
 *   weights.bin     the weights
 *
 *   optimizer.json  (partial and cancelled runs) the optimizer's state, so a
 *   optimizer.bin   resumed training continues exactly where it stopped
 *   best.bin        (partial and cancelled runs that keep the best epoch) the
 *                   weights of the best epoch so far, laid out as weights.bin
 *
 * A training writes its run after every epoch (status 'partial'), then once
 * more when it ends. Each write is a whole folder, fsynced under a hidden
 * temporary name and renamed into place (durable-files.ts), so a crash, a
 * kill or a power cut leaves the last finished epoch as a run that loads.
 * Nothing here loads TensorFlow: the extension host lists and checks runs
 * without a backend.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { z } from 'zod';
import type { ArchitectureSummary } from './architecture';
import { processAlive, recoverFolders, replaceFile, writeFailure, writeFolder } from './durable-files';
import { LabError, errorMessage } from './errors';
import type { BestEpoch } from './keep-best';
import type { BatchMetrics, EpochMetrics, EvaluationMetrics } from './metrics';
import type { Hyperparameters } from './presets';
import type { TextRules } from './text';
import { crossCheckRun, describeIssues, manifestBytes, modelJsonSchema, runRecordSchema, vocabularySchema, type ModelJson } from './run-schema';
import type { ShortTextEvaluation } from './short-text';
import { INDEX_FROM, OOV_CHAR, PAD_VALUE, START_CHAR } from './vocabulary';
import type { ValidationReport } from './dataset/labelled';

export const RUN_FORMAT_VERSION = 1;
export const RUN_FILES = ['run.json', 'vocabulary.json', 'model.json', 'weights.bin'] as const;

/** 'partial': written after an epoch while training (or left by a training that died); resumable like 'cancelled'. */
export const RUN_STATUSES = ['complete', 'cancelled', 'partial'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export function isResumable(record: Pick<RunRecord, 'status' | 'epochsCompleted' | 'hyperparameters'>): boolean {
  return record.status !== 'complete' && record.epochsCompleted < record.hyperparameters.epochs;
}

export type { ValidationReport };

export interface RunRecord {
  formatVersion: number;
  id: string;
  createdAt: string;
  preset: Hyperparameters['preset'];
  hyperparameters: Hyperparameters;
  /** 'complete'; 'cancelled' or 'partial' for the checkpoint of the last finished epoch. */
  status: RunStatus;
  epochsCompleted: number;
  backend: string;
  /** How the recurrent layer ran: 'tfjs-layers' or a fused kernel. */
  recurrentImplementation: string;
  architecture: ArchitectureSummary;
  dataset: {
    source: string;
    train: number;
    validation: number;
    test: number;
    limit?: number;
    /** Labelled data of the user's: its name, checksum, label names and validation report (absent for IMDB runs). */
    labelled?: ValidationReport;
  };
  /** The run this one was fine-tuned from. */
  parentRunId?: string;
  history: { batches: BatchMetrics[]; epochs: EpochMetrics[] };
  /**
   * The epoch whose weights weights.bin holds: the best one of a finished run
   * that keeps the best, else the last finished one. Absent in runs saved
   * before it was recorded (they hold their last epoch).
   */
  keptEpoch?: number;
  /** A partial or cancelled run that keeps the best: the best epoch so far, whose weights are in best.bin. */
  best?: BestEpoch;
  test?: EvaluationMetrics;
  /** Accuracy on short texts cut from the test reviews (short-text.ts), by kind and by length. */
  shortText?: ShortTextEvaluation;
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
export type RunListing = { ok: true; dir: string; id: string; record: RunRecord } | { ok: false; dir: string; id: string; problems: string[] };

export function newRunId(preset: string, date = new Date()): string {
  const stamp = date.toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
  return `${preset}_${stamp}_${randomBytes(2).toString('hex')}`;
}

/** The optimizer's slots (Adam's moments, RMSProp's mean squares...) per trainable weight, by position. */
export interface OptimizerStateFile {
  formatVersion: 1;
  className: string;
  iterations: number;
  /** In the optimizer's own order; `variable` indexes the model's trainable weights. Bytes in optimizer.bin, in this order. */
  slots: { variable: number; slot: string; shape: number[]; dtype: 'float32' }[];
}

export interface RunFiles {
  record: RunRecord;
  vocabulary: VocabularyFile;
  modelJson: unknown;
  weights: Uint8Array;
  /** Kept with checkpoints a training can be resumed from. */
  optimizer?: { state: OptimizerStateFile; data: Uint8Array };
  /** The best epoch's weights so far, kept with checkpoints of runs that keep the best. */
  bestWeights?: Uint8Array;
}

/** A run read back from disk: every file checked against its schema. */
export interface OpenedRun extends RunFiles {
  modelJson: ModelJson;
}

export { keptEpochOf } from './metrics';

/** Writes (or replaces) the run folder `runsDir/<record.id>` whole and durably. */
export async function saveRun(runsDir: string, files: RunFiles): Promise<string> {
  await mkdir(runsDir, { recursive: true });
  return writeFolder(runsDir, files.record.id, {
    'weights.bin': files.weights,
    'model.json': JSON.stringify(files.modelJson),
    'vocabulary.json': JSON.stringify(files.vocabulary),
    ...(files.optimizer ? { 'optimizer.json': JSON.stringify(files.optimizer.state), 'optimizer.bin': files.optimizer.data } : {}),
    ...(files.bestWeights ? { 'best.bin': files.bestWeights } : {}),
    'run.json': JSON.stringify(files.record, null, 1),
  });
}

/** Rewrites run.json alone (e.g. after an evaluation), atomically and durably. */
export async function updateRunRecord(runDir: string, record: RunRecord): Promise<void> {
  await replaceFile(path.join(runDir, 'run.json'), JSON.stringify(record, null, 1));
}

/** The optimizer state saved with a checkpoint, or undefined when it has none. */
export async function readOptimizerState(runDir: string): Promise<{ state: OptimizerStateFile; data: Uint8Array } | undefined> {
  const text = await readFile(path.join(runDir, 'optimizer.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let state: OptimizerStateFile;
  try {
    state = JSON.parse(text) as OptimizerStateFile;
  } catch (error) {
    throw new LabError('corrupt-model', `optimizer.json in ${runDir} is not valid JSON (${errorMessage(error)}).`);
  }
  const data = new Uint8Array(await readFile(path.join(runDir, 'optimizer.bin')).catch(() => Buffer.alloc(0)));
  const expected = Array.isArray(state.slots) ? state.slots.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0) : -1;
  if (state.formatVersion !== 1 || !Number.isInteger(state.iterations) || expected !== data.byteLength) {
    throw new LabError('corrupt-model', `The optimizer state in ${runDir} is damaged (optimizer.bin has ${data.byteLength} bytes, optimizer.json expects ${expected}).`);
  }
  return { state, data };
}

/** The best epoch's weights kept with a checkpoint (its record says which epoch), or a clear refusal when they are missing or cut short. */
export async function readBestWeights(runDir: string, modelJson: ModelJson): Promise<Uint8Array> {
  const data = await readFile(path.join(runDir, 'best.bin')).catch(() => undefined);
  const expected = manifestBytes(modelJson);
  if (!data || data.byteLength !== expected) {
    throw new LabError('corrupt-model', `The best epoch's weights in ${runDir} (best.bin) are ${data ? `${data.byteLength} bytes, ${String(expected)} expected` : 'missing'}.`);
  }
  return new Uint8Array(data);
}

/**
 * Marks a run as being trained by this process (in an existing runs folder), so a second training cannot
 * write the same folder (Resume Training twice, or from the CLI while the
 * extension trains it). A lock whose process is gone is taken over.
 */
export async function lockRun(runsDir: string, id: string): Promise<{ release(): Promise<void> }> {
  const file = path.join(runsDir, `.${id}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      try {
        await handle.writeFile(String(process.pid));
      } finally {
        await handle.close();
      }
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        await rm(file, { force: true });
        throw writeFailure(`the lock of run "${id}"`, runsDir, error);
      }
      const owner = Number(await readFile(file, 'utf8').catch(() => ''));
      if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) {
        throw new LabError('busy', `Run "${id}" is being trained by another process (pid ${owner}).`);
      }
      await rm(file, { force: true });
    }
  }
  throw new LabError('busy', `Run "${id}" is locked by another process.`);
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

/** `name`: the folder's name, or the name a temporary folder was to take (a run's record names its folder). */
async function readRun(dir: string, name = path.basename(dir)): Promise<ReadRun> {
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
  if (record && vocabulary && modelJson) problems.push(...crossCheckRun(path.join(path.dirname(dir), name), record, vocabulary, modelJson));
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

/** Removes the locks of trainings whose process is gone (killed, crashed). */
async function sweepDeadLocks(runsDir: string): Promise<void> {
  const names = await readdir(runsDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => /^\..+\.lock$/.test(n))) {
    const file = path.join(runsDir, name);
    const owner = Number(await readFile(file, 'utf8').catch(() => ''));
    if (Number.isInteger(owner) && owner > 0 && !processAlive(owner)) await rm(file, { force: true });
  }
}

/**
 * Listings already read, by folder, with the identity of the files they were
 * read from. Writers here never change a run's file in place (a new file is
 * renamed over it, or the folder is swapped whole), so a file with the same
 * inode, size and modification time holds the same bytes: its listing is
 * reused instead of parsing the vocabulary and the history again at every
 * refresh of the dashboard.
 */
const listings = new Map<string, { identity: string; listing: RunListing }>();

async function filesIdentity(dir: string): Promise<string> {
  const parts = await Promise.all(RUN_FILES.map((file) => stat(path.join(dir, file)).then((s) => `${s.ino}:${s.size}:${s.mtimeMs}`, () => 'none')));
  return parts.join('|');
}

async function inspectRunOnce(dir: string): Promise<RunListing> {
  const identity = await filesIdentity(dir);
  const known = listings.get(dir);
  if (known?.identity === identity) return known.listing;
  const listing = await inspectRun(dir);
  // A file replaced while it was being read is not remembered under the identity seen before.
  if ((await filesIdentity(dir)) === identity) listings.set(dir, { identity, listing });
  else listings.delete(dir);
  return listing;
}

/**
 * Every run folder, newest first; unreadable folders listed with their
 * problems. Hidden (temporary) folders are skipped; those a dead writer left
 * are first repaired or removed.
 */
export async function listRuns(runsDir: string): Promise<RunListing[]> {
  await recoverFolders(runsDir, async (dir, name) => (await readRun(dir, name)).ok);
  await sweepDeadLocks(runsDir);
  const entries = await readdir(runsDir, { withFileTypes: true }).catch(() => []);
  const dirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => path.join(runsDir, e.name));
  const present = new Set(dirs);
  for (const dir of listings.keys()) if (path.dirname(dir) === runsDir && !present.has(dir)) listings.delete(dir);
  const listed = await Promise.all(dirs.map(inspectRunOnce));
  const time = (l: RunListing) => (l.ok ? Date.parse(l.record.createdAt) : 0);
  return listed.sort((a, b) => time(b) - time(a) || a.id.localeCompare(b.id));
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
