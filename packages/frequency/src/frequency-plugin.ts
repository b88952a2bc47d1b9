import { bindActivation, bindErrorMechanism, definePlugin } from '@multimech/core';
import { acActivationRecord } from './ac-activation';
import { frequencyErrorRecord } from './frequency-error';

/** Registers the AC activation (`ac`) and the frequency error mechanism (`frequency`). */
export const frequencyPlugin = definePlugin(({ bind }) => {
  bindActivation(bind, acActivationRecord);
  bindErrorMechanism(bind, frequencyErrorRecord);
});
