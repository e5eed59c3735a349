/**
 * The dashboard as an editor panel (Open Dashboard). One at a time; it is
 * restored after a window reload through its serializer.
 */
import * as vscode from 'vscode';
import type { Lab } from '../lab/lab';
import { PANEL_VIEW_TYPE } from '../commands/ids';
import { DashboardConnection } from './connection';
import { dashboardHtml, dashboardWebviewOptions } from './html';

export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | undefined;
  private readonly connection: DashboardConnection;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    lab: Lab,
  ) {
    panel.webview.options = dashboardWebviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this.connection = new DashboardConnection(panel.webview, lab);
    panel.webview.html = dashboardHtml(panel.webview, extensionUri, 'panel');
    panel.onDidDispose(() => this.dispose());
  }

  static show(extensionUri: vscode.Uri, lab: Lab): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal();
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'RNN Sentiment Lab', vscode.ViewColumn.Active, {
      ...dashboardWebviewOptions(extensionUri),
      // The app's own state (tab, selections) lives in getState/setState; the lab's state comes from the host.
      retainContextWhenHidden: false,
    });
    DashboardPanel.current = new DashboardPanel(panel, extensionUri, lab);
    return DashboardPanel.current;
  }

  static isOpen(): boolean {
    return DashboardPanel.current !== undefined;
  }

  static serializer(extensionUri: vscode.Uri, lab: Lab): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        DashboardPanel.current?.dispose();
        DashboardPanel.current = new DashboardPanel(panel, extensionUri, lab);
        return Promise.resolve();
      },
    };
  }

  dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    this.connection.dispose();
    this.panel.dispose();
  }
}
