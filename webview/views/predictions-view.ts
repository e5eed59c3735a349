/**
 * Predictions tab: a review box, the model to ask and the Analyze button;
 * below, every prediction newest first — those made here and those the host
 * reports (e.g. from an editor selection).
 */
import { formatVerdict } from '../../src/core/verdict.js';
import type { DashboardState, PredictionEntry } from '../../src/protocol.js';
import { defaultRunId, okRuns, presetTitle, runLabel } from '../state/selectors.js';
import { h, replaceChildren, ui } from '../util/dom.js';
import { ExplainPanel } from './explain-view.js';
import { predictionCard } from './prediction-card.js';
import { highlight, type DashboardView, type RevealTarget, type ViewContext } from './view.js';
import { InlineError, Picker, button, describeError, runAction, setDisabled, spinner } from './widgets.js';
import type { ChartTheme } from '../theme/theme.js';

type TextArea = HTMLElement & { value: string };

export class PredictionsView implements DashboardView {
  readonly element: HTMLElement;
  private readonly text: TextArea;
  private readonly runPicker: Picker;
  private readonly analyzeButton: HTMLElement;
  private readonly errors = new InlineError();
  private readonly list = h('div', { class: 'prediction-list', 'aria-live': 'off' });
  private readonly hint = h('p', { class: 'muted form-hint' });
  /** Loading a model for its first prediction can take a few seconds. */
  private readonly busy = spinner('Analyzing');
  /** Answers to this view's requests, shown before the host's next state includes them. */
  private readonly local = new Map<string, PredictionEntry>();
  private state: DashboardState | undefined;
  private pending = false;
  private readonly explainPanel: ExplainPanel;
  /** Bumped by each explanation request: only the latest one is shown. */
  private explaining = 0;

  constructor(private readonly context: ViewContext) {
    this.text = ui('vscode-text-area', {
      rows: 5,
      resize: 'vertical',
      placeholder: 'Paste or type a movie review…',
      'data-field': 'review',
      'aria-label': 'Review text',
    }) as TextArea;
    this.text.textContent = 'Review text';
    this.text.value = context.ui.current.draft;
    this.text.addEventListener('input', () => {
      this.context.ui.updateSoon({ draft: this.text.value });
      this.updateButton();
    });
    this.text.addEventListener('keydown', (event) => {
      // Ctrl/Cmd+Enter analyzes, as in VS Code's own input boxes.
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.analyze();
      }
    });
    this.runPicker = new Picker('Model', (id) => this.context.ui.update({ predictionRunId: id }), 'prediction-run');
    this.analyzeButton = button('Analyze', () => this.analyze(), { name: 'analyze', ariaLabel: 'Analyze the review' });
    this.busy.hidden = true;
    this.explainPanel = new ExplainPanel(context.theme(), (preset) => (this.state ? presetTitle(this.state, preset) : preset));
    this.element = h(
      'section',
      { class: 'view predictions-view', 'aria-label': 'Predictions' },
      h(
        'form',
        { class: 'card prediction-form', 'aria-label': 'Analyze a review', onsubmit: (event: Event) => event.preventDefault() },
        this.text,
        h('div', { class: 'form-row' }, this.runPicker.element, this.analyzeButton, this.busy),
        this.hint,
        this.errors.element,
      ),
      this.explainPanel.element,
      h('h2', { class: 'list-title' }, 'Predictions'),
      this.list,
    );
  }

  render(state: DashboardState): void {
    this.state = state;
    const runs = okRuns(state);
    const selected = defaultRunId(state, this.context.ui.current.predictionRunId);
    this.runPicker.setOptions(
      runs.map((r) => ({ value: r.id, label: `${runLabel(state, r.record)}${r.id === state.activeRunId ? ' (active)' : ''}` })),
      selected ?? '',
    );
    this.runPicker.element.hidden = runs.length === 0;
    this.hint.textContent = runs.length === 0 ? 'Train a model first: predictions need a trained run.' : 'Ctrl+Enter analyzes. Reviews are classified by the chosen run on the configured backend.';
    this.updateButton();

    for (const entry of state.predictions) this.local.delete(entry.id);
    const entries = [...state.predictions, ...this.local.values()].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    replaceChildren(
      this.list,
      entries.length
        ? entries.map((e) => predictionCard(state, e, (entry) => this.explain(entry)))
        : h('p', { class: 'empty' }, 'No predictions yet. Analyze a review here, or select text in an editor and run “Analyze Sentiment”.'),
    );
  }

  reveal(target: RevealTarget): void {
    if (!target.predictionId) return;
    const card = this.list.querySelector<HTMLElement>(`[data-prediction-id="${CSS.escape(target.predictionId)}"]`);
    if (card) highlight(card);
    // A prediction revealed from the editor is explained too, once its label is on screen.
    const entry = this.state?.predictions.find((p) => p.id === target.predictionId);
    if (entry) this.explain(entry);
  }

  setTheme(theme: ChartTheme): void {
    this.explainPanel.setTheme(theme);
  }

  /** Ask the host why the model decided on `entry`, and show it (the label is already on screen). */
  explain(entry: PredictionEntry): void {
    const request = ++this.explaining;
    this.explainPanel.showMessage(`Explaining “${entry.excerpt.slice(0, 60)}”…`);
    this.context.host.request('explain', { predictionId: entry.id, method: 'ig' }).result.then(
      (explanation) => {
        if (request !== this.explaining) return;
        this.explainPanel.show(explanation);
        this.context.announce(`Explanation ready: ${explanation.verdict.length} tokens.`);
      },
      (error: unknown) => {
        if (request === this.explaining) this.explainPanel.showMessage(`No explanation: ${describeError(error).message}`, true);
      },
    );
  }

  private updateButton(): void {
    const state = this.state;
    const ready = Boolean(state && okRuns(state).length > 0 && this.text.value.trim() && !this.pending);
    setDisabled(this.analyzeButton, !ready);
  }

  private analyze(): void {
    const state = this.state;
    const text = this.text.value.trim();
    const runId = state ? defaultRunId(state, this.runPicker.value || this.context.ui.current.predictionRunId) : undefined;
    if (!state || !text || !runId || this.pending) return;
    this.pending = true;
    this.busy.hidden = false;
    void runAction(this.analyzeButton, this.errors, async () => {
      const entry = await this.context.host.request('predict', { runId, text }).result;
      this.local.set(entry.id, entry);
      if (this.state) this.render(this.state);
      this.context.announce(`${formatVerdict(entry.prediction)}.`);
      const card = this.list.querySelector<HTMLElement>(`[data-prediction-id="${CSS.escape(entry.id)}"]`);
      card?.scrollIntoView({ block: 'nearest' });
      // After the label is on screen: the explanation costs more than the prediction.
      this.explain(entry);
    }).finally(() => {
      this.pending = false;
      this.busy.hidden = true;
      this.updateButton();
    });
  }
}
