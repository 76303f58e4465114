/** The proxy settings a build and the container need, taken from the launcher's environment. */
const NAMES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'] as const;

export function proxyEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of NAMES) {
    const value = env[name] ?? env[name.toLowerCase()];
    if (value) {
      out[name] = value;
      out[name.toLowerCase()] = value;
    }
  }
  return out;
}
