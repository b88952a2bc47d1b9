import { SettingsError, type At, type Carrier, type SectionName } from '@multimech/core';
import type { FrequencyErrorSettings } from './frequency-error-config';
import { wholeCycles } from './lock-in';

/** When and how often a frequency-propagation run samples, checked against PHYSICS.md §3.3. */
export interface FrequencyPlan {
  /** f₁ in Hz, 0 for a DC activation. */
  readonly activationFrequency: number;
  /** f₂ in Hz. */
  readonly errorFrequency: number;
  /** The lock-in window T in seconds. */
  readonly window: number;
  /** f₁·T and f₂·T, whole numbers. */
  readonly activationCycles: number;
  readonly errorCycles: number;
  /** N, samples over the window: samplesPerPeriod per period of the highest frequency. */
  readonly samples: number;
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/** The smallest q ≤ limit for which q·ratio is whole, if any. */
function smallestWholeMultiple(ratio: number, limit = 10000): number | undefined {
  for (let q = 1; q <= limit; q++) if (wholeCycles(ratio, q) !== undefined) return q;
  return undefined;
}

/**
 * The window and sample count of a run, or a SettingsError naming the
 * settings at fault: the window (`periods` periods of the activation carrier,
 * or of the error signal for a DC activation) must hold whole periods of
 * both frequencies; the two frequencies must differ; in transient mode the
 * samples must be dense enough that no harmonic aliases (N > 2(f₁+f₂)T).
 * Where the substrate is not linear, no low-order intermodulation product
 * n·f₁ ± m·f₂ (n + m ≤ 3) may land on f₁ or f₂ (§3.3); for a linear one
 * the signals superpose and only f₁ ≠ f₂ matters.
 */
export function planFrequencies(
  carrier: Carrier,
  settings: FrequencyErrorSettings,
  options: { readonly linear?: boolean } = {},
): FrequencyPlan {
  const f2 = settings.frequency;
  const f1 = carrier.type === 'ac' ? carrier.frequency : 0;
  const fail = (key: string, message: string | ((at: At) => string), section: SectionName = 'error'): never => {
    throw new SettingsError([{ section, key, message }]);
  };
  if (!(Number.isFinite(f1) && f1 >= 0)) fail('frequency', `expected a positive number of Hz, got ${f1}`, 'activation');
  if (!(Number.isFinite(f2) && f2 > 0)) fail('frequency', `expected a positive number of Hz, got ${f2}`);
  if (f1 > 0 && Math.abs(f2 - f1) <= 1e-9 * f1) {
    fail(
      'frequency',
      (at) =>
      `the error frequency ${fmt(f2)} Hz equals the activation frequency ${fmt(f1)} Hz (${at('frequency', 'activation')}): ` +
        `a lock-in cannot tell the two signals apart; choose different frequencies (e.g. ${fmt(f1)} Hz and ${fmt(1.7 * f1)} Hz)`,
    );
  }
  if (f1 > 0 && options.linear === false) {
    for (let n = 0; n <= 3; n++) {
      for (let m = 0; m + n <= 3; m++) {
        if (n + m < 2) continue;
        for (const product of [n * f1 + m * f2, Math.abs(n * f1 - m * f2)]) {
          for (const [name, f] of [['activation', f1], ['error', f2]] as const) {
            if (Math.abs(product - f) <= 1e-9 * f) {
              fail(
                'frequency',
                `on a non-linear substrate the intermodulation product ${n}·${fmt(f1)} Hz ${product === n * f1 + m * f2 ? '+' : '−'} ${m}·${fmt(f2)} Hz ` +
                  `lands on the ${name} frequency ${fmt(f)} Hz; choose frequencies with no low-order relation (e.g. ${fmt(f1)} Hz and ${fmt(1.7 * f1)} Hz)`,
              );
            }
          }
        }
      }
    }
  }

  const periods = settings.periods;
  const reference = f1 > 0 ? f1 : f2;
  const window = periods / reference;
  const activationCycles = f1 > 0 ? periods : 0;
  const errorCyclesExact = f1 > 0 ? (periods * f2) / f1 : periods;
  const errorCycles = wholeCycles(errorCyclesExact, 1);
  if (errorCycles === undefined) {
    const q = smallestWholeMultiple(f2 / f1);
    const suggestion = (at: At) =>
      q === undefined
        ? `no window of up to 10000 activation periods holds whole periods of both; choose frequencies with a simple ratio (e.g. ${fmt(f1)} Hz and ${fmt(1.7 * f1)} Hz)`
        : `use ${at('periods')} = ${q * Math.max(1, Math.round(periods / q))} (T = ${fmt((q * Math.max(1, Math.round(periods / q))) / f1)} s; any multiple of ${q} works)`;
    fail(
      'periods',
      (at) =>
      `a window of ${periods} periods of the ${fmt(f1)} Hz activation (T = ${fmt(window)} s) holds ${fmt(errorCyclesExact)} periods of the ` +
        `${fmt(f2)} Hz error signal; the window must hold a whole number of periods of both ${fmt(f1)} Hz and ${fmt(f2)} Hz: ${suggestion(at)}`,
    );
  }
  const k2 = errorCycles as number;
  const samples = settings.samplesPerPeriod * Math.max(activationCycles, k2);
  if (settings.mode === 'transient' && !(samples > 2 * (activationCycles + k2))) {
    const minimum = Math.floor((2 * (activationCycles + k2)) / Math.max(activationCycles, k2)) + 1;
    fail(
      'samplesPerPeriod',
      `${settings.samplesPerPeriod} samples per period of ${fmt(Math.max(f1, f2))} Hz give N = ${samples} samples over T = ${fmt(window)} s, ` +
        `but harmonics of ${f1 > 0 ? `${fmt(f1)} Hz + ` : ''}${fmt(f2)} Hz alias unless N > 2(f₁+f₂)T = ${2 * (activationCycles + k2)}: use at least ${minimum}`,
    );
  }
  return { activationFrequency: f1, errorFrequency: f2, window, activationCycles, errorCycles: k2, samples };
}
