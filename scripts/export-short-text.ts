/**
 * Exports the texts a non-recurrent peer needs to be measured on the very
 * short-text set the lab evaluates (scripts/peers/short_text_ceiling.py reads
 * them), all cut by the lab's own code:
 *
 *   train.jsonl, validation.jsonl, test.jsonl   the reviews of the lab's splits (seed 113, the last 20% of
 *                                               the training reviews validate), {text, label}
 *   train-sentences.jsonl                       every sentence of every training review (the ICU segmenter
 *                                               of the short-text set, at least 3 words), {text, label}
 *   train-short.jsonl                           the short-text set's own recipe applied to the training
 *                                               reviews (first and last sentence, a 10–30-word window)
 *   validation-short.jsonl                      the same for the validation reviews
 *   short-text.jsonl                            the short-text set itself, as `evaluate --short-text` reads it
 *
 *   node --import tsx scripts/export-short-text.ts --out DIR [--data SRC] [--cache-dir DIR]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readArchive } from '../src/core/dataset/archive';
import { readFolder } from '../src/core/dataset/folder';
import { loadShortTextSet } from '../src/core/dataset/short-text-set';
import { shuffledOrder } from '../src/core/dataset/shuffle';
import { parseDataSource, resolveSource } from '../src/core/dataset/source';
import { PRESETS } from '../src/core/presets';
import { sentencesOf } from '../src/core/sentences';
import { buildShortTextSet } from '../src/core/short-text';
import { imdbArchive } from '../test/corpus';

const ROOT = path.resolve(__dirname, '..');
const { values } = parseArgs({ options: { out: { type: 'string' }, data: { type: 'string' }, 'cache-dir': { type: 'string' } } });
if (!values.out) throw new Error('--out DIR is required');
const out = path.resolve(values.out);
const cacheDir = path.resolve(values['cache-dir'] ?? path.join(ROOT, '.cache', 'bench'));

async function main(): Promise<void> {
  const source = await parseDataSource(values.data ?? (await imdbArchive()));
  const resolved = await resolveSource(source, cacheDir, {});
  const raw = resolved.kind === 'archive' ? await readArchive(resolved.path) : await readFolder(resolved.path);
  // The lab's split: shuffled with the seed, the last share of the training reviews validates (dataset/index.ts).
  const order = shuffledOrder(raw.train.length, PRESETS.lstm.defaults.seed);
  const splitAt = Math.floor(order.length * (1 - PRESETS.lstm.defaults.validationSplit));
  const train = Array.from(order.subarray(0, splitAt), (i) => raw.train[i]);
  const validation = Array.from(order.subarray(splitAt), (i) => raw.train[i]);
  const set = await loadShortTextSet(source, { cacheDir });

  await mkdir(out, { recursive: true });
  const write = (name: string, rows: readonly { text: string; label: 0 | 1 }[]) =>
    writeFile(path.join(out, name), rows.map((r) => JSON.stringify({ text: r.text, label: r.label })).join('\n') + '\n');
  await write('train.jsonl', train);
  await write('validation.jsonl', validation);
  await write('test.jsonl', raw.test);
  await write('train-sentences.jsonl', train.flatMap((r) => sentencesOf(r.text).map((text) => ({ text, label: r.label }))));
  await write('train-short.jsonl', buildShortTextSet(train, train.length));
  await write('validation-short.jsonl', buildShortTextSet(validation, validation.length));
  await writeFile(path.join(out, 'short-text.jsonl'), set.texts.map((t) => JSON.stringify(t)).join('\n') + '\n');
  process.stdout.write(`${out}: ${train.length} training, ${validation.length} validation, ${raw.test.length} test reviews; ${set.texts.length} short texts from ${set.reviews} test reviews\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
