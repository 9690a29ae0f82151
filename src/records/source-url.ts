// Where an attachment's document lives: the absolute URL carebinder fetches it from and stores it
// under (documents.source_url). Resolved once, when a record is written, against its source's
// FHIR base, and kept on the record (binder.documents[].sourceUrl); the binder and the exports
// join on what was stored and never apply these rules again.

/**
 * A resolver for one FHIR base: relative URLs are read against the base; the result is null for
 * a URL off the base's origin, because a token is only ever sent to its own portal.
 */
export function sourceUrlResolver(fhirBaseUrl: string): (url: string) => string | null {
  const base = fhirBaseUrl.replace(/\/+$/, '');
  const origin = URL.canParse(base) ? new URL(base).origin : null;
  return (url) => {
    const absolute = /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `${base}/${url.replace(/^\/+/, '')}`;
    if (origin === null || !URL.canParse(absolute) || new URL(absolute).origin !== origin) return null;
    return absolute;
  };
}
