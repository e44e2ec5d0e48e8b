import { REST, type RawFile, type RateLimitData } from '@discordjs/rest';
import {
  Routes,
  type APIApplicationCommand,
  type APIMessage,
  type RESTPatchAPIWebhookWithTokenMessageJSONBody,
  type RESTPostAPIWebhookWithTokenJSONBody,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';

export interface RestOptions {
  apiUrl: string;
  token: string;
  /** Give up on a 429 whose wait is longer than this instead of retrying forever (the default). */
  maxRateLimitWaitMs?: number;
}

/**
 * The one place a @discordjs/rest client is created. `api` points it at Discord or at the
 * emulator. @discordjs/rest waits out 429s forever by default; a wait longer than
 * `maxRateLimitWaitMs` rejects instead, so a stuck bucket surfaces as an error, not a hang.
 */
export function createRest(options: RestOptions): REST {
  const maxWait = options.maxRateLimitWaitMs ?? 15_000;
  return new REST({
    api: options.apiUrl,
    version: '10',
    retries: 2,
    timeout: 15_000,
    rejectOnRateLimit: (data: RateLimitData) => data.retryAfter > maxWait,
  }).setToken(options.token);
}

export interface FileAttachment {
  name: string;
  data: Buffer;
  contentType?: string;
}

function toRawFiles(files: readonly FileAttachment[] | undefined): RawFile[] | undefined {
  return files?.map((f) => ({ name: f.name, data: f.data, contentType: f.contentType }));
}

/**
 * Typed calls on Discord's REST API used by rollcall, in the style of `@discordjs/core`'s
 * `new API(rest)`: the client is passed in, nothing here reads config.
 * @see https://discord.com/developers/docs/reference
 */
export class DiscordApi {
  constructor(
    readonly rest: REST,
    readonly applicationId: string,
  ) {}

  /** @see https://discord.com/developers/docs/interactions/application-commands#get-global-application-commands */
  async getCommands(guildId?: string): Promise<APIApplicationCommand[]> {
    const route = guildId
      ? Routes.applicationGuildCommands(this.applicationId, guildId)
      : Routes.applicationCommands(this.applicationId);
    return (await this.rest.get(route)) as APIApplicationCommand[];
  }

  /** @see https://discord.com/developers/docs/interactions/application-commands#bulk-overwrite-global-application-commands */
  async putCommands(body: RESTPutAPIApplicationCommandsJSONBody, guildId?: string): Promise<APIApplicationCommand[]> {
    const route = guildId
      ? Routes.applicationGuildCommands(this.applicationId, guildId)
      : Routes.applicationCommands(this.applicationId);
    return (await this.rest.put(route, { body })) as APIApplicationCommand[];
  }

  /** @see https://discord.com/developers/docs/interactions/receiving-and-responding#edit-original-interaction-response */
  async editOriginalResponse(
    interactionToken: string,
    body: RESTPatchAPIWebhookWithTokenMessageJSONBody,
    files?: readonly FileAttachment[],
  ): Promise<APIMessage> {
    return (await this.rest.patch(Routes.webhookMessage(this.applicationId, interactionToken, '@original'), {
      body,
      files: toRawFiles(files),
      auth: false,
    })) as APIMessage;
  }

  /** @see https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message */
  async createFollowup(
    interactionToken: string,
    body: RESTPostAPIWebhookWithTokenJSONBody,
    files?: readonly FileAttachment[],
  ): Promise<APIMessage> {
    return (await this.rest.post(Routes.webhook(this.applicationId, interactionToken), {
      body,
      files: toRawFiles(files),
      auth: false,
    })) as APIMessage;
  }
}
