// Accounts and sessions: sign-up, sign-in, sign-out, the signed-in account.
import { z } from 'zod';

export const Credentials = z.object({
  email: z.email('an email address such as jane@example.org').max(254),
  password: z.string().min(10, 'at least 10 characters').max(1024, 'at most 1024 characters'),
});

/** Sign-in accepts any password shape: length rules are for choosing one, not for trying one. */
export const SignIn = z.object({ email: z.string().min(1).max(254), password: z.string().min(1).max(1024) });

/** The one answer to every well-formed sign-up, whether the address was free or not. */
export const SignUpAccepted = z.object({ message: z.string() });

export const Account = z.object({ id: z.uuid(), email: z.string(), createdAt: z.iso.datetime() });

export type Credentials = z.infer<typeof Credentials>;
export type SignIn = z.infer<typeof SignIn>;
export type Account = z.infer<typeof Account>;
