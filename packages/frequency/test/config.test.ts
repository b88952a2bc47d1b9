import {
  ConfigError,
  Rng,
  compatibilityProblems,
  corePlugin,
  createRegistries,
  dcActivation,
  decodeSection,
  sectionProblems,
  exampleGradient,
  mseLoss,
  productRule,
  productRuleRecord,
  strictObject,
  type ActivationRecord,
  type ConfigProblem,
  type ErrorRecord,
  type RuleRecord,
  type Substrate,
  type SubstrateRecord,
  placeProblems,
} from '@multimech/core';
import { acActivationRecord, createAcActivation, createFrequencyError, frequencyErrorRecord, frequencyPlugin, resolveFrequencyErrorConfig } from '../src';
import { randomNetwork } from './networks';

const registries = createRegistries([corePlugin, frequencyPlugin]);

const decodeError = (section: Record<string, unknown>): ConfigProblem[] => sectionProblems(registries.errors, section, 'error');

/** The ConfigError a call throws (fails the test when it throws nothing or something else). */
function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('frequency plugin registration and config decoding', () => {
  it('registers the ac activation, the frequency error mechanism and the time-average rule (any substrate: what needs a linear network is checked on it)', () => {
    expect(registries.activations.kinds()).toEqual(['ac', 'dc']);
    expect(registries.errors.kinds()).toEqual(['adjoint', 'frequency']);
    expect(registries.rules.kinds()).toEqual(['product', 'time-average']);
    expect(acActivationRecord.requires).toEqual([]);
    expect(frequencyErrorRecord.requires).toEqual([]);
    expect(frequencyErrorRecord.produces).toBe('product');
  });

  it('takes frequencies with their unit', () => {
    expect(createFrequencyError({ frequency: '1.7 kHz' }).settings.frequency).toBe(1700);
    expect(createAcActivation({ frequency: '2 kHz' }).carrier.frequency).toBe(2000);
    expect(() => createFrequencyError({ frequency: '1 kohm' })).toThrow('error.frequency: expected a frequency in Hz (such as "1.7 kHz"), got a resistance, "1 kohm"');
  });

  it('decodes a full frequency section and an ac section', () => {
    const problems: ConfigProblem[] = [];
    const error = decodeSection(
      registries.errors,
      { kind: 'frequency', frequency: 1500, amplitude: 0.01, mode: 'transient', periods: 4, samplesPerPeriod: 16, noise: 0.001, seed: 3 },
      'error',
      problems,
    );
    const activation = decodeSection(registries.activations, { kind: 'ac', frequency: 500 }, 'activation', problems);
    expect(problems).toEqual([]);
    expect(createFrequencyError(error!.config as object).settings).toEqual({
      frequency: 1500,
      amplitude: 0.01,
      mode: 'transient',
      periods: 4,
      samplesPerPeriod: 16,
      readout: 'lock-in',
      noise: 0.001,
      seed: 3,
    });
    expect(acActivationRecord.create(activation!.config as object).carrier).toEqual({ type: 'ac', frequency: 500 });
    expect(createFrequencyError().settings).toEqual({ frequency: 1700, amplitude: 1e-3, mode: 'phasor', periods: 10, samplesPerPeriod: 32, readout: 'lock-in', noise: 0 });
    expect(createAcActivation().carrier).toEqual({ type: 'ac', frequency: 1000 });
  });

  it('refuses a negative or zero amplitude, bad numbers and unknown keys, each with its config path', () => {
    expect(decodeError({ kind: 'frequency', amplitude: -1 })).toEqual([{ path: 'error.amplitude', message: 'expected a positive number, got -1' }]);
    expect(decodeError({ kind: 'frequency', amplitude: 0 })).toEqual([{ path: 'error.amplitude', message: 'expected a positive number, got 0' }]);
    expect(decodeError({ kind: 'frequency', periods: 2.5 })).toEqual([{ path: 'error.periods', message: 'expected a positive integer, got 2.5' }]);
    expect(decodeError({ kind: 'frequency', noise: -0.1 })[0].path).toBe('error.noise');
    expect(decodeError({ kind: 'frequency', mode: 'spice' })).toEqual([{ path: 'error.mode', message: "expected one of 'phasor', 'small-signal', 'transient', got \"spice\"" }]);
    expect(decodeError({ kind: 'frequency', beta: 1 })[0]).toEqual({ path: 'error.beta', message: expect.stringMatching(/^unknown key \(known keys: frequency, amplitude/) });
    const problems: ConfigProblem[] = [];
    decodeSection(registries.activations, { kind: 'ac', frequency: -50 }, 'activation', problems);
    expect(problems).toEqual([{ path: 'activation.frequency', message: 'expected a positive frequency in Hz (a number, or a string with its unit such as "1.7 kHz"), got -50' }]);
    // Direct library use refuses the same values, with the same paths.
    expect(configError(() => createFrequencyError({ amplitude: -1 })).message).toMatch(/error\.amplitude: expected a positive number, got -1/);
    expect(configError(() => createAcActivation({ frequency: 0 })).message).toMatch(/activation\.frequency: expected a positive frequency in Hz .*, got 0/);
  });

  it('refuses a window that does not hold whole periods of both frequencies, naming both and suggesting one that does', () => {
    const e = configError(() => createFrequencyError({ frequency: 1250, periods: 10 }).plan({ type: 'ac', frequency: 1000 }));
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0].path).toBe('error.periods');
    expect(e.problems[0].message).toBe(
      'a window of 10 periods of the 1000 Hz activation (T = 0.01 s) holds 12.5 periods of the 1250 Hz error signal; ' +
        'the window must hold a whole number of periods of both 1000 Hz and 1250 Hz: use error.periods = 12 (T = 0.012 s; any multiple of 4 works)',
    );
    // The suggestion works.
    const ok = createFrequencyError({ frequency: 1250, periods: 12 }).plan({ type: 'ac', frequency: 1000 });
    expect(ok).toEqual({ activationFrequency: 1000, errorFrequency: 1250, window: 0.012, activationCycles: 12, errorCycles: 15, samples: 480 });
    // Frequencies with no usable common period.
    expect(configError(() => createFrequencyError({ frequency: 1000 * Math.SQRT2 }).plan({ type: 'ac', frequency: 1000 })).message).toMatch(
      /error\.periods: .*no window of up to 10000 activation periods holds whole periods of both/,
    );
  });

  it('refuses the same frequency for both signals, and accepts a DC activation with any error frequency', () => {
    const e = configError(() => createFrequencyError({ frequency: 1000 }).plan({ type: 'ac', frequency: 1000 }));
    expect(e.problems[0].path).toBe('error.frequency');
    expect(e.problems[0].message).toMatch(/error frequency 1000 Hz equals the activation frequency 1000 Hz \(activation\.frequency\): a lock-in cannot tell the two signals apart/);
    const dc = createFrequencyError({ frequency: 1234.5, periods: 3, mode: 'transient', samplesPerPeriod: 3 }).plan({ type: 'dc' });
    expect(dc.activationFrequency).toBe(0);
    expect(dc.errorCycles).toBe(3);
    expect(dc.window).toBeCloseTo(3 / 1234.5, 15);
    expect(dc.samples).toBe(9);
  });

  it('refuses a sample rate at which harmonics alias, saying how many samples per period are needed', () => {
    const e = configError(() => createFrequencyError({ mode: 'transient', samplesPerPeriod: 3 }).plan({ type: 'ac', frequency: 1000 }));
    expect(e.problems[0].path).toBe('error.samplesPerPeriod');
    expect(e.problems[0].message).toMatch(/3 samples per period of 1700 Hz give N = 51 samples over T = 0.01 s, but .* alias unless N > 2\(f₁\+f₂\)T = 54: use at least 4/);
    expect(createFrequencyError({ mode: 'transient', samplesPerPeriod: 4 }).plan({ type: 'ac', frequency: 1000 }).samples).toBe(68);
    expect(() => createFrequencyError({ mode: 'transient', samplesPerPeriod: 2 }).plan({ type: 'dc' })).toThrow(/error\.samplesPerPeriod: .*use at least 3/);
  });

  it('refuses intermodulation clashes on a non-linear substrate only', () => {
    const mechanism = createFrequencyError({ frequency: 2000 });
    expect(mechanism.plan({ type: 'ac', frequency: 1000 }, true).errorCycles).toBe(20);
    expect(configError(() => mechanism.plan({ type: 'ac', frequency: 1000 }, false)).message).toMatch(
      /error\.frequency: on a non-linear substrate the intermodulation product 1·1000 Hz − 1·2000 Hz lands on the activation frequency 1000 Hz/,
    );
  });

  it('raises the window and ω₁ = ω₂ errors when a run is measured, not as a NaN', () => {
    const net = randomNetwork(5, { nodes: 6, meanDegree: 3, inputs: 1, outputs: 1, inputType: 'flow' });
    const pipeline = (frequency: number) => ({
      substrate: net.substrate,
      activation: createAcActivation({ frequency }),
      error: createFrequencyError({ frequency: 1250 }),
      rule: productRule,
      loss: mseLoss,
      rng: new Rng(1),
    });
    expect(() => exampleGradient(pipeline(1000), net.drive, net.target)).toThrow(/error\.periods: a window of 10 periods/);
    expect(() => exampleGradient(pipeline(1250), net.drive, net.target)).toThrow(/error\.frequency: the error frequency 1250 Hz equals/);
    expect(exampleGradient({ ...pipeline(1000), activation: dcActivation }, net.drive, net.target).gradient.every(Number.isFinite)).toBe(true);
  });

  it('refuses the lock-in product with an AC activation on a network that is not linear, on the network as built; the DC activation is accepted', () => {
    const diode: SubstrateRecord = {
      kind: 'acme/diode-network',
      description: 'a non-linear test record',
      configCodec: strictObject('a diode network', {}) as SubstrateRecord['configCodec'],
      capabilities: ['scalar-potential'],
      create: () => {
        throw new Error('not used');
      },
    };
    // the records agree (nothing the kind lacks is required) ...
    expect(compatibilityProblems(diode, acActivationRecord as ActivationRecord, frequencyErrorRecord as ErrorRecord, productRuleRecord as RuleRecord)).toEqual([]);
    // ... and the network as built refuses the AC activation with the lock-in readout, pointing at the time-series readout
    const built = { kind: 'acme/diode-network', capabilities: new Set(['scalar-potential']) } as unknown as Substrate;
    const settings = (config: object) => resolveFrequencyErrorConfig(config);
    const problems = placeProblems(frequencyErrorRecord.check!(settings({}), createAcActivation(), built));
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe('activation.kind');
    expect(problems[0].message).toMatch(/needs a DC activation: with the inputs at 1000 Hz the product of the two lock-in coefficients is not the gradient there.*"readout": "time-series"/);
    expect(frequencyErrorRecord.check!(settings({ mode: 'small-signal' }), dcActivation, built)).toEqual([]);
    expect(frequencyErrorRecord.check!(settings({ mode: 'small-signal', readout: 'time-series' }), createAcActivation(), built)).toEqual([]);
  });
});

describe('frequency pairing is checked when the config is decoded', () => {
  it('refuses a window that does not hold whole periods of both, naming the path', () => {
    const { createRegistries, corePlugin, decodePluginSections } = require('@multimech/core');
    const { resistivePlugin } = require('@multimech/resistive');
    const { frequencyPlugin } = require('../src');
    const registries = createRegistries([corePlugin, resistivePlugin, frequencyPlugin]);
    let message = '';
    try {
      decodePluginSections(
        {
          substrate: { kind: 'resistive', network: { generator: 'grid', width: 3, height: 3 } },
          task: { kind: 'none' },
          activation: { kind: 'ac', frequency: 1000 },
          error: { kind: 'frequency', frequency: 1250, periods: 10 },
        },
        registries,
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/error\.periods: a window of 10 periods of the 1000 Hz activation/);
  });
});
