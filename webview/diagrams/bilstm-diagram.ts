/**
 * The Bi-LSTM: two LSTM chains over the same embedded review, one reading it
 * forwards and one backwards. Keras' Bidirectional wrapper keeps the last
 * output of each direction (h→ after word T, h← after word 1) and
 * concatenates them, doubling the features the head sees.
 */
import type { Hyperparameters } from '../../src/core/presets.js';
import { formatInteger } from '../util/format.js';
import { headEquations, headSummary, type CellExplanation } from './model-head.js';
import { arrow, box, createDiagram, mathText, plainText, svg } from './svg.js';

const COLUMNS = [
  { cx: 140, step: '1' },
  { cx: 240, step: '2' },
  { cx: 420, step: 'T' },
];
const FORWARD_Y = 60;
const INPUT_Y = 150;
const BACKWARD_Y = 240;
const BOX_W = 64;
const HALF = BOX_W / 2;

export function bilstmDiagram(h: Hyperparameters): SVGSVGElement {
  const d = createDiagram({
    width: 600,
    height: 300,
    className: 'cell-diagram bilstm',
    title: `Bidirectional LSTM over ${h.maxlen} time steps, ${h.units} units per direction`,
    description:
      `A forward LSTM reads x_1 … x_T, a backward LSTM reads x_T … x_1 (${h.units} units each, T = ${h.maxlen}). ` +
      `Their final outputs are concatenated into ${2 * h.units} features. ` +
      bilstmExplanation(h).equations.map((e) => `${e.formula} (${e.sizes})`).join('; '),
  });

  const caption = (y: number, name: string, size: string) =>
    svg('g', { class: 'row-caption' }, plainText(8, y - 4, name), plainText(8, y + 12, size, { class: 'muted' }));
  d.add(caption(FORWARD_Y, 'forward', `LSTM, ${h.units} units`), caption(INPUT_Y, 'input x', `${h.embeddingDim}-d word`), caption(BACKWARD_Y, 'backward', `LSTM, ${h.units} units`));

  for (let i = 0; i + 1 < COLUMNS.length; i++) {
    const from = COLUMNS[i].cx + HALF + 2;
    const to = COLUMNS[i + 1].cx - HALF - 2;
    const elided = i + 2 === COLUMNS.length ? 'flow elided' : 'flow';
    d.add(arrow(d, `M${from},${FORWARD_Y} H${to}`, `${elided} forward`));
    d.add(mathText((from + to) / 2, FORWARD_Y - 8, elided === 'flow' ? 'h→' : 'h→ …', { 'text-anchor': 'middle', class: 'weight' }));
    d.add(arrow(d, `M${to},${BACKWARD_Y} H${from}`, `${elided} backward`));
    d.add(mathText((from + to) / 2, BACKWARD_Y - 8, elided === 'flow' ? 'h←' : 'h← …', { 'text-anchor': 'middle', class: 'weight' }));
  }

  for (const { cx, step } of COLUMNS) {
    d.add(box(cx, FORWARD_Y, BOX_W, 34, 'LSTM →', 'node state forward'));
    d.add(box(cx, INPUT_Y, 56, 28, `x_${step}`, 'node input'));
    d.add(box(cx, BACKWARD_Y, BOX_W, 34, '← LSTM', 'node state backward'));
    d.add(arrow(d, `M${cx},${INPUT_Y - 14} V${FORWARD_Y + 19}`));
    d.add(arrow(d, `M${cx},${INPUT_Y + 14} V${BACKWARD_Y - 19}`));
  }
  d.add(plainText(COLUMNS[2].cx - 36, INPUT_Y + 4, `T = ${formatInteger(h.maxlen)}`, { 'text-anchor': 'end', class: 'muted' }));

  // Merge: forward's last output (after x_T) and backward's last output (after x_1).
  const mergeX = 525;
  d.add(arrow(d, `M${COLUMNS[2].cx + HALF + 2},${FORWARD_Y} H${mergeX} V${INPUT_Y - 24}`, 'flow forward'));
  d.add(mathText(COLUMNS[2].cx + HALF + 10, FORWARD_Y - 8, 'h→_T', { class: 'signal' }));
  d.add(arrow(d, `M${COLUMNS[0].cx - HALF - 2},${BACKWARD_Y} H96 V284 H${mergeX} V${INPUT_Y + 24}`, 'flow backward'));
  d.add(mathText(COLUMNS[0].cx + 10, 280, 'h←_1', { class: 'signal' }));
  d.add(
    svg(
      'g',
      { class: 'node merge' },
      svg('rect', { x: mergeX - 46, y: INPUT_Y - 22, width: 92, height: 44, rx: 4 }),
      plainText(mergeX, INPUT_Y - 6, 'concatenate', { 'text-anchor': 'middle' }),
      plainText(mergeX, INPUT_Y + 12, `2·${h.units} = ${2 * h.units}`, { 'text-anchor': 'middle', class: 'muted' }),
    ),
  );
  d.add(plainText(mergeX, INPUT_Y + 42, `→ ${headSummary(h).split(' → ')[0]}`, { 'text-anchor': 'middle', class: 'muted' }));
  return d.root;
}

export function bilstmExplanation(h: Hyperparameters): CellExplanation {
  const perDirection = 4 * h.units * (h.embeddingDim + h.units + 1);
  return {
    equations: [
      { formula: 'h→_t = LSTM_{fwd}(x_t, h→_{t−1}),  t = 1 … T', sizes: `h→_t: ${h.units}` },
      { formula: 'h←_t = LSTM_{bwd}(x_t, h←_{t+1}),  t = T … 1', sizes: `h←_t: ${h.units}; T = ${formatInteger(h.maxlen)}` },
      { formula: 'h = [h→_T ; h←_1]', sizes: `2·${h.units} = ${2 * h.units}` },
      ...headEquations(h, 'h'),
    ],
    parameters: `Bidirectional: 2 × 4·${h.units}·(${h.embeddingDim} + ${h.units} + 1) = 2 × ${formatInteger(perDirection)} = ${formatInteger(2 * perDirection)} parameters; each direction is the LSTM cell below, with its own weights.`,
  };
}
