import { bindActivation, bindErrorMechanism, bindRule, definePlugin } from '@multimech/core';
import { acActivationRecord } from './ac-activation';
import { frequencyErrorRecord } from './frequency-error';
import { timeAverageRuleRecord } from './time-average-rule';

/** Registers the AC activation (`ac`), the frequency error mechanism (`frequency`) and the `time-average` rule. */
export const frequencyPlugin = definePlugin(({ bind }) => {
  bindActivation(bind, acActivationRecord);
  bindErrorMechanism(bind, frequencyErrorRecord);
  bindRule(bind, timeAverageRuleRecord);
}, '@multimech/frequency');
