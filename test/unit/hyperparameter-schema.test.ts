/**
 * The hyperparameters' schema is the one declaration of their bounds and
 * meaning: package.json's settings, the settings reader, the CLI's flags and
 * resolveHyperparameters must all say what it says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { buildProgram } from '../../src/cli/program';
import { BACKEND_PREFERENCES } from '../../src/core/backend-names';
import { CHOICE_NAMES, PRESET_NAMES, TRAINING_CHOICES, TUNABLE_HYPERPARAMETERS, TUNABLE_NAMES, resolveHyperparameters } from '../../src/core/presets';
import { readSettings, trainingSettingsContribution } from '../../src/lab/settings';
import { REPO_ROOT } from './helpers';

async function manifestSettings(): Promise<Record<string, Record<string, unknown>>> {
  const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, Record<string, unknown>> } } };
  return manifest.contributes.configuration.properties;
}

test('package.json declares the training settings the schema derives (else run `npm run settings:write`)', async () => {
  const declared = await manifestSettings();
  const derived = trainingSettingsContribution();
  const declaredTraining = Object.fromEntries(Object.entries(declared).filter(([key]) => key.startsWith('rnnSentimentLab.training.')));
  assert.deepEqual(declaredTraining, derived);
  assert.deepEqual(Object.keys(derived).sort(), [...TUNABLE_NAMES, ...CHOICE_NAMES, 'limit'].map((n) => `rnnSentimentLab.training.${n}`).sort());
  assert.deepEqual(declared['rnnSentimentLab.training.keep'].enum, ['best', 'last', null]);
  assert.deepEqual(declared['rnnSentimentLab.defaultPreset'].enum, PRESET_NAMES);
  assert.deepEqual(declared['rnnSentimentLab.backend'].enum, BACKEND_PREFERENCES);
});

test('every tunable setting reaches the overrides, with its own name', () => {
  const values = Object.fromEntries(TUNABLE_NAMES.map((name) => [`training.${name}`, TUNABLE_HYPERPARAMETERS[name].minValue]));
  const { overrides } = readSettings((key) => values[key], '/storage');
  assert.deepEqual(overrides, Object.fromEntries(TUNABLE_NAMES.map((name) => [name, TUNABLE_HYPERPARAMETERS[name].minValue])));
  assert.equal(readSettings((key) => (key === 'training.limit' ? 0 : undefined), '/s').limit, undefined, 'a limit below the bound is ignored');
});

test('the CLI\'s train command has one flag per tunable hyperparameter, with the schema\'s description as help', () => {
  const train = buildProgram().commands.find((c) => c.name() === 'train');
  assert.ok(train);
  for (const name of TUNABLE_NAMES) {
    const option = train.options.find((o) => o.attributeName() === name);
    assert.ok(option, `--${name} is missing`);
    assert.ok(option.description.startsWith(TUNABLE_HYPERPARAMETERS[name].description?.replace(/`/g, '') ?? '-'), option.description);
    assert.match(option.description, /number from/);
  }
});

test('the schema\'s bounds are the ones resolveHyperparameters enforces', () => {
  for (const name of TUNABLE_NAMES) {
    const { minValue, maxValue } = TUNABLE_HYPERPARAMETERS[name];
    assert.ok(minValue !== null);
    assert.equal(resolveHyperparameters('lstm', { [name]: minValue })[name], minValue);
    assert.throws(() => resolveHyperparameters('lstm', { [name]: minValue - 1 }), new RegExp(`^RangeError: ${name} must be a (whole )?number from ${minValue}`));
    if (maxValue !== null) assert.throws(() => resolveHyperparameters('lstm', { [name]: maxValue * 2 }), new RegExp(`${name} must be`));
  }
  assert.throws(() => resolveHyperparameters('lstm', { optimizer: 'adadelta' as never }), /optimizer must be one of rmsprop, adam, sgd, adagrad, got "adadelta"/);
});

test('keep is a choice declared once: its flag, its setting and resolveHyperparameters take best or last, best by default, and refuse anything else', () => {
  const train = buildProgram().commands.find((c) => c.name() === 'train');
  const option = train?.options.find((o) => o.attributeName() === 'keep');
  assert.deepEqual(option?.argChoices, [...TRAINING_CHOICES.keep.options]);
  assert.equal(readSettings((key) => (key === 'training.keep' ? 'last' : undefined), '/s').overrides.keep, 'last');
  assert.equal(readSettings((key) => (key === 'training.keep' ? 'worst' : undefined), '/s').overrides.keep, undefined, 'a value outside the choices is ignored');
  for (const preset of PRESET_NAMES) assert.equal(resolveHyperparameters(preset).keep, 'best');
  assert.throws(() => resolveHyperparameters('lstm', { keep: 'worst' as never }), /keep must be one of best, last, got "worst"/);
});

test('short texts: the tutorial presets train on whole reviews; lstm-sentences, a wider LSTM, also on every sentence, for fewer epochs', () => {
  assert.deepEqual(PRESET_NAMES.map((p) => [resolveHyperparameters(p).trainOn, resolveHyperparameters(p).shortTextShare]), [['reviews', 0], ['reviews', 0], ['reviews', 0], ['reviews-and-sentences', 0]]);
  const { preset: a, trainOn: x, embeddingDim: e1, units: u1, epochs: n1, ...lstm } = resolveHyperparameters('lstm');
  const { preset: b, trainOn: y, embeddingDim: e2, units: u2, epochs: n2, ...sentences } = resolveHyperparameters('lstm-sentences');
  assert.deepEqual(sentences, lstm, 'the same vocabulary, maxlen, layers after the LSTM, optimizer, batch, split and seeds');
  // Each of its epochs shows about twelve times the rows, so fewer epochs; the best of them is kept.
  assert.ok(a !== b && x !== y && e2 > e1 && u2 > u1 && n2 < n1 && sentences.keep === 'best');
});
