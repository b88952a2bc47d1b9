import type { SubstrateFixture } from './substrate-fixture';

/**
 * What a mechanism claims about its estimate against the exact gradient,
 * as its knob moves: the declaration the mechanism suite's `exactness` and
 * `order` checks hold it to. A claim is data passed to the suite, not part
 * of the mechanism's record:
 *
 *     { label: 'centred: error ∝ β²', knob: 'beta', values: [1e-1, 1e-2, 1e-3], section: { variant: 'centred' }, order: 2 }
 *     { label: 'exact at any amplitude', knob: 'amplitude', values: [1e-6, 1, 1e3], exact: true }
 *
 * Each value is measured on every fixture: the section with `knob` set to
 * the value, decoded by the record's codec into settings, the mechanism
 * created from them, and one example run through core's `exampleGradient`.
 */
export interface FidelityClaim {
  /** Names the claim in the test title. */
  readonly label: string;
  /** The setting the claim is about, a key of the section; absent for a claim about the section as it is. */
  readonly knob?: string;
  /** The knob's values, ordered towards its limit: the last is the nearest. */
  readonly values?: readonly number[];
  /** Settings of this claim over the subject's section (a mode, a variant). */
  readonly section?: Readonly<Record<string, unknown>>;
  /** The networks of this claim (default: the subject's). */
  readonly fixtures?: () => SubstrateFixture[];
  /**
   * The estimate equals the reference to `tolerance`: at every value, or,
   * with an `order`, at the limit (the last value).
   */
  readonly exact?: boolean;
  /** The log-log slope of the error against the knob: 2 for an error ∝ β², 1 for ∝ β, −0.5 for ∝ T^−½. */
  readonly order?: number;
  /**
   * What the estimate is held to: core's adjoint through `exampleGradient`
   * (default), or core's `finiteDifferenceGradient` of the loss through the
   * equilibrium (for the adjoint itself).
   */
  readonly reference?: 'adjoint' | 'finite-differences';
  /**
   * 'gradient': the relative error ‖g − r‖/‖r‖ (default). 'direction': the
   * relative error of g scaled by the least-squares factor, the sine of the
   * angle between g and r, for a mechanism that claims the gradient's
   * direction only.
   */
  readonly compare?: 'gradient' | 'direction';
  /** Generator seeds averaged over at each value (default 1; more for a claim about noise). */
  readonly seeds?: number;
  /** `exact`: the largest error allowed (default 1e-8). */
  readonly tolerance?: number;
  /** `order`: the largest |slope − order| allowed (default 0.2). */
  readonly slopeTolerance?: number;
  /** `order`: an error at or below this is rounding, too small to fit a slope to (default 1e-11). */
  readonly floor?: number;
}
