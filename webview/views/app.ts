/**
 * The dashboard shell: four tabs, the state the host sent, and routing of
 * host notifications to the views. Views are built once, on the first state,
 * and afterwards only told what changed, so form input, open dropdowns and
 * charts survive every state push.
 */
import type { DashboardState, DashboardTab, DocumentTableData, TrainingUpdate } from '../../src/protocol.js';
import type { HostConnection } from '../host/host-connection.js';
import { applyTrainingUpdate } from '../state/training-updates.js';
import { isDashboardTab, type UiStateStore } from '../state/ui-state.js';
import { readChartTheme, watchThemeChanges, type ChartTheme } from '../theme/theme.js';
import { h, replaceChildren, ui } from '../util/dom.js';
import { ArchitectureView } from './architecture-view.js';
import { PredictionsView } from './predictions-view.js';
import { DocumentView } from './document-view.js';
import { RunsView } from './runs-view.js';
import { TrainingView } from './training-view.js';
import type { DashboardView, RevealTarget, ViewContext } from './view.js';
import { button, describeError } from './widgets.js';

/** One name per tab, in every view and in the README. */
const TAB_LABELS: Record<DashboardTab, string> = {
  architecture: 'Architecture',
  training: 'Training',
  runs: 'Runs',
  predictions: 'Predictions',
  document: 'Document',
};
const TABS = Object.keys(TAB_LABELS) as DashboardTab[];

interface Shell {
  panels: HTMLElement & { activeid: string };
  views: Record<DashboardTab, DashboardView>;
  training: TrainingView;
  trainingIndicator: HTMLElement;
  tabs: Record<DashboardTab, HTMLElement>;
  welcome: HTMLElement;
}

export class DashboardApp {
  private state: DashboardState | undefined;
  private shell: Shell | undefined;
  private theme: ChartTheme | undefined;
  /** Training events that arrived before the first state; applied once it does. */
  private early: TrainingUpdate[] = [];
  private pendingReveal: { tab: DashboardTab } & RevealTarget | undefined;
  private pendingDocument: DocumentTableData | undefined;
  private documentView: DocumentView | undefined;
  private readonly announcer = h('p', { class: 'visually-hidden announcer', role: 'status' });
  /** Bumped to abandon a scroll restoration in progress. */
  private scrollRestore = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: HostConnection,
    private readonly ui: UiStateStore,
  ) {}

  showLoading(): void {
    replaceChildren(this.root, h('p', { class: 'loading' }, 'Loading…'));
  }

  /** The `ready` request failed: say why and let the user try again. */
  showStartupError(error: unknown, retry: () => void): void {
    const { message, code } = describeError(error);
    replaceChildren(
      this.root,
      h(
        'div',
        { class: 'startup-error' },
        h('p', { class: 'inline-error', role: 'alert' }, `The dashboard could not load its data: ${message}${code ? ` (${code})` : ''}`),
        button('Retry', retry, { name: 'retry' }),
      ),
    );
  }

  setState(state: DashboardState): void {
    const first = !this.shell;
    const wasTraining = Boolean(this.state?.training);
    this.state = state;
    if (!first && wasTraining !== Boolean(state.training)) this.announce(state.training ? 'Training started.' : 'Training ended.');
    const shell = this.shell ?? this.buildShell();
    for (const update of this.early.splice(0)) if (state.training) applyTrainingUpdate(state.training, update);
    for (const tab of TABS) shell.views[tab].render(state);
    shell.trainingIndicator.hidden = !state.training;
    // The accessible name says what the eye sees: the tab's name, and the dot's meaning only while it shows.
    shell.tabs.training.setAttribute('aria-label', state.training ? `${TAB_LABELS.training} (in progress)` : TAB_LABELS.training);
    shell.welcome.hidden = Boolean(state.training) || state.runs.length > 0;
    if (first) {
      this.selectTab(this.ui.current.tab, { restoreScroll: true });
      if (this.pendingReveal) this.reveal(this.pendingReveal);
    }
  }

  /** The last analyzed document: kept until the shell exists, then shown in the Document tab. */
  setDocument(data: DocumentTableData): void {
    this.pendingDocument = data;
    this.documentView?.setDocument(data);
  }

  applyTraining(update: TrainingUpdate): void {
    const state = this.state;
    if (!state || !this.shell) {
      this.early.push(update);
      return;
    }
    // Without a training in the state the host has not announced it yet; its next state carries it whole.
    if (!state.training) return;
    const applied = applyTrainingUpdate(state.training, update);
    this.shell.training.trainingUpdated(state, applied);
  }

  reveal(target: { tab: DashboardTab } & RevealTarget): void {
    if (!isDashboardTab(target.tab)) return;
    if (!this.shell) {
      this.pendingReveal = target;
      return;
    }
    this.pendingReveal = undefined;
    this.selectTab(target.tab, { restoreScroll: false });
    // After the tab panel is shown, so the element can be scrolled to.
    requestAnimationFrame(() => this.shell?.views[target.tab].reveal?.(target));
  }

  private buildShell(): Shell {
    this.theme = readChartTheme();
    const context: ViewContext = {
      host: this.host,
      ui: this.ui,
      theme: () => this.theme ?? readChartTheme(),
      announce: (text) => this.announce(text),
    };
    const training = new TrainingView(context);
    this.documentView = new DocumentView(context);
    if (this.pendingDocument) this.documentView.setDocument(this.pendingDocument);
    const views: Record<DashboardTab, DashboardView> = {
      architecture: new ArchitectureView(context),
      training,
      runs: new RunsView(context),
      predictions: new PredictionsView(context),
      document: this.documentView,
    };
    const trainingIndicator = h('span', { class: 'tab-indicator', title: 'Training in progress', 'aria-hidden': 'true', hidden: true });
    const tabs = Object.fromEntries(
      TABS.map((tab) => [tab, ui('vscode-panel-tab', { id: `tab-${tab}`, 'data-tab': tab, 'aria-label': TAB_LABELS[tab] }, TAB_LABELS[tab], tab === 'training' ? trainingIndicator : null)]),
    ) as Record<DashboardTab, HTMLElement>;
    const welcome = h(
      'section',
      { class: 'card welcome', 'aria-labelledby': 'welcome-title', hidden: true },
      h('h2', { id: 'welcome-title' }, 'Train your first model'),
      h('p', undefined, 'Train a recurrent network on 25,000 IMDB movie reviews, then select any text in the editor and run Analyze Sentiment.'),
      button('Train Model', () => void this.host.request('trainModel', {}).result.catch(() => undefined), { name: 'welcome-train' }),
    );
    const panels = ui(
      'vscode-panels',
      { 'aria-label': 'Dashboard sections', activeid: `tab-${this.ui.current.tab}`, class: 'tabs' },
      TABS.map((tab) => tabs[tab]),
      TABS.map((tab) => ui('vscode-panel-view', { id: `view-${tab}`, 'data-view-of': tab, 'aria-live': 'off' }, views[tab].element)),
    ) as Shell['panels'];
    panels.addEventListener('change', (event) => {
      // Only the tab strip's own change; toolkit controls inside the panels emit bubbling change events too.
      if (event.target !== panels) return;
      const tab = panels.activeid?.replace(/^tab-/, '');
      if (isDashboardTab(tab) && tab !== this.ui.current.tab) this.tabChanged(tab, { restoreScroll: true });
    });
    replaceChildren(this.root, this.announcer, welcome, panels);

    watchThemeChanges(() => {
      this.theme = readChartTheme();
      for (const tab of TABS) views[tab].setTheme?.(this.theme);
    });
    // VS Code may discard the page right after it is hidden: store what is pending.
    window.addEventListener('pagehide', () => this.ui.flush());
    window.addEventListener('scroll', () => {
      this.ui.updateSoon({ scroll: { ...this.ui.current.scroll, [this.ui.current.tab]: Math.round(window.scrollY) } });
    }, { passive: true });

    this.shell = { panels, views, training, trainingIndicator, tabs, welcome };
    return this.shell;
  }

  private selectTab(tab: DashboardTab, options: { restoreScroll: boolean }): void {
    if (!this.shell) return;
    if (this.shell.panels.activeid !== `tab-${tab}`) this.shell.panels.activeid = `tab-${tab}`;
    this.tabChanged(tab, options);
  }

  private tabChanged(tab: DashboardTab, options: { restoreScroll: boolean }): void {
    this.ui.update({ tab });
    document.body.dataset.tab = tab;
    if (options.restoreScroll) this.restoreScroll(this.ui.current.scroll[tab] ?? 0);
  }

  /**
   * The page may not be tall enough yet (toolkit components and charts take
   * their size over a few frames), so the position is re-applied each frame
   * until it holds, for at most half a second or until the user scrolls.
   */
  private restoreScroll(y: number): void {
    const token = ++this.scrollRestore;
    const deadline = performance.now() + 500;
    const userScrolled = () => (this.scrollRestore += 1);
    window.addEventListener('wheel', userScrolled, { once: true, passive: true });
    window.addEventListener('keydown', userScrolled, { once: true });
    const step = () => {
      if (token !== this.scrollRestore) return;
      window.scrollTo(0, y);
      if (Math.abs(window.scrollY - y) > 1 && performance.now() < deadline) requestAnimationFrame(step);
      else {
        window.removeEventListener('wheel', userScrolled);
        window.removeEventListener('keydown', userScrolled);
      }
    };
    requestAnimationFrame(step);
  }

  private announce(text: string): void {
    this.announcer.textContent = text;
  }
}
