import * as path from 'path';
import { readFileSync } from 'fs';
import { decodeOrThrow } from '@multimech/core';
import { CLI_PLUGINS, fidelityConfigCodec, logLogSlope, measureSweep } from '@multimech/cli';

/** The `multimech fidelity` example on a diode network: transient FP's error against β has slope 2. */
describe('examples/fidelity-nonlinear', () => {
  it('measures a log-log slope of the error against β in [1.8, 2.2], as the config claims', () => {
    const dir = path.resolve(__dirname, '../../../examples/fidelity-nonlinear');
    const file = path.join(dir, 'config.json');
    const config = decodeOrThrow(fidelityConfigCodec, JSON.parse(readFileSync(file, 'utf8')), '', file);
    expect(config.slope).toBe(2);
    const points = measureSweep(config, CLI_PLUGINS, { baseDir: dir, source: file });
    // the diodes matter (the error is visible) and the estimate points the right way
    expect(points[0].relativeError).toBeGreaterThan(1e-6);
    for (const p of points) expect(p.cosine).toBeGreaterThan(0.999);
    const slope = logLogSlope(points)!;
    // measured: 1.77e-3, 1.63e-4, 1.81e-5, 1.63e-6 at β = 1e-4 … 3e-6; slope 1.994
    expect(slope).toBeGreaterThanOrEqual(1.8);
    expect(slope).toBeLessThanOrEqual(2.2);
  });
});
