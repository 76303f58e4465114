import { describe, expect, it } from 'vitest';
import {
  chooseFlavors,
  chooseFormatWorkaround,
  chooseImage,
  chooseImageAlt,
  chooseNetworks,
  explainSkip,
  flavorFits,
  type FlavorInfo,
  type ImageInfo,
  type NetworkInfo,
} from '../../src/cloud/compute.js';
import { serviceUrl } from '../../src/cloud/rest.js';
import {
  diskFormatOf,
  explainFailing,
  explainListed,
  needsComputeStep,
} from '../../src/pipeline/steps/compute.js';
import { TcupError } from '../../src/core/errors.js';

const img = (over: Partial<ImageInfo> & { id: string }): ImageInfo => ({
  name: over.id,
  status: 'active',
  diskFormat: 'raw',
  containerFormat: 'bare',
  size: 1024 ** 2,
  minDisk: 0,
  minRam: 0,
  ...over,
});
const fl = (id: string, ram: number, disk: number, vcpus = 1): FlavorInfo => ({
  id,
  name: id,
  ram,
  disk,
  vcpus,
});

function usageError(fn: () => unknown): TcupError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TcupError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('chooseImage', () => {
  const cases: { name: string; images: ImageInfo[]; wanted?: string; expect: string }[] = [
    {
      name: 'the smallest active bootable image',
      images: [
        img({ id: 'big', size: 500e6 }),
        img({ id: 'small', size: 1e6 }),
        img({ id: 'mid', size: 20e6 }),
      ],
      expect: 'small',
    },
    {
      name: 'kernels, unknown formats and queued images are left out',
      images: [
        img({ id: 'kernel', size: 10, diskFormat: 'aki', containerFormat: 'aki' }),
        img({ id: 'nofmt', size: 10, diskFormat: undefined }),
        img({ id: 'queued', size: 10, status: 'queued' }),
        img({ id: 'qcow', size: 1e7, diskFormat: 'qcow2' }),
      ],
      expect: 'qcow',
    },
    {
      name: 'an image without a size comes last',
      images: [img({ id: 'a', size: undefined }), img({ id: 'b' })],
      expect: 'b',
    },
    {
      name: 'by name',
      images: [img({ id: 'x1', name: 'cirros' }), img({ id: 'x2', name: 'ubuntu' })],
      wanted: 'ubuntu',
      expect: 'x2',
    },
    { name: 'by id', images: [img({ id: 'x1', name: 'cirros' })], wanted: 'x1', expect: 'x1' },
  ];
  it.each(cases)('$name', ({ images, wanted, expect: id }) => {
    expect(chooseImage(images, wanted).image.id).toBe(id);
  });

  it('no image visible: a usage error with the hint --image FILE', () => {
    const e = usageError(() => chooseImage([]));
    expect(e.code).toBe('USAGE');
    expect(e.message).toMatch(/no active image is visible.*never downloads/);
    expect(e.hint).toMatch(/--image FILE/);
  });
  it('an ambiguous or unknown name is an error naming the choices', () => {
    const two = [img({ id: 'a1', name: 'same' }), img({ id: 'a2', name: 'same' })];
    expect(usageError(() => chooseImage(two, 'same')).message).toMatch(/a1, a2/);
    expect(usageError(() => chooseImage(two, 'other')).hint).toMatch(/--image FILE/);
  });
});

describe('chooseImageAlt', () => {
  it('the next smallest usable image, never the first; none when it is alone', () => {
    const a = img({ id: 'a', size: 1 });
    const list = [
      a,
      img({ id: 'k', size: 2, diskFormat: 'aki', containerFormat: 'aki' }),
      img({ id: 'b', size: 3 }),
    ];
    expect(chooseImageAlt(list, a)?.id).toBe('b');
    expect(chooseImageAlt([a], a)).toBeUndefined();
  });
});

describe('flavors', () => {
  const image = img({ id: 'i', size: 1.5 * 1024 ** 3, minDisk: 0, minRam: 128 });
  it.each([
    { f: fl('zero-disk', 512, 0), fits: false },
    { f: fl('too-little-ram', 64, 10), fits: false },
    { f: fl('disk-smaller-than-image', 512, 1), fits: false },
    { f: fl('ok', 128, 2), fits: true },
  ])('$f.id fits: $fits', ({ f, fits }) => expect(flavorFits(f, image)).toBe(fits));

  it('picks the two smallest that fit, by RAM, disk, vCPUs', () => {
    const small = img({ id: 's' });
    const { flavor, flavorAlt, notes } = chooseFlavors(
      [fl('m1.small', 2048, 20), fl('m1.nano', 64, 1), fl('zero', 32, 0), fl('m1.micro', 128, 1)],
      small,
    );
    expect([flavor.id, flavorAlt.id]).toEqual(['m1.nano', 'm1.micro']);
    expect(notes).toEqual([]);
  });
  it('takes --flavor / --flavor-alt by name or id', () => {
    const list = [fl('a', 64, 1), fl('b', 128, 1), fl('c', 256, 1)];
    const r = chooseFlavors(list, img({ id: 's' }), { flavor: 'c', flavorAlt: 'b' });
    expect([r.flavor.id, r.flavorAlt.id]).toEqual(['c', 'b']);
    const only = chooseFlavors(list, img({ id: 's' }), { flavorAlt: 'a' });
    expect([only.flavor.id, only.flavorAlt.id]).toEqual(['b', 'a']);
  });
  it('one fitting flavor: used twice, with a note; none: an error', () => {
    const r = chooseFlavors([fl('a', 64, 1), fl('z', 64, 0)], img({ id: 's' }));
    expect(r.flavorAlt.id).toBe('a');
    expect(r.notes.join()).toMatch(/only one flavor/);
    expect(usageError(() => chooseFlavors([fl('z', 64, 0)], img({ id: 's' }))).message).toMatch(
      /no flavor fits.*zero-disk/,
    );
    expect(usageError(() => chooseFlavors([fl('a', 64, 1)], img({ id: 's' }), { flavor: 'x' })).hint).toMatch(
      /--flavor with one of: a/,
    );
  });
});

describe('chooseNetworks', () => {
  const net = (over: Partial<NetworkInfo> & { id: string }): NetworkInfo => ({
    name: over.id,
    external: false,
    shared: false,
    subnets: 1,
    ...over,
  });
  const pub = net({ id: 'pub-id', name: 'public', external: true, projectId: 'admin' });
  const view = (entries: [string, string, NetworkInfo[]][]) =>
    new Map(entries.map(([who, projectId, networks]) => [who, { projectId, networks }]));

  it('each project its own network of one name, one external network', () => {
    const r = chooseNetworks(
      view([
        ['demo', 'p1', [net({ id: 'n1', name: 'private', projectId: 'p1' }), pub]],
        ['alt', 'p2', [net({ id: 'n2', name: 'private', projectId: 'p2' }), pub]],
      ]),
    );
    expect(r.fixed).toBe('private');
    expect(r.external?.id).toBe('pub-id');
  });
  it('a shared network when a project has none of its own', () => {
    const shared = net({ id: 's', name: 'shared-net', shared: true, projectId: 'admin' });
    expect(chooseNetworks(view([['demo', 'p1', [shared]]])).fixed).toBe('shared-net');
  });
  it('several networks: an error naming them and --fixed-network', () => {
    const e = usageError(() =>
      chooseNetworks(
        view([['demo', 'p1', [net({ id: 'a', projectId: 'p1' }), net({ id: 'b', projectId: 'p1' })]]]),
      ),
    );
    expect(e.message).toMatch(/several networks: a, b/);
    expect(e.hint).toMatch(/--fixed-network/);
  });
  it('a network an interrupted Tempest run left is reported, never a choice nor a reason to ask', () => {
    const left = net({ id: 't', name: 'tempest-NetworksIpV6Test-network-123', projectId: 'p1' });
    const choice = chooseNetworks(
      view([['demo', 'p1', [net({ id: 'n1', name: 'private', projectId: 'p1' }), left]]]),
    );
    expect(choice.fixed).toBe('private');
    expect(choice.notes.join('\n')).toMatch(
      /1 network\(s\) an earlier Tempest run left \(tempest-NetworksIpV6Test-network-123\): not used; delete them/,
    );
  });
  it('a project without the network: named', () => {
    const v = view([
      ['demo', 'p1', [net({ id: 'n1', name: 'private', projectId: 'p1' })]],
      ['alt', 'p2', [net({ id: 'n2', name: 'other', projectId: 'p2' })]],
    ]);
    expect(usageError(() => chooseNetworks(v)).message).toMatch(/demo: private; alt: other/);
    expect(usageError(() => chooseNetworks(v, { fixed: 'private' })).message).toMatch(
      /project of alt has no network named private/,
    );
  });
  it('several external networks: an error naming them and --external-network; none: a note', () => {
    const two = [pub, net({ id: 'pub2', name: 'public2', external: true })];
    const e = usageError(() => chooseNetworks(view([['demo', 'p1', two]])));
    expect(e.message).toMatch(/public \(pub-id\), public2 \(pub2\)/);
    expect(e.hint).toMatch(/--external-network/);
    expect(chooseNetworks(view([['demo', 'p1', two]]), { external: 'public2' }).external?.id).toBe('pub2');
    expect(chooseNetworks(view([['demo', 'p1', []]])).notes.join()).toMatch(/no external network/);
  });
});

describe('skip reasons', () => {
  it.each([
    ['Metadata is read-only on non-Xen-based deployments.', /xenapi_apis=True/],
    ['Instance validation tests are disabled.', /--validation/],
    ['Insufficient number of users provided', /--accounts/],
    ["KeyError: 'floating_ip'", /--validation/],
    ['Image format enforcement prevents testing with bogus image data', /enforces image formats/],
    ['Need distinct images to run this test', /--image FILE/],
  ])('explains %s', (reason, what) => expect(explainSkip(reason)).toMatch(what));
  it('leaves unknown reasons to Tempest', () => expect(explainSkip('something else')).toBeUndefined());
});

describe('explainFailing', () => {
  const caps = [
    {
      id: 'compute-servers-create',
      tests: [
        { name: 'a.B.test_ok', aliases: [], flagged: false },
        { name: 'a.B.test_ssh', aliases: [], flagged: false },
        { name: 'a.B.test_flagged', aliases: [], flagged: true },
      ],
    },
    { id: 'compute-servers-metadata', tests: [{ name: 'm.Meta.test_set', aliases: [], flagged: false }] },
  ];
  it('names each required test that did not pass, with the reason and what to do', () => {
    const out = explainFailing(caps, [
      { id: 'a.B.test_ok', name: 'a.B.test_ok', status: 'success' },
      {
        id: 'a.B.test_ssh',
        name: 'a.B.test_ssh',
        status: 'skip',
        reason: 'Instance validation tests are disabled.',
      },
      {
        id: 'x',
        name: 'setUpClass (m.Meta)',
        status: 'skip',
        reason: 'Metadata is read-only on non-Xen-based deployments',
      },
    ]);
    expect(out.map((e) => [e.capability, e.test, e.status])).toEqual([
      ['compute-servers-create', 'a.B.test_ssh', 'skip'],
      ['compute-servers-metadata', 'm.Meta.test_set', 'not run (skip in class setup)'],
    ]);
    expect(out[0]!.what).toMatch(/--validation/);
    expect(out[1]!.what).toMatch(/xenapi_apis/);
  });
});

describe('explainListed (a standard: by test, no capabilities)', () => {
  const listed = [
    { name: 'a.Servers.test_rebuild_server', uuid: 'u1' },
    { name: 'a.Servers.test_ok' },
    { name: 'a.Skipped.test_ssh' },
    { name: 'm.Meta.test_set' },
    { name: 'x.Absent.test_gone' },
    { name: 'r.Renamed.test_old', uuid: 'u2' },
    { name: 'i.Images.test_list' },
    { name: 'n.Ended.test_cut' },
  ];
  it('names the failed and not-run listed tests, with the reason and what to do; skips are no failures', () => {
    const out = explainListed(listed, [
      {
        id: 'a.Servers.test_rebuild_server',
        name: 'a.Servers.test_rebuild_server',
        status: 'fail',
        reason: "KeyError: 'floating_ip'",
      },
      { id: 'a.Servers.test_ok', name: 'a.Servers.test_ok', status: 'success' },
      { id: 'a.Skipped.test_ssh', name: 'a.Skipped.test_ssh', status: 'skip', reason: 'x' },
      { id: 'y', name: 'setUpClass (m.Meta)', status: 'fail', reason: 'Insufficient number of users' },
      { id: 'r.New.test_new', name: 'r.New.test_new', uuid: 'u2', status: 'uxsuccess' },
      { id: 'i.Images.test_list', name: 'i.Images.test_list', status: 'not-run' },
      {
        id: 'z',
        name: 'setUpClass (i.Images)',
        status: 'skip',
        reason: 'Image format enforcement prevents testing with bogus image data',
      },
      { id: 'n.Ended.test_cut', name: 'n.Ended.test_cut', status: 'not-run' },
    ]);
    expect(out.map((e) => [e.capability, e.test, e.status])).toEqual([
      [undefined, 'a.Servers.test_rebuild_server', 'fail'],
      [undefined, 'm.Meta.test_set', 'not run (fail in class setup)'],
      [undefined, 'r.Renamed.test_old', 'uxsuccess'],
      [undefined, 'i.Images.test_list', 'not run (skip in class setup)'],
      [undefined, 'n.Ended.test_cut', 'not run'],
    ]);
    expect(out[0]!.what).toMatch(/--validation/);
    expect(out[1]!.what).toMatch(/--accounts/);
    expect(out[2]!.what).toBeUndefined();
    expect(out[3]!.what).toMatch(/enforces image formats/);
    expect(out[4]).toEqual({ test: 'n.Ended.test_cut', status: 'not run' });
  });
});

describe('plumbing', () => {
  it.each([
    [Buffer.from('QFI\xfb\0\0\0\x03', 'latin1'), 'qcow2'],
    [Buffer.from('KDMV....', 'latin1'), 'vmdk'],
    [Buffer.alloc(1024), 'raw'],
  ])('disk format of %s', (head, format) => expect(diskFormatOf(head)).toBe(format));

  it('a compute step only for tests of the compute side', () => {
    expect(needsComputeStep(['tempest.api.identity.v3.test_tokens.X.test_a'])).toBe(false);
    expect(needsComputeStep(['tempest.api.object_storage.test_x.Y.test_b'])).toBe(false);
    expect(needsComputeStep(['tempest.api.network.test_networks.N.test_c'])).toBe(true);
  });

  it('service URLs in the versions tcup speaks', () => {
    const catalog = [
      { type: 'image', endpoints: [{ interface: 'public', url: 'http://g:9292' }] },
      { type: 'network', endpoints: [{ interface: 'public', url: 'http://n:9696/' }] },
      { type: 'volumev3', endpoints: [{ interface: 'public', url: 'http://c/v3/p1' }] },
      { type: 'compute', endpoints: [{ interface: 'public', url: 'http://nova/v2.1' }] },
    ];
    expect(serviceUrl(catalog, 'image', 'public')).toBe('http://g:9292/v2');
    expect(serviceUrl(catalog, 'network', 'public')).toBe('http://n:9696/v2.0');
    expect(serviceUrl(catalog, 'volume', 'public')).toBe('http://c/v3/p1');
    expect(serviceUrl(catalog, 'compute', 'internal')).toBeUndefined();
  });
});

describe('image tests on a Glance that enforces image formats', () => {
  const schema = (...formats: string[]) => ({
    name: 'image',
    properties: { container_format: { type: ['null', 'string'], enum: [null, ...formats] } },
  });
  const listing = 'tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_status';
  it.each([
    [
      "Glance's default list: ami",
      schema('ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'),
      'ami',
    ],
    ['bare and ovf only: ovf', schema('bare', 'ovf'), 'ovf'],
    ['bare only: none', schema('bare'), undefined],
    ['no schema: none', undefined, undefined],
  ])('%s', (_, doc, format) => {
    const w = chooseFormatWorkaround(doc, [listing]);
    expect(w.containerFormat).toBe(format);
    expect(w.why).toMatch(
      format ? new RegExp(`accepts ${format}: the image-listing tests .* run`) : /stay skipped/,
    );
  });
  it('keeps the skip when image-format tests that need bad bare images are selected too', () => {
    const w = chooseFormatWorkaround(schema('ami', 'bare'), [
      listing,
      'tempest.api.image.v2.test_images_formats.ImagesFormatTest.test_compute_rejects_invalid',
    ]);
    expect(w.containerFormat).toBeUndefined();
    expect(w.why).toMatch(/1 image-format test/);
  });
});
