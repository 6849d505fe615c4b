import { readFileSync } from 'node:fs';
import { packageOf } from '../src/profile-summary';
const p = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const target = process.argv[3]!;
const depth = Number(process.argv[4] ?? 6);
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
p.samples.forEach((id: number, i: number) => self.set(id, (self.get(id) ?? 0) + p.timeDeltas[i]));
const agg = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id);
  if (n.callFrame.functionName !== target) continue;
  const chain: string[] = [];
  let cur = parent.get(id);
  while (cur !== undefined && chain.length < depth) { const f = byId.get(cur).callFrame; chain.push(`${f.functionName || 'anon'}@${packageOf(f.url)}:${f.lineNumber + 1}`); cur = parent.get(cur); }
  const k = chain.join(' < ');
  agg.set(k, (agg.get(k) ?? 0) + us);
}
for (const [k, us] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log((us / 1000).toFixed(0), 'ms', k);
