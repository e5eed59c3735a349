/**
 * Registers the webview UI toolkit components the dashboard uses, and only
 * those: each registration pulls its component into the bundle. vscode-tag is
 * left out on purpose: its template carries a style="" binding, which the
 * webview's CSP (no 'unsafe-inline') reports as a violation; a styled <span
 * class="tag"> replaces it.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDropdown,
  vsCodeOption,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
  vsCodeProgressRing,
  vsCodeTextArea,
} from '@vscode/webview-ui-toolkit';

export function registerToolkit(): void {
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeCheckbox(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodePanels(),
    vsCodePanelTab(),
    vsCodePanelView(),
    vsCodeProgressRing(),
    vsCodeTextArea(),
  );
}
