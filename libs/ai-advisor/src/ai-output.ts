/**
 * The advisor's output contract, read strictly. The reference coerced whatever came back (an
 * unknown risk level became `warning`, a missing score 0.5), so a broken reply looked like a real
 * verdict. Here the reply must be exactly one JSON object (alone, or alone inside one ```json
 * fence) with exactly the four keys:
 * - `risk_level`: `clean`, `warning` or `suspect`;
 * - `score`: a JSON number in [0, 1], kept as a decimal string with 3 places ("0.820"), so no
 *   float ever reaches a proof's record;
 * - `flags`: at most `replyFlagsMax` snake_case identifiers, each at most `replyFlagCharsMax` long;
 * - `explanation`: a non-empty string of at most `replyExplanationCharsMax` characters.
 * Anything else is malformed, and the caller answers `unavailable` (`malformed_output`).
 */
import { storableText } from '@kob/kernel';
import Big from 'big.js';
import { aiAdvisorLimits as L } from './ai-advisor-limits';
import { isPlainObject } from './ai-context';

export type AiRiskLevel = 'clean' | 'warning' | 'suspect';

export interface AiVerdictFields {
  risk_level: AiRiskLevel;
  score: string;
  flags: string[];
  explanation: string;
}

export type ParsedReply = { ok: true; verdict: AiVerdictFields } | { ok: false; problem: string };

const RISK_LEVELS: readonly string[] = ['clean', 'warning', 'suspect'];
const REPLY_KEYS = ['explanation', 'flags', 'risk_level', 'score'];
const FLAG = new RegExp(`^[a-z][a-z0-9_]{0,${L.replyFlagCharsMax - 1}}$`);
const FENCED = /^```(?:json)?[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;

function isRiskLevel(value: unknown): value is AiRiskLevel {
  return typeof value === 'string' && RISK_LEVELS.includes(value);
}

function bad(problem: string): ParsedReply {
  return { ok: false, problem };
}

/** The score as a decimal string, rounded half-up to `scoreDecimals` places. */
export function scoreText(score: number): string {
  return new Big(score).toFixed(L.scoreDecimals, Big.roundHalfUp);
}

export function parseReply(text: string): ParsedReply {
  if (text.length > L.replyCharsMax) return bad('reply too long');
  const trimmed = text.trim();
  const fenced = FENCED.exec(trimmed);
  const json = fenced ? (fenced[1] ?? '').trim() : trimmed;
  if (!json.startsWith('{')) return bad('reply is not a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return bad('reply is not valid JSON');
  }
  if (!isPlainObject(value)) return bad('reply is not a JSON object');
  const keys = Object.keys(value).sort();
  if (keys.join(',') !== REPLY_KEYS.join(',')) {
    return bad(`reply keys are ${keys.slice(0, REPLY_KEYS.length + 1).join(',')}`);
  }
  const { risk_level: risk, score, flags, explanation } = value;
  if (!isRiskLevel(risk)) return bad('risk_level is not clean, warning or suspect');
  if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 1) {
    return bad('score is not a number in [0, 1]');
  }
  if (!Array.isArray(flags) || flags.length > L.replyFlagsMax) {
    return bad('flags is not a short list');
  }
  if (!flags.every((f): f is string => typeof f === 'string' && FLAG.test(f))) {
    return bad('a flag is not a short snake_case identifier');
  }
  if (typeof explanation !== 'string') return bad('explanation is not a string');
  const explained = storableText(explanation).trim();
  if (explained.length === 0 || explained.length > L.replyExplanationCharsMax) {
    return bad('explanation is empty or too long');
  }
  const verdict = { risk_level: risk, score: scoreText(score), flags: [...new Set(flags)] };
  return { ok: true, verdict: { ...verdict, explanation: explained } };
}
