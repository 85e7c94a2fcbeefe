import type { RouteDefinitions } from '../shared/route-table.ts';
import { isRecord } from '../shared/values.ts';
import {
  type EdenAIValidationDetail,
  edenAIJsonDecodeError,
  edenAIValidationError,
} from './edenai-errors.ts';
import { type EdenAIUploadStore, serializeEdenAIUpload } from './edenai-upload-store.ts';

/** What the upload routes keep and count. */
export interface EdenAIUploadRoutesOptions {
  uploads: EdenAIUploadStore;
  /** Counts the files accepted. */
  counters: { uploads: number };
  /** Largest file accepted by `POST /v3/upload`. */
  maxUploadBytes: number;
}

function lastValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.at(-1) : value;
}

/** `POST /v3/upload`, `GET /v3/upload` and `POST /v3/upload/delete`: files an edit can name by `file_id`. */
export function edenAIUploadRoutes(options: EdenAIUploadRoutesOptions): RouteDefinitions {
  const { uploads, counters } = options;
  return {
    'POST /v3/upload': {
      accepts: 'multipart',
      maxFileBytes: options.maxUploadBytes,
      handle: (context) => {
        const { body } = context;
        if (body.type !== 'multipart') {
          return edenAIValidationError([
            { type: 'missing', loc: ['body', 'file'], msg: 'Field required', input: null },
          ]);
        }
        const file = body.value.files.find((part) => part.name === 'file');
        const problems: EdenAIValidationDetail[] = [];
        if (file === undefined)
          problems.push({ type: 'missing', loc: ['body', 'file'], msg: 'Field required', input: null });
        const daysText = lastValue(body.value.fields.expires_in_days);
        const days = daysText === undefined ? 30 : Number(daysText);
        if (!Number.isInteger(days)) {
          problems.push({
            type: 'int_parsing',
            loc: ['body', 'expires_in_days'],
            msg: 'Input should be a valid integer',
            input: daysText,
          });
        } else if (days < 1 || days > 30) {
          problems.push({
            type: days < 1 ? 'greater_than_equal' : 'less_than_equal',
            loc: ['body', 'expires_in_days'],
            msg:
              days < 1
                ? 'Input should be greater than or equal to 1'
                : 'Input should be less than or equal to 30',
            input: daysText,
            ctx: days < 1 ? { ge: 1 } : { le: 30 },
          });
        }
        if (problems.length > 0 || file === undefined) return edenAIValidationError(problems);
        const purpose = lastValue(body.value.fields.purpose) ?? 'general';
        const upload = uploads.add({ file, purpose, days });
        counters.uploads += 1;
        return { status: 200, json: serializeEdenAIUpload(upload) };
      },
    },
    'GET /v3/upload': (context) => {
      const query = context.url.searchParams;
      const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
      const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? '20') || 20));
      const all = uploads.list(query.get('purpose'));
      return {
        status: 200,
        json: {
          items: all.slice((page - 1) * limit, page * limit).map(serializeEdenAIUpload),
          total: all.length,
          page,
          limit,
          total_pages: Math.ceil(all.length / limit),
        },
      };
    },
    'POST /v3/upload/delete': (context) => {
      const malformed = edenAIJsonDecodeError(context.body);
      if (malformed !== undefined) return malformed;
      const body = context.body.type === 'json' && isRecord(context.body.value) ? context.body.value : {};
      // DeleteFilesRequest: { file_ids: [1..100 ids] }; unknown or foreign ids are silently ignored.
      const ids = Array.isArray(body.file_ids) ? body.file_ids : undefined;
      if (ids === undefined) {
        return edenAIValidationError([
          { type: 'missing', loc: ['body', 'file_ids'], msg: 'Field required', input: null },
        ]);
      }
      if (ids.length < 1 || ids.length > 100) {
        return edenAIValidationError([
          {
            type: ids.length < 1 ? 'too_short' : 'too_long',
            loc: ['body', 'file_ids'],
            msg: `List should have ${ids.length < 1 ? 'at least 1 item' : 'at most 100 items'} after validation, not ${ids.length}`,
          },
        ]);
      }
      const deleted = ids.filter((id): id is string => typeof id === 'string' && uploads.delete(id));
      return { status: 200, json: { deleted_count: deleted.length } };
    },
  };
}
