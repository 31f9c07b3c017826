import { chmod, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { assemble, readConfig } from '../assemble.js';
import { Accounts } from '../auth/accounts.js';
import { AuditLog } from '../auth/audit.js';
import { newPassword } from '../auth/secrets.js';
import { serverState } from '../state-store.js';
import { CliError, ExitCode } from './exit-codes.js';

/**
 * `ispmonitor user reset-password <name> --out <file>`: a new generated password for a user,
 * written to a file only this OS user reads, and every session of that user ended. The way back
 * in when the admin password is lost (the bootstrap password applies on the first start only).
 * With the embedded PGlite, stop the server first (one process owns its folder).
 */
export function userCommands(program: Command): void {
  const user = program.command('user').description('user accounts of the web UI and API');
  user
    .command('reset-password')
    .argument('<username>', 'the user (e.g. admin)')
    .requiredOption('--out <file>', 'file to write the new password to (created with mode 0600)')
    .option('-c, --config <file>', 'YAML config file (env ISPM_CONFIG)', process.env.ISPM_CONFIG)
    .description('set a new generated password for a user and end the user’s sessions')
    .action(async (username: string, opts: { out: string; config?: string }) => {
      const { loaded } = await readConfig(opts.config);
      // Only the database is needed: no devices, no cluster membership.
      const config = { ...loaded.config, devices: [], cluster: { mode: 'none' as const } };
      const monitor = await assemble(config, loaded.secrets, { role: 'all' });
      await monitor.start();
      try {
        const { store, persistent } = serverState(monitor, monitor.logger);
        if (!persistent) throw new CliError('no storage plugin keeps the users: nothing to reset');
        const accounts = new Accounts(store);
        const existing = await accounts.getUser(username);
        if (!existing) throw new CliError(`no user "${username}"`, ExitCode.USAGE);
        const password = newPassword();
        await writeFile(opts.out, `${password}\n`, { mode: 0o600 });
        await chmod(opts.out, 0o600);
        await accounts.putUser(username, password, existing.role);
        await accounts.purgeSessions();
        await new AuditLog(store).record('cli', 'user.reset-password', username);
        process.stdout.write(
          `the new password of "${username}" is in ${opts.out}; its sessions have ended\n`,
        );
      } finally {
        await monitor.stop();
      }
    });
}
