/**
 * One prediction: the start of the text, the label (a word and an arrow, not
 * colour alone), the probability on a 0–1 bar with the 0.5 decision threshold
 * marked, which model answered and how fast, how often this model is right
 * on texts this long (from its own stored evaluations), and when the answer
 * deserves caution: a review longer than the model reads, or many unknown words.
 */
import type { DashboardState, PredictionEntry } from '../../src/protocol.js';
import { describeReliability } from '../../src/core/reliability.js';
import { findRun, runShortName } from '../state/selectors.js';
import { h } from '../util/dom.js';
import { button } from './widgets.js';
import { formatDate, formatFraction, formatInteger } from '../util/format.js';
import { NO_KNOWN_WORD, formatPositiveProbability, formatSureness, readingNotes, verdictSymbol } from '../../src/core/verdict.js';

export function predictionCard(state: DashboardState, entry: PredictionEntry, onExplain?: (entry: PredictionEntry) => void): HTMLElement {
  const p = entry.prediction;
  const positive = p.label === 'positive';
  const fill = h('div', { class: 'probability-fill' });
  fill.style.width = `${(Math.min(1, Math.max(0, p.probability)) * 100).toFixed(1)}%`;
  const numWords = findRun(state, entry.runId)?.record.hyperparameters.numWords;
  const notes = readingNotes(p).map((n) => `${n.charAt(0).toUpperCase()}${n.slice(1)}${p.oovCount > 0 && numWords && n.includes('unknown') ? ` (its vocabulary: ${formatInteger(numWords)} words)` : ''}.`);
  const model = runShortName(state, entry.preset, entry.runId);
  const title = p.label === null ? NO_KNOWN_WORD : positive ? 'Positive' : 'Negative';
  const sureness = p.label === null ? 'no answer' : formatSureness(p.probability);

  return h(
    'article',
    { class: `card prediction ${p.label === null ? 'is-unknown' : positive ? 'is-positive' : 'is-negative'}`, 'data-prediction-id': entry.id, 'aria-label': `${title}, ${sureness}` },
    h(
      'header',
      { class: 'prediction-header' },
      h(
        'span',
        { class: 'sentiment', 'data-label': p.label ?? 'none' },
        h('span', { class: 'sentiment-icon', 'aria-hidden': 'true' }, verdictSymbol(p.label)),
        // One text, so it reads (and is read aloud) as one phrase: "Negative, 99.6% sure".
        h('span', undefined, title, p.label === null ? null : h('span', { class: 'sureness' }, `, ${sureness}`)),
      ),
      h(
        'div',
        { class: 'probability', 'data-probability': p.probability },
        h(
          'div',
          {
            class: 'probability-track',
            role: 'meter',
            'aria-valuemin': 0,
            'aria-valuemax': 1,
            'aria-valuenow': p.probability,
            'aria-valuetext': formatPositiveProbability(p.probability),
            'aria-label': 'P(positive)',
            title: `${formatPositiveProbability(p.probability)}; 0.5 and above reads as positive`,
          },
          fill,
          h('div', { class: 'threshold', title: 'Decision threshold 0.5' }),
        ),
        h('span', { class: 'probability-value number', title: 'P(positive)' }, `P(+) ${formatFraction(p.probability)}`),
      ),
    ),
    h('p', { class: 'excerpt', title: entry.excerpt }, entry.excerpt),
    p.reliability
      ? h('p', { class: 'reliability muted', 'data-reliability': p.reliability.accuracy, 'data-basis': p.reliability.basis }, `${capitalise(describeReliability(p.reliability))}.`)
      : null,
    notes.length ? h('ul', { class: 'prediction-notes' }, notes.map((n) => h('li', undefined, n))) : null,
    h(
      'footer',
      { class: 'prediction-meta muted' },
      h('span', { title: entry.runId }, model),
      h('span', undefined, entry.backend),
      h('span', undefined, `${formatInteger(entry.milliseconds)} ms`),
      h('span', undefined, entry.source === 'editor' ? 'from the editor' : 'from the dashboard'),
      h('time', { datetime: entry.at }, formatDate(entry.at)),
      onExplain ? button('Explain', () => onExplain(entry), { name: 'explain', appearance: 'secondary', ariaLabel: `Explain why: ${entry.excerpt.slice(0, 40)}` }) : null,
    ),
  );
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
