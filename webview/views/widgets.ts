/**
 * Toolkit-based controls with the dashboard's conventions: every button has
 * an accessible name, pickers keep their selection across re-renders, and a
 * failed request shows its message next to the control that sent it.
 */
import { RpcError } from '../../src/rpc.js';
import { h, replaceChildren, ui, uniqueId, type Children } from '../util/dom.js';

export interface ButtonOptions {
  appearance?: 'primary' | 'secondary';
  /** For buttons whose visible text needs context ("Delete" → "Delete run LSTM #ab12"). */
  ariaLabel?: string;
  disabled?: boolean;
  name?: string;
}

export function button(label: Children, onClick: () => void, options: ButtonOptions = {}): HTMLElement {
  const element = ui(
    'vscode-button',
    { appearance: options.appearance ?? 'primary', 'aria-label': options.ariaLabel, disabled: options.disabled, 'data-action': options.name },
    label,
  );
  // A disabled toolkit button still receives clicks on its host element.
  element.addEventListener('click', () => {
    if (!isDisabled(element)) onClick();
  });
  return element;
}

function isDisabled(element: HTMLElement): boolean {
  return element.hasAttribute('disabled') || (element as { disabled?: boolean }).disabled === true;
}

export function setDisabled(element: HTMLElement, disabled: boolean): void {
  (element as HTMLElement & { disabled: boolean }).disabled = disabled;
  element.toggleAttribute('disabled', disabled);
}

export interface PickerOption {
  value: string;
  label: string;
}

/**
 * A labelled vscode-dropdown. Options are rebuilt only when they change, so a
 * state push does not close an open dropdown or lose the selection.
 */
export class Picker {
  readonly element: HTMLElement;
  readonly dropdown: HTMLElement & { value: string };
  private signature = '';
  private selected = '';

  constructor(label: string, private readonly onChange: (value: string) => void, name?: string) {
    const labelId = uniqueId('picker-label');
    this.dropdown = ui('vscode-dropdown', { 'aria-labelledby': labelId, 'data-picker': name }) as HTMLElement & { value: string };
    this.dropdown.addEventListener('change', (event) => {
      // Toolkit change events bubble; this picker answers only its own.
      if (event.target !== this.dropdown) return;
      event.stopPropagation();
      const value = this.dropdown.value;
      if (value === this.selected) return;
      this.selected = value;
      this.onChange(value);
    });
    this.element = h('div', { class: 'field' }, h('label', { id: labelId, class: 'field-label' }, label), this.dropdown);
  }

  get value(): string {
    return this.selected;
  }

  setOptions(options: PickerOption[], selected: string): void {
    const signature = JSON.stringify(options);
    this.selected = selected;
    if (signature !== this.signature) {
      this.signature = signature;
      // The option marked selected becomes the dropdown's value once the toolkit sees the new options.
      replaceChildren(this.dropdown, options.map((o) => ui('vscode-option', { value: o.value, selected: o.value === selected }, o.label)));
    }
    if (this.dropdown.value !== selected) this.dropdown.value = selected;
    // The toolkit applies options on slot change; re-assert the value after it has.
    queueMicrotask(() => {
      if (this.dropdown.value !== this.selected && options.some((o) => o.value === this.selected)) this.dropdown.value = this.selected;
    });
  }
}

/** An error message in the error colour, next to the action that failed; announced when it appears. */
export class InlineError {
  readonly element: HTMLElement = h('p', { class: 'inline-error', role: 'alert', hidden: true });

  show(error: unknown): void {
    const { message, code } = describeError(error);
    replaceChildren(this.element, h('span', { class: 'inline-error-icon', 'aria-hidden': 'true' }, '⚠'), ' ', message, code ? h('span', { class: 'inline-error-code' }, ` (${code})`) : null);
    this.element.dataset.code = code ?? '';
    this.element.hidden = false;
  }

  clear(): void {
    this.element.hidden = true;
    this.element.replaceChildren();
  }
}

export function describeError(error: unknown): { message: string; code?: string } {
  if (error instanceof RpcError) return { message: error.message, code: error.code };
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}

/**
 * Sends a request on behalf of a button: the button is disabled and shows a
 * spinner while it waits, and an error lands in `errors`.
 */
export async function runAction<T>(trigger: HTMLElement, errors: InlineError, action: () => Promise<T>): Promise<T | undefined> {
  errors.clear();
  setDisabled(trigger, true);
  trigger.classList.add('busy');
  trigger.setAttribute('aria-busy', 'true');
  try {
    return await action();
  } catch (error) {
    errors.show(error);
    return undefined;
  } finally {
    setDisabled(trigger, false);
    trigger.classList.remove('busy');
    trigger.removeAttribute('aria-busy');
  }
}

/** A term/value grid (hyperparameters, run statistics). */
export function definitionList(rows: [string, Children][], className = 'facts'): HTMLElement {
  return h('dl', { class: className }, rows.map(([term, value]) => h('div', { class: 'fact' }, h('dt', undefined, term), h('dd', undefined, value))));
}

/** An indeterminate ring (never given a value: the determinate ring's template uses an inline style the CSP blocks). */
export function spinner(label: string): HTMLElement {
  return ui('vscode-progress-ring', { 'aria-label': label, class: 'spinner' });
}
