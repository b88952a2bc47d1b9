import { frequencyPlugin } from '@multimech/frequency';
import { ResistiveSubstrate, resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';

/**
 * One factorization per parameter update serves every signal (activation,
 * error, every sample of a transient lock-in run) and every example of the
 * batch: over E epochs of S steps the substrate factors exactly 1 + E·S
 * times (the initial evaluation, then once after each update).
 */
describe('factor once per update, solve many', () => {
  it.each(['phasor', 'transient'])('frequency propagation in %s mode', (mode) => {
    const { trainer, substrate } = createExperiment(
      {
        substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [5] } },
        task: { kind: 'regression', features: 2, outputs: 2, train: 12, test: 4 },
        error: { kind: 'frequency', mode, periods: 4, samplesPerPeriod: 8 },
        optimizer: { learningRate: 0.1, batchSize: 4 },
        training: { epochs: 2 },
      },
      [resistivePlugin, frequencyPlugin],
    );
    const network = (substrate as ResistiveSubstrate).network;
    const before = network.factorizations;
    let steps = 0;
    trainer.on('step', () => steps++);
    trainer.run();
    expect(steps).toBe(6);
    expect(network.factorizations - before).toBe(1 + steps);
  });
});
