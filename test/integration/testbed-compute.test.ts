/**
 * The compute test bed: a real Nova, Glance, Neutron and Cinder, built and started here, serve a non-admin
 * member (server from an uploaded image, volume attached), and the admin-side inventory sees the member's
 * resources come and go.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, buildComputeImage, COMPUTE_RELEASE, login, type Session } from '../support/compute-testbed.js';
import { describeDocker, requireDocker } from '../support/testbed.js';
import { type ComputeTenant, useCompute } from '../support/beds.js';

/** Quotes, spaces, a shell variable, a backslash, a backtick and non-ASCII: any password must work. */
const NASTY_PASSWORD = `p'a"s s$HOME\\x\`id\` ü€🔑`;
const MEMBERS = ['demo', 'alt_demo'];

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Resolves once GET answers 404 (the resource is gone). */
async function gone(session: Session, service: string, path: string): Promise<void> {
  await until(`${service} ${path} to go`, async () => {
    try {
      await api(session, service, 'GET', path);
      return undefined;
    } catch (error) {
      if (/: 404 /.test(String(error))) return true;
      throw error;
    }
  });
}

interface Server {
  id: string;
  status: string;
  fault?: { message: string };
}
interface Volume {
  id: string;
  status: string;
}

describeDocker('compute test bed', () => {
  let cloud: ComputeTenant | undefined;

  beforeAll(async () => {
    await requireDocker();
    let t = Date.now();
    const image = await buildComputeImage();
    console.log(`compute test bed image ${image} ready in ${(Date.now() - t) / 1000} s`);
    t = Date.now();
    cloud = await useCompute({
      members: MEMBERS,
      memberPassword: NASTY_PASSWORD,
    });
    console.log(
      `compute test bed (${cloud.release}) healthy with members ${(Date.now() - t) / 1000} s after start`,
    );
    // The first use starts the bed, which may first wait (up to 15 min) for another run's: its ports are fixed.
  }, 1_500_000);

  afterAll(async () => {
    await cloud?.dispose();
  });

  it('serves a member: image, server, volume attached; the inventory sees them come and go', async () => {
    const bed = cloud!;
    expect(bed.authUrl).toBe('http://127.0.0.1:16000/v3');
    expect(bed.release).toBe(COMPUTE_RELEASE);
    expect(bed.members.map((m) => m.username.replace(/-[0-9a-f]{6}$/, ''))).toEqual(MEMBERS);
    const member = bed.members[0]!;
    expect(member.password).toBe(NASTY_PASSWORD);
    const demo = await login(bed.authUrl, member);
    for (const type of ['compute', 'image', 'network', 'volumev3', 'block-storage', 'placement'])
      expect(demo.endpoints[type], type).toMatch(/^http:\/\/127\.0\.0\.1:160\d\d/);

    // Admin side, before: only what the operator made (private network and subnet, default security group).
    const before = await bed.projectResources(bed.members.map((m) => m.project));
    expect(before.networks).toHaveLength(2);
    expect(before.subnets).toHaveLength(2);
    expect(before.security_groups).toHaveLength(2);
    for (const type of ['servers', 'volumes', 'snapshots', 'images', 'routers', 'ports', 'keypairs'] as const)
      expect(before[type], type).toEqual([]);

    const { flavors } = await api<{ flavors: { id: string; name: string }[] }>(
      demo,
      'compute',
      'GET',
      '/flavors',
    );
    expect(flavors.map((f) => f.name).sort()).toEqual(['m1.micro', 'm1.nano', 'm1.small']);
    const { networks } = await api<{ networks: { id: string; name: string; 'router:external': boolean }[] }>(
      demo,
      'network',
      'GET',
      '/v2.0/networks',
    );
    expect(networks.map((n) => n.name).sort()).toEqual(['private', 'public']);
    const privateNet = networks.find((n) => n.name === 'private')!;
    expect(networks.find((n) => n.name === 'public')!['router:external']).toBe(true);
    const { images: visible } = await api<{ images: unknown[] }>(demo, 'image', 'GET', '/v2/images');
    expect(visible).toEqual([]);

    // A 1 MiB raw image of the member's own.
    const image = await api<{ id: string }>(demo, 'image', 'POST', '/v2/images', {
      name: 'testbed-raw',
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'private',
    });
    await api(demo, 'image', 'PUT', `/v2/images/${image.id}/file`, new Uint8Array(1 << 20));
    await until('image active', async () => {
      const { status } = await api<{ status: string }>(demo, 'image', 'GET', `/v2/images/${image.id}`);
      return status === 'active' ? true : undefined;
    });

    const nano = flavors.find((f) => f.name === 'm1.nano')!;
    const { server: created } = await api<{ server: { id: string } }>(demo, 'compute', 'POST', '/servers', {
      server: {
        name: 'testbed-vm',
        imageRef: image.id,
        flavorRef: nano.id,
        networks: [{ uuid: privateNet.id }],
      },
    });
    const server = await until('server ACTIVE', async () => {
      const { server } = await api<{ server: Server }>(demo, 'compute', 'GET', `/servers/${created.id}`);
      if (server.status === 'ERROR') throw new Error(`server ERROR: ${server.fault?.message ?? '?'}`);
      return server.status === 'ACTIVE' ? server : undefined;
    });

    const { volume: made } = await api<{ volume: Volume }>(demo, 'block-storage', 'POST', '/volumes', {
      volume: { name: 'testbed-vol', size: 1 },
    });
    const volumeStatus = (wanted: string) => async () => {
      const { volume } = await api<{ volume: Volume }>(demo, 'block-storage', 'GET', `/volumes/${made.id}`);
      if (volume.status.startsWith('error')) throw new Error(`volume ${volume.status}`);
      return volume.status === wanted ? volume : undefined;
    };
    await until('volume available', volumeStatus('available'));
    await api(demo, 'compute', 'POST', `/servers/${server.id}/os-volume_attachments`, {
      volumeAttachment: { volumeId: made.id },
    });
    await until('volume in-use', volumeStatus('in-use'));

    // A bootable volume from the image (Cinder's create-from-image flow, without qemu-img).
    const { volume: boot } = await api<{ volume: Volume }>(demo, 'block-storage', 'POST', '/volumes', {
      volume: { name: 'testbed-boot', size: 1, imageRef: image.id },
    });
    const bootable = await until('volume from image available', async () => {
      const { volume } = await api<{ volume: Volume & { bootable: string } }>(
        demo,
        'block-storage',
        'GET',
        `/volumes/${boot.id}`,
      );
      if (volume.status.startsWith('error')) throw new Error(`volume from image ${volume.status}`);
      return volume.status === 'available' ? volume.bootable : undefined;
    });
    expect(bootable).toBe('true');

    const during = await bed.projectResources(bed.members.map((m) => m.project));
    expect(during.servers).toEqual([server.id]);
    expect(during.volumes).toEqual([made.id, boot.id].sort());
    expect(during.images).toEqual([image.id]);
    expect(during.ports).toHaveLength(1);

    // Clean up as the member; then the inventory is back to the operator's part.
    await api(demo, 'compute', 'DELETE', `/servers/${server.id}/os-volume_attachments/${made.id}`);
    await until('volume detached', volumeStatus('available'));
    await api(demo, 'block-storage', 'DELETE', `/volumes/${made.id}`);
    await api(demo, 'block-storage', 'DELETE', `/volumes/${boot.id}`);
    await api(demo, 'compute', 'DELETE', `/servers/${server.id}`);
    await api(demo, 'image', 'DELETE', `/v2/images/${image.id}`);
    await gone(demo, 'block-storage', `/volumes/${made.id}`);
    await gone(demo, 'block-storage', `/volumes/${boot.id}`);
    await gone(demo, 'compute', `/servers/${server.id}`);
    await until('ports released', async () =>
      (await bed.projectResources(bed.members.map((m) => m.project))).ports.length === 0 ? true : undefined,
    );
    expect(await bed.projectResources(bed.members.map((m) => m.project))).toEqual(before);
  });
});
