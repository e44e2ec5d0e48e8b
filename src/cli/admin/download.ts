import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkDatabaseFile, ensureWritableTarget, sha256Of, type BackupReport, type RestoreReport } from './backup.js';
import { AdminError, messageOf } from './errors.js';
import { progressBar } from './progress.js';
import { runRemoteScript, sshRun, type SshTarget } from './ssh.js';

/**
 * `download`: a fresh online backup on the host (deploy/backup.sh, integrity-checked there), copied
 * here over ssh with a progress bar, checked again (sha256 and integrity) and only then renamed to
 * `out`. The temporary copy on the host is removed either way once the backup there ran (not when
 * ssh never got in: a second connection would only fail the same way, after another timeout).
 */
export async function downloadBackup(target: SshTarget, out: string, options: { overwrite?: boolean; quiet?: boolean } = {}): Promise<BackupReport> {
  const local = resolve(out);
  if (existsSync(local) && !options.overwrite) throw new AdminError(`${out} already exists; choose another --out or pass --force`);
  ensureWritableTarget(local);
  const remote = `/tmp/rollcall-download-${randomBytes(6).toString('hex')}.sqlite`;
  const partial = `${local}.partial`;
  let remoteWritten = false;
  try {
    if (!options.quiet) process.stderr.write(`taking a backup on ${target.host}…\n`);
    const { stdout } = await runRemoteScript(target, 'backup.sh', ['--out', remote], { captureStdout: true });
    remoteWritten = true;
    const lastLine = stdout.trim().split('\n').at(-1) ?? '';
    let report: BackupReport;
    try {
      report = JSON.parse(lastLine) as BackupReport;
    } catch {
      throw new AdminError(`the backup on ${target.host} did not report its result (got: ${lastLine.slice(0, 120) || 'nothing'})`);
    }

    const bar = progressBar(`downloading ${target.host}:${remote}`, { unit: 'bytes', quiet: options.quiet });
    const fd = openSync(partial, 'w');
    let received = 0;
    try {
      await sshRun(target, ['cat', '--', remote], {
        onStdout: (chunk) => {
          writeSync(fd, chunk);
          received += chunk.length;
          bar.update(received, report.bytes);
        },
      });
    } finally {
      closeSync(fd);
    }
    if (received !== report.bytes) throw new AdminError(`download incomplete: got ${received} of ${report.bytes} bytes`);
    const sha256 = await sha256Of(partial);
    if (sha256 !== report.sha256) throw new AdminError('the downloaded file differs from the backup on the host (sha256 mismatch); try again');
    const { tables } = checkDatabaseFile(partial);
    renameSync(partial, local);
    bar.done(`${local} (${received} bytes, sha256 and integrity ok)`);
    return { ...report, path: local, tables };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error instanceof AdminError ? error : new AdminError(`download failed: ${messageOf(error)}`);
  } finally {
    if (remoteWritten) await sshRun(target, ['rm', '-f', '--', remote], { captureStdout: true }).catch(() => undefined);
  }
}

/**
 * `restore --host`: a backup from this machine (one `download` made) back on the host. It is checked
 * here, copied to a private temporary file there, and deploy/restore.sh stops the bot, restores it
 * into the database file (owner and mode kept, the old contents kept next to it), starts the bot
 * and waits for /healthz. The temporary copy is removed either way.
 */
export async function uploadRestore(target: SshTarget, from: string): Promise<RestoreReport> {
  const local = resolve(from);
  if (!existsSync(local)) throw new AdminError(`no backup at ${from}`);
  checkDatabaseFile(local);
  const remote = `/tmp/rollcall-restore-${randomBytes(6).toString('hex')}.sqlite`;
  let uploaded = false;
  try {
    process.stderr.write(`copying ${local} to ${target.host}:${remote}…\n`);
    await sshRun(target, ['sh', '-c', `umask 077 && cat > ${remote}`], { input: readFileSync(local), captureStdout: true });
    uploaded = true;
    const { stdout } = await runRemoteScript(target, 'restore.sh', ['--from', remote], { captureStdout: true });
    const lastLine = stdout.trim().split('\n').at(-1) ?? '';
    try {
      return JSON.parse(lastLine) as RestoreReport;
    } catch {
      throw new AdminError(`the restore on ${target.host} did not report its result (got: ${lastLine.slice(0, 120) || 'nothing'})`);
    }
  } finally {
    if (uploaded) await sshRun(target, ['rm', '-f', '--', remote], { captureStdout: true }).catch(() => undefined);
  }
}
