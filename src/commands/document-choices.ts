/**
 * What Analyze Document asked last, kept in the workspace's state so that a
 * reload or the next session offers it first: the unit of text files
 * (paragraphs or lines), and the column or field of tables. A table's choice
 * is keyed by its format and header, not its name, so this month's export
 * with last month's columns offers the column chosen then.
 */
import type { KeyValueStore } from '../lab/lab';
import type { DocumentFormat, UnitKind } from '../core/document/units';

const UNIT_KEY = 'analyzeDocument.unit';
const COLUMN_KEY = 'analyzeDocument.columns';
/** Enough headers for any workspace; the oldest are forgotten first. */
const MAX_REMEMBERED_HEADERS = 50;

export class DocumentChoices {
  constructor(private readonly store: KeyValueStore) {}

  lastUnit(): UnitKind | undefined {
    const unit = this.store.get<unknown>(UNIT_KEY);
    return unit === 'paragraph' || unit === 'line' ? unit : undefined;
  }

  async rememberUnit(unit: UnitKind): Promise<void> {
    await this.store.update(UNIT_KEY, unit);
  }

  /** The column or field last chosen in a table of this format and header, if it is still one of them. */
  lastColumn(format: DocumentFormat, header: readonly string[]): string | undefined {
    const chosen = this.columns()[headerKey(format, header)];
    return chosen !== undefined && header.includes(chosen) ? chosen : undefined;
  }

  async rememberColumn(format: DocumentFormat, header: readonly string[], choice: string): Promise<void> {
    const key = headerKey(format, header);
    const others = Object.entries(this.columns()).filter(([k]) => k !== key);
    await this.store.update(COLUMN_KEY, Object.fromEntries([...others.slice(-(MAX_REMEMBERED_HEADERS - 1)), [key, choice]]));
  }

  private columns(): Record<string, string> {
    const value = this.store.get<unknown>(COLUMN_KEY);
    if (typeof value !== 'object' || value === null) return {};
    return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }
}

function headerKey(format: DocumentFormat, header: readonly string[]): string {
  return JSON.stringify([format, ...header]);
}
