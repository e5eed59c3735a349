/**
 * Reads the reviews straight out of a `.tar.gz` with the official layout,
 * streamed through node-tar's parser: nothing is written to disk, and only
 * `{train,test}/{pos,neg}/*.txt` entries are kept in memory.
 *
 * Any entry that could escape an extraction folder (an absolute path, a `..`
 * segment, a symbolic or hard link) makes the whole archive refused: such an
 * archive is not the dataset and must not be trusted further.
 *
 * The archive is gunzipped here rather than by the tar parser, so that what
 * it expands to is counted and capped (limits.ts): a decompression bomb is
 * refused once it has expanded past the cap, a review entry larger than any
 * review is refused from its header, before its bytes are read.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { LabError, cancelledError, errorMessage } from '../errors';
import { formatBytes } from '../format';
import type { ProgressListener } from '../progress';
import { DATA_LIMITS } from './limits';
import { corpusFrom, parseReviewPath, type RawCorpus, type Review } from './reviews';

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

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
  let expanded = 0;
  let reviewBytes = 0;
  let lastReport = 0;
  const refuse = (reason: string) => {
    if (refused) return;
    refused = new LabError('unsafe-archive', `Refused ${archivePath}: ${reason}`);
    parser.abort(refused);
  };

  const parser = new Parser({
    strict: true,
    maxMetaEntrySize: DATA_LIMITS.archiveMetaEntryBytes,
    onReadEntry(entry: ReadEntry) {
      const reason = unsafeEntryReason(entry);
      if (reason) refuse(`entry "${entry.path}" has ${reason}, which could write outside the target folder.`);
      const meta = entry.type === 'File' || entry.type === 'OldFile' ? parseReviewPath(entry.path) : undefined;
      if (meta && !refused) {
        const size = entry.size ?? 0;
        reviewBytes += size;
        if (size > DATA_LIMITS.reviewBytes) refuse(`entry "${entry.path}" has ${formatBytes(size)}, more than a review may have (${formatBytes(DATA_LIMITS.reviewBytes)}).`);
        else if (reviewBytes > DATA_LIMITS.corpusBytes) refuse(`its reviews exceed ${formatBytes(DATA_LIMITS.corpusBytes)} in total, far more than the IMDB corpus.`);
      }
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

  // Counts what the archive expands to, and stops it at the cap.
  const expansion = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      expanded += chunk.length;
      if (expanded > DATA_LIMITS.archiveExpandedBytes) {
        refuse(`it expands to more than ${formatBytes(DATA_LIMITS.archiveExpandedBytes)} (compressed ${formatBytes(total)}): a decompression bomb or not the IMDB archive.`);
        callback(refused);
        return;
      }
      callback(null, chunk);
    },
  });

  try {
    const gunzip = (await isGzip(archivePath)) ? createGunzip() : new PassThrough();
    await pipeline(createReadStream(archivePath), meter, gunzip, expansion, parser, { signal });
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
