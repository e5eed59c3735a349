/**
 * Streams an archive to disk with progress, cancellation and an optional
 * checksum. Bytes go to a temporary file beside the target; only a complete
 * download whose size and sha256 match is renamed into place, so the cache
 * never holds a partial file under the final name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { LabError, cancelledError, errorMessage } from '../errors';
import type { ProgressListener } from '../progress';

export interface DownloadOptions {
  url: string;
  destination: string;
  /** Expected sha256 (hex); the file is refused when it differs. */
  sha256?: string;
  /** Expected size in bytes; refused when it differs. */
  size?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export async function downloadFile(options: DownloadOptions): Promise<void> {
  const { url, destination, signal, onProgress } = options;
  await mkdir(path.dirname(destination), { recursive: true });
  const temporary = `${destination}.${randomBytes(6).toString('hex')}.partial`;
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal, redirect: 'follow' });
    } catch (error) {
      if (signal?.aborted) throw cancelledError('Download');
      throw new LabError('download-failed', `Could not download ${url}: ${errorMessage((error as Error).cause ?? error)}`);
    }
    if (!response.ok || !response.body) {
      throw new LabError('download-failed', `Could not download ${url}: the server answered ${response.status} ${response.statusText}.`);
    }
    const announced = Number(response.headers.get('content-length')) || undefined;
    const total = options.size ?? announced;
    const hash = createHash('sha256');
    let done = 0;
    let lastReport = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        done += chunk.length;
        const now = Date.now();
        if (onProgress && now - lastReport > 100) {
          lastReport = now;
          onProgress({ phase: 'download', done, total, unit: 'bytes', message: `Downloading ${path.basename(destination)}` });
        }
        callback(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), meter, createWriteStream(temporary), { signal });
    } catch (error) {
      if (signal?.aborted) throw cancelledError('Download');
      throw new LabError('download-failed', `Download of ${url} broke off after ${done} bytes: ${errorMessage(error)}`);
    }
    onProgress?.({ phase: 'download', done, total, unit: 'bytes', message: `Downloaded ${path.basename(destination)}` });
    const expectedSize = options.size ?? announced;
    if (expectedSize !== undefined && done !== expectedSize) {
      throw new LabError('download-failed', `Download of ${url} is incomplete: got ${done} of ${expectedSize} bytes.`);
    }
    const digest = hash.digest('hex');
    if (options.sha256 && digest !== options.sha256.toLowerCase()) {
      throw new LabError('checksum-mismatch', `Downloaded file from ${url} has sha256 ${digest}, expected ${options.sha256}: it was not kept.`);
    }
    await rename(temporary, destination);
  } finally {
    await rm(temporary, { force: true });
  }
}
