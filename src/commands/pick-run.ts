/** A quick pick of the saved runs, shared by Evaluate, Select Active Model and Delete Model. */
import * as vscode from 'vscode';
import { formatCount, formatDuration, originLabel } from '../core/format';
import { plural } from '../core/verdict';
import { PRESETS } from '../core/presets';
import type { RunListing } from '../core/runs';
import type { Lab } from '../lab/lab';

export function describeRun(run: RunListing, activeId?: string): vscode.QuickPickItem & { id: string } {
  if (!run.ok) return { id: run.id, label: `$(warning) ${run.id}`, description: 'corrupt', detail: run.problems.join('; ') };
  const r = run.record;
  const best = Math.max(...r.history.epochs.map((e) => e.valAccuracy));
  return {
    id: run.id,
    label: `${run.id === activeId ? '$(check) ' : ''}${PRESETS[r.preset].title} · ${new Date(r.createdAt).toLocaleString()}`,
    description: `${r.origin ? originLabel(r.origin) : `val acc ${best.toFixed(3)}`}${r.test ? ` · test acc ${r.test.accuracy.toFixed(3)}` : ''}${r.status !== 'complete' ? ` · ${r.status} after ${plural(r.epochsCompleted, 'epoch')}` : ''}${r.dataset.limit ? ` · subset of ${formatCount(r.dataset.train)} reviews` : ''}`,
    detail: `${run.id} · ${plural(r.hyperparameters.epochs, 'epoch')}, maxlen ${r.hyperparameters.maxlen}, ${r.hyperparameters.units} units · ${formatDuration(r.timings.trainingSeconds)} on ${r.backend}`,
  };
}

export async function pickRun(lab: Lab, title: string, options: { includeCorrupt?: boolean } = {}): Promise<string | undefined> {
  const runs = (await lab.refreshRuns()).filter((r) => r.ok || options.includeCorrupt);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('There are no trained models yet: run "RNN Sentiment Lab: Train Model" first.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => describeRun(r, lab.activeRunId)),
    { title, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.id;
}
