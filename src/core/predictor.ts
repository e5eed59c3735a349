/**
 * A trained run loaded for inference: its model and the very encoder its
 * training data went through (same tokenizer, vocabulary, numWords, maxlen).
 */
import type * as tf from '@tensorflow/tfjs';
import { labelOf, type Prediction } from './metrics';
import { buildModel, deserializeModel, standardRecurrentLayers, type RecurrentLayerFactory } from './model';
import { openRun, type RunRecord } from './runs';
import { reliabilityFor } from './short-text';
import { KERAS_TOKENIZER, TOKENIZER_VERSION, tokenizerOf } from './text';
import { LabError } from './errors';
import { explainText, recurrentParts, windowPredictor, type AttributionMethod, type Explanation, type RecurrentParts } from './explain';
import { fusedKernelsAvailable, fusedKernelsError } from './fused';
import { predictRows } from './training';
import { TextEncoder, Vocabulary } from './vocabulary';

export class Predictor {
  /** The model taken apart for explanations (made on the first one). */
  private parts: RecurrentParts | null = null;

  private constructor(
    readonly runDir: string,
    readonly record: RunRecord,
    readonly model: tf.LayersModel,
    readonly encoder: TextEncoder,
    /** 'tfjs-layers' or the fused kernels in use. */
    readonly recurrentImplementation: string,
  ) {}

  /**
   * With a factory other than the standard one (the fused kernels), the saved
   * weights are moved into a model built with its layers: same weights, faster.
   */
  static async load(runDir: string, layers: RecurrentLayerFactory = standardRecurrentLayers): Promise<Predictor> {
    const run = await openRun(runDir);
    const tokenize = tokenizerOf(run.vocabulary);
    if (!tokenize) {
      throw new LabError('corrupt-model', `The model in ${runDir} was trained with tokenizer "${run.vocabulary.tokenizer}", this version has "${TOKENIZER_VERSION}" and "${KERAS_TOKENIZER}".`);
    }
    // An imported model whose layers are not the lab's keeps TensorFlow.js' own layers.
    const fused = layers !== standardRecurrentLayers && (run.record.origin === undefined || run.record.origin.labLayers);
    let model: tf.LayersModel;
    try {
      model = await deserializeModel(run.modelJson, run.weights);
      if (fused) {
        const fast = buildModel(run.record.hyperparameters, layers);
        fast.setWeights(model.getWeights());
        model.dispose();
        model = fast;
      }
    } catch (error) {
      throw new LabError('corrupt-model', `The model in ${runDir} could not be loaded: ${(error as Error).message}`);
    }
    const { numWords, maxlen, words, startChar, oovChar, indexFrom } = run.vocabulary;
    const encoder = new TextEncoder(new Vocabulary(words), numWords, maxlen, tokenize, { startChar, oovChar, indexFrom });
    return new Predictor(runDir, run.record, model, encoder, fused ? layers.name : standardRecurrentLayers.name);
  }

  get maxlen(): number {
    return this.encoder.maxlen;
  }

  async predict(texts: string[]): Promise<Prediction[]> {
    if (texts.length === 0) return [];
    const encoded = texts.map((t) => this.encoder.encode(t));
    const x = new Int32Array(texts.length * this.maxlen);
    encoded.forEach((e, i) => x.set(e.ids, i * this.maxlen));
    const probabilities = await predictRows(this.model, x, texts.length, this.maxlen);
    if (!probabilities.every(Number.isFinite)) throw nonFiniteOutputError(this.runDir);
    return encoded.map((e, i) => ({
      probability: probabilities[i],
      label: e.wordsRead > e.oovCount ? labelOf(probabilities[i]) : null,
      tokenCount: e.tokenCount,
      truncated: e.truncated,
      wordsRead: e.wordsRead,
      oovCount: e.oovCount,
      ...withReliability(this.record, e.tokenCount),
    }));
  }

  /**
   * Why the model decided on `text`: its trace (from the fused kernels, which
   * keep every step), the verdict as it reads and the words' attributions.
   */
  explain(text: string, method: AttributionMethod): Explanation {
    if (!fusedKernelsAvailable()) {
      throw new LabError('backend-unavailable', `Explanations need the fused recurrent kernels, which did not load here${fusedKernelsError() ? ` (${fusedKernelsError()})` : ''}.`);
    }
    this.parts ??= recurrentParts(this.model, this.record.hyperparameters.preset);
    return explainText({ parts: this.parts, encoder: this.encoder, predict: windowPredictor(this.model, this.maxlen), text, method });
  }

  dispose(): void {
    this.parts?.dispose();
    this.model.dispose();
  }
}

/** NaN or infinite weights make NaN predictions: such a model is corrupt, not "negative". */
export function nonFiniteOutputError(runDir: string): LabError {
  return new LabError('corrupt-model', `The model in ${runDir} gives non-finite outputs (NaN or infinite weights): it is corrupt.`);
}

function withReliability(record: RunRecord, words: number): Pick<Prediction, 'reliability'> {
  const reliability = reliabilityFor(record, words);
  return reliability ? { reliability } : {};
}

/** A few loaded models kept warm: loading costs far more than predicting. */
export class PredictorCache {
  private readonly entries = new Map<string, Promise<Predictor>>();

  constructor(
    private readonly layers: () => Promise<RecurrentLayerFactory> = () => Promise.resolve(standardRecurrentLayers),
    private readonly capacity = 3,
  ) {}

  /** Drops a run (its record changed on disk); the next get loads it again. */
  forget(runDir: string): void {
    const entry = this.entries.get(runDir);
    this.entries.delete(runDir);
    void entry?.then((p) => p.dispose(), () => undefined);
  }

  get(runDir: string): Promise<Predictor> {
    const hit = this.entries.get(runDir);
    if (hit) {
      this.entries.delete(runDir);
      this.entries.set(runDir, hit);
      return hit;
    }
    const loading = this.layers().then((layers) => Predictor.load(runDir, layers));
    loading.catch(() => this.entries.delete(runDir));
    this.entries.set(runDir, loading);
    while (this.entries.size > this.capacity) {
      const [oldest, predictor] = this.entries.entries().next().value as [string, Promise<Predictor>];
      this.entries.delete(oldest);
      void predictor.then((p) => p.dispose(), () => undefined);
    }
    return loading;
  }
}
