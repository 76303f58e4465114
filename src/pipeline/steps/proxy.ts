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

/**
 * `%XX` escapes decoded as UTF-8 (U+FFFD for bytes that are none), anything else left as it is: what
 * Python's urllib.parse.unquote does (container/scrub.py), which never throws, unlike decodeURIComponent.
 */
const unquote = (s: string) =>
  s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));

/**
 * The user and password of each proxy URL ([scheme://]user:secret@proxy:3128), the password as the
 * variable holds it and decoded: the authority ends at the first / ? or #, the user information at its
 * last @, the user at its first colon. container/scrub.py's proxy_secrets reads them the same way.
 */
function proxyCredentials(env: Readonly<Record<string, string | undefined>>) {
  const found: { user: string; password: string; written: string }[] = [];
  for (const value of Object.values(proxyEnv(env))) {
    const scheme = value.indexOf('://');
    const authority = (scheme >= 0 ? value.slice(scheme + 3) : value).split(/[/?#]/)[0]!;
    const at = authority.lastIndexOf('@');
    const colon = authority.slice(0, Math.max(at, 0)).indexOf(':');
    if (at < 0 || colon < 0 || colon === at - 1) continue; // no password (NO_PROXY lists hold none)
    const written = authority.slice(colon + 1, at);
    found.push({ user: unquote(authority.slice(0, colon)), password: unquote(written), written });
  }
  return found;
}

const unique = (values: string[]) => [...new Set(values.filter((v) => v !== ''))];

/**
 * Every string of the proxy credentials to register as a secret: each password decoded, as the variable
 * holds it (percent-encoded), and `user:password`, whose base64 (a form the redactor knows) is the
 * `Proxy-Authorization: Basic` header a client sends. container/scrub.py's proxy_secrets gives the same.
 */
export function proxySecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  return unique(proxyCredentials(env).flatMap((c) => [c.password, c.written, `${c.user}:${c.password}`]));
}
