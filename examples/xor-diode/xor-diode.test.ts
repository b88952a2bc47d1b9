import * as path from 'path';
import { readFileSync } from 'fs';
import { createExperiment } from '@multimech/trainer';
import { pluginsFor } from '@multimech/cli';

/** The example trains: XOR on a diode network by transient frequency propagation, to 100% on the four points. */
describe('examples/xor-diode', () => {
  it('learns XOR to 100% accuracy, with a falling loss', () => {
    const file = path.join(__dirname, 'config.json');
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    const { trainer, substrate, task } = createExperiment(raw, pluginsFor(raw, __dirname, file), { baseDir: __dirname, source: file });
    expect(substrate.capabilities.has('linear')).toBe(false);
    const before = trainer.evaluate(task.train);
    const result = trainer.run();
    expect(result.history).toHaveLength(301);
    const after = trainer.evaluate(task.train);
    expect(after.accuracy).toBe(1);
    expect(after.loss).toBeLessThan(0.1 * before.loss);
  });
});
