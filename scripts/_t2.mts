import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/core/backend';
console.log(await initBackend('auto'));
const model = tf.sequential({ layers: [tf.layers.embedding({ inputDim: 100, outputDim: 8, inputLength: 20 }), tf.layers.lstm({ units: 8, recurrentActivation: 'sigmoid' }), tf.layers.dense({ units: 1, activation: 'sigmoid' })] });
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const x = tf.randomUniform([64, 20], 0, 100, 'int32'); const y = tf.randomUniform([64, 1]).round();
const h = await model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 });
console.log(h.history.loss, tf.getBackend());
