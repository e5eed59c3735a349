/** Reads a user's document: a regular file within the size cap, decoded as UTF-8 (see decode.ts). */
import { readFile, stat } from 'node:fs/promises';
import { LabError } from '../errors';
import { formatBytes } from '../format';
import { DATA_LIMITS } from '../dataset/limits';
import { decodeUtf8 } from './decode';

export async function readDocumentFile(file: string): Promise<string> {
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new LabError('not-found', `No file at ${file}.`);
  if (!info.isFile()) throw new LabError('bad-argument', `${file} is not a regular file.`);
  if (info.size > DATA_LIMITS.documentBytes) throw new LabError('bad-argument', `${file} is ${formatBytes(info.size)}: larger than a document may be (${formatBytes(DATA_LIMITS.documentBytes)}).`);
  return decodeUtf8(await readFile(file), file);
}
