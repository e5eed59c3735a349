/**
 * Which run is the active model (the one Analyze Sentiment uses), decided in
 * one place. The rule: a run becomes active by itself only if it is complete
 * — a cancelled or partial run is a checkpoint of an unfinished training and
 * may be no better than chance — and when the active run goes away, the best
 * remaining complete run takes its place. The user may still choose any
 * readable run explicitly (Select Active Model). Pure functions, no I/O.
 */
import { PRESETS } from '../core/presets';
import type { RunListing, RunRecord } from '../core/runs';

type Readable = Extract<RunListing, { ok: true }>;

/** What changed and why, in words for the user; `offerRunId` is a run the user may want to make active instead. */
export interface ActiveModelChange {
  activeRunId: string | undefined;
  message: string;
  offerRunId?: string;
  /** True when runs exist but none became active: the user should pick one. */
  offerSelect?: boolean;
}

export function describeRun(record: Pick<RunRecord, 'preset' | 'id'>): string {
  return `${PRESETS[record.preset].title} run ${record.id}`;
}

function readable(runs: readonly RunListing[]): Readable[] {
  return runs.filter((r): r is Readable => r.ok);
}

/** Only a run whose training finished may become active without the user choosing it. */
export function mayActivateByItself(record: Pick<RunRecord, 'status'>): boolean {
  return record.status === 'complete';
}

/** How good a run is: its test accuracy, else its last validation accuracy. */
function score(record: RunRecord): number {
  return record.test?.accuracy ?? record.history.epochs.at(-1)?.valAccuracy ?? 0;
}

/** The best complete run (highest accuracy, the newest on a tie), if any. */
export function bestCompleteRun(runs: readonly RunListing[], exceptId?: string): RunRecord | undefined {
  const candidates = readable(runs)
    .map((r) => r.record)
    .filter((r) => r.id !== exceptId && mayActivateByItself(r));
  candidates.sort((a, b) => score(b) - score(a) || b.createdAt.localeCompare(a.createdAt));
  return candidates[0];
}

/**
 * The active run for the runs on disk: the stored one if it is still a
 * readable run; otherwise the best complete run, with a message saying so
 * when a previously active run disappeared (deleted, or its folder broke).
 */
export function resolveActiveRun(runs: readonly RunListing[], storedId: string | undefined): { activeRunId: string | undefined; change?: ActiveModelChange } {
  if (storedId && readable(runs).some((r) => r.id === storedId)) return { activeRunId: storedId };
  const best = bestCompleteRun(runs);
  if (!storedId) return { activeRunId: best?.id };
  return { activeRunId: best?.id, change: replacement(best, runs, `The active model ${storedId} is gone`) };
}

/** The user deleted a run: if it was the active one, the best remaining complete run takes over. */
export function activeAfterDelete(runsLeft: readonly RunListing[], activeId: string | undefined, deletedId: string): { activeRunId: string | undefined; change?: ActiveModelChange } {
  if (activeId !== deletedId) return { activeRunId: activeId };
  const best = bestCompleteRun(runsLeft, deletedId);
  return { activeRunId: best?.id, change: replacement(best, runsLeft.filter((r) => r.id !== deletedId), `The active model ${deletedId} was deleted`) };
}

function replacement(best: RunRecord | undefined, runsLeft: readonly RunListing[], what: string): ActiveModelChange {
  if (best) return { activeRunId: best.id, message: `${what}: the ${describeRun(best)}, the best remaining complete run, is now the active model.` };
  const others = readable(runsLeft).length;
  return others > 0
    ? { activeRunId: undefined, message: `${what}, and no complete run is left to take its place: choose the active model among the ${others === 1 ? 'remaining run' : `${others} remaining runs`}.`, offerSelect: true }
    : { activeRunId: undefined, message: `${what}; no trained model is left.` };
}

/**
 * A training ended with a saved run. A complete run becomes active if the
 * training asked for it; a cancelled or partial one never does by itself:
 * the previous active model stays (or the best complete run, if there was
 * none), and the message offers the new run.
 */
export function activeAfterTraining(
  runs: readonly RunListing[],
  previousId: string | undefined,
  record: RunRecord,
  activate: boolean,
): { activeRunId: string | undefined; change?: ActiveModelChange } {
  const previous = previousId && readable(runs).some((r) => r.id === previousId) ? previousId : undefined;
  if (!activate) return { activeRunId: previous };
  if (mayActivateByItself(record)) return { activeRunId: record.id };
  const kept = previous ?? bestCompleteRun(runs, record.id)?.id;
  const unfinished = `The ${record.status} ${describeRun(record)} (${record.epochsCompleted} of ${record.hyperparameters.epochs} epochs) was not made the active model`;
  return {
    activeRunId: kept,
    change: {
      activeRunId: kept,
      message: kept ? `${unfinished}: Analyze Sentiment keeps using ${kept}.` : `${unfinished}, so there is no active model.`,
      offerRunId: record.id,
    },
  };
}
