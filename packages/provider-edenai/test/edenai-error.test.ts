import { describe, expect, test } from 'vitest';
import { parseEdenAIErrorBody } from '../src/edenai-error.ts';

describe('parseEdenAIErrorBody', () => {
  test('422 detail list: every issue with its field path', () => {
    const info = parseEdenAIErrorBody(422, {
      detail: [
        {
          loc: ['body', 'images', 0],
          msg: 'Exactly one of file_id or image_url must be set',
          type: 'value_error',
        },
        { loc: ['body', 'prompt'], msg: 'Field required', type: 'missing' },
      ],
    });
    expect(info.message).toBe(
      'body.images.0: Exactly one of file_id or image_url must be set; body.prompt: Field required',
    );
    expect(info.code).toBe('validation_error');
    expect(info.kind).toBeUndefined();
  });

  test('402 simple shape', () => {
    expect(parseEdenAIErrorBody(402, { error: 'Insufficient credits' })).toEqual({
      message: 'Insufficient credits',
      kind: 'insufficient-credits',
    });
  });

  test('402 detailed shape keeps both credit numbers', () => {
    expect(
      parseEdenAIErrorBody(402, {
        detail: 'User does not have sufficient credits',
        error_code: 'INSUFFICIENT_CREDIT',
        required_credits: 500,
        available_credits: 200,
      }),
    ).toEqual({
      message: 'User does not have sufficient credits',
      code: 'INSUFFICIENT_CREDIT',
      kind: 'insufficient-credits',
      requiredCredits: 500,
      availableCredits: 200,
    });
  });

  test('429 retry_after seconds in the body become milliseconds', () => {
    expect(
      parseEdenAIErrorBody(429, {
        detail: 'Rate limit exceeded',
        error_code: 'RATE_LIMITED',
        retry_after: 1.5,
      }),
    ).toEqual({
      message: 'Rate limit exceeded',
      code: 'RATE_LIMITED',
      kind: 'rate-limit',
      retryAfterMs: 1500,
    });
  });

  test('401', () => {
    expect(
      parseEdenAIErrorBody(401, {
        detail: 'Invalid or missing authentication token',
        error_code: 'UNAUTHORIZED',
      }),
    ).toEqual({
      message: 'Invalid or missing authentication token',
      code: 'UNAUTHORIZED',
      kind: 'authentication',
    });
  });

  test('400 and 403 nested error objects', () => {
    expect(
      parseEdenAIErrorBody(400, { error: { type: 'validation_error', message: 'size is invalid' } }),
    ).toEqual({
      message: 'size is invalid',
      code: 'validation_error',
    });
    expect(
      parseEdenAIErrorBody(403, { error: { type: 'permission_error', message: 'model not enabled' } }),
    ).toEqual({ message: 'model not enabled', code: 'permission_error' });
  });

  test('404 "details"', () => {
    expect(parseEdenAIErrorBody(404, { details: 'Not Found' })).toEqual({ message: 'Not Found' });
  });

  test('413 says how to send large inputs, with a text body kept', () => {
    const info = parseEdenAIErrorBody(413, '<html>Request Entity Too Large</html>');
    expect(info.message).toContain('Request Entity Too Large');
    expect(info.message).toContain('transport "multipart"');
  });

  test('502 names the upstream provider failure', () => {
    expect(parseEdenAIErrorBody(502, { detail: 'openai: server error' }).message).toBe(
      'the upstream provider failed: openai: server error',
    );
    expect(parseEdenAIErrorBody(502, undefined).message).toBe('the upstream provider failed');
  });

  test('an unknown body yields no message, so the HTTP layer shows an excerpt', () => {
    expect(parseEdenAIErrorBody(500, 'Internal Server Error')).toEqual({});
    expect(parseEdenAIErrorBody(500, [1, 2])).toEqual({});
  });
});

describe('parseEdenAIErrorBody: nested shapes and 451', () => {
  test('{"detail":{"error","message"}}: the message, and the error as the code', () => {
    expect(
      parseEdenAIErrorBody(400, {
        detail: { error: 'model_unavailable', message: 'google/imagen-4 is temporarily unavailable' },
      }),
    ).toEqual({ message: 'google/imagen-4 is temporarily unavailable', code: 'model_unavailable' });
  });

  test('{"detail":{"error"}} alone: the error is the message', () => {
    expect(parseEdenAIErrorBody(400, { detail: { error: 'Bad request' } })).toEqual({
      message: 'Bad request',
    });
  });

  test('{"error":{"type","message":{...}}}: the upstream words inside the message object', () => {
    expect(
      parseEdenAIErrorBody(400, {
        error: {
          type: 'provider_error',
          message: { error: { message: 'Invalid mask image format', code: 'invalid_image' } },
        },
      }),
    ).toEqual({ message: 'Invalid mask image format', code: 'provider_error' });
  });

  test('a nested error_code still classifies the error', () => {
    expect(
      parseEdenAIErrorBody(429, { detail: { error_code: 'RATE_LIMITED', message: 'Slow down' } }),
    ).toMatchObject({ message: 'Slow down', code: 'RATE_LIMITED', kind: 'rate-limit' });
  });

  test('451 on the EU host: its words and what to do', () => {
    const info = parseEdenAIErrorBody(451, {
      detail: { error: 'data_residency', message: 'Model not available in region eu' },
    });
    expect(info.message).toBe(
      'Model not available in region eu; the model is not available from this Eden AI host for data-residency reasons (HTTP 451): pick a model that GET /v3/images/models lists on this host, or use the global host https://api.edenai.run',
    );
    expect(info.code).toBe('data_residency');
  });

  test('451 with an empty body still says what happened', () => {
    expect(parseEdenAIErrorBody(451, '').message).toMatch(
      /^the model is not available from this Eden AI host/,
    );
  });
});
