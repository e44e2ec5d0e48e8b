import { IANAZone } from 'luxon';

export const DEFAULT_TIMEZONE = 'America/New_York';

let zoneList: readonly string[] | undefined;

/**
 * Current IANA names that ICU's list still spells the old way (Asia/Calcutta, Europe/Kiev…): a
 * member typing "kolkata" must find their zone.
 */
const RENAMED_ZONES = ['Asia/Kolkata', 'Europe/Kyiv', 'Asia/Kathmandu', 'Asia/Yangon', 'Asia/Ho_Chi_Minh', 'America/Nuuk', 'Pacific/Kanton', 'Atlantic/Faroe', 'America/Argentina/Buenos_Aires'];

/** Every IANA zone this Node knows, plus UTC (which `supportedValuesOf` leaves out on some builds). */
export function allZones(): readonly string[] {
  zoneList ??= [...new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', ...RENAMED_ZONES.filter((z) => IANAZone.isValidZone(z))])].sort();
  return zoneList;
}

/** True for a real IANA zone name ("Europe/Paris"); false for offsets and abbreviations. */
export function isValidZone(zone: string): boolean {
  return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone) && IANAZone.isValidZone(zone);
}

/** The canonical spelling of a zone the user typed in any case, or undefined. */
export function normaliseZone(input: string): string | undefined {
  const trimmed = input.trim();
  const exact = allZones().find((z) => z.toLowerCase() === trimmed.toLowerCase());
  if (exact) return exact;
  return isValidZone(trimmed) ? trimmed : undefined;
}

/**
 * Up to `limit` zones for autocomplete: names starting with the query first, then names
 * containing it (spaces match underscores, so "new york" finds America/New_York).
 */
export function searchZones(query: string, limit = 25): string[] {
  const q = query.trim().toLowerCase().replace(/\s+/g, '_');
  if (q === '') return allZones().slice(0, limit);
  const starts: string[] = [];
  const contains: string[] = [];
  for (const zone of allZones()) {
    const z = zone.toLowerCase();
    const city = z.slice(z.lastIndexOf('/') + 1);
    if (z.startsWith(q) || city.startsWith(q)) starts.push(zone);
    else if (z.includes(q)) contains.push(zone);
  }
  return [...starts, ...contains].slice(0, limit);
}
