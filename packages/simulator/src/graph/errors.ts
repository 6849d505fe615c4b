import { randomBytes } from 'node:crypto';

export interface GraphErrorOptions {
  subcode?: number;
  isTransient?: boolean;
  userTitle?: string;
  userMsg?: string;
  httpStatus?: number;
  errorData?: Record<string, unknown>;
  type?: string;
  /** rate-limit refusals: header values, and the call is marked throttled */
  throttle?: { resetSeconds: number; estimatedMinutes: number };
}

/** A Graph API error answer; thrown by handlers and rendered by the pipeline. */
export class GraphError extends Error {
  override name = 'GraphError' as const;
  constructor(
    readonly code: number,
    message: string,
    readonly opts: GraphErrorOptions = {},
  ) {
    super(message);
  }

  get httpStatus(): number {
    return this.opts.httpStatus ?? 400;
  }

  toBody(): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = {
      message: this.message,
      type: this.opts.type ?? 'OAuthException',
      code: this.code,
    };
    if (this.opts.errorData) error.error_data = this.opts.errorData;
    if (this.opts.subcode !== undefined) error.error_subcode = this.opts.subcode;
    // Transient codes default to true so a fault rule only needs `code: 2`.
    error.is_transient = this.opts.isTransient ?? (this.code === 1 || this.code === 2);
    if (this.opts.userTitle !== undefined) error.error_user_title = this.opts.userTitle;
    if (this.opts.userMsg !== undefined) error.error_user_msg = this.opts.userMsg;
    error.fbtrace_id = `A${randomBytes(8).toString('base64url')}`;
    return { error };
  }
}

/** Default texts for fault rules that give only a code. */
const DEFAULT_MESSAGES: Record<number, string> = {
  1: 'An unknown error occurred',
  2: 'An unexpected error has occurred. Please retry your request later.',
  4: '(#4) Application request limit reached',
  17: '(#17) User request limit reached',
  100: 'Invalid parameter',
  190: 'Invalid OAuth access token - Cannot parse access token',
  200: '(#200) Permissions error',
  368: 'The action attempted has been deemed abusive or is otherwise disallowed',
  613: '(#613) Calls to this api have exceeded the rate limit.',
  2635: '(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version.',
  80004: '(#80004) There have been too many calls to this ad-account. Wait a bit and try again.',
};

export function defaultMessage(code: number): string {
  return DEFAULT_MESSAGES[code] ?? `(#${code}) Simulated error`;
}

export const unsupported = (method: string, id: string): GraphError =>
  new GraphError(
    100,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    { subcode: 33 },
  );

export const unknownPath = (rest: string): GraphError => new GraphError(2500, `Unknown path components: ${rest}`);

export const invalidParameter = (userMsg?: string, subcode?: number): GraphError =>
  new GraphError(100, 'Invalid parameter', {
    ...(subcode !== undefined ? { subcode } : {}),
    ...(userMsg ? { userMsg } : {}),
  });
