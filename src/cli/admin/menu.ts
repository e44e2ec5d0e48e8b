import { cancel, confirm, intro, isCancel, log, outro, select, text } from '@clack/prompts';
import { CHART_NAMES, CHARTS, RANGE_LABELS, RANGE_NAMES } from '../../stats/catalog.js';
import { databasePath } from './paths.js';
import { runCommandLine } from './run.js';

type Action = 'status' | 'logs' | 'backup' | 'download' | 'restore' | 'deploy' | 'register' | 'migrate' | 'test' | 'stats' | 'quit';

const today = () => new Date().toISOString().slice(0, 10);

/** Asks for a value; null when the operator pressed Escape/Ctrl-C. */
async function ask(message: string, initialValue = '', required = true): Promise<string | null> {
  const value = await text({
    message,
    initialValue,
    validate: (v) => (required && !v?.trim() ? 'required' : undefined),
  });
  return isCancel(value) ? null : value.trim();
}

async function askHost(): Promise<string | null> {
  return ask('ssh address of the Pi (user@host or a Host alias)', process.env.ROLLCALL_SSH_HOST ?? 'pi@rollcall.local');
}

/** Where: this machine or the Pi. Returns the extra words (`--host …`), or null if cancelled. */
async function askWhere(): Promise<string[] | null> {
  const where = await select({
    message: 'Where?',
    options: [
      { value: 'pi', label: 'On the Pi (over ssh)' },
      { value: 'here', label: 'On this machine' },
    ],
  });
  if (isCancel(where)) return null;
  if (where === 'here') return [];
  const host = await askHost();
  return host ? ['--host', host] : null;
}

/** The command-line words for an action, asked for step by step; null if cancelled. */
async function wordsFor(action: Exclude<Action, 'quit'>): Promise<string[] | null> {
  switch (action) {
    case 'status':
    case 'logs': {
      const where = await askWhere();
      return where ? [action, ...where] : null;
    }
    case 'backup': {
      const out = await ask('Write the backup to', `backups/rollcall-${today()}.sqlite`);
      return out ? ['backup', '--out', out] : null;
    }
    case 'download': {
      const host = await askHost();
      const out = host ? await ask('Save it here as', `backups/rollcall-pi-${today()}.sqlite`) : null;
      return host && out ? ['download', '--host', host, '--out', out] : null;
    }
    case 'restore': {
      const host = await askHost();
      const from = host ? await ask('Backup on this machine to restore', `backups/rollcall-pi-${today()}.sqlite`) : null;
      if (!host || !from) return null;
      const sure = await confirm({ message: `Replace the database on ${host} with ${from}? The bot stops and starts again; what it has now is kept next to it.` });
      return sure === true ? ['restore', '--host', host, '--from', from] : null;
    }
    case 'deploy': {
      const host = await askHost();
      const ref = host ? await ask('Branch, tag or commit to deploy', 'main') : null;
      if (!host || !ref) return null;
      const sure = await confirm({ message: `Deploy ${ref} to ${host}? The bot restarts (a few seconds offline).` });
      return sure === true ? ['deploy', '--host', host, '--ref', ref] : null;
    }
    case 'register': {
      const guild = await ask('Server id to register in (empty: global, takes up to an hour)', process.env.DISCORD_GUILD_ID ?? '', false);
      if (guild === null) return null;
      return guild ? ['register', '--guild', guild] : ['register'];
    }
    case 'migrate':
      return ['migrate'];
    case 'test':
      return ['test'];
    case 'stats':
      return statsWords();
  }
}

/**
 * Stats and charts: where the database is (the Pi: a fresh backup is brought here and drawn from;
 * or a file here), which chart, which period, and where the PNG files go.
 */
async function statsWords(): Promise<string[] | null> {
  const where = await askWhere();
  if (!where) return null;
  let source = where;
  if (where.length === 0) {
    const file = await ask('Database file', databasePath());
    if (!file) return null;
    source = ['--db', file];
  }
  const chart = await select({
    message: 'Which chart?',
    options: [{ value: 'all', label: 'All charts', hint: 'one PNG each' }, ...CHART_NAMES.map((c) => ({ value: c, label: c, hint: CHARTS[c].description }))],
  });
  if (isCancel(chart)) return null;
  const range = await select({
    message: 'Which period?',
    options: [
      { value: 'default', label: 'The chart’s own default', hint: chart === 'all' ? 'as /stats: 30 days for most' : RANGE_LABELS[CHARTS[chart as keyof typeof CHARTS].defaultRange] },
      ...RANGE_NAMES.map((r) => ({ value: r, label: RANGE_LABELS[r] })),
    ],
  });
  if (isCancel(range)) return null;
  const out = await ask('Write the PNG files to (a folder)', `charts/${today()}`);
  if (!out) return null;
  return ['stats', ...source, '--chart', chart, ...(range === 'default' ? [] : ['--range', range]), '--out', out];
}

/** `npm run admin` in a terminal: pick an action, answer a few questions, see it run; repeat. */
export async function runMenu(): Promise<number> {
  intro('rollcall admin');
  let last = 0;
  for (;;) {
    const action = await select<Action>({
      message: 'What would you like to do?',
      options: [
        { value: 'status', label: 'Status', hint: 'health, version, uptime, gateway' },
        { value: 'logs', label: 'Logs', hint: 'the last lines from journald' },
        { value: 'backup', label: 'Back up the database here' },
        { value: 'download', label: 'Download a fresh backup from the Pi' },
        { value: 'restore', label: 'Restore a backup on the Pi', hint: 'owner and mode of the database kept' },
        { value: 'deploy', label: 'Deploy a version to the Pi', hint: 'rolls back if it does not come up' },
        { value: 'register', label: 'Register slash commands' },
        { value: 'migrate', label: 'Migrate the database here' },
        { value: 'test', label: 'Run the tests' },
        { value: 'stats', label: 'Stats and charts', hint: 'PNG files, from the Pi or a database here' },
        { value: 'quit', label: 'Quit' },
      ],
    });
    if (isCancel(action) || action === 'quit') break;
    const words = await wordsFor(action);
    if (!words) {
      cancel('Cancelled.');
      continue;
    }
    log.step(`npm run admin -- ${words.join(' ')}`);
    last = await runCommandLine(words);
    if (last === 0) log.success('Done.');
    else log.error('That did not work; the line above says why.');
  }
  outro('Bye.');
  return last;
}
