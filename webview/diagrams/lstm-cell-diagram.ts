/**
 * One LSTM step as the tutorial explains it: the cell state C runs along the
 * top, scaled by the forget gate f_t and topped up by the input gate i_t times
 * the candidate C̃_t; the output gate o_t decides how much of tanh(C_t)
 * becomes h_t. The gates read [h_{t−1}, x_t] from the bus along the bottom.
 */
import type { Hyperparameters } from '../../src/core/presets.js';
import { formatInteger } from '../util/format.js';
import { headEquations, headSummary, type CellExplanation } from './model-head.js';
import { arrow, box, createDiagram, line, mathText, operation, plainText, svg } from './svg.js';
import { recurrentLayerOf } from '../../src/core/preset-names.js';

const CELL_Y = 62;
const GATE_Y = 180;
const BUS_Y = 235;
const GATES = [
  { cx: 170, fn: 'σ', name: 'f_t', label: 'forget gate' },
  { cx: 230, fn: 'σ', name: 'i_t', label: 'input gate' },
  { cx: 300, fn: 'tanh', name: 'C̃_t', label: 'candidate' },
  { cx: 370, fn: 'σ', name: 'o_t', label: 'output gate' },
] as const;

export function lstmCellDiagram(h: Hyperparameters, options: { direction?: string } = {}): SVGSVGElement {
  const concat = h.units + h.embeddingDim;
  const which = options.direction ? `${options.direction} ` : '';
  const d = createDiagram({
    width: 600,
    height: 300,
    className: 'cell-diagram lstm-cell',
    title: `LSTM cell of the ${which}recurrent layer, ${h.units} units`,
    description:
      `The cell state C runs along the top. Gates read [h_{t−1}, x_t] (${h.units} + ${h.embeddingDim} = ${concat} values): ` +
      'forget gate f_t (sigmoid) scales C_{t−1}; input gate i_t (sigmoid) times candidate C̃_t (tanh) is added; ' +
      'output gate o_t (sigmoid) times tanh(C_t) gives h_t. ' +
      lstmExplanation(h).equations.map((e) => `${e.formula} (${e.sizes})`).join('; '),
  });

  d.add(svg('rect', { x: 90, y: 30, width: 380, height: 230, rx: 10, class: 'cell-body' }));

  // Cell state line, left to right; the operations drawn on it later cover it.
  d.add(arrow(d, `M20,${CELL_Y} H580`, 'flow cell-state'));
  d.add(mathText(20, CELL_Y - 10, 'C_{t−1}', { class: 'signal' }));
  d.add(mathText(580, CELL_Y - 10, 'C_t', { 'text-anchor': 'end', class: 'signal' }));
  d.add(plainText(235, CELL_Y - 10, `cell state · ${h.units} units`, { 'text-anchor': 'middle', class: 'muted' }));

  // Bus carrying [h_{t−1}, x_t] to every gate.
  d.add(line(`M20,${BUS_Y} H${GATES[3].cx}`, 'flow bus'));
  d.add(mathText(20, BUS_Y - 8, 'h_{t−1}', { class: 'signal' }));
  d.add(line(`M120,292 V${BUS_Y}`, 'flow bus'));
  d.add(svg('circle', { cx: 120, cy: BUS_Y, r: 3, class: 'junction' }));
  d.add(mathText(128, 290, 'x_t', { class: 'signal' }));
  d.add(mathText(150, BUS_Y + 18, `[h_{t−1}, x_t]: ${h.units} + ${h.embeddingDim} = ${concat}`, { class: 'muted' }));

  for (const gate of GATES) {
    d.add(arrow(d, `M${gate.cx},${BUS_Y} V${GATE_Y + 16}`));
    d.add(box(gate.cx, GATE_Y, gate.fn === 'tanh' ? 46 : 34, 28, gate.fn, `gate ${gate.fn === 'tanh' ? 'tanh' : 'sigmoid'}`));
  }

  // Forget: f_t scales the old cell state.
  d.add(arrow(d, `M170,${GATE_Y - 14} V${CELL_Y + 13}`));
  d.add(mathText(176, 130, 'f_t', { class: 'gate-name' }));
  // Input: i_t × C̃_t, added to the cell state.
  d.add(arrow(d, `M230,${GATE_Y - 14} V112 H287`));
  d.add(mathText(236, 150, 'i_t', { class: 'gate-name' }));
  d.add(arrow(d, `M300,${GATE_Y - 14} V125`));
  d.add(mathText(306, 152, 'C̃_t', { class: 'gate-name' }));
  d.add(arrow(d, `M300,101 V${CELL_Y + 13}`));
  // Output: o_t × tanh(C_t) becomes h_t.
  d.add(line(`M430,${CELL_Y} V98`));
  d.add(arrow(d, `M430,122 V167`));
  d.add(arrow(d, `M${GATES[3].cx + 17},${GATE_Y} H417`));
  d.add(mathText(393, GATE_Y + 18, 'o_t', { class: 'gate-name' }));
  d.add(arrow(d, `M430,193 V${BUS_Y} H580`, 'flow hidden'));
  d.add(mathText(580, BUS_Y - 8, 'h_t', { 'text-anchor': 'end', class: 'signal' }));
  d.add(mathText(580, BUS_Y + 18, `${h.units} units; h_T → ${headSummary(h).split(' → ')[0]}`, { 'text-anchor': 'end', class: 'muted' }));

  d.add(operation(170, CELL_Y, '×'), operation(300, CELL_Y, '+'), operation(300, 112, '×'), operation(430, GATE_Y, '×'));
  d.add(svg('g', { class: 'gate tanh' }, svg('ellipse', { cx: 430, cy: 110, rx: 22, ry: 12 }), plainText(430, 110, 'tanh', { 'text-anchor': 'middle', 'dominant-baseline': 'central' })));
  return d.root;
}

export function lstmExplanation(h: Hyperparameters, state = 'h_T'): CellExplanation {
  const concat = h.units + h.embeddingDim;
  const gate = `${h.units}×${concat}`;
  const perDirection = 4 * h.units * (h.embeddingDim + h.units + 1);
  return {
    equations: [
      { formula: 'f_t = σ(W_f·[h_{t−1}, x_t] + b_f)', sizes: `W_f: ${gate}, b_f: ${h.units}` },
      { formula: 'i_t = σ(W_i·[h_{t−1}, x_t] + b_i)', sizes: `W_i: ${gate}, b_i: ${h.units}` },
      { formula: 'C̃_t = tanh(W_C·[h_{t−1}, x_t] + b_C)', sizes: `W_C: ${gate}, b_C: ${h.units}` },
      { formula: 'C_t = f_t ⊙ C_{t−1} + i_t ⊙ C̃_t', sizes: `C_t: ${h.units}` },
      { formula: 'o_t = σ(W_o·[h_{t−1}, x_t] + b_o)', sizes: `W_o: ${gate}, b_o: ${h.units}` },
      { formula: 'h_t = o_t ⊙ tanh(C_t)', sizes: `h_t: ${h.units}; t = 1 … ${formatInteger(h.maxlen)}` },
      ...(recurrentLayerOf(h.preset) === 'lstm' ? headEquations(h, state) : []),
    ],
    parameters: `LSTM: 4·${h.units}·(${h.embeddingDim} + ${h.units} + 1) = ${formatInteger(perDirection)} parameters (four gates, each with W and b).`,
  };
}
