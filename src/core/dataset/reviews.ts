/** The raw labeled reviews of the Large Movie Review Dataset, however they were read. */

export type Split = 'train' | 'test';

export interface Review {
  split: Split;
  /** 1 = positive (rating ≥ 7), 0 = negative (rating ≤ 4). */
  label: 0 | 1;
  id: number;
  rating: number;
  text: string;
}

export interface RawCorpus {
  train: Review[];
  test: Review[];
}

/**
 * `[prefix/]{train,test}/{pos,neg}/<id>_<rating>.txt`: the only entries a
 * sentiment model reads (unsup/, *.feat and urls_*.txt are skipped).
 */
const REVIEW_PATH = /(?:^|\/)(train|test)\/(pos|neg)\/(\d+)_(\d+)\.txt$/;

export function parseReviewPath(relativePath: string): Omit<Review, 'text'> | undefined {
  const m = REVIEW_PATH.exec(relativePath.replace(/\\/g, '/'));
  if (!m) return undefined;
  return { split: m[1] as Split, label: m[2] === 'pos' ? 1 : 0, id: Number(m[3]), rating: Number(m[4]) };
}

/** A fixed order (label, then id) so results never depend on archive or directory order. */
export function sortReviews(reviews: Review[]): Review[] {
  return reviews.sort((a, b) => a.label - b.label || a.id - b.id);
}

export function corpusFrom(reviews: Iterable<Review>): RawCorpus {
  const corpus: RawCorpus = { train: [], test: [] };
  for (const review of reviews) corpus[review.split].push(review);
  sortReviews(corpus.train);
  sortReviews(corpus.test);
  return corpus;
}
