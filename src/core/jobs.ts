/**
 * The worker's jobs, end to end: train a run (data → model → fit → evaluate →
 * save), evaluate a saved run, predict with one. Each reports through the
 * protocol's events and honours its AbortSignal.
 */
import { mkdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeArchitecture } from './architecture';
import { initBackend, type BackendOptions } from './backend';
import { loadDataset, type DataSource, type EncodedDataset, type EncodedSplit, type LoadOptions } from './dataset';
import { loadShortTextSet } from './dataset/short-text-set';
import { writeFailure } from './durable-files';
import { LabError, cancelledError } from './errors';
import type { BatchMetrics, EpochMetrics, EvaluationMetrics, Prediction } from './metrics';
import { buildModel, compileModel, deserializeModel, serializeModel, standardRecurrentLayers, type RecurrentLayerFactory } from './model';
import { BestWeights } from './keep-best';
import { captureOptimizerState, restoreOptimizerState } from './optimizer-state';
import { PredictorCache, nonFiniteOutputError } from './predictor';
import type { Hyperparameters } from './presets';
import {
  RUN_FORMAT_VERSION,
  isResumable,
  lockRun,
  newRunId,
  openRun,
  readBestWeights,
  readOptimizerState,
  saveRun,
  updateRunRecord,
  vocabularyFile,
  type OptimizerStateFile,
  type RunRecord,
  type VocabularyFile,
} from './runs';
import { summariseShortText, type ShortTextEvaluation } from './short-text';
import { TOKENIZER_VERSION } from './text';
import { evaluateSplit, fitModel, predictRows, trainingRows } from './training';
import { TextEncoder, Vocabulary } from './vocabulary';
import { importKerasModel } from './keras/import';
import { encodeTestReviews } from './keras/test-reviews';
import type { ImportKerasParams, EvaluateParams, EvaluateResult, ExplainParams, ExplainResult, PredictParams, PredictResult, TrainParams, TrainResult, TrainingEvents } from '../protocol';
import type { HandlerContext } from '../rpc';

export type JobContext = HandlerContext<TrainingEvents>;

/** Texts per model call when predicting many: big enough to keep the backend busy, small enough for prompt progress and cancel. */
export const PREDICT_CHUNK = 512;

export interface JobEnvironment extends BackendOptions {
  /** Picks the recurrent layers (fused kernels where they apply); standard layers otherwise. */
  recurrentLayers?(): Promise<RecurrentLayerFactory>;
}

export class Jobs {
  private readonly predictors: PredictorCache;

  constructor(private readonly environment: JobEnvironment = {}) {
    this.predictors = new PredictorCache(async () => (await environment.recurrentLayers?.()) ?? standardRecurrentLayers);
  }

  /**
   * Trains a new run, or continues a partial or cancelled one (`resumeFrom`).
   * After every epoch the run folder is rewritten whole (status 'partial',
   * with the optimizer state), so a crash loses at most the epoch under way.
   */
  async train(params: TrainParams, context: JobContext): Promise<TrainResult> {
    const h = params.hyperparameters;
    // A resumed run keeps its folder (whose name is its id); the lock comes before reading it.
    const runsDir = params.resumeFrom ? path.dirname(params.resumeFrom) : params.runsDir;
    const id = params.resumeFrom ? path.basename(params.resumeFrom) : newRunId(h.preset);
    if (params.resumeFrom && !(await stat(params.resumeFrom).then((s) => s.isDirectory(), () => false))) {
      throw new LabError('not-found', `No trained model at ${params.resumeFrom}.`);
    }
    await mkdir(runsDir, { recursive: true }).catch((error: unknown) => {
      throw writeFailure('the runs folder', path.dirname(runsDir), error);
    });
    const lock = await lockRun(runsDir, id);
    try {
      const checkpoint = params.resumeFrom ? await openCheckpoint(params.resumeFrom, params) : undefined;
      return await this.trainLocked(params, context, { h, runsDir, id, checkpoint });
    } finally {
      await lock.release();
    }
  }

  private async trainLocked(
    params: TrainParams,
    context: JobContext,
    { h, runsDir, id, checkpoint }: { h: Hyperparameters; runsDir: string; id: string; checkpoint?: Checkpoint },
  ): Promise<TrainResult> {
    const { signal, emit } = context;
    const backend = await initBackend(params.backend, this.environment);
    const parent = params.fineTuneFrom ? await openParent(params.fineTuneFrom, h) : undefined;
    // A fine-tuned run, new or resumed, reads its data through its parent's vocabulary.
    const keptWords = parent?.vocabulary.words ?? (checkpoint?.record.parentRunId ? checkpoint.vocabulary.words : undefined);
    const dataset = await loadDataset(
      params.data,
      {
        numWords: h.numWords,
        maxlen: h.maxlen,
        seed: h.seed,
        validationSplit: h.validationSplit,
        limit: params.limit,
        ...(keptWords ? { vocabulary: new Vocabulary(keptWords) } : {}),
      },
      { cacheDir: params.cacheDir, signal, onProgress: (p) => emit('progress', p), onWarning: (message) => emit('warning', { message }) },
    );
    if (dataset.report) emit('validation', dataset.report);
    if (dataset.train.count === 0 || dataset.validation.count === 0) {
      throw new LabError('bad-argument', `Too few reviews to train and validate (${dataset.train.count} training, ${dataset.validation.count} validation): raise the limit.`);
    }
    const vocabulary = vocabularyFile(TOKENIZER_VERSION, h.numWords, h.maxlen, dataset.vocabulary.limitedTo(h.numWords).words);
    if (checkpoint) checkSameData(checkpoint, dataset, vocabulary);
    if (signal.aborted) throw cancelledError('Training');

    const recurrent = (await this.environment.recurrentLayers?.()) ?? standardRecurrentLayers;
    const architecture = describeArchitecture(h);
    const model = buildModel(h, recurrent);
    const snapshots = new ModelSnapshots(model, h, recurrent);
    let best: BestWeights | undefined;
    try {
      compileModel(model, h, recurrent);
      if (checkpoint) await restoreCheckpoint(model, checkpoint);
      else if (parent) await copyWeights(model, parent);
      if (h.keep === 'best') best = checkpoint ? await resumedBest(checkpoint) : BestWeights.empty();
      const previous = checkpoint?.record;
      const rows = trainingRows(dataset.train, h);
      const sentences = h.trainOn === 'reviews-and-sentences' ? rows.count - rows.split.count : undefined;
      emit('started', {
        backend: backend.name,
        recurrentImplementation: recurrent.name,
        architecture,
        train: dataset.train.count,
        ...(sentences !== undefined ? { sentences } : {}),
        validation: dataset.validation.count,
        test: dataset.test.count,
        ...(previous ? { resumed: { runId: previous.id, batches: previous.history.batches, epochs: previous.history.epochs } } : {}),
      });
      const createdAt = previous?.createdAt ?? new Date().toISOString();
      const record = (status: RunRecord['status'], outcome: Progress, evaluation: Evaluation = {}): RunRecord => ({
        formatVersion: RUN_FORMAT_VERSION,
        id,
        createdAt,
        preset: h.preset,
        hyperparameters: h,
        status,
        epochsCompleted: (previous?.epochsCompleted ?? 0) + outcome.epochs.length,
        backend: backend.name,
        recurrentImplementation: recurrent.name,
        architecture,
        dataset: {
          source: dataset.source.description,
          train: dataset.train.count,
          validation: dataset.validation.count,
          test: dataset.test.count,
          ...(params.limit !== undefined ? { limit: params.limit } : {}),
          ...(dataset.report ? { labelled: dataset.report } : {}),
        },
        ...((previous?.parentRunId ?? parent?.record.id) ? { parentRunId: previous?.parentRunId ?? parent?.record.id } : {}),
        history: { batches: [...(previous?.history.batches ?? []), ...outcome.batches], epochs: [...(previous?.history.epochs ?? []), ...outcome.epochs] },
        keptEpoch: outcome.keptEpoch,
        ...(status !== 'complete' && best?.epoch ? { best: best.epoch } : {}),
        ...(evaluation.test ? { test: evaluation.test } : {}),
        ...(evaluation.shortText ? { shortText: evaluation.shortText } : {}),
        timings: { trainingSeconds: (previous?.timings.trainingSeconds ?? 0) + outcome.seconds, ...(evaluation.test ? { evaluationSeconds: evaluation.test.seconds } : {}) },
      });
      const save = async (status: RunRecord['status'], outcome: Progress, evaluation?: Evaluation) => {
        const { modelJson, weights } = await snapshots.serialize();
        // Complete runs need no optimizer state nor best-so-far: nothing resumes them.
        const resumable = status !== 'complete';
        const optimizer = resumable ? await captureOptimizerState(model) : undefined;
        const bestTensors = resumable ? best?.tensors : undefined;
        const bestWeights = bestTensors ? (await snapshots.serialize(bestTensors)).weights : undefined;
        const saved = record(status, outcome, evaluation);
        return { runDir: await saveRun(runsDir, { record: saved, vocabulary, modelJson, weights, optimizer, bestWeights }), record: saved };
      };

      const started = performance.now();
      const sofar = { batches: [] as BatchMetrics[], epochs: [] as EpochMetrics[] };
      const firstEpoch = (previous?.epochsCompleted ?? 0) + 1;
      let lastSaved: { runDir: string; record: RunRecord } | undefined;
      const outcome = await fitModel(model, h, { ...dataset, rows }, {
        signal,
        firstEpoch,
        best,
        onBatch: (m) => {
          sofar.batches.push(m);
          emit('batch', m);
        },
        onEpoch: async (m) => {
          sofar.epochs.push(m);
          // The checkpoint holds this epoch's weights (a resumed training goes on from them); best.bin the best so far.
          lastSaved = await save('partial', { ...sofar, keptEpoch: m.epoch, seconds: (performance.now() - started) / 1000 });
          emit('epoch', m);
        },
      });
      if (outcome.epochsCompleted < firstEpoch || !lastSaved) {
        throw new LabError(
          'cancelled',
          previous
            ? `Resumed training cancelled before an epoch ended: the run keeps its ${previous.epochsCompleted} epochs.`
            : 'Training cancelled before the first epoch ended: there is no checkpoint to keep.',
        );
      }
      if (outcome.cancelled) {
        // The last epoch's checkpoint is on disk already, with the optimizer state of that epoch's end
        // (the optimizer has since moved on): only its status changes.
        const cancelled: RunRecord = { ...lastSaved.record, status: 'cancelled' };
        await updateRunRecord(lastSaved.runDir, cancelled);
        return { runDir: lastSaved.runDir, record: cancelled, cancelled: true };
      }
      const evaluation: Evaluation = {};
      if (params.evaluate) {
        evaluation.test = await this.evaluateSplit(model, dataset.test, h.maxlen, context);
        const encoder = new TextEncoder(new Vocabulary(vocabulary.words), h.numWords, h.maxlen);
        // The short-text set is cut from IMDB's test reviews; a labelled dataset of the user's has none.
        if (params.data.kind !== 'labelled') evaluation.shortText = await this.evaluateShortText(model, encoder, params, context);
      }
      const { runDir, record: saved } = await save('complete', outcome, evaluation);
      return { runDir, record: saved, cancelled: false };
    } finally {
      best?.dispose();
      snapshots.dispose();
      model.dispose();
    }
  }

  async evaluate(params: EvaluateParams, context: JobContext): Promise<EvaluateResult> {
    const backend = await initBackend(params.backend, this.environment);
    const { record, vocabulary } = await openRun(params.runDir);
    const h = record.hyperparameters;
    const loadOptions = { cacheDir: params.cacheDir, signal: context.signal, onProgress: (p: TrainingEvents['progress']) => context.emit('progress', p) };
    const predictor = await this.predictors.get(params.runDir);
    // An imported model reads the reviews with its own word index, not the lab's; a run of the lab through its own
    // vocabulary (a fine-tuned run's is its parent's, and other data would rank another), as its training did.
    const test = record.origin
      ? await encodeTestReviews(params.data, predictor.encoder, { seed: h.seed, limit: params.limit }, loadOptions)
      : (
          await loadDataset(
            params.data,
            { numWords: h.numWords, maxlen: h.maxlen, seed: h.seed, validationSplit: h.validationSplit, limit: params.limit, vocabulary: new Vocabulary(vocabulary.words) },
            loadOptions,
          )
        ).test;
    const metrics = await this.evaluateSplit(predictor.model, test, predictor.maxlen, context);
    if (!Number.isFinite(metrics.loss)) throw nonFiniteOutputError(params.runDir);
    const shortText = params.shortText && params.data.kind !== 'labelled' ? await this.evaluateShortText(predictor.model, predictor.encoder, params, context) : undefined;
    if (params.save) {
      const updated: RunRecord = { ...record, test: metrics, ...(shortText ? { shortText } : {}), timings: { ...record.timings, evaluationSeconds: metrics.seconds } };
      await updateRunRecord(params.runDir, updated);
      // Predictions read their reliability from the record: the cached one is stale now.
      this.predictors.forget(params.runDir);
    }
    return { metrics, ...(shortText ? { shortText } : {}), backend: backend.name };
  }

  /** Accuracy on the short texts cut from the test reviews, each encoded as a selection is for Analyze Sentiment. */
  private async evaluateShortText(
    model: tf.LayersModel,
    encoder: TextEncoder,
    params: { data: DataSource; cacheDir: string; limit?: number },
    context: JobContext,
  ): Promise<ShortTextEvaluation> {
    const options: LoadOptions = { cacheDir: params.cacheDir, signal: context.signal, onProgress: (p) => context.emit('progress', p), onWarning: (message) => context.emit('warning', { message }) };
    const set = await loadShortTextSet(params.data, options, params.limit);
    const started = performance.now();
    const { maxlen } = encoder;
    const probabilities = new Float32Array(set.texts.length);
    const batch = 256;
    for (let from = 0; from < set.texts.length; from += batch) {
      if (context.signal.aborted) throw cancelledError('Evaluation');
      const texts = set.texts.slice(from, from + batch);
      const x = new Int32Array(texts.length * maxlen);
      texts.forEach((t, i) => x.set(encoder.encode(t.text).ids, i * maxlen));
      probabilities.set(await predictRows(model, x, texts.length, maxlen), from);
      context.emit('progress', { phase: 'evaluate', done: from + texts.length, total: set.texts.length, unit: 'reviews', message: 'Evaluating on short texts' });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return summariseShortText(set.texts, probabilities, set.reviews, (performance.now() - started) / 1000);
  }

  /**
   * Many texts (a whole document's units) go through in chunks: progress
   * after each, and a cancel takes effect between two.
   */
  async predict(params: PredictParams, context?: JobContext): Promise<PredictResult> {
    const backend = await initBackend(params.backend, this.environment);
    const started = performance.now();
    const predictor = await this.predictors.get(params.runDir);
    const predictions: Prediction[] = [];
    const total = params.texts.length;
    for (let done = 0; done < total; done += PREDICT_CHUNK) {
      if (context?.signal.aborted) throw cancelledError('Analysis');
      predictions.push(...(await predictor.predict(params.texts.slice(done, done + PREDICT_CHUNK))));
      if (total > PREDICT_CHUNK) context?.emit('progress', { phase: 'predict', done: predictions.length, total, unit: 'texts', message: 'Analysing' });
    }
    return {
      predictions,
      recurrentImplementation: predictor.recurrentImplementation,
      // A run is known by its folder.
      runId: path.basename(params.runDir),
      preset: predictor.record.preset,
      maxlen: predictor.maxlen,
      backend: backend.name,
      milliseconds: performance.now() - started,
    };
  }

  async importKeras(params: ImportKerasParams): Promise<TrainResult> {
    const backend = await initBackend(params.backend, this.environment);
    const { runDir, record } = await importKerasModel(params, backend.name);
    return { runDir, record, cancelled: false };
  }

  async explain(params: ExplainParams): Promise<ExplainResult> {
    const backend = await initBackend(params.backend, this.environment);
    const predictor = await this.predictors.get(params.runDir);
    return {
      explanation: predictor.explain(params.text, params.method),
      runId: predictor.record.id,
      backend: backend.name,
      recurrentImplementation: predictor.recurrentImplementation,
    };
  }

  private async evaluateSplit(model: tf.LayersModel, split: EncodedSplit, maxlen: number, context: JobContext) {
    const metrics = await evaluateSplit(model, split, {
      batchSize: 256,
      maxlen,
      signal: context.signal,
      onProgress: (done, total) => context.emit('progress', { phase: 'evaluate', done, total, unit: 'reviews', message: 'Evaluating on the test reviews' }),
    });
    if (!metrics) throw cancelledError('Evaluation');
    return metrics;
  }
}

type Progress = { batches: BatchMetrics[]; epochs: EpochMetrics[]; keptEpoch: number; seconds: number };
type Evaluation = { test?: EvaluationMetrics; shortText?: ShortTextEvaluation };

/**
 * The model's files, as standard layers whatever trained it (the fused layers
 * keep Keras' layout and order), so plain TensorFlow.js loads them. The
 * standard twin is built once per training, not once per epoch.
 */
class ModelSnapshots {
  private standard: tf.LayersModel | undefined;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly h: Hyperparameters,
    private readonly recurrent: RecurrentLayerFactory,
  ) {}

  /** The model's files, with its own weights or with `weights` (the best epoch's, in getWeights() order). */
  serialize(weights?: readonly tf.Tensor[]): Promise<{ modelJson: unknown; weights: Uint8Array }> {
    if (this.recurrent === standardRecurrentLayers && !weights) return serializeModel(this.model);
    this.standard ??= buildModel(this.h, standardRecurrentLayers);
    this.standard.setWeights([...(weights ?? this.model.getWeights())]);
    return serializeModel(this.standard);
  }

  dispose(): void {
    this.standard?.dispose();
  }
}

interface Checkpoint {
  record: RunRecord;
  vocabulary: VocabularyFile;
  modelJson: unknown;
  weights: Uint8Array;
  optimizer: { state: OptimizerStateFile; data: Uint8Array };
  /** best.bin, when the best epoch so far is not the checkpoint's own. */
  bestWeights?: Uint8Array;
}

/** A run that can be resumed with these parameters, or a clear refusal. */
async function openCheckpoint(runDir: string, params: TrainParams): Promise<Checkpoint> {
  const run = await openRun(runDir);
  const { record } = run;
  if (record.id !== path.basename(runDir)) {
    throw new LabError('corrupt-model', `${runDir} holds run "${record.id}": a copied or renamed run folder cannot be resumed in place.`);
  }
  if (!isResumable(record)) {
    throw new LabError('bad-argument', `Run "${record.id}" is ${record.status} with ${record.epochsCompleted} of ${record.hyperparameters.epochs} epochs: there is nothing to resume.`);
  }
  if (JSON.stringify(params.hyperparameters) !== JSON.stringify(record.hyperparameters) || params.limit !== record.dataset.limit) {
    throw new LabError('bad-argument', `Run "${record.id}" resumes with its own settings only (its hyperparameters and limit ${record.dataset.limit ?? 'none'}).`);
  }
  const optimizer = await readOptimizerState(runDir);
  if (!optimizer) throw new LabError('corrupt-model', `Run "${record.id}" has no optimizer state (optimizer.json): it was saved by a version that could not resume.`);
  const best = record.best && record.best.epoch !== record.epochsCompleted ? await readBestWeights(runDir, run.modelJson) : undefined;
  return { ...run, optimizer, ...(best ? { bestWeights: best } : {}) };
}

/** A resumed training must read the very reviews the run was trained on. */
function checkSameData(checkpoint: Checkpoint, dataset: EncodedDataset, vocabulary: VocabularyFile): void {
  const d = checkpoint.record.dataset;
  const sameCounts = d.train === dataset.train.count && d.validation === dataset.validation.count;
  const sameWords = checkpoint.vocabulary.words.length === vocabulary.words.length && checkpoint.vocabulary.words.every((w, i) => w === vocabulary.words[i]);
  if (!sameCounts || !sameWords) {
    throw new LabError('bad-argument', `Run "${checkpoint.record.id}" was trained on other data (${d.source}): resume it with that data source.`);
  }
}

/** A resumed run's best epoch so far: best.bin, or the checkpoint itself when its last epoch is the best. */
async function resumedBest(checkpoint: Checkpoint): Promise<BestWeights> {
  const { best } = checkpoint.record;
  if (!best) return BestWeights.empty();
  const weights = best.epoch === checkpoint.record.epochsCompleted ? checkpoint.weights : checkpoint.bestWeights;
  if (!weights) throw new LabError('corrupt-model', `Run "${checkpoint.record.id}" records its best epoch ${best.epoch} but has no best.bin.`);
  const saved = await deserializeModel(checkpoint.modelJson, weights);
  try {
    return BestWeights.resumed(best, saved.getWeights().map((w) => w.clone()));
  } finally {
    saved.dispose();
  }
}

/** A run to fine-tune: readable, with this tokenizer, and of the architecture `h` builds. */
async function openParent(runDir: string, h: Hyperparameters) {
  const parent = await openRun(runDir);
  if (parent.vocabulary.tokenizer !== TOKENIZER_VERSION) {
    throw new LabError('corrupt-model', `Run "${parent.record.id}" was trained with tokenizer "${parent.vocabulary.tokenizer}", this version has "${TOKENIZER_VERSION}": it cannot be fine-tuned.`);
  }
  const p = parent.record.hyperparameters;
  const same = p.preset === h.preset && p.numWords === h.numWords && p.maxlen === h.maxlen && describeArchitecture(p).totalParams === describeArchitecture(h).totalParams;
  if (!same) throw new LabError('bad-argument', `Fine-tuning keeps run "${parent.record.id}"'s architecture (${p.preset}, ${p.numWords} words, maxlen ${p.maxlen}): only the learning rate, epochs, batch size and seed may differ.`);
  return parent;
}

async function copyWeights(model: tf.LayersModel, parent: { modelJson: unknown; weights: Uint8Array }): Promise<void> {
  const saved = await deserializeModel(parent.modelJson, parent.weights);
  try {
    model.setWeights(saved.getWeights());
  } finally {
    saved.dispose();
  }
}

async function restoreCheckpoint(model: tf.LayersModel, checkpoint: Checkpoint): Promise<void> {
  await copyWeights(model, checkpoint);
  await restoreOptimizerState(model, checkpoint.optimizer);
}
