/**
 * The worker's jobs, end to end: train a run (data → model → fit → evaluate →
 * save), evaluate a saved run, predict with one. Each reports through the
 * protocol's events and honours its AbortSignal.
 */
import * as tf from '@tensorflow/tfjs';
import { describeArchitecture } from './architecture';
import { initBackend, type BackendOptions } from './backend';
import { loadDataset, type EncodedSplit } from './dataset';
import { LabError, cancelledError } from './errors';
import { buildModel, compileModel, serializeModel, standardRecurrentLayers, type RecurrentLayerFactory } from './model';
import { PredictorCache } from './predictor';
import { RUN_FORMAT_VERSION, newRunId, openRun, saveRun, updateRunRecord, vocabularyFile, type RunRecord } from './runs';
import { TOKENIZER_VERSION } from './text';
import { evaluateSplit, fitModel } from './training';
import type { EvaluateParams, EvaluateResult, ExplainParams, ExplainResult, PredictParams, PredictResult, TrainParams, TrainResult, TrainingEvents } from '../protocol';
import type { HandlerContext } from '../rpc';

export type JobContext = HandlerContext<TrainingEvents>;

export interface JobEnvironment extends BackendOptions {
  /** Picks the recurrent layers (fused kernels where they apply); standard layers otherwise. */
  recurrentLayers?(): Promise<RecurrentLayerFactory>;
}

export class Jobs {
  private readonly predictors: PredictorCache;

  constructor(private readonly environment: JobEnvironment = {}) {
    this.predictors = new PredictorCache(async () => (await environment.recurrentLayers?.()) ?? standardRecurrentLayers);
  }

  async train(params: TrainParams, context: JobContext): Promise<TrainResult> {
    const { signal, emit } = context;
    const h = params.hyperparameters;
    const backend = await initBackend(params.backend, this.environment);
    const dataset = await loadDataset(
      params.data,
      { numWords: h.numWords, maxlen: h.maxlen, seed: h.seed, validationSplit: h.validationSplit, limit: params.limit },
      { cacheDir: params.cacheDir, signal, onProgress: (p) => emit('progress', p) },
    );
    if (dataset.train.count === 0 || dataset.validation.count === 0) {
      throw new LabError('bad-argument', `Too few reviews to train and validate (${dataset.train.count} training, ${dataset.validation.count} validation): raise the limit.`);
    }
    if (signal.aborted) throw cancelledError('Training');

    const recurrent = (await this.environment.recurrentLayers?.()) ?? standardRecurrentLayers;
    const architecture = describeArchitecture(h);
    const model = buildModel(h, recurrent);
    try {
      compileModel(model, h, recurrent);
      emit('started', {
        backend: backend.name,
        recurrentImplementation: recurrent.name,
        architecture,
        train: dataset.train.count,
        validation: dataset.validation.count,
        test: dataset.test.count,
      });
      const outcome = await fitModel(model, h, dataset, {
        signal,
        onBatch: (m) => emit('batch', m),
        onEpoch: (m) => emit('epoch', m),
      });
      if (outcome.epochsCompleted === 0) {
        throw new LabError('cancelled', 'Training cancelled before the first epoch ended: there is no checkpoint to keep.');
      }
      const test = params.evaluate && !outcome.cancelled ? await this.evaluateSplit(model, dataset.test, h.maxlen, context) : undefined;

      const record: RunRecord = {
        formatVersion: RUN_FORMAT_VERSION,
        id: newRunId(h.preset),
        createdAt: new Date().toISOString(),
        preset: h.preset,
        hyperparameters: h,
        status: outcome.cancelled ? 'cancelled' : 'complete',
        epochsCompleted: outcome.epochsCompleted,
        backend: backend.name,
        recurrentImplementation: recurrent.name,
        architecture,
        dataset: {
          source: dataset.source.description,
          train: dataset.train.count,
          validation: dataset.validation.count,
          test: dataset.test.count,
          ...(params.limit !== undefined ? { limit: params.limit } : {}),
        },
        history: { batches: outcome.batches, epochs: outcome.epochs },
        ...(test ? { test } : {}),
        timings: { trainingSeconds: outcome.seconds, ...(test ? { evaluationSeconds: test.seconds } : {}) },
      };
      // Saved with the standard layers whatever trained it, so plain TensorFlow.js loads it.
      const saveable = recurrent === standardRecurrentLayers ? model : toStandardModel(model, h);
      let serialized;
      try {
        serialized = await serializeModel(saveable);
      } finally {
        if (saveable !== model) saveable.dispose();
      }
      const { modelJson, weights } = serialized;
      const vocabulary = vocabularyFile(TOKENIZER_VERSION, h.numWords, h.maxlen, dataset.vocabulary.limitedTo(h.numWords).words);
      const runDir = await saveRun(params.runsDir, { record, vocabulary, modelJson, weights });
      return { runDir, record, cancelled: outcome.cancelled };
    } finally {
      model.dispose();
    }
  }

  async evaluate(params: EvaluateParams, context: JobContext): Promise<EvaluateResult> {
    const backend = await initBackend(params.backend, this.environment);
    const { record } = await openRun(params.runDir);
    const h = record.hyperparameters;
    const dataset = await loadDataset(
      params.data,
      { numWords: h.numWords, maxlen: h.maxlen, seed: h.seed, validationSplit: h.validationSplit, limit: params.limit },
      { cacheDir: params.cacheDir, signal: context.signal, onProgress: (p) => context.emit('progress', p) },
    );
    const predictor = await this.predictors.get(params.runDir);
    const metrics = await this.evaluateSplit(predictor.model, dataset.test, h.maxlen, context);
    if (params.save) {
      await updateRunRecord(params.runDir, { ...record, test: metrics, timings: { ...record.timings, evaluationSeconds: metrics.seconds } });
    }
    return { metrics, backend: backend.name };
  }

  async predict(params: PredictParams): Promise<PredictResult> {
    const backend = await initBackend(params.backend, this.environment);
    const started = performance.now();
    const predictor = await this.predictors.get(params.runDir);
    const predictions = await predictor.predict(params.texts);
    return {
      predictions,
      recurrentImplementation: predictor.recurrentImplementation,
      runId: predictor.record.id,
      preset: predictor.record.preset,
      maxlen: predictor.maxlen,
      backend: backend.name,
      milliseconds: performance.now() - started,
    };
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

/** The same weights in a model of standard layers (the fused layers keep Keras' layout and order). */
function toStandardModel(trained: tf.LayersModel, h: RunRecord['hyperparameters']): tf.LayersModel {
  const standard = buildModel(h, standardRecurrentLayers);
  standard.setWeights(trained.getWeights());
  return standard;
}
