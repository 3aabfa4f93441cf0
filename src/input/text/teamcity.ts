/**
 * JetBrains TeamCity server logs (`[yyyy-MM-dd HH:mm:ss,SSS] LEVEL - category - message`, local
 * time): teamcity-activities.log audit lines (plugin uploads, enabling/disabling, token and
 * user management, with actor and object split out), teamcity-rest.log request lines, and
 * teamcity-server.log. Stack-trace lines continue the previous record.
 */
import { basename } from 'node:path';
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { Fields, LogSource } from '../../event/event.js';
import { analyzable, contextZone, excerpt, isoStamp, makeEvent, reportLine, type ZoneResolver, UTC_ZONE } from './common.js';
import { PendingRecord } from './multiline.js';

const FORMAT = 'teamcity';
const SOURCES: Record<string, LogSource> = {
  activities: { product: 'teamcity', service: 'activities' },
  rest: { product: 'teamcity', service: 'rest' },
  server: { product: 'teamcity', service: 'server' },
};

interface Header {
  ts: number;
  level: string;
  category: string;
  message: string;
}

export function parseTeamCityHeader(s: string, zone: ZoneResolver): Header | undefined {
  if (s.charCodeAt(0) !== 91 /* [ */) return undefined;
  const st = isoStamp(s, 1, zone, ' ');
  if (!st || s[st.end] !== ']') return undefined;
  const d1 = s.indexOf(' - ', st.end + 1);
  if (d1 < 0) return undefined;
  const level = s.slice(st.end + 1, d1).trim();
  if (level === '' || level.includes(' ')) return undefined;
  const d2 = s.indexOf(' - ', d1 + 3);
  if (d2 < 0) return { ts: st.ms, level, category: '', message: s.slice(d1 + 3).trim() };
  return { ts: st.ms, level, category: s.slice(d1 + 3, d2).trim(), message: s.slice(d2 + 3) };
}

/** `ACTION: OBJECT was VERB by "ACTOR" with comment "COMMENT"` (teamcity-activities.log). */
function auditFields(msg: string, f: Fields): void {
  const m = /^([a-z][a-z0-9_]*): /.exec(msg);
  let rest = msg;
  if (m) {
    f.Action = m[1]!;
    rest = msg.slice(m[0].length);
  }
  const by = rest.indexOf(' by "');
  const was = rest.search(/ (was|were) /);
  if (was > 0 && (by < 0 || was < by)) {
    const obj = rest.slice(0, was);
    f.Object = obj.replace(/^"(.*)"$/, '$1');
    const verb = /^ (?:was|were) ([a-z][\w -]*?)(?= by | with |$)/.exec(rest.slice(was));
    if (verb) f.Verb = verb[1]!;
    const plugin = /^plugin\s+"?([^"]+?)"?$/i.exec(obj.trim());
    if (plugin) f.Plugin = plugin[1]!;
  }
  if (by >= 0) {
    const end = rest.indexOf('"', by + 5);
    const actor = rest.slice(by + 5, end < 0 ? rest.length : end);
    f.Actor = actor;
    const id = /\bid=(\d+)/.exec(actor);
    if (id) f.UserId = Number(id[1]);
    const login = /'([^']+)'/.exec(actor);
    if (login) f.User = login[1]!;
    if (end >= 0) {
      const c = / with comment "([\s\S]*)"$/.exec(rest.slice(end + 1));
      if (c) f.Comment = c[1]!;
    }
  }
}

const METHOD = /\b(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) ['"]?(\/[^\s'",]*)/;

function restFields(msg: string, f: Fields): void {
  const m = METHOD.exec(msg);
  if (m) {
    f.Method = m[1]!;
    f.Path = m[2]!;
  }
  const client = /from client ([0-9a-fA-F.:[\]]+)/.exec(msg);
  if (client) {
    let ip = client[1]!;
    const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
    if (bracket) ip = bracket[1]!;
    else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(':'));
    f.ClientIp = ip;
  }
  const status = /status(?: code)?:? (\d{3})\b/.exec(msg);
  if (status) f.Status = Number(status[1]);
  const user = /authenticated as '([^']+)'|by user '([^']+)'|user: '?([^',\s]+)/.exec(msg);
  if (user) f.User = (user[1] ?? user[2] ?? user[3])!;
}

function serviceOf(category: string, fileHint: string | undefined): string {
  if (/ACTIVITIES/i.test(category)) return 'activities';
  if (/\.REST\b|\brest\b|REST\.API|server\.rest/i.test(category)) return 'rest';
  return fileHint ?? 'server';
}

class TeamCityState implements LineDecoderState {
  private readonly zone: ZoneResolver;
  private readonly pending = new PendingRecord();
  private readonly fileHint: string | undefined;
  constructor(private readonly ctx: DecodeContext) {
    this.zone = contextZone(ctx);
    const name = basename(ctx.file).toLowerCase();
    this.fileHint = name.includes('activities') ? 'activities' : name.includes('-rest') ? 'rest' : undefined;
  }
  line(text: string, lineNo: number, emit: Emit): void {
    if (text.length === 0) return;
    const h = parseTeamCityHeader(text, this.zone);
    if (!h) {
      if (!this.pending.continueWith(text)) reportLine(this.ctx, lineNo, `not a TeamCity log line; skipped: ${excerpt(text)}`);
      return;
    }
    const service = serviceOf(h.category, this.fileHint);
    const fields: Fields = { Level: h.level, Category: h.category, Message: h.message };
    if (service === 'activities') auditFields(analyzable(h.message), fields);
    else if (service === 'rest') restFields(analyzable(h.message), fields);
    this.pending.start(makeEvent(fields, SOURCES[service]!, FORMAT, this.ctx.file, lineNo, text, h.ts, undefined), emit);
  }
  end(emit: Emit): void {
    this.pending.flush(emit);
  }
}

export const teamcityDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: 'JetBrains TeamCity server, activities (audit) and REST logs',
  sniff(lines: string[]): number {
    const first = lines.find((l) => l.trim() !== '');
    if (first === undefined || !parseTeamCityHeader(first, UTC_ZONE)) return 0;
    const heads = lines.filter((l) => parseTeamCityHeader(l, UTC_ZONE) !== undefined).length;
    return heads >= Math.min(2, lines.length) ? 0.9 : 0.7;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new TeamCityState(ctx);
  },
};
