import { describe, expect, it } from 'vitest';
import { RegionTable, US_TILES, campaignChanges, tileStates } from '@closrads/core';
import { renderTileMapTable } from '../src';

describe('US tile grid', () => {
  it('places each of the 51 region-table states once, on distinct tiles', () => {
    const table = RegionTable.load();
    expect(US_TILES).toHaveLength(51);
    expect(new Set(US_TILES.map((t) => t.code)).size).toBe(51);
    for (const t of US_TILES) expect(table.region(t.code), t.code).toBeDefined();
    expect(new Set(US_TILES.map((t) => `${t.col},${t.row}`)).size).toBe(51);
  });

  it('tells targeted, added, removed and off apart', () => {
    const s = tileStates(['CA', 'TX'], ['TX'], ['NY']);
    expect([s.get('CA'), s.get('TX'), s.get('NY'), s.get('OH')]).toEqual(['targeted', 'added', 'removed', 'off']);
    expect(
      campaignChanges([
        { outcome: 'updated', added: ['TX'], removed: ['NY'] },
        { outcome: 'would_update', added: ['TX', 'CA'], removed: [] },
        { outcome: 'failed', added: ['OH'], removed: ['WA'] },
      ]),
    ).toEqual({ added: ['CA', 'TX'], removed: ['NY'] });
  });
});

describe('email tile map', () => {
  it('is a table with inline styles only: no image, SVG, script or class', () => {
    const out = renderTileMapTable({ targeted: ['CA', 'TX'], added: ['TX'], removed: ['NY'] });
    expect(out).toMatch(/^<table role="presentation"/);
    expect(out).not.toMatch(/<img|<svg|<script|class=|<style/i);
    expect((out.match(/<td /g) ?? []).length).toBe(11 * 8);
    expect(out).toContain('title="TX added"');
    expect(out).toContain('title="NY removed"');
    expect(out).toContain('title="CA targeted"');
    expect(out).toMatch(/targeted<\/span>.*added<\/span>.*removed<\/span>/);
  });
});
