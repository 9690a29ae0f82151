// The client's pages (history routes). The server plugin answers index.html for each of these
// paths; a unit test keeps the two lists in step. Pure: unit-tested in Node.

export type Route =
  | { name: 'home' }
  | { name: 'sign-in' }
  | { name: 'portals' }
  | { name: 'binder' }
  | { name: 'treatment' }
  | { name: 'document'; id: string }
  | { name: 'print' }
  | { name: 'entries' }
  | { name: 'uploads' }
  | { name: 'checklist' }
  | { name: 'requests' }
  | { name: 'request-new' }
  | { name: 'share' }
  | { name: 'activity' }
  | { name: 'not-found' };

/** Every path the client renders, as Fastify route patterns. */
export const CLIENT_PATHS = ['/', '/sign-in', '/portals', '/binder', '/treatment', '/documents/:id', '/print', '/missing', '/requests', '/requests/new', '/add', '/uploads', '/share', '/activity'] as const;

export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  switch (path) {
    case '/':
      return { name: 'home' };
    case '/sign-in':
      return { name: 'sign-in' };
    case '/portals':
      return { name: 'portals' };
    case '/binder':
      return { name: 'binder' };
    case '/treatment':
      return { name: 'treatment' };
    case '/print':
      return { name: 'print' };
    case '/add':
      return { name: 'entries' };
    case '/uploads':
      return { name: 'uploads' };
    case '/missing':
      return { name: 'checklist' };
    case '/requests':
      return { name: 'requests' };
    case '/requests/new':
      return { name: 'request-new' };
    case '/share':
      return { name: 'share' };
    case '/activity':
      return { name: 'activity' };
  }
  const document = /^\/documents\/([^/]+)$/.exec(path);
  if (document) {
    try {
      return { name: 'document', id: decodeURIComponent(document[1] ?? '') };
    } catch {
      return { name: 'not-found' };
    }
  }
  return { name: 'not-found' };
}
