/**
 * Proofs on the escrow decider: the evidence rules (geofence with tolerance and MISSING_GPS,
 * capture time trust and its limits, MISSING_TIMEZONE, sources, client mismatch, near
 * duplicates, claims without a file, documents always reviewed), sequencing and state, approval
 * at once paying through approve-and-pay, not enough held money keeping the proof in review
 * (B24), reviews (approve pays, notes for risky AI verdicts, reject reopens the milestone: B9,
 * repeats, conflicts), and pending proofs superseded by a release or a close.
 */
import { DomainError } from '@kob/kernel';
import {
  E,
  NOW,
  byStatus,
  draft,
  fold,
  funded,
  spec,
  terminal,
  usd,
} from '../testing/escrow-fixtures';
import type { EscrowCommand, PhotoRules, ReviewProof, SubmitProof } from './escrow.commands';
import { escrowDecider } from './escrow.decider';
import type { EscrowEvent, ProofEvidence, ProofKind } from './escrow.events';
import { distanceM } from './escrow.proof-rules';

const SHA = 'a'.repeat(64);
const RULES: PhotoRules = {
  maxAgeMinutes: 120,
  futureSkewMinutes: 2,
  geofenceToleranceM: 15,
  trustClientMetadata: false,
};
const KINSHASA = { lat: -4.3217, lng: 15.3125 };
const minutesAgo = (n: number) => new Date(Date.parse(NOW) - n * 60_000).toISOString();

const evidence = (over: Partial<ProofEvidence> = {}): ProofEvidence => ({
  source: 'file',
  captureTime: minutesAgo(10),
  captureTimeSource: 'gps',
  missingTimezone: false,
  gps: KINSHASA,
  clientMismatch: [],
  device: { make: 'Test', model: 'Cam', software: null },
  ...over,
});

const submit = (over: Partial<SubmitProof> = {}): SubmitProof => ({
  type: 'SubmitProof',
  escrowId: E,
  proofId: 'proof-1',
  sequenceIndex: 1,
  proofType: 'PHOTO',
  fileId: 'file-1',
  fileKind: 'image',
  storageUrl: null,
  sha256: SHA,
  phash: null,
  metadata: {},
  evidence: evidence(),
  invoice: null,
  ocr: null,
  ai: null,
  nearDuplicateOf: null,
  rules: RULES,
  submittedBy: { userId: 'p1', actor: 'koba_abc123' },
  paymentId: 'pay-1',
  now: NOW,
  ...over,
});

const review = (decision: 'approve' | 'reject', over: Partial<ReviewProof> = {}): ReviewProof => ({
  type: 'ReviewProof',
  escrowId: E,
  proofId: 'proof-1',
  decision,
  note: null,
  reviewedBy: 'koba_client',
  paymentId: 'pay-2',
  now: NOW,
  ...over,
});

const fenced = usd.milestone({
  milestoneId: 'm1',
  label: 'Site',
  amount: '40.00',
  sequenceIndex: 1,
  geofence: { ...KINSHASA, radiusM: 100 },
});
const fundedFenced: EscrowEvent[] = [
  usd.created(),
  fenced,
  usd.depositInitiated('d1', '100.00'),
  usd.depositConfirmed('d1', '100.00', '100.00'),
  usd.funded('100.00'),
];

const decide = (events: EscrowEvent[], command: EscrowCommand) =>
  escrowDecider.decide(command, fold(events));
const types = (events: EscrowEvent[]) => events.map((e) => e.type);
const codeOf = (events: EscrowEvent[], command: SubmitProof | ReviewProof) => {
  try {
    decide(events, command);
  } catch (err) {
    return (err as DomainError).code;
  }
  return 'no error';
};
const submitted = (events: EscrowEvent[]) =>
  events.find((e) => e.type === 'proof.submitted.v1')!.data as {
    reviewReasons: string[];
    flags: string[];
  };

describe('proof rules', () => {
  it('approves a clean, fresh photo inside the geofence at once and pays the milestone', () => {
    const events = decide(fundedFenced, submit());
    expect(types(events)).toEqual([
      'proof.submitted.v1',
      'proof.approved.v1',
      'milestone.approved.v1',
      'payment.initiated.v1',
    ]);
    expect(events[3]!.data).toMatchObject({
      kind: 'payout',
      amount: '40.00',
      milestoneId: 'm1',
      reason: 'proof_approval',
      heldAfter: '60.00',
    });
    const state = fold([...fundedFenced, ...events]);
    expect(state.proofs[0]).toMatchObject({ status: 'APPROVED' });
    expect(state.milestones[0]!.status).toBe('PAYING');
  });

  it('refuses a photo outside the geofence plus its tolerance, and accepts one at the edge', () => {
    const north = (m: number) => ({ lat: KINSHASA.lat + m / 111_195, lng: KINSHASA.lng });
    expect(Math.round(distanceM(KINSHASA, north(114)))).toBe(114);
    expect(
      types(decide(fundedFenced, submit({ evidence: evidence({ gps: north(114) }) }))),
    ).toContain('proof.approved.v1');
    expect(codeOf(fundedFenced, submit({ evidence: evidence({ gps: north(116) }) }))).toBe(
      'GEOFENCE_VIOLATION',
    );
    // A breach outranks everything else, a stale time included.
    expect(
      codeOf(
        fundedFenced,
        submit({ evidence: evidence({ gps: north(500), captureTime: minutesAgo(500) }) }),
      ),
    ).toBe('GEOFENCE_VIOLATION');
  });

  it('sends a geofenced photo without GPS to review instead of approving it (B1)', () => {
    const events = decide(fundedFenced, submit({ evidence: evidence({ gps: null }) }));
    expect(types(events)).toEqual(['proof.submitted.v1']);
    expect(submitted(events).reviewReasons).toEqual(['MISSING_GPS']);
    expect(fold([...fundedFenced, ...events]).milestones[0]!.status).toBe('PENDING_REVIEW');
  });

  it('refuses stale and future photos, and reviews a time without a zone instead of assuming UTC', () => {
    expect(codeOf(funded, submit({ evidence: evidence({ captureTime: minutesAgo(121) }) }))).toBe(
      'STALE_TIMESTAMP',
    );
    expect(
      types(decide(funded, submit({ evidence: evidence({ captureTime: minutesAgo(119) }) }))),
    ).toContain('proof.approved.v1');
    expect(codeOf(funded, submit({ evidence: evidence({ captureTime: minutesAgo(-3) }) }))).toBe(
      'FUTURE_TIMESTAMP',
    );
    expect(
      types(decide(funded, submit({ evidence: evidence({ captureTime: minutesAgo(-1) }) }))),
    ).toContain('proof.approved.v1');
    const naive = decide(
      funded,
      submit({
        evidence: evidence({ captureTime: null, captureTimeSource: null, missingTimezone: true }),
      }),
    );
    expect(submitted(naive).reviewReasons).toEqual(['MISSING_TIMEZONE']);
    expect(
      codeOf(
        funded,
        submit({ evidence: evidence({ captureTime: null, captureTimeSource: null }) }),
      ),
    ).toBe('MISSING_EXIF_TIMESTAMP');
  });

  it('refuses a time without a zone that is stale or ahead in every zone, and reviews GPS/clock disagreement', () => {
    const naive = (earliest: number, latest: number) =>
      evidence({
        captureTime: null,
        captureTimeSource: null,
        missingTimezone: true,
        captureWindow: { earliest: minutesAgo(earliest), latest: minutesAgo(latest) },
      });
    expect(codeOf(funded, submit({ evidence: naive(2000, 1000) }))).toBe('STALE_TIMESTAMP');
    expect(codeOf(funded, submit({ evidence: naive(-1000, -2000) }))).toBe('FUTURE_TIMESTAMP');
    expect(submitted(decide(funded, submit({ evidence: naive(800, -600) }))).reviewReasons).toEqual(
      ['MISSING_TIMEZONE'],
    );
    const disagree = submitted(
      decide(funded, submit({ evidence: evidence({ timesDisagree: true }) })),
    );
    expect(disagree).toMatchObject({
      flags: ['exif_time_inconsistent'],
      reviewReasons: ['EXIF_TIME_INCONSISTENT'],
    });
  });

  it('reviews untrusted sources, client mismatches, near duplicates and unverified claims', () => {
    expect(
      submitted(decide(funded, submit({ metadata: { source: 'Gallery' } }))).reviewReasons,
    ).toEqual(['UNTRUSTED_SOURCE']);
    expect(types(decide(funded, submit({ metadata: { source: ' Camera ' } })))).toContain(
      'proof.approved.v1',
    );
    const mismatch = submitted(
      decide(funded, submit({ evidence: evidence({ clientMismatch: ['gps'] }) })),
    );
    expect(mismatch).toMatchObject({
      flags: ['client_metadata_mismatch'],
      reviewReasons: ['CLIENT_METADATA_MISMATCH'],
    });
    const near = submitted(decide(funded, submit({ nearDuplicateOf: 'proof-0' })));
    expect(near).toMatchObject({
      flags: ['possible_duplicate'],
      reviewReasons: ['POSSIBLE_DUPLICATE'],
    });
    const claim = {
      fileId: null,
      storageUrl: 'https://files.example.org/p/1.jpg',
      evidence: evidence({ source: 'claim', captureTimeSource: 'client' }),
    };
    expect(submitted(decide(funded, submit(claim))).reviewReasons).toEqual(['UNVERIFIED_METADATA']);
    expect(
      types(decide(funded, submit({ ...claim, rules: { ...RULES, trustClientMetadata: true } }))),
    ).toContain('proof.approved.v1');
    expect(submitted(decide(funded, submit({ ...claim, metadata: null }))).reviewReasons).toEqual([
      'MISSING_METADATA',
    ]);
  });

  it('always reviews a document milestone, whatever its evidence', () => {
    const docs = [
      usd.created(),
      usd.milestone({
        milestoneId: 'm1',
        label: 'Invoice',
        amount: '40.00',
        sequenceIndex: 1,
        proofKind: 'INVOICE',
      }),
      usd.depositInitiated('d1', '100.00'),
      usd.depositConfirmed('d1', '100.00', '100.00'),
      usd.funded('100.00'),
    ];
    const events = decide(
      docs,
      submit({
        proofType: 'INVOICE',
        evidence: evidence({ captureTime: null, gps: null, captureTimeSource: null }),
      }),
    );
    expect(submitted(events).reviewReasons).toEqual(['DOCUMENT_REVIEW']);
  });
});

describe('proof families: type against kind and file (FRONTEND-CONTRACT D5, A6)', () => {
  const withKind = (proofKind: ProofKind | null): EscrowEvent[] => [
    usd.created(),
    usd.milestone({ milestoneId: 'm1', amount: '40.00', sequenceIndex: 1, proofKind }),
    usd.depositInitiated('d1', '100.00'),
    usd.depositConfirmed('d1', '100.00', '100.00'),
    usd.funded('100.00'),
  ];
  const claim = { fileId: null, fileKind: null, evidence: evidence({ source: 'claim' }) };

  it('judges a kind-less milestone’s proof by its type: a photo by the photo rules, a document by a person', () => {
    expect(types(decide(withKind(null), submit()))).toContain('payment.initiated.v1');
    for (const proofType of ['DOCUMENT', 'pdf', 'Invoice', 'CONTRACT', 'RECEIPT']) {
      const events = decide(withKind(null), submit({ proofType, fileKind: 'pdf' }));
      expect(submitted(events).reviewReasons).toEqual(['DOCUMENT_REVIEW']);
    }
  });

  it('refuses PROOF_TYPE_MISMATCH: the other family, a photo that is a PDF, a photo claim without a kind', () => {
    const mismatches: [ProofKind | null, Partial<SubmitProof>][] = [
      ['PHOTO', { proofType: 'DOCUMENT' }],
      ['PHOTO', { proofType: 'INVOICE', fileKind: 'pdf' }],
      ['INVOICE', { proofType: 'PHOTO' }],
      ['DOCUMENT', { proofType: 'photo' }],
      ['PHOTO', { proofType: 'PHOTO', fileKind: 'pdf' }],
      ['PHOTO', { proofType: 'SITE', fileKind: 'pdf' }],
      [null, { proofType: 'PHOTO', fileKind: 'pdf' }],
      [null, { proofType: 'PHOTO', ...claim }],
    ];
    for (const [kind, over] of mismatches) {
      expect([kind, over.proofType, codeOf(withKind(kind), submit(over))]).toEqual([
        kind,
        over.proofType,
        'PROOF_TYPE_MISMATCH',
      ]);
    }
    // A photo claim on a PHOTO milestone stays a claim for review; DOCUMENT fits every document kind.
    expect(codeOf(withKind('PHOTO'), submit(claim))).toBe('no error');
    for (const kind of ['DOCUMENT', 'PDF', 'INVOICE', 'CONTRACT'] as const) {
      expect(codeOf(withKind(kind), submit({ proofType: 'DOCUMENT', fileKind: 'pdf' }))).toBe(
        'no error',
      );
    }
  });
});

describe('proof submission: sequencing, state and money', () => {
  it('targets only the lowest open milestone while it waits, never a closed escrow', () => {
    const m1 = usd.milestone({
      milestoneId: 'm1',
      label: 'One',
      amount: '40.00',
      sequenceIndex: 1,
    });
    const m2 = usd.milestone({
      milestoneId: 'm2',
      label: 'Two',
      amount: '60.00',
      sequenceIndex: 2,
    });
    const given = [
      usd.created(),
      m1,
      m2,
      usd.depositInitiated('d1', '100.00'),
      usd.depositConfirmed('d1', '100.00', '100.00'),
      usd.funded('100.00'),
    ];
    expect(codeOf(given, submit({ sequenceIndex: 2 }))).toBe('SEQUENCE_ERROR');
    expect(codeOf(given, submit({ sequenceIndex: 7 }))).toBe('MILESTONE_NOT_FOUND');
    const inReview = [...given, ...decide(given, submit({ metadata: { source: 'gallery' } }))];
    expect(codeOf(inReview, submit({ proofId: 'proof-2', sha256: 'b'.repeat(64) }))).toBe(
      'MILESTONE_NOT_WAITING',
    );
    for (const status of terminal) expect(codeOf(byStatus[status], submit())).toBe('ESCROW_CLOSED');
    expect(codeOf(draft, submit())).toBe('MILESTONE_NOT_FOUND');
    spec.given([]).when(submit()).thenError('ESCROW_NOT_FOUND');
  });

  it('refuses a file already used on this escrow, and appends nothing for a proof id already there', () => {
    const first = decide(funded, submit({ metadata: { source: 'gallery' } }));
    const rejected = [...funded, ...first, ...decide([...funded, ...first], review('reject'))];
    expect(codeOf(rejected, submit({ proofId: 'proof-2' }))).toBe('PROOF_DUPLICATE');
    spec
      .given([...funded, ...first])
      .when(submit())
      .then([]);
  });

  it('keeps a clean proof in review when the escrow cannot pay the milestone yet (B24)', () => {
    const partial = [
      usd.created(),
      usd.milestone({ milestoneId: 'm1', label: 'One', amount: '40.00', sequenceIndex: 1 }),
      usd.depositInitiated('d1', '30.00'),
      usd.depositConfirmed('d1', '30.00', '30.00'),
    ];
    const events = decide(partial, submit());
    expect(types(events)).toEqual(['proof.submitted.v1']);
    expect(submitted(events).reviewReasons).toEqual(['INSUFFICIENT_ESCROW_BALANCE']);
  });

  it('records OCR and AI results with the submission', () => {
    const ai = {
      riskLevel: 'warning' as const,
      score: '0.550',
      flags: ['odd_light'],
      explanation: 'x',
      reason: null,
      model: 'm',
      checkedAt: NOW,
    };
    const ocr = {
      status: 'ok',
      engine: 'pdf-text',
      fields: { total_amount: '40.00' },
      filled: ['invoice_total_amount'],
      reason: null,
    };
    const events = decide(funded, submit({ ai, ocr }));
    expect(types(events).slice(0, 3)).toEqual([
      'proof.submitted.v1',
      'proof.ocr_completed.v1',
      'proof.ai_assessed.v1',
    ]);
    // The AI never blocks an approval by itself.
    expect(types(events)).toContain('proof.approved.v1');
  });
});

describe('proof review', () => {
  const pending = [...funded, ...decide(funded, submit({ metadata: { source: 'gallery' } }))];
  const withAi = (riskLevel: 'clean' | 'warning' | 'suspect' | 'unavailable') => [
    ...funded,
    ...decide(
      funded,
      submit({
        metadata: { source: 'gallery' },
        ai: {
          riskLevel,
          score: null,
          flags: [],
          explanation: '',
          reason: null,
          model: 'm',
          checkedAt: NOW,
        },
      }),
    ),
  ];

  it('approve pays the milestone; a repeat is a no-op; rejecting it then is a conflict', () => {
    const events = decide(pending, review('approve'));
    expect(types(events)).toEqual([
      'proof.approved.v1',
      'milestone.approved.v1',
      'payment.initiated.v1',
    ]);
    const approved = [...pending, ...events];
    spec.given(approved).when(review('approve')).then([]);
    spec.given(approved).when(review('reject')).thenError('PROOF_ALREADY_APPROVED');
  });

  it('needs a note to approve a warning or suspect AI verdict, not an unavailable one (B23)', () => {
    for (const risk of ['warning', 'suspect'] as const) {
      expect(codeOf(withAi(risk), review('approve'))).toBe('AI_REVIEW_NOTE_REQUIRED');
      expect(codeOf(withAi(risk), review('approve', { note: '   ' }))).toBe(
        'AI_REVIEW_NOTE_REQUIRED',
      );
      expect(types(decide(withAi(risk), review('approve', { note: 'checked on site' })))).toContain(
        'payment.initiated.v1',
      );
    }
    expect(types(decide(withAi('unavailable'), review('approve')))).toContain(
      'payment.initiated.v1',
    );
    expect(types(decide(withAi('clean'), review('approve')))).toContain('payment.initiated.v1');
  });

  it('reject returns the milestone to WAITING so a new proof can come (B9)', () => {
    const events = decide(pending, review('reject', { note: 'blurry' }));
    expect(types(events)).toEqual(['proof.rejected.v1', 'milestone.reopened.v1']);
    const after = [...pending, ...events];
    expect(fold(after).milestones[0]!.status).toBe('WAITING');
    spec.given(after).when(review('reject')).then([]);
    spec.given(after).when(review('approve')).thenError('PROOF_ALREADY_REJECTED');
    expect(types(decide(after, submit({ proofId: 'proof-2', sha256: 'c'.repeat(64) })))).toContain(
      'proof.approved.v1',
    );
  });

  it('approve with too little held stores nothing (409), and unknown proofs are 404', () => {
    const partial = [
      usd.created(),
      usd.milestone({ milestoneId: 'm1', label: 'One', amount: '40.00', sequenceIndex: 1 }),
      usd.depositInitiated('d1', '30.00'),
      usd.depositConfirmed('d1', '30.00', '30.00'),
    ];
    const inReview = [...partial, ...decide(partial, submit())];
    expect(codeOf(inReview, review('approve'))).toBe('INSUFFICIENT_ESCROW_BALANCE');
    expect(codeOf(pending, review('approve', { proofId: 'nope' }))).toBe('PROOF_NOT_FOUND');
  });

  it('a release or a close supersedes a pending proof, which then takes no decision', () => {
    const released = [
      ...pending,
      ...decide(pending, {
        type: 'ApproveAndPayMilestone',
        escrowId: E,
        milestoneId: 'm1',
        paymentId: 'pay-9',
        source: 'release',
        now: NOW,
      }),
    ];
    expect(fold(released).proofs[0]!.status).toBe('SUPERSEDED');
    expect(codeOf(released, review('approve'))).toBe('PROOF_SUPERSEDED');
    const rejected = [
      ...pending,
      ...decide(pending, {
        type: 'ClientReject',
        escrowId: E,
        idSeed: '00000000-0000-4000-8000-000000000001',
        now: NOW,
      }),
    ];
    expect(types(rejected).filter((t) => t === 'proof.superseded.v1')).toHaveLength(1);
    expect(codeOf(rejected, review('reject'))).toBe('PROOF_SUPERSEDED');
  });
});
