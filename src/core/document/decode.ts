/**
 * A user's text file as a string: UTF-8 (a byte-order mark is dropped), or one
 * clear refusal naming the byte offset of the first byte that is not UTF-8
 * (a Latin-1 export, say), so the user can find and fix it.
 */
import { LabError } from '../errors';

const BOM = [0xef, 0xbb, 0xbf];

export function decodeUtf8(bytes: Uint8Array, name: string): string {
  const start = bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2] ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(start));
  } catch {
    const offset = firstInvalidUtf8Byte(bytes, start);
    const line = countLines(bytes, offset);
    throw new LabError('bad-argument', `${name} is not UTF-8: byte 0x${bytes[offset].toString(16).padStart(2, '0')} at byte offset ${offset} (line ${line}). Save the file as UTF-8 and try again.`);
  }
}

/**
 * Hand-written because TextDecoder only says that a sequence is invalid, not
 * where: the offset of the first byte that does not start or continue a
 * well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF).
 */
export function firstInvalidUtf8Byte(bytes: Uint8Array, start = 0): number {
  let i = start;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [length, min] = [2, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [length, min] = [3, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [length, min] = [4, 0x10000];
    else return i;
    let code = b & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += length;
  }
  return bytes.length;
}

function countLines(bytes: Uint8Array, end: number): number {
  let line = 1;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) line++;
  return line;
}
