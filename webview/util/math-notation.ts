/**
 * Equations are written once in a TeX-like shorthand ("h_{t−1}", "ℝ^{64}")
 * and rendered as real, selectable text: <sub>/<sup> in HTML, shifted
 * <tspan>s in SVG. The shorthand itself doubles as the plain-text form for
 * accessible names.
 */
import { h } from './dom.js';

export interface MathPart {
  text: string;
  shift: 'none' | 'sub' | 'super';
}

/** Splits "W_f·[h_{t−1}, x_t]" into runs of normal, subscript and superscript text. */
export function parseMath(source: string): MathPart[] {
  const parts: MathPart[] = [];
  const push = (text: string, shift: MathPart['shift']) => {
    if (!text) return;
    const last = parts[parts.length - 1];
    if (last && last.shift === shift) last.text += text;
    else parts.push({ text, shift });
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if ((c === '_' || c === '^') && i + 1 < source.length) {
      const shift = c === '_' ? 'sub' : 'super';
      if (source[i + 1] === '{') {
        const end = source.indexOf('}', i + 2);
        const stop = end === -1 ? source.length : end;
        push(source.slice(i + 2, stop), shift);
        i = stop + 1;
      } else {
        // A single character, keeping a combining mark (the tilde of C̃) with its base.
        const next = /^.\p{M}*/u.exec(source.slice(i + 1))?.[0] ?? source[i + 1];
        push(next, shift);
        i += 1 + next.length;
      }
    } else {
      push(c, 'none');
      i += 1;
    }
  }
  return parts;
}

/** An inline HTML rendering: <span class="math">f<sub>t</sub> = …</span>. */
export function mathHtml(source: string, className = 'math'): HTMLElement {
  const span = h('span', { class: className, 'aria-label': source });
  for (const part of parseMath(source)) {
    if (part.shift === 'sub') span.append(h('sub', { 'aria-hidden': 'true' }, part.text));
    else if (part.shift === 'super') span.append(h('sup', { 'aria-hidden': 'true' }, part.text));
    else span.append(h('span', { 'aria-hidden': 'true' }, part.text));
  }
  return span;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Fills an SVG <text> with tspans; baseline-shift leaves the text after a subscript on the baseline. */
export function appendMathTspans(text: SVGTextElement, source: string): void {
  for (const part of parseMath(source)) {
    if (part.shift === 'none') {
      text.appendChild(document.createTextNode(part.text));
    } else {
      const tspan = document.createElementNS(SVG_NS, 'tspan');
      tspan.setAttribute('class', part.shift === 'sub' ? 'sub' : 'sup');
      tspan.setAttribute('baseline-shift', part.shift);
      tspan.textContent = part.text;
      text.appendChild(tspan);
    }
  }
}
