/**
 * What a run was trained on, for people: the Runs view, `runs`, and the
 * warning when runs of different datasets are compared. Imports types only:
 * the dashboard's webview uses it too.
 */
import type { RunRecord } from './runs';

type DatasetOf = Pick<RunRecord, 'dataset' | 'parentRunId'>;

/** "reviews.csv · 24 rows (19 clean) · pos/neg · sha256 1a2b3c4d5e6f", or "IMDB" for the movie reviews. */
export function describeRunDataset(record: DatasetOf): string {
  const l = record.dataset.labelled;
  const data = l ? `${l.name} · ${l.rows} rows (${l.clean} clean) · ${l.labels.positive}/${l.labels.negative} · sha256 ${l.sha256.slice(0, 12)}` : 'IMDB';
  return record.parentRunId ? `${data} · fine-tuned from ${record.parentRunId}` : data;
}

/** Runs with the same key were trained and tested on the same data (any IMDB source is the same corpus). */
export function datasetKey(record: DatasetOf): string {
  return record.dataset.labelled ? `sha256:${record.dataset.labelled.sha256}` : 'imdb';
}

/** A warning when the runs do not share one dataset: their accuracies measure different things. */
export function differentDatasetsNote(records: readonly DatasetOf[]): string | undefined {
  const names = new Map<string, string>();
  for (const r of records) names.set(datasetKey(r), r.dataset.labelled?.name ?? 'IMDB');
  if (names.size < 2) return undefined;
  return `These runs were trained on different datasets (${[...names.values()].join(', ')}): their accuracies are not directly comparable.`;
}
