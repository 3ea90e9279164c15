import type { Construct } from 'constructs';
import { EncryptionKey } from './encryption-key';

/**
 * The key of an environment's CloudWatch Logs groups (LOG-3, DATA-6): an
 * {@link EncryptionKey} of the `logs` class that CloudWatch Logs of its region
 * may use for this account's log groups, and nothing else.
 */
export class LogKey extends EncryptionKey {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      dataClass: 'logs',
      description: 'Encrypts CloudWatch Logs groups (flow logs, WAF logs) of this environment',
    });
    this.allowCloudWatchLogs();
  }
}
