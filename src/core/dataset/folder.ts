/**
 * Reads the reviews from an already extracted `aclImdb` folder (or its parent).
 *
 * Only real folders and regular files inside it are read: a symbolic link,
 * FIFO, socket or device where a review or one of its folders should be is
 * refused with its path. (Links would let whoever controls the folder make
 * the lab read, and copy into a run's vocabulary, files of the user's
 * choosing elsewhere; a FIFO would block the reader forever.) Files are
 * opened without following links and without blocking, and checked again
 * once open, so swapping a file after the check changes nothing. Each review
 * and the whole corpus are capped in bytes (limits.ts).
 */
import { constants } from 'node:fs';
import { lstat, open, readdir, type FileHandle } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import * as path from 'node:path';
import { LabError, throwIfCancelled } from '../errors';
import { formatBytes } from '../format';
import type { ProgressListener } from '../progress';
import { checkCorpus } from './archive';
import { DATA_LIMITS } from './limits';
import { corpusFrom, parseReviewPath, type RawCorpus, type Review } from './reviews';

/** What a non-regular entry is, for the refusal; undefined for a regular file or folder. */
function oddKind(entry: Dirent | Stats): string | undefined {
  if (entry.isSymbolicLink()) return 'a symbolic link';
  if (entry.isFIFO()) return 'a FIFO';
  if (entry.isSocket()) return 'a socket';
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return 'a device';
  return undefined;
}

function refuse(file: string, what: string): LabError {
  return new LabError('bad-argument', `Refused ${file}: ${what}. A dataset folder may hold only regular files and folders.`);
}

/** A real folder (not a link to one), or undefined when absent. */
async function realFolder(dir: string): Promise<boolean> {
  const info = await lstat(dir).catch(() => undefined);
  if (!info) return false;
  const kind = oddKind(info);
  if (kind) throw refuse(dir, `it is ${kind}`);
  return info.isDirectory();
}

/** The folder that holds train/ and test/: the path itself or its `aclImdb` child. */
export async function findDatasetRoot(folder: string): Promise<string> {
  for (const candidate of [folder, path.join(folder, 'aclImdb')]) {
    if (candidate !== folder && !(await realFolder(candidate))) continue;
    if (await realFolder(path.join(candidate, 'train'))) return candidate;
  }
  throw new LabError('not-found', `${folder} is not an IMDB dataset folder: it has no train/ folder (nor aclImdb/train/).`);
}

// O_NOFOLLOW: a link swapped in after the listing is not followed; O_NONBLOCK: a FIFO swapped in does not block the open.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Reads one review file: a regular file of at most `limit` bytes. */
async function readReview(file: string, limit: number): Promise<string> {
  let handle: FileHandle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw refuse(file, 'it is a symbolic link');
    throw error;
  }
  try {
    const info = await handle.stat();
    const kind = oddKind(info);
    if (kind || !info.isFile()) throw refuse(file, `it is ${kind ?? 'not a regular file'}`);
    // Read one byte past the limit: a file that grew after stat() is caught too.
    const buffer = Buffer.alloc(Math.min(info.size, limit) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > limit) throw refuse(file, `it is larger than a review may be (${formatBytes(DATA_LIMITS.reviewBytes)})`);
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
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
      if (!(await realFolder(dir))) continue;
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const relative = `${split}/${label}/${entry.name}`;
        if (!parseReviewPath(relative)) continue;
        const kind = oddKind(entry);
        if (kind) throw refuse(path.join(dir, entry.name), `it is ${kind}`);
        files.push(relative);
      }
    }
  }
  const reviews: Review[] = [];
  let totalBytes = 0;
  // A few reads in flight at once: enough to hide disk latency without opening thousands of files.
  const concurrency = 32;
  let next = 0;
  const readNext = async (): Promise<void> => {
    while (next < files.length) {
      throwIfCancelled(options.signal, 'Reading the dataset');
      const relative = files[next++];
      const text = await readReview(path.join(root, relative), DATA_LIMITS.reviewBytes);
      totalBytes += Buffer.byteLength(text);
      if (totalBytes > DATA_LIMITS.corpusBytes) {
        throw new LabError('bad-argument', `Refused ${folder}: its reviews exceed ${formatBytes(DATA_LIMITS.corpusBytes)} in total, far more than the IMDB corpus.`);
      }
      reviews.push({ ...parseReviewPath(relative)!, text });
      if (reviews.length % 1000 === 0) {
        options.onProgress?.({ phase: 'read', done: reviews.length, total: files.length, unit: 'reviews', message: 'Reading reviews' });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, readNext));
  const corpus = corpusFrom(reviews);
  checkCorpus(corpus, folder);
  return corpus;
}
