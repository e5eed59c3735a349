/**
 * The layer table Keras' `model.summary()` prints, derived from the
 * hyperparameters by arithmetic. It needs no TensorFlow, so the dashboard can
 * draw a model before any backend loads; a unit test holds it equal to what
 * TensorFlow.js itself builds.
 */
import type { Hyperparameters } from './presets';
import { recurrentLayerOf } from './preset-names';
import { formatCount } from './format';

export type LayerType = 'Embedding' | 'SimpleRNN' | 'LSTM' | 'Bidirectional' | 'Dense' | 'Dropout';

export interface LayerSummary {
  name: string;
  type: LayerType;
  /** Keras' notation: null stands for the batch dimension. */
  outputShape: (number | null)[];
  params: number;
  /** What a diagram needs to say about the layer (units, activation, rate, wrapped cell). */
  detail: string;
}

export interface ArchitectureSummary {
  preset: Hyperparameters['preset'];
  layers: LayerSummary[];
  totalParams: number;
}

export function describeArchitecture(h: Hyperparameters): ArchitectureSummary {
  const layers: LayerSummary[] = [];
  const add = (layer: LayerSummary) => layers.push(layer);

  add({
    name: 'embedding',
    type: 'Embedding',
    outputShape: [null, h.maxlen, h.embeddingDim],
    params: h.numWords * h.embeddingDim,
    detail: `${h.numWords} words → ${h.embeddingDim} dims`,
  });

  const lstmParams = 4 * h.units * (h.embeddingDim + h.units + 1);
  let features: number;
  if (recurrentLayerOf(h.preset) === 'simple-rnn') {
    add({
      name: 'simple_rnn',
      type: 'SimpleRNN',
      outputShape: [null, h.units],
      params: h.units * (h.embeddingDim + h.units + 1),
      detail: `${h.units} units, tanh`,
    });
    features = h.units;
  } else if (recurrentLayerOf(h.preset) === 'lstm') {
    add({
      name: 'lstm',
      type: 'LSTM',
      outputShape: [null, h.units],
      params: lstmParams,
      detail: `${h.units} units, tanh / sigmoid gates`,
    });
    features = h.units;
  } else {
    add({
      name: 'bidirectional',
      type: 'Bidirectional',
      outputShape: [null, 2 * h.units],
      params: 2 * lstmParams,
      detail: `LSTM(${h.units}) forward + backward, concatenated`,
    });
    features = 2 * h.units;
  }

  if (h.denseUnits > 0) {
    add({
      name: 'dense',
      type: 'Dense',
      outputShape: [null, h.denseUnits],
      params: features * h.denseUnits + h.denseUnits,
      detail: `${h.denseUnits} units, relu`,
    });
    features = h.denseUnits;
    if (h.dropout > 0) {
      add({ name: 'dropout', type: 'Dropout', outputShape: [null, h.denseUnits], params: 0, detail: `rate ${h.dropout}` });
    }
  }
  add({
    name: h.denseUnits > 0 ? 'dense_1' : 'dense',
    type: 'Dense',
    outputShape: [null, 1],
    params: features + 1,
    detail: '1 unit, sigmoid',
  });

  return { preset: h.preset, layers, totalParams: layers.reduce((sum, l) => sum + l.params, 0) };
}

export function formatShape(shape: (number | null)[]): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')})`;
}

/** The summary as a plain-text table, laid out like Keras prints it. */
export function formatArchitectureTable(summary: ArchitectureSummary): string {
  const rows = summary.layers.map((l) => [`${l.name} (${l.type})`, formatShape(l.outputShape), formatCount(l.params)]);
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 3);
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('').trimEnd();
  const rule = '_'.repeat(widths.reduce((a, b) => a + b, 0));
  return [
    `Model: "${summary.preset}"`,
    rule,
    line(header),
    '='.repeat(rule.length),
    ...rows.map(line),
    '='.repeat(rule.length),
    `Total params: ${formatCount(summary.totalParams)}`,
  ].join('\n');
}
