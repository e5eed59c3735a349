/** Numbers as people read them, shared by the CLI, the extension and the dashboard (no Node imports). */
import type { RunOrigin } from './runs';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/**
 * "25,000". Integers are grouped by hand rather than with toLocaleString:
 * the first Intl number format of a thread loads ICU's data (10-30 ms),
 * which the extension host paid at the start of its first training.
 */
export function formatCount(n: number): string {
  if (!Number.isInteger(n)) return n.toLocaleString('en-US');
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** "12.3/84.1 MB" or "1,200/25,000 reviews". */
export function formatProgressAmount(done: number, total: number | undefined, unit: 'bytes' | 'reviews' | 'texts'): string {
  if (unit === 'bytes') return total ? `${formatBytes(done)} of ${formatBytes(total)}` : formatBytes(done);
  return total ? `${formatCount(done)}/${formatCount(total)} ${unit}` : `${formatCount(done)} ${unit}`;
}

/** How a run's origin is shown: "imported from Keras 2.12.0". */
export function originLabel(origin: RunOrigin): string {
  return `imported from Keras${origin.kerasVersion ? ` ${origin.kerasVersion}` : ''}`;
}
