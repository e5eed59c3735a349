/**
 * Faithfulness of word attributions, as ERASER's comprehensiveness (DeYoung
 * et al., 2020): delete the words an attribution method ranks highest for
 * the predicted class and see how far that class's probability falls,
 * against deleting as many words picked at random. A method that finds the
 * words the model relies on makes the first drop larger.
 */
import seedrandom from 'seedrandom';
import { labelOf } from '../metrics';
import { padSequence, PAD_VALUE } from '../vocabulary';
import { integratedGradients, occlusion, type WindowPredictor } from './attributions';
import type { RecurrentParts } from './recurrent-parts';
import type { AttributionMethod } from './types';

export interface FaithfulnessOptions {
  parts: RecurrentParts;
  predict: WindowPredictor;
  /** Padded windows [count, maxlen], row-major (as the dataset encodes reviews). */
  windows: Int32Array;
  count: number;
  maxlen: number;
  method: AttributionMethod;
  /** Share of each review's words deleted (at least one). */
  fraction?: number;
  seed?: number;
}

export interface Faithfulness {
  method: AttributionMethod;
  reviews: number;
  /** Mean fall of the predicted class's probability when the top-ranked words go. */
  topDrop: number;
  /** The same when as many random words go. */
  randomDrop: number;
  /** topDrop / randomDrop. */
  ratio: number;
}

/** The window with the given positions deleted and padded again. */
function without(window: Int32Array, deleted: Set<number>, maxlen: number): Int32Array {
  return padSequence(window.filter((id, t) => id !== PAD_VALUE && !deleted.has(t)), maxlen);
}

export function measureFaithfulness({ parts, predict, windows, count, maxlen, method, fraction = 0.1, seed = 1 }: FaithfulnessOptions): Faithfulness {
  const random = seedrandom.alea(String(seed));
  let topDrop = 0;
  let randomDrop = 0;
  let reviews = 0;
  for (let r = 0; r < count; r++) {
    const window = windows.subarray(r * maxlen, (r + 1) * maxlen);
    const padding = window.findIndex((id) => id !== PAD_VALUE);
    if (padding < 0) continue;
    const positions = Array.from({ length: maxlen - padding }, (_, k) => padding + k);
    if (positions.length < 2) continue;
    const probability = predict(window, 1)[0];
    const sign = labelOf(probability) === 'positive' ? 1 : -1;
    let scores: ArrayLike<number>;
    if (method === 'ig') scores = integratedGradients(parts, window).values.subarray(padding);
    else scores = occlusion(predict, window.subarray(padding), maxlen, probability).replaced;
    const k = Math.max(1, Math.round(fraction * positions.length));
    const ranked = positions.map((t, i) => ({ t, score: sign * scores[i] })).sort((a, b) => b.score - a.score);
    const top = new Set(ranked.slice(0, k).map((e) => e.t));
    const shuffled = positions.slice();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const picked = new Set(shuffled.slice(0, k));
    const variants = new Int32Array(2 * maxlen);
    variants.set(without(window, top, maxlen), 0);
    variants.set(without(window, picked, maxlen), maxlen);
    const [pTop, pRandom] = predict(variants, 2);
    topDrop += sign * (probability - pTop);
    randomDrop += sign * (probability - pRandom);
    reviews++;
  }
  topDrop /= Math.max(reviews, 1);
  randomDrop /= Math.max(reviews, 1);
  return { method, reviews, topDrop, randomDrop, ratio: topDrop / randomDrop };
}
