/** Defaults shown in --help: kept apart so that printing help loads none of the pipeline. */
export const DEFAULT_GUIDELINE = '2020.06';
export const DEFAULT_REFSTACK_URL = 'https://refstack.openstack.org/api';

declare const __TCUP_VERSION__: string | undefined;
/** tcup's version: package.json's, set by the build (`0.1.0-dev` when run from the checkout). */
export const TCUP_VERSION = typeof __TCUP_VERSION__ === 'string' ? __TCUP_VERSION__ : '0.1.0-dev';
