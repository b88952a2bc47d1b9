import {
  ConfigError,
  MultimechError,
  Rng,
  corePlugin,
  createRegistries,
  dcActivation,
  decodePluginSections,
  decodeSection,
  sectionProblems,
  exampleGradient,
  mseLoss,
  productRule,
  randomTopology,
  type ConfigProblem,
} from '@multimech/core';
import { flowPlugin } from '@multimech/flow';
import { resistiveFromTopology, resistivePlugin } from '@multimech/resistive';
import { trainerPlugin } from '@multimech/trainer';
import { chemicalErrorRecord, chemicalPlugin, createChemicalError } from '../src';

const registries = createRegistries([corePlugin, trainerPlugin, flowPlugin, resistivePlugin, chemicalPlugin]);

const decodeError = (section: Record<string, unknown>): ConfigProblem[] => sectionProblems(registries.errors, section, 'error');

/** The message a call throws (fails the test when it throws nothing). */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, but nothing was thrown');
}

describe('chemical plugin registration and config decoding', () => {
  it('registers the chemical error mechanism, requiring transport and linear, producing product readings', () => {
    expect(registries.errors.kinds()).toEqual(['adjoint', 'chemical']);
    expect(chemicalErrorRecord.requires).toEqual(['transport', 'linear']);
    expect(chemicalErrorRecord.produces).toBe('product');
  });

  it('fills in the defaults and decodes a full section', () => {
    expect(createChemicalError().settings).toEqual({
      lambda: 1,
      gamma: 1,
      baseline: 0,
      diffusivity: 'conductance',
      advection: false,
      species: 'one',
      nonNegative: 'report',
    });
    const problems: ConfigProblem[] = [];
    const section = decodeSection(
      registries.errors,
      {
        kind: 'chemical',
        lambda: 0.5,
        gamma: 2,
        baseline: 3,
        diffusivity: 'area',
        advection: true,
        relaxation: { time: 4 },
        species: 'two',
        nonNegative: 'error',
      },
      'error',
      problems,
    );
    expect(problems).toEqual([]);
    expect(createChemicalError(section!.config as object).settings).toEqual({
      lambda: 0.5,
      gamma: 2,
      baseline: 3,
      diffusivity: 'area',
      advection: true,
      relaxation: { time: 4, steps: 50, volumes: 'unit' },
      species: 'two',
      nonNegative: 'error',
    });
  });

  it('refuses bad values and unknown keys, each with its config path', () => {
    expect(decodeError({ kind: 'chemical', lambda: 0 })).toEqual([{ path: 'error.lambda', message: 'expected a positive number, got 0' }]);
    expect(decodeError({ kind: 'chemical', gamma: -2 })).toEqual([{ path: 'error.gamma', message: 'expected a positive number, got -2' }]);
    expect(decodeError({ kind: 'chemical', baseline: 'high' })).toEqual([{ path: 'error.baseline', message: 'expected a finite number, got "high"' }]);
    expect(decodeError({ kind: 'chemical', diffusivity: 'volume' })).toEqual([
      { path: 'error.diffusivity', message: "expected one of 'conductance', 'area', got \"volume\"" },
    ]);
    expect(decodeError({ kind: 'chemical', species: 3 })[0].path).toBe('error.species');
    expect(decodeError({ kind: 'chemical', advection: 'upwind' })[0].path).toBe('error.advection');
    expect(decodeError({ kind: 'chemical', relaxation: { time: 0 } })).toEqual([{ path: 'error.relaxation.time', message: 'expected a positive number, got 0' }]);
    expect(decodeError({ kind: 'chemical', relaxation: { time: 1, steps: 2.5 } })).toEqual([
      { path: 'error.relaxation.steps', message: 'expected a positive integer, got 2.5' },
    ]);
    expect(decodeError({ kind: 'chemical', relaxation: {} })[0].path).toBe('error.relaxation.time');
    expect(decodeError({ kind: 'chemical', beta: 1 })[0]).toEqual({ path: 'error.beta', message: expect.stringMatching(/^unknown key \(known keys: lambda, gamma, baseline/) });
    // Direct library use refuses the same values with the same paths.
    expect(thrown(() => createChemicalError({ lambda: -1 }))).toBeInstanceOf(ConfigError);
    expect(thrown(() => createChemicalError({ lambda: -1 })).message).toMatch(/error\.lambda: expected a positive number, got -1/);
  });

  it('is refused at decoding on a resistive substrate, naming chemical, resistive and transport', () => {
    const error = thrown(() =>
      decodePluginSections(
        {
          substrate: { kind: 'resistive', network: { generator: 'grid', width: 3, height: 3 } },
          task: { kind: 'regression' },
          error: { kind: 'chemical' },
        },
        registries,
      ),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      {
        path: 'error.kind',
        message: "error mechanism 'chemical' cannot run on substrate 'resistive': it needs 'transport', which substrate 'resistive' does not provide",
      },
    ]);
    expect(error.message).toContain("'chemical'");
    expect(error.message).toContain("'resistive'");
    expect(error.message).toContain("'transport'");
    // The same config on a flow network decodes.
    expect(() =>
      decodePluginSections(
        { substrate: { kind: 'flow', network: { generator: 'grid', width: 3, height: 3 } }, task: { kind: 'regression' }, error: { kind: 'chemical' } },
        registries,
      ),
    ).not.toThrow();
  });

  it('refuses to measure on a substrate without transport when used directly, with a clear error and no NaN', () => {
    const rng = new Rng(3);
    const topology = randomTopology(8, 3, { inputs: 1, outputs: 1 }, rng);
    const substrate = resistiveFromTopology(topology, 'flow', { conductances: new Float64Array(topology.graph.from.length).fill(1), bounds: { min: 1e-3, max: 1e3 } });
    const pipeline = { substrate, activation: dcActivation, error: createChemicalError(), rule: productRule, loss: mseLoss, rng };
    const error = thrown(() => exampleGradient(pipeline, substrate.drive([1]), [0.2]));
    expect(error).toBeInstanceOf(MultimechError);
    expect(error.message).toBe("error mechanism 'chemical' needs a substrate with the 'transport' capability; 'resistive' does not provide it");
  });
});
