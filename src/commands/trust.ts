/**
 * Restricted Mode: in a workspace the user has not trusted, the extension
 * analyses text with the models the user already has, and nothing more.
 * Training and evaluation read a data source, take the workspace's training
 * settings and write runs: they wait for trust.
 */
import * as vscode from 'vscode';

/** True in a trusted workspace; otherwise tells the user why `what` waits and offers to manage trust. */
export function requireWorkspaceTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(`${what} needs a trusted workspace. In Restricted Mode, RNN Sentiment Lab only analyses text with the models you already have.`, 'Manage Workspace Trust')
    .then((choice) => (choice ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
  return false;
}
