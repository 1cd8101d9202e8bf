import type { Alert } from './target.js';

const ZAP = 'https://www.zaproxy.org/docs/alerts';

const HSTS: Omit<Alert, 'path'> = {
  pluginId: 10035, name: 'Strict-Transport-Security Header Not Set', risk: 'Low', score: 3.1, confidence: 'High', cwe: 319, method: 'GET',
  description: 'HTTP Strict Transport Security (HSTS) is a web security policy mechanism whereby a web server declares that complying user agents are to interact with it **using only secure HTTPS connections**.',
  solution: 'Ensure that your web server, application server, load balancer, etc. is configured to enforce `Strict-Transport-Security`.',
  reference: `${ZAP}/10035/`,
};

const CONTENT_TYPE_OPTIONS: Omit<Alert, 'path'> = {
  pluginId: 10021, name: 'X-Content-Type-Options Header Missing', risk: 'Low', score: 3.1, confidence: 'Medium', cwe: 693, method: 'GET', param: 'x-content-type-options',
  description: "The Anti-MIME-Sniffing header `X-Content-Type-Options` was not set to 'nosniff'.",
  solution: "Ensure that the application/web server sets the `Content-Type` header appropriately, and that it sets the `X-Content-Type-Options` header to 'nosniff' for all web pages.",
  reference: `${ZAP}/10021/`,
};

/** OWASP ZAP's alerts on the payments API. */
export const PAYMENTS_API_ALERTS: readonly Alert[] = [
  {
    pluginId: 40018, name: 'SQL Injection', risk: 'High', score: 8.6, confidence: 'Medium', cwe: 89, method: 'GET', path: '/v1/refunds', query: 'merchant_id', evidence: "merchant_id=m_1024' AND '1'='1",
    description: 'SQL injection may be possible: the page results were **successfully manipulated** using the boolean conditions `AND 1=1` and `AND 1=2`.',
    solution: 'Do not trust client side input. Use prepared statements (`java.sql.PreparedStatement`) with bound parameters.',
    reference: `${ZAP}/40018/`,
  },
  {
    pluginId: 40040, name: 'CORS Misconfiguration', risk: 'Medium', score: 5.3, confidence: 'High', cwe: 942, method: 'GET', path: '/v1/payments', evidence: 'Access-Control-Allow-Origin: https://evil.example',
    description: 'This CORS misconfiguration could allow an attacker to perform **AJAX queries** to the vulnerable website from a malicious page loaded by the victim\'s user agent.',
    solution: 'If a web resource contains sensitive information, the origin should be properly specified in the `Access-Control-Allow-Origin` header.',
    reference: `${ZAP}/40040/`,
  },
  {
    pluginId: 90022, name: 'Application Error Disclosure', risk: 'Medium', score: 5.3, confidence: 'Medium', cwe: 200, method: 'POST', path: '/v1/settlements/export', evidence: 'org.postgresql.util.PSQLException',
    description: 'This page contains an error/warning message that may disclose **sensitive information** like the location of the file that produced the unhandled exception.',
    solution: 'Review the source code of this page. Implement custom error pages.',
    reference: `${ZAP}/90022/`,
  },
  { ...HSTS, path: '/v1/payments' },
  { ...CONTENT_TYPE_OPTIONS, path: '/v1/payments' },
  {
    pluginId: 10036, name: 'Server Leaks Version Information via "Server" HTTP Response Header Field', risk: 'Low', score: 2.6, confidence: 'High', cwe: 200, method: 'GET', path: '/healthz', evidence: 'nginx/1.23.4',
    description: 'The web/application server is leaking version information via the `Server` HTTP response header.',
    solution: 'Ensure that your web server, application server, load balancer, etc. is configured to suppress the `Server` header or provide generic details.',
    reference: `${ZAP}/10036/`,
  },
  {
    pluginId: 10054, name: 'Cookie without SameSite Attribute', risk: 'Low', score: 3.1, confidence: 'Medium', cwe: 1275, method: 'POST', path: '/v1/session', param: 'ACMEPAY_SESSION',
    description: 'A cookie has been set without the `SameSite` attribute, which means that the cookie can be sent as a result of a **cross-site request**.',
    solution: "Ensure that the SameSite attribute is set to either 'lax' or ideally 'strict' for all cookies.",
    reference: `${ZAP}/10054/`,
  },
];

/** OWASP ZAP's alerts on the hosted checkout page. */
export const CHECKOUT_WEB_ALERTS: readonly Alert[] = [
  {
    pluginId: 40012, name: 'Cross Site Scripting (Reflected)', risk: 'High', score: 7.1, confidence: 'Medium', cwe: 79, method: 'GET', path: '/pay', query: 'return_url', evidence: '"><scrIpt>alert(1);</scRipt>',
    description: 'Cross-site Scripting (XSS) is an attack technique that involves **echoing attacker-supplied code** into a user\'s browser instance.',
    solution: 'Validate all input and encode all output; use a vetted library or framework that does not allow this weakness to occur.',
    reference: `${ZAP}/40012/`,
  },
  {
    pluginId: 10038, name: 'Content Security Policy (CSP) Header Not Set', risk: 'Medium', score: 5.4, confidence: 'High', cwe: 693, method: 'GET', path: '/',
    description: 'Content Security Policy (CSP) is an added layer of security that helps to detect and mitigate certain types of attacks, including **Cross Site Scripting** and data injection attacks.',
    solution: 'Ensure that your web server, application server, load balancer, etc. is configured to set the `Content-Security-Policy` header.',
    reference: `${ZAP}/10038/`,
  },
  {
    pluginId: 10003, name: 'Vulnerable JS Library', risk: 'Medium', score: 6.1, confidence: 'Medium', cwe: 829, method: 'GET', path: '/static/js/jquery-3.4.1.min.js', evidence: 'jquery-3.4.1.min.js',
    description: 'The identified library `jquery`, version 3.4.1 is vulnerable (CVE-2020-11022, CVE-2020-11023).',
    solution: 'Upgrade to the latest version of jquery.',
    reference: `${ZAP}/10003/`,
  },
  {
    pluginId: 10202, name: 'Absence of Anti-CSRF Tokens', risk: 'Medium', score: 4.3, confidence: 'Low', cwe: 352, method: 'GET', path: '/pay', evidence: '<form action="/pay/confirm" method="POST">',
    description: 'No Anti-CSRF tokens were found in a **HTML submission form**.',
    solution: 'Use a vetted library or framework that does not allow this weakness to occur, or generate a unique nonce for each form.',
    reference: `${ZAP}/10202/`,
  },
  {
    pluginId: 10020, name: 'Missing Anti-clickjacking Header', risk: 'Medium', score: 4.3, confidence: 'Medium', cwe: 1021, method: 'GET', path: '/pay', param: 'x-frame-options',
    description: "The response does not include either `Content-Security-Policy` with 'frame-ancestors' directive or `X-Frame-Options` to protect against **ClickJacking** attacks.",
    solution: "Set `X-Frame-Options` to DENY or SAMEORIGIN, or use CSP's frame-ancestors directive.",
    reference: `${ZAP}/10020/`,
  },
  {
    pluginId: 10011, name: 'Cookie Without Secure Flag', risk: 'Low', score: 3.1, confidence: 'Medium', cwe: 614, method: 'GET', path: '/', param: 'cart_id',
    description: 'A cookie has been set without the secure flag, which means that the cookie can be accessed via **unencrypted connections**.',
    solution: 'Whenever a cookie contains sensitive information or is a session token, then it should always be passed using an encrypted channel.',
    reference: `${ZAP}/10011/`,
  },
  { ...HSTS, path: '/' },
];
