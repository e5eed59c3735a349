/**
 * The short-text evaluation set of a data source (short-text.ts builds it
 * from the raw test reviews). The tokenised cache has no sentence boundaries,
 * so the set is built once from the raw text and cached as JSON beside it.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { replaceFile } from '../durable-files';
import { errorMessage } from '../errors';
import { SHORT_TEXT_REVIEWS, SHORT_TEXT_SEED, buildShortTextSet, type ShortText } from '../short-text';
import { TOKENIZER_VERSION } from '../text';
import { readArchive } from './archive';
import { readFolder } from './folder';
import type { LoadOptions } from './index';
import { resolveSource, type DataSource } from './source';

export interface ShortTextSet {
  texts: ShortText[];
  /** Test reviews they were cut from. */
  reviews: number;
}

function cacheFile(cacheDir: string, identity: string): string {
  const key = createHash('sha256').update(`${SHORT_TEXT_SEED}\n${SHORT_TEXT_REVIEWS}\n${TOKENIZER_VERSION}\n${identity}`).digest('hex').slice(0, 20);
  return path.join(cacheDir, 'short-text', `${key}.json`);
}

/** The set for a source, from the cache or built from its test reviews (reading the archive or folder once). */
export async function loadShortTextSet(source: DataSource, options: LoadOptions, limit?: number): Promise<ShortTextSet> {
  const resolved = await resolveSource(source, options.cacheDir, options);
  const file = cacheFile(options.cacheDir, resolved.identity);
  const cached = await readFile(file, 'utf8').then((text) => JSON.parse(text) as ShortTextSet, () => undefined);
  const whole = cached ?? (await buildAndCache(resolved, file, options));
  if (limit === undefined) return whole;
  // A quick run (`limit`) takes the texts of its first reviews: three or fewer per review.
  return { texts: whole.texts.slice(0, limit * 3), reviews: Math.min(whole.reviews, limit) };
}

async function buildAndCache(resolved: Awaited<ReturnType<typeof resolveSource>>, file: string, options: LoadOptions): Promise<ShortTextSet> {
  options.onProgress?.({ phase: 'read', done: 0, unit: 'reviews', message: 'Reading the test reviews for the short-text set' });
  const raw = resolved.kind === 'archive' ? await readArchive(resolved.path, options) : await readFolder(resolved.path, options);
  const texts = buildShortTextSet(raw.test);
  const set: ShortTextSet = { texts, reviews: Math.min(SHORT_TEXT_REVIEWS, raw.test.length) };
  await mkdir(path.dirname(file), { recursive: true })
    .then(() => replaceFile(file, JSON.stringify(set)))
    .catch((error: unknown) => options.onWarning?.(`The short-text set was not cached (${errorMessage(error)}); the next evaluation builds it again.`));
  return set;
}
