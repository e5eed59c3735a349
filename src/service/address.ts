/**
 * Where the training service listens, and the secret a client must show it.
 *
 * One service per extension version, storage folder and set of allowed
 * folders, so every window of a profile shares it (one training at a time on
 * the machine's cores). Its socket lives in a folder only the user can enter:
 * `$XDG_RUNTIME_DIR` when it is the user's own and closed to others, else a
 * 0700 folder of the user's own under the temporary folder, checked for owner
 * and mode before use (a folder another user planted there is refused, never
 * trusted). The token file beside the socket is what a client proves itself
 * with (see service/auth.ts).
 *
 * Windows: Node cannot set a named pipe's access list, so the pipe's name
 * carries a random per-user secret kept in the user's profile, and the token
 * is required as well.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabError } from '../core/errors';
import writeFileAtomic from 'write-file-atomic';

/** What the service may touch, given by whoever starts it (never by a client). */
export interface ServiceRoots {
  runsDir: string;
  cacheDir: string;
  /** The configured data source: "official", a URL, or the path of an archive or folder. */
  dataSource: string;
}

export interface ServiceEndpoint {
  /** The Unix socket or Windows pipe. */
  address: string;
  /** The token a client sends first; written 0600 by the service when it starts. */
  tokenFile: string;
}

/** Unix socket paths are limited to about 100 bytes: a short hashed name, in a short folder. */
export function serviceEndpoint(storageDir: string, version: string, roots: ServiceRoots, options: { privateDir?: string } = {}): ServiceEndpoint {
  const key = createHash('sha256')
    .update([version, path.resolve(storageDir), path.resolve(roots.runsDir), path.resolve(roots.cacheDir), roots.dataSource].join('\n'))
    .digest('hex')
    .slice(0, 16);
  if (process.platform === 'win32') {
    const dir = options.privateDir ?? windowsProfileDir();
    return { address: `\\\\.\\pipe\\rnn-sentiment-lab-${key}-${pipeSecret(dir)}`, tokenFile: path.join(dir, `${key}.token`) };
  }
  const dir = options.privateDir ?? privateRuntimeDir();
  return { address: path.join(dir, `${key}.sock`), tokenFile: path.join(dir, `${key}.token`) };
}

/** The service's log: beside its token, in the same private folder. */
export function serviceLogPath(endpoint: ServiceEndpoint): string {
  return endpoint.tokenFile.replace(/\.token$/, '.log');
}

/** Why a folder is not private to this user, or undefined when it is. */
export function privacyProblem(dir: string): string | undefined {
  let info;
  try {
    info = lstatSync(dir);
  } catch {
    return `${dir} does not exist`;
  }
  if (info.isSymbolicLink() || !info.isDirectory()) return `${dir} is not a folder (a link or a file is there)`;
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) return `${dir} belongs to another user (uid ${info.uid})`;
  if ((info.mode & 0o077) !== 0) return `${dir} is open to other users (mode ${(info.mode & 0o777).toString(8)})`;
  return undefined;
}

/**
 * `$XDG_RUNTIME_DIR/rnn-sentiment-lab` when the runtime folder is private,
 * else `<tmp>/rnn-sentiment-lab-<uid>`. Created 0700; an existing folder
 * must pass the same checks, or the service refuses to use it.
 */
export function privateRuntimeDir(env = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && path.isAbsolute(runtime) && !privacyProblem(runtime)) return ensurePrivateDir(path.join(runtime, 'rnn-sentiment-lab'));
  return ensurePrivateDir(path.join(os.tmpdir(), `rnn-sentiment-lab-${process.getuid?.() ?? 'user'}`));
}

export function ensurePrivateDir(dir: string): string {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new LabError('unsafe-folder', `Cannot create the training service's folder ${dir}: ${(error as Error).message}`);
  }
  const problem = privacyProblem(dir);
  if (problem) {
    throw new LabError(
      'unsafe-folder',
      `The training service's folder is not private: ${problem}. Another user may have planted it; remove it (or fix its owner and mode to 0700) and try again.`,
    );
  }
  return dir;
}

function windowsProfileDir(): string {
  const base = process.env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local');
  const dir = path.join(base, 'rnn-sentiment-lab');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The per-user secret in the pipe's name: created once, kept in the user's profile. */
function pipeSecret(dir: string): string {
  const file = path.join(dir, 'pipe-secret');
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{32}$/.test(secret)) return secret;
  } catch {
    // Not there yet: made below.
  }
  const secret = randomBytes(16).toString('hex');
  writeFileAtomic.sync(file, secret, { mode: 0o600 });
  // Two windows starting at once: both use whichever write landed last.
  return readFileSync(file, 'utf8').trim();
}
