/**
 * Where the tests and benchmarks find the IMDB corpus, in order:
 *   1. $RSL_IMDB_ARCHIVE, a .tar.gz with the official layout (or an extracted aclImdb folder);
 *   2. ../shared/datasets/aclImdb_v1-labeled.tar.gz beside the checkout, where it exists;
 *   3. the official archive, downloaded once into .cache/ with the project's own
 *      downloader and kept only when its size and sha256 match.
 * Unit, integration and end-to-end tests and the benchmark scripts all ask here.
 * `node --import tsx test/corpus.ts` prints the path (downloading if needed).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { downloadFile } from '../src/core/dataset/download';
import { OFFICIAL_ARCHIVE } from '../src/core/dataset/source';

export const ARCHIVE_ENV = 'RSL_IMDB_ARCHIVE';

/** The checkout's root, found from here whether this file runs as source or inside a test bundle. */
export function repoRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'rnn-sentiment-lab') return dir;
    if (path.dirname(dir) === dir) throw new Error(`No rnn-sentiment-lab checkout above ${from}.`);
  }
}

let found: Promise<string> | undefined;

export function imdbArchive(): Promise<string> {
  found ??= locate().catch((error: unknown) => {
    found = undefined;
    throw error;
  });
  return found;
}

async function locate(): Promise<string> {
  const fromEnv = process.env[ARCHIVE_ENV];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${ARCHIVE_ENV} names ${fromEnv}, which does not exist.`);
    return path.resolve(fromEnv);
  }
  const root = repoRoot();
  const shared = path.resolve(root, '..', 'shared', 'datasets', 'aclImdb_v1-labeled.tar.gz');
  if (existsSync(shared)) return shared;
  const cached = path.join(root, '.cache', OFFICIAL_ARCHIVE.fileName);
  if (!existsSync(cached)) {
    // Only a complete file with the right sha256 is renamed into place, so an existing one is whole.
    process.stderr.write(`The IMDB corpus: neither ${ARCHIVE_ENV} nor ${shared} is there; downloading ${OFFICIAL_ARCHIVE.url} (84 MB) once into ${cached}.\n`);
    await downloadFile({ url: OFFICIAL_ARCHIVE.url, destination: cached, sha256: OFFICIAL_ARCHIVE.sha256, size: OFFICIAL_ARCHIVE.size });
  }
  return cached;
}

if (require.main === module) {
  imdbArchive().then(
    (file) => process.stdout.write(`${file}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
