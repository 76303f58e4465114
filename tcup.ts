#!/usr/bin/env node
// tcup: Tempest in a Container, Upload from Probe. See src/cli.ts.
import { runFromProcess } from './src/cli.js';

runFromProcess();
