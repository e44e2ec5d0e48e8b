/**
 * The local Discord emulator. Tests start one per test:
 *
 * ```ts
 * const emu = await startEmulator({ interactionsUrl, heartbeatIntervalMs: 200 });
 * const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
 * …
 * await emu.close();
 * ```
 *
 * It imports nothing from the bot (src/shared, src/http, src/gateway).
 */
import { handleControl } from './control.js';
import { Emulator, type EmulatorOptions } from './emulator.js';

export { Emulator, type EmulatorOptions, type RunOptions, type VoiceFlags } from './emulator.js';
export { DiscordError } from './errors.js';
export {
  defaultFixtureInput,
  generateMembers,
  fixtureId,
  type Fixture,
  type FixtureInput,
  type FixtureMember,
  type ChannelSpec,
  type RoleSpec,
  type MemberSpec,
  type EmojiSpec,
  type VoiceSpec,
} from './fixture.js';
export type { FaultSpec } from './rest/faults.js';
export type { InteractionResult } from './interactions/client.js';
export type { CommandOptionInput } from './interactions/payloads.js';
export type { VoiceOp } from './ws-gateway/server.js';
export type { NewMember } from './state/members.js';
export { generatedMemberId, SCALE_LIMITS, type GuildScale, type ScaledGuild } from './state/scale.js';
export type { EmulatedMessage, StoredFile } from './state/view.js';
export type { CountersSnapshot, WireEvent } from './wire.js';
export { Buckets, GLOBAL_LIMIT_PER_SECOND } from './rest/rate-limits.js';
export { snowflakeAt, snowflakeTime } from './snowflake.js';
export { trustVoiceCertificate } from './voice/trust.js';
export type { Utterance } from './voice/utterances.js';
export type { EncryptionMode } from './voice/transport-crypto.js';

/** Starts an emulator on 127.0.0.1 (port 0 = any free port). */
export function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return Emulator.start(options, handleControl);
}
