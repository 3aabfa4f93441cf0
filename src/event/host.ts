/**
 * One machine, many spellings: Sysmon's Computer is `WEB01.corp.example`, IIS's
 * s-computername is `WEB01`, syslog may say `web01`. Correlations and incidents compare
 * hosts by this key: lower case, short name; IP addresses stay whole.
 */
export function hostKey(host: string): string {
  const h = host.trim().toLowerCase();
  if (/^[0-9.]+$/.test(h) || h.includes(':')) return h;
  const dot = h.indexOf('.');
  return dot > 0 ? h.slice(0, dot) : h;
}
