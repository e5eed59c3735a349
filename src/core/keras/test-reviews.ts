/**
 * The test reviews encoded the way an imported model reads text: its own
 * word index and Keras' text rules, from the reviews' text (the lab's
 * tokenised-corpus cache holds the lab's own words and ranks, not these).
 * Same reviews, shuffle and limit as the lab's evaluation.
 */
import { shuffledOrder, type EncodedSplit, type LoadOptions } from '../dataset';
import { readArchive } from '../dataset/archive';
import { readFolder } from '../dataset/folder';
import { resolveSource, type DataSource } from '../dataset/source';
import type { TextEncoder } from '../vocabulary';

export async function encodeTestReviews(source: DataSource, encoder: TextEncoder, settings: { seed: number; limit?: number }, options: LoadOptions): Promise<EncodedSplit> {
  const resolved = await resolveSource(source, options.cacheDir, options);
  const raw = resolved.kind === 'archive' ? await readArchive(resolved.path, options) : await readFolder(resolved.path, options);
  let order = shuffledOrder(raw.test.length, settings.seed);
  if (settings.limit !== undefined && settings.limit < order.length) order = order.slice(0, settings.limit);
  const { maxlen } = encoder;
  const x = new Int32Array(order.length * maxlen);
  const y = new Float32Array(order.length);
  order.forEach((i, row) => {
    x.set(encoder.encode(raw.test[i].text).ids, row * maxlen);
    y[row] = raw.test[i].label;
  });
  return { x, y, count: order.length };
}
