/**
 * A small element builder. Every node is made with DOM APIs (never innerHTML),
 * so text from runs, reviews and error messages can never become markup, and
 * nothing produces an inline `style` attribute the webview's CSP would block.
 */

export type Child = Node | string | number | null | undefined | false;
export type Children = Child | readonly Children[];

export type AttributeValue = string | number | boolean | null | undefined;
export type Listener = (event: Event) => void;
export interface Props {
  [name: string]: AttributeValue | Listener;
}

/** Sets attributes; `on<event>` keys become listeners; `true` is a bare attribute, false/null/undefined skip it. */
export function applyProps(element: Element, props: Props | undefined): void {
  if (!props) return;
  for (const [name, value] of Object.entries(props)) {
    if (name === 'style') {
      // An inline style attribute would be a CSP violation in the webview; use classes or element.style.
      throw new Error('Use a class or element.style instead of a style attribute.');
    }
    if (typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(name, String(value));
    }
  }
}

function isList(children: Children): children is readonly Children[] {
  return Array.isArray(children);
}

export function appendChildren(parent: Node, children: Children): void {
  if (isList(children)) {
    for (const child of children) appendChildren(parent, child);
  } else if (children instanceof Node) {
    parent.appendChild(children);
  } else if (children !== null && children !== undefined && children !== false) {
    parent.appendChild(document.createTextNode(String(children)));
  }
}

/** An HTML element with attributes, listeners and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Children[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  applyProps(element, props);
  appendChildren(element, children);
  return element;
}

/** A custom element of the webview UI toolkit (vscode-button, vscode-dropdown, ...). */
export function ui(tag: `vscode-${string}`, props?: Props, ...children: Children[]): HTMLElement {
  const element = document.createElement(tag);
  applyProps(element, props);
  appendChildren(element, children);
  return element;
}

export function replaceChildren(parent: Element, ...children: Children[]): void {
  parent.replaceChildren();
  appendChildren(parent, children);
}

/** Text read by screen readers but not shown. */
export function visuallyHidden(text: string, props?: Props): HTMLElement {
  return h('span', { class: 'visually-hidden', ...props }, text);
}

let nextId = 0;
/** A document-unique id for aria-labelledby / aria-describedby pairs and SVG markers. */
export function uniqueId(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}
