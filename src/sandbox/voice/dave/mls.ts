/**
 * The few MLS (RFC 9420) structures Discord's voice gateway handles as DAVE's delivery service, in
 * the TLS presentation language: the external sender package it announces, the external Add and
 * Remove proposals it signs, and enough of a member's commit to know its epoch, the proposals it
 * references and where the Welcome after it begins. Ciphersuite 2 only (P-256, SHA-256), basic
 * credentials only, as DAVE protocol version 1 fixes.
 * @see https://www.rfc-editor.org/rfc/rfc9420.html
 * @see https://daveprotocol.com/#group-key-exchange
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** RFC 9420 §2.1.2 variable-size length header. */
export function varint(n: number): Buffer {
  if (n < 0x40) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE((0x80000000 | n) >>> 0);
  return b;
}

export const vec = (bytes: Buffer): Buffer => Buffer.concat([varint(bytes.length), bytes]);
const u8 = (n: number) => Buffer.from([n]);
function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
}

const MLS10 = 1;
const WIRE_PUBLIC = 1;
const WIRE_KEY_PACKAGE = 5;
const SENDER_MEMBER = 1;
const SENDER_EXTERNAL = 2;
const CONTENT_PROPOSAL = 2;
const CONTENT_COMMIT = 3;
const PROPOSAL_ADD = 1;
const PROPOSAL_REMOVE = 3;
const CREDENTIAL_BASIC = 1;

/** A reader over TLS-encoded bytes; every read throws past the end. */
export class Reader {
  offset = 0;
  constructor(readonly bytes: Buffer) {}
  take(n: number): Buffer {
    if (this.offset + n > this.bytes.length) throw new Error('MLS message truncated');
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  u8 = () => this.take(1)[0]!;
  u16 = () => this.take(2).readUInt16BE();
  u32 = () => this.take(4).readUInt32BE();
  u64 = () => this.take(8).readBigUInt64BE();
  length(): number {
    const first = this.u8();
    const prefix = first >> 6;
    if (prefix === 0) return first;
    if (prefix === 1) return ((first & 0x3f) << 8) | this.u8();
    if (prefix === 2) return ((first & 0x3f) * 0x1000000 + (this.u8() << 16)) | (this.u8() << 8) | this.u8();
    throw new Error('invalid MLS length prefix');
  }
  vec = (): Buffer => this.take(this.length());
  get rest(): Buffer {
    return this.bytes.subarray(this.offset);
  }
}

/** DAVE's group id: the channel id as a big-endian 64-bit integer. */
export const groupIdOf = (channelId: string): Buffer => u64(BigInt(channelId));

/** The voice gateway's external sender: a P-256 signing key and a basic credential. */
export class ExternalSender {
  readonly #key: KeyObject;
  /** The serialized ExternalSender (opcode 25's payload). */
  readonly package: Buffer;
  constructor(identity = Buffer.from('rollcall emulator voice gateway')) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#key = privateKey;
    const point = publicKey.export({ format: 'jwk' });
    const raw = Buffer.concat([u8(4), Buffer.from(point.x!, 'base64url'), Buffer.from(point.y!, 'base64url')]);
    this.package = Buffer.concat([vec(raw), u16(CREDENTIAL_BASIC), vec(identity)]);
  }

  /** An external proposal as an MLSMessage (PublicMessage signed by this sender, sender index 0). */
  proposal(groupId: Buffer, epoch: bigint, proposal: Buffer): { message: Buffer; ref: Buffer } {
    const content = Buffer.concat([vec(groupId), u64(epoch), u8(SENDER_EXTERNAL), u32(0), vec(Buffer.alloc(0)), u8(CONTENT_PROPOSAL), proposal]);
    const tbs = Buffer.concat([u16(MLS10), u16(WIRE_PUBLIC), content]);
    const signature = sign('sha256', Buffer.concat([vec(Buffer.from('MLS 1.0 FramedContentTBS')), vec(tbs)]), this.#key);
    const auth = vec(signature);
    // ProposalRef = RefHash("MLS 1.0 Proposal Reference", AuthenticatedContent)
    const authenticated = Buffer.concat([u16(WIRE_PUBLIC), content, auth]);
    const ref = createHash('sha256')
      .update(Buffer.concat([vec(Buffer.from('MLS 1.0 Proposal Reference')), vec(authenticated)]))
      .digest();
    return { message: Buffer.concat([u16(MLS10), u16(WIRE_PUBLIC), content, auth]), ref };
  }
}

/** Proposal Add{KeyPackage}. */
export const addProposal = (keyPackage: Buffer): Buffer => Buffer.concat([u16(PROPOSAL_ADD), keyPackage]);
/** Proposal Remove{leaf index}. */
export const removeProposal = (leaf: number): Buffer => Buffer.concat([u16(PROPOSAL_REMOVE), u32(leaf)]);

/** Skips a Credential. */
function credential(r: Reader): Buffer {
  const type = r.u16();
  const identity = r.vec();
  if (type !== CREDENTIAL_BASIC) throw new Error(`credential type ${type} is not basic`);
  return identity;
}

/** Reads a LeafNode; returns its credential identity. */
function leafNode(r: Reader): Buffer {
  r.vec(); // encryption_key
  r.vec(); // signature_key
  const identity = credential(r);
  for (let i = 0; i < 5; i++) r.vec(); // capabilities
  const source = r.u8();
  if (source === 1) r.take(16);
  else if (source === 3) r.vec();
  r.vec(); // extensions
  r.vec(); // signature
  return identity;
}

/**
 * A key package from opcode 26: the KeyPackage itself (what an Add carries) and its user id. The
 * whitepaper says an MLSMessage; libdave and davey send the bare KeyPackage: both are read.
 */
export function readKeyPackageMessage(message: Buffer): { keyPackage: Buffer; userId: string } {
  const r = new Reader(message);
  if (message.length >= 4 && message.readUInt16BE(2) === WIRE_KEY_PACKAGE) r.take(4);
  const start = r.offset;
  if (r.u16() !== MLS10) throw new Error('not an MLS 1.0 KeyPackage');
  const suite = r.u16();
  if (suite !== 2) throw new Error(`key package ciphersuite ${suite}, DAVE v1 uses 2`);
  r.vec(); // init_key
  const identity = leafNode(r);
  r.vec(); // extensions
  r.vec(); // signature
  if (identity.length !== 8) throw new Error('credential identity is not a 64-bit user id');
  return { keyPackage: message.subarray(start, r.offset), userId: identity.readBigUInt64BE().toString() };
}

/** What the delivery service reads of a member's commit (opcode 28). */
export interface CommitWelcome {
  epoch: bigint;
  /** The committer's leaf index. */
  sender: number;
  /** The proposals referenced (refs) by the commit, in its order; inline proposals are not allowed. */
  refs: Buffer[];
  /** The whole commit MLSMessage (what opcode 29 forwards). */
  commit: Buffer;
  /** The Welcome after it (what opcode 30 forwards), if any. */
  welcome: Buffer | null;
}

/** Splits opcode 28's payload into the commit and the Welcome; throws on anything but a member's PublicMessage commit. */
export function readCommitWelcome(payload: Buffer): CommitWelcome {
  const r = new Reader(payload);
  if (r.u16() !== MLS10 || r.u16() !== WIRE_PUBLIC) throw new Error('the commit is not an MLS 1.0 PublicMessage');
  r.vec(); // group_id
  const epoch = r.u64();
  if (r.u8() !== SENDER_MEMBER) throw new Error('the commit is not from a member');
  const sender = r.u32();
  r.vec(); // authenticated_data
  if (r.u8() !== CONTENT_COMMIT) throw new Error('not a commit');
  const proposals = new Reader(r.vec());
  const refs: Buffer[] = [];
  while (proposals.rest.length > 0) {
    if (proposals.u8() !== 2) throw new Error('the commit carries an inline proposal');
    refs.push(proposals.vec());
  }
  if (r.u8() === 1) {
    leafNode(r);
    r.vec(); // nodes
  }
  r.vec(); // signature
  r.vec(); // confirmation_tag
  r.vec(); // membership_tag
  const welcome = r.rest.length > 0 ? Buffer.from(r.rest) : null;
  return { epoch, sender, refs, commit: Buffer.from(payload.subarray(0, r.offset)), welcome };
}
