/** What every tab's view is given, and what it offers the shell. */
import type { DashboardState } from '../../src/protocol.js';
import type { HostConnection } from '../host/host-connection.js';
import type { UiStateStore } from '../state/ui-state.js';
import type { ChartTheme } from '../theme/theme.js';

export interface ViewContext {
  host: HostConnection;
  ui: UiStateStore;
  theme(): ChartTheme;
  /** A short sentence for screen readers (training finished, prediction ready); #app is a polite live region. */
  announce(text: string): void;
}

export interface RevealTarget {
  runId?: string;
  predictionId?: string;
}

export interface DashboardView {
  readonly element: HTMLElement;
  /** Called with every new state; views keep their controls and charts and update what changed. */
  render(state: DashboardState): void;
  setTheme?(theme: ChartTheme): void;
  reveal?(target: RevealTarget): void;
}

/**
 * Briefly marks an element the host asked to bring forward. Focus moves there
 * only if the dashboard already has it: a reveal that follows a command in the
 * editor (Analyze Sentiment) must leave the keyboard where the user is.
 */
export function highlight(element: HTMLElement): void {
  element.scrollIntoView({ block: 'center' });
  element.classList.remove('revealed');
  // Restart the highlight if the same element is revealed twice in a row.
  void element.offsetWidth;
  element.classList.add('revealed');
  if (!element.hasAttribute('tabindex')) element.setAttribute('tabindex', '-1');
  if (document.hasFocus()) element.focus({ preventScroll: true });
  window.setTimeout(() => element.classList.remove('revealed'), 2500);
}
