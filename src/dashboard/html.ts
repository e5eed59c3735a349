/**
 * The dashboard's HTML: a strict Content-Security-Policy (nothing by default;
 * scripts and the stylesheet only from the extension's own files and only
 * with this load's nonce; no eval), and the one bundled app.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export type DashboardView = 'sidebar' | 'panel';

/** The folders a dashboard may load from: the built bundle and the static media. */
export function dashboardResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function dashboardWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: dashboardResourceRoots(extensionUri) };
}

export function dashboardHtml(webview: vscode.Webview, extensionUri: vscode.Uri, view: DashboardView): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString();
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'dashboard.css')).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}" nonce="${nonce}">
<title>RNN Sentiment Lab</title>
</head>
<body data-view="${view}">
<div id="app"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
