/** How a failed command tells the user: one message, with a way forward where there is one; a bug's stack goes to the log. */
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { errorCode, errorStack } from '../rpc';

let log: ((message: string) => void) | undefined;

/** Where failures are also written (the Output channel), with the whole message, not only its first line. */
export function logFailuresTo(sink: (message: string) => void): void {
  log = sink;
}

/**
 * Shows the message and returns at once: a command must finish when its work
 * does, not when the user dismisses a notification.
 */
export function reportError(what: string, error: unknown): void {
  const code = errorCode(error);
  log?.(`${what}: ${errorMessage(error)}${code ? ` (${code})` : ''}`);
  if (code === 'cancelled') {
    void vscode.window.showInformationMessage(`${what}: ${errorMessage(error)}`);
    return;
  }
  // The extension host's log (Output → Extension Host) is where a bug report starts.
  const stack = errorStack(error);
  if (stack) console.error(`${what} failed: ${stack}`);
  // Data problems are fixed in the settings; say where.
  const fixable = code === 'not-found' || code === 'corrupt-archive' || code === 'unsafe-archive' || code === 'checksum-mismatch' || code === 'download-failed';
  const message = `${what} failed: ${errorMessage(error)}`;
  if (!fixable) {
    void vscode.window.showErrorMessage(message);
    return;
  }
  void vscode.window.showErrorMessage(message, 'Open Settings').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'rnnSentimentLab');
  });
}
