import type { CodeFinding } from './target.js';

/** Semgrep's Java rules on the payments API (Spring Boot). */
export const PAYMENTS_API_CODE: readonly CodeFinding[] = [
  {
    rule: 'java.lang.security.audit.formatted-sql-string.formatted-sql-string', title: 'Formatted SQL string', level: 'high',
    message: 'Detected a formatted string in a SQL statement. This could lead to SQL injection if variables in the SQL statement are not properly sanitized. Use a prepared statements (java.sql.PreparedStatement) instead.',
    cwe: 'CWE-89', cweName: "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')", owasp: 'A03:2021 - Injection',
    file: 'src/main/java/com/acmepay/payments/refund/RefundRepository.java', line: 48,
    snippet: '        ResultSet rs = stmt.executeQuery("SELECT * FROM refunds WHERE merchant_id = \'" + merchantId + "\'");',
  },
  {
    rule: 'java.lang.security.audit.crypto.use-of-md5.use-of-md5', title: 'Use of MD5', level: 'medium',
    message: 'Detected MD5 hash algorithm which is considered insecure. MD5 is not collision resistant and is therefore not suitable as a cryptographic signature. Use HMAC instead.',
    cwe: 'CWE-328', cweName: 'Use of Weak Hash', owasp: 'A02:2021 - Cryptographic Failures',
    file: 'src/main/java/com/acmepay/payments/webhook/SignatureVerifier.java', line: 31,
    snippet: '        MessageDigest digest = MessageDigest.getInstance("MD5");', fix: 'MessageDigest.getInstance("SHA-512")',
  },
  {
    rule: 'java.spring.security.audit.spring-csrf-disabled.spring-csrf-disabled', title: 'Spring CSRF disabled', level: 'medium',
    message: 'CSRF protection is disabled for this configuration. This is a security risk.',
    cwe: 'CWE-352', cweName: 'Cross-Site Request Forgery (CSRF)', owasp: 'A01:2021 - Broken Access Control',
    file: 'src/main/java/com/acmepay/payments/config/SecurityConfig.java', line: 27,
    snippet: '        http.csrf().disable()',
  },
  {
    rule: 'java.lang.security.audit.unsafe-reflection.unsafe-reflection', title: 'Unsafe reflection', level: 'medium',
    message: "If an attacker can supply values that the application then uses to determine which class to instantiate or which method to invoke, the potential exists for the attacker to create control flow paths through the application that were not intended by the application developers.",
    cwe: 'CWE-470', cweName: "Use of Externally-Controlled Input to Select Classes or Code ('Unsafe Reflection')", owasp: 'A03:2021 - Injection',
    file: 'src/main/java/com/acmepay/payments/webhook/WebhookDispatcher.java', line: 64,
    snippet: '        Class<?> handler = Class.forName(event.getHandlerClass());',
  },
  {
    rule: 'java.lang.security.audit.crypto.weak-random.weak-random', title: 'Weak random', level: 'medium',
    message: 'Detected use of the functions `Math.random()` or `java.util.Random()`. These are both not cryptographically strong random number generators (RNGs). If you are using these RNGs to create passwords or secret tokens, use `java.security.SecureRandom` instead.',
    cwe: 'CWE-330', cweName: 'Use of Insufficiently Random Values', owasp: 'A02:2021 - Cryptographic Failures',
    file: 'src/main/java/com/acmepay/payments/refund/RefundReferenceGenerator.java', line: 19,
    snippet: '        return "RF-" + new java.util.Random().nextInt(1_000_000);',
  },
  {
    rule: 'java.lang.security.audit.xxe.documentbuilderfactory-disallow-doctype-decl-missing.documentbuilderfactory-disallow-doctype-decl-missing', title: 'XXE in DocumentBuilderFactory', level: 'high',
    message: 'DOCTYPE declarations are enabled for this DocumentBuilderFactory. This is vulnerable to XML external entity attacks. Disable this by setting the feature "http://apache.org/xml/features/disallow-doctype-decl" to true.',
    cwe: 'CWE-611', cweName: 'Improper Restriction of XML External Entity Reference', owasp: 'A05:2021 - Security Misconfiguration',
    file: 'src/main/java/com/acmepay/payments/settlement/SettlementFileParser.java', line: 42,
    snippet: '        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();',
  },
  {
    rule: 'java.lang.security.audit.cookie-missing-httponly.cookie-missing-httponly', title: 'Cookie missing HttpOnly', level: 'low',
    message: "A cookie was detected without setting the 'HttpOnly' flag. The 'HttpOnly' flag for cookies instructs the browser to forbid client-side scripts from reading the cookie. Set the 'HttpOnly' flag by calling 'cookie.setHttpOnly(true);'",
    cwe: 'CWE-1004', cweName: "Sensitive Cookie Without 'HttpOnly' Flag", owasp: 'A05:2021 - Security Misconfiguration',
    file: 'src/main/java/com/acmepay/payments/session/SessionController.java', line: 55,
    snippet: '        response.addCookie(sessionCookie);',
  },
  {
    rule: 'java.lang.security.audit.object-deserialization.object-deserialization', title: 'Object deserialization', level: 'medium',
    message: 'Found object deserialization using ObjectInputStream. Deserializing entire Java objects is dangerous because malicious actors can create Java object streams with unintended consequences. Use JSON instead.',
    cwe: 'CWE-502', cweName: 'Deserialization of Untrusted Data', owasp: 'A08:2021 - Software and Data Integrity Failures',
    file: 'src/main/java/com/acmepay/payments/cache/SessionCache.java', line: 73,
    snippet: '        ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes));',
  },
];

/** Semgrep's Go rules on the platform monorepo. */
export const PLATFORM_CODE: readonly CodeFinding[] = [
  {
    rule: 'go.lang.security.audit.database.string-formatted-query.string-formatted-query', title: 'String-formatted SQL query', level: 'medium',
    message: 'String-formatted SQL query detected. This could lead to SQL injection if the string is not sanitized properly. Audit this call to ensure the SQL is not manipulable by external data.',
    cwe: 'CWE-89', cweName: "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')", owasp: 'A03:2021 - Injection',
    file: 'services/ledger/internal/store/accounts.go', line: 88,
    snippet: '\trows, err := s.db.QueryContext(ctx, fmt.Sprintf("SELECT balance FROM accounts WHERE id = \'%s\'", id))',
  },
  {
    rule: 'go.lang.security.audit.crypto.use_of_weak_crypto.use-of-md5', title: 'Use of MD5', level: 'medium',
    message: 'Detected MD5 hash algorithm which is considered insecure. MD5 is not collision resistant and is therefore not suitable as a cryptographic signature. Use SHA256 or SHA3 instead.',
    cwe: 'CWE-328', cweName: 'Use of Weak Hash', owasp: 'A02:2021 - Cryptographic Failures',
    file: 'pkg/idempotency/key.go', line: 22,
    snippet: '\th := md5.New()',
  },
  {
    rule: 'go.lang.security.audit.net.use-tls.use-tls', title: 'Plain HTTP listener', level: 'medium',
    message: 'Found an HTTP server without TLS. Use `http.ListenAndServeTLS` instead. See https://golang.org/pkg/net/http/#ListenAndServeTLS for more information.',
    cwe: 'CWE-319', cweName: 'Cleartext Transmission of Sensitive Information', owasp: 'A02:2021 - Cryptographic Failures',
    file: 'services/ledger/cmd/ledger/main.go', line: 57,
    snippet: '\tlog.Fatal(http.ListenAndServe(":8080", mux))', fix: 'http.ListenAndServeTLS(":8080", certFile, keyFile, mux)',
  },
  {
    rule: 'go.lang.security.audit.crypto.missing-ssl-minversion.missing-ssl-minversion', title: 'TLS config without MinVersion', level: 'medium',
    message: "`MinVersion` is missing from this TLS configuration. By default, TLS 1.2 is currently used as the minimum when acting as a client, and TLS 1.0 when acting as a server. Add `MinVersion: tls.VersionTLS13' to the TLS configuration to bump the minimum version to TLS 1.3.",
    cwe: 'CWE-327', cweName: 'Use of a Broken or Risky Cryptographic Algorithm', owasp: 'A02:2021 - Cryptographic Failures',
    file: 'pkg/grpcx/client.go', line: 34,
    snippet: '\ttlsConfig := &tls.Config{RootCAs: pool}',
  },
  {
    rule: 'go.lang.security.audit.crypto.insecure_ssh.avoid-ssh-insecure-ignore-host-key', title: 'SSH host key not checked', level: 'medium',
    message: 'Disabled host key verification detected. This allows man-in-the-middle attacks. Use the \'golang.org/x/crypto/ssh/knownhosts\' package to do host key verification.',
    cwe: 'CWE-322', cweName: 'Key Exchange without Entity Authentication', owasp: 'A02:2021 - Cryptographic Failures',
    file: 'services/reconciler/sftp/client.go', line: 41,
    snippet: '\t\tHostKeyCallback: ssh.InsecureIgnoreHostKey(),',
  },
  {
    rule: 'go.lang.security.audit.dangerous-exec-command.dangerous-exec-command', title: 'Command built from input', level: 'high',
    message: 'Detected non-static command inside Command. Audit the input to \'exec.Command\'. If unverified user data can reach this call site, this is a code injection vulnerability.',
    cwe: 'CWE-78', cweName: "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')", owasp: 'A03:2021 - Injection',
    file: 'services/reconciler/jobs/run.go', line: 29,
    snippet: '\tcmd := exec.CommandContext(ctx, "sh", "-c", job.Script)',
  },
  {
    rule: 'go.lang.security.decompression_bomb.potential-dos-via-decompression-bomb', title: 'Decompression bomb', level: 'medium',
    message: 'Detected a possible denial-of-service via a zip bomb attack. By limiting the max bytes read, you can mitigate this attack. `io.CopyN()` can specify a size.',
    cwe: 'CWE-400', cweName: 'Uncontrolled Resource Consumption', owasp: 'A06:2017 - Security Misconfiguration',
    file: 'services/reconciler/importer/archive.go', line: 66,
    snippet: '\tif _, err := io.Copy(out, gz); err != nil {',
  },
  {
    rule: 'go.lang.security.audit.crypto.math_random.math-random-used', title: 'math/rand used', level: 'low',
    message: 'Do not use `math/rand`. Use `crypto/rand` instead.',
    cwe: 'CWE-338', cweName: 'Use of Cryptographically Weak Pseudo-Random Number Generator (PRNG)', owasp: 'A02:2021 - Cryptographic Failures',
    file: 'pkg/retry/backoff.go', line: 18,
    snippet: '\t"math/rand"',
  },
];

/** CodeQL's Python queries on the fraud detector (Flask). */
export const FRAUD_DETECTOR_CODE: readonly CodeFinding[] = [
  {
    rule: 'py/sql-injection', title: 'SQL query built from user-controlled sources', level: 'high', securitySeverity: 8.8,
    message: 'This SQL query depends on a [user-provided value](1).',
    cwe: 'CWE-89', cweName: "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')",
    file: 'fraud/api/routes.py', line: 42,
    snippet: '    cursor.execute(f"SELECT score FROM scores WHERE merchant = \'{merchant}\'")',
  },
  {
    rule: 'py/unsafe-deserialization', title: 'Deserialization of user-controlled data', level: 'high', securitySeverity: 9.8,
    message: 'Unsafe deserialization depends on a [user-provided value](1).',
    cwe: 'CWE-502', cweName: 'Deserialization of Untrusted Data',
    file: 'fraud/model/loader.py', line: 27,
    snippet: '    model = pickle.loads(request.files["model"].read())',
  },
  {
    rule: 'py/flask-debug', title: 'Flask app is run in debug mode', level: 'high', securitySeverity: 7.5,
    message: 'A Flask app appears to be run in debug mode. This may allow an attacker to run arbitrary code through the debugger.',
    cwe: 'CWE-215', cweName: 'Insertion of Sensitive Information Into Debugging Code',
    file: 'fraud/app.py', line: 61,
    snippet: '    app.run(host="0.0.0.0", port=8000, debug=True)',
  },
  {
    rule: 'py/clear-text-logging-sensitive-data', title: 'Clear-text logging of sensitive information', level: 'high', securitySeverity: 7.5,
    message: 'This expression logs [sensitive data (private)](1) as clear text.',
    cwe: 'CWE-312', cweName: 'Cleartext Storage of Sensitive Information',
    file: 'fraud/api/routes.py', line: 58,
    snippet: '    log.info("scoring card %s for %s", payload["card_number"], merchant)',
  },
  {
    rule: 'py/path-injection', title: 'Uncontrolled data used in path expression', level: 'high', securitySeverity: 7.5,
    message: 'This path depends on a [user-provided value](1).',
    cwe: 'CWE-22', cweName: "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",
    file: 'fraud/reports/export.py', line: 33,
    snippet: '    with open(os.path.join(REPORT_DIR, request.args["name"])) as report:',
  },
  {
    rule: 'py/weak-sensitive-data-hashing', title: 'Use of a broken or weak cryptographic hashing algorithm on sensitive data', level: 'medium', securitySeverity: 7.5,
    message: '[Sensitive data (private)](1) is used in a hashing algorithm (MD5) that is insecure.',
    cwe: 'CWE-327', cweName: 'Use of a Broken or Risky Cryptographic Algorithm',
    file: 'fraud/features/fingerprint.py', line: 14,
    snippet: '    return hashlib.md5(card_number.encode()).hexdigest()',
  },
  {
    rule: 'py/request-without-cert-validation', title: 'Request without certificate validation', level: 'high', securitySeverity: 7.5,
    message: 'This request may run without certificate validation because [it is disabled](1).',
    cwe: 'CWE-295', cweName: 'Improper Certificate Validation',
    file: 'fraud/enrichment/client.py', line: 23,
    snippet: '    response = requests.get(url, params=query, timeout=2, verify=False)',
  },
  {
    rule: 'py/stack-trace-exposure', title: 'Information exposure through an exception', level: 'high', securitySeverity: 5.4,
    message: '[Stack trace information](1) flows to this location and may be exposed to an external user.',
    cwe: 'CWE-209', cweName: 'Generation of Error Message Containing Sensitive Information',
    file: 'fraud/api/errors.py', line: 11,
    snippet: '    return {"error": traceback.format_exc()}, 500',
  },
];

/** CodeQL's JavaScript/TypeScript queries on the checkout page. */
export const CHECKOUT_WEB_CODE: readonly CodeFinding[] = [
  {
    rule: 'js/xss-through-dom', title: 'DOM text reinterpreted as HTML', level: 'medium', securitySeverity: 6.1,
    message: '[DOM text](1) is reinterpreted as HTML without escaping meta-characters.',
    cwe: 'CWE-79', cweName: "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
    file: 'src/components/PromoBanner.tsx', line: 37,
    snippet: '    banner.current.innerHTML = promo.html;',
  },
  {
    rule: 'js/client-side-unvalidated-url-redirection', title: 'Client-side URL redirect', level: 'high', securitySeverity: 6.1,
    message: 'Untrusted URL redirection depends on a [user-provided value](1).',
    cwe: 'CWE-601', cweName: "URL Redirection to Untrusted Site ('Open Redirect')",
    file: 'src/pages/return.tsx', line: 18,
    snippet: '  window.location.href = params.get("next") ?? "/";',
  },
  {
    rule: 'js/insecure-randomness', title: 'Insecure randomness', level: 'medium', securitySeverity: 7.8,
    message: 'This uses a cryptographically insecure random number generated at [Math.random()](1) in a security context.',
    cwe: 'CWE-338', cweName: 'Use of Cryptographically Weak Pseudo-Random Number Generator (PRNG)',
    file: 'src/lib/cart/session-id.ts', line: 9,
    snippet: '  return Math.random().toString(36).slice(2);',
  },
  {
    rule: 'js/prototype-pollution-utility', title: 'Prototype-polluting function', level: 'medium', securitySeverity: 6.1,
    message: 'Properties are copied from [source](1) to [target](2) without guarding against prototype pollution.',
    cwe: 'CWE-1321', cweName: "Improperly Controlled Modification of Object Prototype Attributes ('Prototype Pollution')",
    file: 'src/lib/deep-merge.ts', line: 12,
    snippet: '      target[key] = deepMerge(target[key], source[key]);',
  },
  {
    rule: 'js/regex/missing-regexp-anchor', title: 'Missing regular expression anchor', level: 'medium', securitySeverity: 7.8,
    message: 'When this is used as a regular expression on a URL, it may match anywhere, and arbitrary hosts may come before or after it.',
    cwe: 'CWE-20', cweName: 'Improper Input Validation',
    file: 'src/lib/checkout/allowed-origin.ts', line: 5,
    snippet: '  return /acme-pay\\.example/.test(origin);',
  },
  {
    rule: 'js/incomplete-sanitization', title: 'Incomplete string escaping or encoding', level: 'medium', securitySeverity: 7.8,
    message: 'This replaces only the first occurrence of "\'".',
    cwe: 'CWE-116', cweName: 'Improper Encoding or Escaping of Output',
    file: 'src/lib/format/escape.ts', line: 3,
    snippet: '  return value.replace("\'", "\\\\\'");',
  },
  {
    rule: 'js/clear-text-storage-of-sensitive-data', title: 'Clear text storage of sensitive information', level: 'high', securitySeverity: 7.5,
    message: 'This stores [sensitive data returned by an access to cardNumber](1) as clear text.',
    cwe: 'CWE-312', cweName: 'Cleartext Storage of Sensitive Information',
    file: 'src/lib/checkout/draft-storage.ts', line: 21,
    snippet: '  localStorage.setItem("checkout-draft", JSON.stringify({ cardNumber, expiry }));',
  },
];
