/** What every command needs: the lab and where the extension lives. */
import type * as vscode from 'vscode';
import type { Lab } from '../lab/lab';
import type { LabSettings } from '../lab/settings';
import type { EditorAnnotations } from '../editor/annotations';
import type { LabLog } from '../log';
import type { DocumentChoices } from './document-choices';

export interface CommandContext {
  lab: Lab;
  extensionUri: vscode.Uri;
  settings(): LabSettings;
  /** Shows the dashboard (the editor panel if open, else the side panel) without taking focus from the editor. */
  revealDashboard(): Promise<void>;
  showResultInStatusBar(text: string, tooltip: string): void;
  /** The labels and colouring drawn in text editors. */
  annotations: EditorAnnotations;
  /** The "RNN Sentiment Lab" output channel. */
  log: LabLog;
  /** Analyze Document's last unit and columns, kept in the workspace's state. */
  documentChoices: DocumentChoices;
}
