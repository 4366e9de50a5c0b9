// Install/uninstall of a training-time patch: members of one of tfjs-core's
// CommonJS objects (its exports, or its `fused` namespace) replaced by ours
// while the patch is installed, and put back to the values they had when the
// patch was made when it is uninstalled. Installing does nothing without the
// addon.
import { addon } from '../native.js';

export interface MemberPatch {
  install(): void;
  uninstall(): void;
  isInstalled(): boolean;
}

export function memberPatch<T extends object>(target: T, replacements: Partial<T>): MemberPatch {
  const keys = Object.keys(replacements) as (keyof T)[];
  const originals = keys.map((k) => target[k]);
  let installed = false;
  return {
    install() {
      if (installed || !addon) return;
      for (const k of keys) target[k] = replacements[k] as T[keyof T];
      installed = true;
    },
    uninstall() {
      if (!installed) return;
      keys.forEach((k, i) => { target[k] = originals[i]; });
      installed = false;
    },
    isInstalled: () => installed,
  };
}
