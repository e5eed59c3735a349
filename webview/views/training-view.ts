/**
 * Training tab. While a training runs: its progress and live learning curves.
 * Otherwise: a past run's curves and figures, and the Train Model button.
 */
import { plural } from '../../src/core/verdict.js';
import type { DashboardState } from '../../src/protocol.js';
import type { PresetName } from '../../src/core/presets.js';
import type { RunRecord } from '../../src/core/runs.js';
import { keptEpochOf } from '../../src/core/metrics.js';
import type { AppliedUpdate } from '../state/training-updates.js';
import { bestValidationAccuracy, defaultRunId, findRun, keptText, okRuns, presetTitle, runLabel } from '../state/selectors.js';
import type { ChartTheme } from '../theme/theme.js';
import { h, replaceChildren } from '../util/dom.js';
import { formatDuration, formatFraction, formatInteger, formatRate } from '../util/format.js';
import { TrainingCharts } from './training-charts.js';
import { TrainingProgressPanel } from './training-progress.js';
import type { DashboardView, RevealTarget, ViewContext } from './view.js';
import { InlineError, Picker, button, definitionList, runAction } from './widgets.js';

export class TrainingView implements DashboardView {
  readonly element: HTMLElement;
  private readonly progress: TrainingProgressPanel;
  private readonly charts: TrainingCharts;
  private readonly past: HTMLElement;
  private readonly runPicker: Picker;
  private readonly presetPicker: Picker;
  private readonly trainButton: HTMLElement;
  private readonly trainErrors = new InlineError();
  private readonly runFacts = h('div', { class: 'run-facts' });
  private readonly heading = h('h2', { class: 'past-title' });
  private readonly presetNote = h('p', { class: 'muted preset-note' });
  private state: DashboardState | undefined;
  /** What the charts show now, so a state push redraws them only when that changes. */
  private shown = '';
  private wasTraining = false;

  constructor(private readonly context: ViewContext) {
    this.progress = new TrainingProgressPanel(context);
    this.charts = new TrainingCharts(context.theme());
    this.runPicker = new Picker('Show run', (id) => {
      this.context.ui.update({ trainingRunId: id });
      if (this.state) this.render(this.state);
    }, 'training-run');
    this.presetPicker = new Picker('Preset', (preset) => {
      this.context.ui.update({ trainPreset: preset as PresetName });
      this.presetNote.textContent = this.state?.presets.find((p) => p.name === preset)?.description ?? '';
    }, 'train-preset');
    this.trainButton = button('Train Model', () => this.train(), { name: 'train-model' });
    this.past = h(
      'div',
      { class: 'past-training' },
      h(
        'section',
        { class: 'card train-new', 'aria-labelledby': 'train-new-title' },
        h('h2', { id: 'train-new-title' }, 'Train a model'),
        h('div', { class: 'form-row' }, this.presetPicker.element, this.trainButton, this.presetNote),
        this.trainErrors.element,
      ),
      h(
        'section',
        { class: 'card run-summary', 'aria-labelledby': 'past-title' },
        h('div', { class: 'card-header' }, this.heading, h('span', { class: 'spacer' }), this.runPicker.element),
        this.runFacts,
      ),
    );
    this.heading.id = 'past-title';
    this.element = h('section', { class: 'view training-view', 'aria-label': 'Training' }, this.progress.element, this.past, h('section', { class: 'card curves', 'aria-label': 'Learning curves' }, this.charts.element));
  }

  render(state: DashboardState): void {
    this.state = state;
    const training = state.training;
    this.progress.element.hidden = !training;
    this.past.hidden = Boolean(training);
    if (training) {
      this.wasTraining = true;
      this.progress.show(training, presetTitle(state, training.preset));
      const key = `training|${training.startedAt}|${training.batches.length}|${training.epochs.length}`;
      if (key !== this.shown) {
        this.shown = key;
        this.charts.show(training.batches, training.epochs, training.hyperparameters.epochs);
      }
      return;
    }
    if (this.wasTraining) {
      // A training just ended: show the run it produced, the newest one.
      this.wasTraining = false;
      const newest = okRuns(state)[0];
      if (newest) this.context.ui.update({ trainingRunId: newest.id });
    }
    this.renderPast(state);
  }

  /** Appends what a training notification added; the charts are updated in place. */
  trainingUpdated(state: DashboardState, applied: AppliedUpdate): void {
    const training = state.training;
    if (!training) return;
    if (!this.shown.startsWith('training|')) {
      this.render(state);
      return;
    }
    if (applied.kind === 'batch') this.charts.appendBatch(applied.update.data);
    if (applied.kind === 'epoch') {
      this.charts.appendEpoch(applied.update.data);
      const e = applied.update.data;
      this.context.announce(`Epoch ${e.epoch} of ${e.epochs} done: validation accuracy ${formatFraction(e.valAccuracy)}.`);
    }
    // Keep the key current so the next state push does not redraw identical data.
    this.shown = `training|${training.startedAt}|${training.batches.length}|${training.epochs.length}`;
    if (applied.kind !== 'duplicate') this.progress.changed();
  }

  setTheme(theme: ChartTheme): void {
    this.charts.setTheme(theme);
  }

  reveal(target: RevealTarget): void {
    if (!target.runId || !this.state) return;
    this.context.ui.update({ trainingRunId: target.runId });
    this.render(this.state);
  }

  private renderPast(state: DashboardState): void {
    const runs = okRuns(state);
    const runId = defaultRunId(state, this.context.ui.current.trainingRunId);
    this.runPicker.element.hidden = runs.length === 0;
    this.runPicker.setOptions(
      runs.map((r) => ({ value: r.id, label: `${runLabel(state, r.record)}${r.id === state.activeRunId ? ' (active)' : ''}` })),
      runId ?? '',
    );
    const preset = this.context.ui.current.trainPreset ?? findRun(state, runId)?.record.preset ?? state.presets[0]?.name;
    this.presetPicker.setOptions(state.presets.map((p) => ({ value: p.name, label: p.title })), preset ?? '');
    this.presetNote.textContent = state.presets.find((p) => p.name === preset)?.description ?? '';

    const run = findRun(state, runId);
    if (!run) {
      this.heading.textContent = 'Learning curves';
      replaceChildren(this.runFacts, h('p', { class: 'empty' }, 'Train a model to see its learning curves here: loss and accuracy per batch and per epoch, on training and validation data.'));
      if (this.shown !== 'none') {
        this.shown = 'none';
        this.charts.show([], [], state.presets.find((p) => p.name === preset)?.defaults.epochs ?? 5);
      }
      return;
    }
    const record = run.record;
    this.heading.textContent = `Learning curves · ${presetTitle(state, record.preset)}`;
    replaceChildren(this.runFacts, runFacts(record));
    const key = `run|${run.id}|${record.history.epochs.length}|${record.history.batches.length}|${keptEpochOf(record)}`;
    if (key !== this.shown) {
      this.shown = key;
      this.charts.show(record.history.batches, record.history.epochs, record.hyperparameters.epochs, keptEpochOf(record));
    }
  }

  private train(): void {
    const preset = (this.presetPicker.value || undefined) as PresetName | undefined;
    void runAction(this.trainButton, this.trainErrors, () => this.context.host.request('trainModel', preset ? { preset } : {}).result);
  }
}

function runFacts(record: RunRecord): HTMLElement {
  const epochs = record.history.epochs;
  const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined);
  const best = bestValidationAccuracy(record);
  const status =
    record.status === 'complete'
      ? `complete, ${plural(record.epochsCompleted, 'epoch')}`
      : `${record.status} after ${record.epochsCompleted} of ${plural(record.hyperparameters.epochs, 'epoch')}`;
  return definitionList([
    ['Status', status],
    ['Best validation accuracy', best ? `${formatFraction(best.value)} (epoch ${best.epoch})` : '—'],
    ['Weights kept', keptText(record)],
    ...(record.dataset.limit ? [['Data', `a subset: ${formatInteger(record.dataset.train)} training, ${formatInteger(record.dataset.validation)} validation reviews (training.limit ${formatInteger(record.dataset.limit)})`] as [string, string]] : []),
    ['Test accuracy', record.test ? `${formatFraction(record.test.accuracy)} on ${formatInteger(record.test.count)} reviews` : 'not evaluated'],
    ['Time per epoch', formatDuration(mean(epochs.map((e) => e.seconds)))],
    ['Speed', formatRate(mean(epochs.map((e) => e.examplesPerSecond)))],
    ['Training time', formatDuration(record.timings.trainingSeconds)],
    ['Backend', record.backend],
    ['Recurrent implementation', record.recurrentImplementation],
  ]);
}
