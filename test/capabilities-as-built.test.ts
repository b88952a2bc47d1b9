import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { frequencyPlugin } from '@multimech/frequency';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';

/**
 * A substrate kind says what it can provide; the network built from a config
 * says what it does. A resistive netlist with a diode is not linear, so a
 * mechanism that needs 'linear' is refused when the experiment is built, at
 * its config path, and never runs as a silent approximation.
 */
const NETLIST = `diode network
V1 a 0 1
V2 b 0 -1
V3 c 0 1
R1 a m 1k
R2 b m 2k
R3 c m 1.5k
R4 m out 1k
D1 out 0 dmod
R5 out 0 3k
.model dmod D(IS=1e-12 N=1.5)
.end
`;

describe('capabilities of the network as built', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'multimech-caps-'));
    writeFileSync(join(dir, 'diodes.cir'), NETLIST);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const config = (error: object) => ({
    substrate: { kind: 'resistive', network: { netlist: 'diodes.cir', outputs: ['out'] } },
    task: { kind: 'regression', features: 1, outputs: 1, train: 4, test: 2 },
    error,
  });

  it('refuses what a diode netlist cannot do when the experiment is built, at its config path', () => {
    // the adjoint of one amplitude state under an AC activation needs a linear network
    expect(() =>
      createExperiment({ ...config({ kind: 'adjoint' }), activation: { kind: 'ac' } }, [resistivePlugin, frequencyPlugin], { baseDir: dir, source: 'exp.json' }),
    ).toThrow("activation.kind: error mechanism 'adjoint' with the AC activation (1000 Hz) needs a linear network: this 'resistive' network is not");
    // the ideal phasor lock-in is exact only on a linear network
    expect(() => createExperiment(config({ kind: 'frequency', mode: 'phasor' }), [resistivePlugin, frequencyPlugin], { baseDir: dir, source: 'exp.json' })).toThrow(
      "error.mode: 'phasor' is the ideal lock-in of a linear network",
    );
  });

  it('trains the diode network by transient frequency propagation (exact to O(β²))', () => {
    const { trainer } = createExperiment(
      { ...config({ kind: 'frequency', mode: 'transient', amplitude: 1e-3, periods: 1, samplesPerPeriod: 16 }), training: { epochs: 4 } },
      [resistivePlugin, frequencyPlugin],
      { baseDir: dir },
    );
    const { history } = trainer.run();
    expect(history[history.length - 1].trainLoss).toBeLessThan(history[0].trainLoss);
  });

  it('trains the same network with the exact gradient', () => {
    const { trainer, substrate } = createExperiment(config({ kind: 'adjoint' }), [resistivePlugin, frequencyPlugin], { baseDir: dir });
    expect(substrate.capabilities.has('linear')).toBe(false);
    const { history } = trainer.run();
    expect(history[history.length - 1].trainLoss).toBeLessThan(history[0].trainLoss);
  });
});
