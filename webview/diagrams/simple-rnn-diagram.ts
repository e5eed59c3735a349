/**
 * The SimpleRNN unrolled in time, as the tutorial draws it: inputs x feed
 * hidden states s through U, each state feeds the next through W, and only
 * the last state s_T reaches the output through V (a many-to-one model: one
 * sentiment per review).
 */
import type { Hyperparameters } from '../../src/core/presets.js';
import { formatInteger } from '../util/format.js';
import { headEquations, headSummary, type CellExplanation } from './model-head.js';
import { arrow, box, createDiagram, mathText, plainText, svg } from './svg.js';

const COLUMNS = [
  { cx: 150, step: 't−1' },
  { cx: 260, step: 't' },
  { cx: 370, step: 't+1' },
  { cx: 530, step: 'T' },
];
const OUTPUT_Y = 40;
const STATE_Y = 140;
const INPUT_Y = 222;
const R = 22;

export function simpleRnnDiagram(h: Hyperparameters): SVGSVGElement {
  const d = createDiagram({
    width: 600,
    height: 270,
    className: 'cell-diagram simple-rnn',
    title: `SimpleRNN unrolled over ${h.maxlen} time steps, ${h.units} units`,
    description:
      `Inputs x_t (${h.embeddingDim}-dimensional word embeddings) enter hidden states s_t (${h.units} units) through U; ` +
      `each state passes to the next through W; the last state s_T goes through V to the output o. ` +
      simpleRnnExplanation(h).equations.map((e) => `${e.formula} (${e.sizes})`).join('; '),
  });

  // Row captions in the left margin, with this model's sizes.
  const caption = (y: number, name: string, size: string) =>
    svg('g', { class: 'row-caption' }, plainText(8, y - 4, name), plainText(8, y + 12, size, { class: 'muted' }));
  d.add(caption(OUTPUT_Y, 'output', '1 unit, σ'), caption(STATE_Y, 'hidden s', `${h.units} units`), caption(INPUT_Y, 'input x', `${h.embeddingDim}-d word`));

  // Recurrence W: from the state before t−1, between states, and across the elided steps.
  d.add(arrow(d, `M96,${STATE_Y} H${COLUMNS[0].cx - R - 2}`));
  for (let i = 0; i + 1 < COLUMNS.length; i++) {
    const from = COLUMNS[i].cx + R + 2;
    const to = COLUMNS[i + 1].cx - R - 2;
    const skipped = i + 2 === COLUMNS.length;
    d.add(arrow(d, `M${from},${STATE_Y} H${to}`, skipped ? 'flow elided' : 'flow'));
    d.add(mathText((from + to) / 2, STATE_Y - 8, skipped ? 'W …' : 'W', { 'text-anchor': 'middle', class: 'weight' }));
  }

  for (const { cx, step } of COLUMNS) {
    const last = step === 'T';
    d.add(box(cx, INPUT_Y, 56, 28, `x_{${step}}`, 'node input'));
    d.add(arrow(d, `M${cx},${INPUT_Y - 14} V${STATE_Y + R + 2}`));
    d.add(mathText(cx + 7, (INPUT_Y - 14 + STATE_Y + R) / 2 + 4, 'U', { class: 'weight' }));
    d.add(svg('g', { class: 'node state' }, svg('circle', { cx, cy: STATE_Y, r: R }), mathText(cx, STATE_Y, `s_{${step}}`, { 'text-anchor': 'middle', 'dominant-baseline': 'central' })));
    d.add(plainText(cx, INPUT_Y + 34, last ? `T = ${formatInteger(h.maxlen)}` : step, { 'text-anchor': 'middle', class: 'muted time' }));
    if (last) {
      d.add(arrow(d, `M${cx},${STATE_Y - R - 2} V${OUTPUT_Y + 16}`));
      d.add(mathText(cx + 7, (STATE_Y - R + OUTPUT_Y + 14) / 2 + 4, 'V', { class: 'weight' }));
      d.add(box(cx, OUTPUT_Y, 56, 28, 'o', 'node output'));
      d.add(plainText(cx - 38, OUTPUT_Y + 4, headSummary(h), { 'text-anchor': 'end', class: 'muted' }));
    }
  }
  return d.root;
}

export function simpleRnnExplanation(h: Hyperparameters): CellExplanation {
  const recurrent = h.units * (h.embeddingDim + h.units + 1);
  return {
    equations: [
      { formula: 's_t = tanh(U·x_t + W·s_{t−1} + b)', sizes: `U: ${h.units}×${h.embeddingDim}, W: ${h.units}×${h.units}, b: ${h.units}` },
      { formula: 's_0 = 0,  t = 1 … T', sizes: `T = maxlen = ${formatInteger(h.maxlen)}; x_t: ${h.embeddingDim}-d embedding of word t` },
      ...headEquations(h, 's_T'),
    ],
    parameters: `Recurrent layer: ${h.units}·(${h.embeddingDim} + ${h.units} + 1) = ${formatInteger(recurrent)} parameters (U, W and b).`,
  };
}
