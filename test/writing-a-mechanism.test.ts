/**
 * docs/writing-a-mechanism.md runs: its snippets (test/doc-snippets/writing-a-mechanism)
 * train, measure and print what the doc shows, and the messages it quotes
 * are those the code gives.
 */
import * as fs from 'fs';
import * as path from 'path';
import { chemicalPlugin } from '@multimech/chemical';
import { CLI_PLUGINS, gradientTable, networkGradient } from '@multimech/cli';
import { bindRule, bindSubstrate, corePlugin, createRegistries, definePlugin, experimentPaths, fidelity, productRule, strictObject } from '@multimech/core';
import { frequencyPlugin } from '@multimech/frequency';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';
import { heatGridRecord } from '../examples/custom-substrate/src';
import { ROOT, printed, printedBy } from './doc-snippets/doc-blocks';
import { nudgeErrorRecord, nudgePlugin } from './doc-snippets/writing-a-mechanism/nudge-plugin';
// the doc's conformance run of acme/nudge, registered here as it is in a plugin's own test file
import './doc-snippets/writing-a-mechanism/nudge-conformance';

const DOC = 'docs/writing-a-mechanism.md';
const text = fs.readFileSync(path.join(ROOT, DOC), 'utf8');
const snippet = (name: string) => `test/doc-snippets/writing-a-mechanism/${name}`;
const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected it to throw');
};

describe('docs/writing-a-mechanism.md', () => {
  it('the contracts as the doc states them load (their types are checked to be core\'s by test/doc-snippets.test.ts)', () => {
    for (const name of ['activation-contract', 'error-contract', 'rule-contract']) expect(require(`./doc-snippets/writing-a-mechanism/${name}`).same.every(Boolean)).toBe(true);
  });

  it('a combination the records cannot pair is refused with the two lines the doc quotes', () => {
    const acme = definePlugin(({ bind }) => {
      bindSubstrate(bind, { ...heatGridRecord, kind: 'acme/diode-grid', capabilities: ['scalar-potential'] });
      bindRule(bind, {
        kind: 'acme/contrast',
        description: 'a rule of contrastive readings of its own',
        configCodec: strictObject('an acme/contrast rule', {}),
        consumes: 'contrast',
        create: () => ({ ...productRule, kind: 'acme/contrast', consumes: 'contrast' }),
      });
    });
    const config = { substrate: { kind: 'acme/diode-grid', width: 4, height: 3 }, task: { kind: 'regression' }, error: { kind: 'chemical' }, rule: { kind: 'acme/contrast' } };
    const message = messageOf(() => createExperiment(config, [acme, chemicalPlugin], { source: 'experiment.json' }));
    expect(text).toContain('```\n' + message + '\n```');
  });

  it("the frequency mechanism's check: a window that does not hold whole periods of both signals", () => {
    const config = {
      substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [3] } },
      task: { kind: 'iris' },
      activation: { kind: 'ac' },
      error: { kind: 'frequency', frequency: 1250 },
    };
    const message = messageOf(() => createExperiment(config, [resistivePlugin, frequencyPlugin], { source: 'c3.json' }));
    expect(text).toContain('```\n' + message + '\n```');
  });

  it('acme/nudge trains: the train loss of the doc, 0.1372 → 0.0462', () => {
    const { history } = require('./doc-snippets/writing-a-mechanism/train-nudge');
    expect(history).toHaveLength(21);
    expect(history[0].trainLoss).toBeCloseTo(0.1372, 4);
    expect(history[20].trainLoss).toBeCloseTo(0.0462, 4);
    expect(history[20].diagnostics.nudgeChange).toBeLessThan(1e-6);
  });

  it("acme/nudge's section is decoded like a built-in one, and its check names the setting where the config has it", () => {
    const base = { substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [6] } }, task: { kind: 'regression', features: 2, outputs: 2 } };
    const plugins = [resistivePlugin, nudgePlugin];
    const decoding = messageOf(() => createExperiment({ ...base, error: { kind: 'acme/nudge', iter: 3, beta: -1 } }, plugins));
    expect(text).toContain('```\n' + decoding + '\n```');
    const strong = messageOf(() => createExperiment({ ...base, error: { kind: 'acme/nudge', beta: 5 } }, plugins));
    expect(text).toContain('```\n' + strong + '\n```');
  });

  it("in `multimech gradient` it is a method with its flags, its diagnostic's label and its note, and a refusal in the flags' terms", () => {
    const file = 'examples/gradient/bridge.cir';
    const netlist = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const registries = createRegistries([corePlugin, ...CLI_PLUGINS, nudgePlugin]);
    const targets = [
      { node: 'b', value: 0.5 },
      { node: 'a', value: 1 },
    ];
    const table = gradientTable(networkGradient(registries, netlist, file, targets, { method: 'acme/nudge' }));
    const refused = messageOf(() => networkGradient(registries, netlist, file, targets, { method: 'acme/nudge', beta: 1 }));
    expect(text).toContain('```\n' + table + '\nmultimech: error: ' + refused + '\n```');
    const exact = networkGradient(registries, netlist, file, targets, { method: 'adjoint' }).gradient;
    expect(Array.from(exact, (g) => g.toExponential(2))).toEqual(['-6.08e+2', '-3.27e+3', '3.16e+2', '-1.58e+3']);
    const nudged = networkGradient(registries, netlist, file, targets, { method: 'acme/nudge' }).gradient;
    expect(fidelity(nudged, exact).relativeError.toFixed(3)).toBe('0.074');
    expect(text).toContain('at a tenth of 1/R the relative error is 0.074.');
  });

  it("its diagnostic's warning, in an experiment config's terms", () => {
    const warning = nudgeErrorRecord.diagnostics![0].warning!({ worst: { nudgeChange: 0.01 }, trained: 1, epochsWhere: () => 1, at: (key) => experimentPaths('error', key) });
    expect(warning).toBe('the nudged state still moved by 0.0100 of the nudge in its last iteration: more error.iterations, or a smaller error.beta');
    expect(text).toContain('`multimech: warning: the nudged state still moved by … of the nudge in its\nlast iteration: more error.iterations, or a smaller error.beta`');
  });

  it.each(['frequency-noise.ts', 'nudge-bias.ts'])('%s prints what the doc shows', (name) => {
    const out = printed(() => require(`./doc-snippets/writing-a-mechanism/${name}`));
    expect(out).toBe(printedBy(DOC, snippet(name)));
  });
});
