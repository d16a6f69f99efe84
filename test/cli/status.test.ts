import { afterEach, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { freeUdpPort } from '../helpers/ports.js';

const children: ReturnType<typeof startCli>[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

it('shows the vehicle state from `dustpatrol sim`, as JSON lines for machines', async () => {
  const port = await freeUdpPort();
  children.push(startCli(['sim', '--connect', `udpin://127.0.0.1:${port}`, '--speedup', '20']));

  const r = await runCli(['status', '--connect', `udpout://127.0.0.1:${port}`, '--duration', '3', '--json']);

  expect(r.code).toBe(0);
  const states = r.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(states.length).toBeGreaterThanOrEqual(5);
  const last = states.at(-1);
  expect(last).toMatchObject({
    sysid: 1,
    compid: 1,
    firmware: 'ardupilot',
    armed: false,
    modeName: 'STABILIZE',
  });
  expect(last.gps.fixType).toBeGreaterThanOrEqual(3);
  expect(last.link.packetsIn).toBeGreaterThan(10);
});

it('stops on Ctrl-C (SIGINT) long before its --duration, with the last state and status 0', async () => {
  const port = await freeUdpPort();
  children.push(startCli(['sim', '--connect', `udpin://127.0.0.1:${port}`, '--speedup', '20']));
  const status = startCli([
    'status',
    '--connect',
    `udpout://127.0.0.1:${port}`,
    '--duration',
    '100',
    '--json',
  ]);
  children.push(status);
  let stdout = '';
  const modeKnown = new Promise<void>((resolve) =>
    status.stdout?.on('data', (d) => {
      stdout += d;
      if (stdout.includes('"STABILIZE"')) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => status.on('close', resolve));

  await modeKnown;
  status.kill('SIGINT');

  // The test's own timeout (30 s) is far below the 100 s the duration would take.
  expect(await exited).toBe(0);
  const last = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
  expect(last).toMatchObject({ sysid: 1, modeName: 'STABILIZE' });
}, 30_000);

it('listening on udpin, warns when the address is not loopback and shows the link counters', async () => {
  const port = await freeUdpPort();
  const status = runCli(['status', '--connect', `udpin://0.0.0.0:${port}`, '--duration', '2', '--json']);
  children.push(startCli(['sim', '--connect', `udpout://127.0.0.1:${port}`, '--speedup', '20']));

  const r = await status;

  expect(r.code).toBe(0);
  expect(r.stderr).toContain(`warning: udpin://0.0.0.0:${port} listens on 0.0.0.0, not loopback`);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
  expect(last.link).toMatchObject({ badFrames: 0, junkBytes: 0, ignoredDatagrams: 0 });
  expect(last.link.packetsIn).toBeGreaterThan(10);
});
