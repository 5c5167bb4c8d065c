// The "database busy" line: shown while any API call waits to be sent again after a 503.
import type { BusyStatus } from './api.js';
import { $ } from './dom.js';

/** The page's busy line (#lp-busy, a status region that screen readers announce). */
export function busyLine(): BusyStatus {
  let waiting = 0;
  return {
    retrying(retry) {
      if (retry.attempt === 1) waiting += 1;
      const el = $('lp-busy');
      el.textContent = 'Database busy, retrying… (attempt ' + (retry.attempt + 1) + ' of ' + retry.attempts + ')';
      el.hidden = false;
    },
    settled() {
      waiting = Math.max(0, waiting - 1);
      if (waiting === 0) $('lp-busy').hidden = true;
    },
  };
}
