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

/** Passwords inside proxy URLs (http://user:secret@proxy:3128): secrets like any other. */
export function proxySecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  const secrets: string[] = [];
  for (const value of Object.values(proxyEnv(env))) {
    try {
      const password = decodeURIComponent(new URL(value).password);
      if (password && !secrets.includes(password)) secrets.push(password);
    } catch {
      /* NO_PROXY lists and malformed URLs hold no password */
    }
  }
  return secrets;
}
