/** Defaults shown in --help: kept apart so that printing help loads none of the pipeline. */
export const DEFAULT_GUIDELINE = '2020.06';
export const DEFAULT_REFSTACK_URL = 'https://refstack.openstack.org/api';

/**
 * The defaults of the run's options, written here only: commander applies them to the command line
 * (src/cli.ts, which --help shows) and `tcup demo` runs with them (src/commands/demo.ts).
 */
export const RUN_DEFAULTS = {
  guideline: DEFAULT_GUIDELINE,
  target: 'platform',
  type: 'required',
  network: 'host',
  refstackUrl: DEFAULT_REFSTACK_URL,
} as const;

declare const __TCUP_VERSION__: string | undefined;
/** tcup's version: package.json's, set by the build (`0.1.0-dev` when run from the checkout). */
export const TCUP_VERSION = typeof __TCUP_VERSION__ === 'string' ? __TCUP_VERSION__ : '0.1.0-dev';
