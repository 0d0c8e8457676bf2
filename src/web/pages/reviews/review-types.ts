/** A change request as GET /change-requests returns it. */
export interface ChangeRequest {
  readonly id: string;
  readonly tenant: string;
  readonly app: string;
  readonly kind: string;
  readonly author: string;
  readonly message?: string;
  readonly branch: string;
  readonly commit: string;
  readonly state: 'open' | 'merged' | 'rejected' | 'superseded';
  readonly deployment: string;
  readonly url: string;
  readonly createdAt: string;
  readonly validation: { readonly passed: boolean; readonly problems: readonly { readonly message?: string }[] };
  readonly approvedBy: readonly string[];
  readonly comments: readonly { readonly by: string; readonly body: string; readonly at: string }[];
  readonly conflict?: { readonly message: string };
  readonly mergedCommit?: string;
  readonly note?: string;
  readonly previewUrl?: string;
}

export const reviewPath = (id: string) => `/reviews/${encodeURIComponent(id)}`;
