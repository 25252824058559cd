export * from './ai-advisor-limits';
export * from './ai-context';
export * from './ai-output';
export * from './ai-proof-advisor';
export { PROMPT_VERSION, SYSTEM_PROMPT } from './ai-prompt';
export * from './circuit-breaker';
