/** Shared fixtures of the unit tests: real folders, the IMDB corpus (see test/corpus.ts), small archives made on the spot. */
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { before, after } from 'node:test';
import type { KeyValueStore } from '../../src/lab/lab';
import { WorkerClient } from '../../src/core/worker-client';

import { imdbArchive } from '../corpus';

export { imdbArchive };

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const WORKER_PATH = path.join(REPO_ROOT, 'dist', 'worker.js');
export const CLI_PATH = path.join(REPO_ROOT, 'dist', 'cli.js');
/** Tokenising the full corpus takes ~10 s; the cache lives in a git-ignored folder across test runs. */
export const TEST_CACHE_DIR = path.join(REPO_ROOT, '.cache', 'test');

/** Polls until `condition` holds; rejects after `timeoutMs`, saying what it waited for. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Gave up after ${timeoutMs / 1000} s waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function requireBuilt(): void {
  if (!existsSync(WORKER_PATH) || !existsSync(CLI_PATH)) throw new Error('Run `npm run build` first: the tests use dist/worker.js and dist/cli.js.');
}

export async function tempDir(prefix = 'rsl-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface FakeReview {
  split: 'train' | 'test';
  label: 'pos' | 'neg';
  id: number;
  rating: number;
  text: string;
}

/** A few reviews per class, with words that make the classes separable. */
export function smallReviewSet(perClass = 3): FakeReview[] {
  const reviews: FakeReview[] = [];
  for (const split of ['train', 'test'] as const) {
    for (let id = 0; id < perClass; id++) {
      reviews.push({ split, label: 'pos', id, rating: 8 + (id % 3), text: `A great and wonderful film number ${id}.<br /><br />Loved it!` });
      reviews.push({ split, label: 'neg', id, rating: 1 + (id % 3), text: `An awful, boring film number ${id}. Hated it.` });
    }
  }
  return reviews;
}

/** Lays out reviews as aclImdb/{split}/{label}/{id}_{rating}.txt under `root`, plus files a classifier must skip. */
export async function writeReviewFolder(root: string, reviews: FakeReview[]): Promise<string> {
  const base = path.join(root, 'aclImdb');
  for (const r of reviews) {
    const dir = path.join(base, r.split, r.label);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `${r.id}_${r.rating}.txt`), r.text);
  }
  await writeFile(path.join(base, 'README'), 'not a review');
  await mkdir(path.join(base, 'train', 'unsup'), { recursive: true });
  await writeFile(path.join(base, 'train', 'unsup', '0_0.txt'), 'unlabeled, must be skipped');
  return base;
}

export async function writeReviewArchive(root: string, reviews: FakeReview[], name = 'reviews.tar.gz'): Promise<string> {
  const source = path.join(root, `${name}.src`);
  await writeReviewFolder(source, reviews);
  const file = path.join(root, name);
  await tar.c({ gzip: true, file, cwd: source, portable: true }, ['aclImdb']);
  return file;
}

/**
 * A .tar.gz written block by block, so tests can make archives that well-behaved
 * tar writers refuse to produce (entries with `..`, absolute paths, links).
 */
export function rawTarGz(entries: { path: string; type?: 'File' | 'SymbolicLink' | 'Link' | 'Directory'; body?: string; linkpath?: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const header = new tar.Header({ path: e.path, type: e.type ?? 'File', size: e.type && e.type !== 'File' ? 0 : body.length, mode: 0o644, mtime: new Date(0), linkpath: e.linkpath });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (!e.type || e.type === 'File') {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/**
 * VS Code's Memento (the extension's global and workspace state) exists only
 * inside VS Code: this in-memory store stands in for it in unit tests; the
 * integration tests use the real one.
 */
export class MapStore implements KeyValueStore {
  readonly map = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.map.get(key) as T | undefined;
  }
  update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.map.delete(key);
    else this.map.set(key, value);
    return Promise.resolve();
  }
}

/**
 * What the worker-thread suites share, made in their `before` and ended in
 * their `after`: the real worker thread of the built bundle, the corpus, and
 * a temporary runs folder.
 */
export function workerSuite(): { readonly client: WorkerClient; readonly runsDir: string; readonly archive: string } {
  let made: { client: WorkerClient; runsDir: string; archive: string; cleanup: () => Promise<void> } | undefined;
  const ready = () => {
    assert.ok(made, "the suite's before hook has not run");
    return made;
  };
  before(async () => {
    requireBuilt();
    const archive = await imdbArchive();
    const { dir, cleanup } = await tempDir();
    made = { client: new WorkerClient(WORKER_PATH), runsDir: dir, archive, cleanup };
  });
  after(async () => {
    await made?.client.terminate();
    await made?.cleanup();
  });
  return {
    get client() {
      return ready().client;
    },
    get runsDir() {
      return ready().runsDir;
    },
    get archive() {
      return ready().archive;
    },
  };
}

/** Values uniform in [-scale, scale] from a seed (xorshift32): the same weights and inputs on every run. */
export function uniformValues(count: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296 - 0.5) * 2 * scale;
  }
  return out;
}

