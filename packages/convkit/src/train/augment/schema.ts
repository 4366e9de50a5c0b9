import { z } from 'zod';

/**
 * On-the-fly augmentation with Keras `ImageDataGenerator`'s names and meanings:
 * rotation (degrees, angle drawn in [−r, r]), widthShift / heightShift (fraction of the width / height,
 * drawn in [−s, s]; `shift` sets both), zoom (fraction: horizontal and vertical scale each drawn in [1−z, 1+z],
 * as Keras does), shear (degrees, drawn in [−s, s] — Keras's shear_range is in degrees, so Fidle's 0.1 is 0.1°),
 * brightness ([lo, hi]: pixel values multiplied by a factor drawn in it, Keras's brightness_range),
 * contrast (factor drawn in [1−c, 1+c] around each image's mean, Keras's RandomContrast),
 * hflip / vflip (flip half of the images; hflip is off by default: signs are not symmetric),
 * fill (what the warp shows outside the image: nearest | constant | reflect, as Keras's fill_mode) and cval (the constant).
 */
const range = (lo: number, hi: number, opts: { hiOpen?: boolean; unit?: string } = {}) => {
  const msg = `must be a number in [${lo}, ${hi}${opts.hiOpen ? ')' : ']'}${opts.unit ? ` (${opts.unit})` : ''}`;
  const n = z.number({ error: msg }).min(lo, { error: msg });
  return opts.hiOpen ? n.lt(hi, { error: msg }) : n.max(hi, { error: msg });
};

export const FILL_MODES = ['nearest', 'constant', 'reflect'] as const;

const KEYS = ['rotation', 'shift', 'widthShift', 'heightShift', 'zoom', 'shear', 'brightness', 'contrast', 'hflip', 'vflip', 'fill', 'cval'] as const;

const brightnessMsg = 'must be a range lo:hi of factors with 0 <= lo <= hi <= 10 (e.g. 0.8:1.2)';

const AugmentObject = z
  .strictObject(
    {
      rotation: range(0, 180, { unit: 'degrees' }).default(0),
      /** Sets widthShift and heightShift at once (unless they are given). */
      shift: range(0, 1, { unit: 'fraction of the size' }).default(0),
      widthShift: range(0, 1, { unit: 'fraction of the width' }).optional(),
      heightShift: range(0, 1, { unit: 'fraction of the height' }).optional(),
      zoom: range(0, 1, { hiOpen: true, unit: 'scale drawn in [1-zoom, 1+zoom]' }).default(0),
      shear: range(0, 60, { unit: 'degrees' }).default(0),
      brightness: z
        .tuple([z.number({ error: brightnessMsg }), z.number({ error: brightnessMsg })], { error: brightnessMsg })
        .refine(([lo, hi]) => lo >= 0 && lo <= hi && hi <= 10, { error: brightnessMsg })
        .optional(),
      contrast: range(0, 1, { hiOpen: true, unit: 'factor drawn in [1-contrast, 1+contrast]' }).default(0),
      hflip: z.boolean({ error: 'must be true or false' }).default(false),
      vflip: z.boolean({ error: 'must be true or false' }).default(false),
      fill: z.enum(FILL_MODES, { error: `must be one of ${FILL_MODES.join(', ')}` }).default('nearest'),
      cval: z.number({ error: 'must be a number (the value of constant fill)' }).default(0),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown key ${iss.keys.join(', ')} (known: ${KEYS.join(', ')}, or a preset: ${Object.keys(AUGMENT_PRESETS).join(', ')})` : undefined) },
  )
  .transform(({ shift, widthShift, heightShift, ...rest }) => ({ ...rest, widthShift: widthShift ?? shift, heightShift: heightShift ?? shift }));

/** Presets usable alone or before key=value pairs: `fidle` is the course's GTSRB4 ImageDataGenerator. */
export const AUGMENT_PRESETS: Record<string, Record<string, unknown>> = {
  fidle: { rotation: 10, zoom: 0.2, shift: 0.1, shear: 0.1 },
};

/**
 * `"fidle"`, `"rotation=10,zoom=0.2,shift=0.1,shear=0.1"`, `"fidle,hflip"`, `"brightness=0.8:1.2"` → an object
 * for AugmentSchema (values are only typed here; the schema checks ranges). `none` / `off` / "" → undefined.
 */
export function parseAugmentString(s: string): Record<string, unknown> | undefined {
  const t = s.trim();
  if (t === '' || t === 'none' || t === 'off') return undefined;
  const out: Record<string, unknown> = {};
  for (const raw of t.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq < 0) {
      if (AUGMENT_PRESETS[item]) Object.assign(out, AUGMENT_PRESETS[item]);
      else out[camel(item)] = true; // a bare flag (hflip); an unknown word is then an unknown key
      continue;
    }
    out[camel(item.slice(0, eq).trim())] = typedValue(item.slice(eq + 1).trim());
  }
  return out;
}

const camel = (k: string) => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function typedValue(v: string): unknown {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v.includes(':')) return v.split(':').map(typedValue);
  const n = Number(v);
  return v !== '' && Number.isFinite(n) ? n : v;
}

/** The `augment` field of a train config: an object, a preset, a `key=value,…` string, or absent/none (no augmentation). */
export const AugmentSchema = z.preprocess(
  (v) => (typeof v === 'string' ? parseAugmentString(v) : v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [camel(k), x])) : v),
  AugmentObject.optional(),
);

/** A parsed augmentation spec (every range resolved; 0 means off). */
export type AugmentSpec = z.output<typeof AugmentObject>;
export type AugmentSpecInput = z.input<typeof AugmentObject>;

/** True if the spec changes anything at all. */
export function isActive(spec: AugmentSpec | undefined): spec is AugmentSpec {
  if (!spec) return false;
  return spec.rotation > 0 || spec.widthShift > 0 || spec.heightShift > 0 || spec.zoom > 0 || spec.shear > 0 || spec.contrast > 0 || spec.hflip || spec.vflip || (spec.brightness !== undefined && !(spec.brightness[0] === 1 && spec.brightness[1] === 1));
}

/** `rotation=10,widthShift=0.1,…`: the settings, as they would be typed (parses back to the same spec). */
export function describeAugment(spec: AugmentSpec): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'fill' || k === 'cval') continue;
    if (v === 0 || v === false || v === undefined) continue;
    parts.push(v === true ? k : `${k}=${Array.isArray(v) ? v.join(':') : v}`);
  }
  parts.push(`fill=${spec.fill}${spec.cval !== 0 ? `,cval=${spec.cval}` : ''}`);
  return parts.join(',');
}
