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
import { formatDate, formatFraction, formatInteger } from '../util/format.js';

/** Share of unknown words above which the prediction rests on little of the text. */
const MANY_UNKNOWN = 0.2;

export function predictionCard(state: DashboardState, entry: PredictionEntry): HTMLElement {
  const p = entry.prediction;
  const positive = p.label === 'positive';
  const fill = h('div', { class: 'probability-fill' });
  fill.style.width = `${(Math.min(1, Math.max(0, p.probability)) * 100).toFixed(1)}%`;
  const notes: string[] = [];
  if (p.truncated) {
    notes.push(`Only the last ${formatInteger(entry.maxlen - 1)} words were read; the text has ${formatInteger(p.tokenCount)}.`);
  }
  if (p.oovCount > 0 && p.tokenCount > 0 && p.oovCount / p.tokenCount >= MANY_UNKNOWN) {
    const numWords = findRun(state, entry.runId)?.record.hyperparameters.numWords;
    const vocabulary = numWords ? `the model’s ${formatInteger(numWords)}-word vocabulary` : 'the model’s vocabulary';
    notes.push(`${formatInteger(p.oovCount)} of ${formatInteger(p.tokenCount)} words are outside ${vocabulary}; the answer rests on the others.`);
  }
  const model = runShortName(state, entry.preset, entry.runId);

  return h(
    'article',
    { class: `card prediction ${positive ? 'is-positive' : 'is-negative'}`, 'data-prediction-id': entry.id, 'aria-label': `${positive ? 'Positive' : 'Negative'}, probability ${formatFraction(p.probability)}` },
    h(
      'header',
      { class: 'prediction-header' },
      h('span', { class: 'sentiment', 'data-label': p.label }, h('span', { class: 'sentiment-icon', 'aria-hidden': 'true' }, positive ? '▲' : '▼'), positive ? 'Positive' : 'Negative'),
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
            'aria-valuetext': `${formatFraction(p.probability)}: probability the review is positive`,
            'aria-label': 'Probability positive',
          },
          fill,
          h('div', { class: 'threshold', title: 'Decision threshold 0.5' }),
        ),
        h('span', { class: 'probability-value number' }, formatFraction(p.probability)),
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
    ),
  );
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
