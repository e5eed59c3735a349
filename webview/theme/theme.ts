/**
 * Chart colours come from the VS Code theme, like everything else. A canvas
 * cannot use CSS variables, so they are resolved to rgb() at draw time, and
 * resolved again whenever VS Code switches theme: it toggles vscode-light /
 * vscode-dark / vscode-high-contrast on <body> and rewrites the --vscode-*
 * variables on <html>.
 */

export type SeriesColor = 'blue' | 'orange' | 'green' | 'purple' | 'red' | 'yellow';
/** The order runs take colours in a comparison: the most distinguishable first. */
export const SERIES_ORDER: readonly SeriesColor[] = ['blue', 'orange', 'green', 'purple', 'red', 'yellow'];

export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  fontFamily: string;
  fontSize: number;
  series: Record<SeriesColor, string>;
  highContrast: boolean;
  reduceMotion: boolean;
}

let probe: HTMLElement | undefined;

/** The computed rgb() of a CSS colour expression, e.g. "var(--vscode-charts-blue)". */
function resolveColor(expression: string): string {
  if (!probe || !probe.isConnected) {
    probe = document.createElement('span');
    probe.className = 'theme-probe';
    probe.setAttribute('aria-hidden', 'true');
    document.body.appendChild(probe);
  }
  probe.style.color = '';
  probe.style.color = expression;
  return getComputedStyle(probe).color;
}

/** rgb(r, g, b) or rgba(r, g, b, a) with a new alpha; Chart.js needs a colour it can parse. */
export function withAlpha(color: string, alpha: number): string {
  const numbers = color.match(/[\d.]+/g);
  if (!numbers || numbers.length < 3) return color;
  const [r, g, b, a = '1'] = numbers;
  return `rgba(${r}, ${g}, ${b}, ${Number(a) * alpha})`;
}

/**
 * The same colour without transparency. Some themes give the chart colours an
 * alpha (VS Code derives charts.orange from a translucent minimap colour):
 * a thin line in such a colour reads as dark brown on a dark background and
 * peach on a light one, so the series keep the theme's hue at full opacity.
 */
export function opaque(color: string): string {
  const numbers = color.match(/[\d.]+/g);
  if (!numbers || numbers.length < 3) return color;
  const [r, g, b] = numbers;
  return `rgb(${r}, ${g}, ${b})`;
}

export function prefersReducedMotion(): boolean {
  return window.matchMedia('(prefers-reduced-motion: reduce)').matches || document.body.classList.contains('vscode-reduce-motion');
}

export function readChartTheme(): ChartTheme {
  const rootStyle = getComputedStyle(document.documentElement);
  const bodyStyle = getComputedStyle(document.body);
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  const foreground = resolveColor('var(--vscode-foreground)');
  const chart = (name: SeriesColor) => opaque(resolveColor(`var(--vscode-charts-${name}, var(--vscode-foreground))`));
  const fontSize = Number.parseFloat(rootStyle.getPropertyValue('--vscode-font-size')) || Number.parseFloat(bodyStyle.fontSize) || 13;
  return {
    foreground,
    muted: resolveColor('var(--vscode-descriptionForeground, var(--vscode-foreground))'),
    // Grid lines as a faint foreground read well on any background; high contrast wants them visible.
    grid: withAlpha(foreground, highContrast ? 0.45 : 0.14),
    background: resolveColor('var(--vscode-editor-background)'),
    fontFamily: rootStyle.getPropertyValue('--vscode-font-family').trim() || bodyStyle.fontFamily,
    fontSize: Math.max(10, Math.round(fontSize * 0.85)),
    series: {
      blue: chart('blue'),
      orange: chart('orange'),
      green: chart('green'),
      purple: chart('purple'),
      red: chart('red'),
      yellow: chart('yellow'),
    },
    highContrast,
    reduceMotion: prefersReducedMotion(),
  };
}

/** Calls `listener` once per frame after any theme change (class, theme id or variables). */
export function watchThemeChanges(listener: () => void): () => void {
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      listener();
    });
  };
  const observer = new MutationObserver(schedule);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id', 'data-vscode-theme-kind'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  const motion = window.matchMedia('(prefers-reduced-motion: reduce)');
  motion.addEventListener('change', schedule);
  return () => {
    observer.disconnect();
    motion.removeEventListener('change', schedule);
  };
}
