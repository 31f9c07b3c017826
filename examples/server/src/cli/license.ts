import { createPublicKey, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { generateLicenseKeys, signLicense, verifyLicense } from '../license/manager.js';
import { CliError, ExitCode } from './exit-codes.js';

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new CliError(`${name} must be a positive whole number, got "${v}"`, ExitCode.USAGE);
  return n;
};

/** `ispmonitor license keygen|sign|verify`: development tools for test licences. */
export function licenseCommands(program: Command): void {
  const license = program.command('license').description('licence tools (keys for tests and development)');
  license
    .command('keygen')
    .description('write a new Ed25519 key pair (keep the private key out of the repository)')
    .requiredOption('--private <file>', 'where to write the private key (PEM, mode 0600)')
    .requiredOption('--public <file>', 'where to write the public key (PEM)')
    .action(async (opts: { private: string; public: string }) => {
      const keys = generateLicenseKeys();
      await writeFile(opts.private, keys.privateKey, { mode: 0o600 });
      await writeFile(opts.public, keys.publicKey);
      process.stdout.write(`wrote ${opts.public} and ${opts.private}\n`);
    });
  license
    .command('sign')
    .description('sign a licence file')
    .requiredOption('--key <file>', 'private key (PEM)')
    .requiredOption('--licensee <name>', 'who the licence is for')
    .option('--routers <n>', 'router limit', positiveInt('--routers'), 100)
    .option('--days <n>', 'days until expiry', positiveInt('--days'), 365)
    .requiredOption('-o, --out <file>', 'licence file to write')
    .action(async (opts: { key: string; licensee: string; routers: number; days: number; out: string }) => {
      const now = Date.now();
      const text = signLicense(
        {
          id: randomUUID(),
          licensee: opts.licensee,
          issuedAt: new Date(now).toISOString(),
          expiresAt: new Date(now + opts.days * 86_400_000).toISOString(),
          maxRouters: opts.routers,
        },
        await readFile(opts.key, 'utf8'),
      );
      await writeFile(opts.out, `${text}\n`);
      process.stdout.write(`wrote ${opts.out}\n`);
    });
  license
    .command('verify')
    .description('verify a licence file offline; exit 0 when valid and not expired')
    .argument('<file>', 'licence file')
    .requiredOption('--public-key <file>', 'public key (PEM)')
    .action(async (file: string, opts: { publicKey: string }) => {
      const payload = verifyLicense(
        await readFile(file, 'utf8'),
        createPublicKey(await readFile(opts.publicKey, 'utf8')),
      );
      process.stdout.write(`${JSON.stringify(payload)}\n`);
      if (Date.parse(payload.expiresAt) <= Date.now()) throw new CliError(`expired on ${payload.expiresAt}`);
    });
}
