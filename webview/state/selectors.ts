/** Questions every view asks of DashboardState, answered in one place. */
import type { DashboardState, RunItem } from '../../src/protocol.js';
import type { PresetName } from '../../src/core/presets.js';
import type { RunRecord } from '../../src/core/runs.js';
import { keptEpochOf } from '../../src/core/metrics.js';
import { formatDate, shortRunId } from '../util/format.js';

export type OkRun = Extract<RunItem, { ok: true }>;

export function okRuns(state: DashboardState): OkRun[] {
  return state.runs.filter((run): run is OkRun => run.ok);
}

export function findRun(state: DashboardState, id: string | undefined): OkRun | undefined {
  return id === undefined ? undefined : okRuns(state).find((run) => run.id === id);
}

export function presetTitle(state: DashboardState, preset: PresetName): string {
  return state.presets.find((p) => p.name === preset)?.title ?? preset;
}

/** "LSTM · 26/11/2025, 14:03": how a run is named in pickers and legends. */
export function runLabel(state: DashboardState, record: RunRecord): string {
  return `${presetTitle(state, record.preset)} · ${formatDate(record.createdAt)}`;
}

/** "LSTM #ab12": the compact name next to a prediction. */
export function runShortName(state: DashboardState, preset: PresetName, runId: string): string {
  return `${presetTitle(state, preset)} #${shortRunId(runId)}`;
}

export function bestValidationAccuracy(record: RunRecord): { value: number; epoch: number } | undefined {
  let best: { value: number; epoch: number } | undefined;
  for (const e of record.history.epochs) {
    if (Number.isFinite(e.valAccuracy) && (!best || e.valAccuracy > best.value)) best = { value: e.valAccuracy, epoch: e.epoch };
  }
  return best;
}

/**
 * The run a picker shows when the user has not chosen one (or chose one that
 * has since been deleted): the active run, else the newest readable one.
 */
export function defaultRunId(state: DashboardState, preferred?: string): string | undefined {
  if (findRun(state, preferred)) return preferred;
  if (findRun(state, state.activeRunId)) return state.activeRunId;
  return okRuns(state)[0]?.id;
}

/** "epoch 2 of 5 (lowest validation loss)": which epoch's weights the run holds, and why. */
export function keptText(record: RunRecord): string {
  const why = record.status !== 'complete' ? 'last finished, to resume from' : record.hyperparameters.keep === 'best' ? 'lowest validation loss' : 'last';
  return `epoch ${keptEpochOf(record)} of ${record.epochsCompleted} (${why})`;
}
