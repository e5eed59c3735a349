/** The dashboard in the activity bar's side panel. */
import * as vscode from 'vscode';
import type { Lab } from '../lab/lab';
import { DashboardConnection } from './connection';
import { dashboardHtml, dashboardWebviewOptions } from './html';

export class DashboardViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private connection: DashboardConnection | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly lab: Lab,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.connection?.dispose();
    this.view = view;
    view.webview.options = dashboardWebviewOptions(this.extensionUri);
    this.connection = new DashboardConnection(view.webview, this.lab);
    view.webview.html = dashboardHtml(view.webview, this.extensionUri, 'sidebar');
    view.onDidDispose(() => {
      this.connection?.dispose();
      this.connection = undefined;
      this.view = undefined;
    });
  }

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  dispose(): void {
    this.connection?.dispose();
  }
}
