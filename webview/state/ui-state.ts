/**
 * What the user did in the dashboard that the host does not know about: the
 * open tab, the runs ticked for comparison, the run each picker shows, the
 * unsent review text and the scroll position of each tab. VS Code discards a
 * hidden webview's page; setState/getState bring this back when it reopens.
 */
import type { DashboardTab } from '../../src/protocol.js';
import type { PresetName } from '../../src/core/presets.js';
import type { VsCodeApi } from '../host/vscode-api.js';

export interface UiState {
  version: 1;
  tab: DashboardTab;
  /** Run ids ticked "Compare" in the runs table. */
  compare: string[];
  /** What the architecture tab draws: "run:<id>", "preset:<name>" or "training"; unset follows the active run. */
  architectureSource?: string;
  /** The past run the training tab shows when nothing trains; unset follows the active run. */
  trainingRunId?: string;
  /** The preset the Train Model button starts. */
  trainPreset?: PresetName;
  predictionRunId?: string;
  draft: string;
  scroll: Partial<Record<DashboardTab, number>>;
}

const TABS: readonly DashboardTab[] = ['architecture', 'training', 'runs', 'predictions', 'document'];

export function isDashboardTab(value: unknown): value is DashboardTab {
  return typeof value === 'string' && (TABS as readonly string[]).includes(value);
}

function initialUiState(): UiState {
  return { version: 1, tab: 'architecture', compare: [], draft: '', scroll: {} };
}

/** Reads stored state defensively: an older build may have stored another shape. */
function restore(stored: unknown): UiState {
  const state = initialUiState();
  if (typeof stored !== 'object' || stored === null) return state;
  const s = stored as Partial<Record<keyof UiState, unknown>>;
  if (isDashboardTab(s.tab)) state.tab = s.tab;
  if (Array.isArray(s.compare)) state.compare = s.compare.filter((id): id is string => typeof id === 'string');
  if (typeof s.architectureSource === 'string') state.architectureSource = s.architectureSource;
  if (typeof s.trainingRunId === 'string') state.trainingRunId = s.trainingRunId;
  if (typeof s.trainPreset === 'string') state.trainPreset = s.trainPreset as PresetName;
  if (typeof s.predictionRunId === 'string') state.predictionRunId = s.predictionRunId;
  if (typeof s.draft === 'string') state.draft = s.draft;
  if (typeof s.scroll === 'object' && s.scroll !== null) {
    for (const [tab, y] of Object.entries(s.scroll)) if (isDashboardTab(tab) && typeof y === 'number') state.scroll[tab] = y;
  }
  return state;
}

export class UiStateStore {
  private state: UiState;
  private saveTimer: number | undefined;

  constructor(private readonly api: VsCodeApi<unknown>) {
    this.state = restore(api.getState());
  }

  get current(): Readonly<UiState> {
    return this.state;
  }

  /** Saves at once: tab switches and selections must survive an immediate hide. */
  update(change: Partial<UiState>): void {
    this.state = { ...this.state, ...change };
    this.flush();
  }

  /** Saves after a pause: typing and scrolling change the state many times a second. */
  updateSoon(change: Partial<UiState>): void {
    this.state = { ...this.state, ...change };
    if (this.saveTimer === undefined) this.saveTimer = window.setTimeout(() => this.flush(), 250);
  }

  flush(): void {
    if (this.saveTimer !== undefined) window.clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.api.setState(this.state);
  }
}
