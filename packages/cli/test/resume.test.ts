import { existsSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { STACK_LINE, runCli, tempDir } from './run-cli';

const base = (epochs: number, extra: Record<string, unknown> = {}) => ({
  name: 'resume check',
  seed: 4,
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
  task: { kind: 'regression', features: 2, outputs: 1, train: 16, test: 8 },
  error: { kind: 'adjoint' },
  optimizer: { learningRate: 0.1, batchSize: 4 },
  training: { epochs },
  ...extra,
});

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('resume')));
afterAll(() => cleanup());

function config(name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

/** metrics.csv without its seconds column, which no two runs share. */
function figures(folder: string): string[] {
  const [head, ...rows] = readFileSync(path.join(folder, 'metrics.csv'), 'utf8').trim().split('\n');
  const drop = head.split(',').indexOf('seconds');
  return [head, ...rows].map((r) => r.split(',').filter((_, i) => i !== drop).join(','));
}

describe('multimech train --resume', () => {
  let whole: string;
  beforeAll(async () => {
    whole = path.join(dir, 'whole');
    expect((await runCli(['train', config('six.json', base(6)), '--out', whole])).code).toBe(0);
  });

  it('continues a run to more epochs with the numbers of an uninterrupted run', async () => {
    const out = path.join(dir, 'grown');
    const first = await runCli(['train', config('three.json', base(3)), '--out', out]);
    expect(first.code).toBe(0);
    const checkpoint = JSON.parse(readFileSync(path.join(out, 'checkpoint.json'), 'utf8'));
    expect(checkpoint.epoch).toBe(3);

    const r = await runCli(['train', path.join(dir, 'six.json'), '--out', out, '--resume']);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^resuming ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} after epoch 3 of 6$`, 'm'));
    // epochs 4 to 6 were trained now, 0 to 3 come from the checkpoint
    expect(r.stderr.match(/^epoch \d+\/6 /gm)).toEqual(['epoch 4/6 ', 'epoch 5/6 ', 'epoch 6/6 ']);
    expect(figures(out)).toEqual(figures(whole));
    expect(readFileSync(path.join(out, 'parameters.csv'), 'utf8')).toBe(readFileSync(path.join(whole, 'parameters.csv'), 'utf8'));
    const a = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    const b = JSON.parse(readFileSync(path.join(whole, 'summary.json'), 'utf8'));
    expect({ ...a, seconds: 0 }).toEqual({ ...b, seconds: 0 });
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).training.epochs).toBe(6);
    expect(readdirSync(out).sort()).toEqual(readdirSync(whole).sort());
  });

  it('continues an interrupted run (a checkpoint and no summary) from its last whole epoch', async () => {
    const out = path.join(dir, 'interrupted');
    expect((await runCli(['train', config('two.json', base(2)), '--out', out])).code).toBe(0);
    // what a run killed after epoch 2 of 6 leaves: its files so far, no summary.json, a config that says 6 epochs
    for (const f of ['summary.json', 'summary.md', 'learning-curve.svg', 'learning-curve.png', 'parameters.csv', 'network.cir']) {
      require('fs').rmSync(path.join(out, f));
    }
    writeFileSync(path.join(out, 'config.json'), JSON.stringify({ ...JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')), training: { epochs: 6 } }));

    const again = await runCli(['train', path.join(dir, 'six.json'), '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/holds an unfinished run \(a checkpoint\.json and no summary\.json\); continue it with --resume/);

    const r = await runCli(['train', path.join(dir, 'six.json'), '--out', out, '--resume']);
    expect(r.code).toBe(0);
    expect(figures(out)).toEqual(figures(whole));
    expect(existsSync(path.join(out, 'summary.json'))).toBe(true);
  });

  it('takes the seed of the run when the command line gives none, and refuses a config that describes another run', async () => {
    const out = path.join(dir, 'seeded');
    expect((await runCli(['train', config('three-b.json', base(3)), '--out', out, '--seed', '9'])).code).toBe(0);
    const ok = await runCli(['train', path.join(dir, 'six.json'), '--out', out, '--resume']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).seed).toBe(9);

    const other = path.join(dir, 'other');
    expect((await runCli(['train', path.join(dir, 'three.json'), '--out', other])).code).toBe(0);
    const before = readFileSync(path.join(other, 'metrics.csv'), 'utf8');
    const changed = config('changed.json', base(6, { optimizer: { learningRate: 0.2, batchSize: 4 } }));
    const r = await runCli(['train', changed, '--out', other, '--resume']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).toMatch(/does not describe the run in .*: at optimizer\.learningRate the run has 0\.1 and the config 0\.2 \(only training\.epochs, training\.steps and training\.checkpoint may change when a run continues\)/);
    expect(readFileSync(path.join(other, 'metrics.csv'), 'utf8')).toBe(before); // nothing already written is lost

    const done = await runCli(['train', path.join(dir, 'three.json'), '--out', other, '--resume']);
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/has finished 3 of 3 epochs; raise training\.epochs in .*three\.json to train on/);
  });

  it('says what is wrong with a missing folder, a folder without a run, a broken checkpoint, and --resume without --out', async () => {
    const six = path.join(dir, 'six.json');
    const none = await runCli(['train', six, '--out', path.join(dir, 'nope'), '--resume']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/--resume: .*nope: no such folder/);

    const noOut = await runCli(['train', six, '--resume']);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--resume needs --out DIR/);

    const broken = path.join(dir, 'broken');
    expect((await runCli(['train', path.join(dir, 'three.json'), '--out', broken])).code).toBe(0);
    const cp = JSON.parse(readFileSync(path.join(broken, 'checkpoint.json'), 'utf8'));
    writeFileSync(path.join(broken, 'checkpoint.json'), JSON.stringify({ ...cp, parameters: cp.parameters.slice(2) }));
    const r = await runCli(['train', six, '--out', broken, '--resume']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/checkpoint\.json: checkpoint does not fit this experiment: parameters: expected \d+ values/);
    writeFileSync(path.join(broken, 'checkpoint.json'), '{"format": "multimech-checkpoint", ');
    const truncated = await runCli(['train', six, '--out', broken, '--resume']);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(/checkpoint\.json:1: invalid JSON/);
    for (const x of [none, noOut, r, truncated]) expect(x.stderr).not.toMatch(STACK_LINE);
  });
});
