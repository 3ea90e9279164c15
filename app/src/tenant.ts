/**
 * Tenant context of a request (DATA-9). The reference app takes it from two
 * headers an authenticating layer in front of it sets; a real application
 * derives both from its authentication (a verified session or token), never
 * from what the client sends.
 */
export const TENANT_HEADER = 'x-tenant-id';
export const PRINCIPAL_HEADER = 'x-principal';

/** Tenant IDs: lower-case letters, digits and `-`, 1-63 characters, starting with a letter or digit (safe in an S3 key). */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Principals: who acts for the tenant (a user ID or e-mail); printable, no spaces, up to 200 characters. */
export const PRINCIPAL_PATTERN = /^[\x21-\x7e]{1,200}$/;

export interface TenantContext {
  readonly tenant: string;
  readonly principal: string;
}

export class TenantError extends Error {}

export function validTenantId(tenant: string): boolean {
  return TENANT_ID_PATTERN.test(tenant);
}

/** The tenant context of a request, or a {@link TenantError} saying which header is missing or malformed. */
export function tenantContext(headers: Readonly<Record<string, string | string[] | undefined>>): TenantContext {
  const tenant = headers[TENANT_HEADER];
  const principal = headers[PRINCIPAL_HEADER];
  if (typeof tenant !== 'string' || !validTenantId(tenant)) {
    throw new TenantError(`header ${TENANT_HEADER} must be a tenant ID matching ${TENANT_ID_PATTERN.source}`);
  }
  if (typeof principal !== 'string' || !PRINCIPAL_PATTERN.test(principal)) {
    throw new TenantError(`header ${PRINCIPAL_HEADER} must name the principal (1-200 printable characters, no spaces)`);
  }
  return { tenant, principal };
}

/** Every object of a tenant lives under this prefix of the data bucket. */
export function tenantPrefix(tenant: string): string {
  if (!validTenantId(tenant)) throw new TenantError(`not a tenant ID: "${tenant}"`);
  return `tenants/${tenant}/`;
}
