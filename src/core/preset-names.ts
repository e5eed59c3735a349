/**
 * The presets' names and the recurrent layer each is built around: plain data
 * without zod, so the webview bundle can tell an LSTM preset without the schema.
 */

export const PRESET_NAMES_TUPLE = ['simple-rnn', 'lstm', 'bilstm', 'lstm-sentences'] as const;
export type PresetName = (typeof PRESET_NAMES_TUPLE)[number];

/** The recurrent layer a preset is built around. */
export type RecurrentLayerKind = 'simple-rnn' | 'lstm' | 'bilstm';

const PRESET_LAYERS: Readonly<Record<PresetName, RecurrentLayerKind>> = {
  'simple-rnn': 'simple-rnn',
  lstm: 'lstm',
  bilstm: 'bilstm',
  // The tutorial's LSTM, trained on short windows too.
  'lstm-sentences': 'lstm',
};

export function recurrentLayerOf(preset: PresetName): RecurrentLayerKind {
  return PRESET_LAYERS[preset];
}
