import { startPeerProcess } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';

/** A tiny peer: Node serving 200 on /ready at the port it is given. */
const server = (port: number) => [
  '-e',
  `require('node:http').createServer((q, s) => { s.statusCode = q.url === '/ready' ? 200 : 404; s.end('ok'); }).listen(${port}, '127.0.0.1'); console.log('listening');`,
];

describe('startPeerProcess', () => {
  it('starts a binary on a free loopback port, waits until it is ready, keeps its output and stops it', async () => {
    const peer = await startPeerProcess({ bin: process.execPath, args: server, readyPath: '/ready' });
    expect(peer.url).toBe(`http://127.0.0.1:${peer.port}`);
    expect(await (await fetch(`${peer.url}/ready`)).text()).toBe('ok');
    expect(peer.log()).toContain('listening');
    await peer.stop();
    expect(peer.child.exitCode !== null || peer.child.signalCode !== null).toBe(true);
    await peer.stop();
  });

  it('fails with the tail of its output when the peer exits before it is ready', async () => {
    const start = startPeerProcess({
      bin: process.execPath,
      args: () => ['-e', "console.error('bad config: no such file'); process.exit(2)"],
      readyPath: '/ready',
    });
    await expect(start).rejects.toThrow(/did not become ready:\n.*bad config: no such file/);
  });
});
