import * as t from 'io-ts';
import { type ConfigOf, type WrittenSection, strictObject } from '../config/codecs';
import { acOnNonlinearProblems, type ErrorMechanism, type ErrorRecord, type PhysicalCost } from '../contracts/error-mechanism';

/** The adjoint is computed, not measured: no physical time or energy; two linear solves per example, s* and u. */
export const ADJOINT_COST: PhysicalCost = {
  physical: false,
  solves: 2,
  note: 'not a physical mechanism: a digital computation (two linear solves per example: s*, then u = H⁻¹e)',
};

/**
 * The exact gradient, the digital reference (PHYSICS.md §2): the error
 * state u = H⁻¹ e, read on each edge as Δu. Every other error mechanism is
 * measured against this one.
 */
export const adjointError: ErrorMechanism = {
  kind: 'adjoint',
  produces: 'product',
  measure({ substrate, activation, errorForce }) {
    const [u] = substrate.linearResponse(activation.state, [errorForce]);
    return { readings: substrate.errorReadings(activation.state, u), cost: ADJOINT_COST };
  },
};

export const adjointErrorRecord: ErrorRecord<{}> = {
  kind: 'adjoint',
  description: 'exact gradient by the adjoint (error state u = H⁻¹e); the digital reference',
  configCodec: strictObject('an adjoint error mechanism ({ "kind": "adjoint" })', {}) as t.Type<{}, unknown, unknown>,
  requires: [],
  produces: 'product',
  create: () => adjointError,
  check: (_config, activation, substrate) => acOnNonlinearProblems('adjoint', activation, substrate),
};

/** The `error` section of the exact adjoint as written (`{ "kind": "adjoint" }`: no settings). */
export type AdjointErrorSection = WrittenSection<'adjoint', ConfigOf<typeof adjointErrorRecord.configCodec>>;
