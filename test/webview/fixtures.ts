/**
 * Dashboard states with the shapes the host sends: runs as src/core/runs.ts
 * stores them (per-batch and per-epoch history, test metrics, timings), the
 * presets with their Keras architecture, predictions and a training in
 * progress. Curves follow the tutorial's outcome: the LSTM ends ahead of the
 * SimpleRNN on validation accuracy.
 */
import { describeArchitecture } from '../../src/core/architecture';
import type { BatchMetrics, EpochMetrics, Prediction } from '../../src/core/metrics';
import { PRESETS, PRESET_NAMES, resolveHyperparameters, type Hyperparameters, type PresetName } from '../../src/core/presets';
import type { RunRecord } from '../../src/core/runs';
import type { DashboardState, PredictionEntry, PresetItem, RunItem, TrainingState } from '../../src/protocol';

const TRAIN = 20000;
const VALIDATION = 5000;

/** Deterministic noise, so screenshots and assertions do not vary between runs. */
function noise(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
}

export function batchesOf(h: Hyperparameters, epochs: number, valAccuracy: number[], seed = 1): BatchMetrics[] {
  const perEpoch = Math.ceil(TRAIN / h.batchSize);
  const rand = noise(seed);
  const out: BatchMetrics[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const start = epoch === 1 ? 0.5 : valAccuracy[epoch - 2] + 0.02;
    const end = valAccuracy[epoch - 1] + 0.03;
    for (let batch = 1; batch <= perEpoch; batch++) {
      const progress = batch / perEpoch;
      const accuracy = Math.min(0.99, start + (end - start) * progress + rand() * 0.08);
      out.push({
        epoch,
        epochs: h.epochs,
        batch,
        batchesPerEpoch: perEpoch,
        accuracy,
        loss: Math.max(0.05, 1.25 - accuracy * 1.2 + rand() * 0.06),
        examplesPerSecond: 1800 + rand() * 200,
        etaSeconds: ((h.epochs - epoch) * perEpoch + (perEpoch - batch)) * 0.41,
        elapsedSeconds: ((epoch - 1) * perEpoch + batch) * 0.41,
      });
    }
  }
  return out;
}

/** Epoch means of the batches (as Keras reports them), with the validation accuracy given. */
export function epochsOf(h: Hyperparameters, valAccuracy: number[], batches: BatchMetrics[]): EpochMetrics[] {
  return valAccuracy.map((valAcc, i) => {
    const own = batches.filter((b) => b.epoch === i + 1);
    const mean = (f: (b: BatchMetrics) => number) => own.reduce((sum, b) => sum + f(b), 0) / own.length;
    return {
      epoch: i + 1,
      epochs: h.epochs,
      accuracy: mean((b) => b.accuracy),
      loss: mean((b) => b.loss),
      valAccuracy: valAcc,
      valLoss: Math.max(0.2, 1.08 - valAcc * 0.95 + (i > 3 ? 0.015 : 0)),
      seconds: 62 + i,
      examplesPerSecond: 1850 - i * 10,
    };
  });
}

export interface RunOptions {
  id: string;
  createdAt: string;
  valAccuracy: number[];
  status?: RunRecord['status'];
  test?: number;
  backend?: string;
  recurrentImplementation?: string;
  overrides?: Partial<Hyperparameters>;
  /** The epoch whose weights the run holds; default the last. */
  keptEpoch?: number;
}

export function runRecord(preset: PresetName, o: RunOptions): RunRecord {
  const h = resolveHyperparameters(preset, o.overrides);
  const epochs = o.valAccuracy.length;
  const batches = batchesOf(h, epochs, o.valAccuracy, o.id.length);
  return {
    formatVersion: 1,
    id: o.id,
    createdAt: o.createdAt,
    preset,
    hyperparameters: h,
    status: o.status ?? 'complete',
    epochsCompleted: epochs,
    backend: o.backend ?? 'tensorflow',
    recurrentImplementation: o.recurrentImplementation ?? 'tfjs-layers',
    architecture: describeArchitecture(h),
    dataset: { source: 'aclImdb_v1.tar.gz', train: TRAIN, validation: VALIDATION, test: 25000 },
    history: { batches, epochs: epochsOf(h, o.valAccuracy, batches) },
    keptEpoch: o.keptEpoch ?? epochs,
    test:
      o.test === undefined
        ? undefined
        : {
            accuracy: o.test,
            loss: 1.05 - o.test * 0.9,
            count: 25000,
            confusion: { truePositive: Math.round(12500 * o.test), falseNegative: 12500 - Math.round(12500 * o.test), trueNegative: Math.round(12500 * o.test), falsePositive: 12500 - Math.round(12500 * o.test) },
            seconds: 41,
          },
    timings: { trainingSeconds: epochs * 64, evaluationSeconds: o.test === undefined ? undefined : 41 },
  };
}

export const IDS = {
  lstm: 'lstm_2025-11-26_14-03-22_a41f',
  simple: 'simple-rnn_2025-11-25_10-15-07_7be2',
  bilstm: 'bilstm_2025-11-26_16-40-51_c3d9',
  corrupt: 'lstm_2025-11-20_09-12-44_0c1d',
};

export function presetItems(): PresetItem[] {
  return PRESET_NAMES.map((name) => ({
    name,
    title: PRESETS[name].title,
    description: PRESETS[name].description,
    defaults: PRESETS[name].defaults,
    architecture: describeArchitecture(PRESETS[name].defaults),
  }));
}

export function runItems(): RunItem[] {
  return [
    { ok: true, id: IDS.bilstm, record: runRecord('bilstm', { id: IDS.bilstm, createdAt: '2025-11-26T16:40:51Z', valAccuracy: [0.82, 0.86, 0.87], status: 'cancelled', backend: 'wasm', recurrentImplementation: 'fused-wasm' }) },
    { ok: true, id: IDS.lstm, record: runRecord('lstm', { id: IDS.lstm, createdAt: '2025-11-26T14:03:22Z', valAccuracy: [0.8, 0.85, 0.87, 0.875, 0.88], test: 0.871, keptEpoch: 4 }) },
    { ok: true, id: IDS.simple, record: runRecord('simple-rnn', { id: IDS.simple, createdAt: '2025-11-25T10:15:07Z', valAccuracy: [0.7, 0.76, 0.8, 0.83, 0.84], test: 0.832 }) },
    {
      ok: false,
      id: IDS.corrupt,
      problems: ['weights.bin has 1024 bytes, the manifest expects 1348100 (truncated or overwritten)', 'vocabulary.json is missing'],
    },
  ];
}

export function prediction(o: {
  id: string;
  at: string;
  probability: number;
  excerpt: string;
  tokenCount?: number;
  oovCount?: number;
  maxlen?: number;
  runId?: string;
  preset?: PresetName;
  source?: PredictionEntry['source'];
  reliability?: Prediction['reliability'];
}): PredictionEntry {
  const maxlen = o.maxlen ?? 500;
  const tokenCount = o.tokenCount ?? 120;
  return {
    id: o.id,
    at: o.at,
    excerpt: o.excerpt,
    prediction: {
      probability: o.probability,
      label: o.probability >= 0.5 ? 'positive' : 'negative',
      tokenCount,
      truncated: tokenCount > maxlen,
      wordsRead: Math.min(tokenCount, maxlen),
      oovCount: o.oovCount ?? 3,
      ...(o.reliability ? { reliability: o.reliability } : {}),
    },
    runId: o.runId ?? IDS.lstm,
    preset: o.preset ?? 'lstm',
    maxlen,
    backend: 'tensorflow',
    milliseconds: 38,
    source: o.source ?? 'editor',
  };
}

export function predictionEntries(): PredictionEntry[] {
  return [
    prediction({
      id: 'p-2',
      at: '2025-11-26T15:10:00Z',
      probability: 0.934,
      tokenCount: 812,
      excerpt:
        'This film is a quiet triumph. The performances are restrained and honest, the photography is gorgeous, and the score knows when to stay silent. I went in expecting a standard period drama and came out moved; the last twenty minutes in particular are as good as anything I have seen this year, and the supporting cast deserves every award it gets.',
    }),
    prediction({
      id: 'p-1',
      at: '2025-11-26T15:02:00Z',
      probability: 0.081,
      tokenCount: 40,
      oovCount: 14,
      source: 'dashboard',
      runId: IDS.simple,
      preset: 'simple-rnn',
      excerpt: 'Utter dreck. Flimflam plotting, gobbledygook dialogue and a runtime that never ends.',
    }),
  ];
}

/** The LSTM training of the tests: its first two epochs' batches and epochs, of which a state holds the first `batchCount`. */
export function liveTraining(): { hyperparameters: Hyperparameters; batches: BatchMetrics[]; epochs: EpochMetrics[] } {
  const h = resolveHyperparameters('lstm');
  const batches = batchesOf(h, 2, [0.8, 0.85], 7);
  return { hyperparameters: h, batches, epochs: epochsOf(h, [0.8, 0.85], batches) };
}

export function trainingState(batchCount: number, phase: TrainingState['phase'] = 'training'): TrainingState {
  const { hyperparameters: h, batches } = liveTraining();
  return {
    preset: 'lstm',
    hyperparameters: h,
    architecture: describeArchitecture(h),
    phase,
    startedAt: '2025-11-26T17:00:00Z',
    backend: 'tensorflow',
    recurrentImplementation: 'fused-wasm',
    batches: batches.slice(0, batchCount),
    epochs: [],
    cancelling: false,
  };
}

export function dashboardState(overrides: Partial<DashboardState> = {}): DashboardState {
  return {
    presets: presetItems(),
    runs: runItems(),
    activeRunId: IDS.lstm,
    predictions: predictionEntries(),
    backendSetting: 'auto',
    ...overrides,
  };
}
