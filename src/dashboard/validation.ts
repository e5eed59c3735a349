/**
 * Every message from a dashboard is checked here before the host acts on it:
 * a webview is untrusted input (a compromised page could post anything), so
 * each method's parameters are parsed against a schema and anything else is
 * refused with 'bad-argument'.
 */
import { z } from 'zod';
import { LabError } from '../core/errors';
import { PRESET_NAMES } from '../core/presets';
import { ATTRIBUTION_METHODS } from '../core/explain/types';
import type { DashboardToHost } from '../protocol';

const runId = z.string().min(1).max(200).regex(/^[^/\\]+$/, 'a run id has no path separators').refine((id) => !id.startsWith('.'), 'a run id does not start with a dot');
const empty = z.object({}).strict();

/** The longest text the dashboard may send for a prediction (about 200 pages). */
export const MAX_PREDICTION_TEXT = 1_000_000;

export const dashboardRequestSchemas: { [K in keyof DashboardToHost & string]: z.ZodType<DashboardToHost[K]['params']> } = {
  ready: empty as z.ZodType<Record<string, never>>,
  setActiveRun: z.object({ runId }).strict(),
  deleteRun: z.object({ runId }).strict(),
  predict: z.object({ runId, text: z.string().max(MAX_PREDICTION_TEXT) }).strict(),
  explain: z.object({ predictionId: z.string().min(1).max(100), method: z.enum(ATTRIBUTION_METHODS) }).strict(),
  trainModel: z.object({ preset: z.enum(PRESET_NAMES as [string, ...string[]]).optional() }).strict() as z.ZodType<DashboardToHost['trainModel']['params']>,
  resumeRun: z.object({ runId }).strict(),
  cancelTraining: empty as z.ZodType<Record<string, never>>,
  evaluateRun: z.object({ runId }).strict(),
  exportRun: z.object({ runId }).strict(),
  revealDocumentLine: z.object({ line: z.number().int().min(1).max(100_000_000) }).strict(),
  exportDocument: z.object({ format: z.enum(['csv', 'json']) }).strict(),
};

/** The parsed parameters, or a 'bad-argument' LabError saying what was wrong. */
export function validateDashboardRequest<K extends keyof DashboardToHost & string>(method: K, params: unknown): DashboardToHost[K]['params'] {
  const schema = dashboardRequestSchemas[method];
  if (!schema) throw new LabError('bad-argument', `Unknown dashboard request "${String(method)}".`);
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    throw new LabError('bad-argument', `Invalid "${method}" request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
