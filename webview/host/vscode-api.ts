/**
 * The API VS Code injects into a webview. It may be acquired only once per
 * page load, so this module acquires it and everything else imports it.
 */

export interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  /** What setState stored before the webview was hidden or reloaded; undefined on first open. */
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State = unknown>(): VsCodeApi<State>;

export function acquireHostApi<State>(): VsCodeApi<State> {
  return acquireVsCodeApi<State>();
}
