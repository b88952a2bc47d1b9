import { bindTask, definePlugin } from '@multimech/core';
import { allosteryTaskRecord } from './tasks/allostery-task';
import { imagesTaskRecord } from './tasks/images-task';
import { irisTaskRecord } from './tasks/iris-task';
import { regressionTaskRecord } from './tasks/regression-task';

/** The built-in tasks: Iris, linear regression, allostery and images (IDX files). */
export const trainerPlugin = definePlugin(({ bind }) => {
  bindTask(bind, irisTaskRecord);
  bindTask(bind, regressionTaskRecord);
  bindTask(bind, allosteryTaskRecord);
  bindTask(bind, imagesTaskRecord);
}, '@multimech/trainer');
