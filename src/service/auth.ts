/**
 * The training service's token: 32 random bytes, written by the service when
 * it starts, atomically and readable by the user alone, beside its socket.
 * A client reads it (after checking the file is the user's own and closed to
 * others) and sends it as its first line; a connection whose first line is
 * not that token is closed. The token is what stands between the service and
 * other local users where a folder's permissions cannot (Windows pipes).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { LabError } from '../core/errors';
import type { ServiceHello } from '../protocol';

const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** How long a connection may take to show its token before it is closed. */
export const HELLO_TIMEOUT_MS = 10_000;

export const helloSchema: z.ZodType<ServiceHello> = z.object({ kind: z.literal('hello'), token: z.string().max(256) }).strict();

export function writeNewToken(tokenFile: string): string {
  const token = randomBytes(32).toString('hex');
  writeFileAtomic.sync(tokenFile, token, { mode: 0o600 });
  return token;
}

/** The token of the service at this endpoint; refuses a file that is not the user's own, private, regular file. */
export function readToken(tokenFile: string): string {
  let info;
  try {
    info = lstatSync(tokenFile);
  } catch {
    throw new LabError('unauthorized', `The training service's token file ${tokenFile} is missing.`);
  }
  const uid = process.getuid?.();
  if (!info.isFile()) throw new LabError('unsafe-folder', `${tokenFile} is not a regular file: not reading a token from it.`);
  if (uid !== undefined && info.uid !== uid) throw new LabError('unsafe-folder', `${tokenFile} belongs to another user (uid ${info.uid}): not trusting it.`);
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    throw new LabError('unsafe-folder', `${tokenFile} is readable by other users (mode ${(info.mode & 0o777).toString(8)}): not trusting it.`);
  }
  const token = readFileSync(tokenFile, 'utf8').trim();
  if (!TOKEN_PATTERN.test(token)) throw new LabError('unauthorized', `${tokenFile} does not hold a token.`);
  return token;
}

/** True when `message` is a hello with exactly this token (compared in constant time). */
export function isValidHello(message: unknown, token: string): boolean {
  const hello = helloSchema.safeParse(message);
  if (!hello.success) return false;
  const given = Buffer.from(hello.data.token);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
