export { explainText } from './explain';
export type { ExplainInput } from './explain';
export { recurrentParts } from './recurrent-parts';
export type { RecurrentParts } from './recurrent-parts';
export { integratedGradients, occlusion, IG_DEFAULTS } from './attributions';
export type { WindowPredictor } from './attributions';
export { traceWindow, backwardStatesOfCuts, inputProducts } from './trace';
export * from './types';
