/**
 * Writing files so that a crash, a kill -9 or a power cut leaves either the
 * old content or the new, never half of it: data goes to a temporary name in
 * the same folder, is fsynced, and is renamed over the target; the folder is
 * fsynced after the rename. Temporary names carry the writer's pid, so a
 * sweep can tell the leftovers of a dead writer from the work of a live one.
 * Every failure path removes what it wrote. Node has no library for this
 * (write-file-atomic covers single files, not folders, and no pid-tagged
 * sweep), hence the few lines here.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { LabError, errorMessage } from './errors';

/** A temporary left untouched this long belongs to nobody, whatever its pid says (pids are reused). */
export const STALE_TEMPORARY_MS = 60 * 60_000;

/** `.<base>.<pid>-<random>.<suffix>`: hidden, unique, and naming the process that writes it. */
export function temporaryName(base: string, suffix: string): string {
  return `.${base}.${process.pid}-${randomBytes(4).toString('hex')}.${suffix}`;
}

const TEMPORARY = /^\.(.+)\.(\d+)-[0-9a-f]+\.([a-z]+)$/;

/** The parts of a name made by temporaryName, or undefined. */
export function parseTemporaryName(name: string): { base: string; pid: number; suffix: string } | undefined {
  const m = TEMPORARY.exec(name);
  return m ? { base: m[1], pid: Number(m[2]), suffix: m[3] } : undefined;
}

export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a temporary entry was left by a writer that is gone. */
export async function isAbandoned(dir: string, name: string, now = Date.now()): Promise<boolean> {
  const parsed = parseTemporaryName(name);
  if (!parsed) return false;
  if (!processAlive(parsed.pid)) return true;
  const info = await lstat(path.join(dir, name)).catch(() => undefined);
  return info !== undefined && now - info.mtimeMs > STALE_TEMPORARY_MS;
}

/** Removes the temporaries with one of `suffixes` in `dir` whose writers are gone. */
export async function sweepAbandoned(dir: string, suffixes: readonly string[]): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const swept: string[] = [];
  for (const name of names) {
    const parsed = parseTemporaryName(name);
    if (!parsed || !suffixes.includes(parsed.suffix) || !(await isAbandoned(dir, name))) continue;
    await rm(path.join(dir, name), { recursive: true, force: true }).then(() => swept.push(name), () => undefined);
  }
  return swept;
}

/** Writes and fsyncs a new file (refusing to overwrite one). */
export async function writeFileSynced(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(file, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a folder's entries (a rename, a new file) durable. Windows cannot open folders: there NTFS' journal has to do. */
export async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A failed write as one line a user can act on ("no space left on device" rather than a stack). */
export function writeFailure(what: string, where: string, error: unknown): LabError {
  const code = (error as NodeJS.ErrnoException)?.code;
  const reason =
    code === 'ENOSPC' ? 'no space left on the device' : code === 'EDQUOT' ? 'disk quota exceeded' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'the file system is read-only' : errorMessage(error);
  return new LabError('write-failed', `Could not write ${what} in ${where}: ${reason}${code ? ` (${code})` : ''}. Nothing half-written was left.`, { cause: error });
}

/** Replaces `file` with `data` atomically and durably. */
export async function replaceFile(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const temporary = path.join(dir, temporaryName(path.basename(file), 'tmp'));
  try {
    await writeFileSynced(temporary, data);
    await rename(temporary, file);
    await syncFolder(dir);
  } catch (error) {
    await rm(temporary, { force: true });
    throw writeFailure(path.basename(file), dir, error);
  }
}

/**
 * Writes `files` as the folder `parent/name`, replacing an existing one whole.
 * The new folder is written and fsynced under a temporary name; the old one
 * is renamed aside (`.previous`), the new one into place, the old one
 * removed. A crash between the two renames leaves both, complete:
 * recoverFolders puts the newer one in place.
 */
export async function writeFolder(parent: string, name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const target = path.join(parent, name);
  const temporary = path.join(parent, temporaryName(name, 'partial'));
  const previous = path.join(parent, temporaryName(name, 'previous'));
  let movedAside = false;
  try {
    await mkdir(temporary, { mode: 0o755 });
    for (const [file, data] of Object.entries(files)) await writeFileSynced(path.join(temporary, file), data);
    await syncFolder(temporary);
    const exists = await stat(target).then(() => true, () => false);
    if (exists) {
      await rename(target, previous);
      movedAside = true;
    }
    await rename(temporary, target);
    movedAside = false;
    await syncFolder(parent);
  } catch (error) {
    if (movedAside) await rename(previous, target).catch(() => undefined);
    await rm(temporary, { recursive: true, force: true });
    throw writeFailure(`${name}/`, parent, error);
  }
  // The new folder is in place: a leftover old one is swept once this process is gone.
  await rm(previous, { recursive: true, force: true }).catch(() => undefined);
  return target;
}

/**
 * Repairs what a writer that died in writeFolder left in `parent`: a folder
 * renamed aside whose replacement never arrived is replaced by the complete
 * new one (or put back), and abandoned temporaries are removed. Only the
 * leftovers of dead writers are touched. `isComplete` tells whether a
 * temporary folder was wholly written (as the folder `name` it was to become).
 */
export async function recoverFolders(parent: string, isComplete: (dir: string, name: string) => Promise<boolean>): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const abandoned = [];
  for (const name of names) {
    const parsed = parseTemporaryName(name);
    if (parsed && (parsed.suffix === 'previous' || parsed.suffix === 'partial') && (await isAbandoned(parent, name))) abandoned.push({ name, ...parsed });
  }
  for (const aside of abandoned.filter((a) => a.suffix === 'previous')) {
    const target = path.join(parent, aside.base);
    const targetExists = await stat(target).then(() => true, () => false);
    if (!targetExists) {
      // The writer renamed the old folder aside only once the new one was complete and synced.
      const replacement = abandoned.find((a) => a.suffix === 'partial' && a.base === aside.base && a.pid === aside.pid);
      const source = replacement && (await isComplete(path.join(parent, replacement.name), aside.base)) ? replacement.name : aside.name;
      await rename(path.join(parent, source), target).catch(() => undefined);
    }
  }
  await sweepAbandoned(parent, ['previous', 'partial', 'tmp']);
}
