/**
 * A vitest reporter for scripts/test.mjs: each test file's whole wall time, from its start to its end,
 * set-up hooks included (vitest's JSON report times a file from its first test's start to its last
 * test's end, so a file whose beforeAll does the work, as the compute e2e's does, read 10 s for 17
 * minutes). Writes `[{ name, seconds, status }]` to the file TCUP_FILE_TIMES names, when the run ends.
 */
import { writeFileSync } from 'node:fs';

export default class FileTimes {
  started = new Map();
  files = [];

  onTestModuleQueued(module) {
    this.started.set(module.moduleId, Date.now());
  }

  onTestModuleEnd(module) {
    const from = this.started.get(module.moduleId) ?? Date.now();
    this.files.push({ name: module.moduleId, seconds: (Date.now() - from) / 1000, status: module.state() });
  }

  onTestRunEnd() {
    if (process.env.TCUP_FILE_TIMES) writeFileSync(process.env.TCUP_FILE_TIMES, JSON.stringify(this.files));
  }
}
