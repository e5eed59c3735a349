/**
 * HDF5, the container of Keras' `.h5` files, through h5wasm (the HDF5 C
 * library compiled to WebAssembly). h5wasm ships as an ES module only, so it
 * is loaded with a dynamic import, once, and only by the jobs that read or
 * write a Keras file.
 */
import type * as H5 from 'h5wasm' with { 'resolution-mode': 'import' };
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

/** Opens an HDF5 file for reading; anything that is not one is refused naming the file. */
export async function openH5(file: string): Promise<H5File> {
  const h5 = await h5wasm();
  try {
    return new h5.File(file, 'r');
  } catch (error) {
    throw new LabError('bad-argument', `${file} is not a readable HDF5 file (truncated or not a Keras .h5 model): ${errorMessage(error)}.`);
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
