// What leaves the process in a span: no query values, no FHIR ids, no tokens or OAuth codes.
import { describe, expect, it } from 'vitest';
import type { Attributes } from '@opentelemetry/api';
import { redactAttributes, redactUrl, tracingEnabled } from '../../src/observability/tracing.js';

describe('span redaction', () => {
  it.each([
    ['https://portal.example.org/fhir/R4/Observation?patient=123&category=laboratory', 'https://portal.example.org/fhir/R4/Observation'],
    ['https://fhir.epic.com/interconnect-fhir-oauth/api/FHIR/R4/Patient/eq081-VQEgP8drUUqCWzHfw3', 'https://fhir.epic.com/interconnect-fhir-oauth/api/FHIR/R4/Patient/:id'],
    ['https://portal.example.org/fhir/Binary/abc.1/_history/2', 'https://portal.example.org/fhir/Binary/:id'],
    ['/smart/callback?code=s3cr3t&state=xyz', '/smart/callback'],
    ['/api/links/:id/sync', '/api/links/:id/sync'],
    ['HTTP 404 (Resource Patient/9876 is not known)', 'HTTP 404 (Resource Patient/:id is not known)'],
  ])('%s becomes %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('drops query attributes, scrubs URL attributes and replaces values that mention credentials', () => {
    const attributes: Attributes = {
      'url.path': '/smart/callback?code=abc&state=def',
      'url.query': 'code=abc&state=def',
      'url.full': 'https://portal.example.org/fhir/Observation?patient=p1',
      'http.route': '/smart/callback',
      'exception.message': 'token endpoint said {"access_token":"eyJ..."}',
      'bullmq.job.failed.reason': 'the portal answered HTTP 400 for Condition?patient=p1',
      'db.query.text': 'SELECT * FROM records WHERE types ? $1',
      'user_agent.original': 'Mozilla/5.0',
      'http.request.header.authorization': ['Bearer abc'],
      'http.response.status_code': 200,
    };
    redactAttributes(attributes);
    expect(attributes).toEqual({
      'url.path': '/smart/callback',
      'url.full': 'https://portal.example.org/fhir/Observation',
      'http.route': '/smart/callback',
      'exception.message': '[redacted]',
      'bullmq.job.failed.reason': 'the portal answered HTTP 400 for Condition',
      'db.query.text': 'SELECT * FROM records WHERE types ? $1',
      'user_agent.original': 'Mozilla/5.0',
      'http.request.header.authorization': ['[redacted]'],
      'http.response.status_code': 200,
    });
  });

  it('is on only with an OTLP endpoint, and off with OTEL_SDK_DISABLED', () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });
});
