import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A Facebook region as the Graph API expects it in `geo_locations.regions`. */
export interface FbRegion {
  key: string;
  name: string;
  country: string;
}

const RegionTableSchema = z
  .record(
    z.string().regex(/^[A-Z]{2}$/),
    z.strictObject({ key: z.string().regex(/^\d+$/), name: z.string().min(1), country: z.literal('US') }),
  )
  .refine((t) => Object.keys(t).length === 51, 'must hold exactly 51 entries (50 states and DC)')
  .refine(
    (t) => new Set(Object.values(t).map((r) => r.key)).size === Object.keys(t).length,
    'region keys must be unique',
  );

export const DEFAULT_REGION_KEYS_FILE = new URL('../../../data/fb_region_keys.json', import.meta.url);

/** USPS code ⇄ Facebook region key, loaded once from data/fb_region_keys.json. */
export class RegionTable {
  private readonly byKey: Map<string, string>;

  constructor(private readonly byUsps: Record<string, FbRegion>) {
    this.byKey = new Map(Object.entries(byUsps).map(([usps, r]) => [r.key, usps]));
  }

  static load(file: URL | string = DEFAULT_REGION_KEYS_FILE): RegionTable {
    const parsed = RegionTableSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      throw new Error(
        `region key table ${String(file)} is invalid: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      );
    }
    return new RegionTable(parsed.data);
  }

  /**
   * The region of a USPS code: two ASCII letters in any case, ASCII spaces around. Unicode case
   * folding is not used: a look-alike letter (Turkish dotless ı, a Kelvin sign) is not a state.
   */
  region(usps: string): FbRegion | undefined {
    const code = usps.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, '');
    if (!/^[A-Za-z]{2}$/.test(code)) return undefined;
    return Object.hasOwn(this.byUsps, code.toUpperCase()) ? this.byUsps[code.toUpperCase()] : undefined;
  }

  /** The USPS code of a region key, when it is one of ours. */
  uspsOf(key: string): string | undefined {
    return this.byKey.get(key);
  }

  get size(): number {
    return this.byKey.size;
  }

  entries(): Array<[string, FbRegion]> {
    return Object.entries(this.byUsps);
  }
}
