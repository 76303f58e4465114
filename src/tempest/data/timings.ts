/**
 * The shipped class times of each Tempest variant (ms per class, set-up and tear-down included), made by
 * scripts/ship-timings.mjs from runs of that variant on tcup's test beds. Tempest 47's compute, network,
 * volume and image classes come from its runs on the 2026.2 compute bed, its identity and object ones are
 * still 43's (its file says so); Tempest 33 has none of its own and uses 43's.
 */
import t43 from './timings.json' with { type: 'json' };
import t47 from './timings-47.json' with { type: 'json' };

export interface ShippedTimings {
  /** Where the times come from, in words. */
  about: string;
  classes: ReadonlyMap<string, number>;
}

const of = (file: { about: string; classes: Record<string, number> }): ShippedTimings => ({
  about: file.about,
  classes: new Map(Object.entries(file.classes)),
});

const BY_VARIANT: Readonly<Record<string, ShippedTimings>> = { '47': of(t47), '43': of(t43), '33': of(t43) };

/** The shipped class times for a Tempest variant ("47", "43", "33"); 43's for one without its own. */
export function shippedTimings(variant: string): ShippedTimings {
  return BY_VARIANT[variant] ?? BY_VARIANT['43']!;
}
