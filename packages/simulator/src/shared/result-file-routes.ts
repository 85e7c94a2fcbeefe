import type { FileStore } from './file-store.ts';
import type { RouteDefinitions } from './route-table.ts';

function s3Error(options: { status: number; code: string; message: string }) {
  return {
    status: options.status,
    raw: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${options.code}</Code><Message>${options.message}</Message></Error>`,
    contentType: 'application/xml',
  };
}

/**
 * `GET /files/:id`: result files, public like presigned object-store URLs, answering expired or missing
 * objects the way an object store does (403 `AccessDenied`, 404 `NoSuchKey`).
 */
export function resultFileRoutes(options: { fileStore: FileStore }): RouteDefinitions {
  return {
    'GET /files/:id': {
      public: true,
      handle: (context) => {
        if (context.fault?.kind === 'result-404') {
          return s3Error({ status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' });
        }
        const found = options.fileStore.get({
          name: context.params.id!,
          expires: context.url.searchParams.get('expires'),
          signature: context.url.searchParams.get('signature'),
        });
        if (found.ok) {
          return {
            status: 200,
            raw: found.bytes,
            contentType: found.mediaType,
            headers: { 'cache-control': 'private' },
          };
        }
        if (found.reason === 'missing') {
          return s3Error({ status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' });
        }
        return s3Error({
          status: 403,
          code: 'AccessDenied',
          message: found.reason === 'expired' ? 'Request has expired' : 'Request signature does not match',
        });
      },
    },
  };
}
