/**
 * Where the training service listens: one per extension version and storage
 * folder, so every window of a profile shares it (one training at a time on
 * the machine's cores). Unix socket paths are limited to about 100 bytes,
 * hence a short hashed name in the temporary folder rather than a path in the
 * (long) storage folder.
 */
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';

export function serviceAddress(storageDir: string, version: string): string {
  const key = createHash('sha256').update(`${version}\n${path.resolve(storageDir)}`).digest('hex').slice(0, 16);
  return process.platform === 'win32' ? `\\\\.\\pipe\\rnn-sentiment-lab-${key}` : path.join(os.tmpdir(), `rnn-sentiment-lab-${key}.sock`);
}
