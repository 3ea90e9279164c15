import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { tenantPrefix } from './tenant';

export interface PresignedUrl {
  readonly url: string;
  readonly method: 'PUT' | 'GET';
  readonly expiresAt: string;
}

/**
 * Presigned URLs for the data bucket (DATA-2, DATA-9): file content never
 * passes through the service. A URL is signed for one key, which must be under
 * the tenant's prefix, and expires in `ttlSeconds` (validated 60-900).
 */
export class ObjectUrls {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly ttlSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async upload(tenant: string, key: string, contentType: string): Promise<PresignedUrl> {
    this.assertScoped(tenant, key);
    return this.sign('PUT', new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }));
  }

  async download(tenant: string, key: string): Promise<PresignedUrl> {
    this.assertScoped(tenant, key);
    return this.sign('GET', new GetObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  private assertScoped(tenant: string, key: string): void {
    const prefix = tenantPrefix(tenant);
    if (!key.startsWith(prefix) || key.includes('..')) {
      throw new Error(`object key "${key}" is outside the prefix ${prefix} of tenant ${tenant}`);
    }
  }

  private async sign(method: 'PUT' | 'GET', command: PutObjectCommand | GetObjectCommand): Promise<PresignedUrl> {
    const signingDate = this.now();
    const url = await getSignedUrl(this.s3, command, { expiresIn: this.ttlSeconds, signingDate });
    return { url, method, expiresAt: new Date(signingDate.getTime() + this.ttlSeconds * 1000).toISOString() };
  }
}
