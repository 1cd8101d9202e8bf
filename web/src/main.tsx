import { prefetch } from './api/prefetch.js';
import { firstRequests } from './routing/first-requests.js';
import './styles.css';

// The page's first API requests leave before React is even loaded: they travel while the app's
// script downloads and starts, rather than after its first paint. Who is signed in comes first:
// the app shows nothing else before it knows.
prefetch('/api/auth/me');
for (const path of firstRequests(window.location.pathname, window.location.search)) prefetch(path);
void import('./mount.js');
