/**
 * One status-bar item: the training's progress while it runs, the latest
 * analysis for a few seconds after Analyze Sentiment, otherwise the active model.
 */
import * as vscode from 'vscode';
import { formatDuration } from './core/format';
import { PRESETS } from './core/presets';
import type { Lab } from './lab/lab';
import { COMMANDS } from './commands/ids';

const RESULT_SECONDS = 8;

export class LabStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('rnnSentimentLab.status', vscode.StatusBarAlignment.Left, 10);
  private resultUntil = 0;
  private resultTimer: NodeJS.Timeout | undefined;
  private readonly subscription: { dispose(): void };

  constructor(private readonly lab: Lab) {
    this.item.name = 'RNN Sentiment Lab';
    this.subscription = lab.onDidChange(() => this.render());
    this.render();
  }

  showResult(text: string, tooltip: string): void {
    this.resultUntil = Date.now() + RESULT_SECONDS * 1000;
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = COMMANDS.openDashboard;
    this.item.show();
    clearTimeout(this.resultTimer);
    this.resultTimer = setTimeout(() => this.render(), RESULT_SECONDS * 1000);
  }

  private render(): void {
    const training = this.lab.trainingState;
    if (training) {
      const b = training.batches.at(-1);
      const title = PRESETS[training.preset].title;
      if (training.cancelling) this.item.text = `$(loading~spin) ${title}: cancelling…`;
      else if (b) {
        const percent = Math.floor((((b.epoch - 1) * b.batchesPerEpoch + b.batch) / (b.epochs * b.batchesPerEpoch)) * 100);
        this.item.text = `$(loading~spin) ${title} ${b.epoch}/${b.epochs} · ${percent}% · loss ${b.loss.toFixed(3)} · ${formatDuration(b.etaSeconds)} left`;
      } else this.item.text = `$(loading~spin) ${title}: ${training.phase === 'preparing' ? 'preparing data' : training.phase}…`;
      this.item.tooltip = 'RNN Sentiment Lab: training in progress. Click to open the dashboard.';
      this.item.command = COMMANDS.openDashboard;
      this.item.show();
      return;
    }
    if (Date.now() < this.resultUntil) return;
    const active = this.lab.activeRun();
    if (active) {
      const r = active.record;
      this.item.text = `$(pulse) ${PRESETS[r.preset].title}${r.test ? ` ${r.test.accuracy.toFixed(3)}` : ''}`;
      this.item.tooltip = `RNN Sentiment Lab: active model ${r.id}. Click to choose another.`;
      this.item.command = COMMANDS.selectActiveModel;
      this.item.show();
    } else this.item.hide();
  }

  dispose(): void {
    clearTimeout(this.resultTimer);
    this.subscription.dispose();
    this.item.dispose();
  }
}
