/**
 * `train --resume` reads the whole checkpoint before anything changes: a
 * damaged one (null, a list, truncated, a key missing, a value outside its
 * bounds or not a number, a prototype key, another seed or config) is
 * refused with exit code 1 and one line naming the file, the key and what
 * was expected, and the results folder is left byte for byte as it was.
 */
import { cpSync, readFileSync, readdirSync, statSync, writeFileSync } from 'fs';
import * as path from 'path';
import { STACK_LINE, runCli, tempDir } from './run-cli';

const base = (epochs: number) => ({
  name: 'damaged checkpoint',
  seed: 4,
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] }, conductance: { min: 0.0001, max: 10 } },
  task: { kind: 'regression', features: 2, outputs: 1, train: 16, test: 8 },
  error: { kind: 'adjoint' },
  optimizer: { learningRate: 0.1, batchSize: 4 },
  training: { epochs },
});

let dir: string;
let cleanup: () => void;
let six: string;
beforeAll(async () => {
  ({ dir, cleanup } = tempDir('damaged'));
  const three = path.join(dir, 'three.json');
  writeFileSync(three, JSON.stringify(base(3)));
  six = path.join(dir, 'six.json');
  writeFileSync(six, JSON.stringify(base(6)));
  // a finished run of 3 epochs, which each case continues to 6
  const two = await runCli(['train', three, '--out', path.join(dir, 'three-run')]);
  expect(two.code).toBe(0);
});
afterAll(() => cleanup());

/** Every file of a folder (hidden ones too) with its bytes. */
function snapshot(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else files[path.relative(folder, p)] = readFileSync(p).toString('base64');
    }
  };
  walk(folder);
  return files;
}

let cases = 0;
/** A copy of the finished 3-epoch run whose checkpoint (or other file) is damaged by `damage`; resuming it to 6 epochs must fail with `message`. */
async function refused(damage: (folder: string, checkpoint: Record<string, unknown>, text: string) => void, message: RegExp): Promise<void> {
  const folder = path.join(dir, `case-${++cases}`);
  cpSync(path.join(dir, 'three-run'), folder, { recursive: true });
  const file = path.join(folder, 'checkpoint.json');
  const text = readFileSync(file, 'utf8');
  damage(folder, JSON.parse(text), text);
  const before = snapshot(folder);
  const r = await runCli(['train', six, '--out', folder, '--resume']);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stderr).not.toMatch(/internal error|undefined|NaN/);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr.trimEnd()).toMatch(message);
  expect(snapshot(folder)).toEqual(before);
}

const writeCheckpoint = (folder: string, value: unknown) => writeFileSync(path.join(folder, 'checkpoint.json'), typeof value === 'string' ? value : JSON.stringify(value));
const CHECKPOINT = '^multimech: error: .*case-\\d+/checkpoint\\.json: ';

describe('train --resume refuses a damaged checkpoint and leaves the folder as it was', () => {
  test('null, a list, truncated JSON', async () => {
    await refused((f) => writeCheckpoint(f, 'null'), new RegExp(`${CHECKPOINT}expected a training checkpoint \\(a JSON object with format 'multimech-checkpoint'\\), got null$`));
    await refused((f) => writeCheckpoint(f, '[1, 2]'), new RegExp(`${CHECKPOINT}expected a training checkpoint .*, got a list of 2 values$`));
    await refused((f, _c, text) => writeCheckpoint(f, text.slice(0, Math.floor(text.length / 2))), /^multimech: error: .*checkpoint\.json:1: invalid JSON at column \d+/);
  });

  test('a missing key, a value that is not a number, a list of another length', async () => {
    await refused(
      (f, c) => {
        delete c.velocity;
        writeCheckpoint(f, c);
      },
      new RegExp(`${CHECKPOINT}velocity: expected a list of \\d+ numbers \\(one per conductance parameter\\), got nothing$`),
    );
    await refused((f, c) => writeCheckpoint(f, { ...c, history: undefined }), new RegExp(`${CHECKPOINT}history: expected a list of 4 epochs \\(0 to 3\\), got nothing$`));
    await refused((f, c) => writeCheckpoint(f, { ...c, rng: { state: 'x' } }), new RegExp(`${CHECKPOINT}rng\\.state: expected an unsigned 32-bit integer, got "x"$`));
    await refused(
      (f, c) => writeCheckpoint(f, { ...c, velocity: (c.velocity as number[]).map((v, k) => (k === 5 ? null : v)) }),
      new RegExp(`${CHECKPOINT}velocity\\[5\\]: expected a finite number, got null$`),
    );
    await refused(
      (f, c) => {
        const history = c.history as Record<string, unknown>[];
        writeCheckpoint(f, { ...c, history: history.map((e, i) => (i === 2 ? { ...e, trainLoss: 'low' } : e)) });
      },
      new RegExp(`${CHECKPOINT}history\\[2\\]\\.trainLoss: expected a finite number, got "low"$`),
    );
    await refused((f, c) => writeCheckpoint(f, { ...c, epoch: 2.5 }), new RegExp(`${CHECKPOINT}epoch: expected a whole number of epochs ≥ 0, got 2\\.5$`));
    await refused(
      (f, c) => writeCheckpoint(f, { ...c, parameters: (c.parameters as number[]).slice(1) }),
      new RegExp(`${CHECKPOINT}checkpoint does not fit this experiment: parameters: expected \\d+ values \\(one per conductance parameter\\), got \\d+$`),
    );
  });

  test('a solver state the network cannot take (found by the trainer, still before anything changes)', async () => {
    await refused(
      (f, c) => writeCheckpoint(f, { ...c, solverState: [0.5, 0.25] }),
      new RegExp(`${CHECKPOINT}checkpoint does not fit this experiment: solverState: a linear network carries no solver state from one solve to the next$`),
    );
    await refused((f, c) => writeCheckpoint(f, { ...c, solverState: [0.5, 'x'] }), new RegExp(`${CHECKPOINT}solverState\\[1\\]: expected a finite number, got "x"$`));
  });

  test('parameters outside their bounds', async () => {
    await refused(
      (f, c) => writeCheckpoint(f, { ...c, parameters: (c.parameters as number[]).map((v, k) => (k === 12 ? 57 : v)) }),
      new RegExp(`${CHECKPOINT}parameters\\[12\\]: expected a value in \\[0\\.0001, 10\\], got 57$`),
    );
    await refused(
      (f, c) => writeCheckpoint(f, { ...c, parameters: (c.parameters as number[]).map((v, k) => (k === 0 ? -1 : v)) }),
      new RegExp(`${CHECKPOINT}parameters\\[0\\]: expected a value in \\[0\\.0001, 10\\], got -1$`),
    );
  });

  test('a __proto__, constructor or prototype key anywhere (refused by the parser, nothing polluted)', async () => {
    await refused((f, _c, text) => writeCheckpoint(f, text.replace(/^\{/, '{"__proto__": {"polluted": true}, ')), new RegExp(`${CHECKPOINT}__proto__: a key no checkpoint has \\(__proto__, constructor, prototype are refused wherever they appear\\)$`));
    await refused((f, _c, text) => writeCheckpoint(f, text.replace('"history":[{', '"history":[{"constructor": {"prototype": {"polluted": true}}, ')), new RegExp(`${CHECKPOINT}history\\[0\\]\\.constructor: a key no checkpoint has`));
    await refused((f, _c, text) => writeCheckpoint(f, text.replace('"rng":{', '"rng":{"prototype": 1, ')), new RegExp(`${CHECKPOINT}rng\\.prototype: a key no checkpoint has`));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('another seed: in the checkpoint, or in the config.json of the folder (with or without its run.json)', async () => {
    await refused((f, c) => writeCheckpoint(f, { ...c, seed: 5 }), new RegExp(`${CHECKPOINT}seed: expected 4 \\(the seed of .*config\\.json\\), got 5: the checkpoint was written by a run with another seed$`));
    const editSeed = (f: string) => {
      const file = path.join(f, 'config.json');
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), seed: 5 }, null, 2));
    };
    await refused((f) => editSeed(f), /^multimech: error: --resume: .*case-\d+\/config\.json does not describe the run run\.json records \(experiment [0-9a-f]{16}; config\.json's is [0-9a-f]{16}\): it was changed after the run started/);
    await refused(
      (f) => {
        editSeed(f);
        require('fs').rmSync(path.join(f, 'run.json'));
      },
      new RegExp(`${CHECKPOINT}seed: expected 5 \\(the seed of .*config\\.json\\), got 4: the checkpoint was written by a run with another seed$`),
    );
    await refused((f, c) => writeCheckpoint(f, { ...c, experiment: '0123456789abcdef' }), new RegExp(`${CHECKPOINT}experiment: expected [0-9a-f]{16} \\(the hash of .*config\\.json\\), got 0123456789abcdef: the checkpoint was written by a run of another config$`));
  });

  test('an undamaged copy of the same folder resumes (the cases above differ from it only by their damage)', async () => {
    const folder = path.join(dir, 'undamaged');
    cpSync(path.join(dir, 'three-run'), folder, { recursive: true });
    const r = await runCli(['train', six, '--out', folder, '--resume']);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(folder, 'checkpoint.json'), 'utf8')).epoch).toBe(6);
  });
});
