/**
 * The review desk's error codes (`PF_REVIEW_*`). They live here, not in core's ErrorCode list, until core adopts
 * them; each maps to one HTTP status. Auth failures reuse core's AuthError (PF_AUTH_*).
 */
export const reviewErrorCodes = {
  PF_REVIEW_INVALID: 400,
  PF_REVIEW_NO_FIELDS: 400,
  PF_REVIEW_FIELDS_TOO_WIDE: 400,
  PF_REVIEW_HEADER_REQUIRED: 403,
  PF_REVIEW_NOT_FOUND: 404,
  PF_REVIEW_ALREADY_RESOLVED: 409,
  PF_REVIEW_BAD_SIGNATURE: 400,
  PF_REVIEW_STORE_CORRUPT: 500,
  PF_REVIEW_PUBLISH_FAILED: 500,
} as const;

export type ReviewErrorCode = keyof typeof reviewErrorCodes;

export class ReviewError extends Error {
  readonly code: ReviewErrorCode;
  readonly status: number;
  /** Safe-to-show details (field names, paths): never record values or note text. */
  readonly details: readonly string[];

  constructor(code: ReviewErrorCode, message: string, options: { cause?: unknown; details?: readonly string[] } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = reviewErrorCodes[code];
    this.details = options.details ?? [];
  }
}

export function isReviewError(err: unknown): err is ReviewError {
  return err instanceof ReviewError;
}
