// Logging options shared by the API and workers. Secrets and PHI never reach a log line:
// headers that carry credentials are redacted, and URLs lose the query values that carry
// OAuth codes, state or tokens, and the path segments that name a shared link's files.
import pino from 'pino';
import type { Logger, LoggerOptions } from 'pino';

const SECRET_QUERY_PARAMS = /([?&](?:code|state|access_token|refresh_token|id_token|token|password|client_secret)=)[^&#]*/gi;

// A SMART Health Link's manifest id and its file locations are bearer names (src/shares/).
const SECRET_PATH_SEGMENTS = /(\/api\/shl\/(?:files\/)?)[^/?#]+/g;

export function scrubUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[redacted]').replace(SECRET_PATH_SEGMENTS, '$1[redacted]');
}

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.client_secret',
  '*.clientSecret',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  'password',
  'access_token',
  'refresh_token',
  'client_secret',
];

export function loggerOptions(level: string, name: string): LoggerOptions {
  return {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method?: string; url?: string; id?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url === undefined ? undefined : scrubUrl(req.url),
      }),
      err: pino.stdSerializers.err,
    },
  };
}

export function createLogger(level: string, name: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level, name), destination) : pino(loggerOptions(level, name));
}
