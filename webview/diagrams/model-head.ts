/**
 * The layers after the recurrent one, which every cell diagram ends in: the
 * tutorial's SimpleRNN goes straight to Dense(1, sigmoid); its LSTMs pass
 * through Dense(relu) and Dropout first. Described from the hyperparameters so
 * a run trained with other settings is drawn as it was built.
 */
import type { Hyperparameters } from '../../src/core/presets.js';
import { recurrentLayerOf } from '../../src/core/preset-names.js';

/** Size of what the recurrent layer hands to the head. */
export function recurrentFeatures(h: Hyperparameters): number {
  return recurrentLayerOf(h.preset) === 'bilstm' ? 2 * h.units : h.units;
}

/** "Dense(256, relu) → Dropout(0.2) → Dense(1, σ)". */
export function headSummary(h: Hyperparameters): string {
  const parts: string[] = [];
  if (h.denseUnits > 0) {
    parts.push(`Dense(${h.denseUnits}, relu)`);
    if (h.dropout > 0) parts.push(`Dropout(${h.dropout})`);
  }
  parts.push('Dense(1, σ)');
  return parts.join(' → ');
}

export interface Equation {
  /** In the shorthand of util/math-notation.ts. */
  formula: string;
  /** The matrix and vector sizes of this model, e.g. "U: 32×32, b: 32". */
  sizes: string;
}

/** The equations of a recurrent cell and the arithmetic behind its parameter count. */
export interface CellExplanation {
  equations: Equation[];
  parameters: string;
}

/** The head's equations, from the final state `state` (e.g. "s_T", "h"). */
export function headEquations(h: Hyperparameters, state: string): Equation[] {
  const n = recurrentFeatures(h);
  if (h.denseUnits > 0) {
    const dropout = h.dropout > 0 ? `; dropout ${h.dropout} while training` : '';
    return [
      { formula: `z = relu(D·${state} + b_D)`, sizes: `D: ${h.denseUnits}×${n}, b_D: ${h.denseUnits}${dropout}` },
      { formula: 'o = σ(V·z + c)', sizes: `V: 1×${h.denseUnits}, c: 1` },
    ];
  }
  return [{ formula: `o = σ(V·${state} + c)`, sizes: `V: 1×${n}, c: 1` }];
}
