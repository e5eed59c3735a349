/** Cancel Training: stops after the current batch; the last finished epoch is kept as a checkpoint. */
import * as vscode from 'vscode';
import type { CommandContext } from './context';

export function cancelTraining(ctx: CommandContext): boolean {
  const cancelled = ctx.lab.cancelTraining();
  if (!cancelled) void vscode.window.showInformationMessage('No training is running.');
  return cancelled;
}
