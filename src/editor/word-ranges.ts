/**
 * Where each word the model read sits in the text it was given. The
 * tokenizer (src/core/text.ts) lowercases and turns filter characters into
 * spaces, so its words are pieces of the text, in order, separated by
 * filtered characters, whitespace or a removed `<br />`. Each word is looked
 * for from the end of the one before, case-insensitively, and taken only
 * where it stands whole (a separator or the text's edge on both sides), so
 * "b" is not found inside "<br />". Hand-written: no library maps a
 * tokenizer's output back onto its input.
 */

/** Offsets into the text, end exclusive. */
export interface WordRange {
  start: number;
  end: number;
}

/** The characters Keras' default filter set turns into spaces. */
const SEPARATOR = /[\s!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~]/u;

/** The text lowercased, with the offset in the original text of every lowered character (lowering can change a length). */
function lowered(text: string): { lower: string; origin: number[] } {
  let lower = '';
  const origin: number[] = [];
  let offset = 0;
  for (const char of text) {
    const l = char.toLowerCase();
    for (let k = 0; k < l.length; k++) origin.push(offset);
    lower += l;
    offset += char.length;
  }
  origin.push(offset);
  return { lower, origin };
}

/**
 * The range of each word in `text`, in order; undefined for a word not found
 * whole after the previous one (the search then goes on from that previous one).
 */
export function wordRanges(text: string, words: readonly string[]): (WordRange | undefined)[] {
  const { lower, origin } = lowered(text);
  const separated = (at: number) => at < 0 || at >= lower.length || SEPARATOR.test(lower[at]);
  let from = 0;
  return words.map((word) => {
    const needle = word.toLowerCase();
    if (needle === '') return undefined;
    for (let at = lower.indexOf(needle, from); at !== -1; at = lower.indexOf(needle, at + 1)) {
      const end = at + needle.length;
      if (separated(at - 1) && separated(end)) {
        from = end;
        return { start: origin[at], end: origin[end] };
      }
    }
    return undefined;
  });
}
