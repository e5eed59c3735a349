/**
 * The models the lab moves to and from Keras: Embedding → SimpleRNN / LSTM /
 * Bidirectional(LSTM) → Dense… (Dropout between them allowed) → Dense(1,
 * sigmoid). One description (KerasStack) is read from a Keras
 * `model_config` (and from a lab run's TensorFlow.js topology, which uses the
 * same JSON), and written back as the `model_config` Keras 2.12 builds the
 * model from. Anything else is refused naming the layer. No TensorFlow here.
 */
import type { ArchitectureSummary, LayerSummary } from '../architecture';
import { LabError } from '../errors';
import { resolveHyperparameters, type Hyperparameters, type OptimizerName, type PresetName } from '../presets';

/** Activations both Keras and TensorFlow.js have, with the same arithmetic, by Keras name. */
export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'selu', 'softplus', 'softsign', 'hard_sigmoid'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export interface RecurrentSpec {
  kind: 'SimpleRNN' | 'LSTM';
  name: string;
  units: number;
  activation: Activation;
  /** LSTM only. */
  recurrentActivation: Activation;
  useBias: boolean;
}

export type KerasLayer =
  | { kind: 'Embedding'; name: string; inputDim: number; outputDim: number }
  | RecurrentSpec
  | { kind: 'Bidirectional'; name: string; mergeMode: 'concat' | 'sum' | 'mul' | 'ave'; layer: RecurrentSpec }
  | { kind: 'Dense'; name: string; units: number; activation: Activation; useBias: boolean }
  | { kind: 'Dropout'; name: string; rate: number };

export interface KerasStack {
  name: string;
  /** The fixed input length (`input_length`, the input shape), when the model has one. */
  maxlen?: number;
  layers: KerasLayer[];
}

export const STACK_SHAPE = 'Embedding → SimpleRNN/LSTM/Bidirectional(LSTM) → Dense… → Dense(1, sigmoid)';

type Json = Record<string, unknown>;

function refuse(message: string): never {
  throw new LabError('bad-argument', message);
}

function layerLabel(name: string, kind: string): string {
  return `layer "${name}" (${kind})`;
}

function activation(value: unknown, label: string, what = 'activation'): Activation {
  const name = value === undefined || value === null ? 'linear' : value;
  if (typeof name === 'string' && (ACTIVATIONS as readonly string[]).includes(name)) return name as Activation;
  // TensorFlow.js writes hard_sigmoid as hardSigmoid.
  if (name === 'hardSigmoid') return 'hard_sigmoid';
  return refuse(`The ${label} has ${what} ${JSON.stringify(name)}, which the lab cannot run (it has ${ACTIVATIONS.join(', ')}).`);
}

function positiveInt(value: unknown, label: string, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  return refuse(`The ${label} has ${what} ${JSON.stringify(value)}, not a whole number above 0.`);
}

/** A dimension of a batch shape: a number, or undefined for None. */
function dimension(shape: unknown, at: number): number | undefined {
  const d = Array.isArray(shape) ? (shape[at] as unknown) : undefined;
  return typeof d === 'number' && d > 0 ? d : undefined;
}

function checkRecurrentFlags(config: Json, label: string): void {
  for (const flag of ['return_sequences', 'return_state', 'go_backwards', 'stateful', 'time_major']) {
    if (config[flag] === true) refuse(`The ${label} has ${flag}=True; the lab reads a recurrent layer that returns its last state only (${STACK_SHAPE}).`);
  }
}

function recurrent(className: string, config: Json): RecurrentSpec {
  const name = typeof config.name === 'string' ? config.name : className;
  const label = layerLabel(name, className);
  checkRecurrentFlags(config, label);
  return {
    kind: className as 'SimpleRNN' | 'LSTM',
    name,
    units: positiveInt(config.units, label, 'units'),
    activation: activation(config.activation ?? 'tanh', label),
    recurrentActivation: className === 'LSTM' ? activation(config.recurrent_activation ?? 'sigmoid', label, 'recurrent_activation') : 'sigmoid',
    useBias: config.use_bias !== false,
  };
}

function checkFloat32(config: Json, label: string): void {
  const dtype = config.dtype;
  if (dtype !== undefined && dtype !== null && dtype !== 'float32') refuse(`The ${label} computes in ${JSON.stringify(dtype)}; the lab computes in float32.`);
}

/** The ordered layers of a Sequential config, or of a Functional one that is a plain chain. */
function orderedLayers(modelConfig: Json): { name: string; layers: { class_name: string; config: Json }[] } {
  const className = modelConfig.class_name;
  const config = (modelConfig.config ?? {}) as Json;
  const layers = (Array.isArray(config) ? config : config.layers) as { class_name: string; config: Json; inbound_nodes?: unknown }[] | undefined;
  if (!Array.isArray(layers)) refuse('The model has no layer list in its configuration.');
  const name = typeof config.name === 'string' ? config.name : 'model';
  if (className === 'Sequential') return { name, layers };
  if (className === 'Functional' || className === 'Model') {
    // A chain: every layer's one input is the layer before it.
    layers.forEach((layer, i) => {
      if (i === 0) return;
      const inbound = JSON.stringify(layer.inbound_nodes ?? []);
      const previous = String(layers[i - 1].config?.name);
      const sources = [...inbound.matchAll(/\["([^"]+)",\s*\d+,\s*\d+/g)].map((m) => m[1]);
      if (sources.length !== 1 || sources[0] !== previous) {
        refuse(`The ${layerLabel(String(layer.config?.name), layer.class_name)} does not take the layer before it as its one input; the lab reads a plain chain (${STACK_SHAPE}).`);
      }
    });
    return { name, layers };
  }
  return refuse(`The model is a ${JSON.stringify(className)}; the lab imports Sequential models and plain Functional chains (${STACK_SHAPE}).`);
}

/**
 * Reads a Keras `model_config` (or a TensorFlow.js layers-model topology)
 * into a stack of the shape the lab runs, or refuses naming the first layer
 * that does not fit.
 */
export function parseModelConfig(modelConfig: unknown): KerasStack {
  if (typeof modelConfig !== 'object' || modelConfig === null) refuse('The model configuration is not a JSON object.');
  const { name, layers: raw } = orderedLayers(modelConfig as Json);
  const layers: KerasLayer[] = [];
  let maxlen: number | undefined;
  for (const { class_name: className, config = {} } of raw) {
    const layerName = typeof config.name === 'string' ? config.name : className;
    const label = layerLabel(layerName, className);
    if (className === 'InputLayer') {
      maxlen ??= dimension(config.batch_input_shape ?? config.batch_shape, 1);
      continue;
    }
    checkFloat32(config, label);
    const step = layers.length === 0 ? 'embedding' : layers.length === 1 ? 'recurrent' : 'dense';
    if (step === 'embedding') {
      if (className !== 'Embedding') refuse(`The ${label} comes first; the lab's models start with an Embedding (${STACK_SHAPE}).`);
      if (config.mask_zero === true) refuse(`The ${label} has mask_zero=True; the lab's recurrent layers read the padding (mask_zero=False, as in the tutorial).`);
      maxlen ??= dimension(config.batch_input_shape, 1) ?? (typeof config.input_length === 'number' ? config.input_length : undefined);
      layers.push({ kind: 'Embedding', name: layerName, inputDim: positiveInt(config.input_dim, label, 'input_dim'), outputDim: positiveInt(config.output_dim, label, 'output_dim') });
    } else if (step === 'recurrent') {
      if (className === 'SimpleRNN' || className === 'LSTM') layers.push(recurrent(className, config));
      else if (className === 'Bidirectional') {
        const inner = config.layer as { class_name?: string; config?: Json } | undefined;
        if (inner?.class_name !== 'LSTM') refuse(`The ${label} wraps ${JSON.stringify(inner?.class_name)}; the lab's Bidirectional layer wraps an LSTM.`);
        const mergeMode = config.merge_mode ?? 'concat';
        if (mergeMode !== 'concat' && mergeMode !== 'sum' && mergeMode !== 'mul' && mergeMode !== 'ave') refuse(`The ${label} has merge_mode ${JSON.stringify(mergeMode)}; the lab has concat, sum, mul and ave.`);
        if (config.backward_layer) refuse(`The ${label} has its own backward_layer; the lab's Bidirectional mirrors its forward LSTM.`);
        checkRecurrentFlags(config, label);
        layers.push({ kind: 'Bidirectional', name: layerName, mergeMode, layer: recurrent('LSTM', inner.config ?? {}) });
      } else refuse(`The ${label} follows the Embedding; the lab has SimpleRNN, LSTM or Bidirectional(LSTM) there (${STACK_SHAPE}).`);
    } else if (className === 'Dense') {
      layers.push({ kind: 'Dense', name: layerName, units: positiveInt(config.units, label, 'units'), activation: activation(config.activation, label), useBias: config.use_bias !== false });
    } else if (className === 'Dropout') {
      const rate = typeof config.rate === 'number' ? config.rate : 0;
      layers.push({ kind: 'Dropout', name: layerName, rate });
    } else {
      refuse(`The ${label} cannot be imported: after the recurrent layer the lab has Dense and Dropout layers only (${STACK_SHAPE}).`);
    }
  }
  const last = layers.at(-1);
  if (layers.length < 2) refuse(`The model has no recurrent layer after its Embedding (${STACK_SHAPE}).`);
  if (last?.kind !== 'Dense' || last.units !== 1 || last.activation !== 'sigmoid') {
    refuse(`The ${layerLabel(last?.name ?? '?', last?.kind ?? '?')} is last; the lab's models end with Dense(1, sigmoid), one probability of a positive review.`);
  }
  return { name, maxlen, layers };
}

/** The weight arrays Keras keeps for a layer, in Keras' (and TensorFlow.js') order, with their shapes. */
export function expectedWeights(layer: KerasLayer, inputFeatures: number): { name: string; shape: number[] }[] {
  const cell = (spec: RecurrentSpec, features: number) => {
    const gates = spec.kind === 'LSTM' ? 4 : 1;
    return [
      { name: 'kernel', shape: [features, gates * spec.units] },
      { name: 'recurrent_kernel', shape: [spec.units, gates * spec.units] },
      ...(spec.useBias ? [{ name: 'bias', shape: [gates * spec.units] }] : []),
    ];
  };
  switch (layer.kind) {
    case 'Embedding':
      return [{ name: 'embeddings', shape: [layer.inputDim, layer.outputDim] }];
    case 'SimpleRNN':
    case 'LSTM':
      return cell(layer, inputFeatures);
    case 'Bidirectional':
      return [...cell(layer.layer, inputFeatures), ...cell(layer.layer, inputFeatures)];
    case 'Dense':
      return [{ name: 'kernel', shape: [inputFeatures, layer.units] }, ...(layer.useBias ? [{ name: 'bias', shape: [layer.units] }] : [])];
    case 'Dropout':
      return [];
  }
}

/** Features a layer passes on. */
export function outputFeatures(layer: KerasLayer, inputFeatures: number): number {
  switch (layer.kind) {
    case 'Embedding':
      return layer.outputDim;
    case 'SimpleRNN':
    case 'LSTM':
    case 'Dense':
      return layer.units;
    case 'Bidirectional':
      return layer.mergeMode === 'concat' ? 2 * layer.layer.units : layer.layer.units;
    case 'Dropout':
      return inputFeatures;
  }
}

/** Every layer with the weights it expects, walking the features through the stack. */
export function weightPlan(stack: KerasStack): { layer: KerasLayer; weights: { name: string; shape: number[] }[] }[] {
  let features = 0;
  return stack.layers.map((layer) => {
    const weights = expectedWeights(layer, features);
    features = outputFeatures(layer, features);
    return { layer, weights };
  });
}

function presetOf(stack: KerasStack): PresetName {
  const kind = stack.layers[1].kind;
  return kind === 'SimpleRNN' ? 'simple-rnn' : kind === 'LSTM' ? 'lstm' : 'bilstm';
}

function recurrentSpec(layer: KerasLayer): RecurrentSpec {
  return layer.kind === 'Bidirectional' ? layer.layer : (layer as RecurrentSpec);
}

/**
 * The lab's description of an imported stack: the nearest preset and its
 * hyperparameters (the sizes the stack has), and whether the stack is
 * exactly what the lab would build from them (then the fused kernels run it).
 */
export function labView(stack: KerasStack, maxlen: number, optimizer?: OptimizerName): { hyperparameters: Hyperparameters; labLayers: boolean } {
  const preset = presetOf(stack);
  const [embedding, rnn, ...head] = stack.layers as [Extract<KerasLayer, { kind: 'Embedding' }>, KerasLayer, ...KerasLayer[]];
  const spec = recurrentSpec(rnn);
  const hidden = head.filter((l): l is Extract<KerasLayer, { kind: 'Dense' }> => l.kind === 'Dense').slice(0, -1);
  const dropout = head.find((l): l is Extract<KerasLayer, { kind: 'Dropout' }> => l.kind === 'Dropout');
  const denseUnits = hidden[0]?.units ?? 0;
  const hyperparameters = resolveHyperparameters(preset, {
    numWords: Math.max(4, embedding.inputDim),
    maxlen,
    embeddingDim: embedding.outputDim,
    units: spec.units,
    denseUnits,
    dropout: denseUnits > 0 ? (dropout?.rate ?? 0) : 0,
    ...(optimizer ? { optimizer } : {}),
  });
  const expected = labStack(hyperparameters);
  // Layer names (the wrapped LSTM's too) differ from model to model and change nothing.
  const unnamed = (layer: KerasLayer) => JSON.stringify(layer, (key, value: unknown) => (key === 'name' ? undefined : value));
  const same = (a: KerasLayer, b: KerasLayer): boolean => unnamed(a) === unnamed(b);
  const labLayers = embedding.inputDim >= 4 && expected.layers.length === stack.layers.length && expected.layers.every((l, i) => same(l, stack.layers[i]));
  return { hyperparameters, labLayers };
}

/** The stack the lab builds for these hyperparameters (model.ts' buildModel, layer for layer). */
export function labStack(h: Hyperparameters): KerasStack {
  const spec = (kind: 'SimpleRNN' | 'LSTM', name: string): RecurrentSpec => ({ kind, name, units: h.units, activation: 'tanh', recurrentActivation: 'sigmoid', useBias: true });
  const layers: KerasLayer[] = [{ kind: 'Embedding', name: 'embedding', inputDim: h.numWords, outputDim: h.embeddingDim }];
  if (h.preset === 'simple-rnn') layers.push(spec('SimpleRNN', 'simple_rnn'));
  else if (h.preset === 'lstm') layers.push(spec('LSTM', 'lstm'));
  else layers.push({ kind: 'Bidirectional', name: 'bidirectional', mergeMode: 'concat', layer: spec('LSTM', 'lstm') });
  if (h.denseUnits > 0) {
    layers.push({ kind: 'Dense', name: 'dense', units: h.denseUnits, activation: 'relu', useBias: true });
    if (h.dropout > 0) layers.push({ kind: 'Dropout', name: 'dropout', rate: h.dropout });
  }
  layers.push({ kind: 'Dense', name: h.denseUnits > 0 ? 'dense_1' : 'dense', units: 1, activation: 'sigmoid', useBias: true });
  return { name: h.preset.replace('-', '_'), maxlen: h.maxlen, layers };
}

/** The layer table of a stack, as architecture.ts draws the lab's own. */
export function describeStack(stack: KerasStack, maxlen: number, preset: PresetName): ArchitectureSummary {
  let features = 0;
  const layers: LayerSummary[] = stack.layers.map((layer) => {
    const params = expectedWeights(layer, features).reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
    features = outputFeatures(layer, features);
    const base = { name: layer.name, type: layer.kind, params };
    switch (layer.kind) {
      case 'Embedding':
        return { ...base, outputShape: [null, maxlen, layer.outputDim], detail: `${layer.inputDim} words → ${layer.outputDim} dims` };
      case 'SimpleRNN':
        return { ...base, outputShape: [null, layer.units], detail: `${layer.units} units, ${layer.activation}` };
      case 'LSTM':
        return { ...base, outputShape: [null, layer.units], detail: `${layer.units} units, ${layer.activation} / ${layer.recurrentActivation} gates` };
      case 'Bidirectional':
        return { ...base, outputShape: [null, features], detail: `LSTM(${layer.layer.units}) forward + backward, ${layer.mergeMode === 'concat' ? 'concatenated' : layer.mergeMode}` };
      case 'Dense':
        return { ...base, outputShape: [null, layer.units], detail: `${layer.units} unit${layer.units === 1 ? '' : 's'}, ${layer.activation}` };
      case 'Dropout':
        return { ...base, outputShape: [null, features], detail: `rate ${layer.rate}` };
    }
  });
  return { preset, layers, totalParams: layers.reduce((sum, l) => sum + l.params, 0) };
}

// ---------------------------------------------------------------- writing Keras' model_config

const GLOROT = { class_name: 'GlorotUniform', config: { seed: null } };
const ZEROS = { class_name: 'Zeros', config: {} };

function recurrentConfig(spec: RecurrentSpec): Json {
  return {
    name: spec.name,
    trainable: true,
    dtype: 'float32',
    return_sequences: false,
    return_state: false,
    go_backwards: false,
    stateful: false,
    unroll: false,
    time_major: false,
    units: spec.units,
    activation: spec.activation,
    ...(spec.kind === 'LSTM' ? { recurrent_activation: spec.recurrentActivation, unit_forget_bias: true, implementation: 2 } : {}),
    use_bias: spec.useBias,
    kernel_initializer: GLOROT,
    recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1.0, seed: null } },
    bias_initializer: ZEROS,
    dropout: 0.0,
    recurrent_dropout: 0.0,
  };
}

function layerConfig(layer: KerasLayer, maxlen: number): { class_name: string; config: Json } {
  switch (layer.kind) {
    case 'Embedding':
      return {
        class_name: 'Embedding',
        config: {
          name: layer.name,
          trainable: true,
          dtype: 'float32',
          batch_input_shape: [null, maxlen],
          input_dim: layer.inputDim,
          output_dim: layer.outputDim,
          embeddings_initializer: { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } },
          mask_zero: false,
          input_length: maxlen,
        },
      };
    case 'SimpleRNN':
    case 'LSTM':
      return { class_name: layer.kind, config: recurrentConfig(layer) };
    case 'Bidirectional':
      return { class_name: 'Bidirectional', config: { name: layer.name, trainable: true, dtype: 'float32', layer: { class_name: 'LSTM', config: recurrentConfig(layer.layer) }, merge_mode: layer.mergeMode } };
    case 'Dense':
      return { class_name: 'Dense', config: { name: layer.name, trainable: true, dtype: 'float32', units: layer.units, activation: layer.activation, use_bias: layer.useBias, kernel_initializer: GLOROT, bias_initializer: ZEROS } };
    case 'Dropout':
      return { class_name: 'Dropout', config: { name: layer.name, trainable: true, dtype: 'float32', rate: layer.rate, noise_shape: null, seed: null } };
  }
}

/** Keras 2.12's `model.get_config()` JSON of the stack as a Sequential model with a fixed input length. */
export function kerasModelConfig(stack: KerasStack, maxlen: number): Json {
  const first = stack.layers[0].name;
  return {
    class_name: 'Sequential',
    config: {
      name: stack.name,
      layers: [
        { class_name: 'InputLayer', config: { batch_input_shape: [null, maxlen], dtype: 'float32', sparse: false, ragged: false, name: `${first}_input` } },
        ...stack.layers.map((l) => layerConfig(l, maxlen)),
      ],
    },
  };
}

/** The optimizer named in a Keras training_config, when it is one the lab has. */
export function optimizerOf(trainingConfig: unknown): OptimizerName | undefined {
  const name = (trainingConfig as { optimizer_config?: { class_name?: unknown } } | undefined)?.optimizer_config?.class_name;
  if (typeof name !== 'string') return undefined;
  const bare = name.replace(/^Custom>/, '').toLowerCase();
  return (['rmsprop', 'adam', 'sgd', 'adagrad'] as const).find((o) => o === bare);
}

