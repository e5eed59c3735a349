/**
 * The command line as a user runs it: a real process, real files, exit codes
 * and what it prints. A wrong argument, a missing file or a corrupt archive or
 * model gives one clear line on stderr and a non-zero exit.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Explanation } from '../../src/core/explain/types';
import type { EvaluationMetrics } from '../../src/core/metrics';
import type { RunRecord } from '../../src/core/runs';
import { TEST_CACHE_DIR, imdbArchive, requireBuilt, tempDir } from './helpers';
import { assertOneLineError, run } from './cli-helpers';

describe('rnn-sentiment-lab CLI', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let runDir: string;
  let archive: string;

  before(async () => {
    requireBuilt();
    archive = await imdbArchive();
    ({ dir, cleanup } = await tempDir());
  });
  after(() => cleanup());

  test('summary prints Keras\' table, and --json one object', async () => {
    const table = await run(['summary', '--preset', 'simple-rnn']);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /simple_rnn \(SimpleRNN\)\s+\(None, 32\)\s+2,080/);
    assert.match(table.stdout, /Total params: 322,113/);
    const json = await run(['summary', '--preset', 'bilstm', '--json']);
    const parsed = JSON.parse(json.stdout) as { preset: string; totalParams: number; layers: unknown[] };
    assert.equal(parsed.preset, 'bilstm');
    assert.equal(parsed.totalParams, 353_537);
    assert.deepEqual(parsed.layers[1], { name: 'bidirectional', type: 'Bidirectional', outputShape: [null, 64], params: 16_640 });
  });

  test('wrong arguments: exit 2 and one line', async () => {
    assertOneLineError(await run(['summary', '--preset', 'gru']), /argument 'gru' is invalid/);
    assertOneLineError(await run(['train', '--preset', 'lstm', '--epochs', 'many']), /expected a whole number/);
    assertOneLineError(await run(['frobnicate']), /unknown command 'frobnicate'/);
    assert.equal((await run(['summary', '--preset', 'gru'])).code, 2);
  });

  test('a missing dataset, a corrupt archive, a missing or corrupt model: one line and a non-zero exit', async () => {
    assertOneLineError(await run(['train', '--preset', 'lstm', '--data', path.join(dir, 'nope.tar.gz'), '--cache-dir', dir]), /No dataset at .*nope\.tar\.gz/);
    const corrupt = path.join(dir, 'corrupt.tar.gz');
    await writeFile(corrupt, Buffer.alloc(5000, 1));
    assertOneLineError(await run(['train', '--preset', 'lstm', '--data', corrupt, '--cache-dir', dir, '--out', dir]), /corrupt\.tar\.gz is truncated or corrupt/);
    assertOneLineError(await run(['predict', '--model', path.join(dir, 'no-model'), 'hello']), /No trained model at/);
    const broken = path.join(dir, 'broken-run');
    await mkdir(broken);
    await writeFile(path.join(broken, 'run.json'), '{');
    assertOneLineError(await run(['predict', '--model', broken, 'hello']), /unusable: run\.json is not valid JSON.*vocabulary\.json is missing/);
  });

  test('train → runs → predict (arguments and stdin) → evaluate, on the IMDB corpus', async () => {
    const out = path.join(dir, 'runs');
    const trained = await run(['train', '--preset', 'simple-rnn', '--data', archive, '--cache-dir', TEST_CACHE_DIR, '--out', out, '--limit', '300', '--maxlen', '20', '--epochs', '1', '--no-evaluate']);
    assert.equal(trained.code, 0, trained.stderr);
    runDir = trained.stdout.trim();
    assert.equal(path.dirname(runDir), out);
    assert.match(trained.stderr, /Epoch 1\/1: loss \d\.\d{4} acc \d\.\d{4} val_loss \d\.\d{4} val_acc \d\.\d{4}/);

    const runs = JSON.parse((await run(['runs', '--dir', out, '--json'])).stdout) as { preset: string; status: string }[];
    assert.equal(runs.length, 1);
    assert.equal(runs[0].preset, 'simple-rnn');
    assert.equal(runs[0].status, 'complete');

    const predicted = await run(['predict', '--model', runDir, '--json', 'What a great film', 'Dreadful']);
    assert.equal(predicted.code, 0, predicted.stderr);
    const jsonLines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as { probability: number; label: string; confidence: number });
    const lines = jsonLines(predicted.stdout);
    assert.equal(lines.length, 2);
    for (const l of lines) {
      assert.deepEqual(Object.keys(l), ['probability', 'label', 'confidence', 'wordsRead', 'unknownWords', 'knownWords', 'truncated']);
      assert.equal(l.label, l.probability >= 0.5 ? 'positive' : 'negative');
      assert.equal(l.confidence, Math.max(l.probability, 1 - l.probability));
    }
    // People read the label and how sure the model is; a text with no word it knows gets no label.
    const human = await run(['predict', '--model', runDir, 'What a great film', '!!! ??? ...']);
    assert.equal(human.code, 0, human.stderr);
    const [first, second] = human.stdout.trim().split('\n');
    assert.match(first, /^(positive|negative), (\d{1,2}\.\d|over 99\.9)% sure +What a great film$/);
    assert.match(second, /^no known word +!!! \?\?\? \.\.\. {2}\(the text has no words, only punctuation and spaces\)$/);
    const fromStdin = await run(['predict', '--model', runDir, '--json'], { input: 'What a great film\n\nDreadful\n' });
    assert.deepEqual(jsonLines(fromStdin.stdout), lines);

    const evaluated = await run(['evaluate', '--model', runDir, '--data', archive, '--cache-dir', TEST_CACHE_DIR, '--limit', '200', '--json', '--save']);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    const metrics = JSON.parse(evaluated.stdout) as EvaluationMetrics;
    assert.equal(metrics.count, 200);
    const c = metrics.confusion;
    assert.equal(metrics.accuracy, (c.truePositive + c.trueNegative) / 200);
    const record = JSON.parse(await readFile(path.join(runDir, 'run.json'), 'utf8')) as RunRecord;
    assert.equal(record.test?.count, 200, '--save stores the metrics in the run');
  });

  test('explain: the tokens with their attributions, plain when piped; the whole trace with --json; stdin and errors as predict', async () => {
    assert.ok(runDir, 'needs the run trained by the test before');
    const text = 'What a great film, zyzzyvas aside';
    const json = await run(['explain', '--model', runDir, '--json', text]);
    assert.equal(json.code, 0, json.stderr);
    const e = JSON.parse(json.stdout) as Explanation;
    assert.deepEqual(e.tokens.map((t: { text: string }) => t.text), ['<start>', 'what', 'a', 'great', 'film', 'zyzzyvas', 'aside']);
    assert.equal(e.tokens[5].status, 'oov');
    assert.equal(e.attributions.method, 'ig');
    assert.equal(e.attributions.values.length, 7);
    assert.ok((e.attributions.completenessError ?? Infinity) <= 0.01);
    assert.equal(e.verdict.length, 7);
    assert.equal(e.states[0].h.length, 7);
    // the explanation's verdict is predict's
    const predicted = JSON.parse((await run(['predict', '--model', runDir, '--json', text])).stdout) as { probability: number };
    assert.ok(Math.abs(predicted.probability - e.probability) < 1e-5);

    const piped = await run(['explain', '--model', runDir, '--method', 'occlusion'], { input: text });
    assert.equal(piped.code, 0, piped.stderr);
    const lines = piped.stdout.trim().split('\n');
    assert.match(lines[0], /^(positive|negative) +\d\.\d{4} +\(simple-rnn, occlusion/);
    assert.equal(lines.length, 8);
    assert.match(lines[6], /^5\tzyzzyvas\toov\t[+-]\d\.\d{4}\t\d\.\d{4}$/);
    assert.ok(!piped.stdout.includes('\u001b['), 'no colour codes when piped');

    assertOneLineError(await run(['explain', '--model', runDir, '--method', 'shap', text]), /argument 'shap' is invalid/);
    assertOneLineError(await run(['explain', '--model', runDir], { input: '  \n' }), /No text to explain/);
    assertOneLineError(await run(['explain', '--model', path.join(dir, 'no-model'), text]), /No trained model at/);
  });

  test('Ctrl-C during training keeps the last finished epoch and exits 130', async () => {
    const out = path.join(dir, 'cancelled-runs');
    let sent = false;
    const outcome = await run(
      ['train', '--preset', 'simple-rnn', '--data', archive, '--cache-dir', TEST_CACHE_DIR, '--out', out, '--limit', '400', '--maxlen', '20', '--batch-size', '16', '--epochs', '50', '--no-evaluate'],
      {
        onStderr(text, child) {
          if (!sent && text.includes('Epoch 1/50')) {
            sent = true;
            child.kill('SIGINT');
          }
        },
      },
    );
    assert.equal(outcome.code, 130, outcome.stderr);
    assert.match(outcome.stderr, /Cancelled: kept the checkpoint of epoch \d+/);
    const record = JSON.parse(await readFile(path.join(outcome.stdout.trim(), 'run.json'), 'utf8')) as RunRecord;
    assert.equal(record.status, 'cancelled');
    assert.ok(record.epochsCompleted >= 1 && record.epochsCompleted < 50);
  });
});
