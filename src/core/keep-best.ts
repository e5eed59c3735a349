/**
 * Keeping the best epoch: Keras' `ModelCheckpoint(monitor='val_loss',
 * save_best_only=True)`. Validation loss, Keras' default monitor, rather than
 * accuracy: it moves with every example's confidence, so on a small or
 * balanced validation set it does not tie, and it turns up before accuracy
 * falls when a model starts to overfit.
 */
import type * as tf from '@tensorflow/tfjs';
import type { EpochMetrics } from './metrics';

export interface BestEpoch {
  epoch: number;
  valLoss: number;
}

/** The best epoch so far and a copy of its weights (owned: dispose() frees them). */
export class BestWeights {
  private constructor(
    private best: BestEpoch | undefined,
    private weights: tf.Tensor[] | undefined,
  ) {}

  static empty(): BestWeights {
    return new BestWeights(undefined, undefined);
  }

  /** A resumed training's best so far; the weights are taken over. */
  static resumed(best: BestEpoch, weights: tf.Tensor[]): BestWeights {
    return new BestWeights({ ...best }, weights);
  }

  get epoch(): BestEpoch | undefined {
    return this.best ? { ...this.best } : undefined;
  }

  get tensors(): readonly tf.Tensor[] | undefined {
    return this.weights;
  }

  /** Takes the model's weights as the best when this epoch's validation loss is lower (ties keep the earlier epoch). */
  consider(metrics: Pick<EpochMetrics, 'epoch' | 'valLoss'>, model: tf.LayersModel): boolean {
    if (this.best && !(metrics.valLoss < this.best.valLoss)) return false;
    this.weights?.forEach((t) => t.dispose());
    this.weights = model.getWeights().map((w) => w.clone());
    this.best = { epoch: metrics.epoch, valLoss: metrics.valLoss };
    return true;
  }

  /** Puts the best weights into the model; the epoch they are from, or undefined when there is none. */
  restore(model: tf.LayersModel): number | undefined {
    if (!this.best || !this.weights) return undefined;
    model.setWeights(this.weights);
    return this.best.epoch;
  }

  dispose(): void {
    this.weights?.forEach((t) => t.dispose());
    this.weights = undefined;
  }
}
