/**
 * Preloaded (node -r) by scripts/bench-startup.js into a run of the built
 * `multimech`: it writes one JSON line on file descriptor 3, which the
 * benchmark opens as a pipe, `{"ms": time since the process started,
 * "mathjs": whether mathjs is loaded, "at": "epoch" | "exit"}`, at the first
 * epoch line that `train` writes on stderr (the first epoch event: epoch 0,
 * the figures of the parameters before training), or else when the process
 * exits (`--help`). The command itself is left as it is; without fd 3 open,
 * the probe does nothing.
 */
'use strict';

const fs = require('fs');
const path = require('path');

const MATHJS = `${path.sep}node_modules${path.sep}mathjs${path.sep}`;
let reported = false;

function report(at) {
  if (reported) return;
  reported = true;
  const ms = performance.now();
  const mathjs = Object.keys(require.cache).some((f) => f.includes(MATHJS));
  try {
    fs.writeSync(3, JSON.stringify({ ms, mathjs, at }) + '\n');
  } catch {
    // no benchmark listening
  }
}

const write = process.stderr.write;
process.stderr.write = function (chunk, ...rest) {
  if (/^epoch \d+\//.test(String(chunk))) report('epoch');
  return write.call(this, chunk, ...rest);
};
process.on('exit', () => report('exit'));
