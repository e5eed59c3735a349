/**
 * Where the reviews come from: the official archive (downloaded once into the
 * cache), a local `.tar.gz` with the official layout, an extracted folder, or
 * an http(s) URL of such an archive. Each resolves to a local archive or
 * folder plus an identity string that keys the tokenised-corpus cache.
 */
import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { LabError } from '../errors';
import type { ProgressListener } from '../progress';
import { downloadFile } from './download';

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
  | { kind: 'url'; url: string; sha256?: string };

export interface ResolvedSource {
  kind: 'archive' | 'folder';
  path: string;
  /** Changes whenever the reviews could have changed; keys the cache. */
  identity: string;
  /** For people: where the data came from. */
  description: string;
}

/**
 * Reads what a user typed: `official`, an http(s) URL, or a path (a folder
 * is an extracted dataset, anything else an archive).
 */
export async function parseDataSource(text: string): Promise<DataSource> {
  const value = text.trim();
  if (value === '' || value === 'official') return { kind: 'official' };
  if (/^https?:\/\//i.test(value)) {
    try {
      new URL(value);
    } catch {
      throw new LabError('bad-argument', `"${value}" is not a valid URL.`);
    }
    return { kind: 'url', url: value };
  }
  const info = await stat(value).catch(() => undefined);
  if (!info) throw new LabError('not-found', `No dataset at ${value}: expected "official", a URL, a .tar.gz archive or an aclImdb folder.`);
  return info.isDirectory() ? { kind: 'folder', path: value } : { kind: 'archive', path: value };
}

export function describeSource(source: DataSource): string {
  switch (source.kind) {
    case 'official':
      return `official archive (${OFFICIAL_ARCHIVE.url})`;
    case 'url':
      return source.url;
    default:
      return source.path;
  }
}

export async function resolveSource(
  source: DataSource,
  cacheDir: string,
  options: { signal?: AbortSignal; onProgress?: ProgressListener; officialUrl?: string } = {},
): Promise<ResolvedSource> {
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
      const key = createHash('sha256').update(source.url).digest('hex').slice(0, 16);
      const destination = path.join(cacheDir, 'downloads', `url-${key}.tar.gz`);
      const present = await stat(destination).then(() => true, () => false);
      if (!present) {
        await downloadFile({ url: source.url, destination, sha256: source.sha256, signal: options.signal, onProgress: options.onProgress });
      }
      return { kind: 'archive', path: destination, ...(await localIdentity(destination)), description: source.url };
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
