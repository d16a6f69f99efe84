import type { Command } from 'commander';

export interface SigningSetupOptions {
  connect: string;
  signingKey: string;
}

export function registerSigning(program: Command): void {
  const signing = program.command('signing').description('MAVLink 2 message signing');

  signing
    .command('setup')
    .description(
      'Give the vehicle the signing key (SETUP_SIGNING) and check that it signs with it and answers signed ' +
        'requests; from then on use --signing-key FILE on every command. ArduPilot refuses while armed. ' +
        'Send it over a link nobody else can hear (USB, a cable)',
    )
    .requiredOption('--connect <url>', 'vehicle link: udpin://, udpout://, tcpout://, serial://')
    .requiredOption(
      '--signing-key <file>',
      "the key: 64 hex digits (openssl rand -hex 32 > FILE), 32 raw bytes, or 'passphrase: TEXT' (MAVProxy's key for TEXT)",
    )
    .action(async (opts: SigningSetupOptions) => {
      const { runSigningSetup } = await import('./signing-run.js');
      await runSigningSetup(opts);
    });
}
