import { bindTask, definePlugin } from '@multimech/core';
import { allosteryTaskRecord } from './tasks/allostery-task';
import { imagesTaskRecord } from './tasks/images-task';
import { irisTaskRecord } from './tasks/iris-task';
import { regressionTaskRecord } from './tasks/regression-task';
import { tableTaskRecord } from './tasks/table-task';

/** The built-in tasks: Iris, regression against a teacher, allostery, images (IDX files), and tables of a researcher's own data. */
export const trainerPlugin = definePlugin(({ bind }) => {
  bindTask(bind, irisTaskRecord);
  bindTask(bind, regressionTaskRecord);
  bindTask(bind, allosteryTaskRecord);
  bindTask(bind, imagesTaskRecord);
  bindTask(bind, tableTaskRecord);
}, '@multimech/trainer');
