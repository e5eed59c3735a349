/**
 * The status of the training in progress: phase, a progress bar for the step
 * it is in (data preparation, epochs and batches, evaluation, saving), the
 * latest metrics, speed and time left, and the Cancel button. Text changes
 * with every batch, so it is redrawn at most once per animation frame and is
 * kept out of the page's live region (aria-live="off"); milestones are
 * announced separately.
 */
import type { TrainingState } from '../../src/protocol.js';
import { h, replaceChildren } from '../util/dom.js';
import { formatBytes, formatDate, formatDuration, formatFraction, formatInteger, formatLoss, formatRate } from '../util/format.js';
import type { ViewContext } from './view.js';
import { InlineError, button, definitionList, runAction, setDisabled } from './widgets.js';

const PHASE_LABELS: Record<TrainingState['phase'], string> = {
  preparing: 'Preparing data',
  training: 'Training',
  evaluating: 'Evaluating',
  saving: 'Saving',
};

export interface ProgressReading {
  label: string;
  detail: string;
  /** 0..1, or undefined when the length of the step is unknown. */
  fraction: number | undefined;
}

/** What the progress bar says for the training's current phase. */
export function readProgress(t: TrainingState): ProgressReading {
  const batch = t.batches[t.batches.length - 1];
  if (t.phase === 'saving') return { label: 'Saving the model…', detail: '', fraction: undefined };
  if (t.phase === 'training' && batch) {
    const done = (batch.epoch - 1) * batch.batchesPerEpoch + batch.batch;
    return {
      label: `Epoch ${batch.epoch}/${batch.epochs} · batch ${formatInteger(batch.batch)}/${formatInteger(batch.batchesPerEpoch)}`,
      detail: `${Math.floor((100 * done) / (batch.epochs * batch.batchesPerEpoch))}%`,
      fraction: done / (batch.epochs * batch.batchesPerEpoch),
    };
  }
  const p = t.progress;
  if (p && (t.phase === 'preparing' || (t.phase === 'evaluating' && p.phase === 'evaluate'))) {
    const known = p.total !== undefined && p.total > 0;
    const detail =
      p.unit === 'bytes'
        ? known
          ? `${formatBytes(p.done)} of ${formatBytes(p.total as number)}`
          : formatBytes(p.done)
        : known
          ? `${formatInteger(p.done)} of ${formatInteger(p.total as number)} reviews`
          : `${formatInteger(p.done)} reviews`;
    return {
      label: p.message,
      detail,
      fraction: known ? Math.min(1, p.done / (p.total as number)) : undefined,
    };
  }
  if (t.phase === 'training') return { label: 'Building the model…', detail: '', fraction: undefined };
  return { label: `${PHASE_LABELS[t.phase]}…`, detail: '', fraction: undefined };
}

export class TrainingProgressPanel {
  readonly element: HTMLElement;
  private readonly heading = h('h2', { class: 'live-title' });
  private readonly phaseTag = h('span', { class: 'tag phase-tag' });
  private readonly started = h('span', { class: 'muted started' });
  private readonly label = h('span', { class: 'progress-label', 'data-progress-label': true });
  private readonly detail = h('span', { class: 'progress-detail muted' });
  private readonly fill = h('div', { class: 'progress-fill' });
  private readonly bar = h('div', { class: 'progress-bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, this.fill);
  private readonly stats = h('div', { class: 'live-stats' });
  private readonly errors = new InlineError();
  private readonly cancelButton: HTMLElement;
  private training: TrainingState | undefined;
  private frame: number | undefined;

  constructor(private readonly context: ViewContext) {
    this.cancelButton = button('Cancel', () => this.cancel(), { appearance: 'secondary', ariaLabel: 'Cancel training', name: 'cancel-training' });
    this.element = h(
      'section',
      { class: 'card live-training', 'aria-label': 'Training in progress', 'aria-live': 'off' },
      h('header', { class: 'live-header' }, this.heading, this.phaseTag, this.started, h('span', { class: 'spacer' }), this.cancelButton),
      this.errors.element,
      h('div', { class: 'progress' }, h('div', { class: 'progress-text' }, this.label, this.detail), this.bar),
      this.stats,
    );
    this.heading.id = 'live-title';
  }

  show(training: TrainingState, presetTitle: string): void {
    this.training = training;
    this.heading.textContent = presetTitle;
    this.started.textContent = `started ${formatDate(training.startedAt)}`;
    this.scheduleRedraw();
  }

  /** A batch, epoch or progress event changed the training. */
  changed(): void {
    this.scheduleRedraw();
  }

  private scheduleRedraw(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.redraw();
    });
  }

  private redraw(): void {
    const t = this.training;
    if (!t) return;
    this.phaseTag.textContent = PHASE_LABELS[t.phase];
    this.element.dataset.phase = t.phase;
    const reading = readProgress(t);
    this.label.textContent = reading.label;
    this.detail.textContent = reading.detail;
    if (reading.fraction === undefined) {
      this.bar.classList.add('indeterminate');
      this.bar.removeAttribute('aria-valuenow');
      this.fill.style.width = '';
    } else {
      this.bar.classList.remove('indeterminate');
      this.bar.setAttribute('aria-valuenow', String(Math.round(reading.fraction * 100)));
      this.fill.style.width = `${(reading.fraction * 100).toFixed(2)}%`;
    }
    this.bar.setAttribute('aria-label', `${reading.label} ${reading.detail}`.trim());

    const batch = t.batches[t.batches.length - 1];
    const epoch = t.epochs[t.epochs.length - 1];
    replaceChildren(
      this.stats,
      definitionList([
        ['Loss', formatLoss(batch?.loss)],
        ['Accuracy', formatFraction(batch?.accuracy)],
        ['Validation accuracy', epoch ? `${formatFraction(epoch.valAccuracy)} (epoch ${epoch.epoch})` : '—'],
        ['Speed', formatRate(batch?.examplesPerSecond)],
        ['Time left', batch ? formatDuration(batch.etaSeconds) : '—'],
        ['Elapsed', batch ? formatDuration(batch.elapsedSeconds) : formatDuration((Date.now() - Date.parse(t.startedAt)) / 1000)],
        ['Backend', t.backend ?? '—'],
        ['Recurrent implementation', t.recurrentImplementation ?? '—'],
      ]),
    );

    setDisabled(this.cancelButton, t.cancelling);
    this.cancelButton.textContent = t.cancelling ? 'Cancelling…' : 'Cancel';
  }

  private cancel(): void {
    const t = this.training;
    void runAction(this.cancelButton, this.errors, async () => {
      await this.context.host.request('cancelTraining', {}).result;
      // The host confirms with a state push; until then, say the request is in.
      if (t && this.training === t) {
        t.cancelling = true;
        this.scheduleRedraw();
      }
      this.context.announce('Cancelling the training; the last finished epoch will be kept.');
    });
  }
}
