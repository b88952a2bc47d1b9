import { readFileSync } from 'fs';
import { join } from 'path';
import { CLI_PLUGINS, logLogSlope, measureSweep } from '@multimech/cli';

/**
 * Geometric nonlinearity: on the allostery spring lattice the transient
 * frequency-propagation update departs from the exact gradient as β², as on
 * diode networks (PHYSICS.md §3.2).
 */
test('transient FP on springs: the error against the exact gradient falls as β²', () => {
  const file = join(__dirname, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  const points = measureSweep(config, CLI_PLUGINS, { baseDir: __dirname, source: file });
  const slope = logLogSlope(points)!;
  expect(slope).toBeGreaterThan(1.8);
  expect(slope).toBeLessThan(2.2);
  for (const p of points) expect(p.cosine).toBeGreaterThan(0.9999);
});
