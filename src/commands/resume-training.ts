/**
 * Resume Training: continue a partial run (one a crash or a closed window
 * interrupted) or a cancelled one from its last finished epoch, with its own
 * settings and optimizer state, in its own folder. A run id as argument
 * skips the question (the dashboard's Resume button passes it).
 */
import * as vscode from 'vscode';
import { PRESETS } from '../core/presets';
import type { TrainResult } from '../protocol';
import type { CommandContext } from './context';
import { reportError } from './errors';
import { describeRun } from './pick-run';
import { announce, progressReporter } from './train-model';
import { requireWorkspaceTrust } from './trust';

export async function resumeTraining(ctx: CommandContext, runId?: string): Promise<TrainResult | undefined> {
  if (!requireWorkspaceTrust('Resume Training')) return undefined;
  const id = runId ?? (await pickResumableRun(ctx));
  if (!id) return undefined;
  const run = ctx.lab.resumableRuns().find((r) => r.id === id);
  if (!run) {
    reportError('Resume Training', new Error(`Run "${id}" is not a partial or cancelled run of this runs folder.`));
    return undefined;
  }
  const r = run.record;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Resuming ${PRESETS[r.preset].title} after epoch ${r.epochsCompleted} of ${r.hyperparameters.epochs}`, cancellable: true },
    async (progress, token) => {
      token.onCancellationRequested(() => ctx.lab.cancelTraining());
      try {
        const result = await ctx.lab.resume(id, progressReporter(progress, r.hyperparameters));
        void announce(ctx, result);
        return result;
      } catch (error) {
        reportError('Resume Training', error);
        return undefined;
      }
    },
  );
}

async function pickResumableRun(ctx: CommandContext): Promise<string | undefined> {
  await ctx.lab.refreshRuns();
  const runs = ctx.lab.resumableRuns();
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('There is no partial or cancelled run to resume.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => describeRun(run, ctx.lab.activeRunId)),
    { title: 'Resume Training: continue a run from its last finished epoch', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.id;
}
