import { readFileSync } from 'fs';
import { join } from 'path';
import { elasticPlugin } from '@multimech/elastic';
import { createExperiment } from '@multimech/trainer';

const config = JSON.parse(readFileSync(join(__dirname, 'config.json'), 'utf8'));

test('the elastic allostery example reaches a relative error of at most 0.01 at its seed', () => {
  const { trainer, substrate } = createExperiment(config, [elasticPlugin]);
  expect(substrate.boundary.inputs.map((p) => p.type)).toEqual(['potential']);
  const { history, summary } = trainer.run();
  console.log(`elastic allostery (seed ${config.seed}): relative error ${history[0].testRelativeError!.toPrecision(3)} -> ${summary.relative_error!.toPrecision(3)}`);
  expect(history[0].testRelativeError).toBeGreaterThan(0.5);
  expect(summary.relative_error).toBeLessThanOrEqual(0.01);
});
