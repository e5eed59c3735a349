/**
 * How much a data source may make the lab read, decompress or download.
 * The IMDB corpus is far below each (its longest review is 14 KB; its 50,000
 * labelled reviews take 106 MB as a tar, the official archive 84 MB gzipped);
 * the caps exist so that a hostile or broken source gets one clear refusal
 * instead of exhausting memory, disk or time.
 */
const MiB = 1024 * 1024;

export const DATA_LIMITS = {
  /** One review file or archive entry. */
  reviewBytes: 1 * MiB,
  /** All the reviews of a source together. */
  corpusBytes: 256 * MiB,
  /** What an archive may decompress to (all entries, reviews or not): the decompression-bomb guard. */
  archiveExpandedBytes: 1024 * MiB,
  /** The largest tar metadata entry (pax headers, long names) the reader accepts. */
  archiveMetaEntryBytes: 64 * 1024,
  /** A document to analyze or a labelled table (CSV/TSV/JSONL) to train on. */
  documentBytes: 64 * MiB,
  /** A downloaded archive. */
  downloadBytes: 1024 * MiB,
  /** A download that receives nothing for this long is abandoned. */
  downloadIdleMs: 30_000,
} as const;
