// docs/writing-a-mechanism.md, "The mechanism conformance suite": the code between "snippet start" and "snippet end" is the doc's, word for word; test/writing-a-mechanism.test.ts runs it.
// snippet start
import { corePlugin, createRegistries } from '@multimech/core';
import { runMechanismConformance } from '@multimech/conformance';
import { nudgeErrorRecord, nudgePlugin } from './nudge-plugin';

runMechanismConformance('acme/nudge', {
  record: nudgeErrorRecord,
  registries: createRegistries([corePlugin, nudgePlugin]),
  claims: [{ label: 'one-sided nudge: the error falls as β', knob: 'beta', values: [0.1, 0.03, 0.01, 0.003], order: 1 }],
});
// snippet end
