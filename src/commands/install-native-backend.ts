/**
 * Install Native Backend: @tensorflow/tfjs-node into the extension's storage,
 * where the training worker finds it. Until then (or if it fails) training
 * runs on WebAssembly.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { NATIVE_SPEED_NOTE, installNativeBackend, nativeBackendInstalled, nativeModulesDir } from '../lab/native-backend';
import type { CommandContext } from './context';
import { errorCode } from '../rpc';

export async function installNativeBackendCommand(ctx: CommandContext & { storageDir: string }): Promise<boolean> {
  const dir = nativeModulesDir(ctx.storageDir);
  if (nativeBackendInstalled(dir)) {
    const info = await ctx.lab.backendInfo().catch(() => undefined);
    void vscode.window.showInformationMessage(`The native TensorFlow backend is installed${info ? `; the worker uses "${info.name}"` : ''}.`);
    return true;
  }
  const choice = await vscode.window.showInformationMessage(
    'Install the native TensorFlow backend?',
    { modal: true, detail: `npm downloads @tensorflow/tfjs-node and TensorFlow's library for this platform (about 150 MB) into the extension's storage. ${NATIVE_SPEED_NOTE}` },
    'Install',
  );
  if (choice !== 'Install') return false;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Installing the native TensorFlow backend', cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    try {
      ctx.log.info(`Installing the native backend into ${dir}`);
      await installNativeBackend(
        dir,
        (line) => {
          ctx.log.info(`npm: ${line}`);
          progress.report({ message: line.slice(0, 100) });
        },
        controller.signal,
      );
      await ctx.lab.restartWorker();
      const info = await ctx.lab.backendInfo();
      void vscode.window.showInformationMessage(`Native backend installed: the worker now uses "${info.name}".${info.notes.length ? ` (${info.notes.join('; ')})` : ''}`);
      return true;
    } catch (error) {
      const message = errorCode(error) === 'cancelled' || controller.signal.aborted ? 'was cancelled' : `failed: ${errorMessage(error).split('\n')[0]}`;
      ctx.log.error(`Installing the native backend ${message}`);
      void vscode.window.showErrorMessage(`Installing the native backend ${message.replace(/\.?$/, '.')} Training keeps using WebAssembly.`, 'Show Log').then((choice) => {
        if (choice) ctx.log.show();
      });
      return false;
    }
  });
}
