import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processReseal, resealSecrets, type ResealJobData } from '../../src/jobs/reseal.js';
import { createSecretBox, keyIdOf } from '../../src/crypto/secret-box.js';
import { createLogger } from '../../src/logger.js';
import { tokenContext } from '../../src/portals/links.js';
import { secretContext } from '../../src/portals/registry.js';
import type { Job } from 'bullmq';
import { buildTestApp, signedInPatient, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

const log = createLogger('silent', 'test');

describe('re-sealing secrets after a key rotation', () => {
  it('moves tokens and client secrets from the old key to the current one, keeping their values', async () => {
    // Keys of this test only: rows of other tests (under the app's key) are unreadable here and left alone.
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = createSecretBox(oldKey);
    const rotated = createSecretBox(newKey, [oldKey]);
    const portalId = `reseal-${Date.now()}`;
    await t.pool.query(`INSERT INTO portals (id, name, fhir_base_url, client_id, client_secret_enc) VALUES ($1, 'Reseal', 'https://x.example/fhir', 'c', $2)`, [
      portalId,
      before.seal('client secret', secretContext(portalId)),
    ]);
    const patient = await signedInPatient(t.app);
    const { rows } = await t.pool.query<{ id: string }>(
      `INSERT INTO links (account_id, portal_id, portal_patient_id, status) VALUES ($1, $2, 'p1', 'active'), ($1, $2, 'p2', 'active') RETURNING id`,
      [patient.accountId, portalId],
    );
    const [linkId, strayLinkId] = rows.map((row) => row.id);
    const tokens = { access_token: 'a', refresh_token: 'r' };
    await t.pool.query('UPDATE links SET tokens_enc = $2 WHERE id = $1', [linkId, before.sealJson(tokens, tokenContext(linkId))]);
    // Sealed under a key nobody configured any more: cannot be read, so it is reported and kept.
    const stray = createSecretBox(randomBytes(32)).sealJson(tokens, tokenContext(strayLinkId));
    await t.pool.query('UPDATE links SET tokens_enc = $2 WHERE id = $1', [strayLinkId, stray]);

    const outcome = await resealSecrets(t.pool, rotated, log);
    expect(outcome.resealed).toBeGreaterThanOrEqual(2);
    expect(outcome.unreadable).toBeGreaterThanOrEqual(1);

    const newOnly = createSecretBox(newKey);
    const link = await t.pool.query<{ id: string; tokens_enc: string }>('SELECT id, tokens_enc FROM links WHERE portal_id = $1', [portalId]);
    const sealedTokens = link.rows.find((row) => row.id === linkId)!.tokens_enc;
    expect(sealedTokens.split('.')[1]).toBe(keyIdOf(newKey));
    expect(newOnly.openJson(sealedTokens, tokenContext(linkId))).toEqual(tokens);
    expect(link.rows.find((row) => row.id === strayLinkId)!.tokens_enc).toBe(stray);
    const portal = await t.pool.query<{ client_secret_enc: string }>('SELECT client_secret_enc FROM portals WHERE id = $1', [portalId]);
    expect(newOnly.open(portal.rows[0].client_secret_enc, secretContext(portalId))).toBe('client secret');

    // Once done, the old key can go: nothing of this test is left under it.
    const again = await resealSecrets(t.pool, rotated, log);
    const mine = await t.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM links WHERE portal_id = $1 AND split_part(tokens_enc, '.', 2) = $2`,
      [portalId, keyIdOf(oldKey)],
    );
    expect(mine.rows[0].n).toBe(0);
    expect(again.unreadable).toBeGreaterThanOrEqual(1);
  });

  it('does nothing for a job queued by a worker with another current key', async () => {
    const box = createSecretBox(randomBytes(32));
    const job = { data: { keyId: 'someone-else' } } as Job<ResealJobData>;
    expect(await processReseal(job, { pool: t.pool, box, log })).toEqual({ resealed: 0, unreadable: 0 });
  });
});
