/**
 * Where the reviews come from: the official archive (downloaded once into the
 * cache), a local `.tar.gz` with the official layout, an extracted folder, or
 * an http(s) URL of such an archive. Each resolves to a local archive or
 * folder plus an identity string that keys the tokenised-corpus cache.
 */
import { createHash } from 'node:crypto';
import { readdir, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { LabError } from '../errors';
import type { ProgressListener } from '../progress';
import { sweepAbandoned } from '../durable-files';
import { downloadFile } from './download';
import { isLabelledFile, type LabelledOptions } from './labelled';

export const OFFICIAL_ARCHIVE = {
  url: 'https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz',
  size: 84_125_825,
  sha256: 'c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe',
  fileName: 'aclImdb_v1.tar.gz',
} as const;

export type DataSource =
  | { kind: 'official' }
  | { kind: 'archive'; path: string }
  | { kind: 'folder'; path: string }
  | { kind: 'url'; url: string; sha256?: string }
  /** A user's labelled texts: a CSV/TSV/JSONL file or a folder with one subfolder per label (see labelled.ts). */
  | { kind: 'labelled'; path: string; options: LabelledOptions };

export interface ResolvedSource {
  kind: 'archive' | 'folder' | 'labelled';
  path: string;
  /** Changes whenever the reviews could have changed; keys the cache. */
  identity: string;
  /** For people: where the data came from. */
  description: string;
}

const SHA256_SUFFIX = /#sha256=([^#]*)$/i;

/**
 * An http(s) URL, optionally ending in `#sha256=<64 hex digits>` (the
 * archive's checksum, verified after the download). Plain http is refused
 * unless a checksum is given: on the way, anyone could change the bytes.
 */
export function parseUrlSource(value: string): Extract<DataSource, { kind: 'url' }> {
  const suffix = SHA256_SUFFIX.exec(value);
  const address = suffix ? value.slice(0, suffix.index) : value;
  if (suffix && !/^[0-9a-f]{64}$/i.test(suffix[1])) {
    throw new LabError('bad-argument', `"#sha256=${suffix[1]}" is not a sha256 checksum: it takes 64 hexadecimal digits.`);
  }
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new LabError('bad-argument', `"${address}" is not a valid URL.`);
  }
  const source = { kind: 'url' as const, url: url.toString(), ...(suffix ? { sha256: suffix[1].toLowerCase() } : {}) };
  checkUrlSource(source);
  return source;
}

/** Only https, or http with a checksum; the same rule wherever a URL source comes from. */
export function checkUrlSource(source: Extract<DataSource, { kind: 'url' }>): void {
  const protocol = /^([a-z]+):/i.exec(source.url)?.[1]?.toLowerCase();
  if (protocol === 'https') return;
  if (protocol === 'http' && source.sha256) return;
  if (protocol === 'http') {
    throw new LabError('bad-argument', `Refused ${source.url}: plain http can be altered on the way. Use https, or add the archive's checksum as ${source.url}#sha256=<64 hex digits>.`);
  }
  throw new LabError('bad-argument', `Refused ${source.url}: a data source URL must be https (or http with #sha256=).`);
}

/**
 * Reads what a user typed: `official`, an http(s) URL (with an optional
 * `#sha256=` suffix), or a path: a .csv/.tsv/.jsonl file is labelled data, a
 * folder with train/ (or aclImdb/train/) an extracted IMDB dataset, any other
 * folder one subfolder per label, anything else an archive.
 */
export async function parseDataSource(text: string, labelled: LabelledOptions = {}): Promise<DataSource> {
  const value = text.trim();
  if (value === '' || value === 'official') return { kind: 'official' };
  if (/^https?:\/\//i.test(value)) return parseUrlSource(value);
  const info = await stat(value).catch(() => undefined);
  if (!info) throw new LabError('not-found', `No dataset at ${value}: expected "official", a URL, a .tar.gz archive, an aclImdb folder, a labelled .csv/.tsv/.jsonl file or a folder of label subfolders.`);
  if (info.isDirectory()) {
    // Label subfolders, unless it has the aclImdb layout (or nothing at all, which the IMDB reader names).
    const imdb = await Promise.all([path.join(value, 'train'), path.join(value, 'aclImdb', 'train')].map((p) => stat(p).then((s) => s.isDirectory(), () => false)));
    const subfolders = (await readdir(value, { withFileTypes: true })).some((e) => e.isDirectory());
    return imdb.some(Boolean) || !subfolders ? { kind: 'folder', path: value } : { kind: 'labelled', path: value, options: labelled };
  }
  return isLabelledFile(value) ? { kind: 'labelled', path: value, options: labelled } : { kind: 'archive', path: value };
}

export function describeSource(source: DataSource): string {
  switch (source.kind) {
    case 'official':
      return `official archive (${OFFICIAL_ARCHIVE.url})`;
    case 'url':
      return source.sha256 ? `${source.url}#sha256=${source.sha256}` : source.url;
    default:
      return source.path;
  }
}

export async function resolveSource(
  source: DataSource,
  cacheDir: string,
  options: { signal?: AbortSignal; onProgress?: ProgressListener; officialUrl?: string } = {},
): Promise<ResolvedSource> {
  // What a killed download left behind goes, whatever the source is now.
  await sweepAbandoned(path.join(cacheDir, 'downloads'), ['partial']);
  switch (source.kind) {
    case 'official': {
      const destination = path.join(cacheDir, 'downloads', OFFICIAL_ARCHIVE.fileName);
      const present = await stat(destination).then((s) => s.size === OFFICIAL_ARCHIVE.size, () => false);
      if (!present) {
        await downloadFile({
          url: options.officialUrl ?? OFFICIAL_ARCHIVE.url,
          destination,
          sha256: OFFICIAL_ARCHIVE.sha256,
          size: OFFICIAL_ARCHIVE.size,
          signal: options.signal,
          onProgress: options.onProgress,
        });
      }
      return { kind: 'archive', path: destination, identity: `sha256:${OFFICIAL_ARCHIVE.sha256}`, description: describeSource(source) };
    }
    case 'url': {
      checkUrlSource(source);
      const key = createHash('sha256').update(describeSource(source)).digest('hex').slice(0, 16);
      const destination = path.join(cacheDir, 'downloads', `url-${key}.tar.gz`);
      const present = await stat(destination).then(() => true, () => false);
      if (!present) {
        await downloadFile({ url: source.url, destination, sha256: source.sha256, signal: options.signal, onProgress: options.onProgress });
      }
      return { kind: 'archive', path: destination, ...(await localIdentity(destination)), description: describeSource(source) };
    }
    case 'labelled': {
      const info = await stat(source.path).catch(() => undefined);
      if (!info) throw new LabError('not-found', `No dataset at ${source.path}.`);
      return { kind: 'labelled', path: source.path, identity: `labelled:${source.path}`, description: source.path };
    }
    case 'archive':
    case 'folder': {
      const info = await stat(source.path).catch(() => undefined);
      if (!info) throw new LabError('not-found', `No dataset at ${source.path}.`);
      if (source.kind === 'folder' && !info.isDirectory()) throw new LabError('bad-argument', `${source.path} is a file, not a dataset folder.`);
      if (source.kind === 'archive' && info.isDirectory()) throw new LabError('bad-argument', `${source.path} is a folder, not an archive.`);
      return { kind: source.kind, path: source.path, ...(await localIdentity(source.path)), description: source.path };
    }
  }
}

/** Real path, size and modification time: cheap, and changes when the file is replaced. */
async function localIdentity(p: string): Promise<{ identity: string }> {
  const real = await realpath(p);
  const info = await stat(real);
  return { identity: `file:${real}:${info.size}:${Math.round(info.mtimeMs)}` };
}
