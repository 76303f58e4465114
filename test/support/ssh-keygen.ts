/** Whether OpenSSH's ssh-keygen is on PATH (.ci/run installs it; a laptop may not have it). */
import { execFileSync } from 'node:child_process';

export const hasSshKeygen = (() => {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { code?: string }).code !== 'ENOENT';
  }
})();
