/** Defaults shown in --help: kept apart so that printing help loads none of the pipeline. */
export const DEFAULT_GUIDELINE = '2020.06';
export const DEFAULT_REFSTACK_URL = 'https://refstack.openstack.org/api';
