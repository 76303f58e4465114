declare module 'redact-secrets' {
  function redactSecrets(replacement: string): { map<T>(o: T): T; forEach(o: unknown): void };
  export = redactSecrets;
}
