import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { choosePort, freePort, portInUse, portTakenMessage } from '../../src/demo-ports.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function occupy(): Promise<number> {
  const port = await freePort('127.0.0.1');
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return port;
}

describe('the demo port', () => {
  it('should keep the usual port when it is free', async () => {
    const port = await freePort('127.0.0.1');
    expect(await choosePort({}, port, '127.0.0.1')).toEqual({ port, moved: null });
  });

  it('should move to a free port when the usual one is taken, and say where', async () => {
    const taken = await occupy();
    expect(await portInUse(taken, '127.0.0.1')).toBe(true);
    const choice = await choosePort({}, taken, '127.0.0.1');
    expect(choice.port).not.toBe(taken);
    expect(await portInUse(choice.port, '127.0.0.1')).toBe(false);
    expect(choice.moved).toBe(`port ${taken} is taken: carebinder moved to port ${choice.port} (set PORT to choose another)`);
  });

  it('should never move a port the user chose', async () => {
    const taken = await occupy();
    expect(await choosePort({ PORT: String(taken) }, 3000, '127.0.0.1')).toEqual({ port: taken, moved: null });
  });

  it('should name the variable to set when the port cannot be listened on', () => {
    expect(portTakenMessage(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', port: 3000 }), 'PORT')).toBe(
      'port 3000 is already in use: set PORT to a free port (for example PORT=3001)',
    );
    expect(portTakenMessage(new Error('other'), 'PORT')).toBeNull();
  });
});
