import { bindErrorMechanism, definePlugin } from '@multimech/core';
import { chemicalErrorRecord } from './chemical-error';

/** Registers the chemical error mechanism (`chemical`); it runs on substrates with the 'transport' and 'linear' capabilities. */
export const chemicalPlugin = definePlugin(({ bind }) => {
  bindErrorMechanism(bind, chemicalErrorRecord);
}, '@multimech/chemical');
