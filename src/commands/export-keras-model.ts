/**
 * Export Model to Keras: a run as a Keras 2.12 .h5, with word_index.json and
 * predict_keras.py beside it. From the palette (pick a run) or the
 * dashboard's Runs tab (its run). The training service writes the files.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExportedFiles } from '../core/keras/export';
import type { CommandContext } from './context';
import { reportError } from './errors';
import { pickRun } from './pick-run';

/** `out` (the .h5 to write) skips the save dialog, for callers that know it. */
export async function exportKerasModel(ctx: CommandContext, runId?: string, out?: string): Promise<ExportedFiles | undefined> {
  const id = runId ?? (await pickRun(ctx.lab, 'Export Model to Keras'));
  if (!id) return undefined;
  const target = out !== undefined ? vscode.Uri.file(out) : await vscode.window.showSaveDialog({
    title: 'Export Model to Keras (word_index.json and predict_keras.py are written beside it)',
    defaultUri: vscode.Uri.file(path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir(), `${id}.h5`)),
    filters: { 'Keras HDF5 model': ['h5'] },
  });
  if (!target) return undefined;
  try {
    const files = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting to ${path.basename(target.fsPath)}` }, () => ctx.lab.exportKeras(id, target.fsPath));
    void vscode.window
      .showInformationMessage(`Exported to ${path.basename(files.model)}: load it with keras.models.load_model, or run predict_keras.py beside it.`, 'Open predict_keras.py')
      .then((choice) => choice && vscode.window.showTextDocument(vscode.Uri.file(files.script)));
    return files;
  } catch (error) {
    reportError('Export', error);
    return undefined;
  }
}
