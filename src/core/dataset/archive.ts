/**
 * Reads the reviews straight out of a `.tar.gz` with the official layout,
 * streamed through node-tar's parser: nothing is written to disk, and only
 * `{train,test}/{pos,neg}/*.txt` entries are kept in memory.
 *
 * Any entry that could escape an extraction folder (an absolute path, a `..`
 * segment, a symbolic or hard link) makes the whole archive refused: such an
 * archive is not the dataset and must not be trusted further.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import { LabError, cancelledError, errorMessage } from '../errors';
import type { ProgressListener } from '../progress';
import { corpusFrom, parseReviewPath, type RawCorpus, type Review } from './reviews';

export function unsafeEntryReason(entry: Pick<ReadEntry, 'path' | 'type'>): string | undefined {
  const p = entry.path.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[a-zA-Z]:/.test(p)) return 'an absolute path';
  if (p.split('/').includes('..')) return 'a ".." path segment';
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') return 'a link';
  return undefined;
}

export async function readArchive(
  archivePath: string,
  options: { signal?: AbortSignal; onProgress?: ProgressListener } = {},
): Promise<RawCorpus> {
  const { signal, onProgress } = options;
  let total: number;
  try {
    total = (await stat(archivePath)).size;
  } catch {
    throw new LabError('not-found', `No archive at ${archivePath}.`);
  }

  const reviews: Review[] = [];
  let refused: LabError | undefined;
  let parseError: string | undefined;
  let done = 0;
  let lastReport = 0;

  const parser = new Parser({
    strict: true,
    onReadEntry(entry: ReadEntry) {
      const reason = unsafeEntryReason(entry);
      if (reason && !refused) {
        refused = new LabError('unsafe-archive', `Refused ${archivePath}: entry "${entry.path}" has ${reason}, which could write outside the target folder.`);
        parser.abort(refused);
      }
      const meta = entry.type === 'File' || entry.type === 'OldFile' ? parseReviewPath(entry.path) : undefined;
      if (!meta || refused) {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => reviews.push({ ...meta, text: Buffer.concat(chunks).toString('utf8') }));
    },
  });
  parser.on('warn', (_code: string, message: string | Error) => {
    parseError ??= errorMessage(message);
  });
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      const now = Date.now();
      if (onProgress && now - lastReport > 100) {
        lastReport = now;
        onProgress({ phase: 'read', done, total, unit: 'bytes', message: 'Reading reviews from the archive' });
      }
      callback(null, chunk);
    },
  });

  try {
    await pipeline(createReadStream(archivePath), meter, parser, { signal });
  } catch (error) {
    if (refused) throw refused;
    if (signal?.aborted) throw cancelledError('Reading the archive');
    throw new LabError('corrupt-archive', `${archivePath} is truncated or corrupt (${errorMessage(error)}). Delete it and download it again.`);
  }
  if (refused) throw refused;
  if (parseError) {
    throw new LabError('corrupt-archive', `${archivePath} is truncated or corrupt (${parseError}). Delete it and download it again.`);
  }
  const corpus = corpusFrom(reviews);
  checkCorpus(corpus, archivePath);
  return corpus;
}

/** A readable archive without reviews in the expected layout is a wrong file, not an empty dataset. */
export function checkCorpus(corpus: RawCorpus, where: string): void {
  const missing = (['train', 'test'] as const).flatMap((split) =>
    ([0, 1] as const).filter((label) => !corpus[split].some((r) => r.label === label)).map((label) => `${split}/${label ? 'pos' : 'neg'}`),
  );
  if (missing.length > 0) {
    throw new LabError(
      'corrupt-archive',
      `${where} does not have the IMDB layout: no reviews in ${missing.join(', ')} (expected aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt).`,
    );
  }
}
