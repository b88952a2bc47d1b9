/**
 * What a hostile or careless config meets at the command line: numbers
 * outside what can run refused at decode with the path, the value and the
 * range; sizes counted against limits a config raises; one bounded error
 * line with the chain from the config to the netlist's line; plugins only
 * with --allow-plugins (or a trusted folder), after the rest of the config
 * is checked; files confined to the config's folder; progress lines that
 * survive any name.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import * as path from 'path';
import { STACK_LINE, runCli, tempDir } from './run-cli';

const { dir, cleanup } = tempDir('untrusted');
afterAll(cleanup);

const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples');
let n = 0;

/** A config written to a fresh folder of its own (with the files given beside it); returns its path. */
function config(json: unknown, files: Record<string, string> = {}, folder = `c${++n}`): string {
  const d = path.join(dir, folder);
  mkdirSync(d, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(d, name), text);
  const file = path.join(d, 'config.json');
  writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json, null, 2));
  return file;
}

/** A small regression experiment on a layered resistive network, with changes. */
function regression(change: (c: Record<string, any>) => void = () => undefined): Record<string, any> {
  const c: Record<string, any> = {
    seed: 1,
    substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
    task: { kind: 'regression', features: 2, outputs: 1, train: 8, test: 4 },
    error: { kind: 'adjoint' },
    optimizer: { learningRate: 0.1, batchSize: 4 },
    training: { epochs: 1 },
  };
  change(c);
  return c;
}

const example = (name: string, file = 'config.json') => readFileSync(path.join(EXAMPLES, name, file), 'utf8');

/** The one error line of a refusal, after checking what every refusal must be. */
async function refused(args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await runCli(args, { env });
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stderr).not.toMatch(/internal error|NaN|undefined/);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('multimech: error: '));
  expect(lines).toHaveLength(1);
  return r.stderr.slice(r.stderr.indexOf('multimech: error: '));
}

describe('numbers a run could not keep finite are refused when the config is read', () => {
  it.each([
    ['task.loss.kappa', (c: any) => (c.task = { kind: 'iris', loss: { kind: 'cross-entropy', kappa: 1e308 } }), '(0, 1e6]', '1e+308'],
    ['task.inputs.scale', (c: any) => (c.task.inputs = { scale: 1e308 }), '(0, 10000]', '1e+308'],
    ['task.gain', (c: any) => (c.task.gain = -1e300), '[-100, 100]', '-1e+300'],
    ['optimizer.learningRate', (c: any) => (c.optimizer.learningRate = 1e7), '(0, 1e6]', '10000000'],
    ['error.amplitude', (c: any) => Object.assign(c, { activation: { kind: 'ac' }, error: { kind: 'frequency', amplitude: 1e9 } }), '[1e-12, 1e6]', '1000000000'],
    ['activation.frequency', (c: any) => Object.assign(c, { activation: { kind: 'ac', frequency: '1e400 Hz' } }), '', '1e400'],
    ['error.frequency', (c: any) => Object.assign(c, { activation: { kind: 'ac' }, error: { kind: 'frequency', frequency: 1e13 } }), '(0, 1e12]', '10000000000000'],
    ['substrate.conductance.max', (c: any) => (c.substrate.conductance = { max: 1e300 }), '[1e-15, 1e15]', '1e+300'],
    ['training.epochs', (c: any) => (c.training.epochs = 1e308), '[1, 1e9]', '1e+308'],
    ['substrate.network.hidden[0]', (c: any) => (c.substrate.network.hidden = [1.5]), '', '1.5'],
  ])('%s', async (key, change, range, value) => {
    const file = config(regression(change as (c: Record<string, any>) => void));
    const line = await refused(['train', file, '--out', path.join(dir, `run-${n}`)]);
    expect(line).toContain(`${file}: invalid configuration`);
    expect(line).toContain(`  ${key}: `);
    expect(line).toContain(value);
    if (range) expect(line).toContain(`in ${range}`);
    expect(existsSync(path.join(dir, `run-${n}`))).toBe(false);
  });

  it('an allostery strain, an elastic stiffness and a tube viscosity have their ranges too', async () => {
    const allostery = JSON.parse(example('elastic-allostery'));
    delete allostery.$schema;
    allostery.task.strains = [1e6];
    expect(await refused(['train', config(allostery), '--out', path.join(dir, 'x')])).toMatch(/task\.strains\[0\]: expected .* in \[-10, 10\] .*got 1000000/);
    const chemical = JSON.parse(example('iris-chemical'));
    delete chemical.$schema;
    chemical.substrate.viscosity = 1e300;
    expect(await refused(['train', config(chemical), '--out', path.join(dir, 'x')])).toMatch(/substrate\.viscosity: expected .* in \[1e-15, 1e15\].*got 1e\+300/);
  });

  it('a netlist value outside its range is refused at its line, with the chain from the config', async () => {
    const netlist = example('regression-diode', 'network.cir').replace('R1 a h1 1k', 'R1 a h1 1e300');
    const cfg = JSON.parse(example('regression-diode'));
    delete cfg.$schema;
    const file = config(cfg, { 'network.cir': netlist });
    const line = await refused(['train', file, '--out', path.join(dir, 'x')]);
    const at = netlist.split('\n').findIndex((l) => l.startsWith('R1 ')) + 1;
    expect(line).toBe(`multimech: error: ${file}: substrate.network.netlist: network.cir:${at}: resistance of 'R1' must lie in [1e-24, 1e24] ohm (the network's energy must stay finite), got 1e300\n`);
  });
});

describe('sizes are counted against limits before anything is allocated', () => {
  it('hidden layers whose edges exceed the limit are refused, naming the limit and how to raise it', async () => {
    const line = await refused(['train', config(regression((c) => (c.substrate.network.hidden = [100_000, 100_000]))), '--out', path.join(dir, 'x')]);
    expect(line).toMatch(/substrate\.network\.hidden: 10,000,\d{3},\d{3} edges \(every node of a layer joined to every node of the next\) exceed the limit of 1,000,000 edges \(limits\.edges; raise it in the config's "limits"/);
  });

  it('a task whose data would not fit is refused before its data are made', async () => {
    const line = await refused(['train', config(regression((c) => Object.assign(c.task, { features: 100_000, train: 1_000 }))), '--out', path.join(dir, 'x')]);
    expect(line).toMatch(/task\.features: [\d,]+ data values .* exceed the limit of 100,000,000 data values \(limits\.values/);
  });

  it('a window of too many samples is refused at its key', async () => {
    const cfg = JSON.parse(example('regression-diode'));
    delete cfg.$schema;
    cfg.error.samplesPerPeriod = 1_000_000;
    const line = await refused(['train', config(cfg, { 'network.cir': example('regression-diode', 'network.cir') }), '--out', path.join(dir, 'x')]);
    expect(line).toMatch(/error\.samplesPerPeriod: 1,000,000 samples per measurement .* exceed the limit of 100,000 samples per measurement \(limits\.samples/);
  });

  it("a config's limits lower and raise a limit: 37 nodes refused under a limit of 20, trained under 40", async () => {
    // 2 × 2 + 1 voltage inputs, 30 hidden nodes, 1 output and ground
    const wide = (limit: number) => config(regression((c) => Object.assign(c, { limits: { nodes: limit }, substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [30] } } })));
    expect(await refused(['train', wide(20), '--out', path.join(dir, 'x')])).toContain(
      "substrate.network.hidden: 37 nodes (5 inputs, the hidden layers, 1 outputs and ground) exceed the limit of 20 nodes (limits.nodes; raise it in the config's \"limits\"",
    );
    const r = await runCli(['train', wide(40), '--out', path.join(dir, 'wide')]);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(dir, 'wide', 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
  });
});

/** A plugin registering the task `acme/marked`, which writes `marker` when its module loads. */
const markedPlugin = (marker: string) => `
require('fs').writeFileSync(${JSON.stringify(marker)}, 'loaded');
const { bindTask, definePlugin, mseLoss, strictObject, withDefaults } = require('@multimech/core');
const points = [0, 1, 2, 3].map((i) => ({ inputs: Float64Array.of(i / 3, 1 - i / 3), target: Float64Array.of(i / 6) }));
const record = {
  kind: 'acme/marked',
  description: 'four points',
  configCodec: withDefaults(strictObject('acme/marked', {}, {}), () => ({})),
  create: () => ({ kind: 'acme/marked', inputCount: 2, inputType: 'potential', outputCount: 1, train: points, test: points, loss: mseLoss }),
};
exports.markedPlugin = definePlugin(({ bind }) => bindTask(bind, record), 'acme/marked');
`;

describe("a config's plugins are code: they load only when the config is trusted", () => {
  const withPlugin = (folder: string, change: (c: Record<string, any>) => void = () => undefined) => {
    const marker = path.join(dir, folder, 'marker');
    const file = config(
      regression((c) => {
        c.plugins = ['./marked.js'];
        c.task = { kind: 'acme/marked' };
        change(c);
      }),
      { 'marked.js': markedPlugin(marker) },
      folder,
    );
    return { file, marker };
  };

  it('without --allow-plugins the config is refused, naming the plugin and how to opt in; nothing of it runs', async () => {
    const { file, marker } = withPlugin('p-refused');
    const line = await refused(['train', file, '--out', path.join(dir, 'p-refused', 'run')]);
    expect(line).toContain(`${file}: plugins: this config names plugins, which are programs that run with your permissions: './marked.js' (${path.join(dir, 'p-refused', 'marked.js')}); nothing was loaded`);
    expect(line).toContain('Pass --allow-plugins to run them');
    expect(line).toContain('MULTIMECH_TRUSTED_FOLDERS');
    expect(existsSync(marker)).toBe(false);
  });

  it('with --allow-plugins the rest of the config is checked before any plugin loads', async () => {
    const { file, marker } = withPlugin('p-checked', (c) => (c.optimizer.learningRate = -1));
    const line = await refused(['train', file, '--out', path.join(dir, 'p-checked', 'run'), '--allow-plugins']);
    expect(line).toMatch(/optimizer\.learningRate: expected a positive number/);
    expect(existsSync(marker)).toBe(false);
  });

  it('with --allow-plugins, or from a trusted folder, it runs with a warning naming the plugin and its file', async () => {
    const flagged = withPlugin('p-flag');
    const r = await runCli(['train', flagged.file, '--out', path.join(dir, 'p-flag', 'run'), '--allow-plugins']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`multimech: warning: ${flagged.file}: plugins[0]: running plugin './marked.js' from ${path.join(dir, 'p-flag', 'marked.js')}: a plugin is code, with your permissions (--allow-plugins)`);
    expect(existsSync(flagged.marker)).toBe(true);

    const trusted = withPlugin('p-trusted');
    const env = { MULTIMECH_TRUSTED_FOLDERS: path.join(dir, 'p-trusted') };
    const t = await runCli(['train', trusted.file, '--out', path.join(dir, 'p-trusted', 'run')], { env });
    expect(t.code).toBe(0);
    expect(t.stderr).toContain('a plugin is code, with your permissions (its folder is in MULTIMECH_TRUSTED_FOLDERS)');
    expect(existsSync(trusted.marker)).toBe(true);
    // a folder beside it is not trusted
    const beside = withPlugin('p-beside');
    expect(await refused(['train', beside.file, '--out', path.join(dir, 'p-beside', 'run')], env)).toContain('Pass --allow-plugins');
  });

  it('compare, sweep and fidelity refuse a config with plugins the same way', async () => {
    const { marker } = withPlugin('p-compare');
    const base = JSON.parse(readFileSync(path.join(dir, 'p-compare', 'config.json'), 'utf8'));
    delete base.error;
    delete base.seed;
    const cmp = path.join(dir, 'p-compare', 'cmp.json');
    writeFileSync(cmp, JSON.stringify({ base, mechanisms: [{ name: 'adjoint', error: { kind: 'adjoint' } }], seeds: [1] }));
    expect(await refused(['compare', cmp, '--out', path.join(dir, 'p-compare', 'run'), '--workers', '1'])).toContain(`${cmp}: base.plugins: this config names plugins`);
    const fid = path.join(dir, 'p-compare', 'fid.json');
    writeFileSync(fid, JSON.stringify({ experiment: { ...base, error: { kind: 'ep' } }, sweep: { path: 'error.beta', values: [0.01, 0.02] } }));
    expect(await refused(['fidelity', fid, '--out', path.join(dir, 'p-compare', 'fid')])).toContain(`${fid}: experiment.plugins: this config names plugins`);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('files a config names', () => {
  const netlist = example('regression-diode', 'network.cir');
  const diode = (net: string) => {
    const c = JSON.parse(example('regression-diode'));
    delete c.$schema;
    c.substrate.network.netlist = net;
    c.training.epochs = 1;
    return c;
  };

  it("are read from the config's folder only, unless the config is trusted", async () => {
    mkdirSync(path.join(dir, 'f-up'), { recursive: true });
    writeFileSync(path.join(dir, 'f-up', 'network.cir'), netlist);
    const file = config(diode('../network.cir'), {}, 'f-up/inner');
    const line = await refused(['train', file, '--out', path.join(dir, 'f-up', 'run')]);
    expect(line).toContain(`substrate.network.netlist: expected a path inside the config's folder (relative to it, without '..' out of it), got "../network.cir"`);
    expect(line).toContain('pass --allow-plugins to trust this config');
    const absolute = config(diode(path.join(dir, 'f-up', 'network.cir')), {}, 'f-abs');
    expect(await refused(['train', absolute, '--out', path.join(dir, 'f-abs', 'run')])).toContain("expected a path inside the config's folder");
    // a symbolic link inside the folder that leads out of it
    const linked = config(diode('link.cir'), {}, 'f-link');
    symlinkSync(path.join(dir, 'f-up', 'network.cir'), path.join(dir, 'f-link', 'link.cir'));
    expect(await refused(['train', linked, '--out', path.join(dir, 'f-link', 'run')])).toContain("link.cir: cannot read the netlist: it leaves the config's folder through a symbolic link");
    // trusted, the same config runs
    const r = await runCli(['train', file, '--out', path.join(dir, 'f-up', 'run'), '--allow-plugins']);
    expect(r.code).toBe(0);
  });

  it('a file that is not a netlist is refused without its content being shown', async () => {
    const secret = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n';
    const file = config(diode('passwd'), { passwd: secret });
    const line = await refused(['train', file, '--out', path.join(dir, 'x')]);
    expect(line).toContain(`${file}: substrate.network.netlist: passwd:2: is not a SPICE netlist line`);
    expect(line).not.toContain('daemon');
    expect(line).not.toContain('root');
  });

  it('a device is refused before it is read', async () => {
    const line = await refused(['train', '/dev/zero', '--out', path.join(dir, 'x')]);
    expect(line).toBe('multimech: error: /dev/zero: is not a regular file (a device, a pipe or a socket; expected a JSON experiment config)\n');
  });
});

describe('every error is one bounded line', () => {
  it('a 200,000-character value is elided in the middle; control characters are escaped', async () => {
    const line = await refused(['train', config(regression((c) => (c.task.kind = 'x'.repeat(200_000)))), '--out', path.join(dir, 'x')]);
    expect(line.length).toBeLessThan(600);
    expect(line).toMatch(/x…\([\d,]+ more characters\)…x/);
    const bell = await refused(['train', config(regression((c) => (c.task.kind = 'bell\u0007\u001b[31mred'))), '--out', path.join(dir, 'x')]);
    expect(bell).not.toMatch(/[\u0007\u001b]/);
    expect(bell).toContain('\\u0007\\u001b[31mred');
  });

  it('names a progress display cannot show (control, wide and combining characters, a lone surrogate) do not break it', async () => {
    const names = ['bell\u0007\u001b[2J', '雪\u0301\u0301 ☃ 😀', 'lone \ud800 half'];
    const base = regression();
    delete base.error;
    delete base.seed;
    const cmp = config({ base, mechanisms: names.map((name, i) => ({ name, error: { kind: ['adjoint', 'ep', 'cl'][i] } })), seeds: [1] });
    const r = await runCli(['compare', cmp, '--out', path.join(dir, 'names'), '--workers', '1'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/\u0007|\u001b\[2J|[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(r.stderr).toContain('bell\\u0007\\u001b[2J');
    expect(readFileSync(path.join(dir, 'names', 'comparison.csv'), 'utf8')).toContain('雪');
  });
});

describe('a plugin that never finishes loading is named as the failure', () => {
  const hanging = (file: string, code: string) => {
    const folder = `h${++n}`;
    const cfg = config(
      regression((c) => (c.plugins = [`./${file}`])),
      { [file]: code },
      folder,
    );
    return { cfg, folder };
  };

  /** The command line in a process of its own (an ES module loads by import(), which needs Node's own loader). */
  const spawned = (cfg: string, out: string) =>
    spawnSync(process.execPath, [path.join(__dirname, '..', 'bin', 'multimech.js'), 'train', cfg, '--out', out, '--allow-plugins'], {
      encoding: 'utf8',
      env: { ...process.env, MULTIMECH_PLUGIN_LOAD_SECONDS: '1', MULTIMECH_DEBUG: '' },
      timeout: 60_000,
    });

  it('a top-level await that never settles: refused after MULTIMECH_PLUGIN_LOAD_SECONDS', () => {
    const { cfg, folder } = hanging('wait.mjs', 'await new Promise(() => {});\nexport const nothing = 1;\n');
    const r = spawned(cfg, path.join(dir, folder, 'run'));
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('multimech: error: '))).toEqual([
      `multimech: error: plugin './wait.mjs' (${cfg}: plugins[0]) did not finish loading within 1 s: its module loops or waits at load time (MULTIMECH_PLUGIN_LOAD_SECONDS sets the budget)`,
    ]);
    expect(existsSync(path.join(dir, folder, 'run'))).toBe(false);
  });

  it('a module that loops at load time: the command is stopped with a line naming it', () => {
    const { cfg, folder } = hanging('loop.js', 'for (;;) {}\n');
    const r = spawned(cfg, path.join(dir, folder, 'run'));
    expect(r.status === 0).toBe(false);
    expect(r.stderr).toContain(`multimech: error: plugin './loop.js' (${cfg}: plugins[0]) did not finish loading within 1 s`);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(path.join(dir, folder, 'run'))).toBe(false);
  });
});

describe('flags beyond what the machine represents', () => {
  it('a seed beyond the safe integers is a usage error, as is a stall interval no timer can hold', async () => {
    const seed = await runCli(['train', config(regression()), '--seed', '1e308']);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain("--seed <N>' argument '1e308' is invalid. expected an integer between -(2^53 − 1) and 2^53 − 1.");
    const stall = await runCli(['worker', '--queue', 'redis://127.0.0.1:1', '--stall-interval', '1e10']);
    expect(stall.code).toBe(2);
    expect(stall.stderr).toContain('expected a positive integer of milliseconds up to 2147483647');
  });

  it('a time budget longer than a timer holds does not stop the work at once', async () => {
    const { RunStop } = await import('../src/run-stop');
    const stop = new RunStop(1e9);
    let stopped = false;
    const off = stop.onRequest(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    expect(stop.requested()).toBe(false);
    off();
    stop.release();
    // a budget already spent stops it
    const spent = new RunStop(1e-6, undefined, () => 1_000, 0);
    let now = false;
    spent.onRequest(() => (now = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(now).toBe(true);
    spent.release();
  });
});

describe('a plugin whose registration never returns', () => {
  it('is stopped after MULTIMECH_PLUGIN_LOAD_SECONDS, with a line naming it', () => {
    // a folder inside the checkout, so that the plugin's require('@multimech/core') resolves in a process of its own
    const inside = mkdtempSync(path.join(__dirname, 'registration-'));
    try {
      writeFileSync(
        path.join(inside, 'stuck.js'),
        "const { definePlugin } = require('@multimech/core');\nexports.stuckPlugin = definePlugin(() => { for (;;) {} }, 'acme/stuck');\n",
      );
      const cfg = path.join(inside, 'config.json');
      writeFileSync(cfg, JSON.stringify(regression((c) => (c.plugins = ['./stuck.js']))));
      const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'bin', 'multimech.js'), 'train', cfg, '--out', path.join(inside, 'run'), '--allow-plugins'], {
        encoding: 'utf8',
        env: { ...process.env, MULTIMECH_PLUGIN_LOAD_SECONDS: '1', MULTIMECH_DEBUG: '' },
        timeout: 60_000,
      });
      expect(r.status === 0).toBe(false);
      expect(r.stderr).toContain(`multimech: error: plugin './stuck.js' (${cfg}: plugins[0]) did not finish loading within 1 s`);
      expect(existsSync(path.join(inside, 'run'))).toBe(false);
    } finally {
      rmSync(inside, { recursive: true, force: true });
    }
  });
});

describe('a simulation that fails while training', () => {
  it('names the strains of an allostery task that push a spring through zero length', async () => {
    const allostery = JSON.parse(example('elastic-allostery'));
    delete allostery.$schema;
    Object.assign(allostery.substrate.network, { width: 4, height: 4 });
    allostery.training.epochs = 1;
    allostery.task.strains = [-1, 0.1];
    const line = await refused(['train', config(allostery), '--out', path.join(dir, 'x')]);
    expect(line).toMatch(/: training stopped in epoch 1: spring '\w+' has zero length: .*\(the task's inputs reach 1\.00; task\.strains sets them\)\n$/);
  });

  it('names the config, the epoch and what sets the drives', async () => {
    const cfg = JSON.parse(example('regression-diode'));
    delete cfg.$schema;
    cfg.training.epochs = 1;
    cfg.task.inputs = { scale: 10_000 };
    const file = config(cfg, { 'network.cir': example('regression-diode', 'network.cir') });
    const line = await refused(['train', file, '--out', path.join(dir, 'drives')]);
    expect(line).toMatch(new RegExp(`^multimech: error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: training stopped in epoch 1: equilibrium did not converge .*\\(the task's inputs reach [\\d.]+e\\+4; task\\.inputs\\.scale and task\\.inputs\\.bias set them\\)\\n$`));
  });
});

describe('classes the long fuzz run found', () => {
  it('null for an activation or a rule is refused, not taken for the default', async () => {
    const line = await refused(['train', config(regression((c) => Object.assign(c, { activation: null, rule: null }))), '--out', path.join(dir, 'x')]);
    expect(line).toContain('\n  activation: expected an object with a "kind" (one of ac, dc), got null\n');
    expect(line).toMatch(/\n {2}rule: expected an object with a "kind" \(one of [a-z, -]+\), got null\n/);
  });

  it('a spring lattice too small for the targets the task asks for is refused at substrate.network, naming task.targets', async () => {
    const allostery = JSON.parse(example('elastic-allostery'));
    delete allostery.$schema;
    Object.assign(allostery.substrate.network, { width: 4, height: 4 });
    allostery.task.targets = Array.from({ length: 50 }, () => 0.3);
    const line = await refused(['train', config(allostery), '--out', path.join(dir, 'x')]);
    expect(line).toMatch(/: substrate\.network: triangular lattice: found only \d+ free target pairs of the 50 asked for: use a larger network; the task asks for 1 source pair \(its inputs\) and 50 target pairs \(its outputs: task\.targets of an allostery task\)\n$/);
  });

  it('a title of 200,000 characters is drawn with its ends', async () => {
    const fidelity = JSON.parse(example('fidelity-ep'));
    delete fidelity.$schema;
    fidelity.name = `start${'x'.repeat(200_000)}end`;
    fidelity.sweep.values = fidelity.sweep.values.slice(0, 2);
    fidelity.examples = 2;
    const out = path.join(dir, 'long-title');
    const r = await runCli(['fidelity', config(fidelity), '--out', out]);
    expect(r.code).toBe(0);
    const svg = readFileSync(path.join(out, 'fidelity.svg'), 'utf8');
    expect(svg).toContain('start');
    expect(svg.length).toBeLessThan(200_000);
    expect(readFileSync(path.join(out, 'fidelity.png')).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('classes of the second long fuzz run', () => {
  it('resistors whose conductances differ beyond what double precision resolves are refused at the line of the odd one', async () => {
    const netlist = example('regression-diode', 'network.cir').replace('R1 a h1 1k', 'R1 a h1 1f');
    mkdirSync(path.join(dir, 'spread'), { recursive: true });
    const file = path.join(dir, 'spread', 'network.cir');
    writeFileSync(file, netlist);
    const at = netlist.split('\n').findIndex((l) => l.startsWith('R1 ')) + 1;
    const line = await refused(['gradient', file, '--target', 'out=0.2']);
    expect(line).toMatch(new RegExp(`^multimech: error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${at}: conductance of 'R1' \\(1\\.00e\\+15 S\\) and that of 'R\\d+' \\(line \\d+, [\\d.e+-]+ S\\) differ by more than 1e16 times`));
  });

  it("a mechanism whose fidelity cannot be measured is named with the comparison's file", async () => {
    const base = regression();
    delete base.error;
    delete base.seed;
    const cmp = config({ base, mechanisms: [{ name: 'adjoint', error: { kind: 'adjoint' } }, { name: 'strong', error: { kind: 'ep', beta: 1e6 } }], seeds: [1] });
    const line = await refused(['compare', cmp, '--out', path.join(dir, 'strong'), '--workers', '1']);
    expect(line).toContain(`multimech: error: ${cmp}: mechanisms[1] 'strong': measuring its fidelity failed: the nudged energy`);
  });
});
