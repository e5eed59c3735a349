/**
 * Keeping the best epoch, the short-text set, short windows in training and
 * the reliability a prediction reports: on real TensorFlow.js models (cpu
 * backend) and small made-up reviews whose contents the assertions can check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import type { EncodedSplit } from '../../src/core/dataset';
import { BestWeights } from '../../src/core/keep-best';
import type { EpochMetrics } from '../../src/core/metrics';
import { buildModel, compileModel } from '../../src/core/model';
import { resolveHyperparameters } from '../../src/core/presets';
import { LENGTH_BANDS, buildShortTextSet, describeReliability, reliabilityFor, summariseShortText, type ShortTextEvaluation } from '../../src/core/short-text';
import { sentencesOf } from '../../src/core/sentences';
import { tokenize } from '../../src/core/text';
import { epochWindows, fitModel, trainingBatch, trainingRows } from '../../src/core/training';
import { START_CHAR, TextEncoder } from '../../src/core/vocabulary';
import { encodeSplit } from '../../src/core/dataset';
import { corpusFrom } from '../../src/core/dataset/reviews';
import { tokenizeCorpus } from '../../src/core/dataset/tokenized';
import seedrandom from 'seedrandom';

const MAXLEN = 24;

/** Rows of a made-up corpus: words 10..29 mean positive, 30..49 negative, from minLength words to maxlen - 1. */
function madeUpSplit(count: number, seed: string, maxlen = MAXLEN, minLength = 8): EncodedSplit {
  const random = seedrandom.alea(seed);
  const x = new Int32Array(count * maxlen);
  const y = new Float32Array(count);
  for (let r = 0; r < count; r++) {
    y[r] = r % 2;
    const length = minLength + Math.floor(random() * (maxlen - minLength));
    const row = x.subarray(r * maxlen, (r + 1) * maxlen);
    row[maxlen - length - 1] = START_CHAR;
    for (let i = maxlen - length; i < maxlen; i++) row[i] = (y[r] ? 10 : 30) + Math.floor(random() * 20);
  }
  return { x, y, count };
}

const h = (keep: 'best' | 'last', extra: Partial<Parameters<typeof resolveHyperparameters>[1]> = {}) =>
  resolveHyperparameters('simple-rnn', { numWords: 50, maxlen: MAXLEN, embeddingDim: 4, units: 4, epochs: 6, batchSize: 16, learningRate: 0.05, keep, ...extra });

async function train(keep: 'best' | 'last') {
  await initBackend('cpu');
  const hp = h(keep);
  const model = buildModel(hp);
  compileModel(model, hp);
  const perEpoch = new Map<number, Float32Array>();
  // Validation reviews with 40% of their labels flipped: the more confident the model grows, the higher its validation loss.
  const validation = madeUpSplit(20, 'validation');
  validation.y.forEach((label, i) => (validation.y[i] = i % 5 < 2 ? 1 - label : label));
  const outcome = await fitModel(model, hp, { train: madeUpSplit(96, 'train'), validation }, {
    onEpoch: async (m) => {
      perEpoch.set(m.epoch, (await tf.concat(model.getWeights().map((w) => w.flatten())).data()) as Float32Array);
    },
  });
  const final = (await tf.concat(model.getWeights().map((w) => w.flatten())).data()) as Float32Array;
  model.dispose();
  return { outcome, perEpoch, final };
}

test('keep best: the finished model holds the weights of its lowest validation loss, and says which epoch', async () => {
  const { outcome, perEpoch, final } = await train('best');
  const losses = outcome.epochs.map((e) => e.valLoss);
  const bestEpoch = outcome.epochs[losses.indexOf(Math.min(...losses))].epoch;
  assert.equal(outcome.keptEpoch, bestEpoch);
  assert.deepEqual(final, perEpoch.get(bestEpoch), `the weights are epoch ${bestEpoch}'s`);
  assert.equal(outcome.epochsCompleted, 6);
  assert.ok(bestEpoch < 6, `with noisy validation labels the best epoch is not the last: ${losses.map((l) => l.toFixed(3)).join(' ')}`);
});

test('keep last: the finished model holds its last epoch, as the tutorial\'s fit does', async () => {
  const { outcome, perEpoch, final } = await train('last');
  assert.equal(outcome.keptEpoch, 6);
  assert.deepEqual(final, perEpoch.get(6));
});

test('BestWeights: a lower validation loss replaces the best, a tie or a higher one does not; a resumed best is kept', async () => {
  await initBackend('cpu');
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  const epoch = (n: number, valLoss: number, value: number): Pick<EpochMetrics, 'epoch' | 'valLoss'> => {
    model.setWeights([tf.fill([2, 1], value), tf.fill([1], value)]);
    return { epoch: n, valLoss };
  };
  const best = BestWeights.empty();
  assert.equal(best.consider(epoch(1, 0.5, 1), model), true);
  assert.equal(best.consider(epoch(2, 0.3, 2), model), true);
  assert.equal(best.consider(epoch(3, 0.3, 3), model), false, 'a tie keeps the earlier epoch');
  assert.equal(best.consider(epoch(4, 0.4, 4), model), false);
  assert.equal(best.restore(model), 2);
  assert.deepEqual(Array.from(await model.getWeights()[0].data()), [2, 2]);

  // As a resumed training holds it: epoch 2's weights read back from best.bin.
  const resumed = BestWeights.resumed({ epoch: 2, valLoss: 0.3 }, [tf.fill([2, 1], 2), tf.fill([1], 2)]);
  assert.equal(resumed.consider(epoch(3, 0.35, 3), model), false);
  assert.equal(resumed.restore(model), 2);
  assert.deepEqual(Array.from(await model.getWeights()[0].data()), [2, 2]);
  best.dispose();
  resumed.dispose();
  model.dispose();
});

const REVIEWS = [
  { text: 'A wonderful film. The actors shine in every scene and the music is superb.<br /><br />I would see it again tomorrow, gladly.', label: 1 as const },
  { text: 'Dull. The star plays the villain without any menace at all and the plot drags on and on for two long hours. Avoid this one, seriously.', label: 0 as const },
  { text: 'Short and sweet but honestly nothing special here at all, a forgettable evening at the cinema with friends who slept.', label: 0 as const },
  { text: 'Great cast, great script, great ending that made the whole audience cheer loudly when the lights came up again.', label: 1 as const },
];

test('the short-text set: the same texts every time, first and last sentences and 10–30-word windows, each with its review\'s label', () => {
  const set = buildShortTextSet(REVIEWS);
  assert.deepEqual(buildShortTextSet(REVIEWS), set, 'deterministic');
  const ofReview = (t: { text: string }) => REVIEWS.find((r) => tokenize(r.text).join(' ').includes(tokenize(t.text).join(' ')));
  for (const item of set) {
    const review = ofReview(item);
    assert.ok(review, `"${item.text}" comes from a review`);
    assert.equal(item.label, review.label, `"${item.text}" has its review's label`);
    assert.equal(item.words, tokenize(item.text).length);
    if (item.kind === 'window') assert.ok(item.words >= 10 && item.words <= 30, `a window of ${item.words} words`);
  }
  const first = set.filter((s) => s.kind === 'first-sentence').map((s) => s.text);
  const last = set.filter((s) => s.kind === 'last-sentence').map((s) => s.text);
  assert.ok(first.includes('A wonderful film.'));
  assert.ok(last.includes('I would see it again tomorrow, gladly.'), 'a line break ends a sentence');
  assert.ok(first.includes('The star plays the villain without any menace at all and the plot drags on and on for two long hours.'), 'a one-word sentence ("Dull.") is skipped');
  assert.equal(set.filter((s) => s.kind === 'window').length, REVIEWS.length);
});

test('a training batch with shortTextShare 0 is the reviews; with 0.5 about half the rows become a window of their own review, encoded as a short text', () => {
  // Reviews of 50 to 99 words: every window (at most 40 words) is shorter than its review.
  const maxlen = 100;
  const split = madeUpSplit(200, 'share', maxlen, 50);
  const order = Int32Array.from({ length: 200 }, (_, i) => i);
  const whole = trainingBatch(trainingRows(split, { maxlen, trainOn: 'reviews' }), order, 0, 200, { maxlen, shortTextShare: 0 }, seedrandom.alea('w'));
  assert.deepEqual(whole.x, split.x);
  const mixed = trainingBatch(trainingRows(split, { maxlen, trainOn: 'reviews' }), order, 0, 200, { maxlen, shortTextShare: 0.5 }, seedrandom.alea('w'));
  assert.deepEqual(mixed.y, split.y, 'labels stay');
  let changed = 0;
  for (let r = 0; r < 200; r++) {
    const row = Array.from(mixed.x.subarray(r * maxlen, (r + 1) * maxlen));
    const original = Array.from(split.x.subarray(r * maxlen, (r + 1) * maxlen));
    if (row.join() === original.join()) continue;
    changed++;
    const start = row.indexOf(START_CHAR);
    assert.ok(row.slice(0, start).every((v) => v === 0), 'pre-padded');
    const words = row.slice(start + 1);
    assert.ok(words.length >= 3 && words.length <= 40, `a window of 3 to 40 words (${words.length})`);
    assert.ok(original.join(',').includes(words.join(',')), 'a contiguous window of the same review');
  }
  assert.ok(changed > 70 && changed < 130, `about half the rows changed: ${changed}`);
  const again = trainingBatch(trainingRows(split, { maxlen, trainOn: 'reviews' }), order, 0, 200, { maxlen, shortTextShare: 0.5 }, seedrandom.alea('w'));
  assert.deepEqual(again.x, mixed.x, 'the same seed shows the same windows (a resumed training sees what the uninterrupted one saw)');
});

/**
 * The training reviews of `raw` as training reads them, in their own order: the
 * encoded split, the encoder an analysis uses, and an epoch's one batch of them
 * all, with short texts mixed in at `settings.shortTextShare` (training seed 113).
 */
function trainingReads(raw: ReturnType<typeof corpusFrom>, settings: { numWords: number; maxlen: number; shortTextShare: number }) {
  const corpus = tokenizeCorpus(raw);
  const order = Int32Array.from({ length: raw.train.length }, (_, i) => i);
  const split = encodeSplit(corpus.train, order, settings);
  const encoder = new TextEncoder(corpus.vocabulary, settings.numWords, settings.maxlen);
  const batchOf = (epoch: number) => trainingBatch(trainingRows(split, { ...settings, trainOn: 'reviews' }), order, 0, raw.train.length, settings, epochWindows(113, epoch));
  return { split, encoder, batchOf };
}

test('a training window is the very input Analyze Sentiment makes of the same words, with its own review\'s label, and each epoch draws new windows', () => {
  // Review texts through the real pipeline (tokenize, rank, encode, pad): 60 reviews of 45–90 words, those over 63
  // truncated at the front by maxlen 64 (no start character left), the rarest words past numWords (the OOV index).
  const random = seedrandom.alea('windows-vs-analysis');
  const good = ['great', 'superb', 'moving', 'funny', 'clever', 'warm'];
  const bad = ['dull', 'awful', 'boring', 'clumsy', 'flat', 'tedious'];
  const filler = Array.from({ length: 40 }, (_, i) => `w${i}`);
  const pick = (words: string[]) => words[Math.floor(random() * words.length)];
  const raw = corpusFrom(
    Array.from({ length: 60 }, (_, id) => {
      const label = (id % 2) as 0 | 1;
      const words = Array.from({ length: 45 + Math.floor(random() * 46) }, (_, i) => (i % 4 === 0 ? pick(label ? good : bad) : pick(filler)));
      return { split: 'train' as const, label, id, rating: label ? 9 : 2, text: `${words.join(' ')}.` };
    }),
  );
  const settings = { numWords: 40, maxlen: 64, shortTextShare: 0.9 };
  const { encoder, batchOf } = trainingReads(raw, settings);
  const batch = batchOf(1);
  let windows = 0;
  for (let r = 0; r < 60; r++) {
    const row = Array.from(batch.x.subarray(r * settings.maxlen, (r + 1) * settings.maxlen));
    const start = row.indexOf(START_CHAR);
    if (start < settings.maxlen - 41) continue; // a whole review: a window has at most 40 words
    windows++;
    // Some selection of the same length from the row's own review must encode to exactly this row.
    const words = tokenize(raw.train[r].text);
    const length = settings.maxlen - start - 1;
    const selections = Array.from({ length: words.length - length + 1 }, (_, s) => words.slice(s, s + length).join(' '));
    assert.ok(
      selections.some((text) => encoder.encode(text).ids.every((id, i) => id === row[i])),
      `row ${r} (${length} words) is what the analysis of a contiguous selection of its own review reads`,
    );
    assert.equal(batch.y[r], raw.train[r].label, `row ${r} keeps its review's label`);
  }
  assert.ok(windows >= 45, `about 90% of the rows became windows: ${windows}`);
  assert.notDeepEqual(batchOf(2).x, batch.x, 'the next epoch shows other windows');
  assert.deepEqual(batchOf(1).x, batch.x, "an epoch's windows are a function of the seed and the epoch");
});

test('with its sentences known, about two in three short rows are one whole sentence of the review, cut and encoded as the short-text set\'s', () => {
  const random = seedrandom.alea('sentences-in-training');
  const words = ['great', 'dull', 'the', 'film', 'actors', 'plot', 'music', 'ending', 'was', 'very', 'and', 'a', 'scene', 'long'];
  const sentence = () => {
    const text = Array.from({ length: 1 + Math.floor(random() * 12) }, () => words[Math.floor(random() * words.length)]).join(' ');
    return `${text[0].toUpperCase()}${text.slice(1)}${random() < 0.3 ? '!' : '.'}`;
  };
  // 8–14 sentences of 1–12 words (those under 3 words are no sentence of the set); maxlen 48 cuts the longer reviews.
  const raw = corpusFrom(
    Array.from({ length: 80 }, (_, id) => ({ split: 'train' as const, label: (id % 2) as 0 | 1, id, rating: id % 2 ? 8 : 3, text: Array.from({ length: 8 + Math.floor(random() * 7) }, sentence).join(' ') })),
  );
  const settings = { numWords: 100, maxlen: 48, shortTextShare: 0.9 };
  const { split, encoder, batchOf } = trainingReads(raw, settings);
  const batch = batchOf(1);
  let short = 0;
  let sentences = 0;
  for (let r = 0; r < 80; r++) {
    const row = batch.x.subarray(r * settings.maxlen, (r + 1) * settings.maxlen);
    if (row.every((id, i) => id === split.x[r * settings.maxlen + i])) continue;
    short++;
    const same = (text: string) => encoder.encode(text).ids.every((id, i) => id === row[i]);
    if (sentencesOf(raw.train[r].text).some(same)) sentences++;
    else {
      const reviewWords = tokenize(raw.train[r].text);
      const length = settings.maxlen - row.indexOf(START_CHAR) - 1;
      assert.ok(
        reviewWords.some((_, s) => same(reviewWords.slice(s, s + length).join(' '))),
        `row ${r}: not a sentence, so a window of its own review`,
      );
    }
    assert.equal(batch.y[r], raw.train[r].label);
  }
  assert.ok(short > 60, `about 90% of the rows are short: ${short}`);
  assert.ok(sentences / short > 0.5 && sentences / short < 0.85, `about two in three short rows are a sentence: ${sentences} of ${short}`);
});

test('trainOn reviews-and-sentences: an epoch shows every review once and every whole sentence of each once more, as Analyze Sentiment encodes it, with its review\'s label', async () => {
  const random = seedrandom.alea('every-sentence');
  const words = ['great', 'dull', 'the', 'film', 'actors', 'plot', 'music', 'ending', 'was', 'very', 'and', 'a', 'scene', 'long'];
  const sentence = () => {
    const text = Array.from({ length: 1 + Math.floor(random() * 9) }, () => words[Math.floor(random() * words.length)]).join(' ');
    return `${text[0].toUpperCase()}${text.slice(1)}.`;
  };
  // 30 reviews of 1 to 6 sentences, some of one or two words (too short to stand alone), some reviews longer than maxlen.
  const raw = corpusFrom(
    Array.from({ length: 30 }, (_, id) => ({ split: 'train' as const, label: (id % 2) as 0 | 1, id, rating: id % 2 ? 8 : 3, text: Array.from({ length: 1 + (id % 6) }, sentence).join(' ') })),
  );
  const maxlen = 40;
  const corpus = tokenizeCorpus(raw);
  const order = Int32Array.from({ length: raw.train.length }, (_, i) => i);
  const split = encodeSplit(corpus.train, order, { numWords: 100, maxlen });
  const encoder = new TextEncoder(corpus.vocabulary, 100, maxlen);
  // What the rows must hold: each review's sentences of at least three words, unless the review is that one sentence,
  // and only those wholly inside the words maxlen keeps (the last maxlen − 1 words after the start character, or maxlen).
  const expected: { ids: string; label: number }[] = [];
  raw.train.forEach((review) => {
    const all = sentencesOf(review.text);
    const total = tokenize(review.text).length;
    const kept = total + 1 <= maxlen ? total : maxlen;
    const reviewWords = tokenize(review.text);
    let at = 0;
    for (const text of all) {
      const sentenceWords = tokenize(text);
      while (reviewWords.slice(at, at + sentenceWords.length).join(' ') !== sentenceWords.join(' ')) at++;
      const inside = at >= total - kept;
      const wholeReview = sentenceWords.length === total && total + 1 <= maxlen;
      if (inside && !wholeReview) expected.push({ ids: encoder.encode(text).ids.join(), label: review.label });
      at += sentenceWords.length;
    }
  });
  const rows = trainingRows(split, { maxlen, trainOn: 'reviews-and-sentences' });
  assert.equal(rows.count, raw.train.length + expected.length, 'one row per review and one per whole sentence');
  assert.ok(expected.length > 40, `the reviews have sentences to show: ${expected.length}`);
  assert.equal(trainingRows(split, { maxlen, trainOn: 'reviews' }).count, raw.train.length, 'the tutorial trains on the reviews alone');

  const epoch = Int32Array.from({ length: rows.count }, (_, i) => rows.count - 1 - i);
  const batch = trainingBatch(rows, epoch, 0, rows.count, { maxlen, shortTextShare: 0 }, seedrandom.alea('x'));
  const shown = Array.from({ length: rows.count }, (_, r) => ({ ids: Array.from(batch.x.subarray(r * maxlen, (r + 1) * maxlen)).join(), label: batch.y[r] }));
  const key = (row: { ids: string; label: number }) => `${row.label}:${row.ids}`;
  const reviewRows = Array.from({ length: split.count }, (_, r) => ({ ids: Array.from(split.x.subarray(r * maxlen, (r + 1) * maxlen)).join(), label: split.y[r] }));
  assert.deepEqual(shown.map(key).sort(), [...reviewRows, ...expected].map(key).sort(), 'every review and every sentence, each once, with its label');

  // Training reads them: an epoch is that many rows' batches.
  await initBackend('cpu');
  const hp = resolveHyperparameters('lstm', { numWords: 100, maxlen, embeddingDim: 4, units: 4, denseUnits: 0, epochs: 1, batchSize: 16, trainOn: 'reviews-and-sentences' });
  const model = buildModel(hp);
  compileModel(model, hp);
  const outcome = await fitModel(model, hp, { train: split, validation: split });
  model.dispose();
  assert.equal(outcome.batches[0].batchesPerEpoch, Math.ceil(rows.count / 16));
});

test('reliability: a prediction\'s length finds its band of the stored short-text evaluation; long texts take the test accuracy', () => {
  const texts = [5, 5, 15, 15, 15, 15].map((words, i) => ({ text: '', label: (i % 2) as 0 | 1, kind: 'window' as const, words }));
  const summary = summariseShortText(texts, [0.9, 0.1, 0.9, 0.1, 0.1, 0.9], 3, 1);
  assert.equal(summary.accuracy, 2 / 6);
  assert.deepEqual(summary.bands.map((b) => b.count), LENGTH_BANDS.map((b) => (b.minWords === 1 ? 2 : b.minWords === 11 ? 4 : 0)));

  const evaluation: ShortTextEvaluation = {
    ...summary,
    bands: LENGTH_BANDS.map((band, i) => ({ ...band, accuracy: 0.6 + i * 0.05, count: i === 4 ? 10 : 500 })),
  };
  const run = { shortText: evaluation, test: { accuracy: 0.87, count: 25000 } };
  assert.deepEqual(reliabilityFor(run, 14), { accuracy: 0.7, basis: 'short-text', minWords: 11, maxWords: 20, count: 500 });
  assert.equal(describeReliability(reliabilityFor(run, 14)!), 'short text: this model is 70% accurate on texts this short (11–20 words, 500 tried)');
  assert.equal(reliabilityFor(run, 3)?.minWords, 1);
  assert.equal(reliabilityFor(run, 60), undefined, 'a band with too few examples says nothing');
  assert.deepEqual(reliabilityFor(run, 250), { accuracy: 0.87, basis: 'test', minWords: 100, count: 25000 });
  assert.equal(reliabilityFor({}, 14), undefined, 'a run never evaluated on short texts says nothing');
});
