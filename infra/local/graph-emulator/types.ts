/** The emulator's public types; infra/local/graph-emulator.ts re-exports them. */

export interface EmulatorUser {
  id: string;
  displayName: string;
  givenName?: string;
  surname?: string;
  mail: string | null;
  userPrincipalName: string;
  proxyAddresses: string[];
  accountEnabled: boolean;
  employeeLeaveDateTime: string | null;
  employeeId?: string | null;
  jobTitle?: string | null;
  department?: string | null;
  managerId?: string | null;
  /**
   * Entra app-role values assigned to the user for Custodian's app registration (e.g. "Custodian.Admin").
   * Not a Graph user property: the Graph routes never return it; the local sign-in provider puts it in the
   * ID token's `roles` claim, as Entra does.
   */
  appRoles?: string[];
}

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved';

export interface EmulatorSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  clientState?: string;
  expirationDateTime: string;
}

export interface GraphEmulator {
  /** e.g. http://127.0.0.1:4003 (Graph paths under /v1.0, admin API under /_emulator). */
  url: string;
  port: number;
  users(): EmulatorUser[];
  /** Change a user; records a delta change and POSTs change notifications (changeType "updated") to every live subscription whose resource covers the user. */
  updateUser(idOrAddress: string, patch: Partial<EmulatorUser>): Promise<EmulatorUser>;
  disableUser(idOrAddress: string): Promise<EmulatorUser>;
  /**
   * Soft delete (Graph's DELETE /users/{id}): delta shows @removed {reason:"changed"} and, as
   * documented for users, notifications carry changeType "updated". With `permanent: true`:
   * @removed {reason:"deleted"} and changeType "deleted".
   */
  deleteUser(idOrAddress: string, opts?: { permanent?: boolean }): Promise<void>;
  /** Notifications carry changeType "updated": Graph does not emit "created" for users. */
  addUser(user: Omit<EmulatorUser, 'id'> & { id?: string }): Promise<EmulatorUser>;
  /** Sets whether change and lifecycle notifications are sent (to test "webhook path killed"). */
  setNotificationsEnabled(on: boolean): void;
  subscriptions(): EmulatorSubscription[];
  /** Forget all delta tokens (and delta paging state) issued so far: their next use gets 410 syncStateNotFound. */
  expireDeltaTokens(): void;
  /** Make the next n Graph requests answer 429 with Retry-After: seconds (default 1). */
  throttleNext(n: number, retryAfterSeconds?: number): void;
  /**
   * POST a lifecycle notification to the subscription's lifecycleNotificationUrl. Resolves false
   * when nothing was delivered (no lifecycle URL, notifications off, or delivery failed).
   * "subscriptionRemoved" also removes the subscription, as Graph has by then.
   */
  triggerLifecycle(subscriptionId: string, event: LifecycleEvent): Promise<boolean>;
  close(): Promise<void>;
}

export interface StartGraphEmulatorOptions {
  /** Default 4003; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default samples/directory.json (ignored when `users` is given). */
  fixturePath?: string;
  users?: EmulatorUser[];
  tenantId?: string;
  /** Re-read the fixture when it changes on disk and turn the differences into changes + notifications. */
  watchFixture?: boolean;
}

/** What the emulator does apart from serving: the in-process handle and the admin API both drive these. */
export type EmulatorControls = Omit<GraphEmulator, 'url' | 'port' | 'close'>;

/** Where the emulator is reachable; known only once the server listens, read when links are built. */
export interface Site {
  baseUrl: string;
}
