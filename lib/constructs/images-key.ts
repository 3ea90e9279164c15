import type { Construct } from 'constructs';
import { EncryptionKey } from './encryption-key';

export interface ImagesKeyProps {
  /** Who and what the key is for, shown in the KMS console. */
  readonly description: string;
  /** The alias; the same in both regions, so the primary region names the DR region's key by it. */
  readonly aliasName: string;
}

/**
 * The key of golden AMIs, fleet volumes and release artifacts in one region
 * (IMM-8, DATA-6): an {@link EncryptionKey} of the `images` class that the
 * service-linked roles of Image Builder (copying and encrypting AMIs) and
 * Auto Scaling (launching encrypted volumes) may use.
 */
export class ImagesKey extends EncryptionKey {
  constructor(scope: Construct, id: string, props: ImagesKeyProps) {
    super(scope, id, { dataClass: 'images', ...props });
    this.allowServiceLinkedRole('imagebuilder.amazonaws.com', 'AWSServiceRoleForImageBuilder');
    this.allowServiceLinkedRole('autoscaling.amazonaws.com', 'AWSServiceRoleForAutoScaling');
  }
}
