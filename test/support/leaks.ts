/**
 * Where a secret could end up, and every form it could take there: helpers for the leak tests. A secret is
 * searched plain, URL-encoded (%20 and +), JSON-escaped (JavaScript's and Python's \uXXXX form) and base64
 * at each of the three alignments it could have inside a longer base64 text.
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DOCKER_CLI, engineCli, type EngineCli, type TrackedLaunches } from './launcher.js';

const run = promisify(execFile);

export interface Secret {
  name: string;
  value: string;
}

export type Haystack = [where: string, content: string | Buffer];

/** Every form of a secret worth searching for (none shorter than 6 characters). */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const json = JSON.stringify(secret).slice(1, -1);
  const pythonJson = json.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    json,
    pythonJson,
  ]);
  // Inside a longer base64 text the secret starts at byte offset 0, 1 or 2 of a 3-byte group: keep the
  // characters that depend on the secret's bytes only.
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    forms.add(b64.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6)));
  }
  return [...forms].filter((f) => f.length >= 6);
}

/** "where: secret name (form)" for every hit; empty when nothing leaked. */
export function findLeaks(haystacks: readonly Haystack[], secrets: readonly Secret[]): string[] {
  const hits: string[] = [];
  for (const secret of secrets)
    for (const form of secretForms(secret.value)) {
      const needle = Buffer.from(form, 'utf8');
      for (const [where, content] of haystacks) {
        const found = typeof content === 'string' ? content.includes(form) : content.indexOf(needle) >= 0;
        if (found) hits.push(`${where}: ${secret.name} (as ${JSON.stringify(form)})`);
      }
    }
  return hits;
}

/** Every file under a folder (recursively), as haystacks named by their path. */
export function folderHaystacks(dir: string, maxBytes = 50_000_000): Haystack[] {
  const out: Haystack[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && lstatSync(path).size <= maxBytes) out.push([path, readFileSync(path)]);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/**
 * Files under `root` changed since `sinceMs` (modified or created), outside `exclude`; unreadable and
 * special files are passed over.
 */
export function filesChangedSince(root: string, sinceMs: number, exclude: readonly string[]): Haystack[] {
  const out: Haystack[] = [];
  const walk = (d: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(d, entry.name);
      if (exclude.some((e) => path === e || path.startsWith(e + '/'))) continue;
      try {
        if (entry.isDirectory()) {
          if (depth < 8) walk(path, depth + 1);
        } else if (entry.isFile()) {
          const st = lstatSync(path);
          if (Math.max(st.mtimeMs, st.ctimeMs) >= sinceMs && st.size <= 50_000_000)
            out.push([path, readFileSync(path)]);
        }
      } catch {
        /* gone or unreadable */
      }
    }
  };
  walk(root, 0);
  return out;
}

/**
 * Polls the tcup containers of this file's launchers (test/support/launcher.ts trackedLaunches: the
 * engine is shared, the compute lane of `npm test` runs beside this file) every 200 ms while a run is
 * live and keeps `docker inspect` of every container it finds (tcup removes its containers, so
 * afterwards there is nothing to inspect).
 */
export function watchTcupContainers(
  launches: Pick<TrackedLaunches, 'containers'>,
  cli: EngineCli = DOCKER_CLI,
): {
  stop(): Promise<{ ids: string[]; inspect: string }>;
} {
  const ids = new Set<string>();
  const inspected: string[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const found = launches.containers();
        for (const id of found) ids.add(id);
        if (found.length > 0) {
          inspected.push(cliOut(cli, ['inspect', ...found]));
        }
      } catch {
        /* a container went away between ps and inspect */
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { ids: [...ids], inspect: inspected.join('\n') };
    },
  };
}

/** The engine command's stdout, also when it failed (a container went away between ps and inspect). */
function cliOut(cli: EngineCli, args: readonly string[]): string {
  try {
    return engineCli(cli, args);
  } catch (error) {
    return (error as { stdout?: string }).stdout ?? '';
  }
}

/** Every tcup-tempest image on the engine, by name. */
export function tcupImages(cli: EngineCli = DOCKER_CLI): Promise<string[]> {
  const names = engineCli(cli, ['images', '--format', '{{.Repository}}:{{.Tag}}'])
    .split('\n')
    .filter((name) => /^(localhost\/|docker\.io\/library\/)?tcup-tempest:/.test(name));
  return Promise.resolve(names);
}

/** `image inspect` and `history --no-trunc` of each image. */
export function imageHaystacks(images: readonly string[], cli: EngineCli = DOCKER_CLI): Promise<Haystack[]> {
  const out: Haystack[] = [];
  for (const image of images) {
    out.push([`${cli.kind} image inspect ${image}`, engineCli(cli, ['image', 'inspect', image])]);
    out.push([
      `${cli.kind} history ${image}`,
      engineCli(cli, ['history', '--no-trunc', '--format', '{{json .}}', image]),
    ]);
  }
  return Promise.resolve(out);
}

/**
 * Files of an image's file system that hold any of the patterns (fixed strings, one a line, in
 * `patternsDir/patterns`): grep inside a throw-away container of the image, labelled tcup.test=1.
 */
export async function imageFilesMatching(
  image: string,
  patternsDir: string,
  roots = '/usr /etc /root /run /tmp /var /home /opt /srv',
  cli: EngineCli = DOCKER_CLI,
): Promise<string[]> {
  const [command, ...prefix] = cli.argv;
  const { stdout } = await run(
    command!,
    [
      ...prefix,
      'run',
      '--rm',
      '--label',
      'tcup.test=1',
      '--network',
      'none',
      '-v',
      `${patternsDir}:/patterns:ro`,
      '--entrypoint',
      'sh',
      image,
      '-c',
      `grep -rlaF -f /patterns/patterns ${roots} 2>/dev/null; true`,
    ],
    { maxBuffer: 10_000_000, env: { ...process.env, ...cli.env } },
  );
  return stdout.split('\n').filter(Boolean);
}

/** The log files of the engine's containers written since `sinceMs` (tcup's own use log driver none). */
export function dockerLogsSince(sinceMs: number, skipIds: readonly string[]): Haystack[] {
  const root = '/var/lib/docker/containers';
  if (!existsSync(root)) return [];
  const out: Haystack[] = [];
  for (const id of readdirSync(root)) {
    if (skipIds.some((s) => id.startsWith(s))) continue;
    out.push(...filesChangedSince(join(root, id), sinceMs, []).filter(([p]) => p.endsWith('.log')));
  }
  return out;
}

/**
 * A plain HTTP forward proxy on 127.0.0.1 that records every Keystone token it sees (X-Subject-Token
 * answers, X-Auth-Token requests): the tokens a run used, to search for as secrets.
 */
export async function startTokenProxy(): Promise<{
  url: string;
  tokens: Set<string>;
  close(): Promise<void>;
}> {
  const tokens = new Set<string>();
  const keep = (headers: IncomingHttpHeaders, name: string) => {
    const v = headers[name];
    if (typeof v === 'string' && v.length >= 16) tokens.add(v);
  };
  const server: Server = createServer((req, res) => {
    keep(req.headers, 'x-auth-token');
    keep(req.headers, 'x-subject-token');
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const upstream = httpRequest(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        keep(answer.headers, 'x-subject-token');
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  // undici tunnels even plain HTTP through CONNECT: relay the bytes and read the headers as they pass.
  const sockets = new Set<Socket>();
  const sniff = (text: string) => {
    for (const m of text.matchAll(/^x-(?:subject|auth)-token: *(\S+)\r?$/gim))
      if (m[1]!.length >= 16) tokens.add(m[1]!);
  };
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('data', (d: Buffer) => sniff(d.toString('latin1')));
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokens,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
