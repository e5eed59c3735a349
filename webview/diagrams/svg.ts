/**
 * Building blocks for the diagrams: SVG made with createElementNS, text as
 * real <text> (selectable, themed by CSS classes, read by screen readers
 * through the <title>/<desc> of an svg with role="img"). Colours are never set
 * here: media/dashboard.css maps the classes to VS Code theme variables.
 */
import { applyProps, uniqueId, type Props } from '../util/dom.js';
import { appendMathTspans } from '../util/math-notation.js';

export const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, props?: Props, ...children: (SVGElement | null | false)[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  applyProps(element, props);
  for (const child of children) if (child) element.appendChild(child);
  return element;
}

export interface Diagram {
  root: SVGSVGElement;
  /** Marker id for arrowheads: marker-end="url(#…)". */
  arrowId: string;
  add(...elements: SVGElement[]): void;
}

/**
 * An svg that scales down to fit its column but never up past its drawn size
 * (text would otherwise grow beyond the editor's font size).
 */
export function createDiagram(options: { width: number; height: number; title: string; description: string; className: string }): Diagram {
  const titleId = uniqueId('diagram-title');
  const descId = uniqueId('diagram-desc');
  const arrowId = uniqueId('arrow');
  const root = svg('svg', {
    class: `diagram ${options.className}`,
    viewBox: `0 0 ${options.width} ${options.height}`,
    role: 'img',
    'aria-labelledby': `${titleId} ${descId}`,
    'data-natural-width': options.width,
  });
  root.style.maxWidth = `${options.width}px`;
  const title = svg('title', { id: titleId });
  title.textContent = options.title;
  const desc = svg('desc', { id: descId });
  desc.textContent = options.description;
  const marker = svg(
    'marker',
    // Sized in diagram units, so thick lines (the cell state) do not get oversized heads.
    { id: arrowId, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse', markerUnits: 'userSpaceOnUse' },
    svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }),
  );
  root.append(title, desc, svg('defs', undefined, marker));
  return { root, arrowId, add: (...elements) => root.append(...elements) };
}

/** Text in the equation shorthand ("h_{t−1}"), rendered with real subscripts. */
export function mathText(x: number, y: number, source: string, props: Props = {}): SVGTextElement {
  const text = svg('text', { x, y, ...props });
  appendMathTspans(text, source);
  return text;
}

export function plainText(x: number, y: number, content: string, props: Props = {}): SVGTextElement {
  const text = svg('text', { x, y, ...props });
  text.textContent = content;
  return text;
}

/** A connector with an arrowhead at its end; `d` is SVG path data. */
export function arrow(diagram: Diagram, d: string, className = 'flow'): SVGPathElement {
  return svg('path', { d, class: `connector ${className}`, 'marker-end': `url(#${diagram.arrowId})` });
}

export function line(d: string, className = 'flow'): SVGPathElement {
  return svg('path', { d, class: `connector ${className}` });
}

/** A rounded box with a label centred in it. */
export function box(cx: number, cy: number, width: number, height: number, label: string, className: string): SVGGElement {
  return svg(
    'g',
    { class: className },
    svg('rect', { x: cx - width / 2, y: cy - height / 2, width, height, rx: 4 }),
    mathText(cx, cy, label, { 'text-anchor': 'middle', 'dominant-baseline': 'central' }),
  );
}

/** A pointwise operation (× or +) on a circle, as LSTM diagrams draw them. */
export function operation(cx: number, cy: number, symbol: string, r = 11): SVGGElement {
  return svg(
    'g',
    { class: 'pointwise' },
    svg('circle', { cx, cy, r }),
    plainText(cx, cy, symbol, { 'text-anchor': 'middle', 'dominant-baseline': 'central' }),
  );
}
