/** A config with a key given twice is refused (JSON.parse would let the later one win silently), naming the key and both lines. */
import { writeFileSync } from 'fs';
import * as path from 'path';
import { STACK_LINE, runCli, tempDir } from './run-cli';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('duplicate-keys')));
afterAll(() => cleanup());

const CONFIG = `{
  "seed": 1,
  "substrate": { "kind": "resistive", "network": { "generator": "layered", "hidden": [3] } },
  "task": { "kind": "regression", "features": 1, "outputs": 1, "train": 4, "test": 2 },
  "error": { "kind": "adjoint" },
  "optimizer": { "learningRate": 0.1 },
  "training": {
    "epochs": 1,
    "epochs": 100000
  }
}
`;

describe('duplicate keys in a JSON config', () => {
  it('train refuses them at the second line, naming the key, its object and both lines', async () => {
    const file = path.join(dir, 'twice.json');
    writeFileSync(file, CONFIG);
    const r = await runCli(['train', file, '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`multimech: error: ${file}:9: key "epochs" is given twice in training (lines 8 and 9): JSON would keep only the last; give it once\n`);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('so do compare and fidelity, at the top level too', async () => {
    const file = path.join(dir, 'top.json');
    writeFileSync(file, '{\n  "base": {},\n  "mechanisms": [],\n  "base": {}\n}\n');
    for (const command of ['compare', 'fidelity']) {
      const r = await runCli([command, file, '--out', path.join(dir, `out-${command}`)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`multimech: error: ${file}:4: key "base" is given twice at the top level (lines 2 and 4): JSON would keep only the last; give it once\n`);
    }
  });

  it('and a spring network file', async () => {
    writeFileSync(path.join(dir, 'net.json'), '{\n  "nodes": [],\n  "springs": [],\n  "pins": [],\n  "pins": ["a"],\n  "inputs": [],\n  "outputs": []\n}\n');
    const file = path.join(dir, 'springs.json');
    writeFileSync(
      file,
      JSON.stringify({
        seed: 1,
        substrate: { kind: 'elastic', dimension: 2, network: { file: 'net.json' } },
        task: { kind: 'regression', features: 1, outputs: 1, train: 4, test: 2 },
        error: { kind: 'adjoint' },
        optimizer: { learningRate: 0.1 },
        training: { epochs: 1 },
      }),
    );
    const r = await runCli(['train', file, '--out', path.join(dir, 'out-springs')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('net.json:5: key "pins" is given twice at the top level (lines 4 and 5)');
  });
});
