import * as t from 'io-ts';
import type { ActivationMechanism, ActivationRecord } from '../contracts/activation-mechanism';
import { type ConfigOf, type WrittenSection, strictObject } from '../config/codecs';

/** The inputs held at DC: each edge reads its drop in the free equilibrium. */
export const dcActivation: ActivationMechanism = {
  kind: 'dc',
  carrier: { type: 'dc' },
  activate(substrate, drive) {
    const state = substrate.equilibrium(drive);
    return { drive, carrier: { type: 'dc' }, state, readings: substrate.activationReadings(state) };
  },
};

export const dcActivationRecord: ActivationRecord<{}> = {
  kind: 'dc',
  description: 'inputs applied as static (DC) drives; each edge reads its equilibrium drop',
  configCodec: strictObject('a DC activation ({ "kind": "dc" })', {}) as t.Type<{}, unknown, unknown>,
  requires: [],
  create: () => dcActivation,
};

/** The `activation` section of the DC activation as written (`{ "kind": "dc" }`: no settings). */
export type DcActivationSection = WrittenSection<'dc', ConfigOf<typeof dcActivationRecord.configCodec>>;
