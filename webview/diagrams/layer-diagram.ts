/**
 * What Keras' model.summary() prints, drawn: one box per layer from input to
 * output with its name, type, output shape and parameter count, and the total.
 * Narrow enough (290 units) to stay legible in the ~300px side bar.
 */
import type { ArchitectureSummary, LayerSummary } from '../../src/core/architecture.js';
import { formatBytes, formatInteger, formatShape } from '../util/format.js';
import { arrow, createDiagram, plainText, svg } from './svg.js';

const WIDTH = 290;
const BOX_X = 4;
const BOX_WIDTH = WIDTH - 2 * BOX_X;
const INPUT_HEIGHT = 30;
const LAYER_HEIGHT = 60;
const GAP = 22;
const TEXT_X = BOX_X + 14;
const RIGHT = BOX_X + BOX_WIDTH - 10;

export function layerDiagram(summary: ArchitectureSummary, modelTitle: string): SVGSVGElement {
  const inputShape = summary.layers[0]?.outputShape.slice(0, 2) ?? [null];
  const height = INPUT_HEIGHT + summary.layers.length * (LAYER_HEIGHT + GAP) + 34;
  const total = `Total params: ${formatInteger(summary.totalParams)} (${formatBytes(summary.totalParams * 4)})`;
  const diagram = createDiagram({
    width: WIDTH,
    height,
    className: 'layer-diagram',
    title: `Layers of the ${modelTitle} model`,
    description: [
      `Input: word indices ${formatShape(inputShape)}`,
      ...summary.layers.map((l) => `${l.name} (${l.type}): output ${formatShape(l.outputShape)}, ${formatInteger(l.params)} params, ${l.detail}`),
      total,
    ].join('. '),
  });

  let y = 0;
  diagram.add(
    svg(
      'g',
      { class: 'layer layer-input', 'data-layer': 'input' },
      svg('rect', { x: BOX_X, y, width: BOX_WIDTH, height: INPUT_HEIGHT, rx: 4 }),
      plainText(TEXT_X, y + INPUT_HEIGHT / 2, 'input · word indices', { 'dominant-baseline': 'central', class: 'layer-name' }),
      plainText(RIGHT, y + INPUT_HEIGHT / 2, formatShape(inputShape), { 'dominant-baseline': 'central', 'text-anchor': 'end', class: 'shape' }),
    ),
  );
  y += INPUT_HEIGHT;

  for (const layer of summary.layers) {
    diagram.add(arrow(diagram, `M${WIDTH / 2},${y + 1} V${y + GAP - 1}`));
    y += GAP;
    diagram.add(layerBox(layer, y));
    y += LAYER_HEIGHT;
  }

  diagram.add(plainText(BOX_X, y + 24, total, { class: 'total' }));
  return diagram.root;
}

function layerBox(layer: LayerSummary, y: number): SVGGElement {
  const type = svg('tspan', { class: 'layer-type' });
  type.textContent = ` (${layer.type})`;
  const name = svg('text', { x: TEXT_X, y: y + 18, class: 'layer-name' });
  name.append(layer.name, type);
  return svg(
    'g',
    { class: `layer layer-${layer.type.toLowerCase()}`, 'data-layer': layer.name, 'data-params': layer.params },
    svg('rect', { x: BOX_X, y, width: BOX_WIDTH, height: LAYER_HEIGHT, rx: 4 }),
    // A coloured edge tells layer kinds apart at a glance; the type is also written out.
    svg('rect', { x: BOX_X, y, width: 4, height: LAYER_HEIGHT, class: 'layer-accent' }),
    name,
    plainText(TEXT_X, y + 35, formatShape(layer.outputShape), { class: 'shape' }),
    plainText(RIGHT, y + 35, `${formatInteger(layer.params)} params`, { 'text-anchor': 'end', class: 'params' }),
    plainText(TEXT_X, y + 51, layer.detail, { class: 'detail' }),
  );
}
