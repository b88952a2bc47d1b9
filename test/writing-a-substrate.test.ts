/**
 * docs/writing-a-substrate.md runs: its snippets (test/doc-snippets/writing-a-substrate)
 * build, train, pass the conformance checks and print what the doc shows,
 * and the messages it quotes are those the code gives.
 */
import * as fs from 'fs';
import * as path from 'path';
import { chemicalPlugin } from '@multimech/chemical';
import { CLI_PLUGINS, gradientTable, networkGradient } from '@multimech/cli';
import { Rng, bindSubstrate, corePlugin, createRegistries, definePlugin, fidelity, gridTopology, jsonSchemaOf, type Substrate } from '@multimech/core';
import { randomDrive, runCheck, runSubstrateConformance, substrateChecks } from '@multimech/conformance';
import { createExperiment } from '@multimech/trainer';
import { HeatGridSubstrate, heatGridRecord, heatPlugin } from '../examples/custom-substrate/src';
import { ROOT, printed } from './doc-snippets/doc-blocks';
import { heatFilePlugin, heatNetworkFile, heatResults } from './doc-snippets/writing-a-substrate/heat-file';
// the doc's run with per-check settings, registered here as it is in a plugin's own test file
import './doc-snippets/writing-a-substrate/check-settings';
import { jitter, perTube } from './doc-snippets/writing-a-substrate/per-tube-schema';
import { TubeGrid } from './doc-snippets/writing-a-substrate/tube-grid';

const text = fs.readFileSync(path.join(ROOT, 'docs/writing-a-substrate.md'), 'utf8');
const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected it to throw');
};
/** The doc quotes `message` as a block of its own. */
const quoted = (message: string) => expect(text).toContain('```\n' + message + '\n```');

const heatTask = { kind: 'regression', features: 2, outputs: 2, inputs: { encoding: 'current' } };

describe('docs/writing-a-substrate.md', () => {
  it('the tube grid (θ a radius, w = C θ⁴) passes every conformance check that applies', () => {
    const rng = new Rng(3);
    const fixtures = [gridTopology(4, 3, { inputs: 2, outputs: 2 }), gridTopology(5, 4, { inputs: 2, outputs: 1 })].map((topology, i) => {
      const grid = new TubeGrid(topology, Float64Array.from(topology.graph.from, () => rng.uniform(1e-3, 3e-3)));
      return { label: `tube grid ${i}`, substrate: grid, drive: grid.drive(Array.from(grid.boundary.inputs, () => 1e-6 * rng.normal())) };
    });
    for (const check of substrateChecks.filter((c) => !c.requires || c.requires.capability === 'linear')) runCheck(check, fixtures);
  });

  it("a codec of one's own says its schema with withSchema; numberWhere takes its bounds", () => {
    const positive = { description: 'a positive number', type: 'number', exclusiveMinimum: 0 };
    expect(jsonSchemaOf(perTube)).toEqual({ description: 'a positive number (or one per tube)', anyOf: [positive, { type: 'array', items: positive, minItems: 1 }] });
    expect(jsonSchemaOf(jitter)).toEqual({ description: 'a jitter in [0, 0.5)', type: 'number', minimum: 0, exclusiveMaximum: 0.5 });
    expect([perTube.is(2), perTube.is([1, 2]), perTube.is([]), perTube.is(-1), jitter.is(0.5)]).toEqual([true, true, false, false, false]);
  });

  it('the codec and the check across fields report what the doc quotes', () => {
    quoted(messageOf(() => createExperiment({ substrate: { kind: 'acme/heat-grid', width: 0, heigth: 4 }, task: heatTask, error: { kind: 'adjoint' } }, [heatPlugin])));
    quoted(messageOf(() => createExperiment({ substrate: { kind: 'acme/heat-grid', width: 4, height: 3, conductance: { min: 2 } }, task: heatTask, error: { kind: 'adjoint' } }, [heatPlugin])));
  });

  it('registration: a kind that is not kebab-case, a kind registered twice, ports that do not fit the task', () => {
    const kebab = messageOf(() => createRegistries([definePlugin(({ bind }) => bindSubstrate(bind, { ...heatGridRecord, kind: 'Acme_Heat' }))]));
    quoted(kebab);
    const twice = messageOf(() => createRegistries([heatPlugin, definePlugin(({ bind }) => bindSubstrate(bind, heatGridRecord))]));
    expect(text).toContain('`' + twice + '`');
    // a record that builds its own port counts, whatever the task asks for
    const fixed = definePlugin(({ bind }) =>
      bindSubstrate(bind, { ...heatGridRecord, create: (s, context) => heatGridRecord.create(s, { ...context, inputs: { count: 2, type: 'flow' }, outputs: { count: 2 } }) }),
    );
    const ports = messageOf(() => createExperiment({ substrate: { kind: 'acme/heat-grid', width: 6, height: 4 }, task: { kind: 'iris' }, error: { kind: 'adjoint' } }, [fixed]));
    expect(ports).toBe('invalid configuration\n  substrate: the network has 2 inputs and 2 outputs, but task \'iris\' needs 9 inputs and 3 outputs');
    expect(text).toContain("`substrate: the network has 2 inputs and 2 outputs, but task 'iris' needs 9 inputs and 3 outputs`");
  });

  it('use it: 38 conductances, heaters named heater1 and heater2, and the losses the doc prints', () => {
    let snippet: { history: { trainLoss: number }[]; summary: { final_loss: number }; substrate: Substrate } | undefined;
    const out = printed(() => (snippet = require('./doc-snippets/writing-a-substrate/use-it')));
    const { history, summary, substrate } = snippet!;
    // what it prints, against the comments of the doc's snippet: "38 [ 'heater1', 'heater2' ]" and "0.2294... 0.0408..."
    expect(out).toMatch(/^38 \[ 'heater1', 'heater2' \]\n0\.2294\d* 0\.0408\d*\n$/);
    expect(substrate.parameters.length).toBe(38);
    expect(substrate.boundary.inputs.map((p) => p.name)).toEqual(['heater1', 'heater2']);
    expect(String(history[0].trainLoss)).toMatch(/^0\.2294/);
    expect(String(summary.final_loss)).toMatch(/^0\.0408/);
  });

  it('without its plugin the kind is unknown; without linear it cannot pair with the chemical mechanism', () => {
    quoted(messageOf(() => createExperiment({ substrate: { kind: 'acme/heat-grid', width: 6, height: 4 }, task: heatTask, error: { kind: 'adjoint' } }, [])));
    const diodeGrid = definePlugin(({ bind }) => bindSubstrate(bind, { ...heatGridRecord, kind: 'acme/diode-grid', capabilities: ['scalar-potential'] }));
    quoted(messageOf(() => createExperiment({ substrate: { kind: 'acme/diode-grid', width: 6, height: 4 }, task: heatTask, error: { kind: 'chemical' } }, [diodeGrid, chemicalPlugin])));
  });

  it('conformance: a reversed error reading is caught by name, and a skip needs a known id and a reason', () => {
    const rng = new Rng(5);
    const topology = gridTopology(4, 3, { inputs: 2, outputs: 2 });
    const grid = new HeatGridSubstrate(topology, 'flow', Float64Array.from(topology.graph.edgeNames, () => rng.uniform(0.5, 1.5)), { min: 1e-3, max: 100 });
    const reversed = Object.create(grid);
    reversed.errorReadings = (s: Float64Array, u: Float64Array) => grid.errorReadings(s, u).map((x) => -x);
    const check = substrateChecks.find((c) => c.id === 'parameter-derivative')!;
    const failure = messageOf(() => runCheck(check, [{ label: '4x3 grid, heaters', substrate: reversed, drive: randomDrive(grid, rng) }]));
    expect(text).toContain(`  ConformanceFailure: ${failure}\n`);
    const unknown = messageOf(() => runSubstrateConformance('acme/diode-grid', () => [], { skip: [{ id: 'symmetry', reason: 'x' }] }));
    const reasonless = messageOf(() => runSubstrateConformance('acme/diode-grid', () => [], { skip: [{ id: 'superposition', reason: '' }] }));
    quoted(`${unknown}\n${reasonless}`);
  });

  it('a network file: gradient reads it in its own terms, by the adjoint and by finite differences alike; results write it back', () => {
    const registries = createRegistries([corePlugin, ...CLI_PLUGINS, heatFilePlugin]);
    const plate = /\$ cat plate\.heat\n([\s\S]*?)\$ npx multimech gradient plate\.heat --plugin \.\/heat-files --target b=0\.5\n/.exec(text)![1];
    const targets = [{ node: 'b', value: 0.5 }];
    const exact = networkGradient(registries, plate, 'plate.heat', targets, { method: 'adjoint' });
    quoted(gradientTable(exact));
    const fd = networkGradient(registries, plate, 'plate.heat', targets, { method: 'finite-difference' });
    expect(fidelity(fd.gradient, exact.gradient).relativeError).toBeLessThan(1e-9);
    const bad = messageOf(() => heatNetworkFile.read('link k1 a b -1\n', 'bad.heat', []));
    expect(text).toContain('`' + bad + '`');
    const written = heatResults.networkFile!.write(heatNetworkFile.read(plate, 'plate.heat', ['b']).substrate, 'trained')!;
    const again = heatNetworkFile.read(written, 'network.heat', ['b']).substrate;
    expect(Array.from(again.parameters)).toEqual([0.8, 1.5, 0.5, 2, 1.2]);
    expect(again.boundary.inputs.map((p) => p.name)).toEqual(['heater1']);
  });
});
