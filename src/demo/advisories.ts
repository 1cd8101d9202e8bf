/**
 * Published vulnerabilities the demo estate's packages carry: real CVE and GHSA ids, the package
 * and version that has them, the fixed version, and the CVSS v3.1 vector (the score is computed
 * from it, so that severity, score and vector always agree). Versions are those a 2023 build of
 * each image or lockfile would have pinned.
 */

/** Where a package comes from: an OS distribution or a language ecosystem. */
export type Ecosystem = 'alpine' | 'debian' | 'maven' | 'npm' | 'pypi' | 'go' | 'go-stdlib';

export interface Advisory {
  cve: string;
  ghsa?: string;
  package: string;
  installed: string;
  /** Absent when the distribution has not shipped a fix. */
  fixed?: string;
  vector: string;
  title: string;
  /** Markdown, as advisory databases write it. */
  description: string;
  cwe?: string;
  published: string;
}

const ALPINE: readonly Advisory[] = [
  {
    cve: 'CVE-2023-5363', package: 'libcrypto3', installed: '3.1.3-r0', fixed: '3.1.4-r0', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
    title: 'openssl: Incorrect cipher key and IV length processing', published: '2023-10-25',
    description: 'A bug in the processing of key and initialisation vector lengths can lead to **potential truncation or overruns** during the initialisation of some symmetric ciphers.',
  },
  {
    cve: 'CVE-2023-5363', package: 'libssl3', installed: '3.1.3-r0', fixed: '3.1.4-r0', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
    title: 'openssl: Incorrect cipher key and IV length processing', published: '2023-10-25',
    description: 'A bug in the processing of key and initialisation vector lengths can lead to **potential truncation or overruns** during the initialisation of some symmetric ciphers.',
  },
  {
    cve: 'CVE-2023-5678', package: 'libcrypto3', installed: '3.1.3-r0', fixed: '3.1.4-r1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', cwe: 'CWE-606',
    title: 'openssl: Generating excessively long X9.42 DH keys may be very slow', published: '2023-11-06',
    description: 'Applications that use `DH_generate_key()` or `DH_check_pub_key()` on keys or parameters from an untrusted source may be vulnerable to a denial of service.',
  },
  {
    cve: 'CVE-2024-0727', package: 'libcrypto3', installed: '3.1.3-r0', fixed: '3.1.4-r5', vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', cwe: 'CWE-476',
    title: 'openssl: denial of service via null dereference', published: '2024-01-26',
    description: 'Processing a maliciously formatted **PKCS12** file may lead OpenSSL to crash, leading to a potential denial of service attack.',
  },
  {
    cve: 'CVE-2024-2511', package: 'libssl3', installed: '3.1.3-r0', fixed: '3.1.4-r6', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H',
    title: 'openssl: Unbounded memory growth with session handling in TLSv1.3', published: '2024-04-08',
    description: 'Some non-default TLS server configurations can cause **unbounded memory growth** when processing TLSv1.3 sessions.',
  },
  {
    cve: 'CVE-2023-38545', package: 'curl', installed: '8.3.0-r0', fixed: '8.4.0-r0', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', cwe: 'CWE-787',
    title: 'curl: heap based buffer overflow in the SOCKS5 proxy handshake', published: '2023-10-18',
    description: 'This flaw makes curl overflow a heap based buffer in the **SOCKS5 proxy handshake** when asked to let the proxy resolve a long host name.',
  },
  {
    cve: 'CVE-2023-38546', package: 'libcurl', installed: '8.3.0-r0', fixed: '8.4.0-r0', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N', cwe: 'CWE-73',
    title: 'curl: cookie injection with none file', published: '2023-10-18',
    description: 'Cookie injection when libcurl duplicates an easy handle with `curl_easy_duphandle()` and the cookie engine is enabled.',
  },
  {
    cve: 'CVE-2023-46218', package: 'libcurl', installed: '8.3.0-r0', fixed: '8.5.0-r0', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N',
    title: 'curl: information disclosure by exploiting a mixed case flaw', published: '2023-12-07',
    description: 'A malicious HTTP server can set **"super cookies"** in curl that are then passed back to more origins than what is otherwise allowed.',
  },
  {
    cve: 'CVE-2023-45853', package: 'zlib', installed: '1.2.13-r1', fixed: '1.3.1-r0', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', cwe: 'CWE-190',
    title: 'zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6', published: '2023-10-14',
    description: 'MiniZip in zlib through 1.3 has an integer overflow and resultant heap-based buffer overflow in `zipOpenNewFileInZip4_64` via a long file name, comment, or extra field.',
  },
  {
    cve: 'CVE-2022-48174', package: 'busybox', installed: '1.36.1-r2', fixed: '1.36.1-r7', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', cwe: 'CWE-787',
    title: 'busybox: stack overflow vulnerability in ash.c', published: '2023-08-22',
    description: 'There is a stack overflow vulnerability in `ash.c:6030` in busybox before 1.35. In the environment of the Internet of Vehicles, this vulnerability can be executed from command to arbitrary code execution.',
  },
  {
    cve: 'CVE-2023-42363', package: 'busybox', installed: '1.36.1-r2', fixed: '1.36.1-r6', vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-416',
    title: 'busybox: use-after-free in awk', published: '2023-11-27',
    description: 'A use-after-free vulnerability was discovered in `xasprintf` function in `xfuncs_printf.c:344` in BusyBox v1.36.1.',
  },
  {
    cve: 'CVE-2023-52425', package: 'libexpat', installed: '2.5.0-r1', fixed: '2.6.0-r0', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-400',
    title: 'expat: parsing large tokens can trigger a denial of service', published: '2024-02-04',
    description: 'libexpat through 2.5.0 allows a denial of service (resource consumption) because **many full reparsings** are required in the case of a large token for which multiple buffer fills are needed.',
  },
];

const DEBIAN: readonly Advisory[] = [
  {
    cve: 'CVE-2023-4911', package: 'libc6', installed: '2.36-9+deb12u1', fixed: '2.36-9+deb12u3', vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', cwe: 'CWE-122',
    title: 'glibc: buffer overflow in ld.so leading to privilege escalation', published: '2023-10-03',
    description: 'A buffer overflow was discovered in the GNU C Library\'s dynamic loader `ld.so` while processing the `GLIBC_TUNABLES` environment variable ("Looney Tunables").',
  },
  {
    cve: 'CVE-2023-5363', package: 'libssl3', installed: '3.0.11-1~deb12u1', fixed: '3.0.11-1~deb12u2', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
    title: 'openssl: Incorrect cipher key and IV length processing', published: '2023-10-25',
    description: 'A bug in the processing of key and initialisation vector lengths can lead to **potential truncation or overruns** during the initialisation of some symmetric ciphers.',
  },
  {
    cve: 'CVE-2024-2511', package: 'libssl3', installed: '3.0.11-1~deb12u1', fixed: '3.0.13-1~deb12u1', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H',
    title: 'openssl: Unbounded memory growth with session handling in TLSv1.3', published: '2024-04-08',
    description: 'Some non-default TLS server configurations can cause **unbounded memory growth** when processing TLSv1.3 sessions.',
  },
  {
    cve: 'CVE-2023-45853', package: 'zlib1g', installed: '1:1.2.13.dfsg-1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', cwe: 'CWE-190',
    title: 'zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6', published: '2023-10-14',
    description: 'MiniZip in zlib through 1.3 has an integer overflow and resultant heap-based buffer overflow in `zipOpenNewFileInZip4_64`. Debian will not fix it: MiniZip is not built into `zlib1g`.',
  },
  {
    cve: 'CVE-2023-29491', package: 'libtinfo6', installed: '6.4-4', vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', cwe: 'CWE-787',
    title: 'ncurses: Local users can trigger security-relevant memory corruption via malformed data', published: '2023-04-14',
    description: 'ncurses before 6.4 20230408, when used by a setuid application, allows local users to trigger memory corruption via malformed data in a **terminfo** database file.',
  },
  {
    cve: 'CVE-2023-50495', package: 'libtinfo6', installed: '6.4-4', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H',
    title: 'ncurses: segmentation fault via _nc_wrap_entry()', published: '2023-12-12',
    description: 'NCurse v6.4-20230418 was discovered to contain a segmentation fault via the component `_nc_wrap_entry()`.',
  },
  {
    cve: 'CVE-2011-3374', package: 'apt', installed: '2.6.1', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N', cwe: 'CWE-347',
    title: 'apt-key does not correctly validate gpg keys with the master keyring', published: '2019-11-26',
    description: 'It was found that `apt-key` in apt, all versions, do not correctly validate gpg keys with the master keyring, leading to a potential man-in-the-middle attack.',
  },
  {
    cve: 'CVE-2022-27943', package: 'libstdc++6', installed: '12.2.0-14', vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', cwe: 'CWE-674',
    title: 'binutils: libiberty/rust-demangle.c in GNU GCC 11.2 allows stack exhaustion in demangle_const', published: '2022-03-26',
    description: 'libiberty/rust-demangle.c in GNU GCC 11.2 allows **stack consumption** in `demangle_const`, as demonstrated by `nm-new`.',
  },
  {
    cve: 'CVE-2023-7104', package: 'libsqlite3-0', installed: '3.40.1-2', fixed: '3.40.1-2+deb12u1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L', cwe: 'CWE-122',
    title: 'sqlite: heap-buffer-overflow at sessionfuzz', published: '2023-12-29',
    description: 'A heap-based buffer overflow in the **session extension** of SQLite (`sessionReadRecord` in `ext/session/sqlite3session.c`).',
  },
  {
    cve: 'CVE-2023-31484', package: 'perl-base', installed: '5.36.0-7', fixed: '5.36.0-7+deb12u1', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N', cwe: 'CWE-295',
    title: 'perl: CPAN.pm does not verify TLS certificates when downloading distributions over HTTPS', published: '2023-04-29',
    description: 'CPAN.pm before 2.35 does not verify TLS certificates when downloading distributions over HTTPS.',
  },
  {
    cve: 'CVE-2024-28182', package: 'libnghttp2-14', installed: '1.52.0-1', fixed: '1.52.0-1+deb12u1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', cwe: 'CWE-770',
    title: 'nghttp2: CONTINUATION frames DoS', published: '2024-04-04',
    description: 'An attacker can send an **unbounded number of CONTINUATION frames** that the HTTP/2 implementation keeps reading, exhausting CPU.',
  },
  {
    cve: 'CVE-2023-39804', package: 'tar', installed: '1.34+dfsg-1.2', fixed: '1.34+dfsg-1.2+deb12u1', vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H',
    title: 'tar: Incorrectly handled extension attributes in PAX archives can lead to a crash', published: '2024-03-27',
    description: 'In GNU tar before 1.35, mishandled extension attributes in a PAX archive can lead to an application crash in `xheader.c`.',
  },
];

const MAVEN: readonly Advisory[] = [
  {
    cve: 'CVE-2021-44228', ghsa: 'GHSA-jfh8-c2jp-5v3q', package: 'org.apache.logging.log4j:log4j-core', installed: '2.14.1', fixed: '2.15.0',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', cwe: 'CWE-917', title: 'Remote code injection in Log4j', published: '2021-12-10',
    description: 'Apache Log4j2 JNDI features do not protect against attacker-controlled LDAP and other JNDI endpoints ("**Log4Shell**"). An attacker who can control log messages can execute arbitrary code loaded from LDAP servers when message lookup substitution is enabled.',
  },
  {
    cve: 'CVE-2021-45046', ghsa: 'GHSA-7rjr-3q55-vv33', package: 'org.apache.logging.log4j:log4j-core', installed: '2.14.1', fixed: '2.16.0',
    vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H', cwe: 'CWE-917', title: 'Incomplete fix for Apache Log4j vulnerability', published: '2021-12-14',
    description: 'The fix to address CVE-2021-44228 in Apache Log4j 2.15.0 was incomplete in certain non-default configurations, allowing **Thread Context Map** lookups to craft malicious input data.',
  },
  {
    cve: 'CVE-2022-22965', ghsa: 'GHSA-36p3-wjmg-h94x', package: 'org.springframework:spring-beans', installed: '5.3.15', fixed: '5.3.18',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', cwe: 'CWE-94', title: 'Remote Code Execution in Spring Framework', published: '2022-04-01',
    description: 'A Spring MVC or Spring WebFlux application running on JDK 9+ may be vulnerable to remote code execution via **data binding** ("Spring4Shell").',
  },
  {
    cve: 'CVE-2022-42003', ghsa: 'GHSA-jjjh-jjxp-wpff', package: 'com.fasterxml.jackson.core:jackson-databind', installed: '2.13.1', fixed: '2.13.4.1',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-502', title: 'Uncontrolled Resource Consumption in Jackson-databind', published: '2022-10-02',
    description: 'In FasterXML jackson-databind before 2.14.0-rc1, resource exhaustion can occur because of a lack of a check in primitive value deserializers when `UNWRAP_SINGLE_VALUE_ARRAYS` is enabled.',
  },
  {
    cve: 'CVE-2020-36518', ghsa: 'GHSA-57j2-w4cx-62h2', package: 'com.fasterxml.jackson.core:jackson-databind', installed: '2.13.1', fixed: '2.13.2.1',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-787', title: 'Deeply nested json in jackson-databind', published: '2022-03-11',
    description: 'jackson-databind before 2.13.0 allows a Java `StackOverflow` exception and denial of service via a **large depth of nested objects**.',
  },
  {
    cve: 'CVE-2022-1471', ghsa: 'GHSA-mjmj-j48q-9wg2', package: 'org.yaml:snakeyaml', installed: '1.29', fixed: '2.0',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:L', cwe: 'CWE-502', title: 'SnakeYaml Constructor Deserialization Remote Code Execution', published: '2022-12-01',
    description: 'SnakeYaml\'s `Constructor()` class does not restrict types which can be instantiated during deserialization. Deserializing YAML content provided by an attacker can lead to remote code execution. Use `SafeConstructor`.',
  },
  {
    cve: 'CVE-2022-25857', ghsa: 'GHSA-3mc7-4q67-w48m', package: 'org.yaml:snakeyaml', installed: '1.29', fixed: '1.31',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-776', title: 'Uncontrolled Resource Consumption in snakeyaml', published: '2022-08-30',
    description: 'The package org.yaml:snakeyaml from 0 and before 1.31 is vulnerable to denial of service due to missing nested depth limitation for collections.',
  },
  {
    cve: 'CVE-2023-20863', ghsa: 'GHSA-wxqc-pxw9-g2p8', package: 'org.springframework:spring-expression', installed: '5.3.15', fixed: '5.3.27',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-400', title: 'Spring Framework vulnerable to denial of service', published: '2023-04-13',
    description: 'A user can provide a specially crafted **SpEL** expression that may cause a denial-of-service condition.',
  },
  {
    cve: 'CVE-2024-22243', ghsa: 'GHSA-ccgv-vj62-xf9h', package: 'org.springframework:spring-web', installed: '5.3.15', fixed: '5.3.32',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N', cwe: 'CWE-601', title: 'Spring Web vulnerable to Open Redirect or Server Side Request Forgery', published: '2024-02-23',
    description: 'Applications that use `UriComponentsBuilder` to parse an externally provided URL and perform validation checks on the host of the parsed URL may be vulnerable to an **open redirect** or SSRF attack.',
  },
  {
    cve: 'CVE-2023-6378', ghsa: 'GHSA-vmq6-5m68-f53m', package: 'ch.qos.logback:logback-classic', installed: '1.2.10', fixed: '1.2.13',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-502', title: 'logback serialization vulnerability', published: '2023-11-29',
    description: 'A serialization vulnerability in the logback receiver component allows an attacker to mount a denial-of-service attack by sending **poisoned data**.',
  },
];

const NPM: readonly Advisory[] = [
  {
    cve: 'CVE-2020-8203', ghsa: 'GHSA-p6mc-m468-83gw', package: 'lodash', installed: '4.17.15', fixed: '4.17.19',
    vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', cwe: 'CWE-1321', title: 'Prototype Pollution in lodash', published: '2020-07-15',
    description: 'Versions of lodash prior to 4.17.19 are vulnerable to **Prototype Pollution** via `zipObjectDeep`.',
  },
  {
    cve: 'CVE-2021-23337', ghsa: 'GHSA-35jh-r3h4-6jhm', package: 'lodash', installed: '4.17.15', fixed: '4.17.21',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', cwe: 'CWE-94', title: 'Command Injection in lodash', published: '2021-02-15',
    description: '`lodash` versions prior to 4.17.21 are vulnerable to Command Injection via the `template` function.',
  },
  {
    cve: 'CVE-2022-24999', ghsa: 'GHSA-hrpp-h998-j3pp', package: 'qs', installed: '6.9.6', fixed: '6.9.7',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-1321', title: 'qs vulnerable to Prototype Pollution', published: '2022-11-26',
    description: 'qs before 6.10.3 allows attackers to cause a Node process hang, because an `__proto__` key can be used, as in `a[__proto__]=b&a[__proto__]&a[length]=100000000`.',
  },
  {
    cve: 'CVE-2022-25883', ghsa: 'GHSA-c2qf-rxjj-qqgw', package: 'semver', installed: '7.3.8', fixed: '7.5.2',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-1333', title: 'semver vulnerable to Regular Expression Denial of Service', published: '2023-06-21',
    description: 'Versions of the package semver before 7.5.2 are vulnerable to **ReDoS** via the function `new Range`, when untrusted user data is provided as a range.',
  },
  {
    cve: 'CVE-2024-29041', ghsa: 'GHSA-rv95-896h-c2vc', package: 'express', installed: '4.18.2', fixed: '4.19.2',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', cwe: 'CWE-601', title: 'Express.js Open Redirect in malformed URLs', published: '2024-03-25',
    description: 'Versions of Express.js prior to 4.19.2 allow **open redirects** when user input is passed to `res.location()` or `res.redirect()`.',
  },
  {
    cve: 'CVE-2022-46175', ghsa: 'GHSA-9c47-m6qq-7p4h', package: 'json5', installed: '2.2.1', fixed: '2.2.2',
    vector: 'CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:H/I:L/A:H', cwe: 'CWE-1321', title: 'Prototype Pollution in JSON5 via Parse Method', published: '2022-12-24',
    description: 'The `parse` method of the JSON5 library before 2.2.2 does not restrict parsing of keys named `__proto__`, allowing specially crafted strings to pollute the prototype of the resulting object.',
  },
  {
    cve: 'CVE-2023-26136', ghsa: 'GHSA-72xf-g2v4-qvf3', package: 'tough-cookie', installed: '4.0.0', fixed: '4.1.3',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N', cwe: 'CWE-1321', title: 'tough-cookie Prototype Pollution vulnerability', published: '2023-07-01',
    description: 'Versions of the package tough-cookie before 4.1.3 are vulnerable to Prototype Pollution due to improper handling of cookies when using **CookieJar** in `rejectPublicSuffixes=false` mode.',
  },
  {
    cve: 'CVE-2024-37890', ghsa: 'GHSA-3h5v-q93c-6h6q', package: 'ws', installed: '8.11.0', fixed: '8.17.1',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-476', title: 'ws affected by a DoS when handling a request with many HTTP headers', published: '2024-06-17',
    description: 'A request with a number of headers exceeding the `server.maxHeadersCount` threshold could be used to crash a ws server.',
  },
  {
    cve: 'CVE-2023-44270', ghsa: 'GHSA-7fh5-64p2-3v2j', package: 'postcss', installed: '8.4.21', fixed: '8.4.31',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N', cwe: 'CWE-74', title: 'PostCSS line return parsing error', published: '2023-09-29',
    description: 'An issue was discovered in PostCSS before 8.4.31: linters using PostCSS to parse external CSS may be affected, because `\\r` is not treated as a line break.',
  },
  {
    cve: 'CVE-2024-4068', ghsa: 'GHSA-grv7-fg5c-xmjg', package: 'braces', installed: '3.0.2', fixed: '3.0.3',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-1050', title: 'Uncontrolled resource consumption in braces', published: '2024-05-14',
    description: 'The NPM package `braces` fails to limit the number of characters it can handle, which could lead to **memory exhaustion**.',
  },
  {
    cve: 'CVE-2022-0235', ghsa: 'GHSA-r683-j2x4-v87g', package: 'node-fetch', installed: '2.6.1', fixed: '2.6.7',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', cwe: 'CWE-359', title: 'node-fetch forwards secure headers to untrusted sites', published: '2022-01-16',
    description: 'node-fetch is vulnerable to **Exposure of Sensitive Information** to an Unauthorized Actor: the `Authorization` header is forwarded on redirects to another host.',
  },
  {
    cve: 'CVE-2023-45857', ghsa: 'GHSA-wf5p-g6vw-rhxx', package: 'axios', installed: '1.5.1', fixed: '1.6.0',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N', cwe: 'CWE-352', title: 'Axios Cross-Site Request Forgery Vulnerability', published: '2023-11-08',
    description: 'Axios 1.5.1 inadvertently reveals the confidential `XSRF-TOKEN` stored in cookies by including it in the HTTP header `X-XSRF-TOKEN` for every request made to any host.',
  },
  {
    cve: 'CVE-2024-39338', ghsa: 'GHSA-8hc4-vh64-cxmj', package: 'axios', installed: '1.5.1', fixed: '1.7.4',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', cwe: 'CWE-918', title: 'Server-Side Request Forgery in axios', published: '2024-08-12',
    description: 'axios 1.3.2 through 1.7.3 allows **SSRF** via unexpected behaviour where requests for path relative URLs get processed as protocol relative URLs.',
  },
  {
    cve: 'CVE-2023-45133', ghsa: 'GHSA-67hx-6x53-jw92', package: '@babel/traverse', installed: '7.22.5', fixed: '7.23.2',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', cwe: 'CWE-184', title: 'Babel vulnerable to arbitrary code execution when compiling specifically crafted malicious code', published: '2023-10-12',
    description: 'Using Babel to compile code that was specifically crafted by an attacker can lead to **arbitrary code execution** during compilation, when using plugins that rely on the `path.evaluate()` or `path.evaluateTruthy()` internal Babel methods.',
  },
  {
    cve: 'CVE-2024-45296', ghsa: 'GHSA-9wv6-86v2-598j', package: 'path-to-regexp', installed: '0.1.7', fixed: '0.1.10',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-1333', title: 'path-to-regexp outputs backtracking regular expressions', published: '2024-09-09',
    description: 'A bad regular expression is generated any time you have **two parameters within a single segment**, separated by something that is not a period.',
  },
  {
    cve: 'CVE-2024-28849', ghsa: 'GHSA-cxjh-pqwp-8mfp', package: 'follow-redirects', installed: '1.15.3', fixed: '1.15.6',
    vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', cwe: 'CWE-200', title: 'follow-redirects\' Proxy-Authorization header kept across hosts', published: '2024-03-14',
    description: 'When using axios, its dependency follow-redirects only clears the `Authorization` header during cross-domain redirect, but allows the `Proxy-Authorization` header to remain.',
  },
];

const PYPI: readonly Advisory[] = [
  {
    cve: 'CVE-2023-32681', ghsa: 'GHSA-j8r2-6x86-q33q', package: 'requests', installed: '2.28.2', fixed: '2.31.0',
    vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N', cwe: 'CWE-200', title: 'Unintended leak of Proxy-Authorization header in requests', published: '2023-05-26',
    description: 'Requests has been leaking `Proxy-Authorization` headers to destination servers when redirected to an HTTPS endpoint.',
  },
  {
    cve: 'CVE-2024-35195', ghsa: 'GHSA-9wx4-h78v-vm56', package: 'requests', installed: '2.28.2', fixed: '2.32.0',
    vector: 'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N', cwe: 'CWE-670', title: 'Requests `Session` object does not verify requests after making first request with verify=False', published: '2024-05-20',
    description: 'When making requests through a Requests `Session`, if the first request is made with `verify=False` to disable cert verification, all subsequent requests to the same host will continue to **ignore cert verification**.',
  },
  {
    cve: 'CVE-2023-30861', ghsa: 'GHSA-m2qf-hxjv-5gpq', package: 'flask', installed: '2.2.2', fixed: '2.2.5',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', cwe: 'CWE-539', title: 'Flask vulnerable to possible disclosure of permanent session cookie due to missing Vary: Cookie header', published: '2023-05-02',
    description: 'When all of a set of conditions are met, a response containing data intended for one client may be **cached and subsequently sent** by a caching proxy to other clients.',
  },
  {
    cve: 'CVE-2023-43804', ghsa: 'GHSA-v845-jxx5-vc9f', package: 'urllib3', installed: '1.26.15', fixed: '1.26.17',
    vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', cwe: 'CWE-200', title: '`Cookie` HTTP header isn\'t stripped on cross-origin redirects', published: '2023-10-02',
    description: 'urllib3 does not treat the `Cookie` HTTP header special or provide any helpers for managing cookies over HTTP, so a `Cookie` header set by the user leaks on cross-origin redirects.',
  },
  {
    cve: 'CVE-2023-45803', ghsa: 'GHSA-g4mx-q9vg-27p4', package: 'urllib3', installed: '1.26.15', fixed: '1.26.18',
    vector: 'CVSS:3.1/AV:A/AC:H/PR:H/UI:R/S:U/C:H/I:N/A:N', cwe: 'CWE-200', title: 'urllib3\'s request body not stripped after redirect from 303 status changes request method to GET', published: '2023-10-17',
    description: 'urllib3 previously wouldn\'t remove the HTTP request body when an HTTP redirect response using status **303 "See Other"** after the request had its method changed.',
  },
  {
    cve: 'CVE-2024-1135', ghsa: 'GHSA-w3h3-4rj7-4ph4', package: 'gunicorn', installed: '20.1.0', fixed: '22.0.0',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:L', cwe: 'CWE-444', title: 'Request smuggling leading to endpoint restriction bypass in Gunicorn', published: '2024-04-16',
    description: 'Gunicorn fails to properly validate `Transfer-Encoding` headers, leading to **HTTP Request Smuggling** vulnerabilities.',
  },
  {
    cve: 'CVE-2023-37920', ghsa: 'GHSA-xqr8-7jwr-rhp7', package: 'certifi', installed: '2022.12.7', fixed: '2023.7.22',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N', cwe: 'CWE-345', title: 'Removal of e-Tugra root certificate', published: '2023-07-25',
    description: 'Certifi 2023.07.22 removes root certificates from **"e-Tugra"** from the root store, following an investigation of its security issues.',
  },
  {
    cve: 'CVE-2024-26130', ghsa: 'GHSA-6vqw-3v5j-54x4', package: 'cryptography', installed: '41.0.3', fixed: '42.0.4',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-476', title: 'cryptography NULL pointer dereference with pkcs12.serialize_key_and_certificates', published: '2024-02-21',
    description: 'Calling `pkcs12.serialize_key_and_certificates` with a certificate whose public key does not match the provided private key and an `encryption_algorithm` with `hmac_hash` set causes a NULL pointer dereference.',
  },
  {
    cve: 'CVE-2023-50782', ghsa: 'GHSA-3ww4-gg4f-jr7f', package: 'cryptography', installed: '41.0.3', fixed: '42.0.0',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', cwe: 'CWE-208', title: 'Python Cryptography package vulnerable to Bleichenbacher timing oracle attack', published: '2024-02-05',
    description: 'A flaw was found in the python-cryptography package that may allow a remote attacker to **decrypt captured messages** in TLS servers that use RSA key exchanges.',
  },
  {
    cve: 'CVE-2023-50447', ghsa: 'GHSA-3f63-hfp8-52jq', package: 'pillow', installed: '9.5.0', fixed: '10.2.0',
    vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', cwe: 'CWE-94', title: 'Arbitrary Code Execution in Pillow', published: '2024-01-19',
    description: 'Pillow through 10.1.0 allows `PIL.ImageMath.eval` **arbitrary code execution** via the environment parameter.',
  },
  {
    cve: 'CVE-2024-3651', ghsa: 'GHSA-jjg7-2v4v-x38h', package: 'idna', installed: '3.4', fixed: '3.7',
    vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-400', title: 'Internationalized Domain Names in Applications (IDNA) vulnerable to denial of service', published: '2024-04-11',
    description: 'A specially crafted argument to the `idna.encode()` function could consume significant resources.',
  },
  {
    cve: 'CVE-2024-34064', ghsa: 'GHSA-h75v-3vvj-5mfj', package: 'jinja2', installed: '3.1.2', fixed: '3.1.4',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N', cwe: 'CWE-79', title: 'Jinja vulnerable to HTML attribute injection when passing user input as keys to xmlattr filter', published: '2024-05-06',
    description: 'The `xmlattr` filter in affected versions of Jinja accepts keys containing non-attribute characters, allowing **attribute injection**.',
  },
  {
    cve: 'CVE-2023-46136', ghsa: 'GHSA-hrfv-mqp8-q5rw', package: 'werkzeug', installed: '2.2.3', fixed: '2.3.8',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-400', title: 'Werkzeug DoS: High resource usage when parsing multipart/form-data', published: '2023-10-24',
    description: 'When parsing multipart/form-data containing a large part with CR/LF character at the beginning, Werkzeug\'s parser uses **a lot of CPU and memory**.',
  },
];

const GO: readonly Advisory[] = [
  {
    cve: 'CVE-2023-39325', ghsa: 'GHSA-4374-p667-p6c8', package: 'golang.org/x/net', installed: 'v0.15.0', fixed: '0.17.0',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-770', title: 'HTTP/2 rapid reset can cause excessive work in net/http', published: '2023-10-11',
    description: 'A malicious HTTP/2 client which **rapidly creates requests and immediately resets them** can cause excessive server resource consumption.',
  },
  {
    cve: 'CVE-2023-45288', ghsa: 'GHSA-4v7x-pqxf-cx7m', package: 'golang.org/x/net', installed: 'v0.15.0', fixed: '0.23.0',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-400', title: 'net/http, x/net/http2: close connections when receiving too many headers', published: '2024-04-04',
    description: 'An attacker may cause an HTTP/2 endpoint to read arbitrary amounts of header data by sending an excessive number of **CONTINUATION** frames.',
  },
  {
    cve: 'CVE-2024-45338', ghsa: 'GHSA-w32m-9786-jp63', package: 'golang.org/x/net', installed: 'v0.15.0', fixed: '0.33.0',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', cwe: 'CWE-1333', title: 'Non-linear parsing of case-insensitive content in golang.org/x/net/html', published: '2024-12-18',
    description: 'An attacker can craft an input to the parse functions of `golang.org/x/net/html` that would be processed **non-linearly** with respect to its length.',
  },
  {
    cve: 'CVE-2023-48795', ghsa: 'GHSA-45x7-px36-x8w8', package: 'golang.org/x/crypto', installed: 'v0.14.0', fixed: '0.17.0',
    vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N', cwe: 'CWE-354', title: 'Prefix Truncation Attack against ChaCha20-Poly1305 and Encrypt-then-MAC aka Terrapin', published: '2023-12-18',
    description: 'The SSH transport protocol with certain OpenSSH extensions allows remote attackers to bypass integrity checks such that some packets are omitted from the extension negotiation message (**"Terrapin"**).',
  },
  {
    cve: 'CVE-2024-45337', ghsa: 'GHSA-v778-237x-gjrc', package: 'golang.org/x/crypto', installed: 'v0.14.0', fixed: '0.31.0',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N', cwe: 'CWE-285', title: 'Misuse of ServerConfig.PublicKeyCallback may cause authorization bypass in golang.org/x/crypto', published: '2024-12-11',
    description: 'Applications and libraries which misuse `connection.serverAuthenticate` (via callback field `ServerConfig.PublicKeyCallback`) may be susceptible to an **authorization bypass**.',
  },
  {
    cve: 'CVE-2023-44487', ghsa: 'GHSA-m425-mq94-257g', package: 'google.golang.org/grpc', installed: 'v1.57.0', fixed: '1.57.1',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-400', title: 'gRPC-Go HTTP/2 Rapid Reset vulnerability', published: '2023-10-10',
    description: 'The HTTP/2 protocol allows a denial of service (server resource consumption) because **request cancellation can reset many streams quickly**.',
  },
  {
    cve: 'CVE-2024-24786', ghsa: 'GHSA-8r3f-844c-mc37', package: 'google.golang.org/protobuf', installed: 'v1.31.0', fixed: '1.33.0',
    vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-835', title: 'Golang protojson.Unmarshal function infinite loop when unmarshaling certain forms of invalid JSON', published: '2024-03-05',
    description: 'The `protojson.Unmarshal` function can enter an **infinite loop** when unmarshaling certain forms of invalid JSON.',
  },
  {
    cve: 'CVE-2022-28948', ghsa: 'GHSA-hp87-p4gw-j4gq', package: 'gopkg.in/yaml.v3', installed: 'v3.0.0-20210107192922-496545a6307b', fixed: '3.0.0',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-502', title: 'gopkg.in/yaml.v3 Denial of Service', published: '2022-05-19',
    description: 'An issue in the `Unmarshal` function in Go-Yaml v3 causes the program to **crash** when attempting to deserialize invalid input.',
  },
  {
    cve: 'CVE-2020-26160', ghsa: 'GHSA-w73w-5m7g-f7qc', package: 'github.com/dgrijalva/jwt-go', installed: 'v3.2.0+incompatible',
    vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', cwe: 'CWE-287', title: 'Authorization bypass in github.com/dgrijalva/jwt-go', published: '2020-09-30',
    description: 'jwt-go allows attackers to bypass intended access restrictions in situations with `[]string{}` for `m["aud"]`. The module is unmaintained: move to `github.com/golang-jwt/jwt`.',
  },
  {
    cve: 'CVE-2024-28180', ghsa: 'GHSA-c5q2-7r4c-mv6g', package: 'github.com/go-jose/go-jose/v3', installed: 'v3.0.1', fixed: '3.0.3',
    vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:N/A:L', cwe: 'CWE-409', title: 'Go JOSE vulnerable to Improper Handling of Highly Compressed Data (Data Amplification)', published: '2024-03-09',
    description: 'An attacker could send a JWE containing compressed data that used large amounts of memory and CPU when **decompressed** by `Decrypt` or `DecryptMulti`.',
  },
];

const GO_STDLIB: readonly Advisory[] = [
  {
    cve: 'CVE-2023-39325', package: 'stdlib', installed: 'v1.21.1', fixed: '1.21.3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-770',
    title: 'golang: net/http, x/net/http2: rapid stream resets can cause excessive work', published: '2023-10-11',
    description: 'A malicious HTTP/2 client which **rapidly creates requests and immediately resets them** can cause excessive server resource consumption.',
  },
  {
    cve: 'CVE-2023-45288', package: 'stdlib', installed: 'v1.21.1', fixed: '1.21.9', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', cwe: 'CWE-400',
    title: 'golang: net/http, x/net/http2: unlimited number of CONTINUATION frames causes DoS', published: '2024-04-04',
    description: 'An attacker may cause an HTTP/2 endpoint to read arbitrary amounts of header data by sending an excessive number of **CONTINUATION** frames.',
  },
  {
    cve: 'CVE-2024-24790', package: 'stdlib', installed: 'v1.21.1', fixed: '1.21.11', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    title: 'golang: net/netip: Unexpected behavior from Is methods for IPv4-mapped IPv6 addresses', published: '2024-06-05',
    description: 'The various `Is` methods (`IsPrivate`, `IsLoopback`, etc) did not work as expected for **IPv4-mapped IPv6 addresses**.',
  },
  {
    cve: 'CVE-2023-39326', package: 'stdlib', installed: 'v1.21.1', fixed: '1.21.5', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L',
    title: 'golang: net/http/internal: Denial of Service via Resource Consumption via HTTP requests', published: '2023-12-06',
    description: 'A malicious HTTP sender can use **chunk extensions** to cause a receiver reading from a request or response body to read many more bytes from the network than are in the body.',
  },
];

export const ADVISORIES: Readonly<Record<Ecosystem, readonly Advisory[]>> = {
  alpine: ALPINE,
  debian: DEBIAN,
  maven: MAVEN,
  npm: NPM,
  pypi: PYPI,
  go: GO,
  'go-stdlib': GO_STDLIB,
};
