import { z } from 'zod';

const classIdMsg = 'must be class ids: non-negative integers (e.g. [3, 5], or 3,5 on the command line)';

/** `augment-classes`: the classes augmented more strongly, at least one. */
export const AugmentClassesSchema = z.array(z.number({ error: classIdMsg }).int({ error: classIdMsg }).nonnegative({ error: classIdMsg }), { error: classIdMsg }).min(1, { error: classIdMsg });
