/**
 * HDF5, the container of Keras' `.h5` files, through h5wasm (the HDF5 C
 * library compiled to WebAssembly). h5wasm ships as an ES module only, so it
 * is loaded with a dynamic import, once, and only by the jobs that read or
 * write a Keras file.
 */
import type * as H5 from 'h5wasm' with { 'resolution-mode': 'import' };
import { open } from 'node:fs/promises';
import * as path from 'node:path';
import { LabError, errorMessage } from '../errors';

export type H5Module = typeof H5.default;
export type H5File = H5.File;
export type H5Group = H5.Group;
export type H5Dataset = H5.Dataset;

let loading: Promise<H5Module> | undefined;

export function h5wasm(): Promise<H5Module> {
  loading ??= import('h5wasm/node').then(async (m) => {
    const module = (m as { default: H5Module }).default;
    await module.ready;
    return module;
  });
  return loading;
}

/** HDF5's format signature, at the start of every file Keras writes. */
const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The file length an HDF5 superblock (versions 0 to 3, at the start of the
 * file) promises: its base address plus its end-of-file address. Read by
 * hand because h5wasm cannot be told to keep quiet: on a truncated file it
 * prints HDF5's whole error stack to stderr before failing.
 */
function promisedLength(head: Buffer): number | undefined {
  const version = head[8];
  const sizeOfOffsets = version <= 1 ? head[13] : head[9];
  if (sizeOfOffsets !== 8 && sizeOfOffsets !== 4) return undefined;
  const base = version === 0 ? 24 : version === 1 ? 28 : 12;
  const eofAt = base + 2 * sizeOfOffsets;
  const read = (at: number) => (sizeOfOffsets === 8 ? Number(head.readBigUInt64LE(at)) : head.readUInt32LE(at));
  if (eofAt + sizeOfOffsets > head.length) return undefined;
  return read(base) + read(eofAt);
}

/**
 * Opens an HDF5 file for reading; anything that is not one, or is shorter
 * than its header says, is refused naming the file.
 */
export async function openH5(file: string): Promise<H5File> {
  const refuse = (why: string) => new LabError('bad-argument', `${path.basename(file)} is not a readable HDF5 file (${why}).`);
  const head = Buffer.alloc(64);
  let size: number;
  try {
    const handle = await open(file, 'r');
    try {
      await handle.read(head, 0, head.length, 0);
      size = (await handle.stat()).size;
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw refuse(errorMessage(error));
  }
  if (!head.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw refuse('it lacks the HDF5 signature: not a Keras .h5 model');
  const promised = promisedLength(head);
  if (promised !== undefined && size < promised) throw refuse(`truncated: it has ${size} bytes, its header says ${promised}`);
  const h5 = await h5wasm();
  try {
    return new h5.File(file, 'r');
  } catch (error) {
    throw refuse(`truncated or damaged: ${errorMessage(error)}`);
  }
}

export async function createH5(file: string): Promise<H5File> {
  const h5 = await h5wasm();
  return new h5.File(file, 'w');
}

/** A string attribute (Keras writes JSON and version strings this way), or undefined. */
export function stringAttribute(node: H5File | H5Group, name: string): string | undefined {
  const attribute = node.attrs[name] as H5.Attribute | undefined;
  if (!attribute) return undefined;
  const value = attribute.value;
  return typeof value === 'string' ? value : undefined;
}

/** A list-of-strings attribute (`layer_names`, `weight_names`); an empty list when absent or empty. */
export function stringListAttribute(node: H5File | H5Group, name: string): string[] {
  const attribute = node.attrs[name] as H5.Attribute | undefined;
  if (!attribute) return [];
  const value = attribute.value;
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function isGroup(entity: unknown, h5: H5Module): entity is H5Group {
  return entity instanceof h5.Group;
}

export function isDataset(entity: unknown, h5: H5Module): entity is H5Dataset {
  return entity instanceof h5.Dataset;
}
