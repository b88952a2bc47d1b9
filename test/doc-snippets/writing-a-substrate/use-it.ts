// docs/writing-a-substrate.md, "7. Use it".
// snippet start
import { createExperiment } from '@multimech/trainer';
import { frequencyPlugin } from '@multimech/frequency';
import { heatPlugin } from 'multimech-example-custom-substrate';

const { trainer, substrate } = createExperiment(
  {
    seed: 1,
    substrate: { kind: 'acme/heat-grid', width: 6, height: 4, conductance: { init: [0.5, 1.5] } },
    task: { kind: 'regression', features: 2, outputs: 2, inputs: { encoding: 'current' } },
    activation: { kind: 'ac' },
    error: { kind: 'frequency', amplitude: 0.01 },
    training: { epochs: 20 },
  },
  [heatPlugin, frequencyPlugin],
);
console.log(substrate.parameters.length, substrate.boundary.inputs.map((p) => p.name)); // 38 [ 'heater1', 'heater2' ]
const { history, summary } = trainer.run();
console.log(history[0].trainLoss, summary.final_loss); // 0.2294... 0.0408...
// snippet end

export { history, summary, substrate };
