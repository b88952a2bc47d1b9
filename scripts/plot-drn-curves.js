#!/usr/bin/env node
/**
 * Test error against epoch, one line per mechanism, from what
 * scripts/train-drn.js printed (one log per mechanism, or one with several):
 *
 *   npx tsc -b && node scripts/plot-drn-curves.js --out docs/images/NAME LOG [LOG ...]
 *
 * writes NAME.svg and NAME.png, and prints the table of test error per
 * epoch (markdown) that the figure draws.
 */
'use strict';

const fs = require('fs');
const { renderChart } = require('../packages/cli');

const LINE = /^(.+?)\s+epoch (\d+)\s+train loss \S+\s+train error\s+\S+\s+test error ([\d.]+)%/;

/** The (mechanism, epoch, test error %) points of a train-drn log. */
function pointsOf(text) {
  const points = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (m) points.push({ mechanism: m[1].trim(), epoch: Number(m[2]), testError: Number(m[3]) });
  }
  return points;
}

async function main(args) {
  const o = args.indexOf('--out');
  if (o < 0 || args.length < o + 2) throw new Error('usage: node scripts/plot-drn-curves.js --out STEM LOG [LOG ...]');
  const stem = args[o + 1];
  const logs = args.filter((_, i) => i !== o && i !== o + 1);
  const points = logs.flatMap((f) => pointsOf(fs.readFileSync(f, 'utf8')));
  if (points.length === 0) throw new Error(`no epoch lines of scripts/train-drn.js in ${logs.join(', ')}`);
  const mechanisms = [...new Set(points.map((p) => p.mechanism))];
  const epochs = [...new Set(points.map((p) => p.epoch))].sort((a, b) => a - b);
  const shown = points.filter((p) => p.epoch > 0);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'DRN-XS on Fashion-MNIST: test error against epoch',
    background: 'white',
    config: { font: 'DejaVu Sans' },
    width: 480,
    height: 300,
    data: { values: shown },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'testError', type: 'quantitative', title: 'test error (%)', scale: { zero: false } },
      color: { field: 'mechanism', type: 'nominal', title: 'mechanism', legend: { labelLimit: 400 } },
      strokeDash: { field: 'mechanism', type: 'nominal' },
    },
  };
  const plot = await renderChart(spec, 1000);
  fs.writeFileSync(`${stem}.svg`, plot.svg);
  fs.writeFileSync(`${stem}.png`, plot.png);
  const at = (m, e) => points.find((p) => p.mechanism === m && p.epoch === e);
  console.log(`| epoch | ${mechanisms.join(' | ')} |`);
  console.log(`|---|${mechanisms.map(() => '---').join('|')}|`);
  for (const e of epochs) console.log(`| ${e} | ${mechanisms.map((m) => (at(m, e) ? `${at(m, e).testError.toFixed(2)}%` : '')).join(' | ')} |`);
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`plot-drn-curves: ${e.message}`);
  process.exit(1);
});
