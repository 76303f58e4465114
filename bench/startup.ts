/** Start-up time of a command: one warm-up, then `runs` timed runs; the median and every sample. */
import { median, runTimed } from './timed-process.js';

export interface StartupResult {
  medianMs: number;
  samplesMs: number[];
}

export async function measureStartup(args: string[], cwd: string, runs = 10): Promise<StartupResult> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd };
  const once = async () => {
    const run = await runTimed(process.execPath, args, { cwd, env, timeoutMs: 30_000 });
    if (run.code !== 0) throw new Error(`node ${args.join(' ')} exited with ${run.code ?? run.signal}`);
    return run.wallMs;
  };
  await once();
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) samplesMs.push(await once());
  return { medianMs: median(samplesMs), samplesMs };
}
