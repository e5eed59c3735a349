/** Evaluate Model: test-set accuracy, loss and confusion counts of a run, stored in it. */
import * as vscode from 'vscode';
import { formatCount, formatProgressAmount } from '../core/format';
import type { EvaluateResult, TrainingEvents } from '../protocol';
import type { CommandContext } from './context';
import { reportError } from './errors';
import { pickRun } from './pick-run';
import { describeRun } from '../lab/active-model';
import { requireWorkspaceTrust } from './trust';

export async function evaluateModel(ctx: CommandContext, runId?: string): Promise<EvaluateResult | undefined> {
  if (!requireWorkspaceTrust('Evaluation')) return undefined;
  const id = runId ?? (await pickRun(ctx.lab, 'Evaluate Model on the test reviews'));
  if (!id) return undefined;
  const run = ctx.lab.runListings.find((r) => r.ok && r.id === id);
  const model = run?.ok ? describeRun(run.record) : `run ${id}`;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Evaluating the ${model}`, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    try {
      const result = await ctx.lab.evaluate(id, {
        signal: controller.signal,
        onEvent: (event, data) => {
          if (event === 'progress') {
            const p = data as TrainingEvents['progress'];
            progress.report({ message: `${p.message}: ${formatProgressAmount(p.done, p.total, p.unit)}` });
          }
        },
      });
      const m = result.metrics;
      void vscode.window.showInformationMessage(
        `The ${model}: test accuracy ${m.accuracy.toFixed(3)}, loss ${m.loss.toFixed(3)} on ${formatCount(m.count)} reviews (${m.confusion.truePositive} true positives, ${m.confusion.trueNegative} true negatives, ${m.confusion.falsePositive} false positives, ${m.confusion.falseNegative} false negatives).`,
      );
      ctx.lab.reveal('runs', { runId: id });
      return result;
    } catch (error) {
      reportError('Evaluation', error);
      return undefined;
    }
  });
}
