// The native backend package (@convkit/tfjs-backend-onednn), loaded once and lazily: convkit type-checks and runs
// where it was not built. train/backend.ts registers its tfjs backend from it; inference/predictor.ts builds its
// inference plans with it.

// A variable, so that TypeScript does not resolve the import at compile time.
const NATIVE_PACKAGE: string = '@convkit/tfjs-backend-onednn';

let loaded: Promise<{ mod: any; why?: undefined } | { mod: null; why: string }> | null = null;

/** The package when its addon loaded, else why not (one line); tries once, never throws. */
export function loadNativePackage(): Promise<{ mod: any; why?: undefined } | { mod: null; why: string }> {
  loaded ??= (async () => {
    try {
      const mod: any = await import(NATIVE_PACKAGE);
      const available = typeof mod.isAvailable === 'function' ? mod.isAvailable() : true;
      if (!available) return { mod: null, why: String(mod.loadError?.message ?? mod.loadError ?? 'native addon not loaded') };
      return { mod };
    } catch (e) {
      return { mod: null, why: (e as Error).message.split('\n')[0] };
    }
  })();
  return loaded;
}
