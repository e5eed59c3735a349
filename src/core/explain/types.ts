/**
 * What an explanation of one analysis holds, as it crosses every channel
 * (worker → host → webview, CLI --json). Plain data, no TensorFlow.
 */
import type { SentimentLabel } from '../metrics';
import type { PresetName } from '../presets';

export const ATTRIBUTION_METHODS = ['ig', 'occlusion'] as const;
export type AttributionMethod = (typeof ATTRIBUTION_METHODS)[number];

/**
 * How the model met a word of the text:
 * 'start' the start character the model reads before the first word,
 * 'read' a word with its own index, 'oov' a word read as the OOV index (2),
 * 'dropped' a word cut off because the text is longer than maxlen - 1 words.
 */
export type TokenStatus = 'start' | 'read' | 'oov' | 'dropped';

export interface ExplainedToken {
  /** The word as the tokenizer produced it ('<start>' for the start character). */
  text: string;
  /** The index the model read (or would have read, for a dropped word). */
  index: number;
  status: TokenStatus;
}

/** One direction's states over the tokens read: [token][unit], rounded to 4 decimals. */
export interface DirectionStates {
  direction: 'forward' | 'backward';
  h: number[][];
  /** LSTM only: cell state, input, forget and output gates (sigmoid activations). */
  c?: number[][];
  inputGate?: number[][];
  forgetGate?: number[][];
  outputGate?: number[][];
}

export interface Attributions {
  method: AttributionMethod;
  /** Per token read (the `read` slice of tokens): its push toward positive (probability units). */
  values: number[];
  /** Occlusion only: the same, when the word is removed instead of replaced by the OOV index. */
  removed?: number[];
  /** Integrated gradients only: steps of the integral and its completeness check. */
  steps?: number;
  /** f(text) - f(all-padding baseline). */
  delta?: number;
  /** |sum(values) - delta| / |delta|. */
  completenessError?: number;
}

export interface Explanation {
  preset: PresetName;
  maxlen: number;
  probability: number;
  label: SentimentLabel;
  /** Every word of the text in order, the start character first; dropped words included. */
  tokens: ExplainedToken[];
  /** tokens[read.from .. read.to) are the ones the model read (its window, after the padding). */
  read: { from: number; to: number };
  /** Padding steps in front of the first token read. */
  padding: number;
  /**
   * The verdict as it reads: verdict[k] is the model's probability for the
   * text cut after the k-th token read, with the whole text's padding in
   * front (see README, "Explanations"). verdictBefore is the same for the
   * padding alone.
   */
  verdict: number[];
  verdictBefore: number;
  /** One entry (SimpleRNN, LSTM) or two (Bi-LSTM: forward, backward). */
  states: DirectionStates[];
  attributions: Attributions;
  milliseconds: number;
}
