/** What a long command shows while it works: a progress bar (or plain lines), and Ctrl-C handling. */
import { Presets, SingleBar } from 'cli-progress';
import { formatDuration, formatCount } from '../core/format';
import { describeReport } from '../core/dataset/labelled';
import type { TrainingEvents } from '../protocol';
import type { PendingRequest } from '../rpc';

/** Ctrl-C cancels the request (a training keeps its last finished epoch); a second Ctrl-C quits at once. */
export function cancelOnInterrupt(request: PendingRequest<unknown>, what: string): () => void {
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\nCancelling ${what} after the current batch (Ctrl-C again to quit now)...\n`);
    request.cancel();
  };
  process.on('SIGINT', onSigint);
  return () => process.off('SIGINT', onSigint);
}

/** A terminal progress bar for batches and data preparation; plain lines when stderr is not a terminal. */
export function progressReporter(quiet: boolean) {
  const interactive = process.stderr.isTTY && !quiet;
  let bar: SingleBar | undefined;
  let barKey = '';
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
    barKey = '';
  };
  const showBar = (key: string, total: number, value: number, payload: Record<string, string>) => {
    if (!interactive) return;
    if (barKey !== key) {
      stopBar();
      bar = new SingleBar({ format: `${key} [{bar}] {percentage}% | {value}/{total} | {info}`, hideCursor: true, stream: process.stderr }, Presets.shades_classic);
      bar.start(total, value, payload);
      barKey = key;
    } else bar?.update(value, payload);
  };
  const line = (text: string) => {
    if (quiet) return;
    stopBar();
    process.stderr.write(`${text}\n`);
  };
  const onEvent = <E extends keyof TrainingEvents & string>(event: E, data: TrainingEvents[E]) => {
    if (event === 'progress') {
      const p = data as TrainingEvents['progress'];
      if (p.total) showBar(p.phase.padEnd(8), p.total, p.done, { info: p.message });
    } else if (event === 'started') {
      const s = data as TrainingEvents['started'];
      if (s.resumed) line(`Resuming run ${s.resumed.runId} after epoch ${s.resumed.epochs.length}.`);
      line(`Training ${s.architecture.preset} (${formatCount(s.architecture.totalParams)} parameters) on ${s.train} reviews${s.sentences !== undefined ? ` and their ${s.sentences} sentences` : ''}, validating on ${s.validation}; backend ${s.backend}, ${s.recurrentImplementation}.`);
    } else if (event === 'batch') {
      const b = data as TrainingEvents['batch'];
      showBar(`epoch ${b.epoch}/${b.epochs}`, b.batchesPerEpoch, b.batch, {
        info: `loss ${b.loss.toFixed(4)} acc ${b.accuracy.toFixed(4)} | ${Math.round(b.examplesPerSecond)} ex/s | ETA ${formatDuration(b.etaSeconds)}`,
      });
    } else if (event === 'validation') {
      line(describeReport(data as TrainingEvents['validation']));
    } else if (event === 'warning') {
      // On stderr even with --json: stdout carries the result only.
      stopBar();
      process.stderr.write(`rnn-sentiment-lab: warning: ${(data as TrainingEvents['warning']).message}\n`);
    } else if (event === 'epoch') {
      const e = data as TrainingEvents['epoch'];
      line(`Epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(4)} val_loss ${e.valLoss.toFixed(4)} val_acc ${e.valAccuracy.toFixed(4)} (${e.seconds.toFixed(1)} s)`);
    }
  };
  return { onEvent, done: stopBar, line };
}
