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
const { bindTask, bounded, definePlugin, mseLoss, positiveNumber, strictObject } = require('@multimech/core');

/**
 * A drive or a target of a diode network, in volts: a diode's current grows
 * as exp(V / (N·0.0259 V)), so drives of more than a few tens of volts make
 * the network's equations overflow. The codec says so when the config is
 * read, naming the key, rather than the run failing later.
 */
const diodeVolts = bounded(positiveNumber, { min: 0, minOpen: true, max: 20 }, "a diode's current must stay finite");

const xorConfigCodec = strictObject('an XOR task ({ "kind": "xor", "volts"?, "high"? })', {}, { volts: diodeVolts, high: diodeVolts });

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
