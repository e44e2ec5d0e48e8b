/**
 * The charts rollcall draws and the time ranges they can cover: the vocabulary shared by `/stats`,
 * `npm run stats` and the render worker.
 */

/** Every chart, in the order `--chart all` renders them. */
export const CHART_NAMES = ['community', 'duos', 'total', 'inactive', 'weekdays', 'months', 'member-months', 'drifting', 'timeline', 'reliability', 'best-window'] as const;
export type ChartName = (typeof CHART_NAMES)[number];

export interface ChartInfo {
  name: ChartName;
  /** One line for `/stats` and `--help`. */
  description: string;
  /** Drawn for one member (their own time zone); the rest are about everyone. */
  perMember: boolean;
  /** Who may draw it: `own` = any member, about themselves (admins too, never about another); `admins` = about everyone. */
  who: 'own' | 'admins';
  /** The range used when none is given (`/stats` and the CLI alike). */
  defaultRange: RangeName;
}

export const CHARTS: Readonly<Record<ChartName, ChartInfo>> = {
  community: { name: 'community', description: 'Who plays with whom: members linked by time together, coloured by group', perMember: false, who: 'admins', defaultRange: '30d' },
  duos: { name: 'duos', description: 'The pairs with the most time together in voice', perMember: false, who: 'admins', defaultRange: '30d' },
  total: { name: 'total', description: 'Total voice time per member (AFK excluded)', perMember: false, who: 'admins', defaultRange: '30d' },
  inactive: { name: 'inactive', description: 'Members not seen in voice for a while', perMember: false, who: 'admins', defaultRange: '30d' },
  weekdays: { name: 'weekdays', description: 'Voice hours per day of the week', perMember: false, who: 'admins', defaultRange: '30d' },
  months: { name: 'months', description: 'Voice hours per calendar month', perMember: false, who: 'admins', defaultRange: '30d' },
  'member-months': { name: 'member-months', description: 'Hours per month for each of the most active members (who plays less lately)', perMember: false, who: 'admins', defaultRange: '365d' },
  drifting: { name: 'drifting', description: 'Drifting away: members whose last 4 weeks fell most against their own average', perMember: false, who: 'admins', defaultRange: '90d' },
  timeline: { name: 'timeline', description: 'Your time in voice by day and hour (7 days; a longer range overlays the weeks)', perMember: true, who: 'own', defaultRange: '7d' },
  reliability: { name: 'reliability', description: 'Said vs showed: hours declared vs hours actually in voice', perMember: false, who: 'admins', defaultRange: '30d' },
  'best-window': { name: 'best-window', description: 'Best time to play: who is usually available and present, by day and hour', perMember: false, who: 'admins', defaultRange: '30d' },
};

export function isChartName(value: string): value is ChartName {
  return (CHART_NAMES as readonly string[]).includes(value);
}

/** Ranges as typed on the command line and offered in Discord. */
export const RANGE_NAMES = ['7d', '30d', '90d', '365d', 'all'] as const;
export type RangeName = (typeof RANGE_NAMES)[number];

export const RANGE_LABELS: Readonly<Record<RangeName, string>> = {
  '7d': 'last 7 days',
  '30d': 'last 30 days',
  '90d': 'last 90 days',
  '365d': 'last 365 days',
  all: 'all time',
};

export function isRangeName(value: string): value is RangeName {
  return (RANGE_NAMES as readonly string[]).includes(value);
}

/** Number of local calendar days a range covers (today included); null for all time. */
export function rangeDays(range: RangeName): number | null {
  return range === 'all' ? null : Number(range.slice(0, -1));
}

/** What the render worker is asked: plain ids and values, nothing from Discord's payloads. */
export interface ChartRequest {
  guildId: string;
  chart: ChartName;
  range: RangeName;
  /** The member a per-member chart is about (timeline; reliability by weekday). */
  memberId?: string;
  /** "Now" from the caller's clock, unix ms: open stays end here. */
  now: number;
  /** Members left out of every figure (privacy opt-out); applied in one place, the scope. */
  excludedUserIds?: readonly string[];
  /** Pairs with less time together are dropped from the community graph and duos. Default 1 h. */
  minPairMs?: number;
  /** "Inactive" means not in voice for this many days. Default 14. */
  inactiveDays?: number;
}

export const DEFAULT_MIN_PAIR_MS = 60 * 60 * 1000;
export const DEFAULT_INACTIVE_DAYS = 14;

/** Whole hours a member may ask for as the community graph's and duos' minimum (`min-hours`). */
export const MIN_HOURS_LIMITS = { min: 1, max: 1000 } as const;
/** Days a member may ask for as the inactive chart's threshold (`days`). */
export const INACTIVE_DAYS_LIMITS = { min: 1, max: 365 } as const;

/** Charts that take a minimum time together per pair (`min-hours`, `--min-hours`). */
export const PAIR_CHARTS: readonly ChartName[] = ['community', 'duos'];

/**
 * Why `value` is not a whole number within `limits`, or null when it is: one sentence, shared by
 * `/stats` and the CLI.
 */
export function outOfLimits(what: string, value: number, limits: { min: number; max: number }): string | null {
  if (Number.isInteger(value) && value >= limits.min && value <= limits.max) return null;
  return `${what} must be a whole number from ${limits.min} to ${limits.max} (got ${value}).`;
}

/** A drawn chart, or why there is nothing worth drawing. */
export type ChartResult = { ok: true; chart: ChartName; title: string; summary: string; png: Uint8Array; svg: string; width: number; height: number } | { ok: false; chart: ChartName; reason: string };

/** Called as each chart is done: wall time, and CPU time of the drawing thread where known. */
export type ChartProgress = (index: number, result: ChartResult, ms: number, cpuMs?: number) => void;
