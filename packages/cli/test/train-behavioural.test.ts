import { existsSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { parseSpice, resistiveFromNetlist, toNetlist, writeSpice } from '@multimech/resistive';
import { STACK_LINE, runCli, tempDir } from './run-cli';

/** A two-feature regression network (voltage ports x0+, x0-, x1+, x1-, bias) with a fixed behavioural element across its output. */
const NETLIST = [
  'behavioural regression network',
  'V1 a 0 DC 0.5',
  'V2 b 0 DC -0.5',
  'V3 c 0 DC 0.3',
  'V4 d 0 DC -0.3',
  'V5 e 0 DC 1',
  'R1 a h1 1k',
  'R2 b h1 2.2k',
  'R3 c h2 1.5k',
  'R4 d h2 3.3k',
  'R5 e h1 2k',
  'R6 h1 out 2.2k',
  'R7 h2 out 1.5k',
  'R8 out 0 3.3k',
  'B1 out 0 I={g3*v^3 + g1*v}',
  '.param g3=1e-3 g1=1e-4 spare=5',
  '.options lawrange=-3,3',
  '.end',
  '',
].join('\n');

const CONFIG = {
  name: 'behavioural',
  seed: 2,
  substrate: { kind: 'resistive', network: { netlist: 'network.cir', outputs: ['out'] } },
  task: { kind: 'regression', features: 2, outputs: 1, train: 12, test: 6 },
  error: { kind: 'adjoint' },
  optimizer: { learningRate: 0.00002, batchSize: 4 },
  training: { epochs: 3 },
};

test('multimech train on a netlist with a B element writes every results file, its law in network.cir', async () => {
  const { dir, cleanup } = tempDir('train-b');
  try {
    writeFileSync(path.join(dir, 'network.cir'), NETLIST);
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(CONFIG));
    const out = path.join(dir, 'run');
    const r = await runCli(['train', path.join(dir, 'config.json'), '--out', out]);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(
      ['checkpoint.json', 'config.json', 'learning-curve.png', 'learning-curve.svg', 'metrics.csv', 'network.cir', 'parameters.csv', 'run.json', 'summary.json', 'summary.md'].sort(),
    );
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.epochs).toBe(3);
    expect(Number.isFinite(summary.final_loss)).toBe(true);
    expect(existsSync(path.join(out, 'summary.md'))).toBe(true);

    // network.cir: the trained resistors, the law as written, the .param values it uses, the law range
    const written = readFileSync(path.join(out, 'network.cir'), 'utf8');
    expect(written).toContain('\nB1 out 0 I={g3*v^3 + g1*v}\n');
    expect(written).toMatch(/\n\.param g3=0\.001\n\.param g1=0\.0001\n\.options lawrange=-3,3\n\.end\n$/);
    expect(written).not.toContain('spare');
    const trained = resistiveFromNetlist(parseSpice(written, 'network.cir'));
    const parameters = readFileSync(path.join(out, 'parameters.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(parameters.map(([name]) => name)).toEqual(['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8']);
    const original = resistiveFromNetlist(parseSpice(NETLIST, 'network.cir'));
    let moved = 0;
    parameters.forEach(([name, value], k) => {
      expect(trained.graph.edgeNames[k]).toBe(name);
      expect(Math.abs(trained.parameters[k] - Number(value))).toBeLessThanOrEqual(1e-15 * Number(value));
      if (Math.abs(Number(value) - original.parameters[k]) > 1e-9 * original.parameters[k]) moved++;
    });
    expect(moved).toBeGreaterThan(0); // training changed the conductances that were written
    expect(writeSpice(toNetlist(trained, undefined, 'again')).split('\n').filter((l) => /^[B.]/.test(l))).toEqual(
      written.split('\n').filter((l) => /^[B.]/.test(l)),
    );
  } finally {
    cleanup();
  }
});
