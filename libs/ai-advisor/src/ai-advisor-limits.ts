/**
 * Every bound of the AI proof advisor (TIGER_STYLE: a named limit on every loop, list, string and
 * retry, units last). What is sent is bounded so that a client's metadata cannot make a request
 * (or its cost) grow; what is received is bounded so that a reply cannot grow a proof's record.
 */
export const aiAdvisorLimits = {
  /** HTTP attempts per assessment (the first one and one retry), each counted by the breaker. */
  attemptsPerCallMax: 2,
  /** Wait before the retry of a retryable failure (timeout, connection, 408/409/429/5xx). */
  retryBackoffMs: 250,
  /** `max_tokens` of the request: four short fields need far fewer. */
  outputTokensMax: 800,
  /** The reply's text is read up to this length; longer is malformed (and never parsed). */
  replyCharsMax: 8_000,
  /** The preview image sent, in bytes (the Messages API refuses images above 5 MB). */
  imageBytesMax: 3_750_000,

  /** Client metadata keys examined; the rest are dropped unread and counted. */
  metadataKeysMax: 500,
  /** Redacted key names listed in `_redacted_keys` (after that, only a count). */
  redactedKeysListedMax: 100,
  /** Flags passed in the context. */
  contextFlagsMax: 32,
  /** A milestone label, a city or a country, as sent. */
  labelCharsMax: 120,
  placeCharsMax: 80,
  /** A camera's make, model or software, as sent. */
  deviceCharsMax: 64,
  /** A status, type or other token, as sent. */
  tokenCharsMax: 64,
  /** Integer digits of an amount (999 999 999 999): anything longer is not an amount. */
  amountIntegerDigitsMax: 12,
  amountFractionDigitsMax: 6,
  /** Words of a known name shorter than this are not searched for (too many false hits). */
  knownNameWordCharsMin: 4,

  /** The reply: flags, a flag's length, the explanation's length. */
  replyFlagsMax: 16,
  replyFlagCharsMax: 64,
  replyExplanationCharsMax: 1_500,
  /** The score is kept as a decimal string with this many places ("0.820"). */
  scoreDecimals: 3,
} as const;
