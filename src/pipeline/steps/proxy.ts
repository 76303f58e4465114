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

/** The user and password of each proxy URL (http://user:secret@proxy:3128), as written and decoded. */
function proxyCredentials(env: Readonly<Record<string, string | undefined>>) {
  const found: { user: string; password: string; written: string }[] = [];
  for (const value of Object.values(proxyEnv(env))) {
    try {
      const url = new URL(value);
      if (url.password)
        found.push({
          user: decodeURIComponent(url.username),
          password: decodeURIComponent(url.password),
          written: url.password,
        });
    } catch {
      /* NO_PROXY lists and malformed URLs hold no password */
    }
  }
  return found;
}

const unique = (values: string[]) => [...new Set(values.filter((v) => v !== ''))];

/** Passwords inside proxy URLs, decoded (what container/scrub.py's proxy_passwords finds too). */
export function proxyPasswords(env: Readonly<Record<string, string | undefined>>): string[] {
  return unique(proxyCredentials(env).map((c) => c.password));
}

/**
 * Every string of the proxy credentials to register as a secret: each password decoded, as the URL
 * holds it (percent-encoded), and `user:password`, whose base64 (a form the redactor knows) is the
 * `Proxy-Authorization: Basic` header a client sends.
 */
export function proxySecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  return unique(proxyCredentials(env).flatMap((c) => [c.password, c.written, `${c.user}:${c.password}`]));
}
