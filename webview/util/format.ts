/** How numbers, durations, sizes and dates read in the dashboard (the user's locale, compact). */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const dateShort = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

export function formatInteger(value: number): string {
  return integer.format(value);
}

/** Accuracy and probabilities as Keras prints them: a fraction, three decimals. */
export function formatFraction(value: number | undefined, digits = 3): string {
  return value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/** A value with its sign always shown (a true minus sign), as attributions and correlations read: +0.123, −0.045. */
export function formatSigned(value: number, digits = 3): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
}

/** Loss values span orders of magnitude early in training; four significant digits keep them comparable. */
export function formatLoss(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value >= 100 ? value.toFixed(0) : value.toPrecision(4);
}

/** 42s, 3m12s, 1h04m: short enough for a status line, precise enough for an ETA. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const total = Math.round(seconds);
  if (total < 60) return `${total}s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes}m${String(total % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

export function formatRate(examplesPerSecond: number | undefined): string {
  return examplesPerSecond === undefined || !Number.isFinite(examplesPerSecond) ? '—' : `${formatInteger(examplesPerSecond)} ex/s`;
}

export function formatDate(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : dateShort.format(time);
}

/** Keras' shape notation, (None, 500, 32), where null is the batch dimension. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')})`;
}

/**
 * Run ids are `<preset>_<date>_<time>_<hex>`; the hex suffix is what tells two
 * runs of the same day apart, so that is the short form shown next to a preset.
 */
export function shortRunId(id: string): string {
  const last = id.split('_').pop() ?? id;
  return /^[0-9a-f]{3,8}$/i.test(last) ? last : id.slice(-8);
}
