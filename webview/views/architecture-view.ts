/**
 * Architecture tab: the layers of a model (what model.summary() prints) and
 * its recurrent cell as the tutorial explains it, both drawn from the chosen
 * run's actual hyperparameters, plus those hyperparameters. Without runs, a
 * preset's defaults are drawn.
 */
import type { DashboardState, PresetItem, TrainingState } from '../../src/protocol.js';
import type { ArchitectureSummary } from '../../src/core/architecture.js';
import type { Hyperparameters } from '../../src/core/presets.js';
import { bilstmDiagram, bilstmExplanation } from '../diagrams/bilstm-diagram.js';
import { layerDiagram } from '../diagrams/layer-diagram.js';
import { lstmCellDiagram, lstmExplanation } from '../diagrams/lstm-cell-diagram.js';
import type { CellExplanation } from '../diagrams/model-head.js';
import { simpleRnnDiagram, simpleRnnExplanation } from '../diagrams/simple-rnn-diagram.js';
import { okRuns, presetTitle, runLabel, type OkRun } from '../state/selectors.js';
import { h, replaceChildren, type Children } from '../util/dom.js';
import { formatInteger } from '../util/format.js';
import { mathHtml } from '../util/math-notation.js';
import type { DashboardView, RevealTarget, ViewContext } from './view.js';
import { Picker, definitionList, type PickerOption } from './widgets.js';
import { recurrentLayerOf } from '../../src/core/preset-names.js';

interface ModelSource {
  key: string;
  title: string;
  description: string;
  hyperparameters: Hyperparameters;
  architecture: ArchitectureSummary;
  note: string;
}

export class ArchitectureView implements DashboardView {
  readonly element: HTMLElement;
  private readonly picker: Picker;
  private readonly content = h('div', { class: 'architecture-content' });
  private renderedKey = '';
  private state: DashboardState | undefined;

  constructor(private readonly context: ViewContext) {
    this.picker = new Picker('Model', (value) => {
      this.context.ui.update({ architectureSource: value });
      if (this.state) this.render(this.state);
    }, 'architecture-source');
    this.element = h('section', { class: 'view architecture-view', 'aria-label': 'Architecture' }, h('div', { class: 'toolbar' }, this.picker.element), this.content);
  }

  render(state: DashboardState): void {
    this.state = state;
    const sources = listSources(state);
    const chosen = sources.find((s) => s.key === this.context.ui.current.architectureSource) ?? sources[0];
    this.picker.setOptions(
      sources.map((s): PickerOption => ({ value: s.key, label: s.title })),
      chosen?.key ?? '',
    );
    if (!chosen) {
      replaceChildren(this.content, h('p', { class: 'empty' }, 'No model to show: the extension reported no presets.'));
      this.renderedKey = '';
      return;
    }
    // Diagrams are redrawn only when the model changes, not on every state push.
    const key = `${chosen.key}|${JSON.stringify(chosen.hyperparameters)}`;
    if (key === this.renderedKey) return;
    this.renderedKey = key;
    replaceChildren(this.content, this.describe(state, chosen));
  }

  reveal(target: RevealTarget): void {
    if (!target.runId || !this.state) return;
    this.context.ui.update({ architectureSource: `run:${target.runId}` });
    this.render(this.state);
  }

  private describe(state: DashboardState, source: ModelSource): HTMLElement[] {
    const h0 = source.hyperparameters;
    const title = presetTitle(state, h0.preset);
    const cell = cellSection(h0, title);
    return [
      h('p', { class: 'source-note' }, source.description, source.note ? h('span', { class: 'muted' }, ` ${source.note}`) : null),
      h(
        'div',
        { class: 'architecture-grid' },
        h(
          'section',
          { class: 'card layers', 'aria-labelledby': 'layers-heading', 'data-total-params': source.architecture.totalParams },
          h('h2', { id: 'layers-heading' }, 'Layers'),
          layerDiagram(source.architecture, title),
        ),
        cell,
      ),
      h('section', { class: 'card hyperparameters', 'aria-labelledby': 'hyper-heading' }, h('h2', { id: 'hyper-heading' }, 'Hyperparameters'), hyperparameterList(h0)),
    ];
  }
}

function cellSection(hp: Hyperparameters, title: string): HTMLElement {
  const parts: Children[] = [];
  if (recurrentLayerOf(hp.preset) === 'simple-rnn') {
    parts.push(h('h2', undefined, 'SimpleRNN, unrolled in time'), figure(simpleRnnDiagram(hp)), explanation(simpleRnnExplanation(hp)));
  } else if (recurrentLayerOf(hp.preset) === 'lstm') {
    parts.push(h('h2', undefined, 'Inside the LSTM cell'), figure(lstmCellDiagram(hp)), explanation(lstmExplanation(hp)));
  } else {
    parts.push(
      h('h2', undefined, 'Bidirectional LSTM'),
      figure(bilstmDiagram(hp)),
      explanation(bilstmExplanation(hp)),
      h('h3', undefined, 'Each direction: an LSTM cell'),
      figure(lstmCellDiagram(hp, { direction: 'each direction of the' })),
      explanation(lstmExplanation(hp)),
    );
  }
  return h('section', { class: 'card cell', 'aria-label': `Recurrent cell of the ${title} model`, 'data-preset': hp.preset, 'data-units': hp.units }, parts);
}

/** Diagrams are wide; in the narrow side bar they scroll sideways rather than shrink text to illegibility. */
function figure(svg: SVGSVGElement): HTMLElement[] {
  return [h('p', { class: 'muted scroll-hint', 'aria-hidden': 'true' }, 'Scroll sideways to see the whole diagram.'), h('div', { class: 'diagram-scroller', tabindex: 0, 'aria-label': 'Diagram, scrollable' }, svg)];
}

function explanation(cell: CellExplanation): HTMLElement {
  return h(
    'div',
    { class: 'explanation' },
    h(
      'table',
      { class: 'equations' },
      h('caption', { class: 'visually-hidden' }, 'Equations with this model’s sizes'),
      h('thead', { class: 'visually-hidden' }, h('tr', undefined, h('th', { scope: 'col' }, 'Equation'), h('th', { scope: 'col' }, 'Sizes'))),
      h(
        'tbody',
        undefined,
        cell.equations.map((e) => h('tr', undefined, h('td', { class: 'formula' }, mathHtml(e.formula)), h('td', { class: 'sizes' }, mathHtml(e.sizes, 'math sizes-text')))),
      ),
    ),
    h('p', { class: 'muted parameter-note' }, cell.parameters),
  );
}

function hyperparameterList(hp: Hyperparameters): HTMLElement {
  return definitionList([
    ['Optimizer', hp.optimizer],
    ['Learning rate', String(hp.learningRate)],
    ['Epochs', String(hp.epochs)],
    ['Batch size', String(hp.batchSize)],
    ['maxlen', formatInteger(hp.maxlen)],
    ['num_words', formatInteger(hp.numWords)],
    ['Embedding', `${hp.embeddingDim} dims`],
    ['Recurrent units', recurrentLayerOf(hp.preset) === 'bilstm' ? `${hp.units} per direction` : String(hp.units)],
    ['Dense units', hp.denseUnits > 0 ? String(hp.denseUnits) : 'none'],
    ['Dropout', hp.denseUnits > 0 ? String(hp.dropout) : 'none'],
    ['Validation split', String(hp.validationSplit)],
    ['Trained on', hp.trainOn === 'reviews-and-sentences' ? 'reviews and every sentence of each' : 'reviews'],
    ['Short-text share', String(hp.shortTextShare)],
    ['Split seed', String(hp.seed)],
    ['Training seed (weights, batches)', String(hp.trainingSeed)],
  ]);
}

/** The picker's choices: the training in progress, every readable run (newest first), then each preset's defaults. */
function listSources(state: DashboardState): ModelSource[] {
  const sources: ModelSource[] = [];
  const preset = (name: string): PresetItem | undefined => state.presets.find((p) => p.name === name);
  const runs = okRuns(state);
  // Unset or gone: the active run, else the newest, else the first preset.
  const active = runs.find((r) => r.id === state.activeRunId);
  if (active) sources.push(runSource(state, active, preset(active.record.preset), true));
  if (state.training) sources.push(trainingSource(state, state.training, preset(state.training.preset)));
  for (const run of runs) if (run !== active) sources.push(runSource(state, run, preset(run.record.preset), false));
  for (const p of state.presets) {
    sources.push({
      key: `preset:${p.name}`,
      title: `${p.title} — preset defaults`,
      description: p.description,
      hyperparameters: p.defaults,
      architecture: p.architecture,
      note: 'Not trained yet: the preset’s default settings.',
    });
  }
  return sources;
}

function runSource(state: DashboardState, run: OkRun, p: PresetItem | undefined, active: boolean): ModelSource {
  return {
    key: `run:${run.id}`,
    title: `${runLabel(state, run.record)}${active ? ' (active)' : ''}`,
    description: p?.description ?? '',
    hyperparameters: run.record.hyperparameters,
    architecture: run.record.architecture,
    note: `Run ${run.id}.`,
  };
}

function trainingSource(state: DashboardState, training: TrainingState, p: PresetItem | undefined): ModelSource {
  return {
    key: 'training',
    title: `${presetTitle(state, training.preset)} — training now`,
    description: p?.description ?? '',
    hyperparameters: training.hyperparameters,
    architecture: training.architecture,
    note: 'The model being trained.',
  };
}
