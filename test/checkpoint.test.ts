import { CLI_PLUGINS, pluginsFor } from '@multimech/cli';
import { frequencyPlugin } from '@multimech/frequency';
import { resistivePlugin } from '@multimech/resistive';
import { TrainerCheckpoint, createExperiment } from '@multimech/trainer';
import { readFileSync } from 'fs';
import * as path from 'path';

/** A noisy frequency-propagation run: the minibatch order and the measurement noise both draw from the trainer's generator. */
const config = (epochs: number) => ({
  seed: 5,
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [5] } },
  task: { kind: 'regression', features: 2, outputs: 1, train: 12, test: 6 },
  error: { kind: 'frequency', mode: 'transient', amplitude: 1e-2, noise: 1e-4, periods: 4, samplesPerPeriod: 16 },
  optimizer: { learningRate: 0.1, batchSize: 4 },
  training: { epochs },
});

const plugins = [resistivePlugin, frequencyPlugin];
const strip = (h: readonly { seconds: number }[]) => h.map(({ seconds: _s, ...rest }) => rest);

describe('trainer checkpoints', () => {
  it('a run stopped after 3 epochs and continued from its checkpoint (through JSON) gives the numbers of an uninterrupted 6-epoch run', () => {
    const whole = createExperiment(config(6), plugins).trainer.run();

    const first = createExperiment(config(3), plugins).trainer;
    first.run();
    const saved = JSON.parse(JSON.stringify(first.checkpoint())) as TrainerCheckpoint;
    expect(saved.epoch).toBe(3);
    expect(saved.history).toHaveLength(4);

    const second = createExperiment(config(6), plugins).trainer;
    second.restore(saved);
    const continued = second.run();

    expect(Array.from(continued.parameters.values)).toEqual(Array.from(whole.parameters.values));
    expect(strip(continued.history)).toEqual(strip(whole.history));
    expect(continued.summary.final_loss).toBe(whole.summary.final_loss);
    expect(continued.summary.relative_error).toBe(whole.summary.relative_error);
    expect(continued.summary.epochs).toBe(6);
    // the noise makes the run depend on the stream: a checkpoint without its generator state would not match
    const fresh = createExperiment(config(6), plugins).trainer;
    fresh.restore({ ...saved, rng: { state: (saved.rng.state + 1) >>> 0 } });
    expect(fresh.run().summary.final_loss).not.toBe(whole.summary.final_loss);
  });

  it('refuses a checkpoint that does not fit, saying what', () => {
    const trainer = createExperiment(config(3), plugins).trainer;
    trainer.run();
    const saved = trainer.checkpoint();
    const other = () => createExperiment(config(6), plugins).trainer;
    expect(() => other().restore({ ...saved, parameters: saved.parameters.slice(1) })).toThrow(
      new RegExp(`parameters: expected ${saved.parameters.length} values \\(one per conductance parameter\\), got ${saved.parameters.length - 1}`),
    );
    expect(() => other().restore({ ...saved, velocity: saved.velocity.map((v, k) => (k === 2 ? NaN : v)) })).toThrow(/velocity\[2\] is not a finite number/);
    expect(() => createExperiment(config(2), plugins).trainer.restore(saved)).toThrow(/3 epochs done, more than the 2 configured/);
    expect(() => other().restore({ ...saved, history: saved.history.slice(1) })).toThrow(/history: expected 4 epochs/);
    expect(() => other().restore({ ...saved, parameters: saved.parameters.map((v, k) => (k === 0 ? -1 : v)) })).toThrow(/parameters\[0\] = -1 lies outside its bounds/);
    expect(() => other().restore({ ...saved, rng: { state: -3 } })).toThrow(/unsigned 32-bit integer, got -3/);
  });
});

/** A config of examples/ with its epochs changed, built with the plugins it names. */
function exampleTrainer(name: string, epochs: number) {
  const dir = path.join(__dirname, '..', 'examples', name);
  const file = path.join(dir, 'config.json');
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  const config = { ...raw, training: { ...raw.training, epochs } };
  return createExperiment(config, raw.plugins ? pluginsFor(raw, dir, file) : CLI_PLUGINS, { baseDir: dir, source: file }).trainer;
}

describe('checkpoints of warm-started equilibria', () => {
  it.each([
    // diodes: damped Newton warm-started from the last equilibrium; resuming from a cold start ended ~1e-9 away
    ['xor-diode', 120, [37, 103]],
    // springs: the same, each spring network's Newton from its last equilibrium
    ['elastic-allostery', 12, [3, 7]],
  ] as const)('%s: a run continued from any epoch ends on the uninterrupted numbers to the last bit (the warm start is in the checkpoint)', (name, epochs, stops) => {
    const whole = exampleTrainer(name, epochs).run();
    for (const at of stops) {
      const first = exampleTrainer(name, at);
      first.run();
      const saved = JSON.parse(JSON.stringify(first.checkpoint())) as TrainerCheckpoint;
      expect(saved.solverState?.length).toBeGreaterThan(0);
      const second = exampleTrainer(name, epochs);
      second.restore(saved);
      const continued = second.run();
      expect(Array.from(continued.parameters.values)).toEqual(Array.from(whole.parameters.values));
      expect(strip(continued.history)).toEqual(strip(whole.history));
    }
  });

  it('a linear network carries no solver state; a state of the wrong length is refused', () => {
    const linear = createExperiment(config(1), plugins).trainer;
    linear.run();
    expect(linear.checkpoint().solverState).toBeUndefined();
    const xor = exampleTrainer('xor-diode', 2);
    xor.run();
    const saved = xor.checkpoint();
    expect(() => exampleTrainer('xor-diode', 4).restore({ ...saved, solverState: [1, 2] })).toThrow(/solverState: a warm start of \d+ free nodes was expected, got 2 values/);
    expect(() => createExperiment(config(2), plugins).trainer.restore({ ...linear.checkpoint(), solverState: [0] })).toThrow(/checkpoint does not fit this experiment/);
  });
});
