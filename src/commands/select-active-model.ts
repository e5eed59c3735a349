/** Select Active Model: the run that Analyze Sentiment uses. */
import * as vscode from 'vscode';
import type { CommandContext } from './context';
import { reportError } from './errors';
import { pickRun } from './pick-run';

export async function selectActiveModel(ctx: CommandContext, runId?: string): Promise<string | undefined> {
  const id = runId ?? (await pickRun(ctx.lab, 'Select the model that Analyze Sentiment uses'));
  if (!id) return undefined;
  try {
    await ctx.lab.setActiveRun(id);
    void vscode.window.setStatusBarMessage(`RNN Sentiment Lab: ${id} is the active model`, 4000);
    return id;
  } catch (error) {
    reportError('Select Active Model', error);
    return undefined;
  }
}
