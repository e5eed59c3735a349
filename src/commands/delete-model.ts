/** Delete Model: removes a run's folder after the user confirms. */
import * as vscode from 'vscode';
import type { CommandContext } from './context';
import { reportError } from './errors';
import { pickRun } from './pick-run';

export async function deleteModel(ctx: CommandContext, runId?: string): Promise<boolean> {
  const id = runId ?? (await pickRun(ctx.lab, 'Delete a trained model', { includeCorrupt: true }));
  if (!id) return false;
  const active = ctx.lab.activeRunId === id ? ' It is the active model.' : '';
  const choice = await vscode.window.showWarningMessage(`Delete the model "${id}"?${active} Its folder is removed from disk.`, { modal: true }, 'Delete');
  if (choice !== 'Delete') return false;
  try {
    await ctx.lab.deleteRun(id);
    return true;
  } catch (error) {
    reportError('Delete Model', error);
    return false;
  }
}
