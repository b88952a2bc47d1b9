import { readFileSync } from 'fs';
import { join } from 'path';
import { elasticPlugin } from '@multimech/elastic';
import { frequencyPlugin } from '@multimech/frequency';
import { createExperiment } from '@multimech/trainer';

const config = JSON.parse(readFileSync(join(__dirname, 'config.json'), 'utf8'));

/**
 * The example's claim: a spring lattice trained by frequency propagation
 * (static source strain, error forces at ω₂ read by lock-in) learns the
 * allosteric response to a relative error of at most 0.01, at its seed and
 * at others: every seed from 1 to 20 does (docs/elastic.md lists them).
 * Seeds 6 and 9 are the ones that failed with the earlier settings (a
 * minimum stiffness of 0.01, learning rate 300, momentum 0.9): seed 6 drove
 * ten springs to that minimum and diverged, seed 9 ended at 0.0106.
 */
describe('the elastic allostery example', () => {
  it.each([config.seed, 6, 9])('reaches a relative error of at most 0.01 at seed %s', (seed) => {
    const { trainer, substrate } = createExperiment(config, [elasticPlugin, frequencyPlugin], { seed });
    expect(substrate.boundary.inputs.map((p) => p.type)).toEqual(['potential']);
    const { history, summary } = trainer.run();
    expect(history[0].testRelativeError).toBeGreaterThan(0.5);
    expect(summary.relative_error).toBeLessThanOrEqual(0.01);
  });
});
