/** Reads the reviews from an already extracted `aclImdb` folder (or its parent). */
import { readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { LabError, throwIfCancelled } from '../errors';
import type { ProgressListener } from '../progress';
import { checkCorpus } from './archive';
import { corpusFrom, parseReviewPath, type RawCorpus, type Review } from './reviews';

/** The folder that holds train/ and test/: the path itself or its `aclImdb` child. */
export async function findDatasetRoot(folder: string): Promise<string> {
  for (const candidate of [folder, path.join(folder, 'aclImdb')]) {
    const isDir = await stat(path.join(candidate, 'train')).then((s) => s.isDirectory(), () => false);
    if (isDir) return candidate;
  }
  throw new LabError('not-found', `${folder} is not an IMDB dataset folder: it has no train/ folder (nor aclImdb/train/).`);
}

export async function readFolder(
  folder: string,
  options: { signal?: AbortSignal; onProgress?: ProgressListener } = {},
): Promise<RawCorpus> {
  const root = await findDatasetRoot(folder);
  const files: string[] = [];
  for (const split of ['train', 'test']) {
    for (const label of ['pos', 'neg']) {
      const dir = path.join(root, split, label);
      const names = await readdir(dir).catch(() => [] as string[]);
      files.push(...names.map((n) => `${split}/${label}/${n}`));
    }
  }
  const reviews: Review[] = [];
  const relevant = files.filter((f) => parseReviewPath(f));
  // A few reads in flight at once: enough to hide disk latency without opening thousands of files.
  const concurrency = 32;
  let next = 0;
  const readNext = async (): Promise<void> => {
    while (next < relevant.length) {
      throwIfCancelled(options.signal, 'Reading the dataset');
      const relative = relevant[next++];
      const text = await readFile(path.join(root, relative), 'utf8');
      reviews.push({ ...parseReviewPath(relative)!, text });
      if (reviews.length % 1000 === 0) {
        options.onProgress?.({ phase: 'read', done: reviews.length, total: relevant.length, unit: 'reviews', message: 'Reading reviews' });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, readNext));
  const corpus = corpusFrom(reviews);
  checkCorpus(corpus, folder);
  return corpus;
}
