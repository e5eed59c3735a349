/**
 * The training service's request schemas (src/service/requests.ts) accept
 * every request the extension and the CLI really send, with every optional
 * field the protocol has: a field added to the protocol without its schema
 * would make the service refuse that feature at run time, where no compiler
 * sees it. The refusals themselves are tested on a real service in
 * test/faults/service-auth.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveHyperparameters } from '../../src/core/presets';
import type { ServiceMethods } from '../../src/protocol';
import { serviceRequestSchemas, validateServiceRequest, type ServiceMethodName } from '../../src/service/requests';

const root = path.join(os.tmpdir(), 'rsl-requests');
const roots = { runsDir: path.join(root, 'runs'), cacheDir: path.join(root, 'cache'), dataSource: path.join(root, 'tickets.csv') };
const schemas = serviceRequestSchemas(roots);
const run = path.join(roots.runsDir, 'lstm_2026-11-30_00-00-00_abcd');
const labelled = {
  kind: 'labelled' as const,
  path: roots.dataSource,
  options: { textColumn: 'comment', labelColumn: 'label', positiveLabel: 'good', negativeLabel: 'bad', testPath: path.join(root, 'test.csv'), testSplit: 0.25 },
};

const accepted: { [K in ServiceMethodName]: ServiceMethods[K]['params'] } = {
  train: {
    hyperparameters: resolveHyperparameters('lstm-sentences', { epochs: 2, keep: 'last' }),
    data: labelled,
    limit: 300,
    cacheDir: roots.cacheDir,
    runsDir: roots.runsDir,
    backend: 'wasm',
    evaluate: true,
    activate: false,
    resumeFrom: run,
    fineTuneFrom: run,
  },
  evaluate: { runDir: run, data: { kind: 'official' }, limit: 10, cacheDir: roots.cacheDir, backend: 'auto', save: true, shortText: true },
  predict: { runDir: run, texts: ['A fine film.', ''], backend: 'cpu' },
  explain: { runDir: run, text: 'A fine film.', method: 'occlusion', backend: 'auto' },
  importKeras: {
    file: path.join(root, 'model.h5'),
    wordIndex: { file: path.join(root, 'imdb_word_index.json'), kind: 'tokenizer', indexFrom: 3, oovToken: '<OOV>', numWords: 10_000 },
    maxlen: 200,
    runsDir: roots.runsDir,
    backend: 'auto',
  },
  exportKeras: { runDir: run, out: path.join(root, 'model.h5') },
  backend: { preference: 'tensorflow' },
  status: {},
  attach: {},
  restartWorker: {},
};

test('every request the extension and the CLI send passes its schema, optional fields included', async () => {
  for (const [method, params] of Object.entries(accepted) as [ServiceMethodName, unknown][]) {
    assert.deepEqual(await validateServiceRequest(schemas, method, params), params, `${method} is accepted whole`);
  }
});

test('a labelled data source other than the configured one is refused', async () => {
  await assert.rejects(
    validateServiceRequest(schemas, 'train', { ...accepted.train, data: { ...labelled, path: '/etc/passwd' } }),
    /configured source/,
  );
});
