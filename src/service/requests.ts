/**
 * What the training service accepts from a client, method by method. A
 * client with the token is the user's own window, but the service still
 * holds every request to the schemas the dashboard's messages use and to the
 * folders its starter gave it (ServiceRoots, on its command line): a request
 * cannot widen them. Hyperparameters must be within the presets' bounds; run
 * folders inside the runs folder; the cache is the cache folder; the data is
 * the official archive or the configured source.
 */
import { realpath } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { BACKEND_PREFERENCES, type BackendPreference } from '../core/backend-names';
import { TEST_SPLIT } from '../core/dataset/labelled';
import type { DataSource } from '../core/dataset/source';
import { LabError } from '../core/errors';
import { ATTRIBUTION_METHODS } from '../core/explain/types';
import { WORD_INDEX_KINDS, type WordIndexKind } from '../core/keras/word-index';
import { TUNABLE_HYPERPARAMETERS, hyperparametersSchema } from '../core/presets';
import { MAX_PREDICTION_TEXT } from '../dashboard/validation';
import type { ServiceMethods } from '../protocol';
import type { ServiceRoots } from './address';

/** Texts in one prediction request (the editor sends one per selection). */
const MAX_PREDICTION_TEXTS = 10_000;

function isWithin(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The path's real location (links followed) when it exists, else the path as written. */
async function realOrResolved(p: string): Promise<string> {
  return realpath(p).catch(() => path.resolve(p));
}

/** A sub-folder of `root`, also once links are followed (a linked run folder cannot lead out). */
const folderInside = (root: string, what: string) =>
  z
    .string()
    .min(1)
    .refine((p) => path.isAbsolute(p) && isWithin(path.resolve(root), path.resolve(p)), `${what} must be a folder inside ${root}`)
    .refine(async (p) => isWithin(await realOrResolved(root), await realOrResolved(p)), `${what} leads out of ${root} through a link`);

const theFolder = (root: string, what: string) => z.string().refine((p) => path.resolve(p) === path.resolve(root), `${what} must be ${root}`);

/** The official archive, or exactly the configured data source. */
function dataSourceSchema(configured: string): z.ZodType<DataSource> {
  const sameUrl = (url: string) => url.split('#')[0] === configured.split('#')[0];
  const samePath = (p: string) => !/^https?:\/\//i.test(configured) && configured !== 'official' && path.resolve(p) === path.resolve(configured);
  return z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('official') }).strict(),
    z.object({ kind: z.literal('archive'), path: z.string().refine(samePath, `the data must be the configured source (${configured})`) }).strict(),
    z.object({ kind: z.literal('folder'), path: z.string().refine(samePath, `the data must be the configured source (${configured})`) }).strict(),
    z.object({ kind: z.literal('url'), url: z.string().url().refine(sameUrl, `the data must be the configured source (${configured})`), sha256: z.string().regex(/^[0-9a-f]{64}$/i).optional() }).strict(),
    z
      .object({
        kind: z.literal('labelled'),
        path: z.string().refine(samePath, `the data must be the configured source (${configured})`),
        options: z
          .object({
            textColumn: z.string().max(1000).optional(),
            labelColumn: z.string().max(1000).optional(),
            positiveLabel: z.string().max(1000).optional(),
            negativeLabel: z.string().max(1000).optional(),
            testPath: z.string().min(1).optional(),
            testSplit: TEST_SPLIT.optional(),
          })
          .strict(),
      })
      .strict(),
  ]);
}

/** Every method the service serves (the protocol's index signature left out, so a method without a schema does not compile). */
export type ServiceMethodName = Extract<keyof { [K in keyof ServiceMethods as string extends K ? never : K]: true }, string>;
type RequestSchemas = { [K in ServiceMethodName]: z.ZodType<ServiceMethods[K]['params']> };

export function serviceRequestSchemas(roots: ServiceRoots): RequestSchemas {
  const backend = z.enum(BACKEND_PREFERENCES as [BackendPreference, ...BackendPreference[]]);
  const limit = z.number().int().positive().max(1_000_000).optional();
  const empty = z.object({}).strict() as z.ZodType<Record<string, never>>;
  const data = dataSourceSchema(roots.dataSource);
  const runDir = folderInside(roots.runsDir, 'runDir');
  const cacheDir = theFolder(roots.cacheDir, 'cacheDir');
  return {
    train: z
      .object({
        hyperparameters: hyperparametersSchema,
        data,
        limit,
        cacheDir,
        runsDir: theFolder(roots.runsDir, 'runsDir'),
        backend,
        evaluate: z.boolean(),
        activate: z.boolean().optional(),
        resumeFrom: runDir.optional(),
        fineTuneFrom: runDir.optional(),
      })
      .strict(),
    explain: z.object({ runDir, text: z.string().max(MAX_PREDICTION_TEXT), method: z.enum(ATTRIBUTION_METHODS), backend }).strict(),
    predict: z.object({ runDir, texts: z.array(z.string().max(MAX_PREDICTION_TEXT)).min(1).max(MAX_PREDICTION_TEXTS), backend }).strict(),
    evaluate: z.object({ runDir, data, limit, cacheDir, backend, save: z.boolean(), shortText: z.boolean().optional() }).strict(),
    backend: z.object({ preference: backend }).strict(),
    // The Keras file and the export's destination are the user's own choice (a file dialog or the CLI); the new run lands in the runs folder.
    importKeras: z
      .object({
        file: z.string().min(1),
        wordIndex: z
          .object({
            file: z.string().min(1),
            kind: z.enum(WORD_INDEX_KINDS as [WordIndexKind, ...WordIndexKind[]]).optional(),
            indexFrom: z.number().int().min(0).max(1_000_000).optional(),
            oovToken: z.string().max(1000).optional(),
            numWords: TUNABLE_HYPERPARAMETERS.numWords.optional(),
          })
          .strict(),
        maxlen: TUNABLE_HYPERPARAMETERS.maxlen.optional(),
        runsDir: theFolder(roots.runsDir, 'runsDir'),
        backend,
      })
      .strict(),
    exportKeras: z.object({ runDir, out: z.string().min(1) }).strict(),
    status: empty,
    attach: empty,
    restartWorker: empty,
  };
}

/** The parsed parameters of a request, or a 'bad-argument' error saying what was wrong. */
export async function validateServiceRequest<K extends ServiceMethodName>(schemas: RequestSchemas, method: K, params: unknown): Promise<ServiceMethods[K]['params']> {
  const schema = schemas[method];
  const parsed = await schema.safeParseAsync(params);
  if (!parsed.success) {
    throw new LabError('bad-argument', `Invalid "${method}" request: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
