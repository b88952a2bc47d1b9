// @ts-check
'use strict';
/**
 * The `xor` task, as a plugin a config loads with `"plugins": ["./xor-task"]`
 * (plain JavaScript, so the command line loads it without a build step).
 *
 * `{ "kind": "xor", "volts"?: V, "high"?: V }`: XOR on voltage inputs. Each
 * bit b drives two sources, +volts·b and −volts·b, and a fifth source holds
 * 1 V (the bias), in the netlist's order x1+, x1−, x2+, x2−, bias. One
 * output: its target is `high` volts for class 1 (the bits differ) and 0 V
 * for class 0; the prediction is class 1 above high/2. Loss: MSE. Train and
 * test are the same four points.
 */
const { bindTask, definePlugin, mseLoss, positiveNumber, strictObject } = require('@multimech/core');

const xorConfigCodec = strictObject('an XOR task ({ "kind": "xor", "volts"?, "high"? })', {}, { volts: positiveNumber, high: positiveNumber });

/** @param {{ volts?: number, high?: number }} config */
function createXorTask(config = {}) {
  const volts = config.volts ?? 1;
  const high = config.high ?? 0.5;
  const points = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ].map(([a, b]) => {
    const label = a ^ b;
    return { inputs: Float64Array.of(volts * a, -volts * a, volts * b, -volts * b, 1), target: Float64Array.of(label * high), label };
  });
  return {
    kind: 'xor',
    inputCount: 5,
    inputType: 'potential',
    inputNames: ['x1+', 'x1-', 'x2+', 'x2-', 'bias'],
    outputCount: 1,
    outputNames: ['y'],
    train: points,
    test: points,
    loss: mseLoss,
    classes: ['equal', 'different'],
    /** @param {ArrayLike<number>} y */
    predict: (y) => (y[0] > high / 2 ? 1 : 0),
  };
}

const xorTaskRecord = {
  kind: 'xor',
  description: 'XOR of two bits on voltage sources (±volts per bit and a 1 V bias); one output, high for different bits',
  configCodec: xorConfigCodec,
  create: createXorTask,
};

/** Registers the `xor` task. */
const xorTaskPlugin = definePlugin(({ bind }) => bindTask(bind, xorTaskRecord));

module.exports = { xorConfigCodec, createXorTask, xorTaskRecord, xorTaskPlugin };
