/**
 * The Keras v3 format (`model.save('m.keras', save_format='keras_v3')` in
 * Keras 2.12, the default `.keras` from 2.13): a zip of config.json,
 * metadata.json and model.weights.h5, whose weights sit per layer under
 * `_layer_checkpoint_dependencies/<layer>` (Keras 2) or `layers/<layer>`
 * (Keras 3) as `vars/0…`, a recurrent layer's under `cell/vars`, a
 * Bidirectional's under `forward_layer/` and `backward_layer/`. The groups
 * are named after the layer's class, not the layer (`dense`, then `dense_1`
 * or `dense_2`…, keras/saving/saving_lib.py): a layer takes the next group
 * of its class in suffix order.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import { LabError, errorMessage } from '../errors';
import { h5wasm, isDataset, isGroup, openH5, type H5Group, type H5Module } from './h5';
import { matchWeights, type KerasModelContents } from './h5-layout';
import { parseModelConfig } from './stack';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

export function isZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((b, i) => bytes[i] === b);
}

function vars(group: H5Group | null, h5: H5Module): { shape: number[]; values: Float32Array }[] {
  const holder = group?.get('vars');
  if (!isGroup(holder, h5)) return [];
  const out = [];
  for (let i = 0; ; i++) {
    const dataset = holder.get(String(i));
    if (!isDataset(dataset, h5)) break;
    const value = dataset.value;
    out.push({ shape: dataset.shape ?? [], values: value instanceof Float32Array ? value : Float32Array.from(value as ArrayLike<number>) });
  }
  return out;
}

const snakeCase: Record<string, string> = { Embedding: 'embedding', SimpleRNN: 'simple_rnn', LSTM: 'lstm', Bidirectional: 'bidirectional', Dense: 'dense', Dropout: 'dropout' };

/** The weight group of each layer: the groups of its class, taken in order of their numeric suffix. */
function groupsByClass(groups: string[], kinds: string[]): (string | undefined)[] {
  const suffix = (name: string, base: string) => (name === base ? 0 : Number(name.slice(base.length + 1)));
  const queues = new Map<string, string[]>();
  for (const base of new Set(kinds.map((k) => snakeCase[k]))) {
    const pattern = new RegExp(`^${base}(_\\d+)?$`);
    queues.set(base, groups.filter((g) => pattern.test(g)).sort((a, b) => suffix(a, base) - suffix(b, base)));
  }
  return kinds.map((k) => queues.get(snakeCase[k])?.shift());
}

export async function readKerasV3(file: string): Promise<KerasModelContents> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(new Uint8Array(await readFile(file)));
  } catch (error) {
    throw new LabError('bad-argument', `${path.basename(file)} is not a readable .keras archive (truncated or damaged?): ${errorMessage(error)}.`);
  }
  const config = entries['config.json'];
  const weights = entries['model.weights.h5'];
  if (!config || !weights) throw new LabError('bad-argument', `${path.basename(file)} lacks config.json or model.weights.h5: it is not a Keras v3 model.`);
  let modelConfig: unknown;
  let metadata: { keras_version?: string } = {};
  try {
    modelConfig = JSON.parse(new TextDecoder().decode(config));
    if (entries['metadata.json']) metadata = JSON.parse(new TextDecoder().decode(entries['metadata.json'])) as { keras_version?: string };
  } catch (error) {
    throw new LabError('bad-argument', `${path.basename(file)} has a config.json that is not valid JSON: ${errorMessage(error)}.`);
  }
  const stack = parseModelConfig(modelConfig);
  // h5wasm reads files by path: the weights go to a private temporary file.
  const temporary = path.join(os.tmpdir(), `rsl-keras-${randomBytes(6).toString('hex')}.weights.h5`);
  await writeFile(temporary, weights, { mode: 0o600 });
  const h5 = await h5wasm();
  const f = await openH5(temporary);
  try {
    const layersRoot = [f.get('_layer_checkpoint_dependencies'), f.get('layers')].find((g): g is H5Group => isGroup(g, h5));
    const groupOf = groupsByClass(layersRoot?.keys() ?? [], stack.layers.map((l) => l.kind));
    const result = matchWeights(
      stack,
      (layerName) => {
        const index = stack.layers.findIndex((l) => l.name === layerName);
        const group = groupOf[index] === undefined ? undefined : layersRoot?.get(groupOf[index]);
        if (!isGroup(group, h5)) return [];
        const layer = stack.layers.find((l) => l.name === layerName);
        const cellVars = (g: unknown) => (isGroup(g, h5) ? vars(g.get('cell') as H5Group | null, h5) : []);
        if (layer?.kind === 'Bidirectional') return [...cellVars(group.get('forward_layer')), ...cellVars(group.get('backward_layer'))];
        if (layer?.kind === 'SimpleRNN' || layer?.kind === 'LSTM') return cellVars(group);
        return vars(group, h5);
      },
      file,
    );
    return { stack, weights: result, kerasVersion: metadata.keras_version, trainingConfig: (modelConfig as { compile_config?: unknown }).compile_config };
  } catch (error) {
    if (error instanceof LabError) throw error;
    throw new LabError('bad-argument', `${path.basename(file)} could not be read as a Keras model (truncated or damaged?): ${errorMessage(error)}.`);
  } finally {
    f.close();
    await rm(temporary, { force: true });
  }
}
