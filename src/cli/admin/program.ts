import { Command, InvalidArgumentError, Option } from 'commander';
import { AdminError } from './errors.js';
import { databasePath, localBotUrl } from './paths.js';
import { progressBar } from './progress.js';
import { runRemoteScript, type SshTarget } from './ssh.js';

// Actions load what they need when they run: `--help` and `status` stay fast, and `status` on the
// Pi does not load the bot's commands and services.
const local = () => import('./local.js');

const DEFAULT_ROOT = '/opt/rollcall';

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a positive whole number');
  return Number(value);
}

interface SshOptions {
  host?: string;
  port?: number;
  identity?: string;
  sshConfig?: string;
  root: string;
}

/** The ssh options every remote action takes. `requireHost` makes --host mandatory. */
function withSsh(command: Command, requireHost: boolean): Command {
  const host = new Option('--host <user@host>', 'the Pi, as ssh knows it (user@host or a Host alias from ~/.ssh/config)');
  // Only where a host is required: `status` and `logs` without --host mean this machine.
  if (requireHost) host.env('ROLLCALL_SSH_HOST').makeOptionMandatory();
  return command
    .addOption(host)
    .option('--port <port>', 'ssh port, if not 22 or set in ~/.ssh/config', positiveInt)
    .option('--identity <file>', 'private key for ssh (default: your agent and ~/.ssh keys)')
    .addOption(new Option('--ssh-config <file>', 'ssh config file to use instead of ~/.ssh/config').env('ROLLCALL_SSH_CONFIG'))
    .addOption(new Option('--root <dir>', 'rollcall’s folder on the Pi').env('ROLLCALL_ROOT').default(DEFAULT_ROOT));
}

function targetOf(options: SshOptions): SshTarget {
  if (!options.host) throw new AdminError('--host is required for this action');
  return { host: options.host, port: options.port, identity: options.identity, config: options.sshConfig, root: options.root };
}

/**
 * `npm run admin -- <action>`: the operator's actions for scripts and cron. Every action prints
 * what it does, exits non-zero on failure and ends with one line saying why.
 */
export function buildProgram(): Command {
  const program = new Command('npm run admin --')
    .usage('<action> [options]   (run with no action in a terminal for a menu)')
    .description('Operate rollcall: back up, deploy, watch. Remote actions use your own ssh.')
    .exitOverride()
    .showSuggestionAfterError();

  program
    .command('register')
    .description('register the slash commands with Discord (global, or one server with --guild)')
    .option('--guild <id>', 'register in this server only (instant); default DISCORD_GUILD_ID')
    .action(async (o: { guild?: string }) => (await local()).registerAction(o.guild));

  program
    .command('migrate')
    .description('apply pending database migrations (the bot also does this at start)')
    .option('--database <file>', 'SQLite file (default: DATABASE_PATH or ./data/rollcall.sqlite)')
    .action(async (o: { database?: string }) => (await local()).migrateAction(databasePath(o.database)));

  program
    .command('migrate-to-postgres')
    .description('copy the SQLite database into PostgreSQL (stop the bot and back up first): migrations there, every table in one transaction, row counts checked')
    .option('--from <file>', 'the SQLite file (default: DATABASE_PATH or ./data/rollcall.sqlite)')
    .option('--to <url>', 'postgres://user:password@host:5432/db or pglite:///folder (default: DATABASE_URL)')
    .option('--force', 'copy even if the target already has rollcall rows: they are deleted first')
    .action(async (o: { from?: string; to?: string; force?: boolean }) => {
      const { formatCounts, migrateToPostgres } = await import('./to-postgres.js');
      const from = databasePath(o.from);
      const report = await migrateToPostgres(from, o.to ?? process.env.DATABASE_URL, { force: o.force, log: (line) => process.stderr.write(`${line}\n`) });
      console.log(formatCounts(report));
      if (!report.ok) {
        const differ = report.tables.filter((t) => t.sqlite !== t.postgres).map((t) => t.table);
        throw new AdminError(`row counts differ for ${differ.join(', ')}: the copy was rolled back, ${report.to} is unchanged`);
      }
      console.log(`copied ${report.rows} rows in ${report.tables.length} tables from ${from} to ${report.to} in ${report.seconds.toFixed(1)} s; counts equal`);
    });

  program
    .command('backup')
    .description('online backup of the live database (the bot keeps running), integrity-checked')
    .requiredOption('--out <file>', 'where to write the copy')
    .option('--database <file>', 'SQLite file (default: DATABASE_PATH or ./data/rollcall.sqlite)')
    .option('--force', 'overwrite --out if it exists')
    .option('--json', 'print the result as one JSON line')
    .option('--quiet', 'no progress bar')
    .action(async (o: { out: string; database?: string; force?: boolean; json?: boolean; quiet?: boolean }) => {
      const source = databasePath(o.database);
      const bar = progressBar(`backup ${source}`, { unit: 'pages', quiet: o.quiet });
      const { backupDatabase } = await import('./backup.js');
      const report = await backupDatabase(source, o.out, { progress: bar, overwrite: o.force });
      if (o.json) console.log(JSON.stringify(report));
      else if (!o.quiet) console.log(`backup written: ${report.path} (${report.bytes} bytes, sha256 ${report.sha256.slice(0, 16)}…, ${Object.keys(report.tables).length} tables)`);
    });

  withSsh(program.command('download'), true)
    .description('take a fresh backup on the Pi and copy it here (checked on both ends)')
    .requiredOption('--out <file>', 'where to write the copy here')
    .option('--force', 'overwrite --out if it exists')
    .option('--json', 'print the result as one JSON line')
    .action(async (o: SshOptions & { out: string; force?: boolean; json?: boolean }) => {
      const { downloadBackup } = await import('./download.js');
      const report = await downloadBackup(targetOf(o), o.out, { overwrite: o.force });
      console.log(o.json ? JSON.stringify(report) : `downloaded ${report.path} (${report.bytes} bytes, integrity ok)`);
    });

  withSsh(program.command('restore'), false)
    .description('put a backup back into the database (here, or on --host: upload, stop, restore, start), keeping the file’s owner and mode')
    .requiredOption('--from <file>', 'the backup to restore, on this machine (checked first)')
    .option('--database <file>', 'local only: SQLite file (default: DATABASE_PATH or ./data/rollcall.sqlite)')
    .option('--keep <file>', 'local only: copy the database as it is now to this file first')
    .option('--json', 'print the result as one JSON line')
    .action(async (o: SshOptions & { from: string; database?: string; keep?: string; json?: boolean }) => {
      if (o.host) {
        const { uploadRestore } = await import('./download.js');
        const report = await uploadRestore(targetOf(o), o.from);
        console.log(
          o.json ? JSON.stringify(report) : `restored ${report.path} (${report.owner}) on ${o.host} and started the bot; what it had before is in ${report.kept ?? 'nothing (there was no database)'}`,
        );
        return;
      }
      const target = databasePath(o.database);
      const bar = progressBar(`restore ${target}`, { unit: 'pages', quiet: o.json });
      const { restoreDatabase } = await import('./backup.js');
      const report = await restoreDatabase(o.from, target, { keep: o.keep, progress: bar });
      console.log(o.json ? JSON.stringify(report) : `restored ${report.path} (${report.owner}) from ${report.from}${report.kept ? `; what it had before is in ${report.kept}` : ''}`);
    });

  withSsh(program.command('deploy'), true)
    .description('on the Pi: fetch a git ref, npm ci, build, migrate, restart, wait for /healthz; roll back if it fails')
    .option('--ref <ref>', 'branch, tag or commit (default: DEFAULT_REF in deploy.conf, usually main)')
    .option('--force', 'redeploy even if the ref is already running')
    .action(async (o: SshOptions & { ref?: string; force?: boolean }) => {
      const target = targetOf(o);
      await runRemoteScript(target, 'deploy.sh', [...(o.force ? ['--force'] : []), ...(o.ref ? [o.ref] : [])]);
    });

  withSsh(program.command('status'), false)
    .description('health, version, uptime, gateway state and last event (here, or on --host)')
    .option('--url <url>', 'the bot’s local address (default: from HTTP_HOST and HTTP_PORT)')
    .option('--json', 'print the result as JSON')
    .addOption(new Option('--release <sha>').hideHelp())
    .action(async (o: SshOptions & { url?: string; json?: boolean; release?: string }) => {
      if (o.host) {
        await runRemoteScript(targetOf(o), 'status.sh', o.json ? ['--json'] : []);
        return;
      }
      const { fetchStatus, formatStatus } = await import('./status.js');
      const report = await fetchStatus(o.url ?? localBotUrl(), o.release);
      console.log(o.json ? JSON.stringify(report) : formatStatus(report));
      if (!report.healthy) throw new AdminError(`the bot at ${report.url} is not healthy`);
    });

  withSsh(program.command('logs'), false)
    .description('the bot’s log from journald (here, or on --host)')
    .option('-n, --lines <n>', 'how many lines', positiveInt, 100)
    .option('-f, --follow', 'keep printing new lines')
    .option('--unit <name>', 'systemd unit (local only; remote uses SERVICE in deploy.conf)', 'rollcall')
    .action(async (o: SshOptions & { lines: number; follow?: boolean; unit: string }) => {
      if (o.host) await runRemoteScript(targetOf(o), 'logs.sh', ['--lines', String(o.lines), ...(o.follow ? ['--follow'] : [])]);
      else await (await local()).localLogs(o.unit, o.lines, o.follow === true);
    });

  program
    .command('test')
    .description('run the test suite (extra arguments go to vitest, e.g. a folder)')
    .argument('[vitest-args...]')
    .allowUnknownOption()
    .action(async (args: string[]) => (await local()).testAction(args));

  withSsh(program.command('stats'), false)
    .description('charts as PNG files (hands over to npm run stats); with --host, from a fresh backup of the Pi’s database, drawn here')
    .argument('[stats-args...]', 'npm run stats options: --chart <name|all> --out <dir> [--range r] …')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (args: string[], o: SshOptions) => {
      const { statsAction } = await local();
      if (!o.host) return statsAction(args);
      const { remoteStats } = await import('./stats.js');
      await remoteStats(targetOf(o), args, (words) => statsAction(words));
    });

  return program;
}
