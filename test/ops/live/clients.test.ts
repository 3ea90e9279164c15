import { Readable } from 'node:stream';
import { ListRestoreTestingPlansCommand } from '@aws-sdk/client-backup';
import { failedCall } from '../../../lib/ops/live/check';
import { createLiveClients, destroyLiveClients } from '../../../lib/ops/live/clients';

/**
 * The live clients name the call that failed (service and operation) on every
 * error, so an ERROR row says which API the endpoint lacks. A real client over
 * a request handler that answers as moto does for an API it does not offer.
 */
test('an error of a live client carries the service and operation that failed', async () => {
  const clients = createLiveClients('eu-west-1', {
    credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
    endpoint: 'http://127.0.0.1:9',
    maxAttempts: 1,
  });
  clients.backup.config.requestHandler = {
    handle: async () => ({
      response: {
        statusCode: 404,
        headers: { 'content-type': 'text/html' },
        body: Readable.from([Buffer.from('<html>not found</html>')]),
      },
    }),
  } as never;
  try {
    const error = await clients.backup.send(new ListRestoreTestingPlansCommand({})).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    expect(failedCall(error)).toBe('Backup ListRestoreTestingPlans failed: ');
  } finally {
    destroyLiveClients(clients);
  }
});
