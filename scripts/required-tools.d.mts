// Types of required-tools.mjs for the TypeScript tests.
export interface RequiredTool { debian: string[]; use: string; python?: string[]; check(): string | null }
export type ToolName = 'h5py' | 'crcmod' | 'scipy' | 'onnx' | 'chromium' | 'slurm' | 'asan' | 'cli' | 'onednn';
export const REQUIRED_TOOLS: Record<ToolName, RequiredTool>;
export function findPython(modules: string[]): string | null;
export function toolsRequired(): boolean;
export function toolMissing(name: ToolName, why?: string | null): string | null;
export function missingLine(name: ToolName, why: string): string;
export function skipWithoutTool(name: ToolName, why?: string | null): string | false;
export function requireTool(name: ToolName, why?: string | null): void;
export function skipOrRequire(t: { skip(message?: string): void }, name: ToolName, why?: string | null): boolean;
