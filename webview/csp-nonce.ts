/**
 * FAST (under the webview UI toolkit) probes `:focus-visible` support when its
 * modules load by inserting a <style> element, and gives that element the
 * nonce found in <meta property="csp-nonce">. Without the meta the webview's
 * CSP (style-src without 'unsafe-inline') blocks the probe and logs a
 * violation. The nonce is the one VS Code's page already gave this script, so
 * no policy is loosened. Imported first in main.ts: it must run before the
 * toolkit's modules evaluate.
 */
if (!document.querySelector('meta[property="csp-nonce"]')) {
  const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce;
  if (nonce) {
    const meta = document.createElement('meta');
    meta.setAttribute('property', 'csp-nonce');
    meta.setAttribute('content', nonce);
    document.head.appendChild(meta);
  }
}

export {};
