import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedHost, confinedPath, isInside, nonPublicReason, ReadingPolicy } from './reading-policy.js';

const LIFT = 'catalog locations may only reach public hosts unless allowed with --catalog-allow-host or --catalog-allow-private.';

describe('nonPublicReason: which addresses are not public', () => {
  it('classifies IPv4 addresses', () => {
    expect(
      Object.fromEntries(['127.0.0.1', '127.8.9.10', '10.0.0.5', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '224.0.0.1', '255.255.255.255', '240.0.0.1'].map((a) => [a, nonPublicReason(a)])),
    ).toEqual({
      '127.0.0.1': 'a loopback address',
      '127.8.9.10': 'a loopback address',
      '10.0.0.5': 'a private address',
      '172.16.0.1': 'a private address',
      '172.31.255.255': 'a private address',
      '192.168.1.1': 'a private address',
      '169.254.169.254': 'a link-local address (where cloud metadata services answer)',
      '0.0.0.0': 'the unspecified address',
      '100.64.0.1': 'a shared (CGNAT) address',
      '224.0.0.1': 'a multicast address',
      '255.255.255.255': 'the broadcast address',
      '240.0.0.1': 'a reserved address',
    });
    expect(['8.8.8.8', '172.32.0.1', '93.184.216.34', '100.128.0.1'].map(nonPublicReason)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('classifies IPv6 addresses, judging an IPv4 address written as IPv6 as the IPv4 address it is', () => {
    expect(['::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.5', '::ffff:169.254.169.254', '::127.0.0.1', '64:ff9b::a00:5'].map(nonPublicReason)).toEqual([
      'a loopback address',
      'the unspecified address',
      'a private address',
      'a private address',
      'a link-local address (where cloud metadata services answer)',
      'a multicast address',
      'a loopback address',
      'a loopback address',
      'a private address',
      'a link-local address (where cloud metadata services answer)',
      'a loopback address',
      'a reserved address',
    ]);
    expect(['2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8'].map(nonPublicReason)).toEqual([undefined, undefined, undefined]);
  });
});

describe('ReadingPolicy: the addresses a URL may reach', () => {
  const refusal = (url: string, policy = new ReadingPolicy()) => policy.addressesOf(new URL(url)).then(() => 'allowed', (error: Error) => error.message);

  it('sees the address a URL parser makes of decimal, hex, octal and short IPv4 hosts', async () => {
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://017700000001/', 'http://127.1/', 'http://0x7f000001/']) {
      expect(await refusal(url)).toBe(`The URL http://127.0.0.1/ is refused: 127.0.0.1 is a loopback address; ${LIFT}`);
    }
    expect(await refusal('http://[::ffff:127.0.0.1]:8080/x')).toBe(`The URL http://[::ffff:7f00:1]:8080/x is refused: ::ffff:7f00:1 is a loopback address; ${LIFT}`);
    expect(await refusal('http://0xa9.0xfe.0xa9.0xfe/latest/meta-data/')).toBe(
      `The URL http://169.254.169.254/latest/meta-data/ is refused: 169.254.169.254 is a link-local address (where cloud metadata services answer); ${LIFT}`,
    );
    expect(await refusal('https://10.0.0.5/catalog-info.yaml')).toBe(`The URL https://10.0.0.5/catalog-info.yaml is refused: 10.0.0.5 is a private address; ${LIFT}`);
  });

  it('checks the addresses a name resolves to: localhost is refused unless allowed', async () => {
    expect(await refusal('http://localhost:7007/catalog-info.yaml')).toMatch(
      new RegExp(`^The URL http://localhost:7007/catalog-info\\.yaml is refused: localhost resolves to (127\\.0\\.0\\.1|::1), a loopback address; ${LIFT.replace(/[.]/g, '\\.')}$`),
    );
    expect(await refusal('http://localhost:7007/', new ReadingPolicy({ allowHosts: ['LOCALHOST'] }))).toBe('allowed');
    expect(await refusal('http://localhost:7007/', new ReadingPolicy({ allowPrivate: true }))).toBe('allowed');
  });

  it('reaches only the hosts on the allow-list when there is one, a private one included', async () => {
    const policy = new ReadingPolicy({ allowHosts: ['127.0.0.1', 'catalog.acme.io'] });
    expect(await refusal('http://127.0.0.1:9/x', policy)).toBe('allowed');
    expect(await refusal('http://2130706433:9/x', policy)).toBe('allowed');
    expect(await refusal('http://127.0.0.2:9/x', policy)).toBe('The URL http://127.0.0.2:9/x is refused: 127.0.0.2 is not one of the hosts catalog locations may reach (--catalog-allow-host).');
    expect(await refusal('https://8.8.8.8/x', policy)).toBe('The URL https://8.8.8.8/x is refused: 8.8.8.8 is not one of the hosts catalog locations may reach (--catalog-allow-host).');
    expect(await refusal('ftp://127.0.0.1/x', policy)).toBe('The URL ftp://127.0.0.1/x is refused: catalog locations are read over http or https only.');
  });

  it('reads allow-list entries as URLs spell hosts, and refuses anything else with a sentence', () => {
    expect(['Catalog.Acme.IO', '::1', '[::1]', '0x7f.1', 'localhost.'].map(allowedHost)).toEqual(['catalog.acme.io', '::1', '::1', '127.0.0.1', 'localhost']);
    for (const bad of ['https://catalog.acme.io', 'catalog.acme.io:8080', 'catalog.acme.io/x', 'user@host', '']) {
      expect(() => allowedHost(bad)).toThrow(
        `Invalid --catalog-allow-host ${JSON.stringify(bad)}: expected a host name or an IP address, such as catalog.acme.io or 10.0.0.5, without a scheme, port or path.`,
      );
    }
  });
});

describe('confinedPath: files inside the folder of their location', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lantern-policy-'));
    await mkdir(join(root, 'catalog', 'team'), { recursive: true });
    await writeFile(join(root, 'outside.txt'), 'outside');
    await writeFile(join(root, 'catalog', 'team', 'inside.txt'), 'inside');
    await symlink(join(root, 'outside.txt'), join(root, 'catalog', 'team', 'link.txt'));
    await symlink(join(root, 'catalog', 'team', 'inside.txt'), join(root, 'catalog', 'team', 'link-in.txt'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('compares paths as written', () => {
    expect([isInside('/a/b/c', '/a/b'), isInside('/a/b', '/a/b'), isInside('/a/b/../c', '/a/b'), isInside('/a/bc', '/a/b'), isInside('/a/..b', '/a')]).toEqual([true, true, false, false, true]);
  });

  it('follows symlinks before judging, and never reads /proc', async () => {
    const folder = join(root, 'catalog');
    expect(await confinedPath(join(folder, 'team', 'link-in.txt'), folder)).toMatch(/inside\.txt$/);
    await expect(confinedPath(join(folder, 'team', 'link.txt'), folder)).rejects.toThrow(
      `The file ${join(folder, 'team', 'link.txt')} is refused: it is outside the folder ${folder} of its catalog location (symlinks resolved).`,
    );
    await expect(confinedPath('/proc/self/environ', '/')).rejects.toThrow('The file /proc/self/environ is refused: it is a system file, never a catalog file.');
  });
});
