/**
 * How a member is named in the daily message: rank emoji and display name, or a mention for a member
 * not found (Discord renders `<@id>` as the name for every viewer; replies never ping because
 * rollcall sends `allowed_mentions: { parse: [] }`). The member cache implements it.
 */
export interface MemberLabels {
  labels(guildId: string, userIds: readonly string[]): Promise<Map<string, string>>;
}
