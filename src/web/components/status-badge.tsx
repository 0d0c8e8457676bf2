import { badgeClass, type Badge } from '../lib/app-status.js';

/** The app's state in one word, coloured; the word itself carries the meaning (not the colour). */
export function StatusBadge({ badge }: { badge: Badge }) {
  return <span class={badgeClass(badge)}>{badge}</span>;
}
