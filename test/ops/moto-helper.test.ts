import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../helpers/app';
import { findMotoServer, freePort } from '../helpers/moto';

describe('test/helpers/moto', () => {
  test('finds moto_server in $HOME/.pyenv/shims when it is not on PATH', () => {
    const home = tempDir('moto-home-');
    const shims = path.join(home, '.pyenv', 'shims');
    mkdirSync(shims, { recursive: true });
    writeFileSync(path.join(shims, 'moto_server'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findMotoServer({ PATH: '/nonexistent', HOME: home })).toBe(path.join(shims, 'moto_server'));
  });

  test('says how to install moto when it is nowhere', () => {
    expect(() => findMotoServer({ PATH: '/nonexistent', HOME: tempDir('moto-none-') })).toThrow(
      /moto_server not found on PATH or in \$HOME\/.pyenv\/shims; install it with `pip install "moto\[server\]"`/,
    );
  });

  test('hands out a port on 127.0.0.1', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});
