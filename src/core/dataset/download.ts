/**
 * Streams an archive to disk with progress, cancellation and an optional
 * checksum. Bytes go to a temporary file beside the target; only a complete
 * download whose size and sha256 match is fsynced and renamed into place, so
 * the cache never holds a partial file under the final name. A download is
 * capped in bytes and abandoned when the server sends nothing for a while
 * (limits.ts). The temporary file names its process: one a killed download
 * left is swept by the next (durable-files.ts).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { sweepAbandoned, syncFolder, temporaryName } from '../durable-files';
import { LabError, cancelledError, errorMessage } from '../errors';
import { formatBytes } from '../format';
import type { ProgressListener } from '../progress';
import { DATA_LIMITS } from './limits';

export interface DownloadOptions {
  url: string;
  destination: string;
  /** Expected sha256 (hex); the file is refused when it differs. */
  sha256?: string;
  /** Expected size in bytes; refused when it differs. */
  size?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Default DATA_LIMITS.downloadBytes. */
  maxBytes?: number;
  /** Default DATA_LIMITS.downloadIdleMs. */
  idleMs?: number;
}

export async function downloadFile(options: DownloadOptions): Promise<void> {
  const { url, destination, signal, onProgress } = options;
  const maxBytes = options.maxBytes ?? DATA_LIMITS.downloadBytes;
  const idleMs = options.idleMs ?? DATA_LIMITS.downloadIdleMs;
  const dir = path.dirname(destination);
  await mkdir(dir, { recursive: true });
  await sweepAbandoned(dir, ['partial']);
  const temporary = path.join(dir, temporaryName(path.basename(destination), 'partial'));
  // Abandons the download when the server sends nothing for idleMs, headers or body.
  const idle = new AbortController();
  let idleTimer: NodeJS.Timeout | undefined;
  const stillAlive = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => idle.abort(), idleMs);
  };
  const aborted = signal ? AbortSignal.any([signal, idle.signal]) : idle.signal;
  const failure = (error: unknown, what: string): LabError => {
    if (error instanceof LabError) return error;
    if (signal?.aborted) return cancelledError('Download');
    if (idle.signal.aborted) return new LabError('download-failed', `${what}: the server sent nothing for ${idleMs >= 1000 ? `${Math.round(idleMs / 1000)} s` : `${idleMs} ms`}.`);
    return new LabError('download-failed', `${what}: ${errorMessage((error as Error)?.cause ?? error)}`);
  };
  stillAlive();
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: aborted, redirect: 'follow' });
    } catch (error) {
      throw failure(error, `Could not download ${url}`);
    }
    if (!response.ok || !response.body) {
      throw new LabError('download-failed', `Could not download ${url}: the server answered ${response.status} ${response.statusText}.`);
    }
    const announced = Number(response.headers.get('content-length')) || undefined;
    if (announced !== undefined && announced > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new LabError('download-failed', `Refused ${url}: it is ${formatBytes(announced)}, more than a data source may be (${formatBytes(maxBytes)}).`);
    }
    const total = options.size ?? announced;
    const hash = createHash('sha256');
    let done = 0;
    let lastReport = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        stillAlive();
        done += chunk.length;
        if (done > maxBytes) {
          callback(new LabError('download-failed', `Refused ${url}: it sends more than a data source may be (${formatBytes(maxBytes)}).`));
          return;
        }
        hash.update(chunk);
        const now = Date.now();
        if (onProgress && now - lastReport > 100) {
          lastReport = now;
          onProgress({ phase: 'download', done, total, unit: 'bytes', message: `Downloading ${path.basename(destination)}` });
        }
        callback(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), meter, createWriteStream(temporary, { flags: 'wx', mode: 0o644 }), { signal: aborted });
    } catch (error) {
      throw failure(error, `Download of ${url} broke off after ${done} bytes`);
    }
    clearTimeout(idleTimer);
    onProgress?.({ phase: 'download', done, total, unit: 'bytes', message: `Downloaded ${path.basename(destination)}` });
    const expectedSize = options.size ?? announced;
    if (expectedSize !== undefined && done !== expectedSize) {
      throw new LabError('download-failed', `Download of ${url} is incomplete: got ${done} of ${expectedSize} bytes.`);
    }
    const digest = hash.digest('hex');
    if (options.sha256 && digest !== options.sha256.toLowerCase()) {
      throw new LabError('checksum-mismatch', `Downloaded file from ${url} has sha256 ${digest}, expected ${options.sha256}: it was not kept.`);
    }
    const handle = await open(temporary, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, destination);
    await syncFolder(dir);
  } finally {
    clearTimeout(idleTimer);
    await rm(temporary, { force: true });
  }
}
