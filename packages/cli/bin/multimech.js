#!/usr/bin/env node
'use strict';
require('reflect-metadata');
require('../dist/main.js').run(process.argv);
