/**
 * Runs tab: every run folder with its status, settings and results, the
 * active one marked, actions per row, and the comparison of the runs ticked.
 * A folder that is not a readable run is listed too, with what is wrong, so
 * the user can delete it.
 */
import type { DashboardState, RunItem } from '../../src/protocol.js';
import type { RunRecord } from '../../src/core/runs.js';
import { bestValidationAccuracy, keptText, okRuns, presetTitle, type OkRun } from '../state/selectors.js';
import { keptEpochOf } from '../../src/core/metrics.js';
import type { ChartTheme } from '../theme/theme.js';
import { h, replaceChildren, ui } from '../util/dom.js';
import { originLabel } from '../../src/core/format.js';
import { formatDate, formatDuration, formatFraction, formatInteger, shortRunId } from '../util/format.js';
import { RunComparison } from './run-comparison.js';
import { highlight, type DashboardView, type RevealTarget, type ViewContext } from './view.js';
import { InlineError, button, runAction } from './widgets.js';
import { recurrentLayerOf } from '../../src/core/preset-names.js';
import { describeRunDataset } from '../../src/core/run-dataset.js';

const COLUMNS = ['Compare', 'Model', 'Status', 'Epochs', 'maxlen', 'Units', 'Batch', 'Best val acc', 'Test acc', 'Time', 'Backend', 'Date', 'Actions'] as const;

export class RunsView implements DashboardView {
  readonly element: HTMLElement;
  private readonly body = h('div', { class: 'runs-body' });
  private readonly comparison: RunComparison;
  private readonly errors = new InlineError();
  private state: DashboardState | undefined;
  /** Evaluations this view started, so their buttons stay busy across state pushes. */
  private readonly evaluating = new Set<string>();

  constructor(private readonly context: ViewContext) {
    this.comparison = new RunComparison(context.theme());
    this.element = h('section', { class: 'view runs-view', 'aria-label': 'Runs' }, this.errors.element, this.body, this.comparison.element);
  }

  render(state: DashboardState): void {
    this.state = state;
    // Forget ticks of runs that no longer exist (deleted, or now unreadable).
    const compare = this.context.ui.current.compare.filter((id) => okRuns(state).some((r) => r.id === id));
    if (compare.length !== this.context.ui.current.compare.length) this.context.ui.update({ compare });

    if (state.runs.length === 0) {
      this.comparison.element.hidden = true;
      replaceChildren(
        this.body,
        h(
          'div',
          { class: 'empty-state' },
          h('p', undefined, 'No runs yet. Train a model and every run — complete or cancelled — is listed here with its settings and results.'),
          button('Train Model', () => void this.trainModel(), { name: 'train-model' }),
        ),
      );
      return;
    }
    this.comparison.element.hidden = false;
    replaceChildren(this.body, this.table(state, compare));
    this.comparison.render(state, compare.map((id) => okRuns(state).find((r) => r.id === id)).filter((r): r is OkRun => r !== undefined));
  }

  setTheme(theme: ChartTheme): void {
    this.comparison.setTheme(theme);
  }

  reveal(target: RevealTarget): void {
    if (!target.runId) return;
    const row = this.body.querySelector<HTMLElement>(`tr[data-run-id="${CSS.escape(target.runId)}"]`);
    if (row) highlight(row);
  }

  private table(state: DashboardState, compare: string[]): HTMLElement {
    return h(
      'table',
      { class: 'runs-table' },
      h('caption', { class: 'visually-hidden' }, 'Trained runs, newest first'),
      h('thead', undefined, h('tr', undefined, COLUMNS.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', undefined, state.runs.map((run) => (run.ok ? this.runRow(state, run, compare) : this.corruptRow(run)))),
    );
  }

  private runRow(state: DashboardState, run: OkRun, compare: string[]): HTMLElement {
    const r = run.record;
    const active = run.id === state.activeRunId;
    const name = `${presetTitle(state, r.preset)} #${shortRunId(run.id)}`;
    const best = bestValidationAccuracy(r);
    const rowErrors = new InlineError();
    const cell = (column: (typeof COLUMNS)[number], ...content: Parameters<typeof h>[2][]) => h('td', { 'data-label': column }, ...content);

    // The slotted text is the checkbox's accessible name (an aria-label on the host is not passed on).
    const compareBox = ui('vscode-checkbox', { checked: compare.includes(run.id), 'aria-label': `Compare ${name}`, 'data-action': 'compare' }, h('span', { class: 'visually-hidden' }, `Compare ${name}`));
    compareBox.addEventListener('change', (event) => {
      if (event.target !== compareBox) return;
      event.stopPropagation();
      const checked = (compareBox as HTMLElement & { checked: boolean }).checked;
      const current = this.context.ui.current.compare.filter((id) => id !== run.id);
      this.context.ui.update({ compare: checked ? [...current, run.id] : current });
      if (this.state) this.comparison.render(this.state, this.context.ui.current.compare.map((id) => okRuns(this.state as DashboardState).find((x) => x.id === id)).filter((x): x is OkRun => x !== undefined));
    });

    const setActive = button('Set active', () => void runAction(setActive, rowErrors, () => this.context.host.request('setActiveRun', { runId: run.id }).result), {
      appearance: 'secondary',
      ariaLabel: `Set ${name} as the active run`,
      disabled: active,
      name: 'set-active',
    });
    const remove = button('Delete', () => void runAction(remove, rowErrors, () => this.context.host.request('deleteRun', { runId: run.id }).result), {
      appearance: 'secondary',
      ariaLabel: `Delete run ${name}`,
      name: 'delete',
    });
    // A partial or cancelled run continues from its last epoch; one training runs at a time.
    const resumable = r.status !== 'complete' && r.epochsCompleted < r.hyperparameters.epochs;
    const resume = resumable
      ? button('Resume', () => void runAction(resume!, rowErrors, () => this.context.host.request('resumeRun', { runId: run.id }).result), {
          appearance: 'secondary',
          ariaLabel: `Resume training ${name} from epoch ${r.epochsCompleted + 1}`,
          disabled: state.training !== undefined,
          name: 'resume',
        })
      : null;
    const exportKeras = button('Export to Keras', () => void runAction(exportKeras, rowErrors, () => this.context.host.request('exportRun', { runId: run.id }).result), {
      appearance: 'secondary',
      ariaLabel: `Export ${name} as a Keras model`,
      name: 'export-keras',
    });

    return h(
      'tr',
      { 'data-run-id': run.id, class: active ? 'active-run' : undefined, 'aria-current': active ? 'true' : undefined },
      h('td', { 'data-label': 'Compare', class: 'compare' }, compareBox),
      cell(
        'Model',
        h('span', { class: 'run-name' }, presetTitle(state, r.preset)),
        ' ',
        h('span', { class: 'muted run-id', title: run.id }, `#${shortRunId(run.id)}`),
        active ? h('span', { class: 'tag active-tag' }, 'active') : null,
        // IMDB runs say nothing more; a run of the user's own data (or a fine-tuned one) names it.
        r.dataset.labelled || r.parentRunId ? h('div', { class: 'muted run-dataset' }, describeRunDataset(r)) : null,
        seedNote(state, r),
      ),
      cell('Status', statusText(r)),
      cell(
        'Epochs',
        ...(r.origin
          ? ['—']
          : [
              `${r.epochsCompleted}/${r.hyperparameters.epochs} `,
              h('span', { class: 'tag kept-epoch', 'data-kept-epoch': keptEpochOf(r), title: `The run holds the weights of ${keptText(r)}.` }, `kept ${keptEpochOf(r)}`),
            ]),
      ),
      cell('maxlen', formatInteger(r.hyperparameters.maxlen)),
      cell('Units', recurrentLayerOf(r.preset) === 'bilstm' ? `2×${r.hyperparameters.units}` : String(r.hyperparameters.units)),
      cell('Batch', String(r.hyperparameters.batchSize)),
      cell('Best val acc', best ? h('span', { class: 'number', title: `epoch ${best.epoch}` }, formatFraction(best.value)) : '—'),
      cell('Test acc', r.test ? h('span', { class: 'number' }, formatFraction(r.test.accuracy)) : this.evaluateButton(run, name, rowErrors)),
      cell('Time', r.origin ? '—' : formatDuration(r.timings.trainingSeconds)),
      cell('Backend', r.backend),
      cell('Date', h('time', { datetime: r.createdAt }, formatDate(r.createdAt))),
      h('td', { 'data-label': 'Actions', class: 'actions' }, h('div', { class: 'row-actions' }, setActive, resume, exportKeras, remove), rowErrors.element),
    );
  }

  private evaluateButton(run: OkRun, name: string, errors: InlineError): HTMLElement {
    const evaluate = button(
      'Evaluate',
      () => {
        this.evaluating.add(run.id);
        void runAction(evaluate, errors, () => this.context.host.request('evaluateRun', { runId: run.id }).result).finally(() => this.evaluating.delete(run.id));
      },
      { appearance: 'secondary', ariaLabel: `Evaluate ${name} on the test set`, name: 'evaluate' },
    );
    if (this.evaluating.has(run.id)) {
      evaluate.setAttribute('disabled', '');
      evaluate.textContent = 'Evaluating…';
    }
    return evaluate;
  }

  private corruptRow(run: Extract<RunItem, { ok: false }>): HTMLElement {
    const rowErrors = new InlineError();
    const remove = button('Delete', () => void runAction(remove, rowErrors, () => this.context.host.request('deleteRun', { runId: run.id }).result), {
      appearance: 'secondary',
      ariaLabel: `Delete corrupt run folder ${run.id}`,
      name: 'delete',
    });
    return h(
      'tr',
      { 'data-run-id': run.id, class: 'corrupt-run' },
      h('td', { class: 'compare' }),
      h('td', { 'data-label': 'Model', class: 'corrupt-name' }, h('span', { class: 'run-name' }, run.id)),
      h(
        'td',
        { 'data-label': 'Status', colspan: COLUMNS.length - 3, class: 'corrupt-status' },
        h('strong', { class: 'corrupt-label' }, 'CORRUPT'),
        h('ul', { class: 'problems' }, run.problems.map((p) => h('li', undefined, p))),
      ),
      h('td', { 'data-label': 'Actions', class: 'actions' }, h('div', { class: 'row-actions' }, remove), rowErrors.element),
    );
  }

  private async trainModel(): Promise<void> {
    const trigger = this.body.querySelector<HTMLElement>('[data-action="train-model"]');
    if (!trigger) return;
    await runAction(trigger, this.errors, () => this.context.host.request('trainModel', {}).result);
  }
}

/** Runs that differ only by a seed would look alike: a seed other than the preset's is named under the model. */
function seedNote(state: DashboardState, r: RunRecord): HTMLElement | null {
  const defaults = state.presets.find((p) => p.name === r.preset)?.defaults;
  const h0 = r.hyperparameters;
  if (!defaults || (h0.seed === defaults.seed && h0.trainingSeed === defaults.trainingSeed)) return null;
  return h('div', { class: 'muted run-seeds', title: 'seed: which reviews validate; training seed: the initial weights and the batch order' }, `split seed ${h0.seed} · training seed ${h0.trainingSeed}`);
}

/** A run trained on a `training.limit` subset says so wherever its scores are shown. */
function subsetNote(r: RunRecord): HTMLElement | null {
  if (!r.dataset.limit) return null;
  return h('span', { class: 'subset-badge', title: `Trained on a subset: ${formatInteger(r.dataset.train)} training and ${formatInteger(r.dataset.validation)} validation reviews (training.limit ${formatInteger(r.dataset.limit)}).` }, `subset of ${formatInteger(r.dataset.train + r.dataset.validation)}`);
}

function statusText(r: RunRecord): HTMLElement {
  if (r.origin) return h('span', { class: 'status status-imported', title: `From ${r.origin.file}, word index ${r.origin.wordIndex}` }, originLabel(r.origin));
  if (r.status === 'complete') return h('span', { class: 'status status-complete' }, 'complete', subsetNote(r) ? ' · ' : '', subsetNote(r));
  const title =
    r.status === 'partial'
      ? 'Saved after its last finished epoch by a training that is running or was interrupted (a crash, a closed window): Resume continues it.'
      : 'Stopped early: the run is the checkpoint of the last finished epoch. Resume continues it.';
  return h(
    'span',
    { class: `status status-${r.status}`, title },
    h('span', { class: 'status-icon', 'aria-hidden': 'true' }, '◼'),
    ` ${r.status} after ${r.epochsCompleted}/${r.hyperparameters.epochs}`,
    subsetNote(r) ? ' · ' : '',
    subsetNote(r),
  );
}
