import { useEffect } from 'react';
import type { Me } from '../api/types.js';
import { signInHref } from './session.js';

/** Instead of the app when nobody is signed in and the server has no anonymous role: nothing else is shown. */
export function SignInPage({ signIn }: { signIn: Me['signIn'] }) {
  useEffect(() => {
    document.title = 'Sign in · Lantern';
  }, []);
  const here = window.location.pathname + window.location.search;
  return (
    <div className="page sign-in-page">
      <section className="card sign-in-card" aria-labelledby="sign-in-title" data-testid="sign-in">
        <h1 id="sign-in-title">Sign in to Lantern</h1>
        {signIn ? (
          <>
            <p>Lantern shows security-scan results to the people of your organisation. Sign in to see the ones you may read.</p>
            {/* A navigation, not a request: the server sends the browser on to the identity provider. */}
            <a className="button button-primary" href={signInHref(signIn.url, here)}>
              Sign in
            </a>
          </>
        ) : (
          <>
            <p>This Lantern server needs an API token: send it as <code>Authorization: Bearer &lt;token&gt;</code> with every API request.</p>
            <p className="muted">
              Browsers can sign in once an administrator configures OpenID Connect on the server, as the security guide (docs/security.md) describes.
            </p>
          </>
        )}
      </section>
    </div>
  );
}
